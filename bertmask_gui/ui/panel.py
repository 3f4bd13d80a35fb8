"""The right-hand panel: suggestions, fill-all fillings, the score note, and, with no
model on this computer, one obvious way to get one (download it in place)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QLabel, QLineEdit, QListView, QPushButton, QSplitter, QVBoxLayout, QWidget

from bertmask_gui.engine.models import DEFAULT_MODEL, is_hub_id, looks_like_path
from bertmask_gui.ui.candidates import CandidateView, percent
from bertmask_gui.ui.downloads import DownloadProgress
from bertmask_gui.ui.model_dialog import curated_size, display_name

FILL_ROLE = Qt.ItemDataRole.UserRole + 20
TITLE_STYLE = "font-weight: bold; padding: 6px 8px;"
NOTE_STYLE = "color: palette(placeholder-text); padding: 2px 8px 6px 8px;"


class FillAllView(QListView):
    """Complete fillings of every mask, best first; click or Enter fills them all."""

    chosen = Signal(object)  # engine.results.Fill

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("fillAll")
        self.setAccessibleName("Fill all masks")
        self.setModel(QStandardItemModel(self))
        self.setEditTriggers(QListView.EditTrigger.NoEditTriggers)
        self.setMaximumHeight(150)
        self.clicked.connect(self.choose)

    def set_fills(self, fills) -> None:
        model: QStandardItemModel = self.model()
        model.clear()
        for rank, fill in enumerate(fills, start=1):
            item = QStandardItem(f"{rank}. {'  |  '.join(fill.words)}    {percent(fill.score)}")
            item.setData(fill, FILL_ROLE)
            item.setToolTip("Fill every mask with these words (one undo step)")
            model.appendRow(item)

    def choose(self, index) -> None:
        fill = index.data(FILL_ROLE)
        if fill is not None:
            self.chosen.emit(fill)

    def keyPressEvent(self, event) -> None:  # noqa: N802 (Qt API)
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.choose(self.currentIndex())
            return
        super().keyPressEvent(event)


class NoModelBox(QWidget):
    """No model could be loaded: a short explanation and Download / Choose / Open buttons.

    Download runs the same download code as Model ▸ Choose model…, here in the panel.
    """

    downloaded = Signal(str)  # repo id, now on disk

    def __init__(self, parent=None, model: str = DEFAULT_MODEL):
        super().__init__(parent)
        self.setObjectName("noModelBox")
        self.model = model
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        self.explanation = QLabel(self)
        self.explanation.setObjectName("noModelExplanation")
        self.explanation.setWordWrap(True)
        layout.addWidget(self.explanation)
        self.download_button = QPushButton(self)
        self.download_button.setObjectName("downloadDefaultModel")
        self.download_button.setDefault(True)
        self.download_button.clicked.connect(self.start_download)
        layout.addWidget(self.download_button)
        self.choose_button = QPushButton("Choose another model…", self)
        layout.addWidget(self.choose_button)
        self.open_folder_button = QPushButton("Open model folder…", self)
        layout.addWidget(self.open_folder_button)
        self.download = DownloadProgress(self)
        self.download.finished.connect(self._on_finished)
        self.download.failed.connect(self._on_failed)
        layout.addWidget(self.download)
        self.message = QLabel(self)
        self.message.setObjectName("noModelMessage")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.message)
        layout.addStretch(1)
        self.show_for(model)

    def show_for(self, model: str, sentence: str = "", missing: bool = True) -> None:
        """``model`` could not be loaded; ``sentence`` says why, ``missing``: it is not on disk.

        A missing Hub model is offered for download; a folder that vanished or is
        broken makes the default model the one offered.
        """
        self.model = model if is_hub_id(model) and not looks_like_path(model) else DEFAULT_MODEL
        if missing:
            offer = "it" if self.model == model else f"{self.model}"
            sentence = (
                f"{display_name(model)} is not on this computer. Download {offer} once and "
                "BertMask suggests words offline from then on."
            )
        self.explanation.setText(sentence)
        size = curated_size(self.model)
        self.download_button.setText(f"Download {self.model}" + (f" ({size})" if size else ""))
        self.message.setText("")

    def start_download(self) -> None:
        if self.download.downloading:
            return
        self.message.setText("")
        self.download_button.setEnabled(False)
        self.download.start(self.model)

    def _on_finished(self, repo_id: str, _folder: str) -> None:
        self.download.setVisible(False)
        self.download_button.setEnabled(True)
        self.message.setText(f"{repo_id} is downloaded; loading it…")
        self.downloaded.emit(repo_id)

    def _on_failed(self, _repo_id: str, sentence: str, _cancelled: bool) -> None:
        self.download_button.setEnabled(True)
        self.message.setText(sentence)


class SuggestionsPanel(QWidget):
    """Candidates per mask, the fill-all list, a note on the scores; or the no-model box."""

    def __init__(self, parent=None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.title = QLabel("Suggestions", self)
        self.title.setObjectName("panelTitle")
        self.title.setStyleSheet(TITLE_STYLE)
        layout.addWidget(self.title)
        self.candidates = CandidateView(self)
        layout.addWidget(self.candidates)
        self.gloss_line = QLabel(self)  # the current row's meaning and syllables (ui.facts)
        self.gloss_line.setObjectName("glossLine")
        self.gloss_line.setWordWrap(True)
        self.gloss_line.setStyleSheet(NOTE_STYLE)
        layout.addWidget(self.gloss_line)
        self.constraints = QLineEdit(self)  # [MASK rhymes:night …] for the current mask (ui.facts)
        self.constraints.setObjectName("constraints")
        self.constraints.setPlaceholderText("Constraints: rhymes:night syllables:2 starts:s max:6 (Enter)")
        self.constraints.setToolTip(
            "Words for the mask at the cursor (or the selection) must obey these: rhymes:WORD, "
            "syllables:N, starts:LETTERS, max:N letters. Enter applies them; an empty row removes them."
        )
        layout.addWidget(self.constraints)
        self.compare = QLineEdit(self)  # selection mode: the writer's own words, scored beside
        self.compare.setObjectName("compareWith")
        self.compare.setPlaceholderText("Compare with… (your words, separated by spaces; Enter)")
        self.compare.setVisible(False)
        layout.addWidget(self.compare)
        self.no_model = NoModelBox(self)
        self.no_model.setVisible(False)
        layout.addWidget(self.no_model)
        self.fills_title = QLabel("Fill all masks together", self)
        self.fills_title.setObjectName("fillAllTitle")
        self.fills_title.setStyleSheet(TITLE_STYLE)
        layout.addWidget(self.fills_title)
        self.fills_view = FillAllView(self)
        layout.addWidget(self.fills_view)
        self.score_note = QLabel(self)
        self.score_note.setObjectName("scoreNote")
        self.score_note.setWordWrap(True)
        self.score_note.setStyleSheet(NOTE_STYLE)
        layout.addWidget(self.score_note)
        self.show_fills(())

    def show_message(self, sentence: str) -> None:
        self.candidates.model().clear()
        self.candidates.set_message(sentence)

    def show_prediction(self, text: str, prediction, empty_message: str) -> None:
        self.candidates.model().set_prediction(prediction, text)
        self.candidates.set_message("" if prediction.masks else empty_message)

    def show_no_model(self, model: str | None, sentence: str = "", missing: bool = True) -> None:
        """``model`` None: a model is loaded, the suggestions are back."""
        if model is not None:
            self.no_model.show_for(model, sentence, missing)
        self.no_model.setVisible(model is not None)
        self.candidates.setVisible(model is None)

    def show_fills(self, fills, label: str = "") -> None:
        self.fills_view.set_fills(fills)
        self.fills_view.setVisible(bool(fills))
        self.fills_title.setVisible(bool(fills))
        if fills:
            self.fills_title.setText(f"Fill all masks together (% = {label})")

    def show_fills_pending(self) -> None:
        self.fills_title.setText("Fill all masks together: finding complete fillings…")
        self.fills_title.setVisible(True)


def beside(editor: QWidget, panel: QWidget, parent=None) -> QSplitter:
    """The editor on the left (3 parts of the width), the panel on the right (2)."""
    splitter = QSplitter(Qt.Orientation.Horizontal, parent)
    splitter.addWidget(editor)
    splitter.addWidget(panel)
    splitter.setStretchFactor(0, 3)
    splitter.setStretchFactor(1, 2)
    splitter.setSizes([640, 420])
    return splitter
