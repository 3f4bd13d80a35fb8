"""The checker's fix menu and the suggestions list around it: one menu lives at a time,
and after Ignore or Add to dictionary the ignored word's fixes are no longer offered."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

from bertmask_gui.ui.candidates import CANDIDATE_ROLE
from test_checker_ui import flagged, wait_flag
from test_writer_ui import press, set_text, wait_rows


def fix_menus(window) -> list[QMenu]:
    return window.findChildren(QMenu, "checkerMenu")


def fixes_listed(window) -> int:
    return window.candidates.model().rowCount()


def test_fix_menus_do_not_pile_up(qtbot, window):
    set_text(window, "the blorf and a hapy dog .")
    blorf = wait_flag(qtbot, window, "blorf")
    marked = wait_flag(qtbot, window, "hapy")
    for _ in range(4):
        window.checker.open_flag(marked)  # opened again while open (F8 twice, two clicks)
    for _ in range(3):
        window.checker.open_flag(blorf).close()  # closed each time (Escape, a click elsewhere)
    menu = window.checker.open_flag(marked)
    assert fix_menus(window) == [menu] and window.checker.last_menu is menu
    wanted = [f"&{n}  {s.word}" for n, s in enumerate(marked.flag.suggestions[:9], start=1)]
    assert [a.text() for a in menu.actions()] == [*wanted, "", "&Ignore", "&Add “hapy” to dictionary"]  # this flag's only
    own = 1  # the menu's own menuAction
    qtbot.waitUntil(lambda: len(menu.findChildren(QAction)) == len(menu.actions()) + own, timeout=3000)  # the old ones go
    qtbot.wait(100)
    assert menu.isVisible()  # still open: nothing closed it behind the writer's back
    menu.close()


def test_a_fix_chosen_in_the_menu_still_applies_then_the_menu_goes(qtbot, window):
    text = "we saw a hapy dog ."
    set_text(window, text)
    marked = wait_flag(qtbot, window, "hapy")
    fix = marked.flag.suggestions[0].word
    menu = window.checker.open_flag(marked)
    qtbot.waitUntil(menu.isVisible, timeout=5000)
    qtbot.keyClick(menu, Qt.Key.Key_1)  # "&1": the menu closes, then the fix goes in
    assert window.editor.toPlainText() == f"we saw a {fix} dog ." and not menu.isVisible()
    window.editor.undo()
    assert window.editor.toPlainText() == text


def test_a_menu_item_after_its_flag_was_checked_again_still_applies(qtbot, window):
    set_text(window, "we saw a hapy dog .")
    marked = wait_flag(qtbot, window, "hapy")
    menu = window.checker.open_flag(marked)
    first = menu.actions()[0]
    window.checker.check_paragraph()  # the same text checked again: new flags for the same words
    qtbot.waitUntil(lambda: "hapy" in flagged(window) and flagged(window)["hapy"] is not marked, timeout=30000)
    first.trigger()
    assert window.editor.toPlainText() == f"we saw a {marked.flag.suggestions[0].word} dog ."
    menu.close()


def nothing_to_put_in(qtbot, window, text: str, word: str) -> None:
    """The list offers no fix of ``word``: Alt+1, Alt+Down and Enter leave the text alone,
    now and after the typing pause (when the list follows the text again)."""
    window.activateWindow()  # the menu had it (offscreen, nothing gives it back): Alt+1 is the window's
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    press(qtbot, window.editor, Qt.Key.Key_1, Qt.KeyboardModifier.AltModifier)
    window.writer.cycler.next()  # Alt+Down: try a suggestion in place
    assert window.editor.toPlainText() == text
    assert fixes_listed(window) == 0 and word in window.candidates.message()
    qtbot.waitUntil(lambda: word not in window.candidates.message(), timeout=5000)  # predicted again
    assert fixes_listed(window) == 0  # no [MASK]: nothing to list
    press(qtbot, window.editor, Qt.Key.Key_1, Qt.KeyboardModifier.AltModifier)
    assert window.editor.toPlainText() == text


def test_ignore_takes_the_fixes_out_of_the_list(qtbot, window):
    text = "we saw a hapy dog ."
    set_text(window, text)
    marked = wait_flag(qtbot, window, "hapy")
    menu = window.checker.open_flag(marked)
    listed = wait_rows(qtbot, window)
    assert listed[0].data(CANDIDATE_ROLE).token == marked.flag.suggestions[0].word  # the fixes were offered
    qtbot.waitUntil(menu.isVisible, timeout=5000)
    qtbot.keyClick(menu, Qt.Key.Key_I)  # "&Ignore": the menu closes
    assert "hapy" not in flagged(window) and not menu.isVisible()
    assert "Alt+1" not in window.statusBar().currentMessage()  # the flag's message said Alt+1 puts the fix in
    nothing_to_put_in(qtbot, window, text, "hapy")


def test_add_to_dictionary_takes_the_fixes_out_of_the_list(qtbot, window):
    # The dictionary outlives the test: a word no other test needs flagged.
    text = "the dog went to the hosue ."
    set_text(window, text)
    marked = wait_flag(qtbot, window, "hosue")
    menu = window.checker.open_flag(marked)
    assert wait_rows(qtbot, window)
    qtbot.waitUntil(menu.isVisible, timeout=5000)
    qtbot.keyClick(menu, Qt.Key.Key_A)  # "&Add … to dictionary": the menu closes
    assert "hosue" not in flagged(window) and not menu.isVisible()
    nothing_to_put_in(qtbot, window, text, "hosue")


def test_ignoring_another_word_keeps_the_fixes_shown(qtbot, window):
    set_text(window, "the blorf and a hapy dog .")
    wait_flag(qtbot, window, "blorf")
    marked = wait_flag(qtbot, window, "hapy")
    window.checker.open_flag(marked)
    rows = len(wait_rows(qtbot, window))
    window.checker.ignore("blorf")  # not the word whose fixes are listed
    assert fixes_listed(window) == rows + 1  # its header and fixes stay
    window.checker.last_menu.close()
