"""Render bertmask.svg into the PNG sizes the app and the desktop file use.

Run: python resources/icons/render_icons.py  (needs PySide6; headless is fine)
"""

import os
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
