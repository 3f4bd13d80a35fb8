"""Documents: UTF-8 files, atomic saves, the title, unsaved-changes prompts, autosave
and recovery after a crash (a real killed process)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from bertmask_gui.docfiles import Autosave, DocumentError, read_text, save_atomic

from conftest import ROOT


# ------------------------------------------------------------ files (no Qt)
def test_read_keeps_the_exact_text(tmp_path):
    path = tmp_path / "a.md"
    path.write_bytes("# Títle\r\nline 😀\n".encode("utf-8"))
    assert read_text(path) == "# Títle\r\nline 😀\n"


def test_non_utf8_is_reported_and_never_overwritten(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("caf\xe9".encode("latin-1"))
    with pytest.raises(DocumentError, match="not UTF-8"):
        read_text(path)
    with pytest.raises(DocumentError, match="does not overwrite"):
        save_atomic(path, "new text")
    assert path.read_bytes() == "caf\xe9".encode("latin-1")


def test_missing_file_is_a_sentence(tmp_path):
    with pytest.raises(DocumentError, match="does not exist"):
        read_text(tmp_path / "gone.txt")


def test_save_is_atomic_and_leaves_no_temp_files(tmp_path):
    path = tmp_path / "draft.txt"
    save_atomic(path, "first")
    save_atomic(path, "second ✓\r\n")
    assert path.read_bytes() == "second ✓\r\n".encode("utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["draft.txt"]


def test_a_failed_save_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "draft.txt"
    save_atomic(path, "old text")

    def crash(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(DocumentError, match="No space left"):
        save_atomic(path, "new text")
    assert path.read_text(encoding="utf-8") == "old text"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["draft.txt"]


def test_saving_into_a_missing_folder_is_a_sentence(tmp_path):
    with pytest.raises(DocumentError, match="could not be saved"):
        save_atomic(tmp_path / "no" / "such" / "x.txt", "text")


def test_autosave_orphans(tmp_path):
    mine, dead, alive = (Autosave(tmp_path, s) for s in ("me", "dead", "alive"))
    for a, text in ((mine, "mine"), (dead, "lost text\n"), (alive, "other window")):
        a.write(text, None)
    found = mine.orphans(lambda session: session == "alive")
    assert [r.text for r in found] == ["lost text\n"]
    Autosave.discard(found[0])
    assert mine.orphans(lambda s: s == "alive") == []
    (tmp_path / "broken.json").write_text("{not json")
    assert mine.orphans(lambda s: s == "alive") == []  # damaged files are skipped
    mine.clear()
    assert not mine.file.exists()


# ------------------------------------------------------------- in the window
@pytest.fixture
def window(qtbot, qt_app_identity, tiny_bert):
    from bertmask_gui.app import create_window

    w = create_window(model=str(tiny_bert), device="cpu")
    qtbot.addWidget(w)
    w.show()
    yield w
    w.close()


def type_into(qtbot, window, text):
    window.editor.setFocus()
    qtbot.keyClicks(window.editor, text)


def answer(monkeypatch, reply):
    from bertmask_gui.ui import documents

    asked = []
    monkeypatch.setattr(documents, "ask_unsaved_changes", lambda parent, name: asked.append(name) or reply)
    return asked


def test_title_shows_name_and_modified_marker(qtbot, window, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    assert window.windowTitle().startswith("Untitled[*]") and not window.isWindowModified()
    type_into(qtbot, window, "Hello")
    assert window.isWindowModified()
    target = tmp_path / "story"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    assert window.documents.save()
    assert (tmp_path / "story.txt").read_text(encoding="utf-8") == "Hello"
    assert window.windowTitle().startswith("story.txt[*]") and not window.isWindowModified()
    type_into(qtbot, window, "!")
    assert window.isWindowModified()
    window.documents.save_action.trigger()  # has a name now: no dialog
    assert (tmp_path / "story.txt").read_text(encoding="utf-8") == "Hello!"


def test_new_asks_about_unsaved_changes(qtbot, window, monkeypatch):
    type_into(qtbot, window, "precious words")
    asked = answer(monkeypatch, "cancel")
    window.documents.new_action.trigger()
    assert asked == ["Untitled"] and window.editor.toPlainText() == "precious words"
    answer(monkeypatch, "discard")
    window.documents.new_action.trigger()
    assert window.editor.toPlainText() == "" and not window.isWindowModified()


def test_open_asks_then_opens_and_remembers(qtbot, window, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    path = tmp_path / "notes.md"
    path.write_text("# Notes\n[MASK] here", encoding="utf-8")
    type_into(qtbot, window, "unsaved")
    asked = answer(monkeypatch, "cancel")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    window.menus.open_text.trigger()
    assert asked and window.editor.toPlainText() == "unsaved"
    answer(monkeypatch, "discard")
    window.menus.open_text.trigger()
    assert window.editor.toPlainText() == "# Notes\n[MASK] here"
    assert window.windowTitle().startswith("notes.md")
    assert window.documents.recent_files()[0] == str(path.resolve())
    window.documents.recent_menu.aboutToShow.emit()
    assert any("notes.md" in a.text() for a in window.documents.recent_menu.actions())


def test_open_non_utf8_keeps_the_text(qtbot, window, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    warned = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: warned.append(text))
    path = tmp_path / "latin1.txt"
    path.write_bytes(b"caf\xe9")
    window.editor.setPlainText("mine")
    assert window.documents.open_path(path) is False
    assert window.editor.toPlainText() == "mine"
    assert "not UTF-8" in window.statusBar().currentMessage() and "not UTF-8" in warned[0]


def test_close_with_unsaved_changes_can_be_cancelled_or_saved(qtbot, window, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    type_into(qtbot, window, "keep me")
    answer(monkeypatch, "cancel")
    window.close()
    assert window.isVisible() and window.editor.toPlainText() == "keep me"
    answer(monkeypatch, "save")
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(tmp_path / "kept.txt"), ""))
    window.close()
    assert not window.isVisible()
    assert (tmp_path / "kept.txt").read_text(encoding="utf-8") == "keep me"


def test_autosave_writes_and_is_cleared_on_save(qtbot, window, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    from bertmask_gui.ui.documents import AUTOSAVE_MS

    assert AUTOSAVE_MS == 30_000
    type_into(qtbot, window, "draft")
    assert window.documents.autosave_timer.isActive()  # armed by the first unsaved change
    window.documents.autosave_now()
    file = window.documents.autosave.file
    assert file.exists() and '"draft"' in file.read_text(encoding="utf-8")
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(tmp_path / "d.txt"), ""))
    window.documents.save()
    assert not file.exists()


def test_recovery_after_a_crash(qtbot, tiny_bert, relaunch_after_crash):
    """A real process autosaves, then dies without closing; the next launch restores."""
    text = "Chapter 1\n\n\tIt was a [MASK] night. 😀  Two  spaces.  \n"
    code = textwrap.dedent(
        f"""
        import os
        from bertmask_gui.app import create_window
        w = create_window(model="not-loaded")
        w.editor.setPlainText("")
        w.editor.insertPlainText({text!r})
        w.documents.autosave_now()
        print(w.documents.autosave.file)
        os._exit(3)  # a crash: no close, no cleanup
        """
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)
    assert done.returncode == 3, done.stderr
    left = Path(done.stdout.strip().splitlines()[-1])
    assert left.exists()

    from bertmask_gui.app import create_window

    window, offered = relaunch_after_crash()
    assert window.editor.toPlainText() == text  # the exact text
    assert window.isWindowModified()  # restored, not yet saved
    assert not left.exists()  # offered once
    window.close()
    # Closed normally: nothing is offered next time.
    offered.clear()
    again = create_window(model=str(tiny_bert), device="cpu")
    qtbot.addWidget(again)
    again.show()
    qtbot.waitUntil(lambda: again.worker_thread.thread.isRunning(), timeout=10000)
    assert again.documents.offer_recovery() is False and not offered
    again.close()


def test_crlf_files_keep_their_line_endings(qtbot, window, tmp_path):
    path = tmp_path / "windows.txt"
    path.write_bytes(b"one\r\ntwo\r\n")
    assert window.documents.open_path(path)
    type_into(qtbot, window, "zero ")
    window.documents.save()
    assert path.read_bytes() == b"zero one\r\ntwo\r\n"


def test_a_running_window_is_not_taken_for_a_crash(qtbot, window, tiny_bert):
    """Two windows at once: the second never offers (or deletes) the first one's autosave."""
    from bertmask_gui.app import create_window

    type_into(qtbot, window, "still being written")
    window.documents.autosave_now()
    assert window.documents.session_lock.isLocked()
    other = create_window(model=str(tiny_bert), device="cpu")
    qtbot.addWidget(other)
    assert other.documents.autosave.orphans(other.documents.session_alive) == []
    assert window.documents.autosave.file.exists()
    other.close()
