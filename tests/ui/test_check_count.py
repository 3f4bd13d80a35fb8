"""The draft checker's count in the status bar and Tools ▸ Next word to check (F8): the
count follows every change of the flags; F8 or a click on the count goes to the next
flagged word (wrapping), selected, its fixes shown as a click on it shows them."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QToolButton

from bertmask_gui.ui.check_count import NOTHING_TO_CHECK, describe_flags
from bertmask_gui.ui.checker import tools_menu
from test_checker_ui import flagged, wait_flag
from test_writer_ui import press, select, set_text

TEXT = "we saw a hapy dog .\nthe cat was very bigg ."


def indicator(window) -> QToolButton:
    return window.statusBar().findChild(QToolButton, "checkCount")


def shown_count(window) -> str:
    """What the status bar says now ("" when the count is hidden)."""
    button = indicator(window)
    return "" if button.isHidden() else button.text()


def flag_both(qtbot, window, text=TEXT, words=("hapy", "bigg")) -> None:
    """The text's two misspellings flagged by the whole-document check; checking as you
    type is then turned off, so that an edited word is not flagged again behind the test."""
    set_text(window, text)
    window.checker.check_document()
    qtbot.waitUntil(lambda: window.checker.document_run is None, timeout=60000)
    assert set(flagged(window)) == set(words), window.statusBar().currentMessage()
    window.checker.as_you_type.setChecked(False)


def selected_word(window) -> str:
    return window.editor.textCursor().selectedText()


def close_menu(window) -> None:
    if window.checker.last_menu is not None:
        window.checker.last_menu.close()


def test_describe_flags():
    assert (describe_flags(1), describe_flags(2), describe_flags(1200)) == (
        "1 word to check", "2 words to check", "1,200 words to check")


def test_count_follows_the_check_an_edit_ignore_and_a_new_text(qtbot, window):
    assert shown_count(window) == ""  # nothing flagged: hidden
    flag_both(qtbot, window)
    assert shown_count(window) == "2 words to check"
    assert "Checked the document: 2 words" in window.statusBar().currentMessage()  # the message stays too
    assert indicator(window).isVisible() and indicator(window).width() > 0
    hapy = flagged(window)["hapy"]
    cursor = window.editor.textCursor()
    cursor.setPosition(hapy.cursor.selectionEnd())
    cursor.insertText("y")  # the flagged word edited: its flag goes
    assert set(flagged(window)) == {"bigg"} and shown_count(window) == "1 word to check"
    window.checker.ignore("bigg")
    assert shown_count(window) == "" and indicator(window).isHidden()
    window.checker.as_you_type.setChecked(True)
    qtbot.waitUntil(lambda: "hapyy" in flagged(window), timeout=30000)  # checked again as you type
    assert shown_count(window) == "1 word to check"
    window.documents.new()
    assert not flagged(window) and shown_count(window) == ""


def test_count_after_a_fix_and_add_to_dictionary(qtbot, window):
    # The dictionary outlives the test: a word of its own (the others' stay flagged).
    flag_both(qtbot, window, "we saw a hapy dog .\nthe smorvel went home .", ("hapy", "smorvel"))
    hapy = flagged(window)["hapy"]
    assert window.checker.apply_fix(hapy, 1)
    assert "hapy" not in window.editor.toPlainText() and shown_count(window) == "1 word to check"
    window.checker.add_to_dictionary("smorvel")
    assert shown_count(window) == ""


def test_next_goes_to_each_flag_in_turn_and_wraps(qtbot, window):
    flag_both(qtbot, window)
    select(window, 0, 0)
    window.activateWindow()  # the progress dialog had the focus (offscreen, nothing gives it back)
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    press(qtbot, window.editor, Qt.Key.Key_F8)  # Tools ▸ Next word to check
    assert selected_word(window) == "hapy"
    qtbot.waitUntil(lambda: window.checker.last_menu is not None and window.checker.last_menu.isVisible(), timeout=5000)
    first_menu = window.checker.last_menu
    assert first_menu.actions()[0].text().endswith(flagged(window)["hapy"].flag.suggestions[0].word)
    shown = window.session.shown.prediction.masks[0]
    assert shown.original == "hapy"  # its fixes in the suggestions list, as a click shows them
    first_menu.close()
    window.checker.next_action.trigger()
    assert selected_word(window) == "bigg"
    assert window.session.shown.prediction.masks[0].original == "bigg" and window.checker.last_menu.isVisible()
    assert first_menu.actions()[0].text().endswith(flagged(window)["bigg"].flag.suggestions[0].word)  # refilled
    close_menu(window)
    qtbot.mouseClick(indicator(window), Qt.MouseButton.LeftButton)  # the count, clicked: after the last, the first
    assert selected_word(window) == "hapy"
    close_menu(window)
    select(window, len("we saw a hapy "), len("we saw a hapy "))  # between the two: the next is bigg
    window.checker.next_flag()
    assert selected_word(window) == "bigg"
    close_menu(window)


def test_next_with_nothing_flagged_says_so(qtbot, window):
    set_text(window, "a quiet line .")
    select(window, 3, 3)
    assert window.checker.next_flag() is None
    assert window.statusBar().currentMessage() == NOTHING_TO_CHECK
    assert window.editor.textCursor().position() == 3 and not window.editor.textCursor().hasSelection()


def test_next_has_a_shortcut_of_its_own(qtbot, window):
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QLabel

    key = window.checker.next_action.shortcut()
    assert not key.isEmpty()
    others = [a for a in window.findChildren(QAction) if a is not window.checker.next_action]
    assert all(key not in a.shortcuts() for a in others)
    assert window.checker.next_action in tools_menu(window).actions()
    dialog = window.writer.show_shortcuts()  # Help ▸ Keyboard shortcuts names it
    qtbot.addWidget(dialog)
    table = dialog.findChild(QLabel, "shortcutsTable").text()
    assert f"<b>{key.toString()}</b>" in table and "<b>F7</b>" in table
    dialog.close()


def test_next_scrolls_to_a_flag_below_the_fold(qtbot, window):
    flag_both(qtbot, window, "we saw a hapy dog ." + "\n" * 150 + "the cat was very bigg .")
    select(window, 0, 0)
    editor = window.editor
    assert editor.verticalScrollBar().value() == 0
    window.checker.next_flag()
    window.checker.next_flag()
    close_menu(window)
    assert selected_word(window) == "bigg" and editor.verticalScrollBar().value() > 0
    assert editor.viewport().rect().contains(editor.cursorRect().center())
