"""Issue 14 in the window: try each word in place (Alt+Down/Up, one Ctrl+Z)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from bertmask_gui.app import create_window
from bertmask_gui.ui.candidates import CANDIDATE_ROLE
from test_writer_ui import press, rows, select, set_text, wait_rows


@pytest.fixture
def window(qtbot, qt_app_identity, tiny_bert):
    w = create_window(model=str(tiny_bert), device="cpu")
    qtbot.addWidget(w)
    w.show()
    qtbot.waitUntil(lambda: w.session.ready, timeout=20000)
    yield w
    w.close()


def alt(qtbot, window, key):
    press(qtbot, window.editor, key, Qt.KeyboardModifier.AltModifier)


def placed_row(window):
    return [i for i in rows(window.candidates) if "in the text" in i.data()]


def test_fill_then_alt_down_three_times_then_one_undo(qtbot, window):
    text = "The [MASK] was good."
    set_text(window, text)
    window.predict_now()
    found = wait_rows(qtbot, window, 5)
    words = [i.data(CANDIDATE_ROLE).token for i in found]
    press(qtbot, window.editor, Qt.Key.Key_1, Qt.KeyboardModifier.AltModifier)
    assert window.editor.toPlainText() == f"The {words[0]} was good."
    assert [i.data(CANDIDATE_ROLE).token for i in rows(window.candidates)] == words  # the list stays
    assert placed_row(window)[0].data(CANDIDATE_ROLE).token == words[0]
    for n in (1, 2, 3):
        alt(qtbot, window, Qt.Key.Key_Down)
        assert window.editor.toPlainText() == f"The {words[n]} was good."  # the slot follows the word
        assert placed_row(window)[0].data(CANDIDATE_ROLE).token == words[n]
    alt(qtbot, window, Qt.Key.Key_Up)
    assert window.editor.toPlainText() == f"The {words[2]} was good."
    window.editor.undo()
    assert window.editor.toPlainText() == text  # one Ctrl+Z: back to the mask


def test_typing_elsewhere_ends_the_cycling(qtbot, window):
    set_text(window, "The [MASK] was good.")
    window.predict_now()
    found = wait_rows(qtbot, window, 5)
    window.fill(0, found[0].data(CANDIDATE_ROLE))
    assert window.session.held and window.writer.cycler.slot is not None
    cursor = window.editor.textCursor()
    cursor.movePosition(cursor.MoveOperation.End)
    window.editor.setTextCursor(cursor)
    qtbot.keyClicks(window.editor, " Yes")
    assert window.writer.cycler.slot is None and not window.session.held
    before = window.editor.toPlainText()
    alt(qtbot, window, Qt.Key.Key_Down)  # nothing shown for this text: nothing changes
    assert window.editor.toPlainText() == before


def test_selection_mode_cycles_from_the_selected_word(qtbot, window):
    text = "I really love the movie."
    set_text(window, text)
    select(window, 9, 13)
    press(qtbot, window.editor, Qt.Key.Key_Space, Qt.KeyboardModifier.ControlModifier)
    found = wait_rows(qtbot, window)
    words = [i.data(CANDIDATE_ROLE).token for i in found]
    here = next(n for n, i in enumerate(found) if i.data(CANDIDATE_ROLE).original)
    alt(qtbot, window, Qt.Key.Key_Down)
    first = words[(here + 1) % len(words)]
    assert window.editor.toPlainText() == f"I really {first} the movie."
    alt(qtbot, window, Qt.Key.Key_Down)
    second = words[(here + 2) % len(words)]
    assert window.editor.toPlainText() == f"I really {second} the movie."
    window.editor.undo()
    assert window.editor.toPlainText() == text
