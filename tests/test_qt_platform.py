"""The platform-plugin check: a missing system library is a sentence, never Qt's abort.

A real copy of PySide6's xcb plugin, with one of the libraries it needs renamed to one
that exists nowhere, stands in for a desktop without libxcb-cursor0: the same dlopen
and ``ldd`` the app runs, no root and no display needed.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from bertmask_gui.qt_platform import debian_package, intended_platform, missing_libraries, platform_problem

ROOT = Path(__file__).resolve().parent.parent
linux_only = pytest.mark.skipif(not sys.platform.startswith("linux") or not shutil.which("ldd"), reason="Linux + ldd")


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"DISPLAY": ":0"}, "xcb"),
        ({"WAYLAND_DISPLAY": "wayland-0"}, "wayland"),
        ({"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"}, "xcb"),  # XWayland, not a Wayland session
        ({"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0", "XDG_SESSION_TYPE": "wayland"}, "wayland"),
        ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "offscreen"}, "offscreen"),
        ({"QT_QPA_PLATFORM": "wayland;xcb"}, "wayland"),
        ({"QT_QPA_PLATFORM": "xcb:nograb"}, "xcb"),
        ({}, None),
    ],
)
def test_the_intended_platform_follows_qt_qpa_platform_then_the_session(environ, expected):
    assert intended_platform(environ) == expected


@pytest.mark.parametrize(
    ("soname", "package"),
    [
        ("libxcb-cursor.so.0", "libxcb-cursor0"),
        ("libxcb-icccm.so.4", "libxcb-icccm4"),
        ("libxkbcommon-x11.so.0", "libxkbcommon-x11-0"),
        ("libX11-xcb.so.1", "libx11-xcb1"),
        ("libdbus-1.so.3", "libdbus-1-3"),
        ("libEGL.so.1", "libegl1"),
        ("libglib-2.0.so.0", "libglib2.0-0"),
    ],
)
def test_sonames_map_to_debian_packages(soname, package):
    assert debian_package(soname) == package


@pytest.fixture
def broken_xcb_plugin(tmp_path) -> Path:
    """PySide6's libqxcb.so needing libxcb-nosuch.so.0 (same length as libxcb-cursor.so.0)."""
    qt = Path(pytest.importorskip("PySide6").__file__).parent / "Qt"
    real = (qt / "plugins" / "platforms" / "libqxcb.so").read_bytes()
    assert b"libxcb-cursor.so.0\0" in real
    platforms = tmp_path / "plugins" / "platforms"
    platforms.mkdir(parents=True)
    (platforms / "libqxcb.so").write_bytes(real.replace(b"libxcb-cursor.so.0\0", b"libxcb-nosuch.so.0\0"))
    (tmp_path / "lib").symlink_to(qt / "lib")  # the plugin's RUNPATH: $ORIGIN/../../lib
    return platforms


def missing_here() -> list[str]:
    """The libraries the broken plugin lacks on this machine: libxcb-nosuch.so.0, then any
    xcb library the real plugin lacks too (a headless machine has only what offscreen needs)."""
    real = Path(pytest.importorskip("PySide6").__file__).parent / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    also = [name for name in missing_libraries(real) if name != "libxcb-cursor.so.0"]
    return ["libxcb-nosuch.so.0", *also]


@linux_only
def test_ldd_names_the_missing_library(broken_xcb_plugin):
    found = missing_libraries(broken_xcb_plugin / "libqxcb.so")
    assert found[0] == "libxcb-nosuch.so.0"
    assert sorted(found) == sorted(missing_here())


@linux_only
def test_a_missing_library_is_one_sentence_with_the_install_command(broken_xcb_plugin):
    sentence = platform_problem({"DISPLAY": ":0"}, broken_xcb_plugin)
    assert sentence.startswith("BertMask cannot open its window: Qt's “xcb” platform plugin needs libxcb-nosuch.so.0")
    if shutil.which("apt-get"):
        packages = " ".join(debian_package(name) for name in missing_libraries(broken_xcb_plugin / "libqxcb.so"))
        assert sentence.endswith(f"apt-get install {packages}") and "libxcb-nosuch0" in packages
    assert sentence.count(". ") == 0 and "\n" not in sentence


@linux_only
def test_a_loadable_plugin_and_the_offscreen_platform_pass():
    assert platform_problem({"QT_QPA_PLATFORM": "offscreen"}) is None


@linux_only
def test_an_unknown_platform_and_no_display_are_sentences(tmp_path):
    unknown = platform_problem({"QT_QPA_PLATFORM": "nosuch"})
    assert "no “nosuch” platform plugin" in unknown and "offscreen" in unknown
    assert "there is no display" in platform_problem({})


@linux_only
def test_the_app_exits_with_the_sentence_instead_of_aborting(broken_xcb_plugin, tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "xcb", "DISPLAY": ":0", "QT_QPA_PLATFORM_PLUGIN_PATH": str(broken_xcb_plugin)}
    done = subprocess.run(
        [sys.executable, "-m", "bertmask_gui", "--model", str(tmp_path / "unused")],
        capture_output=True, text=True, timeout=120, env=env, cwd=ROOT,
    )
    assert done.returncode == 1, done.stderr
    only_one = len(missing_here()) == 1
    assert ("needs libxcb-nosuch.so.0, which is not installed" in done.stderr) if only_one else (
        "needs libxcb-nosuch.so.0, " in done.stderr and "which are not installed" in done.stderr
    )
    assert "could not load the Qt platform plugin" not in done.stderr


def fake_program(folder: Path, name: str, body: str) -> None:
    path = folder / name
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


@pytest.mark.skipif(not shutil.which("bash"), reason="bash")
def test_setup_prints_the_install_command_when_not_root(tmp_path):
    """ensure-qt-libs.sh: the check's packages, and the apt-get line to run as root."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    # A Python whose platform check lacks libxcb-cursor0; its QApplication starts.
    fake_program(bin_dir, "fake-python", 'case "$*" in *--packages*) echo libxcb-cursor0;; esac; exit 0')
    fake_program(bin_dir, "id", "echo 1000")
    fake_program(bin_dir, "apt-get", "echo apt-get must not run >&2; exit 9")
    done = subprocess.run(
        ["bash", str(ROOT / "packaging" / "ensure-qt-libs.sh"), str(bin_dir / "fake-python")],
        capture_output=True, text=True, timeout=60, env={**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"},
    )
    assert done.returncode == 1
    assert "Run as root (or with sudo): apt-get install libxcb-cursor0" in done.stderr
    assert "must not run" not in done.stderr
