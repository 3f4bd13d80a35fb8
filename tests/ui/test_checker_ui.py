"""Issue 19 in the window: a flagged word, its fix first, one undo step, Ignore,
Add to dictionary (remembered, editable in Preferences), the whole-document check."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QPushButton

from bertmask_gui.lexicon.user_dictionary import UserDictionary
from bertmask_gui.ui.candidates import CANDIDATE_ROLE
from bertmask_gui.ui.checker import tooltip
from bertmask_gui.ui.dictionary_dialog import DictionaryDialog
from test_writer_ui import press, set_text, wait_rows


def flagged(window) -> dict[str, object]:
    return {m.flag.word: m for m in window.checker.marked}


def wait_flag(qtbot, window, word: str):
    qtbot.waitUntil(lambda: word in flagged(window), timeout=30000)
    return flagged(window)[word]


def click_word(qtbot, window, marked) -> None:
    cursor = QTextCursor(marked.cursor)
    cursor.setPosition(marked.cursor.selectionStart() + 1)
    qtbot.mouseClick(window.editor.viewport(), Qt.MouseButton.LeftButton, pos=window.editor.cursorRect(cursor).center())


def test_flag_click_fix_first_alt1_applies_as_one_undo_step(qtbot, window):
    text = "we saw a hapy dog ."
    set_text(window, text)
    marked = wait_flag(qtbot, window, "hapy")
    flag = marked.flag
    assert str(flag.kind) == "spelling" and flag.suggestions
    fix = flag.suggestions[0].word
    underline = [s for s in window.editor.extraSelections()
                 if s.format.underlineStyle() == QTextCharFormat.UnderlineStyle.SpellCheckUnderline]
    assert [(s.cursor.selectionStart(), s.cursor.selectionEnd()) for s in underline] == [(9, 13)]
    assert f"“{fix}”" in tooltip(flag) and underline[0].format.toolTip() == tooltip(flag)
    click_word(qtbot, window, marked)
    qtbot.waitUntil(lambda: window.checker.last_menu is not None and window.checker.last_menu.isVisible(), timeout=5000)
    menu = [a.text() for a in window.checker.last_menu.actions()]
    assert menu[0] == f"&1  {fix}" and "&Ignore" in menu and any("dictionary" in m for m in menu)
    window.checker.last_menu.close()
    listed = wait_rows(qtbot, window)
    assert listed[0].data(CANDIDATE_ROLE).token == fix  # the fix first in the list
    press(qtbot, window.editor, Qt.Key.Key_1, Qt.KeyboardModifier.AltModifier)
    assert window.editor.toPlainText() == f"we saw a {fix} dog ."
    assert "hapy" not in flagged(window)  # its word changed: the flag goes
    window.editor.undo()
    assert window.editor.toPlainText() == text  # one Ctrl+Z


def test_ignore_and_add_to_dictionary(qtbot, window):
    set_text(window, "the blorf and the zindle went home .")
    wait_flag(qtbot, window, "blorf")
    marked = wait_flag(qtbot, window, "zindle")
    menu = window.checker.open_flag(flagged(window)["blorf"])
    next(a for a in menu.actions() if a.text() == "&Ignore").trigger()
    assert "blorf" not in flagged(window)
    window.checker.add_to_dictionary(marked.flag.word)
    assert "zindle" not in flagged(window) and "zindle" in UserDictionary()
    window.editor.textCursor().insertText("x")  # type: checked again after the pause
    window.editor.undo()
    window.checker.check_paragraph()
    qtbot.waitUntil(lambda: not window.checker.pause.isActive(), timeout=10000)
    qtbot.wait(300)
    assert "blorf" not in flagged(window) and "zindle" not in flagged(window)
    dialog = DictionaryDialog(window)
    assert "zindle" in dialog.words.toPlainText().split()
    dialog.words.setPlainText("zindle\nQuorf")
    dialog.accept()
    assert UserDictionary().words == ("zindle", "Quorf")


def test_whole_document_check_with_progress(qtbot, window):
    text = "we saw a hapy dog .\n\nthe cat was very bigg .\nno errors here ."
    set_text(window, text)
    window.checker.as_you_type.setChecked(False)
    try:
        window.checker.check_document()
        assert window.checker.progress is not None and window.checker.progress.maximum() == 3
        qtbot.waitUntil(lambda: window.checker.document_run is None, timeout=60000)
        assert {"hapy", "bigg"} <= set(flagged(window))
        assert "Checked the document" in window.statusBar().currentMessage()
        window.checker.check_document()
        cancel = window.checker.progress.findChild(QPushButton)
        qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)  # Cancel stops it
        assert window.checker.document_run is None and "cancelled" in window.statusBar().currentMessage()
    finally:
        window.checker.as_you_type.setChecked(True)


def test_unusual_words_are_a_quieter_mark_off_by_default(window):
    from bertmask_gui.ui import checker, explore

    assert not window.explore.action.isChecked()
    assert explore.UNDERLINE != checker.ERROR
    # its dotted style: tests/ui/test_explore_ui.py (test_unusual_words_underlined_then_abandoned_on_typing)
