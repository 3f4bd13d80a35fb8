"""The QThread worker: newest request wins, errors are signals, shutdown is clean."""

from __future__ import annotations

import threading
import time

import pytest

from conftest import wait_signal
from bertmask_gui.ui.worker import LoadFailure, LoadRequest, PredictionWorker, PredictRequest, WorkerThread


class SlowPredictor:
    """Stands in for the engine: records what it was asked, takes a while."""

    name = "fake"
    folder = "fake"
    device_name = "cpu"
    mask_token = "[MASK]"
    notices: list = []

    def __init__(self, delay=0.05, fail_on=None):
        self.delay = delay
        self.fail_on = fail_on
        self.texts = []
        self.threads = set()

    def predict(self, text, top_k=5, mode="words", filters=None, *, cancelled=None, early=None):
        self.threads.add(threading.get_ident())
        self.texts.append(text)
        time.sleep(self.delay)
        if self.fail_on and self.fail_on in text:
            raise RuntimeError("boom")
        return ("result", text)


@pytest.fixture
def running(qtbot):
    created = []

    def start(predictor):
        worker = PredictionWorker(load_predictor=lambda request: predictor)
        thread = WorkerThread(worker)
        thread.start()
        wait_signal(qtbot, worker.loaded, lambda: worker.request_load(LoadRequest("fake")))
        created.append(thread)
        return worker

    yield start
    for thread in created:
        assert thread.shutdown(5000)


def test_burst_runs_few_predictions_and_ends_with_the_last(qtbot, running):
    predictor = SlowPredictor(delay=0.05)
    worker = running(predictor)
    results = []
    worker.result_ready.connect(lambda rid, res: results.append((rid, res)))
    for i in range(1, 11):
        worker.request_prediction(PredictRequest(i, f"text {i} [MASK]"))
    qtbot.waitUntil(lambda: bool(results) and results[-1][0] == 10, timeout=5000)
    qtbot.wait(200)  # nothing else arrives afterwards
    assert results[-1] == (10, ("result", "text 10 [MASK]"))
    assert worker.predictions_run < 10
    assert predictor.texts[-1] == "text 10 [MASK]"
    assert threading.get_ident() not in predictor.threads  # never on the GUI thread


def test_exception_becomes_error_and_worker_stays_usable(qtbot, running):
    worker = running(SlowPredictor(delay=0.0, fail_on="bad"))
    failed = wait_signal(qtbot, worker.prediction_failed, lambda: worker.request_prediction(PredictRequest(1, "bad [MASK]")))
    assert failed[0] == 1 and "boom" in failed[1]
    done = wait_signal(qtbot, worker.result_ready, lambda: worker.request_prediction(PredictRequest(2, "good [MASK]")))
    assert done == [2, ("result", "good [MASK]")]


def test_load_failure_is_a_sentence(qtbot):
    from bertmask_gui.engine.errors import ModelNotFoundError

    def fail(request):
        raise ModelNotFoundError("The model folder “x” does not exist.")

    worker = PredictionWorker(load_predictor=fail)
    thread = WorkerThread(worker)
    thread.start()
    failed = wait_signal(qtbot, worker.load_failed, lambda: worker.request_load(LoadRequest("x")))
    assert failed == [LoadFailure("x", "The model folder “x” does not exist.", missing=True)]
    assert thread.shutdown(5000)


def test_prediction_waits_for_the_model(qtbot):
    gate = threading.Event()
    predictor = SlowPredictor(delay=0.0)

    def slow_load(request):
        gate.wait(5)
        return predictor

    worker = PredictionWorker(load_predictor=slow_load)
    thread = WorkerThread(worker)
    thread.start()
    worker.request_load(LoadRequest("fake"))
    worker.request_prediction(PredictRequest(1, "early [MASK]"))
    worker.request_prediction(PredictRequest(2, "later [MASK]"))
    done = wait_signal(qtbot, worker.result_ready, gate.set)  # listening before the work can finish
    assert done[0] == 2 and predictor.texts == ["later [MASK]"]
    assert thread.shutdown(5000)


def test_shutdown_during_a_prediction_is_clean(qtbot):
    predictor = SlowPredictor(delay=0.5)
    worker = PredictionWorker(load_predictor=lambda request: predictor)
    thread = WorkerThread(worker)
    thread.start()
    wait_signal(qtbot, worker.loaded, lambda: worker.request_load(LoadRequest("fake")))
    worker.request_prediction(PredictRequest(1, "x [MASK]"))
    qtbot.waitUntil(lambda: predictor.texts == ["x [MASK]"], timeout=5000)  # running now
    worker.request_prediction(PredictRequest(2, "y [MASK]"))
    assert thread.shutdown(5000)  # waits for the running one
    assert thread.thread.isFinished()
    assert predictor.texts == ["x [MASK]"]  # the pending one never ran


def test_a_newer_request_abandons_a_long_ranking(qtbot, bert_predictor, monkeypatch):
    """Between forward passes the engine asks whether newer work waits; if so the old
    request stops at once (no result, no error) and the newest runs."""
    from bertmask_gui.engine.errors import Superseded

    monkeypatch.setattr(bert_predictor, "draft_runner", None)  # the worker may make one: not for later tests
    calls = []
    worker = PredictionWorker(load_predictor=lambda request: bert_predictor)
    thread = WorkerThread(worker)
    thread.start()
    wait_signal(qtbot, worker.loaded, lambda: worker.request_load(LoadRequest("tiny")), timeout=20000)
    original = bert_predictor.runner.log_probs

    def slow_pass(rows, *, cancelled=None):
        calls.append(len(rows))
        if len(calls) == 1:
            worker.request_prediction(PredictRequest(2, "The [MASK] sat."))  # typed meanwhile
        return original(rows, cancelled=cancelled)

    bert_predictor.runner.log_probs = slow_pass  # wraps the model seam, public attribute
    failures = []
    worker.prediction_failed.connect(lambda rid, s: failures.append(rid))
    try:
        done = wait_signal(
            qtbot, worker.result_ready, lambda: worker.request_prediction(PredictRequest(1, "I really [MASK] the [MASK] today.")), timeout=20000
        )
    finally:
        del bert_predictor.runner.log_probs
    assert done[0] == 2 and failures == []
    with pytest.raises(Superseded):  # what happened to request 1 after its first pass
        bert_predictor.predict("x [MASK]", cancelled=lambda: True)
    assert thread.shutdown(5000)


def test_draft_is_made_after_the_first_candidates_not_before(qtbot, tiny_bert):
    from bertmask_gui.engine.predictor import Predictor

    predictor = Predictor.load(str(tiny_bert), device="cpu")
    worker = PredictionWorker(load_predictor=lambda request: predictor)
    thread = WorkerThread(worker)
    thread.start()
    try:
        wait_signal(qtbot, worker.loaded, lambda: worker.request_load(LoadRequest("tiny")), timeout=20000)
        assert predictor.draft_runner is None  # loading never waits for it
        first = wait_signal(qtbot, worker.result_ready, lambda: worker.request_prediction(PredictRequest(1, "The [MASK] sat.")), timeout=20000)
        assert first[1].masks[0].candidates
        qtbot.waitUntil(lambda: predictor.draft_runner is not None, timeout=20000)
        again = wait_signal(qtbot, worker.result_ready, lambda: worker.request_prediction(PredictRequest(2, "The [MASK] sat.")), timeout=20000)
        assert [c.token for c in again[1].masks[0].candidates][:3] == [c.token for c in first[1].masks[0].candidates][:3]
    finally:
        assert thread.shutdown(5000)
