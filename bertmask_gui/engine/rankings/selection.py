"""Selection mode: alternatives for a selected word; the text itself is not changed."""

from __future__ import annotations

import time

from bertmask_gui.engine.filters import sentence_initial
from bertmask_gui.engine.masks import Span, find_masks
from bertmask_gui.engine.options import Filters, clamp_top_k
from bertmask_gui.engine.rankings.job import Job
from bertmask_gui.engine.rankings.lists import SHARE_LABEL, pool_size, shown_floor, word_list
from bertmask_gui.engine.rankings.words import generate
from bertmask_gui.engine.results import MaskResult, Mode, Prediction
from bertmask_gui.engine.textops import trim_span


def predict_span(job: Job, text: str, start: int, end: int, top_k: int = 5, filters: Filters | None = None) -> Prediction:
    """Alternatives for the selected text[start:end].

    The selection is the mask (other [MASK]s in the text stay masks). With
    ``filters.keep_meaning`` the ranking adds the model's view of the original word in
    place, so alternatives keep its sense; the original word is marked
    (``Candidate.original``) or hidden (``filters.hide_original``).
    """
    started = time.perf_counter()
    passes = job.forward_passes
    filters = filters or Filters(top_k=top_k)
    top_k = clamp_top_k(top_k)
    start, end = trim_span(text, start, end)
    if start >= end:
        return Prediction((), time.perf_counter() - started, mode=Mode.SPAN)
    original = text[start:end]
    vocab = job.vocabulary
    others = [s for s in find_masks(text, vocab.mask_token) if s.end <= start or s.start >= end]
    spans = sorted(others + [Span(start, end)], key=lambda s: s.start)
    index = spans.index(Span(start, end))
    encoded = job.encoder.contexts(text, spans)
    ctx = encoded.contexts[index]
    pieces = vocab.pieces(original, ctx.after_space)
    single_word = " " not in original.strip()
    extra = [[pieces]] if single_word and pieces else [[]]
    initial = sentence_initial(encoded.model_text, encoded.model_spans[index].start)
    use_keep = filters.keep_meaning and bool(pieces)
    floor = shown_floor(top_k, filters, vocab.cased, original, initial, filters.keep_meaning)
    # The keep-meaning row rides in generate's first pass (it needs nothing generated).
    originals = [pieces] if use_keep else None
    (found,) = generate(job, [ctx], pool=pool_size(top_k), extra=extra, floors=[floor], originals=originals)
    cands = word_list(found, top_k, filters, vocab.cased, original, initial, filters.keep_meaning)
    result = MaskResult(start, end, tuple(cands), SHARE_LABEL, original)
    return Prediction(
        (result,), time.perf_counter() - started, mode=Mode.SPAN, forward_passes=job.forward_passes - passes
    )
