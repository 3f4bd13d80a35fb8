"""What the writer sees: whole-word lists per mask, fill-all rows, selection mode.

``Predictor.predict`` (default mode) and ``Predictor.predict_span`` land here; the
model work is in ``wholeword`` and ``jointfill``, the rules in ``filters``.
"""

from __future__ import annotations

import time

from bertmask_gui.engine.filters import keep, match_case, same_word, sentence_initial
from bertmask_gui.engine.jointfill import fill_all
from bertmask_gui.engine.masks import Span, find_masks
from bertmask_gui.engine.options import MAX_JOINT_MASKS, MAX_MASKS, Filters, capped_masks_note, clamp_top_k
from bertmask_gui.engine.results import Candidate, Fill, MaskResult, Mode, Prediction
from bertmask_gui.engine.textops import trim_span
from bertmask_gui.engine.wholeword import (
    Context,
    generate,
    keep_meaning_scores,
    original_pieces,
    piece_kinds,
    shares,
)

SHARE_LABEL = "share of the shown list"
FILLS_LABEL = "share of the shown fillings"
KEEP_MEANING_WEIGHT = 1.0  # score = log P_masked(word) + weight · log P_in_place(word)


def _pool(top_k: int) -> int:
    return min(120, max(2 * top_k, 10) + 20)


def _contexts(predictor, text: str, spans: list[Span], wanted: int | None = None) -> tuple[list[Context], str, list[Span]]:
    """One model row per mask (the first ``wanted``), from the predictor's own windows."""
    wanted = len(spans) if wanted is None else wanted
    rows = predictor._encode(text, spans, wanted)
    model_text, model_spans = predictor._to_model_text(text, spans)
    by_mask = {}
    for row in rows:
        for mask, position in row.positions.items():
            span = model_spans[mask]
            after_space = span.start > 0 and model_text[span.start - 1].isspace()
            by_mask[mask] = Context(tuple(row.input_ids), position, after_space)
    return [by_mask[i] for i in range(wanted)], model_text, model_spans


def _candidates(words, top_k: int, filters: Filters, cased: bool, original: str | None, initial: bool, use_keep: bool):
    """Filter, case, rank and cut: the writer's list for one mask."""
    scored = []
    seen = set()
    for word in words:
        shown = match_case(word.text, cased_model=cased, original=original, initial=initial) if filters.match_case else word.text
        if shown in seen or not keep(shown, filters, original):
            continue
        seen.add(shown)
        score = word.log_score
        if use_keep and word.keep_score is not None:
            score += KEEP_MEANING_WEIGHT * word.keep_score
        scored.append((score, shown, word))
    scored.sort(key=lambda t: t[0], reverse=True)
    shown_list = scored[:top_k]
    if original is not None and not any(same_word(s, original) for _, s, _ in shown_list):
        # The writer's own word is always shown (marked), so they see where it stands.
        shown_list += [t for t in scored if same_word(t[1], original)][:1]
    scored = shown_list
    return [
        Candidate(shown, share, word.pieces[0], word.pieces, score, same_word(shown, original))
        for (score, shown, word), share in zip(scored, shares([s for s, _, _ in scored]))
    ]


def predict_words(predictor, text: str, top_k: int = 5, filters: Filters | None = None) -> Prediction:
    """Whole-word candidates for every mask; fill-all rows when there are several."""
    started = time.perf_counter()
    passes = predictor.forward_passes
    filters = filters or Filters(top_k=top_k)
    top_k = clamp_top_k(top_k)
    spans = find_masks(text, predictor.mask_token)
    if not spans:
        return Prediction((), time.perf_counter() - started, mode=Mode.WORDS)
    kinds = piece_kinds(predictor)
    wanted = min(len(spans), MAX_MASKS)
    note = capped_masks_note(len(spans))
    contexts, model_text, model_spans = _contexts(predictor, text, spans, wanted)
    words = generate(predictor, contexts, pool=_pool(top_k))
    results = []
    for span, model_span, found in zip(spans[:wanted], model_spans, words):
        initial = sentence_initial(model_text, model_span.start)
        cands = _candidates(found, top_k, filters, kinds.cased, None, initial, False)
        results.append(MaskResult(span.start, span.end, tuple(cands), SHARE_LABEL))
    fills = ()
    if filters.fill_all and 1 < len(spans) <= MAX_JOINT_MASKS:
        found = fill_all(predictor, text, spans, filters, count=top_k)
        fills = tuple(Fill(w, share, s) for (w, s), share in zip(found, shares([s for _, s in found])))
    return Prediction(
        tuple(results),
        time.perf_counter() - started,
        note,
        mode=Mode.WORDS,
        fills=fills,
        fills_label=FILLS_LABEL if fills else "",
        forward_passes=predictor.forward_passes - passes,
    )


def predict_span(predictor, text: str, start: int, end: int, top_k: int = 5, filters: Filters | None = None) -> Prediction:
    """Alternatives for the selected text[start:end]; the text itself is not changed.

    The selection is the mask (other [MASK]s in the text stay masks). With
    ``filters.keep_meaning`` the ranking adds the model's view of the original word in
    place, so alternatives keep its sense; the original word is marked
    (``Candidate.original``) or hidden (``filters.hide_original``).
    """
    started = time.perf_counter()
    passes = predictor.forward_passes
    filters = filters or Filters(top_k=top_k)
    top_k = clamp_top_k(top_k)
    start, end = trim_span(text, start, end)
    if start >= end:
        return Prediction((), time.perf_counter() - started, mode=Mode.SPAN)
    original = text[start:end]
    others = [s for s in find_masks(text, predictor.mask_token) if s.end <= start or s.start >= end]
    spans = sorted(others + [Span(start, end)], key=lambda s: s.start)
    index = spans.index(Span(start, end))
    kinds = piece_kinds(predictor)
    contexts, model_text, model_spans = _contexts(predictor, text, spans)
    ctx = contexts[index]
    pieces = original_pieces(predictor, ctx, original)
    single_word = " " not in original.strip()
    extra = [[pieces]] if single_word and pieces else [[]]
    (found,) = generate(predictor, [ctx], pool=_pool(top_k), extra=extra)
    if filters.keep_meaning and pieces:
        keep_meaning_scores(predictor, [ctx], [pieces], [found])
    initial = sentence_initial(model_text, model_spans[index].start)
    cands = _candidates(found, top_k, filters, kinds.cased, original, initial, filters.keep_meaning)
    result = MaskResult(start, end, tuple(cands), SHARE_LABEL, original)
    return Prediction(
        (result,), time.perf_counter() - started, mode=Mode.SPAN, forward_passes=predictor.forward_passes - passes
    )
