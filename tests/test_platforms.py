"""What differs on Windows and macOS, simulated here (the real runs are release.yml's).

The checkout itself must survive a case-insensitive file system and Windows file names;
Windows-style model paths are folders, never Hub ids; a windowed frozen app on Windows
started by a double-click (no console to attach to) still has working streams; the
macOS .app finds its bundled model beside its executable.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from conftest import ROOT

WINDOWS_RESERVED = re.compile(r"^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$", re.IGNORECASE)


def tracked_files() -> list[str]:
    done = subprocess.run(["git", "ls-files"], capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        pytest.skip("not a git checkout")
    return done.stdout.splitlines()


def test_no_two_tracked_paths_differ_only_by_case():
    """macOS and Windows file systems are case-insensitive: one of the two would be lost."""
    seen: dict[str, str] = {}
    for path in tracked_files():
        other = seen.setdefault(path.lower(), path)
        assert other == path, f"{other} and {path} collide on a case-insensitive file system"


def test_tracked_file_names_are_valid_on_windows():
    for path in tracked_files():
        for part in path.split("/"):
            assert not re.search(r'[<>:"|?*\\]', part), path
            assert not part.endswith((" ", ".")), path
            assert not WINDOWS_RESERVED.match(part), path


@pytest.mark.parametrize("name", [r"C:\models\bert-base-uncased", "C:/models/bert-base-uncased",
                                  r"\\server\share\bert", r"models\bert", "D:bert"])
def test_windows_model_paths_are_folders_not_hub_ids(name):
    from bertmask_gui.engine.models import looks_like_path

    assert looks_like_path(name)


def test_double_clicked_windows_app_without_a_console_still_has_streams(monkeypatch):
    """Windows, windowed, no parent console: AttachConsole is unavailable or fails; the app
    must still print (argparse, --help) without crashing."""
    from bertmask_gui import frozen

    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(sys, "stdout", None)
    monkeypatch.setattr(sys, "stderr", None)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # the user's: left alone
    frozen.prepare_frozen_runtime()  # ctypes.windll does not exist here: as if attaching failed
    print("no console, no crash")
    print("nor on stderr", file=sys.stderr)


def test_macos_app_finds_its_bundled_model_beside_the_executable(tmp_path, monkeypatch):
    """BertMask.app/Contents/MacOS/BertMask: build.py copies models to Contents/MacOS/models."""
    from bertmask_gui.engine.models import bundled_models_dirs

    macos = tmp_path / "BertMask.app" / "Contents" / "MacOS"
    macos.mkdir(parents=True)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(macos / "BertMask"))
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path / "BertMask.app" / "Contents" / "Frameworks"), raising=False)
    assert bundled_models_dirs()[0] == macos / "models"


@pytest.mark.skipif(sys.platform == "win32", reason="symbolic links need privileges on Windows")
def test_installed_linux_command_is_a_link_and_the_app_resolves_it(tmp_path, monkeypatch):
    """/usr/bin/bertmask → /opt/bertmask/BertMask: the bundled models are found from the link."""
    from bertmask_gui.engine.models import bundled_models_dirs

    app = tmp_path / "opt" / "bertmask"
    app.mkdir(parents=True)
    (app / "BertMask").write_text("")
    link = tmp_path / "bertmask"
    link.symlink_to(app / "BertMask")
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(link))
    assert bundled_models_dirs()[0] == app.resolve() / "models"


def test_a_file_the_desktop_opens_in_the_running_app_reaches_the_editor(qtbot, tmp_path):
    """macOS: Finder's "Open with BertMask" is a QFileOpenEvent, not an argument."""
    from PySide6.QtGui import QFileOpenEvent
    from PySide6.QtWidgets import QApplication, QWidget

    from bertmask_gui.ui.file_open import open_files_from_the_desktop

    class Window(QWidget):
        opened: list[str] = []

        def load_text_file(self, path):
            self.opened.append(path)
            return True

    window = Window()
    qtbot.addWidget(window)
    note = tmp_path / "note.md"
    note.write_text("# A [MASK] note\n", encoding="utf-8")
    open_files_from_the_desktop(QApplication.instance(), window)
    QApplication.sendEvent(QApplication.instance(), QFileOpenEvent(str(note)))
    assert window.opened == [str(note)]
