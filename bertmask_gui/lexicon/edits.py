"""Real words within one or two edits of a spelling (Damerau-Levenshtein: a letter
deleted, inserted, replaced, or two neighbours swapped).

Generate-and-filter (Norvig's corrector): every string one edit away (~55 per letter
of the word) is looked up in the word list; two edits are one edit of each of those
(~0.1 s for an 8-letter word in pure Python). Only non-words need two edits, and a
text has few of them; the real-word neighbours of every word need one edit only.
"""

from __future__ import annotations

from dataclasses import dataclass

from bertmask_gui.lexicon.words import lower_words, normalized, zipf

LETTERS = "abcdefghijklmnopqrstuvwxyz'"
MAX_LENGTH = 24  # longer strings (a URL, a run of letters) get no corrections


@dataclass(frozen=True)
class Neighbour:
    word: str
    distance: int  # 1 or 2 edits
    zipf: float  # wordfreq's Zipf frequency


def one_edit(word: str) -> set[str]:
    """Every string one edit from ``word`` (lower case letters and the apostrophe)."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {a + b[1:] for a, b in splits if b}
    swaps = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    replaces = {a + c + b[1:] for a, b in splits if b for c in LETTERS}
    inserts = {a + c + b for a, b in splits for c in LETTERS}
    found = deletes | swaps | replaces | inserts
    found.discard(word)
    return found


def neighbours(word: str, max_distance: int = 1, min_zipf: float = 0.0) -> list[Neighbour]:
    """Lower-case real words within ``max_distance`` (1 or 2) edits of ``word`` (case is
    ignored), commonest first within each distance; those below ``min_zipf`` left out."""
    key = normalized(word).lower()
    if not key or len(key) > MAX_LENGTH:
        return []
    words = lower_words()
    first = one_edit(key)
    found = {w: 1 for w in first if w in words}
    if max_distance >= 2:
        for near in first:
            for w in one_edit(near):
                if w in words and w not in found and w != key:
                    found[w] = 2
    ranked = [Neighbour(w, d, zipf(w)) for w, d in found.items()]
    ranked = [n for n in ranked if n.zipf >= min_zipf]
    return sorted(ranked, key=lambda n: (n.distance, -n.zipf, n.word))
