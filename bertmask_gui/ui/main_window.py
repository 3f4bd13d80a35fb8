"""The main window: editor on the left, suggestions panel on the right."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import NamedTuple

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QFileDialog, QLabel, QMainWindow, QMenu, QMessageBox, QSplitter

from bertmask_gui import APP_NAME, __version__, startup_trace
from bertmask_gui.engine.textops import fill_edit
from bertmask_gui.ui import settings
from bertmask_gui.ui.documents import DocumentController
from bertmask_gui.ui.editor import MaskEditor
from bertmask_gui.ui.model_dialog import choose_model, display_name
from bertmask_gui.ui.panel import SuggestionsPanel
from bertmask_gui.ui.preferences import open_preferences, restore_window, save_window
from bertmask_gui.ui.session import NO_MASK_MESSAGE, SuggestionSession
from bertmask_gui.ui.settings import Key
from bertmask_gui.ui.worker import LoadRequest, WorkerThread
from bertmask_gui.ui.writer import WriterTools

log = logging.getLogger(__name__)


class Menus(NamedTuple):
    file: QMenu
    edit: QMenu
    model: QMenu
    help: QMenu


class MainWindow(QMainWindow):
    def __init__(self, model: str, device: str = "auto", top_k: int = 5, worker=None, fast: bool = False):
        super().__init__()
        self.setWindowTitle(APP_NAME)
        self.resize(1100, 640)
        self.model_name, self.device_choice, self.fast = model, device, fast
        self.editor = MaskEditor(self)
        self.panel = SuggestionsPanel(self)
        self.candidates = self.panel.candidates
        self.candidates.chosen.connect(self.fill)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self.editor)
        splitter.addWidget(self.panel)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([640, 420])
        self.setCentralWidget(splitter)
        self.model_label, self.device_label, self.timing_label = QLabel(self), QLabel(self), QLabel(self)
        for label in (self.model_label, self.device_label, self.timing_label):
            self.statusBar().addPermanentWidget(label)

        self._thread = WorkerThread(worker)
        self.worker = self._thread.worker
        self.session = SuggestionSession(self.editor, self.worker, top_k, self)
        self.session.prediction_shown.connect(self._show_prediction)
        self.session.message_shown.connect(self.panel.show_message)
        self.session.status.connect(self.statusBar().showMessage)
        self.session.timing.connect(self.timing_label.setText)
        self.worker.loading.connect(self._on_loading)  # a method, so it runs in this (the GUI) thread
        self.worker.loaded.connect(self._on_loaded)
        self.worker.load_failed.connect(self._on_load_failed)
        self.panel.no_model.downloaded.connect(self.use_model)
        self.panel.no_model.choose_button.clicked.connect(lambda: choose_model(self))
        self.panel.no_model.open_folder_button.clicked.connect(self.choose_model_folder)
        self.menus = self._build_menus()
        self._started = self._closing = False
        self._show_loading(model)
        restore_window(self, self.session)  # geometry and prediction delay from Preferences
        self.documents = DocumentController(self)  # File menu, title, autosave, recovery
        self.writer = WriterTools(self)  # selection mode, fill-all, shortcuts, settings

    @property
    def top_k(self) -> int:
        return self.session.top_k

    def _build_menus(self) -> Menus:
        bar = self.menuBar()
        menus = Menus(bar.addMenu("&File"), bar.addMenu("&Edit"), bar.addMenu("&Model"), bar.addMenu("&Help"))
        self.open_text_action = self.add_action(menus.file, "&Open text…", None, QKeySequence.StandardKey.Open)
        self.open_model_action = self.add_action(menus.file, "Open &model folder…", self.choose_model_folder)
        menus.file.addSeparator()
        self.add_action(menus.file, "&Quit", self.close, QKeySequence.StandardKey.Quit)
        for text, slot, key in (("&Undo", self.editor.undo, "Undo"), ("&Redo", self.editor.redo, "Redo")):
            action = self.add_action(menus.edit, text, slot, getattr(QKeySequence.StandardKey, key))
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)  # the editor handles Ctrl+Z itself
        menus.edit.addSeparator()
        self.predict_action = self.add_action(menus.edit, "&Predict now", self.session.predict_now)
        self.predict_action.setShortcuts([QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")])
        menus.edit.addSeparator()
        prefs = ("Pre&ferences…", lambda: open_preferences(self), QKeySequence.StandardKey.Preferences)
        self.preferences_action = self.add_action(menus.edit, *prefs)
        self.choose_model_action = self.add_action(menus.model, "&Choose model…", lambda: choose_model(self))
        self.add_action(menus.help, "&About BertMask", self._about)
        return menus

    def add_action(self, menu: QMenu | None, text: str, slot=None, shortcut=None) -> QAction:
        """An action of this window (its shortcut works anywhere in it), in ``menu`` if given."""
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if slot is not None:
            action.triggered.connect(slot)
        self.addAction(action)
        if menu is not None:
            menu.addAction(action)
        return action

    # ----------------------------------------------------------- model loading
    def showEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().showEvent(event)
        if not self._started:
            self._started = True
            QTimer.singleShot(0, self._start_worker)  # after the window is on screen: torch loads there

    def _start_worker(self) -> None:
        if self._closing:  # closed before this queued start ran
            return
        startup_trace.trace("window-shown")
        self._thread.start()
        self.worker.request_load(LoadRequest(self.model_name, self.device_choice, self.fast))

    def load_model(self, model: str) -> None:
        """Switch to ``model``; the editor keeps its text."""
        self.model_name = model
        self._show_loading(model)
        if self._started:
            self.worker.request_load(LoadRequest(model, self.device_choice, self.fast))

    def use_model(self, model: str) -> None:
        """Remember ``model`` for next time and load it."""
        settings.save(Key.MODEL, model)
        self.load_model(model)

    def choose_model_folder(self) -> None:
        start = settings.text(Key.MODEL)
        folder = QFileDialog.getExistingDirectory(self, "Open model folder", start if Path(start).is_dir() else "")
        if folder:
            self.use_model(folder)

    def _show_loading(self, model: str) -> None:
        self.session.model_loading()
        self.model_label.setText(display_name(model))
        self.device_label.setText("")
        self.statusBar().showMessage(f"Loading model {display_name(model)}…")
        self.panel.show_message(f"Loading model {display_name(model)}…")

    def _on_loading(self, model: str) -> None:
        self.statusBar().showMessage(f"Loading model {display_name(model)}…")

    def _on_loaded(self, info) -> None:
        self.panel.show_no_model(None)
        self.model_name = info.name
        self.model_label.setText(display_name(info.name))
        self.model_label.setToolTip(info.folder)
        self.editor.highlighter.set_mask_token(info.mask_token)
        self.device_label.setText(info.device.upper() + (" · fast (approximate)" if info.approximate else ""))
        startup_trace.trace("model-loaded")
        message = " ".join(info.notices) or f"Model {display_name(info.name)} ready."
        self.statusBar().showMessage(message, 0 if info.notices else 5000)
        self.session.model_ready(info.mask_token)

    def _on_load_failed(self, failure) -> None:
        self.statusBar().showMessage(f"Could not load {display_name(failure.model)}.")
        if self.worker.predictor is None:
            self.model_label.setText("No model")
            self.panel.show_message(failure.sentence)
            self.panel.show_no_model(failure.model, failure.sentence, failure.missing)
        else:  # the previous model is still loaded and keeps working
            QMessageBox.warning(self, "Model not loaded", failure.sentence)
            self.model_label.setText(display_name(self.worker.predictor.name))
            self.session.model_kept()

    # ------------------------------------------------------------- suggestions
    def _show_prediction(self, text: str, prediction) -> None:
        self.panel.show_prediction(text, prediction, NO_MASK_MESSAGE)
        if prediction.masks and startup_trace.enabled():
            startup_trace.trace("first-candidates")
            QTimer.singleShot(0, self.close)

    def predict_now(self) -> None:
        self.session.predict_now()

    def fill(self, mask_index: int, candidate) -> None:
        """Put ``candidate`` in place of mask ``mask_index`` (one undo step)."""
        span = self.session.mask_span(mask_index)
        if span is None:
            self.statusBar().showMessage("The text changed; pick again from the new suggestions.", 5000)
            return
        edit = fill_edit(self.editor.toPlainText(), span.start, span.end, candidate.token)
        self.editor.replace_span(edit.start, edit.end, edit.replacement)

    # ------------------------------------------------------------------- other
    def load_text_file(self, path: str | Path) -> bool:
        """Put a UTF-8 text file into the editor; say why if it cannot be read."""
        return self.documents.open_path(path)

    def warn(self, sentence: str) -> None:
        self.statusBar().showMessage(sentence, 10000)
        if self.isVisible():
            QMessageBox.warning(self, APP_NAME, sentence)

    def _about(self) -> None:
        QMessageBox.about(
            self,
            f"About {APP_NAME}",
            f"{APP_NAME} {__version__}\n\nExplore word choices with a masked language model: "
            "type [MASK] and pick from the ranked candidates.",
        )

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt API)
        if not self.documents.confirm_close():
            event.ignore()  # the writer chose Cancel: nothing is lost
            return
        self._closing = True
        self.session.stop()
        self.panel.no_model.download.abandon()
        save_window(self)
        self.hide()
        self._thread.shutdown()
        super().closeEvent(event)
