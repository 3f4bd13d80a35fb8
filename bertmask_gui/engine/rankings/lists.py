"""The writer's list for one mask: filter, match case, rank, cut; the shown percentage."""

from __future__ import annotations

import math

from bertmask_gui.engine.filters import keep, match_case, same_word
from bertmask_gui.engine.options import Filters, Tuning
from bertmask_gui.engine.results import Candidate

# The percentage shown for a whole word is exp(PLL-word-l2r): the model's own estimate
# of the whole word's probability there. Measured (docs/QUALITY.md c, 520 held-out
# words), expected calibration error of the top word: 0.071 [0.049–0.097] against 0.313
# for the former "share of the shown list" (a softmax over the shown five, 46% on
# average for a top word that was right 15% of the time). A low figure means the
# model is unsure.
WORD_LABEL = "the model's estimate that this word belongs here"
# Fill-all by the same logic: exp(the joint PLL-word-l2r), the chain-rule estimate that
# all the words belong together (products of several probabilities, so small).
# Selection mode with "Keep the meaning" ranks by keep_meaning_score, so it shows that
# score's share among the alternatives found (a softmax over the pool, the writer's own
# word left out: its embedding term with itself would take ~100% and leave the
# alternatives "< 0.01%"; its own row shows at most 100%): the figures fall as the list
# goes down. exp(PLL) there jumped (0.2%, 12.4%, 6.1%, 0.9%: issue 20).
MEANING_LABEL = "the word's share of the keep-meaning score (fits here, keeps your word's sense) among the alternatives found"
FILLS_LABEL = "the model's estimate that these words together belong here"


def pool_size(top_k: int) -> int:
    """One-piece words generated per mask: room for the filters to drop some."""
    return min(120, max(2 * top_k, 10) + 20)


def word_list(
    words,
    top_k: int,
    filters: Filters,
    cased: bool,
    original: str | None,
    initial: bool,
    keep_meaning: Tuning | None = None,
    compared=(),
):
    """Filter, case, rank and cut ``words`` (rankings.words.Word): the list for one mask.

    Ranked by PLL-word-l2r, shown as exp(PLL-word-l2r) (WORD_LABEL); or with
    ``keep_meaning`` (selection mode, "Keep the meaning") ranked by ``keep_meaning_score``
    and shown as that score's share among the alternatives that pass (MEANING_LABEL; the
    writer's own word is left out of the sum and its row shows at most 100%), so the
    figures fall as the list goes down.
    ``compared`` words (the writer's, "Compare with…") pass the filters and the cut, marked.
    """
    scored = _scored(words, filters, cased, original, initial, keep_meaning, compared)
    shown_list = scored[:top_k]
    if original is not None and not any(same_word(s, original) for _, s, _ in shown_list):
        # The writer's own word is always shown (marked), so they see where it stands.
        shown_list += [t for t in scored if same_word(t[1], original)][:1]
    shown_list += [t for t in scored if t not in shown_list and any(same_word(t[1], c) for c in compared)]
    others = [score for score, shown, _ in scored if not same_word(shown, original)]
    total = _log_sum_exp(others) if keep_meaning is not None else None
    return [
        Candidate(
            shown, probability(word.log_score) if total is None else probability(score - total), word.pieces[0],
            word.pieces, word.log_score, same_word(shown, original), any(same_word(shown, c) for c in compared),
        )
        for score, shown, word in shown_list
    ]


def _log_sum_exp(values: list[float]) -> float:
    top = max(values, default=0.0)
    return top + math.log(sum(math.exp(v - top) for v in values)) if values else 0.0


def _scored(words, filters: Filters, cased: bool, original, initial: bool, keep_meaning, compared=()) -> list[tuple]:
    """(rank score, shown text, word) of every word that passes the filters, best first."""
    scored = []
    seen = set()
    for word in words:
        shown = match_case(word.text, cased_model=cased, original=original, initial=initial) if filters.match_case else word.text
        asked = any(same_word(word.text, c) for c in compared)
        if shown in seen or not (asked or keep(shown, filters, original)):
            continue
        seen.add(shown)
        score = word.log_score if keep_meaning is None else keep_meaning_score(word, keep_meaning)
        scored.append((score, shown, word))
    scored.sort(key=lambda t: t[0], reverse=True)
    return scored


def keep_meaning_score(word, tuning: Tuning) -> float:
    """Selection mode's rank: log P_masked + weight · log P_in_place + emb/T (the terms
    that are known; options.Tuning has the measurement)."""
    score = word.log_score
    if word.keep_score is not None:
        score += tuning.keep_meaning_weight * word.keep_score
    if word.similarity is not None:
        score += word.similarity
    return score


def probability(log_score: float) -> float:
    """exp(log_score), at most 1: the model's estimate as a probability."""
    return min(1.0, math.exp(log_score))


def shown_floor(
    top_k: int, filters: Filters, cased: bool, original: str | None, initial: bool,
    keep_meaning: Tuning | None = None, prepare=None,
):
    """A ``words.Floor`` for ``word_list``: the k-th shown rank score among the words
    scored so far. A word below it can never be shown, because more words only raise
    it. Ranked by PLL-word-l2r every term is ≤ 0, so a partial word's terms bound it;
    with ``keep_meaning`` the in-place term is ≤ 0 too and the embedding term is
    bounded by words.generate's ``bonus`` (meaning.similarity_bounds). ``prepare(words)``
    fills what the rank needs first (the similarity)."""

    def floor(words) -> float:
        if prepare is not None:
            prepare(words)
        shown = _scored(words, filters, cased, original, initial, keep_meaning)[:top_k]
        return shown[-1][0] if len(shown) == top_k else -math.inf

    return floor
