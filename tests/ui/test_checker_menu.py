"""The checker's fix menu and the suggestions list around it: one menu lives at a time,
and after Ignore or Add to dictionary the ignored word's fixes are no longer offered."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

from test_checker_ui import flagged, wait_flag
from test_writer_ui import set_text


def fix_menus(window) -> list[QMenu]:
    return window.findChildren(QMenu, "checkerMenu")


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
