"""The editor a writer expects (issue 20): find, replace, zoom, readable column, font,
word count, drop a file, the start-up dialog, status messages that do not go stale."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QAction, QDragEnterEvent, QDropEvent, QFont, QTextCursor
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QMessageBox

from bertmask_gui.ui import documents, settings
from bertmask_gui.ui.settings import Key

LONG_WORDS = 100_000


@pytest.fixture
def desk(window_for, tiny_bert):
    """The window, shown; tests here do not wait for the model."""

    def make(**kwargs):
        window = window_for(tiny_bert, **kwargs)
        window.resize(1200, 700)
        return window

    return make


def action(window, name: str) -> QAction:
    found = window.findChild(QAction, name)
    assert found is not None, name
    return found


def selected(editor) -> tuple[int, int, str]:
    cursor = editor.textCursor()
    return cursor.selectionStart(), cursor.selectionEnd(), cursor.selectedText()


# ----------------------------------------------------------------------- find
def test_find_next_previous_match_case_and_whole_words(qtbot, desk):
    window = desk()
    editor = window.editor
    editor.setPlainText("The cat sat. A Cat ran to the category.")
    action(window, "find").trigger()
    field = window.findChild(QLineEdit, "find_text")
    assert field.isVisible() and window.focusWidget() is field
    field.setText("cat")
    qtbot.keyClick(field, Qt.Key.Key_Return)  # Enter: the next match
    assert selected(editor) == (4, 7, "cat")
    action(window, "find_next").trigger()  # F3
    assert selected(editor)[2] == "Cat"
    action(window, "find_next").trigger()
    assert selected(editor)[:2] == (30, 33)  # in "category"
    action(window, "find_previous").trigger()  # Shift+F3
    assert selected(editor)[2] == "Cat"

    window.find.bar.whole_words.setChecked(True)
    action(window, "find_next").trigger()
    assert selected(editor) == (4, 7, "cat")  # "category" skipped, wrapped around
    window.find.bar.match_case.setChecked(True)
    action(window, "find_next").trigger()
    assert selected(editor) == (4, 7, "cat")  # the only lower-case whole word

    field.setText("dog")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert "not in the text" in window.find.bar.result.text()
    qtbot.keyClick(field, Qt.Key.Key_Escape)
    assert not window.find.bar.isVisible()


def test_find_keys_are_in_the_edit_menu(desk):
    window = desk()
    keys = {name: action(window, name).shortcut().toString() for name in ("find", "find_next", "find_previous", "replace")}
    assert keys == {"find": "Ctrl+F", "find_next": "F3", "find_previous": "Shift+F3", "replace": "Ctrl+H"}
    edit = window.menus.edit.actions()
    for name in ("undo", "redo", "cut", "copy", "paste", "selectall", "find", "replace", "replace_all"):
        assert action(window, name) in edit, name


def test_replace_all_is_one_undo_step(qtbot, desk):
    window = desk()
    editor = window.editor
    original = "A nice day, a nice walk; NICE, nicer."
    editor.setPlainText(original)
    action(window, "replace").trigger()
    replace_field = window.findChild(QLineEdit, "replace_text")
    assert replace_field.isVisible()
    window.findChild(QLineEdit, "find_text").setText("nice")
    replace_field.setText("fine")
    window.find.bar.whole_words.setChecked(True)
    action(window, "replace_all").trigger()
    assert editor.toPlainText() == "A fine day, a fine walk; fine, nicer."
    assert "3" in window.find.bar.result.text()
    editor.undo()
    assert editor.toPlainText() == original  # one Ctrl+Z undoes them all
    editor.redo()
    assert editor.toPlainText() == "A fine day, a fine walk; fine, nicer."


def test_replace_changes_the_match_and_moves_on(qtbot, desk):
    window = desk()
    editor = window.editor
    editor.setPlainText("red, red, red")
    action(window, "replace").trigger()
    window.findChild(QLineEdit, "find_text").setText("red")
    window.findChild(QLineEdit, "replace_text").setText("blue")
    window.find.bar.find_next()
    window.find.bar.replace()
    assert editor.toPlainText() == "blue, red, red"
    assert selected(editor) == (6, 9, "red")  # the next match, ready for the next Replace
    qtbot.keyClick(window.findChild(QLineEdit, "replace_text"), Qt.Key.Key_Return)  # Enter there: Replace
    assert editor.toPlainText() == "blue, blue, red"


# ----------------------------------------------------------------------- view
def test_zoom_in_out_reset_is_remembered(qtbot, desk):
    window = desk()
    size = window.editor.font().pointSizeF()
    action(window, "zoom_in").trigger()
    action(window, "zoom_in").trigger()
    bigger = window.editor.font().pointSizeF()
    assert bigger > size
    assert [action(window, n).shortcut().toString() for n in ("zoom_out", "zoom_reset")] == ["Ctrl+-", "Ctrl+0"]
    assert "Ctrl+=" in [k.toString() for k in action(window, "zoom_in").shortcuts()]
    window.close()
    again = desk()
    assert again.editor.font().pointSizeF() == pytest.approx(bigger)  # remembered
    action(again, "zoom_out").trigger()
    assert again.editor.font().pointSizeF() < bigger
    action(again, "zoom_reset").trigger()
    assert again.editor.font().pointSizeF() == pytest.approx(size)


def test_readable_column_centres_the_text_in_a_wide_window(qtbot, desk):
    window = desk()
    editor = window.editor
    window.panel.hide()  # the offscreen screen is small: the editor gets the whole width
    for _ in range(6):  # and a small font, so a 70-character column fits with room to spare
        action(window, "zoom_out").trigger()
    qtbot.waitUntil(lambda: editor.viewport().width() > 600)
    width = editor.viewport().width()
    assert editor.viewport().x() <= 2
    action(window, "readable_column").trigger()
    assert settings.switch(Key.READABLE_COLUMN)
    margin = window.view.column_margin()
    assert margin > 20, (width, editor.fontMetrics().horizontalAdvance("n" * 70))
    qtbot.waitUntil(lambda: abs(editor.viewport().x() - margin) <= 2)
    chars = editor.viewport().width() / editor.fontMetrics().horizontalAdvance("n")
    assert 60 <= chars <= 80
    action(window, "readable_column").trigger()
    qtbot.waitUntil(lambda: editor.viewport().x() <= 2)


def test_font_from_preferences_is_applied_at_once_and_kept(qtbot, desk):
    from bertmask_gui.ui.preferences import PreferencesDialog, apply_preferences

    window = desk()
    dialog = PreferencesDialog(window.model_name, window)
    family = QFont("Monospace").family()
    dialog.font_rows.family.setCurrentFont(QFont(family))
    dialog.font_rows.size.setValue(21)
    dialog.accept()
    apply_preferences(window, reload_model=False)
    font = window.editor.font()
    assert font.pointSizeF() == pytest.approx(21) and font.family() == dialog.font_rows.family.currentFont().family()
    window.close()
    assert desk().editor.font().pointSizeF() == pytest.approx(21)


# ----------------------------------------------------------------- word count
def test_word_count_with_and_without_a_selection_in_a_long_text(qtbot, desk):
    window = desk()
    label = window.findChild(QLabel, "word_count")
    editor = window.editor
    editor.setPlainText("\n\n".join(" ".join(["word"] * 100) for _ in range(LONG_WORDS // 100)))
    qtbot.waitUntil(lambda: label.text() == "100,000 words", timeout=5000)
    cursor = editor.textCursor()
    cursor.setPosition(0)
    cursor.movePosition(QTextCursor.MoveOperation.NextWord, QTextCursor.MoveMode.KeepAnchor, 14)
    editor.setTextCursor(cursor)
    qtbot.waitUntil(lambda: label.text() == "14 of 100,000 words", timeout=5000)
    cursor.movePosition(QTextCursor.MoveOperation.End)
    editor.setTextCursor(cursor)

    counted = window.word_count.counts
    editor.setFocus()
    qtbot.keyClicks(editor, " one two")  # typing only restarts a timer: no recount per key
    assert window.word_count.counts == counted
    qtbot.waitUntil(lambda: label.text() == "100,002 words", timeout=5000)
    assert window.word_count.counts == counted + 1


def test_word_count_of_a_short_text(qtbot, desk):
    window = desk()
    label = window.findChild(QLabel, "word_count")
    window.editor.setPlainText("One")
    qtbot.waitUntil(lambda: label.text() == "1 word", timeout=5000)


# ----------------------------------------------------------------------- drop
def drop(editor, path) -> None:
    """What Qt does at the end of a drag from a file manager (a drag cannot be simulated
    offscreen: the event handlers are called as Qt calls them)."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    mime.setText(str(path))
    args = (QPointF(QPoint(10, 10)), Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)
    enter = QDragEnterEvent(QPoint(10, 10), *args[1:])
    editor.dragEnterEvent(enter)
    assert enter.isAccepted()
    editor.dropEvent(QDropEvent(*args))


def test_dropping_a_text_file_opens_it_after_the_unsaved_question(qtbot, desk, tmp_path, monkeypatch):
    window = desk()
    editor = window.editor
    page = tmp_path / "chapter.md"
    page.write_text("# Chapter one\n\nIt was a dark night.", encoding="utf-8")
    editor.setPlainText("my unsaved draft")
    editor.document().setModified(True)
    asked = []
    monkeypatch.setattr(documents, "ask_unsaved_changes", lambda parent, name: asked.append(name) or documents.CANCEL)
    drop(editor, page)
    qtbot.waitUntil(lambda: bool(asked), timeout=5000)
    assert editor.toPlainText() == "my unsaved draft"  # Cancel: nothing lost, no path pasted

    monkeypatch.setattr(documents, "ask_unsaved_changes", lambda parent, name: asked.append(name) or documents.DISCARD)
    drop(editor, page)
    qtbot.waitUntil(lambda: editor.toPlainText() == page.read_text(encoding="utf-8"), timeout=5000)
    assert window.documents.path == page and len(asked) == 2


def test_dropping_another_kind_of_file_does_not_open_it(qtbot, desk, tmp_path):
    from bertmask_gui.ui.filedrop import dropped_file

    picture = tmp_path / "photo.png"
    picture.write_bytes(b"\x89PNG")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(picture))])
    assert dropped_file(mime) is None
    mime.setUrls([QUrl.fromLocalFile(str(picture)), QUrl.fromLocalFile(str(tmp_path / "notes.TXT"))])
    assert dropped_file(mime) == tmp_path / "notes.TXT"


# -------------------------------------------------------------- start-up file
def test_a_start_up_file_that_cannot_be_read_is_said_in_a_dialog(qtbot, desk, tmp_path, monkeypatch):
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("caf\xe9 au lait".encode("latin-1"))
    warned = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: warned.append(text))
    window = desk(file=str(bad))
    qtbot.waitUntil(lambda: len(warned) == 1, timeout=5000)
    assert "latin1.txt" in warned[0] and window.isVisible()
    assert window.startup_warnings == []


# ------------------------------------------------------------- status message
def test_looking_for_alternatives_is_cleared_when_the_list_comes(qtbot, window):
    window.editor.setPlainText("I really like the movie.")
    start = window.editor.toPlainText().index("like")
    assert window.session.predict_span(start, start + 4)
    assert window.statusBar().currentMessage().startswith("Looking for alternatives")
    qtbot.waitUntil(lambda: not window.session.looking, timeout=30000)
    assert not window.statusBar().currentMessage().startswith("Looking")
