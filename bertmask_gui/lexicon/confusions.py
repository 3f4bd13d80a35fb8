"""Commonly confused words: curated groups (``resources/lexicon/confusions.txt``, our
own curation; its header says so), each a set of real words a writer puts for one
another (their/there/they're, affect/effect, loose/lose).
"""

from __future__ import annotations

from functools import lru_cache

from bertmask_gui.lexicon.data import data_path
from bertmask_gui.lexicon.words import normalized

CONFUSIONS = "confusions.txt"


def parse(lines) -> tuple[tuple[str, ...], ...]:
    """Groups of two or more words, one per line, ``#`` comments and blank lines skipped."""
    groups = []
    for line in lines:
        words = tuple(dict.fromkeys(normalized(w).lower() for w in line.split("#", 1)[0].split()))
        if len(words) >= 2:
            groups.append(words)
    return tuple(groups)


@lru_cache(maxsize=1)
def groups() -> tuple[tuple[str, ...], ...]:
    with open(data_path(CONFUSIONS), encoding="utf-8") as handle:
        return parse(handle)


@lru_cache(maxsize=1)
def _by_word() -> dict[str, tuple[str, ...]]:
    found: dict[str, dict[str, None]] = {}
    for group in groups():
        for word in group:
            found.setdefault(word, {}).update(dict.fromkeys(w for w in group if w != word))
    return {word: tuple(others) for word, others in found.items()}


def confused_with(word: str) -> tuple[str, ...]:
    """The words ``word`` is commonly confused with (lower case), in list order; ()."""
    return _by_word().get(normalized(word).lower(), ())
