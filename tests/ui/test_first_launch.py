"""No model on disk: the panel offers the default model in one click (issue 10 §3)."""

from __future__ import annotations

import socket
import threading

from PySide6.QtCore import Qt

from bertmask_gui.app import create_window
from bertmask_gui.engine.models import DEFAULT_MODEL
from bertmask_gui.ui import settings
from bertmask_gui.ui.settings import Key

from hub_server import Fault, hub  # noqa: F401 (fixture)

WAIT_MS = 20000
TYPED = "I really [MASK] the movie."


def first_launch(qtbot):
    window = create_window(device="cpu")  # nothing saved, nothing on disk: the default model is missing
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.panel.no_model.isVisible(), timeout=WAIT_MS)
    return window


def test_the_download_button_appears_with_no_model(qtbot, qt_app_identity):
    window = first_launch(qtbot)
    box = window.panel.no_model
    assert box.download_button.text() == "Download bert-base-uncased (440 MB)"
    assert box.choose_button.isVisible() and box.open_folder_button.isVisible()
    assert not window.candidates.isVisible() and not box.download.isVisible()
    assert "not on this computer" in box.explanation.text()
    window.close()


def test_the_button_appears_when_the_remembered_model_is_gone(qtbot, qt_app_identity, tmp_path):
    settings.save(Key.MODEL, str(tmp_path / "deleted-model"))
    window = first_launch(qtbot)
    assert window.panel.no_model.download_button.text() == "Download bert-base-uncased (440 MB)"
    window.close()


def test_a_click_downloads_loads_and_suggests_for_text_typed_meanwhile(qtbot, qt_app_identity, hub, tiny_bert):
    hub.add_folder(DEFAULT_MODEL, tiny_bert)
    gate = threading.Event()  # the download pauses halfway until the writer has typed
    hub.faults["model.safetensors"] = Fault(after_bytes=(tiny_bert / "model.safetensors").stat().st_size // 2, gate=gate)
    window = first_launch(qtbot)
    box = window.panel.no_model
    labels = []
    box.download.progress.connect(lambda event: labels.append(box.download.label.text()))  # before the click
    qtbot.mouseClick(box.download_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: box.download.bar.value() > 0, timeout=WAIT_MS)
    assert box.download.isVisible() and box.download.cancel_button.isEnabled() and not box.download_button.isEnabled()
    qtbot.keyClicks(window.editor, TYPED)
    gate.set()
    qtbot.waitUntil(lambda: window.session.ready and window.model_name == DEFAULT_MODEL, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: window.session.shown is not None, timeout=WAIT_MS)
    assert window.session.shown.text == TYPED and len(window.session.shown.prediction.masks) == 1
    assert window.candidates.model().candidate_rows(0) and window.candidates.isVisible() and not box.isVisible()
    assert window.editor.toPlainText() == TYPED
    assert any(" of " in text and ("left" in text or "estimating" in text) for text in labels)
    assert settings.text(Key.MODEL) == DEFAULT_MODEL
    window.close()


def test_an_unreachable_hub_gives_the_sentence_and_keeps_the_text(qtbot, qt_app_identity, hub, monkeypatch):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{port}")
    window = first_launch(qtbot)
    box = window.panel.no_model
    window.editor.setPlainText(TYPED)
    qtbot.mouseClick(box.download_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "could not reach" in box.message.text(), timeout=WAIT_MS)
    assert box.download_button.isEnabled() and box.isVisible() and not box.download.isVisible()
    assert window.editor.toPlainText() == TYPED
    window.close()
