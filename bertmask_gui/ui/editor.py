"""The text editor: masks highlighted, fills applied in place as one undo step."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFont, QSyntaxHighlighter, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QPlainTextEdit

from bertmask_gui.engine.masks import mask_regex
from bertmask_gui.ui.filedrop import dropped_file


def qt_position(text: str, index: int) -> int:
    """Python string index -> QTextDocument position (Qt counts UTF-16 units)."""
    prefix = text[:index]
    return index + sum(1 for ch in prefix if ord(ch) > 0xFFFF)


class MaskHighlighter(QSyntaxHighlighter):
    """Paints every [MASK] (and the model's own mask token) so it stands out."""

    def __init__(self, document, model_mask_token: str | None = None):
        super().__init__(document)
        self._format = QTextCharFormat()
        self._format.setBackground(QColor("#ffe08a"))
        self._format.setForeground(QColor("#5a3e00"))
        self._format.setFontWeight(QFont.Weight.Bold)
        self.set_mask_token(model_mask_token)

    def set_mask_token(self, model_mask_token: str | None) -> None:
        self._regex = mask_regex(model_mask_token)
        self.rehighlight()

    def highlightBlock(self, text: str) -> None:  # noqa: N802 (Qt override)
        for match in self._regex.finditer(text):
            start = qt_position(text, match.start())
            self.setFormat(start, qt_position(text, match.end()) - start, self._format)


class MaskEditor(QPlainTextEdit):
    """A plain-text editor for the writer's text."""

    file_dropped = Signal(object)  # a .txt/.md file dropped on it: a Path (ui.filedrop opens it)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("editor")
        self.setTabChangesFocus(False)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        font = self.font()
        font.setPointSizeF(max(font.pointSizeF(), 11.0) * 1.15)
        self.setFont(font)
        self.setPlaceholderText(
            "Type a sentence and put [MASK] where you want word suggestions, e.g.\n"
            "I really [MASK] the movie. It was quite interesting."
        )
        self.highlighter = MaskHighlighter(self.document())
        self.marks: dict[str, list] = {}  # owner -> its ExtraSelections (explanations, checker…)

    def set_marks(self, owner: str, selections: list) -> None:
        """Show ``owner``'s marks (QTextEdit.ExtraSelection) beside everyone else's."""
        self.marks[owner] = list(selections)
        self.setExtraSelections([s for marks in self.marks.values() for s in marks])

    # A dropped text file is opened, not pasted as its path (ui.filedrop).
    def dragEnterEvent(self, event) -> None:  # noqa: N802 (Qt API)
        if dropped_file(event.mimeData()) is not None:
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event) -> None:  # noqa: N802 (Qt API)
        if dropped_file(event.mimeData()) is not None:
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event) -> None:  # noqa: N802 (Qt API)
        path = dropped_file(event.mimeData())
        if path is None:
            super().dropEvent(event)
            return
        event.acceptProposedAction()
        self.file_dropped.emit(path)

    def replace_span(self, start: int, end: int, replacement: str, join: bool = False) -> None:
        """Replace text[start:end] (Python indices) as ONE undo step; ``join``: as part
        of the previous step (a word tried in place after another: one Ctrl+Z undoes all).

        The cursor ends right after the inserted text, ready to keep typing.
        """
        text = self.toPlainText()
        cursor = QTextCursor(self.document())
        cursor.setPosition(qt_position(text, start))
        cursor.setPosition(qt_position(text, end), QTextCursor.MoveMode.KeepAnchor)
        if join:
            cursor.joinPreviousEditBlock()
        else:
            cursor.beginEditBlock()
        cursor.insertText(replacement)
        cursor.endEditBlock()
        self.setTextCursor(cursor)
        self.setFocus(Qt.FocusReason.OtherFocusReason)

    def apply_edits(self, edits: list[tuple[int, int, str]]) -> None:
        """Several replacements (Python indices into the current text) as ONE undo step."""
        text = self.toPlainText()
        cursor = QTextCursor(self.document())
        cursor.beginEditBlock()
        end_of_last = None
        for start, end, replacement in sorted(edits, key=lambda e: e[0], reverse=True):
            cursor.setPosition(qt_position(text, start))
            cursor.setPosition(qt_position(text, end), QTextCursor.MoveMode.KeepAnchor)
            cursor.insertText(replacement)
            if end_of_last is None:
                end_of_last = cursor.position()
        cursor.endEditBlock()
        if end_of_last is not None:
            cursor.setPosition(end_of_last)
        self.setTextCursor(cursor)
        self.setFocus(Qt.FocusReason.OtherFocusReason)
