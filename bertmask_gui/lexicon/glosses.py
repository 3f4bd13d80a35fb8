"""What words mean: WordNet 3.0's glosses, with WordNet's own morphology.

Data: ``resources/lexicon/wordnet.tsv.gz`` (single-word lemmas, 3.6 MB; built by
packaging/lexicon/build_lexicon.py from WordNet 3.0's database files). Read once, on the
first question, and kept (measured: 0.39-0.55 s and +35 MB on a quiet 2-core machine, 0.8-0.95 s
on a busy one; a gloss then costs ~0.2 ms).

An inflected form finds its lemma as WordNet's ``morphy`` does: the exception lists
(``happier`` → happy, ``went`` → go), then the detachment rules of each part of speech
(``-ies`` → ``-y``, ``-ing`` → ``-e`` or nothing…), keeping the forms WordNet has.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from functools import lru_cache

from bertmask_gui.lexicon.data import data_path

DATA_FILE = "wordnet.tsv.gz"
PARTS_OF_SPEECH = {"n": "noun", "v": "verb", "a": "adjective", "r": "adverb"}
# WordNet's detachment rules (morphy(7WN)): suffix → replacement, per part of speech.
_RULES = {
    "n": (("s", ""), ("ses", "s"), ("xes", "x"), ("zes", "z"), ("ches", "ch"), ("shes", "sh"), ("men", "man"), ("ies", "y")),
    "v": (("s", ""), ("ies", "y"), ("es", "e"), ("es", ""), ("ed", "e"), ("ed", ""), ("ing", "e"), ("ing", "")),
    "a": (("er", ""), ("est", ""), ("er", "e"), ("est", "e")),
    "r": (),
}


@dataclass(frozen=True)
class Sense:
    lemma: str
    pos: str  # n, v, a, r
    definition: str
    synonyms: tuple[str, ...]  # the synset's single-word lemmas
    related: tuple[str, ...]  # its hypernyms' (nouns, verbs) or similar adjectives' lemmas

    @property
    def part_of_speech(self) -> str:
        return PARTS_OF_SPEECH[self.pos]


@dataclass(frozen=True)
class _WordNet:
    # Lines as stored, split when asked: one string per entry keeps the tables small.
    synsets: list[str]  # "pos\tdefinition\tsynonyms\trelated"
    lemmas: dict[tuple[str, str], str]  # (lemma, pos) → "tagged senses\tsynset numbers"
    exceptions: dict[tuple[str, str], str]  # (inflected, pos) → "base base"


@lru_cache(maxsize=1)
def _wordnet() -> _WordNet:
    synsets, lemmas, exceptions = [], {}, {}
    with gzip.open(data_path(DATA_FILE), "rt", encoding="utf-8") as lines:
        for line in lines:
            kind, rest = line.rstrip("\n").split("\t", 1)
            if kind == "S":
                synsets.append(rest)
            elif kind == "L":
                lemma, pos, rest = rest.split("\t", 2)
                lemmas[(lemma, pos)] = rest
            else:
                pos, word, bases = rest.split("\t")
                exceptions[(word, pos)] = bases
    return _WordNet(synsets, lemmas, exceptions)


def _senses_of(wn: _WordNet, lemma: str, pos: str) -> tuple[int, list[str]]:
    """(tagged senses, synset numbers) of a lemma."""
    tagged, numbers = wn.lemmas[(lemma, pos)].split("\t")
    return int(tagged), numbers.split()


def lemmas(word: str) -> list[tuple[str, str]]:
    """(lemma, pos) pairs WordNet has for ``word``, the commonest part of speech first
    (by how many of its senses SemCor tagged, then how many senses it has)."""
    key = word.strip().casefold().replace("’", "'")
    if not key:
        return []
    wn = _wordnet()
    found: list[tuple[int, int, int, str, str]] = []
    for pos in PARTS_OF_SPEECH:
        for rank, lemma in enumerate(_morphy(wn, key, pos)):
            tagged, numbers = _senses_of(wn, lemma, pos)
            found.append((rank, -tagged, -len(numbers), lemma, pos))
    found.sort(key=lambda t: (t[0] > 0, t[1], t[2], t[0]))
    return list(dict.fromkeys((lemma, pos) for *_, lemma, pos in found))


def share_a_lemma(word: str, other: str) -> bool:
    """Whether two words are forms of one WordNet lemma ("inspires", "inspired")."""
    return bool(_lemma_set(word) & _lemma_set(other))


@lru_cache(maxsize=8192)  # the checker asks about every one-edit neighbour of every word
def _lemma_set(word: str) -> frozenset[str]:
    return frozenset(lemma for lemma, _ in lemmas(word))


def _morphy(wn: _WordNet, word: str, pos: str) -> list[str]:
    """The lemmas of ``word`` as ``pos`` that WordNet has, the word itself first."""
    forms = [word, *wn.exceptions.get((word, pos), "").split()]
    if len(forms) == 1:
        forms += [word[: -len(suffix)] + ending for suffix, ending in _RULES[pos] if word.endswith(suffix)]
    return [form for form in dict.fromkeys(forms) if (form, pos) in wn.lemmas]


def senses(word: str) -> tuple[Sense, ...]:
    """Every sense of every lemma of ``word``: the commonest part of speech first, and in
    each, WordNet's order (its first sense is its most frequent)."""
    wn = _wordnet()
    out = []
    for lemma, pos in lemmas(word):
        for number in _senses_of(wn, lemma, pos)[1]:
            s_pos, definition, synonyms, related = wn.synsets[int(number)].split("\t")
            out.append(Sense(lemma, s_pos, definition, tuple(synonyms.split()), tuple(related.split())))
    return tuple(out)


def gloss(word: str) -> str | None:
    """The first sense's definition (``happier`` → happy's), or None if WordNet lacks the word."""
    found = senses(word)
    return described(found[0]) if found else None


def described(sense: Sense) -> str:
    """A sense as one line for the writer: ``(adjective) enjoying or showing … pleasure``."""
    return f"({sense.part_of_speech}) {sense.definition}"
