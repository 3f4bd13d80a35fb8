"""What a prediction returns: candidates per mask, joint fillings, and how they were ranked.

Layer 0 (plain Python): the worker's signals, the panel and ``--json`` carry these.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Mode(str, Enum):
    """Which ranking answered (a str, so ``mode == "words"`` still reads naturally)."""

    PIECES = "pieces"  # the model's raw single tokens, as transformers' fill-mask pipeline
    WORDS = "words"  # whole words of 1-3 pieces at every mask
    SPAN = "span"  # alternatives for a selected word, the text unchanged

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Candidate:
    token: str  # as a writer reads it
    score: float  # what MaskResult.score_label says: pieces, the probability at the mask;
    # whole words, exp(PLL-word-l2r), the model's estimate that the word belongs there
    token_id: int
    # Whole-word modes: all pieces, PLL-word-l2r (natural log), and whether this is the
    # word the writer selected.
    token_ids: tuple[int, ...] = ()
    log_score: float | None = None
    original: bool = False
    compared: bool = False  # selection mode: a word the writer asked to compare
    # Word facts (rankings.facts; None until asked): the WordNet gloss of the sense that
    # fits here, and the syllable count (CMU, or an estimate from the spelling, marked).
    definition: str | None = None
    syllables: int | None = None
    syllables_estimated: bool = False


@dataclass(frozen=True)
class Influence:
    """How much a context word supports a candidate: log P(candidate | text) minus
    log P(candidate | text with that word masked). Offsets in the writer's text."""

    start: int
    end: int
    word: str
    influence: float

    def to_dict(self) -> dict:
        return {"start": self.start, "end": self.end, "word": self.word, "influence": self.influence}


@dataclass(frozen=True)
class WordScore:
    """How expected a word of the text is in its place: PLL-word-l2r, natural log."""

    start: int
    end: int
    word: str
    log_score: float

    def to_dict(self) -> dict:
        return {"start": self.start, "end": self.end, "word": self.word, "log_score": self.log_score}


@dataclass(frozen=True)
class MaskResult:
    start: int  # character offsets of the mask in the writer's text
    end: int
    candidates: tuple[Candidate, ...]
    score_label: str = "probability at the mask"  # what Candidate.score means, for the UI/CLI
    original: str | None = None  # selection mode: the selected text
    why: tuple[Influence, ...] | None = None  # explained: what supports the first candidate


@dataclass(frozen=True)
class Fill:
    """One complete filling: a word per mask (in mask order, as shown to the writer)."""

    words: tuple[str, ...]
    score: float  # exp(log_score): the model's estimate that these words belong together
    log_score: float  # joint PLL-word-l2r, natural log


@dataclass(frozen=True)
class Prediction:
    masks: tuple[MaskResult, ...]
    seconds: float = 0.0
    note: str = ""  # a sentence for the writer when not every mask was answered
    mode: Mode = Mode.PIECES
    fills: tuple[Fill, ...] = ()  # complete joint fillings of all masks
    fills_label: str = ""
    forward_passes: int = 0  # model forward passes this prediction cost
    # The one-piece words after the first pass, exact: the full list, with the words of
    # several pieces, follows for the same request (Predictor.predict's ``early``).
    preliminary: bool = False

    def to_dict(self) -> dict:
        return {
            "mode": str(self.mode),
            "forward_passes": self.forward_passes,
            "masks": [
                {
                    "start": m.start,
                    "end": m.end,
                    "score_label": m.score_label,
                    "candidates": [_candidate_dict(c) for c in m.candidates],
                    **({"why": [i.to_dict() for i in m.why]} if m.why is not None else {}),
                }
                for m in self.masks
            ],
            "fills": [{"words": list(f.words), "score": f.score} for f in self.fills],
            **({"note": self.note} if self.note else {}),
            **({"fills_label": self.fills_label} if self.fills else {}),
        }


def _candidate_dict(c: Candidate) -> dict:
    return {
        "token": c.token,
        "score": c.score,
        **({"log_score": c.log_score} if c.log_score is not None else {}),
        **({"original": True} if c.original else {}),
        **({"compared": True} if c.compared else {}),
        "definition": c.definition,
        "syllables": c.syllables,
        **({"syllables_estimated": True} if c.syllables_estimated else {}),
    }


class FlagKind(str, Enum):
    """Why the checker marks a word."""

    SPELLING = "spelling"  # not a word: corrections within two edits
    CONFUSION = "confusion"  # a real word, but another fits its place much better
    UNUSUAL = "unusual"  # correct, just unexpected here (the quieter mark, on request)

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Suggestion:
    word: str
    log_score: float  # PLL-word-l2r in the flagged word's place, natural log


@dataclass(frozen=True)
class Flag:
    """A word the checker marks, with its fixes best first (character offsets in the text)."""

    start: int
    end: int
    word: str
    kind: FlagKind
    suggestions: tuple[Suggestion, ...]
    # first suggestion's log score minus the word's own (raw: before the piece bonus); None if no suggestion
    margin: float | None

    def to_dict(self) -> dict:
        return {
            "start": self.start,
            "end": self.end,
            "word": self.word,
            "kind": str(self.kind),
            "suggestions": [{"word": s.word, "log_score": s.log_score} for s in self.suggestions],
            "margin": self.margin,
        }


@dataclass(frozen=True)
class CheckResult:
    flags: tuple[Flag, ...]
    words: int = 0  # words looked at
    forward_passes: int = 0
    seconds: float = 0.0
