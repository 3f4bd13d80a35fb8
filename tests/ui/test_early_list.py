"""The one-piece words shown at once, the full list when the longer words are scored."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QPlainTextEdit

from bertmask_gui.engine.results import Candidate, MaskResult, Mode, Prediction
from bertmask_gui.ui.session import SuggestionSession


def test_the_window_shows_the_early_list_then_the_full_one(qtbot, window):
    shown = []
    window.session.prediction_shown.connect(lambda text, prediction: shown.append(prediction))
    window.editor.setPlainText("It was [MASK] to come.")
    qtbot.waitUntil(lambda: window.session.shown is not None and not window.session.shown.prediction.preliminary, timeout=20000)
    assert shown and shown[0].preliminary  # random tiny weights: the longer words need passes
    assert all(len(c.token_ids) == 1 for c in shown[0].masks[0].candidates)
    final = window.session.shown.prediction
    on_screen = [c.token for c in shown[-1].masks[0].candidates]
    assert on_screen == [c.token for c in final.masks[0].candidates]  # the full list (redrawn only if it differs)
    assert window.editor.toPlainText() == "It was [MASK] to come."  # nothing the writer typed changed


class FakeWorker(QObject):
    result_ready = Signal(int, object)
    prediction_failed = Signal(int, str)

    def __init__(self):
        super().__init__()
        self.requests = []

    def request_prediction(self, request):
        self.requests.append(request)


def _prediction(words, preliminary=False, fills=()):
    cands = tuple(Candidate(w, 0.1, i, (i,), -2.3) for i, w in enumerate(words))
    masks = (MaskResult(0, 6, cands, "label"), MaskResult(8, 14, cands, "label"))
    return Prediction(masks, 0.05, mode=Mode.WORDS, preliminary=preliminary, fills=fills)


def test_session_redraws_only_when_the_full_list_differs(qtbot):
    editor = QPlainTextEdit()
    qtbot.addWidget(editor)
    worker = FakeWorker()
    session = SuggestionSession(editor, worker)
    session.model_ready(None)
    shown, timings = [], []
    session.prediction_shown.connect(lambda text, p: shown.append(p))
    session.timing.connect(timings.append)
    editor.setPlainText("[MASK] and [MASK].")
    session.predict_now()
    first = worker.requests[-1].request_id
    worker.result_ready.emit(first, _prediction(["a", "b"], preliminary=True))
    worker.result_ready.emit(first, _prediction(["a", "b"]))  # confirmed: no redraw
    assert [p.preliminary for p in shown] == [True] and timings and not session.shown.prediction.preliminary
    fill_all = worker.requests[-1]  # two masks: the fill-all follow-up was asked
    assert fill_all.request_id != first and fill_all.filters.fill_all
    worker.result_ready.emit(fill_all.request_id, _prediction(["a"], preliminary=True))  # not over the full lists
    assert len(shown) == 1
    editor.setPlainText("[MASK] or [MASK].")
    session.predict_now()
    second = worker.requests[-1].request_id
    worker.result_ready.emit(second, _prediction(["c"], preliminary=True))
    worker.result_ready.emit(second, _prediction(["unable", "c"]))  # a longer word came in: redrawn
    assert [p.preliminary for p in shown[1:]] == [True, False]
