"""Masks with constraints: ``[MASK rhymes:night syllables:2]``, ``[MASK starts:s max:6]``.

Every listed word satisfies the constraints, and the list still holds the top-k such
words: the search does not filter the usual candidate pool (which may hold no rhyme at
all) but scores the words that satisfy the constraints, in place, by the PLL-word-l2r
the whole-word lists use (rankings.inplace), as ``[MASK:a|b]`` does:

- one-piece words: every usable vocabulary token that satisfies them, read from the
  one-mask row (its log-probability there is the word's exact score);
- longer words (2..``tuning.max_pieces`` pieces): the CMU dictionary's words that satisfy
  them and that the checker's English word list (lexicon.words.lower_words) holds,
  spelled by the tokenizer. The list keeps 49,451 of CMU's 126,052 entries: the others
  are mostly names ("arkwright", "enright" rhymed with "night" before). Branch and bound on the l2r terms, which are all ≤ 0:
  a word's terms so far bound its score from above, so a prefix whose bound is below
  the k-th shown score (``lists.shown_floor``) is never extended. Each pass extends the
  ``ROWS_PER_PASS`` best-bounded prefixes of every mask (one row each, shared by all
  the words that start with it), for at most ``MAX_PASSES`` passes after the first.

Fill-all picks among these words at the mask (rankings.fill_all ``Given``: the words
found here, every satisfying one-piece word, the longer ones near the top), so its
fillings obey the constraints too.

Exact when the bound search ends inside its passes (tests/engine/test_constrained.py
checks it against scoring every satisfying word; benchmarks/quality_facts.py measures
how often on held-out text).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache

from bertmask_gui.engine.constraints import Constraints, checked
from bertmask_gui.engine.encoder import Context
from bertmask_gui.engine.filters import sentence_initial
from bertmask_gui.engine.masks import Span, find_masks
from bertmask_gui.engine.options import Filters
from bertmask_gui.engine.results import MaskResult, Prediction
from bertmask_gui.engine.rankings.job import Job
from bertmask_gui.engine.rankings.lists import WORD_LABEL, shown_floor, word_list
from bertmask_gui.engine.rankings.words import Floor, Word
from bertmask_gui.engine.vocabulary import Vocabulary
from bertmask_gui.lexicon import pronunciations
from bertmask_gui.lexicon.words import lower_words

# Rows per mask per pass, and passes after the first. Measured (benchmarks/quality_facts.py,
# docs/QUALITY_FACTS.md): with 8 and 2 the best satisfying word is first at every
# held-out mask so far, at a median 1.5x the time of an unconstrained whole-word
# prediction (24 rows per pass and 3 passes cost up to 7x for the same lists).
ROWS_PER_PASS = 8
MAX_PASSES = 2
_PLAIN_WORD = re.compile(r"^[a-z]+(?:['-][a-z]+)*$")


def constraint_masks(spans: list[Span]) -> dict[int, Constraints]:
    """Mask index → the checked constraints of each ``[MASK key:value]`` (before any model work)."""
    return {i: checked(s.constraints) for i, s in enumerate(spans) if s.constraints is not None}


@dataclass
class _Search:
    """One mask's search: exact words so far, and prefixes still worth extending."""

    ctx: Context
    floor: Floor  # lists.shown_floor: below it a word cannot be shown
    words: list[Word] = field(default_factory=list)
    # (n pieces, filled prefix) → (bound so far, the words of n pieces under it)
    frontier: dict[tuple[int, tuple[int, ...]], tuple[float, list[tuple[str, tuple[int, ...]]]]] = field(default_factory=dict)


def constrained_words(job: Job, contexts: list[Context], constraints: list[Constraints], floors) -> list[list[Word]]:
    """The words that satisfy each mask's constraints, exactly scored, best first
    (enough for the shown list: ``floors[i]`` is its lists.shown_floor)."""
    max_n = job.tuning.max_pieces
    searches = [_Search(ctx, floor) for ctx, floor in zip(contexts, floors)]
    rows, owners = [], []
    for i, ctx in enumerate(contexts):
        for n in range(1, max_n + 1):
            ids, pos = job.expand(ctx, n)
            rows.append((ids, [pos]))
            owners.append((i, n))
    first = {owner: answer[0] for owner, answer in zip(owners, job.at_positions(rows))}
    for i, (search, wanted) in enumerate(zip(searches, constraints)):
        logp = first[(i, 1)]
        for token_id, text in one_piece_words(job.vocabulary, wanted, search.ctx.after_space):
            search.words.append(Word(text, (token_id,), float(logp[token_id])))
        for text, pieces in longer_words(job.vocabulary, wanted, search.ctx.after_space, max_n):
            key = (len(pieces), pieces[:1])
            bound = float(first[(i, len(pieces))][pieces[0]])
            search.frontier.setdefault(key, (bound, []))[1].append((text, pieces))
    for _ in range(MAX_PASSES):
        if not _extend(job, searches):
            break
    return [sorted(s.words, key=lambda w: w.log_score, reverse=True) for s in searches]


def _extend(job: Job, searches: list[_Search]) -> bool:
    """One batched pass: the best-bounded open prefixes above each floor get their next
    term. False when nothing was left worth a row."""
    rows, owners = [], []
    for search in searches:
        floor = search.floor(sorted(search.words, key=lambda w: w.log_score, reverse=True))
        live = sorted(((b, k) for k, (b, _) in search.frontier.items() if b >= floor), reverse=True)
        search.frontier = {k: search.frontier[k] for _, k in live}
        for _, (n, prefix) in live[:ROWS_PER_PASS]:
            ids, pos = job.expand(search.ctx, n, dict(enumerate(prefix)))
            rows.append((ids, [pos + len(prefix)]))
            owners.append((search, n, prefix))
    if not rows:
        return False
    for (search, n, prefix), answer in zip(owners, job.at_positions(rows)):
        bound, words = search.frontier.pop((n, prefix))
        logp = answer[0]
        for text, pieces in words:
            score = bound + float(logp[pieces[len(prefix)]])
            if len(prefix) + 1 == n:
                search.words.append(Word(text, pieces, score))
            else:
                key = (n, pieces[: len(prefix) + 1])
                search.frontier.setdefault(key, (score, []))[1].append((text, pieces))
    return True


def one_piece_words(vocabulary: Vocabulary, wanted: Constraints, after_space: bool) -> list[tuple[int, str]]:
    """(token id, text) of every word-starting vocabulary token that satisfies ``wanted``."""
    return _one_piece_words(vocabulary, wanted, after_space)


@lru_cache(maxsize=16)
def _one_piece_words(vocabulary: Vocabulary, wanted: Constraints, after_space: bool) -> list[tuple[int, str]]:
    allowed = vocabulary.allowed(0, after_space)
    found = []
    for token_id in allowed.nonzero().flatten().tolist():
        text = vocabulary.usable_text(token_id)
        if text and any(c.isalpha() for c in text) and wanted.allows(text):
            found.append((token_id, text))
    return found


@lru_cache(maxsize=16)
def longer_words(vocabulary: Vocabulary, wanted: Constraints, after_space: bool, max_pieces: int):
    """(text, pieces) of the dictionary's words that satisfy ``wanted`` and that the
    tokenizer spells in 2..max_pieces pieces."""
    if wanted.rhymes:  # a few hundred words: spell just them
        return _spelled(vocabulary, [w for w in pronunciations.rhyming_words(wanted.rhymes) if wanted.allows(w)],
                        after_space, max_pieces)
    spelled = _spelled_dictionary(vocabulary, after_space, max_pieces)
    starts = (wanted.starts or "").casefold()
    return tuple((w, p) for w, p in spelled if w.startswith(starts) and wanted.allows(w))


@lru_cache(maxsize=4)
def _spelled_dictionary(vocabulary: Vocabulary, after_space: bool, max_pieces: int):
    """Every plain dictionary word the tokenizer spells in 2..max_pieces pieces: spelled
    once per model (the first constraint without a rhyme pays ~1 s), then filtered."""
    return _spelled(vocabulary, list(pronunciations.words()), after_space, max_pieces)


def _spelled(vocabulary: Vocabulary, texts: list[str], after_space: bool, max_pieces: int):
    listed = lower_words()
    texts = [w for w in texts if _PLAIN_WORD.match(w) and w in listed]
    if not texts:
        return ()
    lead = " " if (vocabulary.marker and after_space) else ""
    encoded = vocabulary.tokenizer([lead + w for w in texts], add_special_tokens=False)["input_ids"]
    return tuple((w, tuple(ids)) for w, ids in zip(texts, encoded) if 1 < len(ids) <= max_pieces)


def with_constraints(job: Job, text: str, prediction: Prediction, top_k: int) -> Prediction:
    """Raw pieces mode: its ``[MASK rhymes:…]`` masks answered with the words that obey."""
    spans = find_masks(text, job.vocabulary.mask_token)[: len(prediction.masks)]
    wanted = constraint_masks(spans)
    if not wanted:
        return prediction
    passes = job.forward_passes
    encoded = job.encoder.contexts(text, spans, len(spans))
    starts = {i: sentence_initial(encoded.model_text, encoded.model_spans[i].start) for i in wanted}
    lists = constrained_lists(job, encoded.contexts, wanted, top_k, Filters(top_k=top_k), job.vocabulary.cased, starts)
    masks = tuple(
        MaskResult(m.start, m.end, tuple(lists[i]), WORD_LABEL) if i in lists else m for i, m in enumerate(prediction.masks)
    )
    return replace(prediction, masks=masks, forward_passes=prediction.forward_passes + job.forward_passes - passes)


def constrained_lists(job: Job, contexts: list[Context], wanted: dict[int, Constraints], top_k: int, filters,
                      cased: bool, initials: dict[int, bool]):
    """Mask index → its shown candidates: the top-k words that satisfy its constraints."""
    found = satisfying_words(job, contexts, wanted, top_k, filters, cased, initials)
    return shown_lists(found, top_k, filters, cased, initials)


def satisfying_words(job: Job, contexts: list[Context], wanted: dict[int, Constraints], top_k: int, filters,
                     cased: bool, initials: dict[int, bool]) -> dict[int, list[Word]]:
    """Mask index → the words that satisfy its constraints, exactly scored, best first
    (every one-piece word; the longer ones that could reach its top-k list)."""
    order = list(wanted)
    floors = [shown_floor(top_k, filters, cased, None, initials[i]) for i in order]
    found = constrained_words(job, [contexts[i] for i in order], [wanted[i] for i in order], floors)
    return dict(zip(order, found))


def shown_lists(found: dict[int, list[Word]], top_k: int, filters, cased: bool, initials: dict[int, bool]):
    """Mask index → its shown candidates from ``satisfying_words``."""
    return {i: word_list(words, top_k, filters, cased, None, initials[i]) for i, words in found.items()}
