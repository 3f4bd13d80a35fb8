"""The window's suggestion session: what is asked of the worker, and what is shown.

It owns the newest request id (older results are dropped), the prediction on screen
and the text it was made for, the typing pause before predicting, whether a model is
ready, and the fill-all follow-up. Views listen to its signals; nothing reaches inside.
"""

from __future__ import annotations

from dataclasses import fields, replace
from typing import NamedTuple

from PySide6.QtCore import QObject, QTimer, Signal

from bertmask_gui.engine.masks import Span, find_masks
from bertmask_gui.engine.options import DEFAULT_TOP_K, MAX_JOINT_MASKS, Filters, clamp_top_k
from bertmask_gui.engine.results import Mode
from bertmask_gui.ui import settings
from bertmask_gui.ui.worker import PredictRequest

NO_MASK_MESSAGE = (
    "No [MASK] in the text yet.\n\nType [MASK] where you want a word, for example:\n"
    "I really [MASK] the movie."
)


class Shown(NamedTuple):
    text: str  # the editor's text the prediction was made for
    prediction: object  # engine.results.Prediction


def _same_lists(before, after) -> bool:
    """Whether two predictions show the same candidates (a preliminary list that the
    full search confirmed)."""
    if not getattr(before, "preliminary", False):
        return False
    return _listed(before) == _listed(after)


def _listed(prediction) -> list[list[tuple[str, float]]]:
    return [[(c.token, c.score) for c in mask.candidates] for mask in prediction.masks]


def format_duration(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.1f} s"


class SuggestionSession(QObject):
    """Asks the worker for suggestions for ``editor``'s text; newest request wins."""

    prediction_shown = Signal(str, object)  # text, Prediction: show these candidates
    message_shown = Signal(str)  # no candidates: show this sentence instead
    status = Signal(str, int)  # a status-bar sentence, ms (0: until replaced)
    timing = Signal(str)  # what the shown lists cost, e.g. "words 240 ms · fill-all 3.1 s"
    fill_all_pending = Signal()  # per-mask lists are shown; complete fillings are coming

    def __init__(self, editor, worker, top_k: int = DEFAULT_TOP_K, parent=None):
        super().__init__(parent)
        self.editor = editor
        self.worker = worker
        self.top_k = clamp_top_k(top_k)
        self.options = settings.options()  # the Suggestions menu's switches, by name
        self.ready = False  # a model is loaded and answers
        self.mask_token: str | None = None  # the model's own mask token, besides [MASK]
        self.shown: Shown | None = None
        self.selection: tuple[int, int] | None = None  # the span of the last selection request
        self.latest_id = 0
        self.held = False  # a filled word is being tried in place: keep its list on screen
        self.ignored_results = 0
        self.looking = False  # "Looking for alternatives…" is in the status bar
        self._fill_all_id = 0  # the id of the fill-all follow-up, when one is asked
        self._first_timing = ""  # the per-mask lists' cost, kept to show beside fill-all's
        self.debounce = QTimer(self)
        self.debounce.setSingleShot(True)
        self.debounce.setInterval(settings.delay_ms())
        self.debounce.timeout.connect(self.predict_now)
        editor.textChanged.connect(self.debounce.start)
        worker.result_ready.connect(self._on_result)
        worker.prediction_failed.connect(self._on_failed)

    # ------------------------------------------------------------------ model
    def model_loading(self) -> None:
        self.ready = False

    def model_ready(self, mask_token: str | None) -> None:
        """A model answers (a new one, or the old one after a failed switch): predict."""
        self.ready = True
        self.mask_token = mask_token
        self.predict_now()

    def model_kept(self) -> None:
        """A switch failed; the model loaded before still answers."""
        self.ready = True

    # -------------------------------------------------------------- requests
    def set_delay_ms(self, ms: int) -> None:
        self.debounce.setInterval(ms)

    def filters(self) -> Filters:
        values = {f.name: self.options[f.name] for f in fields(Filters) if f.name in self.options}
        return Filters(top_k=self.top_k, **values)

    def mode(self) -> Mode:
        return Mode.WORDS if self.options["whole_words"] else Mode.PIECES

    def predict_now(self) -> None:
        """Ask for candidates for the current text (newest request wins)."""
        self.debounce.stop()
        if self.held:
            return
        self._done_looking()  # a selection's request, if any, is superseded
        text = self.editor.toPlainText()
        if not find_masks(text, self.mask_token):
            self.latest_id += 1  # any prediction in flight is now stale
            self.show_message(NO_MASK_MESSAGE)
            return
        if not self.ready:
            return  # predicted as soon as the model is loaded
        filters = replace(self.filters(), fill_all=False)  # asked for after the lists are shown
        self._send(PredictRequest(self._next_id(), text, self.top_k, mode=self.mode(), filters=filters))

    def predict_span(self, start: int, end: int, compare: tuple[str, ...] = (), constraints: str = "") -> bool:
        """Selection mode: alternatives for text[start:end], with ``compare`` (the
        writer's words) scored beside them, obeying ``constraints`` (rhymes:night …);
        False while no model answers."""
        self.debounce.stop()
        self.selection = (start, end)
        if not self.ready:
            self.status.emit("The model is still loading; try again in a moment.", 5000)
            return False
        text = self.editor.toPlainText()
        request = PredictRequest(
            self._next_id(), text, self.top_k, mode=Mode.SPAN, span=(start, end), filters=self.filters(), compare=compare,
            constraints=constraints,
        )
        self._send(request)
        self.status.emit(f"Looking for alternatives to “{text[start:end]}”…", 0)
        self.looking = True  # cleared when the list comes: a message says what happens now
        return True

    def refresh(self) -> None:
        """Settings changed: ask again, for the selection if that is what is shown."""
        shown = self.shown
        if shown and shown.prediction.mode == Mode.SPAN and self.selection and shown.text == self.editor.toPlainText():
            self.predict_span(*self.selection)
        else:
            self.predict_now()

    def hold(self, text: str, prediction) -> None:
        """Show ``prediction`` for ``text`` (a filled slot's list) and keep it while the
        writer tries its words in place; ``release`` returns to predicting as they type."""
        self.held = True
        self.latest_id += 1  # anything in flight is stale
        self.shown = Shown(text, prediction)
        self.prediction_shown.emit(text, prediction)

    def show_message(self, sentence: str) -> None:
        """No list to pick from: the shown one goes (Alt+1 fills nothing) and
        ``sentence`` says why in its place."""
        self.shown = None
        self.message_shown.emit(sentence)

    def release(self) -> None:
        if self.held:
            self.held = False
            self.debounce.start()

    def stop(self) -> None:
        self.debounce.stop()

    def _next_id(self) -> int:
        self.latest_id += 1
        return self.latest_id

    def _send(self, request: PredictRequest) -> None:
        self.worker.request_prediction(request)

    # --------------------------------------------------------------- results
    def _on_result(self, request_id: int, prediction) -> None:
        if request_id != self.latest_id:
            self.ignored_results += 1
            return
        text = self.editor.toPlainText()
        self._done_looking()
        if getattr(prediction, "preliminary", False):
            # The one-piece words, exact, while longer words are searched: shown now
            # (not over the full lists a fill-all follow-up recomputes).
            if request_id != self._fill_all_id:
                self.shown = Shown(text, prediction)
                self.prediction_shown.emit(text, prediction)
            return
        unchanged = self.shown is not None and self.shown.text == text and _same_lists(self.shown.prediction, prediction)
        self.shown = Shown(text, prediction)
        if request_id == self._fill_all_id:
            self.timing.emit(f"{self._first_timing} · fill-all {format_duration(prediction.seconds)}")
        else:
            self._first_timing = f"{Mode(prediction.mode).value} {format_duration(prediction.seconds)}"
            self.timing.emit(self._first_timing)
        if not unchanged or prediction.fills:  # the preliminary lists were already right: no redraw
            self.prediction_shown.emit(text, prediction)
        if prediction.note:
            self.status.emit(prediction.note, 10000)
        self._ask_fill_all(text, prediction)

    def _ask_fill_all(self, text: str, prediction) -> None:
        """Per-mask lists are shown: now ask for the joint fillings of several masks.

        Fill-all costs several passes per mask, so it is asked for separately, after the
        per-mask lists are on screen.
        """
        if (
            prediction.mode == Mode.WORDS
            and not prediction.fills
            and 2 <= len(prediction.masks) <= MAX_JOINT_MASKS
            and self.options["fill_all"]
        ):
            self._fill_all_id = self._next_id()
            filters = replace(self.filters(), fill_all=True)
            self._send(PredictRequest(self._fill_all_id, text, self.top_k, mode=Mode.WORDS, filters=filters))
            self.fill_all_pending.emit()

    def _done_looking(self) -> None:
        if self.looking:
            self.looking = False
            self.status.emit("", 0)  # the list is here: nothing is being looked for now

    def _on_failed(self, request_id: int, sentence: str) -> None:
        if request_id != self.latest_id:
            return
        self._done_looking()
        self.show_message(sentence)
        self.status.emit(sentence, 10000)

    # ------------------------------------------------------------------ spans
    def mask_span(self, mask_index: int) -> Span | None:
        """Where mask ``mask_index`` of the shown prediction is in the text now, if known."""
        spans = self.mask_spans()
        return spans[mask_index] if spans is not None and mask_index < len(spans) else None

    def mask_spans(self) -> list[Span] | None:
        """The shown masks' places in the current text; None when the text no longer matches."""
        if self.shown is None:
            return None
        text = self.editor.toPlainText()
        masks = self.shown.prediction.masks
        if text == self.shown.text:
            return [Span(mask.start, mask.end) for mask in masks]
        if self.shown.prediction.mode == Mode.SPAN:
            return None  # a selection's offsets are only valid for the text they came from
        spans = find_masks(text, self.mask_token)
        return spans if len(spans) == len(masks) else None
