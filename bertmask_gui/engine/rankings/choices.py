"""Weigh the writer's own words: ``[MASK:affect|effect|impact]``.

Each word is scored in the mask's place as a whole word of any number of pieces, by
the PLL-word-l2r the whole-word list uses, on the same contexts (``Encoder.contexts``);
these masks skip the whole-word generation, and fill-all puts only these words there
(rankings.fill_all ``Given``). Cost: one batched forward pass for all the
words of all the choice masks (a row per piece).
"""

from __future__ import annotations

import math
from dataclasses import replace

from bertmask_gui.engine.encoder import Context
from bertmask_gui.engine.errors import PredictionError
from bertmask_gui.engine.masks import Span, find_masks
from bertmask_gui.engine.rankings.inplace import l2r_scores, spelled
from bertmask_gui.engine.rankings.job import Job
from bertmask_gui.engine.rankings.lists import WORD_LABEL
from bertmask_gui.engine.results import Candidate, MaskResult, Prediction

MAX_CHOICES = 50  # words per mask: each costs a row per piece
# The same quantity as the whole-word lists show (exp(PLL-word-l2r)), so the same words.
CHOICES_LABEL = WORD_LABEL


def checked_words(words: tuple[str, ...] | None) -> tuple[str, ...]:
    """The writer's words, deduplicated in order; a sentence for what cannot be weighed."""
    kept = tuple(dict.fromkeys(w for w in (words or ()) if w))
    if not kept:
        raise PredictionError(
            "A [MASK:…] lists no words: write them after the colon, separated by | or a comma, "
            "as in [MASK:affect|effect|impact]."
        )
    spaced = next((w for w in kept if any(c.isspace() for c in w)), None)
    if spaced is not None:
        raise PredictionError(f"“{spaced}” is more than one word: each choice must be a single word.")
    if len(kept) > MAX_CHOICES:
        raise PredictionError(f"A [MASK:…] lists {len(kept)} words; at most {MAX_CHOICES} can be weighed at once.")
    return kept


def choice_words(spans: list[Span]) -> dict[int, tuple[str, ...]]:
    """Mask index → the checked words of each [MASK:a|b] (checked before any model work)."""
    return {i: checked_words(s.choices) for i, s in enumerate(spans) if s.choices is not None}


def choice_results(job: Job, spans: list[Span], contexts: list[Context], words: dict[int, tuple[str, ...]]):
    """Mask index → its MaskResult: exactly the writer's words, best first,
    score = exp(PLL-word-l2r), the model's probability of that word there."""
    items, owners = [], []
    for index, chosen in words.items():
        ctx = contexts[index]
        for word in chosen:
            items.append((ctx, spelled(job, word, ctx.after_space)))
            owners.append((index, word))
    found: dict[int, list[Candidate]] = {index: [] for index in words}
    for (index, word), (_, pieces), score in zip(owners, items, l2r_scores(job, items)):
        found[index].append(Candidate(word, math.exp(score), pieces[0], pieces, score))
    return {
        index: MaskResult(
            spans[index].start,
            spans[index].end,
            tuple(sorted(cands, key=lambda c: c.log_score, reverse=True)),
            CHOICES_LABEL,
        )
        for index, cands in found.items()
    }


def with_choices(job: Job, text: str, prediction: Prediction) -> Prediction:
    """Raw pieces mode: the [MASK:a|b] masks answered with the writer's words too."""
    spans = find_masks(text, job.vocabulary.mask_token)[: len(prediction.masks)]
    chosen = choice_words(spans)
    if not chosen:
        return prediction
    passes = job.forward_passes
    results = choice_results(job, spans, job.encoder.contexts(text, spans, len(spans)).contexts, chosen)
    masks = tuple(results.get(i, m) for i, m in enumerate(prediction.masks))
    return replace(prediction, masks=masks, forward_passes=prediction.forward_passes + job.forward_passes - passes)
