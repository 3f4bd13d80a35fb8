"""Why this word and which words stand out, painted in the editor.

- **Why this word**: when a candidate is current in the list, the context words that
  most support it (occlusion, ``Predictor.explain``) are shaded, by strength, and its
  tooltip names them.
- **Highlight unusual words** (View menu): after a typing pause, the words of the
  paragraph at the cursor are scored in place (``Predictor.score_words``); the least
  expected get a quiet dotted underline whose strength follows the score (errors are the
  draft checker's, ui.checker). Clicking one asks for
  its alternatives (selection mode).

Both run in the worker (``ExploreRequest``), never on the GUI thread; a keystroke
abandons them (``PredictionWorker.cancel_explore``) and clears what no longer matches.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QAction, QColor, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QTextEdit

from bertmask_gui.ui.candidates import CANDIDATE_ROLE, MASK_ROLE
from bertmask_gui.ui.editor import qt_position
from bertmask_gui.ui.worker import ExploreRequest
from bertmask_gui.ui.writer import python_index

SUPPORT_SHOWN = 3  # context words shaded for a candidate
UNUSUAL_SHARE = 7  # the least expected 1/7 of a paragraph's words are underlined
SHADE = QColor(80, 140, 255)
# Unusual is not wrong: a dotted slate underline, never the red wave of an error (ui.checker).
UNDERLINE = QColor(90, 110, 150)


class ExploreView(QObject):
    """Explanation shading and unusual-word underlines for a MainWindow's editor."""

    def __init__(self, window, writer):
        super().__init__(window)
        self.window, self.writer = window, writer
        self.editor, self.worker, self.session = window.editor, window.worker, window.session
        self.latest_id = 0
        self.shading: list = []  # ExtraSelections: why the current candidate
        self.underlines: list = []
        self.unusual: list[tuple[int, int, float]] = []  # (start, end, log score) underlined
        self.supporting: list = []  # engine Influence shaded
        self.explained_row = -1  # the list row whose candidate is explained
        self.pause = QTimer(self)
        self.pause.setSingleShot(True)
        self.pause.setInterval(window.session.debounce.interval())
        self.pause.timeout.connect(self.score_paragraph)
        self.action = QAction("Highlight &unusual words", window)
        self.action.setCheckable(True)
        self.action.toggled.connect(self.set_unusual)
        view = window.menuBar().addMenu("&View")
        window.menuBar().insertMenu(window.menus.help.menuAction(), view)
        view.addAction(self.action)
        self.editor.textChanged.connect(self._typed)
        self.editor.cursorPositionChanged.connect(self._moved)
        self.editor.viewport().installEventFilter(self)
        self.worker.explored.connect(self._on_explored)
        window.candidates.selectionModel().currentChanged.connect(self.explain_current)
        window.candidates.model().modelReset.connect(self._clear_shading)

    # ---------------------------------------------------------- requests
    def set_unusual(self, on: bool) -> None:
        if on:
            self.score_paragraph()
        else:
            self.underlines, self.unusual = [], []
            self._paint()

    def score_paragraph(self) -> None:
        """Score the words of the paragraph at the cursor, in the background."""
        if not (self.action.isChecked() and self.session.ready):
            return
        text = self.editor.toPlainText()
        start, end = self._paragraph(text)
        if start < end:
            self._ask(ExploreRequest(self._next_id(), "score", text, start, end))

    def explain_current(self, current, _previous=None) -> None:
        """Shade what supports the list's current candidate."""
        self._clear_shading()
        candidate = current.data(CANDIDATE_ROLE) if current.isValid() else None
        span = self.session.mask_span(current.data(MASK_ROLE) or 0) if candidate is not None else None
        if span is None or not self.session.ready:
            return
        request = ExploreRequest(self._next_id(), "explain", self.editor.toPlainText(), span.start, span.end, candidate.token)
        self.explained_row = current.row()
        self._ask(request)

    def _ask(self, request: ExploreRequest) -> None:
        self.worker.request_explore(request)

    def _next_id(self) -> int:
        self.latest_id += 1
        return self.latest_id

    # ----------------------------------------------------------- results
    def _on_explored(self, request, found) -> None:
        if request.kind not in ("score", "explain") or request.text != self.editor.toPlainText():
            return  # the text changed since: stale
        if request.kind == "score":
            self._underline(found)
        elif request.kind == "explain" and request.request_id == self.latest_id:
            self._shade(found)

    def _underline(self, scores) -> None:
        ranked = sorted(scores, key=lambda s: s.log_score)[: max(1, len(scores) // UNUSUAL_SHARE)] if scores else []
        self.unusual = [(s.start, s.end, s.log_score) for s in ranked]
        self.underlines = []
        for rank, s in enumerate(ranked):
            colour = QColor(UNDERLINE)
            colour.setAlpha(int(255 - 165 * rank / max(1, len(ranked))))  # least expected: strongest
            fmt = QTextCharFormat()
            fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DotLine)  # quieter than an error's wave
            fmt.setUnderlineColor(colour)
            fmt.setToolTip(f"Unusual here: log P = {s.log_score:.1f} (click for alternatives)")
            self.underlines.append(self._selection(s.start, s.end, fmt))
        self._paint()

    def _shade(self, influences) -> None:
        self.supporting = [i for i in influences if i.influence > 0][:SUPPORT_SHOWN]
        top = self.supporting[0].influence if self.supporting else 1.0
        self.shading = []
        for i in self.supporting:
            colour = QColor(SHADE)
            colour.setAlpha(int(40 + 120 * i.influence / top))
            fmt = QTextCharFormat()
            fmt.setBackground(colour)
            self.shading.append(self._selection(i.start, i.end, fmt))
        words = ", ".join(f"“{i.word}” ({i.influence:+.1f})" for i in self.supporting)
        self.window.candidates.model().set_tip(
            self.explained_row, f"Supported most by {words}." if words else "No context word supports it more than the others."
        )
        self._paint()

    # ------------------------------------------------------------ editor
    def _typed(self) -> None:
        self.worker.cancel_explore()
        if self.unusual or self.shading:
            self.underlines, self.unusual, self.shading, self.supporting = [], [], [], []
            self._paint()
        if self.action.isChecked():
            self.pause.start()

    def _moved(self) -> None:
        if self.action.isChecked() and not self.unusual and not self.pause.isActive():
            self.pause.start()  # a new paragraph: scored after the pause

    def _clear_shading(self, *_args) -> None:
        if self.shading:
            self.shading, self.supporting = [], []
            self._paint()

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt API)
        """A click on an underlined word asks for its alternatives."""
        if event.type() == QEvent.Type.MouseButtonRelease and self.unusual:
            text = self.editor.toPlainText()
            at = self.editor.cursorForPosition(event.position().toPoint()).position()
            for start, end, _ in self.unusual:
                if qt_position(text, start) <= at <= qt_position(text, end):
                    QTimer.singleShot(0, lambda s=start, e=end: self.writer.suggest_at(s, e))
                    break
        return False

    def _paragraph(self, text: str) -> tuple[int, int]:
        at = min(len(text), python_index(text, self.editor.textCursor().position()))
        start = text.rfind("\n", 0, at) + 1
        end = text.find("\n", at)
        return start, len(text) if end < 0 else end

    def _selection(self, start: int, end: int, fmt: QTextCharFormat):
        text = self.editor.toPlainText()
        selection = QTextEdit.ExtraSelection()
        cursor = QTextCursor(self.editor.document())
        cursor.setPosition(qt_position(text, start))
        cursor.setPosition(qt_position(text, end), QTextCursor.MoveMode.KeepAnchor)
        selection.cursor, selection.format = cursor, fmt
        return selection

    def _paint(self) -> None:
        self.editor.set_marks("explore", self.underlines + self.shading)

