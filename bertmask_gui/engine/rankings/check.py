"""The draft checker: flag the word that is wrong, not the word that is rare.

Every word of the region is scored in place as ``surprise`` scores it (PLL-word-l2r,
masked, ``CheckOptions.context_tokens`` around it), and that same masked row answers for every one-piece
word at once, so most alternatives cost nothing more:

- **spelling**: a word not in the word list (lexicon.words; not the writer's, not a name
  in mid-sentence, not a prefix before a word such as "biofuels", not used
  REPEATED_IN_TEXT times in the text) gets the real words within
  two edits (lexicon.edits), ranked by their score in its place, a second edit costing
  ``distance_cost`` nats, commoner first on a tie;
- **confusion**: a real word is weighed against its curated confusion group
  (lexicon.confusions) and the frequent real words one edit away that are not another
  form of it; it is flagged when one beats it by its margin (``CheckOptions``, chosen by
  make quality), each extra piece earning a bonus ("it's", three pieces, would otherwise
  lose to "its", one, even where it is right);
- **unusual** (on request): the least expected UNUSUAL_SHARE of the other words, with
  the model's own words for the place.

Cost: ``surprise``'s rows (a row per piece of every word), plus a one-mask row for each
word of several pieces, plus a row per piece of each alternative of several pieces
(curated members and corrections only): one batched call.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import torch

from bertmask_gui.engine.errors import PredictionError
from bertmask_gui.engine.filters import match_case, sentence_initial
from bertmask_gui.engine.options import CheckOptions
from bertmask_gui.engine.rankings.inplace import after_space, words_in
from bertmask_gui.engine.rankings.job import Job
from bertmask_gui.engine.results import CheckResult, Flag, FlagKind, Suggestion
from bertmask_gui.lexicon import confusions, edits, glosses, words as lexicon

MAX_WORD_PIECES = 8  # longer "words" (a URL, a number run) are not scored
MAX_ALTERNATIVE_PIECES = 4  # longer corrections are not weighed
MAX_MULTI_PIECE_CORRECTIONS = 12  # corrections of several pieces weighed per non-word (commonest first)
MIN_CORRECTION_ZIPF = 1.0  # corrections rarer than this are not offered
MAX_SUGGESTIONS = 5
REPEATED_IN_TEXT = 3  # a non-word used this often in the text is the writer's (a name, a term)
UNUSUAL_SHARE = 7  # the least expected 1/7 of the words are "unusual"
UNUSUAL_SUGGESTIONS = 3
MAX_CHECK_CHARS = 100_000  # per call: beyond this a check costs minutes; split the text
_WORD = re.compile(r"[\w'’\-]+")


@dataclass(frozen=True)
class Alternative:
    word: str  # as it would stand in the text (case matched)
    log_score: float
    curated: bool  # a member of a confusion group (else a frequent word one edit away)
    distance: int  # edits from the word (spelling); 1 for neighbours, 0 for curated
    zipf: float
    pieces: int = 1  # word pieces it takes in this place


@dataclass
class Assessment:
    """One word of the region: its own score and every alternative's, best first."""

    start: int
    end: int
    word: str
    log_score: float = 0.0
    pieces: int = 1  # word pieces of the word itself
    misspelled: bool = False  # not a word: the alternatives are corrections
    alternatives: list[Alternative] = field(default_factory=list)
    expected: tuple[Suggestion, ...] = ()  # the model's own one-piece words for the place


def check_text(job: Job, text: str, start: int = 0, end: int | None = None, options: CheckOptions = CheckOptions()):
    """The flags of text[start:end], in text order (rankings' entry point)."""
    found = assess(job, text, start, end, options)
    return flags_of(found, options)


def assess(job: Job, text: str, start: int = 0, end: int | None = None, options: CheckOptions = CheckOptions()):
    """Every word of text[start:end] scored in place with its alternatives (the
    benchmark sweeps margins over these without running the model again)."""
    return assess_many(job, [(text, start, end)], options)[0]


def assess_many(job: Job, regions: list[tuple[str, int, int | None]], options: CheckOptions = CheckOptions()):
    """``assess`` for several (text, start, end) at once: one batched call for all
    (the whole-document check, the benchmark's planted errors)."""
    planned = [_plans(job, text, start, end, options) for text, start, end in regions]
    _score(job, [p for plans in planned for p in plans], options)
    return [[p.assessment for p in plans] for plans in planned]


def _plans(job: Job, text: str, start: int, end: int | None, options: CheckOptions) -> list["_Plan"]:
    end = len(text) if end is None else min(end, len(text))
    start = max(0, start)
    if end - start > MAX_CHECK_CHARS:
        raise PredictionError(
            f"The text to check is {end - start:,} characters; at most {MAX_CHECK_CHARS:,} are checked at once. "
            "Check it a part at a time."
        )
    if start >= end:
        return []
    located = job.encoder.locate(text, start, end)
    counts = _counts(text)
    plans: list[_Plan] = []
    for ws, we in words_in(text, start, end):
        tokens = located.tokens(ws, we)
        if tokens is None or located.covers_mask(ws, we) or tokens[1] - tokens[0] > MAX_WORD_PIECES:
            continue
        space = after_space(text, ws)
        ctx = job.encoder.context_at(located, tokens, space=space, width=options.context_tokens)
        word = text[ws:we]
        plan = _Plan(Assessment(ws, we, word), ctx, tuple(located.ids[tokens[0] : tokens[1]]), space)
        _choose_alternatives(job, plan, text, counts, options)
        plans.append(plan)
    return plans


def flags_of(found: list[Assessment], options: CheckOptions) -> tuple[Flag, ...]:
    """The flags the options ask for, in text order."""
    flags: dict[int, Flag] = {}
    for i, a in enumerate(found):
        flag = _error_flag(a, options)
        if flag is not None:
            flags[i] = flag
    if options.unusual:
        rest = [i for i, a in enumerate(found) if i not in flags and lexicon.has_letters(a.word)]
        rest.sort(key=lambda i: found[i].log_score)
        for i in rest[: len(rest) // UNUSUAL_SHARE if len(rest) >= UNUSUAL_SHARE else 0]:
            a = found[i]
            margin = a.expected[0].log_score - a.log_score if a.expected else None
            flags[i] = Flag(a.start, a.end, a.word, FlagKind.UNUSUAL, a.expected, margin)
    return tuple(flags[i] for i in sorted(flags))


def checked(job: Job, text: str, start, end, options: CheckOptions) -> CheckResult:
    """check_text with its cost: forward passes (and the words looked at)."""
    passes = job.forward_passes
    found = assess(job, text, start, end, options)
    return CheckResult(flags_of(found, options), len(found), job.forward_passes - passes)


# ----------------------------------------------------------------- internals
@dataclass
class _Plan:
    assessment: Assessment
    ctx: object  # encoder.Context: the word as one mask
    pieces: tuple[int, ...]
    space: bool
    candidates: list[tuple[Alternative, tuple[int, ...]]] = field(default_factory=list)


def _error_flag(a: Assessment, options: CheckOptions) -> Flag | None:
    if a.misspelled:
        shown = tuple(Suggestion(alt.word, alt.log_score) for alt in a.alternatives[:MAX_SUGGESTIONS])
        margin = shown[0].log_score - a.log_score if shown else None
        return Flag(a.start, a.end, a.word, FlagKind.SPELLING, shown, margin)
    better = better_alternatives(a, options)
    if not better:
        return None
    shown = tuple(Suggestion(alt.word, alt.log_score) for alt in better[:MAX_SUGGESTIONS])
    return Flag(a.start, a.end, a.word, FlagKind.CONFUSION, shown, shown[0].log_score - a.log_score)


def better_alternatives(a: Assessment, options: CheckOptions) -> list[Alternative]:
    """The alternatives of a real word that beat it by their margin, the largest lead first."""
    better = [alt for alt in a.alternatives if lead(a, alt, options.piece_bonus) > margin(a, alt, options)]
    return sorted(better, key=lambda alt: -lead(a, alt, options.piece_bonus))


def lead(a: Assessment, alt: Alternative, piece_bonus: float) -> float:
    """How far ``alt`` beats the word in its place (nats), each extra piece earning ``piece_bonus``."""
    return alt.log_score - a.log_score + piece_bonus * (alt.pieces - a.pieces)


def margin(a: Assessment, alt: Alternative, options: CheckOptions) -> float:
    """The lead ``alt`` needs for the word to be flagged."""
    if not alt.curated:
        return options.neighbour_margin
    return options.confusion_margin if alt.pieces == a.pieces else options.unequal_pieces_margin


@lru_cache(maxsize=4)  # a whole-document check asks once per paragraph of the same text
def _counts(text: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for match in _WORD.finditer(text):
        key = lexicon.normalized(match.group()).lower()
        counts[key] = counts.get(key, 0) + 1
    return counts


def _choose_alternatives(job: Job, plan: _Plan, text: str, counts: dict[str, int], options: CheckOptions) -> None:
    """What this word is weighed against (nothing, for a word the writer vouched for)."""
    a = plan.assessment
    word = lexicon.normalized(a.word)
    key = word.lower()
    if not lexicon.has_letters(word) or any(c.isdigit() for c in word) or key in options.accepted:
        return
    initial = sentence_initial(text, a.start)
    capitalised = word[:1].isupper() and not initial  # a name, most likely
    shouting = sum(c.isupper() for c in word) > 1  # NASA, GDP, a heading in capitals
    if not lexicon.is_word(word):
        if capitalised or shouting or counts.get(key, 0) >= REPEATED_IN_TEXT or lexicon.prefixed(word):
            return
        a.misspelled = True
        _add_corrections(job, plan, key, initial)
        return
    if capitalised or shouting or "-" in word:
        return
    # A word that would double its neighbour ("The cat sat" -> "The sat sat") is
    # never the fix, though a small model may like it (prose-mlm-small: +7.6 nats there).
    seen = {key} | _adjacent_words(text, a.start, a.end)
    for other in confusions.confused_with(key):
        _add(job, plan, Alternative(other, 0.0, True, 0, lexicon.zipf(other)), initial, seen, multi_piece=True)
    for near in edits.neighbours(key, 1, options.neighbour_zipf):
        # Another form of the same word (inspires -> inspired) is no signal on prose-mlm-small:
        # it caught 0 of 14 such planted errors on make quality's dev half, even at a 6-nat
        # margin, and outscored correct words by 8+ nats ("inspires", "frustrates": the first run).
        if glosses.share_a_lemma(key, near.word):
            continue
        _add(job, plan, Alternative(near.word, 0.0, False, 1, near.zipf), initial, seen, multi_piece=False)


def _adjacent_words(text: str, start: int, end: int) -> set[str]:
    """The words just before and after text[start:end], lower case."""
    before = _WORD.findall(text[max(0, start - 40) : start])
    after = _WORD.findall(text[end : end + 40])
    return {lexicon.normalized(w).lower() for w in before[-1:] + after[:1]}


def _add_corrections(job: Job, plan: _Plan, key: str, initial: bool) -> None:
    seen = {key}
    multi = 0
    for near in edits.neighbours(key, 2, MIN_CORRECTION_ZIPF):
        alt = Alternative(near.word, 0.0, False, near.distance, near.zipf)
        allowed = multi < MAX_MULTI_PIECE_CORRECTIONS
        if _add(job, plan, alt, initial, seen, multi_piece=allowed) == "multi":
            multi += 1


def _add(job: Job, plan: _Plan, alt: Alternative, initial: bool, seen: set, multi_piece: bool) -> str | None:
    """Queue ``alt`` to be scored in the word's place; "one" / "multi" pieces, or None."""
    if alt.word in seen:
        return None
    seen.add(alt.word)
    shown = match_case(alt.word, cased_model=False, original=plan.assessment.word, initial=initial)
    pieces = job.vocabulary.pieces(shown, plan.space)
    unknown = getattr(job.vocabulary.tokenizer, "unk_token_id", None)
    if not pieces or (unknown is not None and unknown in pieces) or len(pieces) > MAX_ALTERNATIVE_PIECES:
        return None
    if len(pieces) > 1 and not multi_piece:
        return None
    plan.candidates.append((Alternative(shown, 0.0, alt.curated, alt.distance, alt.zipf, len(pieces)), pieces))
    return "one" if len(pieces) == 1 else "multi"


def _score(job: Job, plans: list[_Plan], options: CheckOptions) -> None:
    """One batched call: every word's own pieces, its one-mask row, its alternatives."""
    rows: list[tuple[list[int], list[int]]] = []

    def add_word(ctx, pieces) -> list[int]:
        indices = []
        n = len(pieces)
        for j in range(n):
            ids, pos = job.expand(ctx, n, dict(enumerate(pieces[:j])))
            indices.append(len(rows))
            rows.append((ids, [pos + j]))
        return indices

    layout = []
    for plan in plans:
        own = add_word(plan.ctx, plan.pieces)
        if len(plan.pieces) == 1:
            one_mask = own[0]
        else:
            ids, pos = job.expand(plan.ctx, 1)
            one_mask = len(rows)
            rows.append((ids, [pos]))
        multi = [add_word(plan.ctx, pieces) if len(pieces) > 1 else None for _, pieces in plan.candidates]
        layout.append((own, one_mask, multi))
    answers = [logs[0] for logs in job.at_positions(rows)]
    for plan, (own, one_mask, multi) in zip(plans, layout):
        a = plan.assessment
        a.log_score = sum(float(answers[r][p]) for r, p in zip(own, plan.pieces))
        a.pieces = len(plan.pieces)
        dist = answers[one_mask]
        scored = []
        for (alt, pieces), indices in zip(plan.candidates, multi):
            if indices is None:
                score = float(dist[pieces[0]])
            else:
                score = sum(float(answers[r][p]) for r, p in zip(indices, pieces))
            scored.append(Alternative(alt.word, score, alt.curated, alt.distance, alt.zipf, alt.pieces))
        cost = options.distance_cost if a.misspelled else 0.0
        scored.sort(key=lambda alt: (-(alt.log_score - cost * max(0, alt.distance - 1)), -alt.zipf, alt.word))
        if not a.misspelled:
            scored.sort(key=lambda alt: -alt.log_score)
        a.alternatives = scored
        if options.unusual:
            a.expected = _expected(job, dist, a.word, plan.space)


def _expected(job: Job, dist: torch.Tensor, word: str, space: bool) -> tuple[Suggestion, ...]:
    """The model's own best one-piece words for the place (real words, not ``word``)."""
    allowed = job.vocabulary.allowed(0, space)
    masked = dist.masked_fill(~allowed[: dist.shape[-1]], float("-inf"))
    values, ids = masked.topk(min(30, masked.shape[-1]))
    found = []
    for value, token in zip(values.tolist(), ids.tolist()):
        text = job.vocabulary.usable_text(token)
        if not text or not text.isalpha() or text.lower() == word.lower() or not lexicon.is_word(text):
            continue
        found.append(Suggestion(match_case(text, cased_model=job.vocabulary.cased, original=word), value))
        if len(found) == UNUSUAL_SUGGESTIONS:
            break
    return tuple(found)
