"""Model picker and Preferences, with pytest-qt; downloads go to the stand-in Hub on 127.0.0.1."""

from __future__ import annotations

import shutil
import threading

import pytest
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QDialog, QPlainTextEdit

from bertmask_gui.engine.models import COMPLETE_MARKER, app_models_dir
from bertmask_gui.engine.options import DEVICE_CHOICES
from bertmask_gui.ui import preferences as prefs
from bertmask_gui.ui import settings
from bertmask_gui.ui.settings import Key
from bertmask_gui.ui.model_dialog import CURATED, ON_DISK, TO_DOWNLOAD, ChooseModelDialog

from conftest import wait_signal
from hub_server import REPO, Fault, hub  # noqa: F401 (fixture)

WAIT_MS = 20000


@pytest.fixture
def dialog(qtbot, qt_app_identity):
    made = []

    def make(current="bert-base-uncased"):
        d = ChooseModelDialog(current)
        qtbot.addWidget(d)
        d.show()
        made.append(d)
        return d

    yield make
    for d in made:
        d.done(QDialog.DialogCode.Rejected)  # cancels any download still running


def status_of(d, repo_id):
    row = [m.repo_id for m in CURATED].index(repo_id)
    return d.table.item(row, 3).text()


@pytest.fixture
def placed_model(tiny_bert):
    """The tiny BERT copied into BertMask's model folder as if it were bert-base-cased."""
    folder = app_models_dir() / "bert-base-cased"
    shutil.copytree(tiny_bert, folder)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


# --------------------------------------------------------------------- picker
def test_curated_list_with_size_language_and_disk_state(dialog, placed_model):
    d = dialog()
    assert [d.table.item(r, 0).text() for r in range(d.table.rowCount())] == [m.repo_id for m in CURATED]
    assert d.table.item(0, 0).text() == "bert-base-uncased" and d.selected_name() == "bert-base-uncased"
    assert all(d.table.item(r, 2).text().endswith("MB") for r in range(d.table.rowCount()))
    assert d.table.item(4, 1).text() == "104 languages"
    assert status_of(d, "bert-base-cased") == ON_DISK
    assert status_of(d, "roberta-base") == TO_DOWNLOAD
    assert d.use_button.text() == "Download and use"  # bert-base-uncased is not on disk
    d.table.selectRow(1)
    assert d.use_button.text() == "Use model"


def test_choosing_a_model_on_disk_accepts_without_network(dialog, placed_model, qtbot):
    d = dialog()
    d.table.selectRow(1)
    with qtbot.waitSignal(d.model_chosen, timeout=WAIT_MS) as signal:
        qtbot.mouseClick(d.use_button, Qt.MouseButton.LeftButton)
    assert signal.args == ["bert-base-cased"]
    assert d.result() == QDialog.DialogCode.Accepted


def test_open_folder_checks_the_folder(dialog, tiny_roberta, tmp_path):
    d = dialog()
    d.use_folder(str(tmp_path))
    assert "no config.json" in d.message.text() and d.chosen_model is None
    d.use_folder(str(tiny_roberta))
    assert d.chosen_model == str(tiny_roberta)


def test_typed_id_that_is_no_id_is_explained(dialog, qtbot):
    d = dialog()
    qtbot.keyClicks(d.id_edit, "not an id!")
    qtbot.mouseClick(d.use_button, Qt.MouseButton.LeftButton)
    assert "neither a folder on this computer nor a Hugging Face model id" in d.message.text()
    assert not d.downloading


def test_download_with_progress_then_chosen(dialog, hub, qtbot):
    d = dialog()
    qtbot.keyClicks(d.id_edit, REPO)
    assert d.use_button.text() == "Download and use"
    labels = []
    d.download.progress.connect(lambda e: labels.append(d.download.label.text()))  # before the work starts
    def start():
        d.use_button.click()
        assert d.downloading and not d.use_button.isEnabled() and d.download.cancel_button.isVisible()

    assert wait_signal(qtbot, d.model_chosen, start, timeout=WAIT_MS) == [REPO]  # a download thread finishes it
    assert d.download.bar.value() == 1000
    assert any(" of " in text and ("left" in text or "estimating" in text) for text in labels), labels
    assert (app_models_dir() / "tiny-org--tiny-bert" / COMPLETE_MARKER).is_file()
    shutil.rmtree(app_models_dir() / "tiny-org--tiny-bert")


def test_cancel_in_the_dialog_stops_and_keeps_the_window_usable(dialog, hub, qtbot, tiny_bert):
    repo = "tiny-org/cancel-me"
    hub.add_folder(repo, tiny_bert)
    gate = threading.Event()
    hub.faults["model.safetensors"] = Fault(after_bytes=(tiny_bert / "model.safetensors").stat().st_size // 2, gate=gate)
    d = dialog()
    qtbot.keyClicks(d.id_edit, repo)
    d.use_button.click()
    qtbot.waitUntil(lambda: len(hub.resolve_requests("model.safetensors")) == 1 and d.download.bar.value() > 0, timeout=WAIT_MS)
    qtbot.mouseClick(d.download.cancel_button, Qt.MouseButton.LeftButton)
    gate.set()
    qtbot.waitUntil(lambda: not d.downloading, timeout=WAIT_MS)
    assert "cancelled" in d.message.text() and "continue where it stopped" in d.message.text()
    assert d.chosen_model is None and d.use_button.isEnabled() and not d.download.cancel_button.isVisible()
    assert not (app_models_dir() / "tiny-org--cancel-me" / COMPLETE_MARKER).exists()
    shutil.rmtree(app_models_dir() / "tiny-org--cancel-me", ignore_errors=True)


def test_unknown_id_shows_not_found(dialog, hub, qtbot):
    d = dialog()
    qtbot.keyClicks(d.id_edit, "tiny-org/missing")
    d.use_button.click()
    qtbot.waitUntil(lambda: not d.downloading, timeout=WAIT_MS)
    assert "“tiny-org/missing” was not found" in d.message.text()
    assert d.chosen_model is None and d.isVisible()


# ---------------------------------------------------------- in the main window
def operate_modal(action):
    """Run ``action`` on the modal dialog as soon as it is open."""

    def attempt(tries=[0]):  # noqa: B006 - a bounded retry counter
        modal = QApplication.activeModalWidget()
        if modal is None and tries[0] < 200:
            tries[0] += 1
            QTimer.singleShot(20, attempt)
            return
        action(modal)

    QTimer.singleShot(0, attempt)


def test_switching_model_from_the_menu_keeps_the_text(window, qtbot, tiny_roberta):
    editor = window.findChild(QPlainTextEdit, "editor")
    editor.setPlainText("Keep this [MASK] text.")
    assert window.menuBar().actions()[2].text() == "&Model"
    operate_modal(lambda modal: modal.use_folder(str(tiny_roberta)))
    window.menus.choose_model.trigger()
    qtbot.waitUntil(lambda: window.session.ready and window.session.mask_token == "<mask>", timeout=WAIT_MS)
    assert editor.toPlainText() == "Keep this [MASK] text."
    assert window.model_name == str(tiny_roberta)
    assert QSettings().value("model/last") == str(tiny_roberta)


# ---------------------------------------------------------------- preferences
def test_preferences_dialog_saves_and_shows_devices(qtbot, qt_app_identity):
    d = prefs.PreferencesDialog("bert-base-uncased")
    qtbot.addWidget(d)
    qtbot.waitUntil(lambda: d.available is not None, timeout=WAIT_MS)
    assert d.available[-1] == "cpu"
    combo_model = d.device_combo.model()
    for index, device in enumerate(DEVICE_CHOICES):
        if device not in ("auto", *d.available):
            assert not combo_model.item(index).isEnabled()
            assert "not available" in combo_model.item(index).text()
    assert "Available here:" in d.device_note.text()
    assert (d.top_k_spin.minimum(), d.top_k_spin.maximum()) == (1, 50)
    d.top_k_spin.setValue(99)
    assert d.top_k_spin.value() == 50
    d.top_k_spin.setValue(7)
    d.delay_spin.setValue(120)
    d.device_combo.setCurrentIndex(DEVICE_CHOICES.index("cpu"))
    d.theme_combo.setCurrentIndex(settings.THEMES.index("dark"))
    with qtbot.waitSignal(d.saved, timeout=WAIT_MS):
        d.accept()
    assert (settings.top_k(), settings.delay_ms(), settings.device(), settings.theme()) == (7, 120, "cpu", "dark")


def test_saved_values_are_clamped():
    settings.save(Key.TOP_K, "500")
    settings.save(Key.DEVICE, "tpu")
    assert settings.top_k() == 50 and settings.device() == "auto"


def test_preferences_apply_to_the_window(window, qtbot):
    loads = []
    window.worker.loaded.connect(lambda info: loads.append(info.device))
    settings.save(Key.TOP_K, 3)
    settings.save(Key.DELAY_MS, 50)
    settings.save(Key.DEVICE, "auto")
    settings.save(Key.THEME, "dark")
    app = QApplication.instance()
    try:
        prefs.apply_preferences(window)
        assert window.top_k == 3 and window.session.debounce.interval() == 50
        assert app.palette().color(QPalette.ColorRole.Window).lightness() < 100
        assert window.device_choice == "auto"  # was cpu: the model is loaded again
        qtbot.waitUntil(lambda: len(loads) == 1, timeout=WAIT_MS)
        settings.save(Key.THEME, "light")
        prefs.apply_preferences(window)
        assert app.palette().color(QPalette.ColorRole.Window).lightness() > 150
    finally:
        prefs.apply_theme("system")
    assert app.palette() == app.property("bertmask_system_palette")


def test_saved_top_k_and_delay_used_at_startup(qtbot, qt_app_identity, tiny_bert):
    from bertmask_gui.app import create_window

    settings.save(Key.TOP_K, 9)
    settings.save(Key.DELAY_MS, 700)
    w = create_window(model=str(tiny_bert))
    qtbot.addWidget(w)
    assert w.top_k == 9 and w.session.debounce.interval() == 700
    w2 = create_window(model=str(tiny_bert), top_k=2, device="cpu")  # the command line wins
    qtbot.addWidget(w2)
    assert w2.top_k == 2 and w2.device_choice == "cpu"


def test_window_geometry_is_remembered(qtbot, qt_app_identity, tiny_bert):
    from bertmask_gui.app import create_window

    first = create_window(model=str(tiny_bert), device="cpu")
    qtbot.addWidget(first)
    first.show()
    first.resize(777, 555)
    qtbot.waitUntil(lambda: first.size().width() == 777 and first.session.ready, timeout=WAIT_MS)
    first.close()
    second = create_window(model=str(tiny_bert), device="cpu")
    qtbot.addWidget(second)
    assert (second.size().width(), second.size().height()) == (777, 555)
    second.close()


def test_fresh_install_to_predictions_through_a_download(qtbot, qt_app_identity, hub):
    """No model on disk: the window says what to do; Choose model… downloads one and it predicts."""
    from bertmask_gui.app import create_window

    w = create_window(device="cpu")  # nothing saved: the default model, not on disk
    qtbot.addWidget(w)
    w.show()
    qtbot.waitUntil(lambda: w.status_line.model_label.text() == "No model", timeout=WAIT_MS)
    assert "not available offline" in w.candidates.message() and "Model ▸ Choose model…" in w.candidates.message()
    editor = w.findChild(QPlainTextEdit, "editor")
    editor.setPlainText("I really [MASK] the movie.")

    def download_in_dialog(modal):
        modal.id_edit.setText(REPO)
        modal.id_edit.textEdited.emit(REPO)  # as if typed: the buttons follow
        modal.use_button.click()

    operate_modal(download_in_dialog)
    w.menus.choose_model.trigger()
    qtbot.waitUntil(lambda: w.session.ready and w.model_name == REPO, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: w.session.shown is not None and len(w.session.shown.prediction.masks) == 1, timeout=WAIT_MS)
    assert editor.toPlainText() == "I really [MASK] the movie."
    assert QSettings().value("model/last") == REPO
    w.close()


def test_closing_mid_download_with_a_stalled_server_closes_at_once(dialog, hub, qtbot, tiny_bert, monkeypatch):
    from bertmask_gui.ui import downloads

    monkeypatch.setattr(downloads, "CLOSE_WAIT_MS", 100)
    repo = "tiny-org/stalled"
    hub.add_folder(repo, tiny_bert)
    gate = threading.Event()
    hub.faults["model.safetensors"] = Fault(after_bytes=0, gate=gate)  # headers, then nothing
    d = dialog()
    qtbot.keyClicks(d.id_edit, repo)
    d.use_button.click()
    qtbot.waitUntil(lambda: len(hub.resolve_requests("model.safetensors")) == 1, timeout=WAIT_MS)
    d.done(QDialog.DialogCode.Rejected)  # the server is stalled: the read is blocked
    assert not d.isVisible() and not d.downloading
    assert len(downloads.ORPHANS) == 1
    (thread, task), = downloads.ORPHANS
    assert task.cancel_event.is_set() and thread.isRunning()
    gate.set()  # data flows again: the download sees Cancel and its thread ends
    qtbot.waitUntil(lambda: not downloads.ORPHANS, timeout=WAIT_MS)
    assert downloads.wait_for_downloads(1000)
    assert not (app_models_dir() / "tiny-org--stalled" / COMPLETE_MARKER).exists()


def test_nothing_goes_online_unless_a_download_is_asked_for(dialog, hub, qtbot):
    """Online mode, HF_ENDPOINT set: opening the picker, typing ids, and a failed load stay local."""
    from bertmask_gui.engine.errors import ModelNotFoundError
    from bertmask_gui.engine.predictor import Predictor

    d = dialog()
    d.refresh_status()
    qtbot.keyClicks(d.id_edit, REPO)  # a model the stand-in Hub has
    assert d.use_button.text() == "Download and use"
    with pytest.raises(ModelNotFoundError, match="not available offline"):
        Predictor.load(REPO, device="cpu")
    assert hub.requests == []
