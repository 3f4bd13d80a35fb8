"""Layer 2: text → model input rows (token ids + the positions to answer for).

The whole text if it fits the model, else windows around the masks; one ``Context`` per
mask; a mask expanded into n pieces (or some of them filled) for the word rankings.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bertmask_gui.engine.errors import PredictionError
from bertmask_gui.engine.masks import Span, Window, find_masks, plan_windows
from bertmask_gui.engine.options import Tuning
from bertmask_gui.engine.vocabulary import Vocabulary

WINDOW_TOKENS = 256  # context fed around a mask when the text exceeds the model's limit
CHARS_PER_TOKEN = 4  # rough, for cutting text before tokenizing it
# Context each whole-word row sees (tokens, specials included): a few sentences around
# the mask. Whole words cost ~15 rows per mask; at a paragraph's 450 tokens a row that
# made them take seconds on a CPU. Raw pieces mode keeps the full context. The measured
# default lives in options.Tuning (a Job's tuning passes it to ``expand``).
WORD_CONTEXT_TOKENS = Tuning.word_context_tokens


@dataclass
class Row:
    """One model input and the token positions to answer for, keyed (by mask index...)."""

    input_ids: list[int]
    positions: dict[int, int] = field(default_factory=dict)  # key -> token index


@dataclass(frozen=True)
class Context:
    """One model input row with the mask at ``pos`` (the token ids include specials)."""

    ids: tuple[int, ...]
    pos: int
    after_space: bool = True


@dataclass(frozen=True)
class Encoded:
    """A text's mask contexts, and the text as the model reads it (its own mask token)."""

    contexts: list[Context]
    model_text: str
    model_spans: list[Span]


@dataclass(frozen=True)
class Located:
    """Tokens of a stretch of the writer's text, each with its character span there;
    every mask of the text (and the ``target``, if any) is one mask token."""

    ids: tuple[int, ...]
    spans: tuple[tuple[int, int], ...]
    masks: tuple[Span, ...]

    def tokens(self, start: int, end: int) -> tuple[int, int] | None:
        """The tokens [a, b) that overlap text[start:end], None if none do."""
        inside = [i for i, (s, e) in enumerate(self.spans) if s < end and e > start]
        return (inside[0], inside[-1] + 1) if inside else None

    def covers_mask(self, start: int, end: int) -> bool:
        return any(m.start < end and m.end > start for m in self.masks)


class Encoder:
    """Turns texts into rows for one tokenizer and token limit."""

    def __init__(self, tokenizer, vocabulary: Vocabulary, max_tokens: int):
        self.tokenizer = tokenizer
        self.vocabulary = vocabulary
        self.max_tokens = max_tokens

    def model_text(self, text: str, spans: list[Span], fills: dict[int, str] | None = None) -> tuple[str, list[Span]]:
        """Each span replaced by its fill, else by the model's mask token; the spans
        still masked, in the new text."""
        fills = fills or {}
        mask = self.vocabulary.mask_token
        parts, masked, last, length = [], [], 0, 0
        for index, span in enumerate(spans):
            piece = fills.get(index, mask)
            parts += [text[last : span.start], piece]
            length += span.start - last
            if index not in fills:
                masked.append(Span(length, length + len(piece)))
            length += len(piece)
            last = span.end
        parts.append(text[last:])
        return "".join(parts), masked

    def rows(self, text: str, spans: list[Span], wanted: int) -> list[Row]:
        """Rows covering the first ``wanted`` masks: the whole text if it fits, else
        windows. Masks beyond ``wanted`` stay masks but get no answer."""
        model_text, model_spans = self.model_text(text, spans)
        return self.model_rows(model_text, model_spans, wanted)

    def model_rows(self, model_text: str, model_spans: list[Span], wanted: int) -> list[Row]:
        """``rows`` for a text already holding the model's mask tokens."""
        if len(model_text) <= self.max_tokens * 20:
            ids = self.tokenizer(model_text)["input_ids"]
            if len(ids) <= self.max_tokens:
                return [self._row(ids, range(len(model_spans)))]
        budget = min(WINDOW_TOKENS, self.max_tokens)
        windows = plan_windows(model_text, model_spans[:wanted], budget * CHARS_PER_TOKEN)
        rows: list[Row] = []
        for window in windows:
            rows.extend(self._window_rows(model_text, model_spans, window, budget))
        return rows

    def contexts(self, text: str, spans: list[Span], wanted: int | None = None) -> Encoded:
        """One context per mask (the first ``wanted``), from the rows' windows."""
        wanted = len(spans) if wanted is None else wanted
        model_text, model_spans = self.model_text(text, spans)
        by_mask = {}
        for row in self.model_rows(model_text, model_spans, wanted):
            for mask, position in row.positions.items():
                by_mask[mask] = Context(tuple(row.input_ids), position, after_space(model_text, model_spans[mask]))
        return Encoded([by_mask[i] for i in range(wanted)], model_text, model_spans)

    def expand(
        self, ctx: Context, n: int, fill: dict[int, int] | None = None, context_tokens: int = WORD_CONTEXT_TOKENS
    ) -> tuple[list[int], int]:
        """The context's ids with its mask replaced by ``n`` pieces (masks unless filled).

        Returns (ids, position of the first piece); far context is trimmed, evenly from
        both sides, to ``context_tokens`` (and always to the model's limit).
        """
        fill = fill or {}
        vocab = self.vocabulary
        pieces = [fill.get(j, vocab.mask_id) for j in range(n)]
        ids = list(ctx.ids[: ctx.pos]) + pieces + list(ctx.ids[ctx.pos + 1 :])
        pos = ctx.pos
        prefix, suffix = len(vocab.prefix), len(vocab.suffix)
        limit = min(self.max_tokens, max(context_tokens, prefix + suffix + n + 2))
        while len(ids) > limit:
            left = pos - prefix
            right = len(ids) - suffix - (pos + n)
            if left >= right and left > 0:
                del ids[prefix]
                pos -= 1
            elif right > 0:
                del ids[len(ids) - suffix - 1]
            else:
                break
        return ids, pos

    def locate(self, text: str, start: int, end: int, target: Span | None = None) -> Located:
        """text[start:end] tokenized with the context a whole-word row can reach around
        it (WORD_CONTEXT_TOKENS each side), every token tied to its characters, so a
        ranking can mask any word of it (``context_at``). Masks stay one mask token;
        ``target`` (a selected word) becomes one too."""
        masks = [m for m in find_masks(text, self.vocabulary.mask_token) if target is None or _apart(m, target)]
        if target is not None:
            masks = sorted(masks + [target], key=lambda m: m.start)
        margin = WORD_CONTEXT_TOKENS * CHARS_PER_TOKEN * 2
        lo = _snap_out(text, max(0, start - margin), masks, backwards=True)
        hi = _snap_out(text, min(len(text), end + margin), masks, backwards=False)
        masks = [m for m in masks if lo <= m.start and m.end <= hi]
        ids: list[int] = []
        spans: list[tuple[int, int]] = []
        cursor = lo
        for mask in masks:
            self._tokenize_into(text, cursor, mask.start, ids, spans)
            ids.append(self.vocabulary.mask_id)
            spans.append((mask.start, mask.end))
            cursor = mask.end
        self._tokenize_into(text, cursor, hi, ids, spans)
        return Located(tuple(ids), tuple(spans), tuple(masks))

    def context_at(
        self,
        located: Located,
        place: tuple[int, int],
        hidden: tuple[int, int] | None = None,
        space: bool = True,
        width: int = WORD_CONTEXT_TOKENS,
    ) -> Context:
        """A context whose mask is the tokens ``place`` [a, b) of ``located``; ``hidden``
        tokens (a word to occlude) become one mask token too. Cut to ``width`` tokens
        around the place (``expand`` cuts to WORD_CONTEXT_TOKENS)."""
        mask = self.vocabulary.mask_id
        a, b = place
        body = list(located.ids)
        if hidden is not None and hidden[1] <= a:
            body[hidden[0] : hidden[1]] = [mask]
            a, b = a - (hidden[1] - hidden[0] - 1), b - (hidden[1] - hidden[0] - 1)
        elif hidden is not None:
            body[hidden[0] : hidden[1]] = [mask]
        body[a:b] = [mask]
        half = width // 2
        lo = max(0, a - half)
        prefix = self.vocabulary.prefix
        ids = [*prefix, *body[lo : a + half], *self.vocabulary.suffix]
        return Context(tuple(ids), len(prefix) + a - lo, space)

    def _tokenize_into(self, text: str, start: int, end: int, ids: list[int], spans: list) -> None:
        if start >= end:
            return
        encoding = self.tokenizer(text[start:end], add_special_tokens=False, return_offsets_mapping=True)
        for token_id, (s, e) in zip(encoding["input_ids"], encoding["offset_mapping"]):
            ids.append(token_id)
            spans.append((start + s, start + e))

    def _row(self, ids: list[int], masks) -> Row:
        positions = [i for i, token in enumerate(ids) if token == self.vocabulary.mask_id]
        masks = list(masks)
        if len(positions) != len(masks):
            raise PredictionError("The text could not be split into tokens around its masks.")
        return Row(ids, dict(zip(masks, positions)))

    def _window_rows(self, text: str, spans: list[Span], window: Window, budget: int) -> list[Row]:
        """Tokenize one window, trimmed to ``budget`` tokens around its masks.

        Masks that cannot share the budget are split into windows of their own.
        """
        inside = [i for i, s in enumerate(spans) if window.start <= s.start and s.end <= window.end]
        ids = self.tokenizer(text[window.start : window.end], add_special_tokens=False)["input_ids"]
        positions = [i for i, token in enumerate(ids) if token == self.vocabulary.mask_id]
        if len(positions) != len(inside):
            raise PredictionError("The text could not be split into tokens around its masks.")
        located = dict(zip(inside, positions))
        wanted = [located[m] for m in window.masks]
        prefix, suffix = self.vocabulary.prefix, self.vocabulary.suffix
        room = budget - len(prefix) - len(suffix)
        if wanted[-1] - wanted[0] + 1 > room:
            if len(window.masks) == 1:
                raise PredictionError("The text around this mask is too long for the model.")
            return [
                row
                for m in window.masks
                for row in self._window_rows(text, spans, Window(window.start, window.end, (m,)), budget)
            ]
        slack = room - (wanted[-1] - wanted[0] + 1)
        start = max(0, min(wanted[0] - slack // 2, len(ids) - room))
        row = Row(prefix + ids[start : start + room] + suffix)
        for mask in window.masks:
            row.positions[mask] = located[mask] - start + len(prefix)
        return [row]


def after_space(model_text: str, span: Span) -> bool:
    """Whether a space precedes the span (BPE vocabularies spell such words differently)."""
    return span.start > 0 and model_text[span.start - 1].isspace()


def _apart(a: Span, b: Span) -> bool:
    return a.end <= b.start or b.end <= a.start


def _snap_out(text: str, at: int, masks: list[Span], backwards: bool) -> int:
    """Move a cut point onto a space and off any mask, so no word or mask is cut."""
    step = -1 if backwards else 1
    while 0 < at < len(text) and not text[at if backwards else at - 1].isspace():
        at += step
    for mask in masks:
        if mask.start < at < mask.end:
            at = mask.start if backwards else mask.end
    return at
