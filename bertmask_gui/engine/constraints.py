"""What a constrained mask asks of its word: ``[MASK rhymes:night syllables:2 starts:s max:6]``.

Layer 0 (plain Python, no torch): the rankings check words against it, the UI shows
and edits it. Sounds come from the lexicon (CMU Pronouncing Dictionary): a word rhymes
with the target when they share the phonemes from the last stressed vowel on, in any
pronunciation; a word the dictionary lacks cannot be judged to rhyme; syllables use the
dictionary's count, or the spelling's estimate for a word it lacks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bertmask_gui.engine.errors import PredictionError
from bertmask_gui.lexicon import pronunciations

KEYS = ("rhymes", "syllables", "starts", "max")
EXAMPLE = "[MASK rhymes:night syllables:2]"
_LETTER = re.compile(r"[^\W\d_]")
_PAIR = re.compile(r"([^\s:]+)\s*:\s*([^\s:]*)|(\S+)")


@dataclass(frozen=True)
class Constraints:
    rhymes: str | None = None  # a word the dictionary knows
    syllables: int | None = None  # exactly this many (any of the word's pronunciations)
    starts: str | None = None  # the word begins with this (any case)
    max_letters: int | None = None  # at most this many letters

    def allows(self, word: str) -> bool:
        """Whether ``word`` satisfies every constraint."""
        if self.starts is not None and not word.casefold().startswith(self.starts.casefold()):
            return False
        if self.max_letters is not None and letters(word) > self.max_letters:
            return False
        if self.syllables is not None and self.syllables not in pronunciations.syllable_counts(word):
            return False
        return self.rhymes is None or pronunciations.rhymes(word, self.rhymes)

    def text(self) -> str:
        """As the writer types it inside the mask: ``rhymes:night syllables:2``."""
        values = (self.rhymes, self.syllables, self.starts, self.max_letters)
        return " ".join(f"{key}:{value}" for key, value in zip(KEYS, values) if value is not None)

    def __bool__(self) -> bool:
        return any(v is not None for v in (self.rhymes, self.syllables, self.starts, self.max_letters))


def letters(word: str) -> int:
    return len(_LETTER.findall(word))


def checked(pairs: tuple[tuple[str, str], ...]) -> Constraints:
    """The writer's ``key:value`` pairs (masks.parse_constraints) as Constraints; a
    sentence (PredictionError) for anything that cannot be obeyed."""
    values: dict[str, str] = {}
    for key, value in pairs:
        if key not in KEYS:
            shown = f"“{key}:”" if key else f"“{value}”"
            raise PredictionError(
                f"{shown} is not a constraint a mask knows. Write rhymes:, syllables:, starts: or max: "
                f"with a value, as in {EXAMPLE}."
            )
        if key in values:
            raise PredictionError(f"The mask says {key}: twice; keep one.")
        if not value:
            raise PredictionError(f"{key}: needs a value after the colon, as in {EXAMPLE}.")
        values[key] = value
    rhymes = values.get("rhymes")
    if rhymes is not None and not pronunciations.known(rhymes):
        raise PredictionError(_unknown_rhyme(rhymes))
    return Constraints(
        rhymes=rhymes,
        syllables=_count(values, "syllables", "syllables:2"),
        starts=values.get("starts"),
        max_letters=_count(values, "max", "max:6 (letters)"),
    )


def pairs(text: str) -> tuple[tuple[str, str], ...]:
    """``rhymes:night  max: 6`` as (key, value) pairs, keys in lower case; a word without
    a colon has the key "" (so ``checked`` can say what is wrong)."""
    return tuple((key.casefold(), value) if key else ("", loose) for key, value, loose in _PAIR.findall(text))


def parse(text: str) -> Constraints:
    """A constraints row's text (``rhymes:night max:6``) as Constraints, checked."""
    return checked(pairs(text))


def _count(values: dict[str, str], key: str, example: str) -> int | None:
    value = values.get(key)
    if value is None:
        return None
    if not value.isdigit() or int(value) < 1:
        raise PredictionError(f"{key}:{value} cannot be met: {key}: takes a whole number of at least 1, as in {example}.")
    return int(value)


def _unknown_rhyme(word: str) -> str:
    sentence = (
        f"The pronouncing dictionary does not know “{word}”, so no word can be judged to rhyme with it. "
        "Spell it as it sounds, or give a known word with the same ending sound"
    )
    similar = sounds_like(word)
    return sentence + (f", such as rhymes:{similar}." if similar else ".")


def sounds_like(word: str) -> str | None:
    """The longest known word that ends ``word`` (``zorblight`` → blight), a likely rhyme."""
    lowered = word.casefold()
    for start in range(1, len(lowered) - 1):
        if pronunciations.known(lowered[start:]):
            return lowered[start:]
    return None
