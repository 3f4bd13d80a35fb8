"""Which candidate words a writer sees, and in which case: pure Python, no torch.

Used by the whole-word ranking, the joint fill and the UI's settings alike.
"""

from __future__ import annotations

import re
import unicodedata

from bertmask_gui.engine.options import Filters

# A small English stop-word list (function words a writer rarely wants suggested).
STOP_WORDS = frozenset(
    """
    a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for
    from further had has have having he her here hers herself him himself his how i if in
    into is it its itself just me more most my myself no nor not now of off on once only or
    other our ours ourselves out over own same she should so some such than that the their
    theirs them themselves then there these they this those through to too under until up
    very was we were what when where which while who whom why will with would you your
    yours yourself yourselves it's i'm don't can't won't
    """.split()
)

# A word: letters, with apostrophes or hyphens only between letters (don't, well-known).
_WORD = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
_SENTENCE_END = re.compile(r"[.!?…]['\")\]”’]*$")
_UNPRINTABLE = {"Cc", "Cf", "Cs", "Co", "Cn"}


def is_punctuation(word: str) -> bool:
    """No letter and no digit in it: ``,``  ``...``  ``"``."""
    return not any(ch.isalnum() for ch in word)


def is_word(word: str) -> bool:
    """Letters, with inner apostrophes and hyphens: ``love``, ``don't``, ``well-known``;
    not ``,``, ``3``, ``'s`` or ``--``."""
    return bool(_WORD.fullmatch(word))


def is_number(word: str) -> bool:
    """Digits (with separators): ``3``, ``1,000``, ``2.5``, ``1990s``."""
    return any(ch.isdigit() for ch in word) and not any(ch.isalpha() for ch in word.rstrip("s"))


def is_stop_word(word: str) -> bool:
    return word.lower() in STOP_WORDS


def is_writable(word: str) -> bool:
    """Text a writer can put in: not empty, no broken bytes, no control characters,
    and never a bare word piece marker (``##``, ``Ġ``, ``▁``)."""
    if not word or word != word.strip() or "\ufffd" in word:
        return False
    if word.startswith("##") or "Ġ" in word or "▁" in word:
        return False
    return not any(unicodedata.category(ch) in _UNPRINTABLE for ch in word)


def same_word(a: str, b: str | None) -> bool:
    return b is not None and a.casefold() == b.strip().casefold()


def keep(word: str, filters: Filters, original: str | None = None) -> bool:
    """True if ``word`` passes the writer's filters."""
    if not is_writable(word):
        return False
    if filters.words_only and not is_word(word):
        return False
    if filters.hide_punctuation and is_punctuation(word):
        return False
    if filters.hide_numbers and is_number(word):
        return False
    if filters.hide_stop_words and is_stop_word(word):
        return False
    if filters.hide_original and same_word(word, original):
        return False
    return True


def sentence_initial(text: str, start: int) -> bool:
    """Does a word at ``start`` begin a sentence (text start, after . ! ? or a blank line)?"""
    before = text[:start].rstrip(" \t")
    if not before or before.endswith("\n"):
        return True
    return bool(_SENTENCE_END.search(before))


def match_case(word: str, *, cased_model: bool, original: str | None = None, initial: bool = False) -> str:
    """The candidate in the case the place needs.

    A cased model already chose its case (``Paris``, ``iPhone``): it is kept. An uncased
    model only knows lower case, so its word takes the original word's shape (``LOVE``,
    ``Love``) or a capital at the start of a sentence.
    """
    if cased_model or not word or not word[0].isalpha():
        return word
    if original:
        letters = [c for c in original if c.isalpha()]
        if len(letters) > 1 and all(c.isupper() for c in letters):
            return word.upper()
        if letters and original.lstrip()[:1].isupper():
            return word[0].upper() + word[1:]
    if initial:
        return word[0].upper() + word[1:]
    return word
