"""How words sound: the CMU Pronouncing Dictionary's phones, syllables and rhymes.

Data: ``resources/lexicon/cmudict.txt.gz`` (126k words, 0.9 MB; built by
packaging/lexicon/build_lexicon.py from the BSD-licensed ``cmudict.dict``). Read once, on
the first question, and kept (measured: 0.12 s and +26 MB on a quiet 2-core machine, 0.7-1.9 s
on a busy one); the rhyme index is built on the first rhyme question (0.37 s, +11 MB).
The app asks on the worker's thread (ui.worker), never the window's. Words are looked up
case-insensitively.

- Syllables: the vowels of the word's first pronunciation; a word the dictionary lacks
  gets an estimate from its spelling, marked ``estimated``.
- Rhyme: the phonemes from the last stressed vowel on (stress marks ignored), for any of
  a word's pronunciations. A word the dictionary lacks cannot be judged to rhyme; a word
  does not rhyme with itself.
"""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass
from functools import lru_cache

from bertmask_gui.lexicon.data import data_path

DATA_FILE = "cmudict.txt.gz"
_VOWEL_GROUP = re.compile(r"[aeiouy]+")


@dataclass(frozen=True)
class Syllables:
    count: int
    estimated: bool  # from the spelling: the dictionary lacks the word


@lru_cache(maxsize=1)
def _dictionary() -> dict[str, str]:
    """word → its pronunciations as stored (``R EH1 D|R IY1 D``): split when asked, so
    loading is one pass over the file and the table stays small."""
    with gzip.open(data_path(DATA_FILE), "rt", encoding="utf-8") as lines:
        return dict(line.rstrip("\n").split("\t", 1) for line in lines)


def _key(word: str) -> str:
    return word.strip().casefold().replace("’", "'")


def pronunciations(word: str) -> tuple[tuple[str, ...], ...]:
    """The word's pronunciations (phones with stress digits), () if the dictionary lacks it."""
    stored = _dictionary().get(_key(word))
    return tuple(tuple(p.split()) for p in stored.split("|")) if stored else ()


def known(word: str) -> bool:
    return bool(pronunciations(word))


def syllables(word: str) -> Syllables | None:
    """The word's syllable count: the dictionary's, or an estimate (marked); None for
    something that is not a word (no letters)."""
    prons = pronunciations(word)
    if prons:
        return Syllables(sum(1 for phone in prons[0] if phone[-1].isdigit()), False)
    estimate = estimated_syllables(word)
    return Syllables(estimate, True) if estimate else None


def syllable_counts(word: str) -> frozenset[int]:
    """Every count the word can have (its pronunciations differ: ``every`` 2 or 3)."""
    prons = pronunciations(word)
    if prons:
        return frozenset(sum(1 for phone in p if phone[-1].isdigit()) for p in prons)
    estimate = estimated_syllables(word)
    return frozenset({estimate}) if estimate else frozenset()


def estimated_syllables(word: str) -> int:
    """Syllables from the spelling: vowel groups, less a silent final ``e`` (``make``)
    but not ``-le`` after a consonant (``table``); at least one for a word with letters."""
    letters = re.sub(r"[^a-z]", "", word.casefold())
    if not letters:
        return 0
    count = len(_VOWEL_GROUP.findall(letters))
    if letters.endswith("e") and not letters.endswith(("le", "ee", "ye")) and count > 1:
        count -= 1
    elif letters.endswith("le") and len(letters) > 2 and letters[-3] in "aeiouy" and count > 1:
        count -= 1
    if letters.endswith(("ed", "es")) and len(letters) > 3 and letters[-3] not in "tdszxcgh" and count > 1:
        count -= 1  # walked, makes: no extra syllable
    return max(1, count)


def rhyme_part(phones: tuple[str, ...]) -> str:
    """The phonemes from the last stressed vowel on, stress marks dropped (``AY T``);
    from the last vowel when none is stressed."""
    start = next((i for i in range(len(phones) - 1, -1, -1) if phones[i][-1] in "12"), None)
    if start is None:
        start = next((i for i in range(len(phones) - 1, -1, -1) if phones[i][-1] == "0"), 0)
    return " ".join(phone.rstrip("012") for phone in phones[start:])


@lru_cache(maxsize=8192)
def rhyme_parts(word: str) -> frozenset[str]:
    return frozenset(rhyme_part(p) for p in pronunciations(word))


def rhymes(word: str, other: str) -> bool:
    """Whether two different words rhyme in any of their pronunciations."""
    if _key(word) == _key(other):
        return False
    return not rhyme_parts(word).isdisjoint(rhyme_parts(other))


@lru_cache(maxsize=1)
def _rhyme_index() -> dict[str, tuple[str, ...]]:
    index: dict[str, list[str]] = {}
    for word, stored in _dictionary().items():
        for part in {rhyme_part(tuple(p.split())) for p in stored.split("|")}:
            index.setdefault(part, []).append(word)
    return {part: tuple(words) for part, words in index.items()}


def rhyming_words(word: str) -> tuple[str, ...]:
    """Every dictionary word that rhymes with ``word`` (lower case, sorted); () if the
    dictionary lacks it."""
    index = _rhyme_index()
    found = {w for part in rhyme_parts(word) for w in index.get(part, ())}
    found.discard(_key(word))
    return tuple(sorted(found))


def words() -> tuple[str, ...]:
    """Every word of the dictionary (lower case, sorted)."""
    return tuple(_dictionary())
