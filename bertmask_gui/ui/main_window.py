"""The main window: editor on the left, suggestions panel on the right."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMessageBox

from bertmask_gui import APP_NAME, startup_trace
from bertmask_gui.ui import settings
from bertmask_gui.ui.documents import DocumentController
from bertmask_gui.ui.editor import MaskEditor
from bertmask_gui.ui.menus import build_menus
from bertmask_gui.ui.model_dialog import choose_model, display_name
from bertmask_gui.ui.panel import SuggestionsPanel, beside
from bertmask_gui.ui.preferences import restore_window, save_window
from bertmask_gui.ui.session import NO_MASK_MESSAGE, SuggestionSession
from bertmask_gui.ui.settings import Key
from bertmask_gui.ui.status import StatusLine
from bertmask_gui.ui.worker import LoadRequest, WorkerThread
from bertmask_gui.ui.checker import CheckerView
from bertmask_gui.ui.explore import ExploreView
from bertmask_gui.ui.facts import WordFacts
from bertmask_gui.ui.writer import WriterTools
from bertmask_gui.ui.filedrop import FileDrop
from bertmask_gui.ui.findbar import install_find_bar
from bertmask_gui.ui.view import ViewOptions
from bertmask_gui.ui.wordcount import WordCount


class MainWindow(QMainWindow):
    def __init__(
        self, model: str, device: str = "auto", top_k: int = 5, worker=None, fast: bool = False, engine: str | None = None
    ):
        super().__init__()
        self.setWindowTitle(APP_NAME)
        self.resize(1100, 640)
        self.model_name, self.device_choice, self.fast = model, device, fast
        self.engine_choice = engine or settings.engine()  # options.ENGINE_CHOICES
        self.editor = MaskEditor(self)
        self.panel = SuggestionsPanel(self)
        self.candidates = self.panel.candidates
        self.candidates.chosen.connect(self.fill)
        self.setCentralWidget(beside(self.editor, self.panel, self))
        self.status_line = StatusLine(self.statusBar())
        self.worker_thread = WorkerThread(worker)
        self.worker = self.worker_thread.worker
        self.session = SuggestionSession(self.editor, self.worker, top_k, self)
        self.session.prediction_shown.connect(self._show_prediction)
        self.session.message_shown.connect(self.panel.show_message)
        self.session.status.connect(self.statusBar().showMessage)
        self.session.timing.connect(self.status_line.timing_label.setText)
        self.worker.loading.connect(self.status_line.loading)  # a QObject's method: queued to this thread
        self.worker.loaded.connect(self._on_loaded)
        self.worker.load_failed.connect(self._on_load_failed)
        self.worker.engine_changed.connect(self.status_line.engine_changed)
        self.panel.no_model.downloaded.connect(self.use_model)
        self.panel.no_model.choose_button.clicked.connect(lambda: choose_model(self))
        self.panel.no_model.open_folder_button.clicked.connect(self.choose_model_folder)
        self.menus = build_menus(self)
        self._started = self._closing = False
        self.startup_warnings: list[str] = []  # said in a dialog once the window shows
        self._show_loading(model)
        restore_window(self, self.session)  # geometry and prediction delay from Preferences
        self.documents = DocumentController(self)  # File menu, title, autosave, recovery
        self.writer = WriterTools(self)  # selection mode, fill-all, shortcuts, settings
        self.explore = ExploreView(self, self.writer)  # why this word, unusual words
        self.checker = CheckerView(self, self.writer)  # the draft checker: errors and their fixes
        self.find = install_find_bar(self)  # Edit ▸ Find / Replace, a bar under the editor
        self.view = ViewOptions(self)  # View ▸ zoom, readable column; the editor's font
        self.word_count = WordCount(self)  # "212 words" in the status bar
        self.file_drop = FileDrop(self)  # drop a .txt/.md file to open it
        self.facts = WordFacts(self)  # the gloss line, the constraints row

    @property
    def top_k(self) -> int:
        return self.session.top_k

    # ----------------------------------------------------------- model loading
    def showEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().showEvent(event)
        if not self._started:
            self._started = True
            QTimer.singleShot(0, self._start_worker)  # after the window is on screen: torch loads there
            QTimer.singleShot(0, self.say_startup_warnings)

    def _start_worker(self) -> None:
        if self._closing:  # closed before this queued start ran
            return
        startup_trace.trace("window-shown")
        self.worker_thread.start()
        self.worker.request_load(LoadRequest(self.model_name, self.device_choice, self.fast, self.engine_choice))

    def load_model(self, model: str) -> None:
        """Switch to ``model``; the editor keeps its text."""
        self.model_name = model
        self._show_loading(model)
        if self._started:
            self.worker.request_load(LoadRequest(model, self.device_choice, self.fast, self.engine_choice))

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
        self.status_line.loading(model)
        self.panel.show_message(f"Loading model {display_name(model)}…")

    def _on_loaded(self, info) -> None:
        self.panel.show_no_model(None)
        self.model_name = info.name
        self.editor.highlighter.set_mask_token(info.mask_token)
        self.status_line.loaded(info)
        startup_trace.trace("model-loaded")
        self.session.model_ready(info.mask_token)

    def _on_load_failed(self, failure) -> None:
        kept = self.worker.predictor.name if self.worker.predictor is not None else None
        self.status_line.failed(failure.model, kept)
        if kept is None:
            self.panel.show_message(failure.sentence)
            self.panel.show_no_model(failure.model, failure.sentence, failure.missing)
        else:  # the previous model is still loaded and keeps working
            QMessageBox.warning(self, "Model not loaded", failure.sentence)
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
        """Put ``candidate`` in place of mask ``mask_index`` (one undo step); its list
        stays, to try the others in place (ui.cycling)."""
        self.writer.cycler.fill(mask_index, candidate)

    # ------------------------------------------------------------------- other
    def load_text_file(self, path: str | Path) -> bool:
        """Put a UTF-8 text file into the editor; say why if it cannot be read."""
        return self.documents.open_path(path)

    def warn(self, sentence: str) -> None:
        self.statusBar().showMessage(sentence, 10000)
        if self.isVisible():
            QMessageBox.warning(self, APP_NAME, sentence)
        else:  # e.g. a file given at start that cannot be read: the status bar is overwritten
            self.startup_warnings.append(sentence)

    def say_startup_warnings(self) -> None:
        """What went wrong before the window showed, in a dialog once it is on screen."""
        pending, self.startup_warnings = self.startup_warnings, []
        for sentence in pending:
            QMessageBox.warning(self, APP_NAME, sentence)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt API)
        if not self.documents.confirm_close():
            event.ignore()  # the writer chose Cancel: nothing is lost
            return
        self._closing = True
        self.session.stop()
        self.panel.no_model.download.abandon()
        save_window(self)
        self.hide()
        self.worker_thread.shutdown()
        super().closeEvent(event)
