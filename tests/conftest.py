"""Shared fixtures: offline, offscreen, isolated settings, tiny models built here."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

# Before Qt, transformers or platformdirs are imported anywhere.
_SANDBOX = Path(tempfile.mkdtemp(prefix="bertmask-tests-"))
os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["HF_HOME"] = str(_SANDBOX / "hf")  # an empty cache: the Hub is never used
for xdg in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
    os.environ[xdg] = str(_SANDBOX / xdg.lower())
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
# The window's background ONNX export (seconds of CPU) only in the tests that ask for it.
os.environ.setdefault("BERTMASK_ENGINE", "torch")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import pytest  # noqa: E402

from tiny_models import build_tiny_bert, build_tiny_roberta  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SEED_SENTENCE = "I really [MASK] the movie. It was quite interesting."


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="session")
def tiny_bert(models_dir) -> Path:
    return build_tiny_bert(models_dir / "tiny-bert")


@pytest.fixture(scope="session")
def tiny_roberta(models_dir) -> Path:
    return build_tiny_roberta(models_dir / "tiny-roberta")


@pytest.fixture(scope="session")
def bert_predictor(tiny_bert):
    from bertmask_gui.engine.predictor import Predictor

    return Predictor.load(str(tiny_bert), device="cpu")


@pytest.fixture(scope="session")
def roberta_predictor(tiny_roberta):
    from bertmask_gui.engine.predictor import Predictor

    return Predictor.load(str(tiny_roberta), device="cpu")


@pytest.fixture(autouse=True)
def _fresh_settings(request):
    """Every test starts with empty QSettings (only where Qt is in use)."""
    yield
    if "PySide6.QtCore" in sys.modules:
        from PySide6.QtCore import QSettings

        QSettings().clear()


@pytest.fixture
def qt_app_identity(qapp):
    from bertmask_gui import APP_NAME

    qapp.setOrganizationName(APP_NAME)
    qapp.setApplicationName(APP_NAME)
    return qapp


@pytest.fixture
def window(qtbot, qt_app_identity, tiny_bert):
    """The main window on the tiny BERT, shown, its model loaded (window tests)."""
    from bertmask_gui.app import create_window

    w = create_window(model=str(tiny_bert), device="cpu")
    qtbot.addWidget(w)
    w.show()
    qtbot.waitUntil(lambda: w.session.ready, timeout=20000)
    yield w
    w.close()


@pytest.fixture(autouse=True)
def _no_modal_document_prompts(request, monkeypatch):
    """A modal "save changes?" or "restore?" box would block an offscreen test.

    Window tests answer "discard" / "don't restore" unless they set their own answer.
    """
    if "PySide6.QtWidgets" in sys.modules or "qtbot" in request.fixturenames:
        from bertmask_gui.ui import documents

        monkeypatch.setattr(documents, "ask_unsaved_changes", lambda parent, name: documents.DISCARD)
        monkeypatch.setattr(documents, "ask_restore", lambda parent, recovery: False)
    yield


@pytest.fixture
def relaunch_after_crash(qtbot, qt_app_identity, tiny_bert, monkeypatch):
    """Start the app again, say yes to "restore?", return the window once it was offered."""

    def relaunch():
        from bertmask_gui.app import create_window
        from bertmask_gui.ui import documents

        offered = []
        monkeypatch.setattr(documents, "ask_restore", lambda parent, recovery: offered.append(recovery) or True)
        window = create_window(model=str(tiny_bert), device="cpu")
        qtbot.addWidget(window)
        window.show()
        qtbot.waitUntil(lambda: bool(offered), timeout=10000)
        return window, offered

    return relaunch


def wait_signal(qtbot, signal, trigger=None, timeout=5000):
    """Run ``trigger()`` and wait for ``signal``; the arguments of its first emission.

    For signals emitted from another thread (the model worker). pytest-qt's waitSignal
    runs a nested event loop whose own timer was seen not to fire here (a test sat in it
    for minutes; pytest-qt #199 reports the same): this waits with ``qtbot.waitUntil``,
    a Python loop that checks its own clock, so it always ends. Listening starts before
    ``trigger`` runs, so an early emission is never missed.
    """
    seen = []

    def record(*args):  # may run in the emitting thread: only a list append
        seen.append(list(args))

    signal.connect(record)
    try:
        if trigger is not None:
            trigger()
        qtbot.waitUntil(lambda: bool(seen), timeout=timeout)
    finally:
        signal.disconnect(record)
    return seen[0]


@pytest.fixture
def window_for(qtbot, qt_app_identity):
    """Shown main windows on a model (closed after the test): ``window_for(model, **kwargs)``."""
    from bertmask_gui.app import create_window

    windows = []

    def make(model, **kwargs):
        window = create_window(model=str(model), device="cpu", **kwargs)
        qtbot.addWidget(window)
        window.show()
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.close()
