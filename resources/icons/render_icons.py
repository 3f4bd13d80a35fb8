"""Render bertmask.svg into the PNG sizes the app and the desktop file use,
and pack those PNGs into bertmask.ico (Windows) and bertmask.icns (macOS).

Run: python resources/icons/render_icons.py  (needs PySide6; headless is fine)
"""

import os
import struct
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QGuiApplication, QImage, QPainter  # noqa: E402
from PySide6.QtSvg import QSvgRenderer  # noqa: E402

SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
HERE = Path(__file__).resolve().parent


def render(size: int, renderer: QSvgRenderer) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    return image


def main() -> int:
    app = QGuiApplication(sys.argv[:1])  # noqa: F841 (fonts need an application)
    renderer = QSvgRenderer(str(HERE / "bertmask.svg"))
    for size in SIZES:
        render(size, renderer).save(str(HERE / f"bertmask-{size}.png"))
    render(256, renderer).save(str(HERE / "bertmask.png"))
    write_icon_containers()
    return 0


# Both formats accept PNG data as is (ICO since Windows Vista, ICNS since OS X 10.7).
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
ICNS_TYPES = {16: b"icp4", 32: b"icp5", 64: b"icp6", 128: b"ic07", 256: b"ic08", 512: b"ic09"}


def write_icon_containers(folder: Path = HERE) -> None:
    """bertmask.ico and bertmask.icns from the rendered bertmask-<size>.png files."""
    pngs = {size: (folder / f"bertmask-{size}.png").read_bytes() for size in SIZES}
    (folder / "bertmask.ico").write_bytes(ico_bytes({s: pngs[s] for s in ICO_SIZES}))
    (folder / "bertmask.icns").write_bytes(icns_bytes({s: pngs[s] for s in ICNS_TYPES}))


def ico_bytes(pngs: dict) -> bytes:
    header = struct.pack("<HHH", 0, 1, len(pngs))  # reserved, type 1 = icon, count
    offset = len(header) + 16 * len(pngs)
    entries, blobs = b"", b""
    for size, data in sorted(pngs.items()):
        side = 0 if size >= 256 else size  # 0 means 256 in an ICO directory entry
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(data), offset + len(blobs))
        blobs += data
    return header + entries + blobs


def icns_bytes(pngs: dict) -> bytes:
    body = b"".join(ICNS_TYPES[size] + struct.pack(">I", 8 + len(data)) + data for size, data in sorted(pngs.items()))
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


if __name__ == "__main__":
    sys.exit(main())
