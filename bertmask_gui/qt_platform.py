"""Before any QApplication: can Qt's platform plugin load? If not, a sentence, not an abort.

Qt aborts the process when its platform plugin cannot load, e.g. the X11 ("xcb") plugin
on a desktop without libxcb-cursor0. The plugin is a shared library: loading it here
first costs nothing Qt would not spend anyway, and when it fails ``ldd`` names every
missing library, so the app (and ``make setup``) can say which package to install.
No Qt is imported here.

    python -m bertmask_gui.qt_platform             # the sentence, exit 1; nothing, exit 0
    python -m bertmask_gui.qt_platform --packages  # the missing Debian packages, one line
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

# Debian names a library's package after its soname (libxcb-cursor.so.0 → libxcb-cursor0,
# libxkbcommon-x11.so.0 → libxkbcommon-x11-0); these are the exceptions Qt can need.
PACKAGE_EXCEPTIONS = {
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgobject-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libgio-2.0.so.0": "libglib2.0-0",
}
_NOT_FOUND = re.compile(r"^\s*(\S+)\s+=>\s+not found", re.MULTILINE)


def intended_platform(environ=os.environ) -> str | None:
    """The platform plugin Qt will load: QT_QPA_PLATFORM, else the session's display.

    None on Linux when there is no display at all (Qt would abort trying xcb).
    """
    requested = environ.get("QT_QPA_PLATFORM", "").strip()
    if requested:  # "wayland;xcb" lists fallbacks; "xcb:option=value" adds options
        return requested.split(";")[0].split(":")[0].strip()
    wayland, x11 = environ.get("WAYLAND_DISPLAY"), environ.get("DISPLAY")
    if wayland and (environ.get("XDG_SESSION_TYPE") == "wayland" or not x11):
        return "wayland"
    if x11:
        return "xcb"
    return None


def plugin_dir(environ=os.environ) -> Path | None:
    """Where Qt looks for platform plugins: QT_QPA_PLATFORM_PLUGIN_PATH, else PySide6's own."""
    override = environ.get("QT_QPA_PLATFORM_PLUGIN_PATH", "").strip()
    if override:
        return Path(override)
    spec = importlib.util.find_spec("PySide6")  # finds the package without importing Qt
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0]) / "Qt" / "plugins" / "platforms"


def missing_libraries(library: Path) -> list[str]:
    """The sonames ``ldd`` reports "not found" for ``library`` and what it links, in order."""
    if shutil.which("ldd") is None:
        return []
    try:
        done = subprocess.run(["ldd", str(library)], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return []
    return list(dict.fromkeys(_NOT_FOUND.findall(done.stdout)))


def debian_package(soname: str) -> str:
    """libxcb-cursor.so.0 → libxcb-cursor0 (Debian's rule: a digit-ending name adds "-")."""
    if soname in PACKAGE_EXCEPTIONS:
        return PACKAGE_EXCEPTIONS[soname]
    name, _, version = soname.partition(".so.")
    version = version.split(".")[0]
    joiner = "-" if name[-1:].isdigit() else ""
    return f"{name}{joiner}{version}".lower().replace("_", "-")


def install_command(packages: list[str]) -> str:
    prefix = "" if os.geteuid() == 0 else "sudo "
    return f"{prefix}apt-get install {' '.join(dict.fromkeys(packages))}"


def platform_problem(environ=os.environ, directory: Path | None = None) -> str | None:
    """A sentence saying why Qt's platform plugin cannot load, or None if it can (or off Linux)."""
    if not sys.platform.startswith("linux"):
        return None
    platform = intended_platform(environ)
    if platform is None:
        return (
            "BertMask cannot open its window: there is no display (neither DISPLAY nor "
            "WAYLAND_DISPLAY is set); start it from a desktop session, or use --predict TEXT."
        )
    directory = directory or plugin_dir(environ)
    if directory is None or not directory.is_dir():
        return None  # not a layout we know: let Qt try
    plugin = directory / f"libq{platform}.so"
    if not plugin.is_file():
        known = sorted(p.name[4:-3] for p in directory.glob("libq*.so"))
        return (
            f"BertMask cannot open its window: Qt has no “{platform}” platform plugin; "
            f"set QT_QPA_PLATFORM to one of: {', '.join(known)}."
        )
    try:
        ctypes.CDLL(str(plugin))  # Qt loads the same file next: the libraries stay loaded
        return None
    except OSError as exc:
        return _missing_sentence(platform, plugin, exc)


def _missing_sentence(platform: str, plugin: Path, exc: OSError) -> str:
    missing = missing_libraries(plugin)
    if not missing:
        return (
            f"BertMask cannot open its window: Qt's “{platform}” platform plugin does not load "
            f"({str(exc).strip()[:200]}); reinstall BertMask."
        )
    names = ", ".join(missing)
    packages = [debian_package(soname) for soname in missing]
    how = (
        f"install {'it' if len(missing) == 1 else 'them'} with: {install_command(packages)}"
        if shutil.which("apt-get")
        else f"install the system {'package' if len(missing) == 1 else 'packages'} that "
        f"provide{'s' if len(missing) == 1 else ''} {'it' if len(missing) == 1 else 'them'}"
    )
    return (
        f"BertMask cannot open its window: Qt's “{platform}” platform plugin needs {names}, "
        f"which {'is' if len(missing) == 1 else 'are'} not installed; {how}"
    )


def missing_packages(environ=os.environ, platform: str | None = None) -> list[str]:
    """For setup: the Debian packages the intended platform plugin lacks (offscreen if none)."""
    platform = platform or intended_platform(environ) or "offscreen"
    directory = plugin_dir(environ)
    if directory is None or not (directory / f"libq{platform}.so").is_file():
        return []
    return list(dict.fromkeys(debian_package(s) for s in missing_libraries(directory / f"libq{platform}.so")))


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if "--packages" in args:
        print(" ".join(missing_packages()))
        return 0
    problem = platform_problem()
    if problem:
        print(problem, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
