"""PLL-word-l2r of given words at given places: the score the whole-word list uses
(``words``), for words the writer names or the text already holds.

For a word of pieces p_1..p_n put at a context's mask, the sum over j of
log P(p_j | context, p_<j filled, p_>=j masked): n rows, one per piece, made by
``Encoder.expand`` exactly as ``words`` makes them; all items' rows in one batched call.
"""

from __future__ import annotations

import re

from bertmask_gui.engine.encoder import Context
from bertmask_gui.engine.errors import PredictionError
from bertmask_gui.engine.rankings.job import Job
from bertmask_gui.engine.textops import word_at

_WORDISH = re.compile(r"[\w'’\-]+")


def l2r_rows(job: Job, ctx: Context, pieces: tuple[int, ...]) -> list[tuple[list[int], list[int]]]:
    """The (ids, [position]) rows of a word's l2r terms at ``ctx``'s mask, one per piece:
    the pieces before it filled, the rest masked."""
    n = len(pieces)
    rows = []
    for j in range(n):
        ids, pos = job.expand(ctx, n, dict(enumerate(pieces[:j])))
        rows.append((ids, [pos + j]))
    return rows


def l2r_scores(job: Job, items: list[tuple[Context, tuple[int, ...]]]) -> list[float]:
    """PLL-word-l2r (natural log) of each (context, pieces), one batched call."""
    rows = [row for ctx, pieces in items for row in l2r_rows(job, ctx, pieces)]
    out = iter(job.at_positions(rows))
    return [sum(float(next(out)[0][piece]) for piece in pieces) for _, pieces in items]


def spelled(job: Job, word: str, after_space: bool) -> tuple[int, ...]:
    """The word's pieces at a place; a sentence if the tokenizer cannot spell it."""
    pieces = job.vocabulary.pieces(word, after_space)
    unknown = getattr(job.vocabulary.tokenizer, "unk_token_id", None)
    if not pieces or (unknown is not None and unknown in pieces):
        raise PredictionError(
            f"The model cannot spell “{word}” (its tokenizer reads it as an unknown token), so it cannot weigh it."
        )
    return pieces


def compared_pieces(job: Job, word: str, after_space: bool) -> tuple[int, ...]:
    """A word to compare in a selection's place, as the whole-word ranking can score it."""
    pieces = spelled(job, word, after_space)
    most = job.tuning.max_pieces
    if len(pieces) > most:
        raise PredictionError(
            f"“{word}” is {len(pieces)} of the model's pieces; words of at most {most} can be compared."
        )
    return pieces


def words_in(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The words wholly inside text[start:end], as ``textops.word_at`` reads a word."""
    found: list[tuple[int, int]] = []
    for match in _WORDISH.finditer(text, start, end):
        span = word_at(text, match.start())
        if span and start <= span[0] and span[1] <= end and (not found or found[-1] != span):
            found.append(span)
    return found


def after_space(text: str, start: int) -> bool:
    """Whether a word at ``start`` follows a space (how BPE vocabularies spell it)."""
    return start > 0 and text[start - 1].isspace()
