"""The window answers with torch, exports in the background, then switches to ONNX
Runtime and says so; a failed export is one sentence and torch stays."""

from __future__ import annotations

import pytest

from bertmask_gui.engine import onnx_export
from bertmask_gui.ui import settings
from bertmask_gui.ui.settings import Key
from bertmask_gui.ui.worker import LoadRequest, PredictionWorker, PredictRequest, WorkerThread

from conftest import wait_signal

pytest.importorskip("onnxruntime")
WAIT_MS = 240000  # an export of the tiny model on a busy 2-core machine


def _worker_on(predictor):
    worker = PredictionWorker(load_predictor=lambda request: predictor)
    thread = WorkerThread(worker)
    thread.start()
    return worker, thread


@pytest.mark.timeout(400)
def test_torch_answers_first_then_onnx_runtime_serves(qtbot, tiny_bert):
    from bertmask_gui.engine.predictor import Predictor

    predictor = Predictor.load(str(tiny_bert), device="cpu")
    worker, thread = _worker_on(predictor)
    changes = []
    worker.engine_changed.connect(lambda engine, sentence: changes.append((engine, sentence)))
    try:
        wait_signal(qtbot, worker.loaded, lambda: worker.request_load(LoadRequest("tiny", engine="auto")), timeout=20000)
        first = wait_signal(
            qtbot, worker.result_ready, lambda: worker.request_prediction(PredictRequest(1, "The [MASK] sat.")), timeout=20000
        )
        assert predictor.engine == "torch"  # the first candidates never wait for the export
        qtbot.waitUntil(lambda: bool(changes), timeout=WAIT_MS)
        assert changes[0][0] == "ONNX Runtime" and "ONNX Runtime" in changes[0][1]
        assert predictor.engine == "onnx"
        again = wait_signal(
            qtbot, worker.result_ready, lambda: worker.request_prediction(PredictRequest(2, "The [MASK] sat.")), timeout=20000
        )
        assert [c.token for c in again[1].masks[0].candidates] == [c.token for c in first[1].masks[0].candidates]
    finally:
        assert thread.shutdown(5000)


def test_torch_only_never_exports(qtbot, tiny_bert, monkeypatch):
    from bertmask_gui.engine.predictor import Predictor

    monkeypatch.setattr(onnx_export, "export", lambda *a, **k: pytest.fail("exported although torch was chosen"))
    predictor = Predictor.load(str(tiny_bert), device="cpu")
    worker, thread = _worker_on(predictor)
    try:
        wait_signal(qtbot, worker.loaded, lambda: worker.request_load(LoadRequest("tiny", engine="torch")), timeout=20000)
        for request_id in (1, 2):
            wait_signal(qtbot, worker.result_ready, lambda: worker.request_prediction(PredictRequest(request_id, "A [MASK].")))
        assert predictor.engine == "torch"
    finally:
        assert thread.shutdown(5000)


def test_a_failed_export_is_a_status_line_and_torch_stays(window, qtbot, monkeypatch, tmp_path):
    monkeypatch.setenv("BERTMASK_ONNX_CACHE", str(tmp_path))

    def broken(*args, **kwargs):
        raise RuntimeError("Unsupported operator aten::frobnicate")

    monkeypatch.setattr(onnx_export, "export_graph", broken)
    window.engine_choice = "auto"
    window.load_model(window.model_name)
    qtbot.waitUntil(lambda: window.session.ready, timeout=20000)
    window.editor.setPlainText("The [MASK] sat on the mat.")
    label = window.status_line.device_label
    qtbot.waitUntil(lambda: "keeps using torch" in label.toolTip(), timeout=60000)
    assert "frobnicate" in label.toolTip()
    assert window.worker.predictor.engine == "torch"
    assert "ONNX" not in window.status_line.device_label.text()


def test_preferences_engine_choice_is_saved_and_reloads(window, qtbot):
    from bertmask_gui.ui.preferences import PreferencesDialog, apply_preferences

    dialog = PreferencesDialog(window.model_name, window)
    qtbot.addWidget(dialog)
    assert dialog.engine_combo.currentData() == settings.engine() == "torch"  # the test suite's default
    dialog.engine_combo.setCurrentIndex(settings.ENGINE_SETTINGS.index("auto"))
    dialog.accept()
    assert settings.engine() == "auto"
    loads = []
    window.worker.loading.connect(loads.append)
    apply_preferences(window)
    assert window.engine_choice == "auto"
    qtbot.waitUntil(lambda: bool(loads), timeout=20000)  # a new engine choice reloads the model
    settings.save(Key.ENGINE, "gpu-magic")
    assert settings.engine() == "torch"  # unknown values read as the default


def test_the_worker_gives_freed_memory_back_when_idle(qtbot, tiny_bert, monkeypatch):
    from bertmask_gui.engine.predictor import Predictor

    predictor = Predictor.load(str(tiny_bert), device="cpu")
    given_back = []
    monkeypatch.setattr(predictor, "give_back_freed_memory", lambda: given_back.append(predictor.forward_passes))
    worker, thread = _worker_on(predictor)
    try:
        wait_signal(qtbot, worker.loaded, lambda: worker.request_load(LoadRequest("tiny", engine="torch")), timeout=20000)
        qtbot.waitUntil(lambda: bool(given_back), timeout=20000)  # idle after the load
        given_back.clear()
        wait_signal(qtbot, worker.result_ready, lambda: worker.request_prediction(PredictRequest(1, "A [MASK].")), timeout=20000)
        qtbot.waitUntil(lambda: bool(given_back), timeout=20000)
        assert given_back[0] >= 1  # after the request's passes, not before
    finally:
        assert thread.shutdown(5000)
