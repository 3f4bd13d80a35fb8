"""Try each word where it stands: after a fill the list stays on the filled slot, and
Alt+Down / Alt+Up put the next / previous candidate in its place.

The slot follows the placed word's length. However many words are tried, they are one
undo step with the fill (``MaskEditor.replace_span(join=True)``), so one Ctrl+Z returns
to the mask or the original word. Any other edit ends the cycling; the session then
predicts as usual.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from PySide6.QtCore import QObject

from bertmask_gui.engine.textops import fill_edit
from bertmask_gui.ui.menus import add_action


@dataclass
class Slot:
    start: int  # the placed word, in the current text
    end: int
    result: object  # engine MaskResult: the list being cycled
    index: int  # which candidate is in the text


class WordCycler(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.editor = window.editor
        self.session = window.session
        self.slot: Slot | None = None
        self._placing = False
        menu = window.menus.edit
        self.next_action = add_action(window, menu, "Try the &next suggestion in place", self.next, "Alt+Down")
        self.previous_action = add_action(window, menu, "Try the p&revious suggestion in place", self.previous, "Alt+Up")
        self.editor.textChanged.connect(self._on_text_changed)

    def fill(self, mask_index: int, candidate) -> bool:
        """Put ``candidate`` in place of mask ``mask_index`` of the shown list; the list stays."""
        shown = self.session.shown
        span = self.session.mask_span(mask_index)
        if shown is None or span is None:
            self.window.statusBar().showMessage("The text changed; pick again from the new suggestions.", 5000)
            return False
        result = shown.prediction.masks[mask_index]
        index = next((i for i, c in enumerate(result.candidates) if c == candidate), 0)
        self._place(span.start, span.end, result, index, join=self.slot is not None)
        return True

    def next(self) -> None:
        self._step(+1)

    def previous(self) -> None:
        self._step(-1)

    def _step(self, delta: int) -> None:
        if self.slot is None:
            self._start_from_shown(delta)
            return
        count = len(self.slot.result.candidates)
        self._place(self.slot.start, self.slot.end, self.slot.result, (self.slot.index + delta) % count, join=True)

    def _start_from_shown(self, delta: int) -> None:
        """Alt+Down before any fill: from a selection's own word, or a mask's first word."""
        shown = self.session.shown
        span = self.session.mask_span(0)
        if shown is None or span is None or not shown.prediction.masks or not shown.prediction.masks[0].candidates:
            self.window.statusBar().showMessage("No suggestions to try in place yet.", 4000)
            return
        result = shown.prediction.masks[0]
        here = next((i for i, c in enumerate(result.candidates) if c.original), None)
        index = 0 if here is None else (here + delta) % len(result.candidates)
        self._place(span.start, span.end, result, index, join=False)

    def _place(self, start: int, end: int, result, index: int, join: bool) -> None:
        text = self.editor.toPlainText()
        base = self.session.shown.prediction
        edit = fill_edit(text, start, end, result.candidates[index].token)
        self._placing = True
        try:
            self.editor.replace_span(edit.start, edit.end, edit.replacement, join=join)
        finally:
            self._placing = False
        self.slot = Slot(edit.start, edit.start + len(edit.replacement), result, index)
        held = replace(result, start=self.slot.start, end=self.slot.end)
        self.session.hold(self.editor.toPlainText(), replace(base, masks=(held,), fills=(), note="", preliminary=False))
        self.window.candidates.model().mark_placed(0, index)

    def _on_text_changed(self) -> None:
        if not self._placing and self.slot is not None:
            self.stop()

    def stop(self) -> None:
        """End the cycling (another edit): suggestions follow the text again."""
        self.slot = None
        self.session.release()

