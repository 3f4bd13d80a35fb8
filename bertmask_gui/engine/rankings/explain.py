"""Why this word: which context words make the model expect a candidate (occlusion).

Influence of a context word = log P(candidate | text) − log P(candidate | text with
that word as one mask token), both PLL-word-l2r of the candidate in place of the mask
or selection, on the rows the whole-word ranking uses (``Encoder.expand``, cut to
WORD_CONTEXT_TOKENS). Faithful to the model: no gradients, no proxy. The occluded word
is one mask whatever its length, so its length does not leak.

Cost: one batched call of (context words + 1) × (candidate's pieces) rows; the
runner splits it into passes of MAX_TOKENS_PER_FORWARD tokens.
"""

from __future__ import annotations

from bertmask_gui.engine.encoder import WORD_CONTEXT_TOKENS
from bertmask_gui.engine.errors import PredictionError
from bertmask_gui.engine.masks import Span
from bertmask_gui.engine.rankings.inplace import after_space, l2r_scores, spelled, words_in
from bertmask_gui.engine.rankings.job import Job
from bertmask_gui.engine.results import Influence
from bertmask_gui.engine.textops import trim_span


def influences(job: Job, text: str, start: int, end: int, word: str) -> tuple[Influence, ...]:
    """Each context word's support for ``word`` in place of text[start:end], strongest first.

    Context words are those the model's row reads around the place; masks (already
    hidden) and punctuation are not words and are not occluded.
    """
    start, end = trim_span(text, start, end)
    if start >= end:
        raise PredictionError("Select a word or a mask to explain.")
    if not word.strip():
        raise PredictionError("There is no word to explain.")
    encoder = job.encoder
    located = encoder.locate(text, start, end, target=Span(start, end))
    place = located.tokens(start, end)
    space = after_space(text, start)
    pieces = spelled(job, word.strip(), space)
    reach = WORD_CONTEXT_TOKENS // 2 - len(pieces)  # words the row still shows
    items, context = [(encoder.context_at(located, place, space=space), pieces)], []
    for ws, we in words_in(text, *_span_of(located)):
        tokens = located.tokens(ws, we)
        if tokens is None or located.covers_mask(ws, we) or abs(tokens[0] - place[0]) > reach:
            continue
        items.append((encoder.context_at(located, place, hidden=tokens, space=space), pieces))
        context.append((ws, we))
    full, *occluded = l2r_scores(job, items)
    found = [Influence(ws, we, text[ws:we], full - without) for (ws, we), without in zip(context, occluded)]
    return tuple(sorted(found, key=lambda i: i.influence, reverse=True))


def _span_of(located) -> tuple[int, int]:
    return (located.spans[0][0], located.spans[-1][1]) if located.spans else (0, 0)
