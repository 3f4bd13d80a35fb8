"""The prediction panel: candidates per mask, each with a probability bar."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QAbstractListModel, QModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import QListView, QStyle, QStyledItemDelegate

SCORE_ROLE = Qt.ItemDataRole.UserRole + 1
HEADER_ROLE = Qt.ItemDataRole.UserRole + 2
MASK_ROLE = Qt.ItemDataRole.UserRole + 3
CANDIDATE_ROLE = Qt.ItemDataRole.UserRole + 4
RANK_ROLE = Qt.ItemDataRole.UserRole + 5

CONTEXT_CHARS = 24


@dataclass(frozen=True)
class _Row:
    mask_index: int
    label: str
    candidate: object | None = None  # engine Candidate; None for a header row
    rank: int = 0


def mask_context(text: str, start: int, end: int, width: int = CONTEXT_CHARS) -> str:
    """“…really ___ the movie…”: where a mask sits, on one line."""
    before = _squeeze(text[max(0, start - width) : start])
    after = _squeeze(text[end : end + width])
    lead = "…" if start > width else ""
    tail = "…" if end + width < len(text) else ""
    return f"{lead}{before.lstrip()}___{after.rstrip()}{tail}"


def _squeeze(text: str) -> str:
    """Runs of whitespace as one space, keeping a leading/trailing space if any."""
    inner = " ".join(text.split())
    lead = " " if text[:1].isspace() else ""
    tail = " " if text[-1:].isspace() else ""
    return f"{lead}{inner}{tail}" if inner else (" " if text else "")


def percent(score: float) -> str:
    """61.2% / 0.4% / 0.03% / < 0.01%: one decimal, two below 0.1%, and below 0.01% a
    bound a writer reads at a glance (not "0.00%" or ".0017%")."""
    if score >= 0.0005:
        return f"{score * 100:.1f}%"
    return f"{score * 100:.2f}%" if score >= 0.0001 else "< 0.01%"


def definition_of(candidate) -> str | None:
    """The candidate's gloss: the sense chosen in context when the engine gave one, else
    WordNet's first sense (lexicon, no model work: a preliminary list has none yet)."""
    given = getattr(candidate, "definition", None)
    if given:
        return given
    from bertmask_gui.lexicon import glosses

    return glosses.gloss(candidate.token)


def syllables_of(candidate) -> str:
    """``2`` (CMU) or ``2?`` (estimated from the spelling); "" for no word."""
    count = getattr(candidate, "syllables", None)
    estimated = getattr(candidate, "syllables_estimated", False)
    if count is None:
        from bertmask_gui.lexicon import pronunciations

        found = pronunciations.syllables(candidate.token)
        count, estimated = (found.count, found.estimated) if found else (None, False)
    return "" if count is None else f"{count}{'?' if estimated else ''}"


def facts_tip(candidate) -> str:
    """The tooltip's facts: the meaning here and the syllables."""
    lines = []
    definition = definition_of(candidate)
    lines.append(f"Meaning: {definition}" if definition else "No meaning in WordNet for this word.")
    count = syllables_of(candidate)
    if count:
        estimated = count.endswith("?")
        plural = "" if count.rstrip("?") == "1" else "s"
        lines.append(f"{count.rstrip('?')} syllable{plural}" + (" (estimated from the spelling)" if estimated else ""))
    return "\n".join(lines)


def _mark(candidate, placed: bool = False) -> str:
    """Marks the word now in the text, the writer's own word, and compared words."""
    if placed:
        return "  ◂ in the text"
    if getattr(candidate, "original", False):
        return "  (your word)"
    return "  (compared)" if getattr(candidate, "compared", False) else ""


class CandidateListModel(QAbstractListModel):
    """Rows: for each mask a header, then its candidates, best first."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[_Row] = []
        self.placed: tuple[int, int] | None = None  # (mask, candidate index) now in the text
        self.tips: dict[int, str] = {}  # row -> an explanation for its tooltip

    def mark_placed(self, mask_index: int, candidate_index: int) -> None:
        self.placed = (mask_index, candidate_index)
        self.dataChanged.emit(self.index(0, 0), self.index(max(0, len(self._rows) - 1), 0))

    def set_tip(self, row: int, tip: str) -> None:
        self.tips[row] = tip
        self.dataChanged.emit(self.index(row, 0), self.index(row, 0))

    def set_prediction(self, prediction, text: str) -> None:
        rows: list[_Row] = []
        several = len(prediction.masks) > 1
        for i, mask in enumerate(prediction.masks):
            where = mask_context(text, mask.start, mask.end)
            title = f"Mask {i + 1} of {len(prediction.masks)}: {where}" if several else where
            rows.append(_Row(i, title))
            for rank, candidate in enumerate(mask.candidates, start=1):
                rows.append(_Row(i, candidate.token, candidate, rank))
        self.beginResetModel()
        self._rows = rows
        self.placed, self.tips = None, {}
        self.endResetModel()

    def clear(self) -> None:
        self.beginResetModel()
        self._rows = []
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 (Qt API)
        return 0 if parent.isValid() else len(self._rows)

    def flags(self, index):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        if self._rows[index.row()].candidate is None:
            return Qt.ItemFlag.ItemIsEnabled
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        candidate = row.candidate
        if role == Qt.ItemDataRole.DisplayRole:
            placed = self.placed == (row.mask_index, (row.rank or 0) - 1)
            return row.label if candidate is None else f"{row.label}{_mark(candidate, placed)}  {percent(candidate.score)}"
        if role == Qt.ItemDataRole.ToolTipRole and candidate is not None:
            tip = f"{candidate.token}: {percent(candidate.score)} (click or Enter to use it)\n{facts_tip(candidate)}"
            return f"{tip}\n{self.tips[index.row()]}" if index.row() in self.tips else tip
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return self.data(index)
        if role == HEADER_ROLE:
            return candidate is None
        if role == MASK_ROLE:
            return row.mask_index
        if role == CANDIDATE_ROLE:
            return candidate
        if role == SCORE_ROLE:
            return None if candidate is None else candidate.score
        if role == RANK_ROLE:
            return row.rank
        return None

    def candidate_rows(self, mask_index: int) -> list[int]:
        return [i for i, r in enumerate(self._rows) if r.mask_index == mask_index and r.candidate]


class CandidateDelegate(QStyledItemDelegate):
    """Draws a candidate as: rank, word, a bar as long as its probability, the number."""

    BAR_COLOR = QColor("#4f8fd6")

    def sizeHint(self, option, index) -> QSize:  # noqa: N802 (Qt API)
        height = option.fontMetrics.height()
        return QSize(200, height + (14 if index.data(HEADER_ROLE) else 10))

    def paint(self, painter: QPainter, option, index) -> None:
        painter.save()
        palette = option.palette
        rect = option.rect
        if index.data(HEADER_ROLE):
            self._paint_header(painter, option, index)
            painter.restore()
            return
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        hovered = bool(option.state & QStyle.StateFlag.State_MouseOver)
        if selected:
            painter.fillRect(rect, palette.highlight())
        elif hovered:
            painter.fillRect(rect, palette.alternateBase())
        text_color = palette.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        )
        candidate = index.data(CANDIDATE_ROLE)
        metrics = option.fontMetrics
        pad = 8
        rank_width = metrics.horizontalAdvance("9. ")
        number_width = metrics.horizontalAdvance("< 0.01%") + pad
        syllable_width = metrics.horizontalAdvance("99?") + pad
        word_width = max(80, int(rect.width() * 0.38))
        bar_left = rect.left() + pad + rank_width + word_width
        bar_room = max(10, rect.right() - number_width - syllable_width - bar_left - pad)

        painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText) if not selected else text_color)
        painter.drawText(
            QRect(rect.left() + pad, rect.top(), rank_width, rect.height()),
            Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
            f"{index.data(RANK_ROLE)}.",
        )
        painter.setPen(text_color)
        word = metrics.elidedText(candidate.token + _mark(candidate, _is_placed(index)), Qt.TextElideMode.ElideRight, word_width - pad)
        painter.drawText(
            QRect(rect.left() + pad + rank_width, rect.top(), word_width, rect.height()),
            Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
            word,
        )
        bar_height = max(6, rect.height() // 3)
        bar = QRect(
            bar_left,
            rect.top() + (rect.height() - bar_height) // 2,
            max(2, round(bar_room * min(1.0, candidate.score))),
            bar_height,
        )
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(text_color if selected else self.BAR_COLOR)
        painter.drawRoundedRect(bar, 3, 3)
        self._paint_syllables(painter, option, candidate, QRect(
            rect.right() - number_width - syllable_width, rect.top(), syllable_width, rect.height()), selected)
        painter.setPen(text_color)
        painter.drawText(
            QRect(rect.right() - number_width, rect.top(), number_width - pad, rect.height()),
            Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
            percent(candidate.score),
        )
        painter.restore()

    @staticmethod
    def _paint_syllables(painter: QPainter, option, candidate, box: QRect, selected: bool) -> None:
        """The syllable count as a small figure (``2``; ``2?`` when estimated)."""
        count = syllables_of(candidate)
        if not count:
            return
        font = QFont(option.font)
        font.setPointSizeF(max(6.0, font.pointSizeF() * 0.8))
        painter.setFont(font)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.PlaceholderText
        painter.setPen(option.palette.color(role))
        painter.drawText(box, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignCenter, count)
        painter.setFont(option.font)

    @staticmethod
    def _paint_header(painter: QPainter, option, index) -> None:
        rect = option.rect
        palette = option.palette
        painter.fillRect(rect, palette.color(QPalette.ColorRole.Window))
        font = option.font
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(palette.color(QPalette.ColorRole.WindowText))
        text = QFontMetrics(font).elidedText(index.data(), Qt.TextElideMode.ElideRight, rect.width() - 16)
        painter.drawText(
            rect.adjusted(8, 4, -8, 0), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, text
        )


class CandidateView(QListView):
    """The list the writer clicks; says in words why it is empty."""

    chosen = Signal(int, object)  # mask index, engine Candidate

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("candidates")
        self.setAccessibleName("Candidates")
        self.setModel(CandidateListModel(self))
        self.setItemDelegate(CandidateDelegate(self))
        self.setMouseTracking(True)
        self.setUniformItemSizes(False)
        self.setSelectionMode(QListView.SelectionMode.SingleSelection)
        self.setVerticalScrollMode(QListView.ScrollMode.ScrollPerPixel)
        self._message = ""
        self.clicked.connect(self._choose)

    def set_message(self, message: str) -> None:
        """Shown in the empty panel: what is happening or what to do."""
        self._message = message
        self.viewport().update()

    def message(self) -> str:
        return self._message

    def _choose(self, index) -> None:
        candidate = index.data(CANDIDATE_ROLE)
        if candidate is not None:
            self.chosen.emit(index.data(MASK_ROLE), candidate)

    def keyPressEvent(self, event) -> None:  # noqa: N802 (Qt API)
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self._choose(self.currentIndex())
            return
        super().keyPressEvent(event)

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().paintEvent(event)
        if self.model().rowCount() == 0 and self._message:
            painter = QPainter(self.viewport())
            painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(
                self.viewport().rect().adjusted(16, 16, -16, -16),
                Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignHCenter | Qt.TextFlag.TextWordWrap,
                self._message,
            )
            painter.end()


def _is_placed(index) -> bool:
    """Whether the row at ``index`` is the word now in the text (a filled slot)."""
    placed = index.model().placed
    return placed is not None and placed == (index.data(MASK_ROLE), (index.data(RANK_ROLE) or 0) - 1)
