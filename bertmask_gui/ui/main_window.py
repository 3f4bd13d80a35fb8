"""The main window: editor on the left, prediction panel on the right."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from bertmask_gui import APP_NAME, __version__, startup_trace
from bertmask_gui.engine.masks import Span, find_masks
from bertmask_gui.engine.textops import fill_edit
from bertmask_gui.ui.candidates import CandidateView
from bertmask_gui.ui.editor import MaskEditor
from bertmask_gui.ui.model_dialog import choose_model
from bertmask_gui.ui.preferences import open_preferences, restore_window, save_window
from bertmask_gui.ui.worker import LoadRequest, PredictRequest, WorkerThread

log = logging.getLogger(__name__)

PREDICT_DELAY_MS = 300
MODEL_SETTING = "model/last"
NO_MASK_MESSAGE = (
    "No [MASK] in the text yet.\n\nType [MASK] where you want a word, for example:\n"
    "I really [MASK] the movie."
)


def display_name(model: str) -> str:
    """A folder shows as its last part; a Hub id as itself."""
    path = Path(model)
    return path.name if len(path.parts) > 1 or path.is_dir() else model


class MainWindow(QMainWindow):
    def __init__(self, model: str, device: str = "auto", top_k: int = 5, worker=None, fast: bool = False):
        super().__init__()
        self.setWindowTitle(APP_NAME)
        self.resize(1100, 640)
        self.model_name = model
        self.device_choice = device
        self.fast = fast
        self.top_k = top_k
        self._model_mask_token: str | None = None
        self._model_ready = False
        self._latest_id = 0
        self._shown: tuple[str, object] | None = None  # (text predicted, Prediction)
        self.ignored_results = 0

        self.editor = MaskEditor(self)
        self.candidates = CandidateView(self)
        self.candidates.chosen.connect(self.fill)
        self._build_layout()
        self._build_status_bar()
        self._build_menus()

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(PREDICT_DELAY_MS)
        self._debounce.timeout.connect(self.predict_now)
        self.editor.textChanged.connect(self._debounce.start)

        self._thread = WorkerThread(worker)
        self.worker = self._thread.worker
        self.worker.loading.connect(self._on_loading)
        self.worker.loaded.connect(self._on_loaded)
        self.worker.load_failed.connect(self._on_load_failed)
        self.worker.result_ready.connect(self._on_result)
        self.worker.prediction_failed.connect(self._on_prediction_failed)
        self._started = False
        self._closing = False
        self._show_loading(model)
        restore_window(self)  # geometry and prediction delay from Preferences

        from bertmask_gui.ui.documents import DocumentController
        from bertmask_gui.ui.writer import WriterTools

        self.documents = DocumentController(self)  # File menu, title, autosave, recovery
        self.writer = WriterTools(self)  # selection mode, fill-all, shortcuts, settings

    # ------------------------------------------------------------------ layout
    def _build_layout(self) -> None:
        panel = QWidget(self)
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(0, 0, 0, 0)
        title = QLabel("Suggestions", panel)
        title.setObjectName("panelTitle")
        title.setStyleSheet("font-weight: bold; padding: 6px 8px;")
        layout.addWidget(title)
        layout.addWidget(self.candidates)
        self.open_model_button = QPushButton("Open model folder…", panel)
        self.open_model_button.setVisible(False)  # shown when no model could be loaded
        self.open_model_button.clicked.connect(self.choose_model_folder)
        layout.addWidget(self.open_model_button)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self.editor)
        splitter.addWidget(panel)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([640, 420])
        self.setCentralWidget(splitter)

    def _build_status_bar(self) -> None:
        self.model_label = QLabel(self)
        self.device_label = QLabel(self)
        self.timing_label = QLabel(self)
        for label in (self.model_label, self.device_label, self.timing_label):
            self.statusBar().addPermanentWidget(label)

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.open_text_action = self._action("&Open text…", self._open_text_dialog, QKeySequence.StandardKey.Open)
        file_menu.addAction(self.open_text_action)
        self.open_model_action = self._action("Open &model folder…", self.choose_model_folder)
        file_menu.addAction(self.open_model_action)
        file_menu.addSeparator()
        file_menu.addAction(self._action("&Quit", self.close, QKeySequence.StandardKey.Quit))

        edit_menu = self.menuBar().addMenu("&Edit")
        undo = self._action("&Undo", self.editor.undo, QKeySequence.StandardKey.Undo)
        redo = self._action("&Redo", self.editor.redo, QKeySequence.StandardKey.Redo)
        # The editor handles Ctrl+Z itself; the menu entries are for discoverability.
        for action in (undo, redo):
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            edit_menu.addAction(action)
        edit_menu.addSeparator()
        self.predict_action = self._action("&Predict now", self.predict_now)
        self.predict_action.setShortcuts([QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")])
        edit_menu.addAction(self.predict_action)
        edit_menu.addSeparator()
        self.preferences_action = self._action("Pre&ferences…", lambda: open_preferences(self))
        self.preferences_action.setShortcut(QKeySequence.StandardKey.Preferences)
        edit_menu.addAction(self.preferences_action)

        model_menu = self.menuBar().addMenu("&Model")
        self.choose_model_action = self._action("&Choose model…", lambda: choose_model(self))
        model_menu.addAction(self.choose_model_action)

        help_menu = self.menuBar().addMenu("&Help")
        help_menu.addAction(self._action("&About BertMask", self._about))

    def _action(self, text, slot, shortcut=None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(shortcut)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    # ----------------------------------------------------------- model loading
    def showEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().showEvent(event)
        if not self._started:
            self._started = True
            # Start the worker after the window is on screen: torch loads there.
            QTimer.singleShot(0, self._start_worker)

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

    def choose_model_folder(self) -> None:
        start = QSettings().value(MODEL_SETTING, "", type=str)
        folder = QFileDialog.getExistingDirectory(self, "Open model folder", start if Path(start).is_dir() else "")
        if folder:
            QSettings().setValue(MODEL_SETTING, folder)
            self.load_model(folder)

    def _show_loading(self, model: str) -> None:
        self._model_ready = False
        self.model_label.setText(display_name(model))
        self.device_label.setText("")
        self.statusBar().showMessage(f"Loading model {display_name(model)}…")
        self.candidates.model().clear()
        self.candidates.set_message(f"Loading model {display_name(model)}…")

    def _on_loading(self, model: str) -> None:
        self.statusBar().showMessage(f"Loading model {display_name(model)}…")

    def _on_loaded(self, info: dict) -> None:
        self._model_ready = True
        self.open_model_button.setVisible(False)
        self.model_name = info["name"]
        self.model_label.setText(display_name(info["name"]))
        self.model_label.setToolTip(info["folder"])
        self._model_mask_token = info["mask_token"]
        self.editor.highlighter.set_mask_token(self._model_mask_token)
        self.device_label.setText(info["device"].upper() + (" · fast (approximate)" if info.get("approximate") else ""))
        startup_trace.trace("model-loaded")
        message = " ".join(info["notices"]) or f"Model {display_name(info['name'])} ready."
        self.statusBar().showMessage(message, 0 if info["notices"] else 5000)
        self.predict_now()

    def _on_load_failed(self, model: str, sentence: str) -> None:
        self.statusBar().showMessage(f"Could not load {display_name(model)}.")
        if self.worker.predictor is None:
            self.open_model_button.setVisible(True)
            self.model_label.setText("No model")
            self.candidates.model().clear()
            self.candidates.set_message(sentence)
        else:  # the previous model is still loaded and keeps working
            QMessageBox.warning(self, "Model not loaded", sentence)
            self._model_ready = True
            self.model_label.setText(display_name(self.worker.predictor.name))

    # ------------------------------------------------------------- predicting
    def predict_now(self) -> None:
        """Ask for candidates for the current text (newest request wins)."""
        self._debounce.stop()
        text = self.editor.toPlainText()
        if not find_masks(text, self._model_mask_token):
            self._latest_id += 1  # any prediction in flight is now stale
            self._shown = None
            self.candidates.model().clear()
            self.candidates.set_message(NO_MASK_MESSAGE)
            return
        if not self._model_ready:
            return  # predicted as soon as the model is loaded
        self._latest_id += 1
        self.worker.request_prediction(PredictRequest(self._latest_id, text, self.top_k, **self.writer.request_options()))

    def _on_result(self, request_id: int, prediction) -> None:
        if request_id != self._latest_id:
            self.ignored_results += 1
            return
        text = self.editor.toPlainText()
        self._shown = (text, prediction)
        self.candidates.model().set_prediction(prediction, text)
        self.candidates.set_message("" if prediction.masks else NO_MASK_MESSAGE)
        self.timing_label.setText(f"{prediction.seconds * 1000:.0f} ms")
        if prediction.note:
            self.statusBar().showMessage(prediction.note, 10000)
        self._request_fill_all(text, prediction)
        if prediction.masks and startup_trace.enabled():
            startup_trace.trace("first-candidates")
            QTimer.singleShot(0, self.close)

    def _request_fill_all(self, text: str, prediction) -> None:
        """Per-mask lists are shown: now ask for the joint fillings of several masks."""
        from bertmask_gui.engine.options import MAX_JOINT_MASKS

        if (
            prediction.mode == "words"
            and not prediction.fills
            and 2 <= len(prediction.masks) <= MAX_JOINT_MASKS
            and self.writer.options.get("fill_all")
        ):
            self._latest_id += 1
            options = self.writer.request_options(fill_all=True)
            self.worker.request_prediction(PredictRequest(self._latest_id, text, self.top_k, **options))
            self.writer.show_fill_all_pending()

    def _on_prediction_failed(self, request_id: int, sentence: str) -> None:
        if request_id != self._latest_id:
            return
        self._shown = None
        self.candidates.model().clear()
        self.candidates.set_message(sentence)
        self.statusBar().showMessage(sentence, 10000)

    # ----------------------------------------------------------------- filling
    def fill(self, mask_index: int, candidate) -> None:
        """Put ``candidate`` in place of mask ``mask_index`` (one undo step)."""
        span = self._current_span(mask_index)
        if span is None:
            self.statusBar().showMessage("The text changed; pick again from the new suggestions.", 5000)
            return
        edit = fill_edit(self.editor.toPlainText(), span.start, span.end, candidate.token)
        self.editor.replace_span(edit.start, edit.end, edit.replacement)

    def _current_span(self, mask_index: int) -> Span | None:
        if self._shown is None:
            return None
        shown_text, prediction = self._shown
        text = self.editor.toPlainText()
        if text == shown_text and mask_index < len(prediction.masks):
            mask = prediction.masks[mask_index]
            return Span(mask.start, mask.end)
        if getattr(prediction, "mode", None) == "span":
            return None  # a selection's offsets are only valid for the text they came from
        spans = find_masks(text, self._model_mask_token)
        if len(spans) == len(prediction.masks):
            return spans[mask_index]
        return None

    # ------------------------------------------------------------------- files
    def load_text_file(self, path: str | Path) -> bool:
        """Put a UTF-8 text file into the editor; say why if it cannot be read."""
        if hasattr(self, "documents"):
            return self.documents.open_path(path)
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            self._warn(f"“{path.name}” is not UTF-8 text, so it was not opened.")
            return False
        except OSError as exc:
            self._warn(f"“{path}” could not be opened: {exc.strerror or exc}.")
            return False
        self.editor.setPlainText(text)
        self.setWindowTitle(f"{path.name} — {APP_NAME}")
        return True

    def _open_text_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open text", "", "Text (*.txt *.md);;All files (*)")
        if path:
            self.load_text_file(path)

    def _warn(self, sentence: str) -> None:
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

    # ---------------------------------------------------------------- closing
    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt API)
        if not self.documents.confirm_close():
            event.ignore()  # the writer chose Cancel: nothing is lost
            return
        self._closing = True
        self._debounce.stop()
        save_window(self)
        self.hide()
        self._thread.shutdown()
        super().closeEvent(event)
