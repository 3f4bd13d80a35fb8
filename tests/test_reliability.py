"""Worker faults, soak, and the security rules: the writer loses nothing, ever."""

from __future__ import annotations

import json
import logging
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bertmask_gui.engine.errors import BertMaskError, ModelNotFoundError
from bertmask_gui.engine.models import is_hub_id
from bertmask_gui.engine.predictor import Predictor
from bertmask_gui.ui.worker import LoadRequest, PredictionWorker, PredictRequest, WorkerThread

from conftest import ROOT, SEED_SENTENCE, wait_signal

sys.path.insert(0, str(ROOT / "benchmarks"))


class _Sleepy:
    name = folder = "fake"
    device_name = "cpu"
    mask_token = "[MASK]"
    notices: list = []

    def __init__(self):
        self.calls = 0

    def predict(self, text, top_k=5, mode="words", filters=None, *, cancelled=None, early=None):
        self.calls += 1
        time.sleep(0.2)
        return text


def test_thousand_request_burst_keeps_one_pending(qtbot):
    predictor = _Sleepy()
    worker = PredictionWorker(load_predictor=lambda request: predictor)
    thread = WorkerThread(worker)
    thread.start()
    wait_signal(qtbot, worker.loaded, lambda: worker.request_load(LoadRequest("fake")))
    answered = []  # connected before the burst: the last answer can come before any wait
    worker.result_ready.connect(lambda rid, _: answered.append(rid))
    for i in range(1, 1001):
        worker.request_prediction(PredictRequest(i, f"{i} [MASK]"))
    qtbot.waitUntil(lambda: 1000 in answered, timeout=10000)
    assert predictor.calls <= 3  # the first, then only the newest
    assert thread.shutdown(5000)


def test_close_during_model_load_exits_cleanly(tiny_bert):
    code = f"""
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from bertmask_gui.app import create_window
w = create_window(model={str(tiny_bert)!r}, device='cpu')
w.show()
QTimer.singleShot(30, w.close)  # torch is still importing in the worker
QTimer.singleShot(60, QApplication.quit)
sys.exit(QApplication.instance().exec())
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "QThread" not in done.stderr


def test_soak_memory_and_threads_stay_flat(tiny_bert, qapp):
    from soak import soak

    figures = soak(str(tiny_bert), requests=150, warmup=200)
    assert figures["rss_end_mb"] - figures["rss_start_mb"] < 30, figures
    assert figures["threads_end"] <= figures["threads_start"], figures


# ------------------------------------------------------------------- security
@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to look up a host or open a connection fails the test.

    The app must not rely on HF_HUB_OFFLINE: huggingface_hub reads it once, at import,
    so its cached value is switched off too (else the library's own offline mode would
    refuse a Hub call before it reached a socket, and the test would not see it)."""
    import huggingface_hub.constants as hub_constants

    attempts = []

    def refuse(self, address, *args, **kwargs):
        attempts.append(address)
        raise OSError("network disabled in this test")

    def refuse_lookup(host, *args, **kwargs):
        attempts.append(host)
        raise socket.gaierror("network disabled in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse_lookup)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr(hub_constants, "HF_HUB_OFFLINE", False)
    assert not hub_constants.is_offline_mode()
    return attempts


def test_loading_and_predicting_never_touch_the_network(no_network, tiny_bert):
    with pytest.raises(ModelNotFoundError):
        Predictor.load("bert-base-uncased")
    with pytest.raises(ModelNotFoundError):
        Predictor.load("someone/some-model")
    predictor = Predictor.load(str(tiny_bert))
    predictor.predict(SEED_SENTENCE)
    assert no_network == []


def _copy_model(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    return target


def test_remote_code_in_a_model_folder_never_runs(tiny_bert, tmp_path):
    folder = _copy_model(tiny_bert, tmp_path / "remote-code")
    marker = tmp_path / "ran.txt"
    (folder / "evil.py").write_text(
        f"open({str(marker)!r}, 'w').write('ran')\n"
        "from transformers import BertForMaskedLM as EvilModel\n"
        "from transformers import BertConfig as EvilConfig\n"
    )
    config = json.loads((folder / "config.json").read_text())
    config["auto_map"] = {"AutoConfig": "evil.EvilConfig", "AutoModelForMaskedLM": "evil.EvilModel"}
    (folder / "config.json").write_text(json.dumps(config))
    try:
        Predictor.load(str(folder)).predict(SEED_SENTENCE)
    except BertMaskError:
        pass  # refusing the folder is fine too; running its code is not
    assert not marker.exists()


def test_pickle_weights_beside_safetensors_are_never_unpickled(tiny_bert, tmp_path):
    import pickle

    folder = _copy_model(tiny_bert, tmp_path / "both")
    marker = tmp_path / "unpickled.txt"

    class Bomb:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    (folder / "pytorch_model.bin").write_bytes(pickle.dumps(Bomb()))
    Predictor.load(str(folder)).predict(SEED_SENTENCE)
    assert not marker.exists()


@pytest.mark.parametrize("name", ["../etc", "a/../../b", "/abs/../x", "..", "a b", "org/../../model", ""])
def test_user_model_ids_cannot_traverse_paths(name):
    assert not is_hub_id(name)


def test_log_never_contains_the_text(qtbot, tiny_bert, tmp_path, qt_app_identity):
    from bertmask_gui.app import create_window

    log_file = tmp_path / "bertmask.log"
    handler = logging.FileHandler(log_file, encoding="utf-8")
    root = logging.getLogger()
    root.addHandler(handler)
    old_level = root.level
    root.setLevel(logging.DEBUG)
    try:
        window = create_window(model=str(tiny_bert), device="cpu")
        qtbot.addWidget(window)
        window.show()
        secret = "Zanzibar quokka [MASK] marmalade"
        window.editor.setPlainText(secret)
        qtbot.waitUntil(lambda: window.candidates.model().rowCount() > 0, timeout=20000)
        window.worker.predictor.predict = None  # make the next prediction fail, and be logged
        window.editor.setPlainText(secret + " again [MASK]")
        window.predict_now()
        qtbot.waitUntil(lambda: "failed" in window.candidates.message().lower(), timeout=20000)
        window.close()
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
        handler.close()
    logged = log_file.read_text(encoding="utf-8")
    assert "Prediction" in logged  # the failure was logged...
    for word in ("Zanzibar", "quokka", "marmalade"):
        assert word not in logged  # ...without the text


# ------------------------------------------------------------------ lost text
def _wait_for_line(process: subprocess.Popen, wanted: str, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if wanted in line:
            return line.strip()
        if not line and process.poll() is not None:
            break
    process.kill()
    raise AssertionError(f"never printed {wanted!r}: {process.stderr.read()}")


def test_kill_9_during_save_leaves_the_old_file_intact(tmp_path):
    target = tmp_path / "novel.txt"
    target.write_text("The old, safe text.\n", encoding="utf-8")
    # The child saves a big new version; it is killed after the data is written but
    # before the rename, the worst moment (a slow disk makes that window long).
    code = f"""
import os, sys, time
from bertmask_gui import docfiles
real_fsync = os.fsync
def slow_fsync(fd):
    real_fsync(fd)
    print("written", flush=True)
    time.sleep(60)
os.fsync = slow_fsync
docfiles.save_atomic({str(target)!r}, "new text " * 1_000_000)
"""
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    _wait_for_line(child, "written")
    child.kill()  # SIGKILL
    child.wait(10)
    assert target.read_text(encoding="utf-8") == "The old, safe text.\n"


def test_kill_9_after_autosave_restores_the_exact_text(qapp, relaunch_after_crash):
    text = "Draft\r\n\tshe [MASK] the door — 東京 😀\u200f עברית  \n"
    code = f"""
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from bertmask_gui.ui import documents
documents.AUTOSAVE_MS = 200  # the real timer, shortened
from bertmask_gui.app import create_window
w = create_window(model="not-loaded")
w.show()
w.editor.insertPlainText({text!r})
def report():
    if w.documents.autosave.file.exists():
        print("autosaved", flush=True)
    else:
        QTimer.singleShot(50, report)
QTimer.singleShot(50, report)
sys.exit(QApplication.instance().exec())
"""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=env)
    _wait_for_line(child, "autosaved")
    child.kill()  # SIGKILL: no close, no cleanup
    child.wait(10)

    from bertmask_gui.ui.editor import MaskEditor

    window, _ = relaunch_after_crash()
    typed = MaskEditor()
    typed.insertPlainText(text)  # what the killed editor held
    assert window.editor.toPlainText() == typed.toPlainText()
    window.close()


# ------------------------------------------------------------- broken models
def _break(kind: str, good: Path, roberta: Path, folder: Path) -> Path:
    """A model folder broken in one way, as users end up with them."""
    if kind == "missing":
        return folder / "gone"
    if kind == "empty":
        folder.mkdir()
        return folder
    shutil.copytree(good, folder)
    if kind == "no-head":
        config = json.loads((folder / "config.json").read_text())
        config["architectures"] = ["BertModel"]
        (folder / "config.json").write_text(json.dumps(config))
    elif kind == "no-mask-token":
        config = json.loads((folder / "tokenizer_config.json").read_text())
        config["mask_token"] = None
        (folder / "tokenizer_config.json").write_text(json.dumps(config))
    elif kind == "pickle-only":
        (folder / "model.safetensors").rename(folder / "pytorch_model.bin")
    elif kind == "truncated":
        weights = folder / "model.safetensors"
        weights.write_bytes(weights.read_bytes()[:-1000])
    elif kind == "vocab-mismatch":  # the tokenizer of another, larger model
        for name in ("tokenizer.json", "tokenizer_config.json", "vocab.txt"):
            (folder / name).unlink(missing_ok=True)
        for name in ("tokenizer.json", "tokenizer_config.json", "vocab.json", "merges.txt"):
            shutil.copy(roberta / name, folder / name)
    return folder


BROKEN = {
    "missing": "does not exist",
    "empty": "no config.json",
    "no-head": "cannot fill masks",
    "no-mask-token": "has no mask token",
    "pickle-only": "can run code",
    "truncated": "is truncated",
    "vocab-mismatch": "does not match its tokenizer",
}


@pytest.mark.parametrize("kind", list(BROKEN))
def test_broken_model_is_a_sentence_and_the_app_switches_on(kind, qtbot, tiny_bert, tiny_roberta, tmp_path, qt_app_identity):
    from bertmask_gui.app import create_window

    broken = _break(kind, tiny_bert, tiny_roberta, tmp_path / kind)
    window = create_window(model=str(broken), device="cpu")
    qtbot.addWidget(window)
    window.show()
    window.editor.setPlainText(SEED_SENTENCE)
    view = window.candidates
    qtbot.waitUntil(lambda: BROKEN[kind] in view.message(), timeout=30000)
    assert "Traceback" not in view.message() and view.message().rstrip().endswith(".")
    assert window.editor.toPlainText() == SEED_SENTENCE
    window.load_model(str(tiny_bert))  # the writer picks a good model: it just works
    qtbot.waitUntil(lambda: view.model().rowCount() > 0, timeout=30000)
    assert window.editor.toPlainText() == SEED_SENTENCE
    window.close()
