"""The default ranking: the writer's whole-word list at every mask, and fill-all rows
when there are several masks (at [MASK:a|b] and [MASK rhymes:…] masks, only the words
their lists weighed: ``fill_all.Given``)."""

from __future__ import annotations

import time

from bertmask_gui.engine.filters import sentence_initial
from bertmask_gui.engine.masks import find_masks
from bertmask_gui.engine.options import MAX_JOINT_MASKS, MAX_MASKS, Filters, capped_masks_note, clamp_top_k
from bertmask_gui.engine.rankings.choices import choice_results, choice_words
from bertmask_gui.engine.rankings.constrained import constraint_masks, one_piece_words, satisfying_words, shown_lists
from bertmask_gui.engine.rankings.fill_all import BRANCH, Given, fill_all, near_top
from bertmask_gui.engine.rankings.job import Job
from bertmask_gui.engine.rankings.lists import FILLS_LABEL, WORD_LABEL, pool_size, probability, shown_floor, word_list
from bertmask_gui.engine.rankings.words import Word, generate
from bertmask_gui.engine.results import Fill, MaskResult, Mode, Prediction


def predict_words(job: Job, text: str, top_k: int = 5, filters: Filters | None = None, early=None) -> Prediction:
    """Whole-word candidates for every mask; fill-all rows when there are several.

    ``early(prediction)``: called with a preliminary Prediction (the one-piece words,
    exact, ``preliminary=True``) when the search for longer words needs more passes;
    not with [MASK:a|b] masks in the text."""
    started = time.perf_counter()
    passes = job.forward_passes
    filters = filters or Filters(top_k=top_k)
    top_k = clamp_top_k(top_k)
    spans = find_masks(text, job.vocabulary.mask_token)
    if not spans:
        return Prediction((), time.perf_counter() - started, mode=Mode.WORDS)
    wanted = min(len(spans), MAX_MASKS)
    chosen = choice_words(spans[:wanted])  # [MASK:a|b]: the writer's words, no generation
    constrained = constraint_masks(spans[:wanted])  # [MASK rhymes:night]: words that obey
    encoded = job.encoder.contexts(text, spans, wanted)
    plain = [i for i in range(wanted) if i not in chosen and i not in constrained]
    cased = job.vocabulary.cased
    initials = {i: sentence_initial(encoded.model_text, encoded.model_spans[i].start) for i in plain}
    floors = [shown_floor(top_k, filters, cased, None, initials[i]) for i in plain]

    def mask_results(lists) -> dict[int, MaskResult]:
        return {
            i: MaskResult(spans[i].start, spans[i].end, tuple(word_list(words, top_k, filters, cased, None, initials[i])), WORD_LABEL)
            for i, words in zip(plain, lists)
        }

    def announce(lists) -> None:
        shown = mask_results(lists)
        early(Prediction(tuple(shown[i] for i in range(wanted)), time.perf_counter() - started, capped_masks_note(len(spans)),
                         mode=Mode.WORDS, forward_passes=job.forward_passes - passes, preliminary=True))

    contexts = [encoded.contexts[i] for i in plain]
    note = capped_masks_note(len(spans))
    special = chosen or constrained
    lists = generate(job, contexts, pool=pool_size(top_k), floors=floors, early=announce if early and not special else None)
    results = choice_results(job, spans, encoded.contexts, chosen) if chosen else {}
    given = {i: _given_choices(r) for i, r in results.items()}
    if constrained:
        starts = {i: sentence_initial(encoded.model_text, encoded.model_spans[i].start) for i in constrained}
        satisfying = satisfying_words(job, encoded.contexts, constrained, top_k, filters, cased, starts)
        lists_of = shown_lists(satisfying, top_k, filters, cased, starts)
        given.update({
            i: Given(words, one_piece_words(job.vocabulary, constrained[i], encoded.contexts[i].after_space), near_top(words))
            for i, words in satisfying.items()
        })
        results.update({i: MaskResult(spans[i].start, spans[i].end, tuple(c), WORD_LABEL) for i, c in lists_of.items()})
        unmet = [f"[MASK {constrained[i].text()}]" for i, c in lists_of.items() if not c]
        if unmet:
            note = f"{note} No word the model can spell satisfies {', '.join(unmet)}: loosen the constraints.".strip()
    results.update(mask_results(lists))
    results = [results[i] for i in range(wanted)]
    fills = ()
    if filters.fill_all and 1 < len(spans) <= MAX_JOINT_MASKS:
        # The default lists were pruned for top_k shown words: enough for fill-all's
        # BRANCH best when top_k ≥ BRANCH, so it reuses them. At [MASK:a|b] and
        # [MASK rhymes:night] it picks among the words their lists weighed (``given``).
        own = dict(zip(plain, lists))
        first = [own[i] if i in own else given[i].words for i in range(len(spans))] if top_k >= BRANCH else None
        found = fill_all(job, text, spans, filters, count=top_k, first_words=first, given=given)
        fills = tuple(Fill(w, probability(s), s) for w, s in found)
    return Prediction(
        tuple(results),
        time.perf_counter() - started,
        note,
        mode=Mode.WORDS,
        fills=fills,
        fills_label=FILLS_LABEL if fills else "",
        forward_passes=job.forward_passes - passes,
    )


def _given_choices(result: MaskResult) -> Given:
    """A [MASK:a|b]'s weighed words, as fill-all's only words there."""
    words = [Word(c.token, c.token_ids, c.log_score) for c in result.candidates]
    return Given(words, [(w.pieces[0], w.text) for w in words if len(w.pieces) == 1], [w for w in words if len(w.pieces) > 1])
