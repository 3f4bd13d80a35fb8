"""The writer's list for one mask: filter, match case, rank, cut; shares that sum to 1."""

from __future__ import annotations

import math

from bertmask_gui.engine.filters import keep, match_case, same_word
from bertmask_gui.engine.options import Filters
from bertmask_gui.engine.results import Candidate

SHARE_LABEL = "share of the shown list"
FILLS_LABEL = "share of the shown fillings"
KEEP_MEANING_WEIGHT = 1.0  # score = log P_masked(word) + weight · log P_in_place(word)


def pool_size(top_k: int) -> int:
    """One-piece words generated per mask: room for the filters to drop some."""
    return min(120, max(2 * top_k, 10) + 20)


def word_list(words, top_k: int, filters: Filters, cased: bool, original: str | None, initial: bool, use_keep: bool):
    """Filter, case, rank and cut ``words`` (rankings.words.Word): the list for one mask."""
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
    return [
        Candidate(shown, share, word.pieces[0], word.pieces, score, same_word(shown, original))
        for (score, shown, word), share in zip(shown_list, shares([s for s, _, _ in shown_list]))
    ]


def shares(scores: list[float]) -> list[float]:
    """exp(score) normalised over the shown list (a softmax), so they sum to 1."""
    if not scores:
        return []
    top = max(scores)
    weights = [math.exp(s - top) for s in scores]
    total = sum(weights)
    return [w / total for w in weights]


def shown_floor(top_k: int, filters: Filters, cased: bool, original: str | None, initial: bool, use_keep: bool):
    """A ``words.Floor`` for ``word_list``: the k-th shown score among the words scored so
    far. A word below it can never be shown, because more words only raise it and a
    word's shown score is never above its log_score (keep_score ≤ 0, weight ≥ 0)."""

    def floor(words) -> float:
        shown = word_list(words, top_k, filters, cased, original, initial, use_keep)[:top_k]
        return min(c.log_score for c in shown) if len(shown) == top_k else -math.inf

    return floor
