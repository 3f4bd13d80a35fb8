"""The writer workflow in the real window: selection mode, keyboard, fill-all, settings."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QLabel, QListView

from bertmask_gui.app import create_window
from bertmask_gui.ui.candidates import CANDIDATE_ROLE, HEADER_ROLE
from bertmask_gui.engine.rankings.lists import MEANING_LABEL
from bertmask_gui.ui.panel import FILL_ROLE

from conftest import SEED_SENTENCE


def rows(view):
    model = view.model()
    return [model.index(r, 0) for r in range(model.rowCount()) if not model.index(r, 0).data(HEADER_ROLE)]


def set_text(window, text):
    window.editor.setPlainText(text)
    window.session.debounce.stop()


def select(window, start, end):
    cursor = window.editor.textCursor()
    cursor.setPosition(start)
    cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
    window.editor.setTextCursor(cursor)


def press(qtbot, widget, key, modifier=Qt.KeyboardModifier.NoModifier):
    widget.setFocus()
    qtbot.keyClick(widget, key, modifier)


def wait_rows(qtbot, window, count=None):
    view = window.candidates
    qtbot.waitUntil(lambda: len(rows(view)) > 0 if count is None else len(rows(view)) == count, timeout=20000)
    return rows(view)


# ------------------------------------------------------------- selection mode
def test_ctrl_space_on_a_selection_suggests_and_a_click_replaces_it(qtbot, window, bert_predictor):
    text = "I really love the movie."
    set_text(window, text)
    select(window, 9, 13)
    press(qtbot, window.editor, Qt.Key.Key_Space, Qt.KeyboardModifier.ControlModifier)
    found = wait_rows(qtbot, window)
    assert window.editor.toPlainText() == text  # asking changes nothing
    expected = bert_predictor.predict_span(text, 9, 13, top_k=5)
    assert [i.data(CANDIDATE_ROLE).token for i in found] == [c.token for c in expected.masks[0].candidates]
    assert window.findChild(QLabel, "panelTitle").text() == "Alternatives for “love”"
    marked = [i for i in found if i.data(CANDIDATE_ROLE).original]
    assert len(marked) == 1 and marked[0].data(CANDIDATE_ROLE).token == "love"
    assert MEANING_LABEL in window.findChild(QLabel, "scoreNote").text()  # the figure it is sorted by

    other = next(i for i in found if not i.data(CANDIDATE_ROLE).original)
    word = other.data(CANDIDATE_ROLE).token
    rect = window.candidates.visualRect(other)
    qtbot.mouseClick(window.candidates.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.editor.toPlainText() == f"I really {word} the movie."
    window.editor.undo()
    assert window.editor.toPlainText() == text


def test_cursor_in_a_word_is_enough(qtbot, window):
    set_text(window, "The Movie was boring.")
    cursor = window.editor.textCursor()
    cursor.setPosition(6)  # inside "Movie"
    window.editor.setTextCursor(cursor)
    window.writer.suggest_action.trigger()
    found = wait_rows(qtbot, window)
    assert window.session.shown.prediction.masks[0].original == "Movie"
    assert all(i.data(CANDIDATE_ROLE).token[0].isupper() for i in found if i.data(CANDIDATE_ROLE).token[0].isalpha())


def test_ctrl_space_with_nothing_to_suggest_says_what_to_do(qtbot, window):
    set_text(window, "Hello ,  there")
    cursor = window.editor.textCursor()
    cursor.setPosition(7)  # between the comma and the spaces
    window.editor.setTextCursor(cursor)
    window.writer.suggest()
    assert "Select a word" in window.statusBar().currentMessage()


def test_hiding_the_original_word(qtbot, window):
    window.writer.set_option("hide_original", True)
    set_text(window, "I really love the movie.")
    select(window, 9, 13)
    window.writer.suggest()
    found = wait_rows(qtbot, window)
    assert all(i.data(CANDIDATE_ROLE).token.lower() != "love" for i in found)


def test_context_menu_offers_suggest_alternatives(qtbot, window):
    set_text(window, "I really love the movie.")
    rect = window.editor.cursorRect(_cursor_at(window, 10))
    window.writer.context_menu(rect.center())
    menu = window.writer.last_context_menu
    first = menu.actions()[0]
    assert first.text() == "Suggest alternatives for “love”"
    first.trigger()
    menu.close()
    wait_rows(qtbot, window)
    assert window.session.shown.prediction.masks[0].original == "love"


def _cursor_at(window, pos):
    cursor = window.editor.textCursor()
    cursor.setPosition(pos)
    return cursor


# ------------------------------------------------------------------ keyboard
def test_alt_number_picks_that_candidate(qtbot, window):
    set_text(window, "The [MASK] was good.")
    window.predict_now()
    found = wait_rows(qtbot, window, 5)
    third = found[2].data(CANDIDATE_ROLE).token
    press(qtbot, window.editor, Qt.Key.Key_3, Qt.KeyboardModifier.AltModifier)
    assert window.editor.toPlainText() == f"The {third} was good."
    window.editor.undo()
    assert window.editor.toPlainText() == "The [MASK] was good."


def test_ctrl_m_inserts_a_mask_and_replaces_a_selection(qtbot, window):
    set_text(window, "I really love it.")
    window.editor.setTextCursor(_cursor_at(window, 8))  # right after "really"
    press(qtbot, window.editor, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
    assert window.editor.toPlainText() == "I really [MASK] love it."
    window.editor.undo()
    select(window, 9, 13)
    press(qtbot, window.editor, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
    assert window.editor.toPlainText() == "I really [MASK] it."
    window.editor.undo()
    assert window.editor.toPlainText() == "I really love it."


def test_f6_to_the_list_enter_fills_esc_back(qtbot, window):
    set_text(window, "The [MASK] was good.")
    window.predict_now()
    found = wait_rows(qtbot, window, 5)
    window.writer.focus_list()
    view = window.candidates
    assert view.currentIndex().row() == found[0].row()
    qtbot.keyClick(view, Qt.Key.Key_Down)
    assert view.currentIndex().row() == found[1].row()
    qtbot.keyClick(view, Qt.Key.Key_Escape)  # back to the editor: nothing filled
    assert window.editor.toPlainText() == "The [MASK] was good."
    second = found[1].data(CANDIDATE_ROLE).token
    qtbot.keyClick(view, Qt.Key.Key_Return)
    assert window.editor.toPlainText() == f"The {second} was good."


def test_shortcuts_are_in_the_menus_and_the_help_dialog(qtbot, window):
    writer = window.writer
    assert writer.suggest_action.shortcut().toString() == "Ctrl+Space"
    assert writer.insert_mask_action.shortcut().toString() == "Ctrl+M"
    assert [a.shortcut().toString() for a in writer.pick_actions] == [f"Alt+{n}" for n in range(1, 10)]
    dialog = writer.show_shortcuts()
    qtbot.addWidget(dialog)
    table = dialog.findChild(QLabel, "shortcutsTable").text()
    for key in ("Ctrl+Space", "Ctrl+M", "Alt+1", "Esc", "Enter"):
        assert key in table
    dialog.close()


# ------------------------------------------------------------------ fill all
def test_fill_all_fills_every_mask_in_one_undo_step(qtbot, window, bert_predictor):
    text = "I really [MASK] the [MASK]. It was quite interesting."
    set_text(window, text)
    window.predict_now()
    fills_view = window.findChild(QListView, "fillAll")
    qtbot.waitUntil(lambda: fills_view.model().rowCount() > 0 and fills_view.isVisible(), timeout=20000)
    expected = bert_predictor.predict(text, top_k=5).fills
    first = fills_view.model().index(0, 0).data(FILL_ROLE)
    assert first.words == expected[0].words
    timing = window.status_line.timing_label.text()
    assert timing.startswith("words ") and " · fill-all " in timing  # the follow-up's time beside the lists'
    rect = fills_view.visualRect(fills_view.model().index(0, 0))
    qtbot.mouseClick(fills_view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    a, b = first.words
    assert window.editor.toPlainText() == f"I really {a} the {b}. It was quite interesting."
    window.editor.undo()
    assert window.editor.toPlainText() == text
    window.editor.redo()
    assert window.editor.toPlainText() == f"I really {a} the {b}. It was quite interesting."


def test_fill_all_hidden_for_one_mask(qtbot, window):
    set_text(window, SEED_SENTENCE)
    window.predict_now()
    wait_rows(qtbot, window, 5)
    assert not window.findChild(QListView, "fillAll").isVisible()


def test_every_candidate_changes_only_the_mask(qtbot, window):
    text = "Before 😀 text, [MASK] and after."
    set_text(window, text)
    window.predict_now()
    found = wait_rows(qtbot, window, 5)
    start = text.index("[MASK]")
    for index in found:
        candidate = index.data(CANDIDATE_ROLE)
        window.fill(0, candidate)
        assert window.editor.toPlainText() == text[:start] + candidate.token + text[start + 6 :]
        window.editor.undo()
        assert window.editor.toPlainText() == text


# ------------------------------------------------------------------ settings
def test_pieces_setting_shows_the_raw_ranking(qtbot, window, bert_predictor):
    window.writer.set_option("whole_words", False)
    set_text(window, SEED_SENTENCE)
    window.predict_now()
    qtbot.waitUntil(lambda: window.session.shown is not None and window.session.shown.prediction.mode == "pieces", timeout=20000)
    found = rows(window.candidates)
    expected = bert_predictor.predict(SEED_SENTENCE, mode="pieces").masks[0].candidates
    assert [i.data(CANDIDATE_ROLE).token for i in found] == [c.token for c in expected]
    assert "probability at the mask" in window.findChild(QLabel, "scoreNote").text()


def test_settings_are_remembered(qtbot, qt_app_identity, tiny_bert, window):
    window.writer.set_option("hide_stop_words", True)
    window.writer.set_top_k(12)
    again = create_window(model=str(tiny_bert), device="cpu")
    qtbot.addWidget(again)
    assert again.session.options["hide_stop_words"] is True
    assert again.writer.option_actions["hide_stop_words"].isChecked()
    assert again.top_k == 12 and again.session.filters().hide_stop_words
    again.close()


def test_worker_request_carries_mode_span_and_filters():
    from bertmask_gui.engine.options import Filters
    from bertmask_gui.ui.worker import PredictRequest, run_request

    calls = []

    class Recorder:
        def predict(self, text, top_k=5, **kwargs):
            calls.append(("predict", text, top_k, kwargs))

        def predict_span(self, text, start, end, top_k=5, filters=None, cancelled=None, early=None):
            calls.append(("span", text, (start, end), top_k, filters, cancelled))

    f = Filters(hide_numbers=True)
    stop = lambda: False  # noqa: E731
    run_request(Recorder(), PredictRequest(1, "a [MASK]"), stop)
    run_request(Recorder(), PredictRequest(2, "a [MASK]", 7, mode="pieces", filters=f), stop)
    run_request(Recorder(), PredictRequest(3, "a word", 3, mode="span", span=(2, 6), filters=f), stop)
    assert calls == [
        ("predict", "a [MASK]", 5, {"mode": "words", "filters": None, "cancelled": stop, "early": None}),
        ("predict", "a [MASK]", 7, {"mode": "pieces", "filters": f, "cancelled": stop, "early": None}),
        ("span", "a word", (2, 6), 3, f, stop),
    ]
