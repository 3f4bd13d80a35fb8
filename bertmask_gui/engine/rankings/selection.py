"""Selection mode: alternatives for a selected word; the text itself is not changed."""

from __future__ import annotations

import time

from bertmask_gui.engine.filters import sentence_initial
from bertmask_gui.engine.masks import Span, find_masks
from bertmask_gui.engine.options import Filters, clamp_top_k
from bertmask_gui.engine.rankings.inplace import compared_pieces
from bertmask_gui.engine.rankings.job import Job
from bertmask_gui.engine.rankings.lists import MEANING_LABEL, WORD_LABEL, pool_size, shown_floor, word_list
from bertmask_gui.engine.rankings.meaning import add_similarity, similarity_bounds, similarity_dots
from bertmask_gui.engine.rankings.words import generate
from bertmask_gui.engine.results import MaskResult, Mode, Prediction
from bertmask_gui.engine.textops import trim_span


def predict_span(
    job: Job, text: str, start: int, end: int, top_k: int = 5, filters: Filters | None = None, compare=(), early=None
) -> Prediction:
    """Alternatives for the selected text[start:end].

    The selection is the mask (other [MASK]s in the text stay masks). With
    ``filters.keep_meaning`` (the default) the ranking adds the model's view of the
    original word in place and the embedding similarity to it (options.Tuning: WordNet
    synonym P@1 19.1% against 14.7% without the embedding term and 3.9% with neither),
    so alternatives keep its sense; the original word is marked
    (``Candidate.original``) or hidden (``filters.hide_original``). ``compare``: the
    writer's own words (``choices.checked_words``), scored in the same passes and always
    listed (``Candidate.compared``). ``early``: as in ``at_masks.predict_words``.
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
    extra[0] += [compared_pieces(job, word, ctx.after_space) for word in compare]
    initial = sentence_initial(encoded.model_text, encoded.model_spans[index].start)
    keep = filters.keep_meaning and bool(pieces)
    temperature = job.tuning.meaning_temperature if keep else None
    # One product with the embedding table serves the bound and every word's term.
    dots = similarity_dots(job, pieces, temperature) if temperature else None
    similar = (lambda words: add_similarity(words, dots)) if dots is not None else None
    # Branch and bound on the shown rank (words.generate): the keep-meaning rank's
    # in-place term is ≤ 0 for a weight ≥ 0, its embedding term has a bound per first piece.
    prunable = not keep or job.tuning.keep_meaning_weight >= 0
    rank = job.tuning if keep else None
    floors = [shown_floor(top_k, filters, vocab.cased, original, initial, rank, similar)] if prunable else None
    bonus = [similarity_bounds(vocab, dots)] if dots is not None else None
    originals = [pieces] if keep else None  # its in-place row rides in the first pass

    def answer(found, preliminary: bool = False) -> Prediction:
        if similar is not None:
            similar(found)
        cands = word_list(found, top_k, filters, vocab.cased, original, initial, rank, compare)
        result = MaskResult(start, end, tuple(cands), MEANING_LABEL if rank else WORD_LABEL, original)
        return Prediction((result,), time.perf_counter() - started, mode=Mode.SPAN,
                          forward_passes=job.forward_passes - passes, preliminary=preliminary)

    announce = (lambda lists: early(answer(lists[0], preliminary=True))) if early else None
    (found,) = generate(
        job, [ctx], pool=pool_size(top_k), extra=extra, floors=floors, originals=originals, bonus=bonus, early=announce
    )
    return answer(found)
