"""Model ▸ Choose model…: a short curated list, any Hub id, a folder, and downloads.

The download runs in a QThread (engine/download.py does the work, no Qt there);
Cancel sets a threading.Event the download checks on every chunk. Choosing a model
hands its name to ``MainWindow.load_model``: the worker loads it, the editor keeps
its text. No torch here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from bertmask_gui.engine.models import (
    DEFAULT_MODEL,
    find_local_model,
    is_hub_id,
    is_model_folder,
    looks_like_path,
    unfinished_download,
)
from bertmask_gui.ui import settings
from bertmask_gui.ui.downloads import DownloadProgress
from bertmask_gui.ui.settings import Key

ON_DISK = "on disk"
TO_DOWNLOAD = "to download"


@dataclass(frozen=True)
class CuratedModel:
    repo_id: str
    language: str
    size: str  # the download: weights + tokenizer, as the Hub lists them
    note: str


CURATED = (
    CuratedModel("bert-base-uncased", "English", "440 MB", "the classic; lower-case"),
    CuratedModel("bert-base-cased", "English", "436 MB", "keeps capitals"),
    CuratedModel("distilbert-base-uncased", "English", "268 MB", "faster, a little less accurate"),
    CuratedModel("roberta-base", "English", "500 MB", "stronger on modern text"),
    CuratedModel("bert-base-multilingual-cased", "104 languages", "714 MB", "many languages"),
    CuratedModel("answerdotai/ModernBERT-base", "English", "599 MB", "8k context, strong"),
)


def curated_size(repo_id: str) -> str:
    """The download size of a curated model ("440 MB"), or "" for any other."""
    return next((model.size for model in CURATED if model.repo_id == repo_id), "")


def display_name(model: str) -> str:
    """A folder shows as its last part; a Hub id as itself."""
    path = Path(model)
    return path.name if len(path.parts) > 1 or path.is_dir() else model


class ChooseModelDialog(QDialog):
    """Pick a model; ``chosen_model`` holds the answer after ``accept``."""

    model_chosen = Signal(str)

    def __init__(self, current: str = DEFAULT_MODEL, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Choose model")
        self.setObjectName("chooseModelDialog")
        self.resize(720, 440)
        self.current = current
        self.chosen_model: str | None = None
        self._status: dict[str, str] = {}
        self._build()
        self.refresh_status()
        self._select_initial(current)

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        intro = QLabel(
            "Models marked “on disk” work without internet. Others are downloaded once "
            "(only the files BertMask needs) and kept for offline use.",
            self,
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)

        self.table = QTableWidget(len(CURATED), 4, self)
        self.table.setObjectName("curatedModels")
        self.table.setHorizontalHeaderLabels(["Model", "Language", "Size", "Status"])
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        for row, model in enumerate(CURATED):
            name = QTableWidgetItem(model.repo_id)
            name.setToolTip(model.note)
            name.setData(Qt.ItemDataRole.UserRole, model.repo_id)
            self.table.setItem(row, 0, name)
            self.table.setItem(row, 1, QTableWidgetItem(model.language))
            self.table.setItem(row, 2, QTableWidgetItem(model.size))
            self.table.setItem(row, 3, QTableWidgetItem(""))
        self.table.itemSelectionChanged.connect(self._on_table_selection)
        self.table.itemDoubleClicked.connect(lambda _item: self.use_selected())
        layout.addWidget(self.table)

        id_row = QHBoxLayout()
        id_row.addWidget(QLabel("Any Hugging Face model id:", self))
        self.id_edit = QLineEdit(self)
        self.id_edit.setObjectName("modelIdEdit")
        self.id_edit.setPlaceholderText("e.g. google-bert/bert-large-uncased")
        self.id_edit.textEdited.connect(self._on_id_edited)
        self.id_edit.returnPressed.connect(self.use_selected)
        id_row.addWidget(self.id_edit, 1)
        self.open_folder_button = QPushButton("Open folder…", self)
        self.open_folder_button.clicked.connect(self.open_folder)
        id_row.addWidget(self.open_folder_button)
        layout.addLayout(id_row)

        self.message = QLabel("", self)
        self.message.setObjectName("modelDialogMessage")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.message)

        self.download = DownloadProgress(self)
        self.download.started.connect(self._update_buttons)
        self.download.finished.connect(self._on_finished)
        self.download.failed.connect(self._on_failed)
        layout.addWidget(self.download)

        self.buttons = QDialogButtonBox(self)
        self.use_button = self.buttons.addButton("Use model", QDialogButtonBox.ButtonRole.AcceptRole)
        self.use_button.setObjectName("useModelButton")
        self.use_button.clicked.connect(self.use_selected)
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.close_button.clicked.connect(self.reject)
        layout.addWidget(self.buttons)

    def _select_initial(self, current: str) -> None:
        for row, model in enumerate(CURATED):
            if model.repo_id == current:
                self.table.selectRow(row)
                return
        if current and not looks_like_path(current):
            self.id_edit.setText(current)
        self._update_buttons()

    # ------------------------------------------------------------------ state
    def refresh_status(self) -> None:
        """Mark each curated model "on disk" or "to download" (no network)."""
        for row, model in enumerate(CURATED):
            found = find_local_model(model.repo_id)
            status = ON_DISK if found else TO_DOWNLOAD
            self._status[model.repo_id] = status
            item = self.table.item(row, 3)
            item.setText(status)
            font = item.font()
            font.setBold(bool(found))
            item.setFont(font)
            item.setToolTip(f"{found[0]} ({found[1]})" if found else "Not on this computer yet")
        self._update_buttons()

    def selected_name(self) -> str:
        typed = self.id_edit.text().strip()
        if typed:
            return typed
        rows = self.table.selectionModel().selectedRows()
        return CURATED[rows[0].row()].repo_id if rows else ""

    def _on_table_selection(self) -> None:
        if self.table.selectionModel().selectedRows():
            self.id_edit.blockSignals(True)
            self.id_edit.clear()
            self.id_edit.blockSignals(False)
        self._update_buttons()

    def _on_id_edited(self, _text: str) -> None:
        if self.id_edit.text().strip():
            self.table.clearSelection()
        self._update_buttons()

    def _on_disk(self, name: str) -> bool:
        if name in self._status:
            return self._status[name] == ON_DISK
        return find_local_model(name) is not None

    def _update_buttons(self) -> None:
        name = self.selected_name()
        busy = self.downloading
        self.use_button.setEnabled(bool(name) and not busy)
        self.use_button.setText("Use model" if not name or self._on_disk(name) else "Download and use")
        self.table.setEnabled(not busy)
        self.id_edit.setEnabled(not busy)
        self.open_folder_button.setEnabled(not busy)

    # ---------------------------------------------------------------- actions
    def use_selected(self) -> None:
        name = self.selected_name()
        if not name or self.downloading:
            return
        if self._on_disk(name):
            self._choose(name)
        elif looks_like_path(name) or not is_hub_id(name):
            self.message.setText(
                f"“{name}” is neither a folder on this computer nor a Hugging Face model id "
                "(like “bert-base-uncased” or “org/model”)."
            )
        else:
            self.start_download(name)

    def open_folder(self) -> None:
        start = settings.text(Key.MODEL_FOLDER)
        folder = QFileDialog.getExistingDirectory(self, "Open model folder", start if Path(start).is_dir() else "")
        if folder:
            self.use_folder(folder)

    def use_folder(self, folder: str) -> None:
        path = Path(folder)
        problem = unfinished_download(path)
        if not is_model_folder(path):
            problem = (
                f"“{path}” has no config.json, so it is not a model folder. Choose the folder "
                "that holds config.json, the tokenizer files and *.safetensors weights."
            )
        if problem:
            self.message.setText(problem)
            return
        settings.save(Key.MODEL_FOLDER, str(path))
        self._choose(str(path))

    def _choose(self, name: str) -> None:
        self.chosen_model = name
        self.model_chosen.emit(name)
        self.accept()

    # -------------------------------------------------------------- downloads
    def start_download(self, repo_id: str) -> None:
        self.message.setText(f"Downloading {repo_id}…")
        self.download.start(repo_id)

    @property
    def downloading(self) -> bool:
        return self.download.downloading

    def _on_finished(self, repo_id: str, folder: str) -> None:
        self.refresh_status()
        self._status[repo_id] = ON_DISK
        self.message.setText(f"{repo_id} is downloaded to {folder}.")
        self._choose(repo_id)

    def _on_failed(self, repo_id: str, sentence: str, cancelled: bool) -> None:
        self.message.setText(sentence)
        self._update_buttons()

    def done(self, result: int) -> None:  # noqa: D401 (Qt API) - Close / Esc / accept
        self.download.abandon()  # closing mid-download cancels it (the part is kept)
        super().done(result)


def choose_model(window) -> str | None:
    """Model ▸ Choose model…: run the dialog; a chosen model is loaded by the worker."""
    dialog = ChooseModelDialog(getattr(window, "model_name", DEFAULT_MODEL), window)
    if dialog.exec() == QDialog.DialogCode.Accepted and dialog.chosen_model:
        window.use_model(dialog.chosen_model)
        return dialog.chosen_model
    return None
