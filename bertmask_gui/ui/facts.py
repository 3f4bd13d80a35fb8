"""Word facts and constrained masks in the window.

- Under the list, a line with the current row's meaning and syllables: WordNet's first
  sense at once, then the sense that fits the sentence (asked of the worker in the
  background for that row only); the row's tooltip gives the first sense (ui.candidates).
- The constraints row: ``rhymes:night syllables:2`` + Enter rewrites the mask at the
  cursor (or the current row's mask) as ``[MASK rhymes:night syllables:2]``, one undo
  step, and the list follows; with a selection shown, its alternatives obey them.
  A constraint that cannot be obeyed is a sentence in the status bar; the row keeps it.
"""

from __future__ import annotations

from PySide6.QtCore import QObject

from bertmask_gui.engine.constraints import parse
from bertmask_gui.engine.errors import PredictionError
from bertmask_gui.engine.masks import Span, find_masks
from bertmask_gui.engine.results import Mode
from bertmask_gui.lexicon import glosses
from bertmask_gui.ui.candidates import CANDIDATE_ROLE, MASK_ROLE, definition_of, syllables_of
from bertmask_gui.ui.worker import ExploreRequest


class WordFacts(QObject):
    """Attaches the gloss line and the constraints row to a MainWindow."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.editor = window.editor
        self.session = window.session
        self.panel = window.panel
        self.candidates = window.candidates
        self.worker = window.worker
        self.latest_id = 0
        self.panel.constraints.returnPressed.connect(self.apply_constraints)
        self.candidates.selectionModel().currentChanged.connect(self.show_current)
        self.candidates.model().modelReset.connect(self._sync)
        self.worker.explored.connect(self._on_sense)

    def show_current(self, index=None, _previous=None, ask: bool = True) -> None:
        """The gloss line: the current row's word, meaning here, and syllables."""
        index = index if index is not None else self.candidates.currentIndex()
        candidate = index.data(CANDIDATE_ROLE) if index is not None and index.isValid() else None
        if candidate is None:
            self.panel.gloss_line.setText("")
            return
        self._write_line(candidate, definition_of(candidate) or "no meaning in WordNet")
        if ask:
            self._ask_sense(index, candidate)

    def _write_line(self, candidate, definition: str) -> None:
        count = syllables_of(candidate)
        figure = f" · {count.rstrip('?')} syllable{'' if count.rstrip('?') == '1' else 's'}" if count else ""
        figure += " (estimated)" if count.endswith("?") else ""
        self.panel.gloss_line.setText(f"{candidate.token}: {definition}{figure}")
        self.shown_candidate = candidate

    def _ask_sense(self, index, candidate) -> None:
        """In the background, the sense that fits the sentence (rankings.senses: one pass
        of ~30 rows for this word only); the line shows WordNet's first sense meanwhile."""
        self.latest_id += 1
        span = self.session.mask_span(index.data(MASK_ROLE) or 0)
        if span is None or not self.session.ready or len(glosses.senses(candidate.token)) < 2:
            return
        text = self.editor.toPlainText()
        self.worker.request_explore(ExploreRequest(self.latest_id, "sense", text, span.start, span.end, candidate.token))

    def _on_sense(self, request, found) -> None:
        if request.kind != "sense" or request.request_id != self.latest_id or request.text != self.editor.toPlainText():
            return
        senses, chosen = found
        if senses and chosen is not None and getattr(self, "shown_candidate", None) is not None:
            self._write_line(self.shown_candidate, glosses.described(senses[chosen]))

    def _sync(self) -> None:
        """A new list: its first word's facts until a row is current; the row shows the
        constraints of the mask they are for."""
        model = self.candidates.model()
        first = next((model.index(r, 0) for r in range(model.rowCount()) if model.index(r, 0).data(CANDIDATE_ROLE)), None)
        self.latest_id += 1  # a sense asked for the old list is stale
        self.show_current(first, ask=False)  # no model work until the writer moves to a row
        span = self.target_mask()
        if not self.panel.constraints.hasFocus() and span is not None:
            self.panel.constraints.setText(" ".join(f"{k}:{v}" for k, v in span.constraints or ()))

    def target_mask(self) -> Span | None:
        """The mask at the cursor, else the current row's mask, else the only mask."""
        text = self.editor.toPlainText()
        spans = find_masks(text, self.session.mask_token)
        cursor = self.editor.textCursor().position()
        at_cursor = next((s for s in spans if s.start <= cursor <= s.end), None)
        if at_cursor is not None:
            return at_cursor
        current = self.candidates.currentIndex()
        if current.isValid() and self.session.mask_spans() is not None:
            index = current.data(MASK_ROLE)
            if index is not None and index < len(spans):
                return spans[index]
        return spans[0] if len(spans) == 1 else None

    def apply_constraints(self) -> bool:
        """Enter in the constraints row: the current mask (or the selection) obeys them."""
        typed = self.panel.constraints.text().strip()
        try:
            wanted = parse(typed)
        except PredictionError as exc:
            self.window.statusBar().showMessage(str(exc), 15000)
            self.panel.gloss_line.setText(str(exc))
            return False
        shown = self.session.shown
        if shown is not None and shown.prediction.mode == Mode.SPAN and self.session.selection is not None:
            return self.session.predict_span(*self.session.selection, constraints=wanted.text())
        span = self.target_mask()
        if span is None:
            self.window.statusBar().showMessage(
                "Put the cursor in a [MASK] (or select a word) to give it constraints.", 8000
            )
            return False
        mask = f"[MASK {wanted.text()}]" if wanted else "[MASK]"
        self.editor.replace_span(span.start, span.end, mask)
        return True
