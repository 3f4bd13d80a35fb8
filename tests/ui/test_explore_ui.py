"""Issue 14 in the window: try each word in place (Alt+Down/Up, one Ctrl+Z)."""

from __future__ import annotations

from PySide6.QtCore import Qt

from bertmask_gui.ui.candidates import CANDIDATE_ROLE
from conftest import wait_signal
from test_writer_ui import press, rows, select, set_text, wait_rows


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


# ------------------------------------------------------------------ why this word
def test_current_candidate_shades_its_support_and_names_it(qtbot, window, bert_predictor):
    text = "I really [MASK] the movie."
    set_text(window, text)
    window.predict_now()
    found = wait_rows(qtbot, window, 5)
    explore = window.explore
    wait_signal(qtbot, window.worker.explored, lambda: window.candidates.setCurrentIndex(found[1]), timeout=20000)
    qtbot.waitUntil(lambda: bool(explore.supporting) or "No context word" in (found[1].data(Qt.ItemDataRole.ToolTipRole) or ""), timeout=20000)
    start = text.index("[MASK]")
    expected = [i for i in bert_predictor.explain(text, start, start + 6, found[1].data(CANDIDATE_ROLE).token) if i.influence > 0][:3]
    assert [(i.start, i.end) for i in explore.supporting] == [(i.start, i.end) for i in expected]
    shaded = [(s.cursor.selectionStart(), s.cursor.selectionEnd()) for s in window.editor.marks["explore"]]
    assert shaded == [(i.start, i.end) for i in expected]
    tip = found[1].data(Qt.ItemDataRole.ToolTipRole)
    assert all(f"“{i.word}”" in tip for i in expected)
    qtbot.keyClicks(window.editor, "x")  # typing clears the shading
    assert window.editor.marks["explore"] == []


# ------------------------------------------------------------------ unusual words
def test_unusual_words_underlined_then_abandoned_on_typing(qtbot, window, bert_predictor):
    text = "First paragraph stays plain.\nThe cat sat on the democracy today."
    set_text(window, text)
    cursor = window.editor.textCursor()
    cursor.setPosition(len(text))
    window.editor.setTextCursor(cursor)
    explore = window.explore
    wait_signal(qtbot, window.worker.explored, lambda: explore.action.setChecked(True), timeout=20000)
    qtbot.waitUntil(lambda: bool(explore.unusual), timeout=20000)
    para = text.index("The cat")
    scores = bert_predictor.score_words(text, para, len(text))
    lowest = min(scores, key=lambda s: s.log_score)
    assert explore.unusual[0][:2] == (lowest.start, lowest.end)
    assert all(start >= para for start, _, _ in explore.unusual)  # only the paragraph at the cursor
    selections = window.editor.marks["explore"]  # the draft checker's error marks are its own (issue 19)
    assert selections and selections[0].format.underlineStyle() == selections[0].format.UnderlineStyle.DotLine  # quiet
    alphas = [s.format.underlineColor().alpha() for s in selections]
    assert alphas == sorted(alphas, reverse=True)  # the strength follows the score
    # typing abandons: a slow request in flight is cancelled, the underlines go
    window.worker.cancel_explore()
    qtbot.keyClicks(window.editor, "x")
    assert explore.unusual == [] and window.editor.marks["explore"] == []
    assert explore.pause.isActive()  # scored again after the typing pause


def test_a_keystroke_abandons_a_running_score(qtbot, bert_predictor):
    from bertmask_gui.engine.errors import Superseded
    from bertmask_gui.ui.worker import ExploreRequest, PredictionWorker

    worker = PredictionWorker(load_predictor=lambda request: bert_predictor)
    worker.predictor = bert_predictor
    seen = []
    worker.explored.connect(lambda request, found: seen.append(request.request_id))
    text = "The cat sat on the mat. " * 40
    inner = bert_predictor.runner.log_probs

    def typing_meanwhile(rows, cancelled=None):
        worker.cancel_explore()  # the writer types while the pass runs
        if cancelled is not None and cancelled():
            raise Superseded()
        return inner(rows, cancelled=cancelled)

    bert_predictor.runner.log_probs = typing_meanwhile
    try:
        worker.request_explore(ExploreRequest(1, "score", text, 0, len(text)))
    finally:
        bert_predictor.runner.log_probs = inner
    assert seen == []


# ------------------------------------------------------------------ compare with…
def test_compare_field_scores_the_writers_words_beside(qtbot, window, bert_predictor):
    text = "I really love the movie."
    set_text(window, text)
    assert not window.panel.compare.isVisibleTo(window)
    select(window, 9, 13)
    press(qtbot, window.editor, Qt.Key.Key_Space, Qt.KeyboardModifier.ControlModifier)
    wait_rows(qtbot, window)
    assert window.panel.compare.isVisibleTo(window)
    window.panel.compare.setText("enjoyable, dog")
    qtbot.keyClick(window.panel.compare, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: any(i.data(CANDIDATE_ROLE).compared for i in rows(window.candidates)), timeout=20000)
    found = {i.data(CANDIDATE_ROLE).token: i for i in rows(window.candidates)}
    expected = bert_predictor.predict_span(text, 9, 13, top_k=5, compare=("enjoyable", "dog")).masks[0]
    assert [c.token for c in expected.candidates] == list(found)
    assert {t for t, i in found.items() if i.data(CANDIDATE_ROLE).compared} == {"enjoyable", "dog"}
    assert "(compared)" in found["dog"].data()
    assert window.editor.toPlainText() == text


def test_compare_field_bad_word_says_why(qtbot, window):
    set_text(window, "I really love the movie.")
    select(window, 9, 13)
    press(qtbot, window.editor, Qt.Key.Key_Space, Qt.KeyboardModifier.ControlModifier)
    wait_rows(qtbot, window)
    window.panel.compare.setText("😀")
    qtbot.keyClick(window.panel.compare, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "cannot spell" in window.candidates.message(), timeout=20000)
    assert window.editor.toPlainText() == "I really love the movie."
