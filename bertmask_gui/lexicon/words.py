"""The English word list and word frequencies.

*Is it a word* is SCOWL's spell-checker list (``resources/lexicon/words_en.txt``: American
and British English, size 70, as Debian's ``wamerican-large``/``wbritish-large``), not a
frequency list: wordfreq's 321,000 English words include common misspellings from the
web ("recieve" 2.75, "thier" 2.99, "teh" 3.04 on the Zipf scale) at the same frequencies as
real rare words ("torrents" 2.94, "purred" 2.26), so no frequency cut separates them.
*How common is it* is wordfreq's Zipf frequency (log10 of uses per billion words: "the"
7.7, "democracy" 4.5, a word never seen 0). A word wordfreq finds common (Zipf ≥
``COMMON_ZIPF``) counts as a word even when SCOWL (2020) lacks it.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

from bertmask_gui.lexicon.data import data_path

WORD_LIST = "words_en.txt"
# At least a few uses per ten thousand words: no misspelling in wordfreq reaches it
# ("alot" 3.93 is the highest of those we met), and new common words do ("covid" 4.4).
COMMON_ZIPF = 4.0
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'"})
_LETTERS = re.compile(r"[^\W\d_]")


def normalized(word: str) -> str:
    """Straight apostrophes, no edge quotes: how the lists spell a word."""
    return word.translate(_APOSTROPHES).strip("'\"")


@lru_cache(maxsize=1)
def word_set() -> frozenset[str]:
    """Every listed spelling, in its own case ("Paris", "paris" not)."""
    with open(data_path(WORD_LIST), encoding="utf-8") as handle:
        return frozenset(line.strip() for line in handle if line.strip())


@lru_cache(maxsize=1)
def lower_words() -> frozenset[str]:
    """The listed words that are written in lower case (the candidates for a correction)."""
    return frozenset(w for w in word_set() if w.islower())


@lru_cache(maxsize=1)
def _frequencies() -> dict[str, float]:
    import wordfreq  # ~0.1 s to read its English table: only when a word is first asked about

    return wordfreq.get_frequency_dict("en", wordlist="large")


def zipf(word: str) -> float:
    """wordfreq's Zipf frequency of the word (case-insensitive); 0.0 if never seen."""
    share = frequency(word)
    return round(math.log10(share * 1e9), 2) if share > 0 else 0.0


def frequency(word: str) -> float:
    """The share of all words that are this one (wordfreq; 0.0 if never seen)."""
    return _frequencies().get(normalized(word).lower(), 0.0)


def has_letters(word: str) -> bool:
    return bool(_LETTERS.search(word))


def is_word(word: str) -> bool:
    """Whether ``word`` is an English word as written: listed (in its case, or in lower
    case when written with a capital or in capitals), common enough by wordfreq, a
    possessive of a word, or a hyphenated compound of words. Numbers and words without
    letters count as words (nothing to spell)."""
    word = normalized(word)
    if not has_letters(word) or any(c.isdigit() for c in word):
        return True
    if _listed(word) or zipf(word) >= COMMON_ZIPF:
        return True
    if word.lower().endswith("'s") and len(word) > 2:
        return is_word(word[:-2])
    if word.endswith("s'") and len(word) > 2:
        return is_word(word[:-1])
    if "-" in word.strip("-"):
        return all(is_word(part) for part in word.split("-") if part)
    return False


# Prefixes that make new words of listed ones ("supermajority", "biofuels", "relitigating"):
# such words are missing from every list. Not "co"/"de": typos make them of real words
# ("coomitted"); with these, none of 1,280 planted typos (make quality) reads as prefixed.
PREFIXES = ("anti", "bio", "counter", "cyber", "eco", "geo", "hyper", "inter", "macro", "mega", "micro",
            "mini", "multi", "neo", "non", "over", "post", "pre", "pro", "re", "semi", "sub", "super",
            "trans", "ultra", "un", "under")
PREFIXED_MIN_LETTERS = 4  # the word after the prefix: at least this long
PREFIXED_MIN_ZIPF = 2.0  # and at least this common (wordfreq Zipf)


def prefixed(word: str) -> bool:
    """Whether ``word`` is a productive prefix before a listed word ("postpartisan")."""
    key = normalized(word).lower()
    for prefix in PREFIXES:
        rest = key[len(prefix) :].lstrip("-")
        if not key.startswith(prefix) or len(rest) < PREFIXED_MIN_LETTERS:
            continue
        if is_word(rest) and zipf(rest) >= PREFIXED_MIN_ZIPF:
            return True
    return False


def _listed(word: str) -> bool:
    words = word_set()
    if word in words:
        return True
    lower = word.lower()
    if word[:1].isupper() and (lower in words or lower.capitalize() in words):
        return True  # "Their" at a sentence's start; "PARIS" in capitals
    return False
