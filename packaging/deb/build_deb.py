"""dist/bertmask_<version>_<arch>.deb from the built app folder (dist/BertMask).

    python packaging/deb/build_deb.py [APP_DIR] [--dist DIR]    (build.py calls build_deb)

Layout: the app in /opt/bertmask/, /usr/bin/bertmask a link to its executable, the menu
entry in /usr/share/applications/, icons in /usr/share/icons/hicolor/, LICENSE, the
third-party notices and the changelog in /usr/share/doc/bertmask/. ``Depends:`` names the
Debian packages of every system library the bundle links to (found with ldd and
dpkg-query on the build machine), so apt installs Qt's X11/Wayland libraries. dpkg-deb
is the only tool needed; no maintainer scripts (dpkg's triggers refresh the menu and the
icon cache).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "bertmask"
INSTALL_DIR = Path("opt") / PACKAGE
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
MAINTAINER = "The BertMask developers <maintainers@bertmask.invalid>"
# Qt's display libraries, whatever the build machine has installed: the xcb plugin's
# (DESIGN.md's list) and the Wayland plugin's. ldd adds the rest.
DISPLAY_PACKAGES = [
    "libegl1", "libgl1", "libfontconfig1", "libdbus-1-3", "libxkbcommon0", "libxkbcommon-x11-0",
    "libxcb-cursor0", "libxcb-icccm4", "libxcb-image0", "libxcb-keysyms1", "libxcb-render-util0",
    "libxcb-xkb1", "libxcb-shape0", "libxcb-randr0", "libx11-xcb1", "libwayland-client0",
    "libwayland-cursor0", "libwayland-egl1",
]
# dpkg ships zstd-compressed packages since 1.21.18 (Debian 12, Ubuntu 22.04): xz -6 of
# the 650 MB app takes minutes on two cores, zstd -9 seconds, for a few % more bytes.
COMPRESSION = ["-Zzstd", "-z9"]
# Qt plugins a missing library only disables (Qt skips them): not reasons to depend.
OPTIONAL_PLUGINS = re.compile(r"PySide6/Qt/plugins/(?!platforms/|xcbglintegrations/|wayland-)")
_LDD_LINE = re.compile(r"^\s*(\S+)\s+=>\s+(\S+)", re.MULTILINE)


def project_version() -> str:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    match = re.search(r'^version\s*=\s*"([^"]+)"', text, re.MULTILINE)
    if not match:
        raise SystemExit("build_deb: no version in pyproject.toml")
    return match.group(1)


def architecture() -> str:
    return subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True, check=True).stdout.strip()


def deb_name(version: str, arch: str) -> str:
    return f"{PACKAGE}_{version}_{arch}.deb"


def elf_files(app_dir: Path) -> list[Path]:
    found = []
    for path in app_dir.rglob("*"):
        if path.is_file() and not path.is_symlink() and (".so" in path.name or os.access(path, os.X_OK)):
            with path.open("rb") as handle:
                if handle.read(4) == b"\x7fELF":
                    found.append(path)
    return found


def linked_libraries(binary: Path) -> list[tuple[str, str]]:
    """(soname, resolved path or 'not') for each library ``binary`` links to (ldd)."""
    done = subprocess.run(["ldd", str(binary)], capture_output=True, text=True)
    return _LDD_LINE.findall(done.stdout)


def system_packages(app_dir: Path) -> list[str]:
    """The Debian packages of the system libraries the bundle links to, and Qt's display
    libraries. Qt plugins that are optional (the GTK theme, image formats) are skipped:
    Qt does without them when their libraries are missing."""
    app_dir = app_dir.resolve()
    binaries = [path for path in elf_files(app_dir) if not OPTIONAL_PLUGINS.search(path.relative_to(app_dir).as_posix())]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        links = [pair for pairs in pool.map(linked_libraries, binaries) for pair in pairs]
    outside = {path for _, path in links if path.startswith("/") and not path.startswith(str(app_dir))}
    missing = sorted({soname for soname, path in links if path == "not"} - {p.name for p in app_dir.rglob("*.so*")})
    if missing:  # not installed on this machine: DISPLAY_PACKAGES should cover them
        print(f"build_deb: not on this machine, so not in Depends unless listed: {', '.join(missing)}")
    return sorted(owning_packages(outside) | set(DISPLAY_PACKAGES))


def owning_packages(paths: set[str]) -> set[str]:
    """dpkg -S for each path (also under /usr: ldd may name /lib, dpkg /usr/lib)."""
    queries = sorted({variant for path in paths for variant in (path, os.path.realpath(path), "/usr" + path)})
    if not queries or shutil.which("dpkg-query") is None:
        return set()
    done = subprocess.run(["dpkg-query", "-S", *queries], capture_output=True, text=True)
    packages = set()
    for line in done.stdout.splitlines():
        owners = line.split(": ", 1)[0]
        packages.update(owner.strip().split(":")[0] for owner in owners.split(","))
    return packages


def control_file(version: str, arch: str, depends: list[str], installed_kib: int) -> str:
    return (
        f"Package: {PACKAGE}\n"
        f"Version: {version}\n"
        f"Architecture: {arch}\n"
        f"Maintainer: {MAINTAINER}\n"
        f"Installed-Size: {installed_kib}\n"
        f"Depends: {', '.join(depends)}\n"
        "Section: editors\n"
        "Priority: optional\n"
        "Homepage: https://github.com/bertmask/bertmask\n"
        "Description: word suggestions for writers from a masked language model\n"
        " Type [MASK] (or select a word) and BertMask proposes ranked words that fit the\n"
        " context; one click puts the word in. Runs offline: Python, Qt and PyTorch are\n"
        " inside the package, in /opt/bertmask.\n"
    )


def copyright_file(version: str) -> str:
    return (
        "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"
        f"Upstream-Name: BertMask {version}\n\n"
        "Files: *\n"
        "Copyright: The BertMask developers\n"
        "License: MIT\n"
        " See /usr/share/doc/bertmask/LICENSE.\n\n"
        "Files: opt/bertmask/_internal/*\n"
        "Copyright: the authors of each bundled component\n"
        "License: various (PSF-2.0, BSD, MIT, Apache-2.0, LGPL-3.0-only for Qt/PySide6, ...)\n"
        " Each component, its version, licence and licence text are listed in\n"
        " /usr/share/doc/bertmask/THIRD-PARTY-NOTICES.txt.\n"
    )


def desktop_entry() -> str:
    """resources/bertmask.desktop with the installed command."""
    text = (ROOT / "resources" / "bertmask.desktop").read_text(encoding="utf-8")
    return re.sub(r"^Exec=.*$", f"Exec={PACKAGE} %f", text, flags=re.MULTILINE)


def stage(app_dir: Path, root: Path, version: str) -> None:
    """The package's file tree under ``root`` (hard links where possible: 650 MB)."""
    if root.exists():
        shutil.rmtree(root)

    def link_or_copy(src, dst):
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)

    shutil.copytree(app_dir, root / INSTALL_DIR, symlinks=True, copy_function=link_or_copy)
    (root / "usr" / "bin").mkdir(parents=True)
    (root / "usr" / "bin" / PACKAGE).symlink_to(Path("/") / INSTALL_DIR / "BertMask")
    icons = ROOT / "resources" / "icons"
    share = root / "usr" / "share"
    for size in ICON_SIZES:
        target = share / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{PACKAGE}.png"
        target.parent.mkdir(parents=True)
        shutil.copyfile(icons / f"bertmask-{size}.png", target)
    scalable = share / "icons" / "hicolor" / "scalable" / "apps"
    scalable.mkdir(parents=True)
    shutil.copyfile(icons / "bertmask.svg", scalable / f"{PACKAGE}.svg")
    (share / "applications").mkdir(parents=True)
    (share / "applications" / f"{PACKAGE}.desktop").write_text(desktop_entry(), encoding="utf-8")
    doc = share / "doc" / PACKAGE
    doc.mkdir(parents=True)
    (doc / "copyright").write_text(copyright_file(version), encoding="utf-8")
    shutil.copyfile(ROOT / "LICENSE", doc / "LICENSE")
    shutil.copyfile(ROOT / "CHANGELOG.md", doc / "CHANGELOG.md")
    notices = app_dir / "_internal" / "THIRD-PARTY-NOTICES.txt"
    if not notices.is_file():
        raise SystemExit(f"build_deb: {notices} is missing: build the app with packaging/build.py first.")
    shutil.copyfile(notices, doc / notices.name)
    for path in root.rglob("*"):  # dpkg keeps modes: world-readable files and folders
        if not path.is_symlink():
            path.chmod(0o755 if path.is_dir() or os.access(path, os.X_OK) else 0o644)


def tree_size_kib(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file() and not p.is_symlink()) // 1024 + 1


def build_deb(app_dir: Path, dist: Path, work: Path | None = None) -> Path:
    """Stage the app, write DEBIAN/control, run dpkg-deb; returns the .deb's path."""
    version, arch = project_version(), architecture()
    root = (work or ROOT / "build" / "deb") / PACKAGE
    stage(app_dir, root, version)
    depends = system_packages(app_dir)
    (root / "DEBIAN").mkdir()
    (root / "DEBIAN" / "control").write_text(
        control_file(version, arch, depends, tree_size_kib(root)), encoding="utf-8"
    )
    out = dist / deb_name(version, arch)
    subprocess.run(
        ["dpkg-deb", "--root-owner-group", *COMPRESSION, "--build", str(root), str(out)],
        check=True, stdout=subprocess.DEVNULL,
    )
    shutil.rmtree(root)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Package the built app (dist/BertMask) as a .deb.")
    parser.add_argument("app", nargs="?", type=Path, default=ROOT / "dist" / "BertMask")
    parser.add_argument("--dist", type=Path, default=ROOT / "dist")
    args = parser.parse_args(argv)
    if shutil.which("dpkg-deb") is None:
        print("build_deb: dpkg-deb is missing (Debian/Ubuntu: apt-get install dpkg).", file=sys.stderr)
        return 2
    print(build_deb(args.app, args.dist))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
