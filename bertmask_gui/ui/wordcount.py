"""The status bar's word count: "212 words", or "14 of 212 words" with a selection.

Counting a long text on every keystroke would cost the writer: a 100,000-word text is
~600,000 characters. So the count is taken after a short pause (``COUNT_DELAY_MS``, the
timer restarted by each change) with ``str.split`` (whitespace-separated words, in C);
a keystroke itself only restarts a timer. benchmarks/bench_typing.py measures it.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QLabel

# After the last change or selection move: long enough that fast typing (~100 ms per key)
# only restarts the timer, short enough to read as immediate.
COUNT_DELAY_MS = 250


def count_words(text: str) -> int:
    """Whitespace-separated words (QTextCursor's selections separate paragraphs with
    U+2029, which ``str.split`` treats as whitespace too)."""
    return len(text.split())


def describe(total: int, selected: int | None = None) -> str:
    noun = "word" if total == 1 else "words"
    if selected is None:
        return f"{total:,} {noun}"
    return f"{selected:,} of {total:,} {noun}"


class WordCount(QObject):
    """A QLabel (objectName ``word_count``) in ``window``'s status bar, kept up to date."""

    def __init__(self, window, delay_ms: int = COUNT_DELAY_MS):
        super().__init__(window)
        self.editor = window.editor
        self.label = QLabel(window.statusBar())
        self.label.setObjectName("word_count")
        self.label.setToolTip("Words in the text (in the selection, when there is one)")
        window.statusBar().insertPermanentWidget(0, self.label)
        self.total = 0
        self.counts = 0  # how many times the whole text was counted (tests, benchmarks)
        self._total_stale = True
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(delay_ms)
        self.timer.timeout.connect(self.update_now)
        self.editor.textChanged.connect(self._text_changed)
        self.editor.selectionChanged.connect(self.timer.start)
        self.update_now()

    def _text_changed(self) -> None:
        self._total_stale = True
        self.timer.start()

    def update_now(self) -> None:
        self.timer.stop()
        if self._total_stale:
            self.total = count_words(self.editor.toPlainText())
            self.counts += 1
            self._total_stale = False
        cursor = self.editor.textCursor()
        selected = count_words(cursor.selectedText()) if cursor.hasSelection() else None
        self.label.setText(describe(self.total, selected))
