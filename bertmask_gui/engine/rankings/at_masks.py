"""The default ranking: the writer's whole-word list at every mask, and fill-all rows
when there are several masks."""

from __future__ import annotations

import time

from bertmask_gui.engine.filters import sentence_initial
from bertmask_gui.engine.masks import find_masks
from bertmask_gui.engine.options import MAX_JOINT_MASKS, MAX_MASKS, Filters, capped_masks_note, clamp_top_k
from bertmask_gui.engine.rankings.fill_all import BRANCH, fill_all
from bertmask_gui.engine.rankings.job import Job
from bertmask_gui.engine.rankings.lists import FILLS_LABEL, SHARE_LABEL, pool_size, shares, shown_floor, word_list
from bertmask_gui.engine.rankings.words import generate
from bertmask_gui.engine.results import Fill, MaskResult, Mode, Prediction


def predict_words(job: Job, text: str, top_k: int = 5, filters: Filters | None = None) -> Prediction:
    """Whole-word candidates for every mask; fill-all rows when there are several."""
    started = time.perf_counter()
    passes = job.forward_passes
    filters = filters or Filters(top_k=top_k)
    top_k = clamp_top_k(top_k)
    spans = find_masks(text, job.vocabulary.mask_token)
    if not spans:
        return Prediction((), time.perf_counter() - started, mode=Mode.WORDS)
    wanted = min(len(spans), MAX_MASKS)
    encoded = job.encoder.contexts(text, spans, wanted)
    initials = [sentence_initial(encoded.model_text, s.start) for s in encoded.model_spans[:wanted]]
    cased = job.vocabulary.cased
    floors = [shown_floor(top_k, filters, cased, None, initial, False) for initial in initials]
    words = generate(job, encoded.contexts, pool=pool_size(top_k), floors=floors)
    results = []
    for span, initial, found in zip(spans[:wanted], initials, words):
        cands = word_list(found, top_k, filters, cased, None, initial, False)
        results.append(MaskResult(span.start, span.end, tuple(cands), SHARE_LABEL))
    fills = ()
    if filters.fill_all and 1 < len(spans) <= MAX_JOINT_MASKS:
        # The default lists were pruned for top_k shown words: enough for fill-all's
        # BRANCH best when top_k ≥ BRANCH, so its first step reuses them.
        first = words if top_k >= BRANCH else None
        found = fill_all(job, text, spans, filters, count=top_k, first_words=first)
        fills = tuple(Fill(w, share, s) for (w, s), share in zip(found, shares([s for _, s in found])))
    return Prediction(
        tuple(results),
        time.perf_counter() - started,
        capped_masks_note(len(spans)),
        mode=Mode.WORDS,
        fills=fills,
        fills_label=FILLS_LABEL if fills else "",
        forward_passes=job.forward_passes - passes,
    )
