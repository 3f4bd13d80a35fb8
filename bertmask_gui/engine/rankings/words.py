"""Whole-word candidates: words of 1 to 3 word pieces, ranked by PLL-word-l2r.

How it works (see also the README section "How BertMask ranks words"):

1. **Score** (PLL-word-l2r, Kauf & Ivanova 2023). A word of pieces p_1..p_n put at the
   mask scores the sum over j of log P(p_j | context, p_<j filled, p_>=j masked): a
   chain-rule estimate of log P(word | context, n pieces), compared as is across
   lengths. (The mean would favour long words, since a continuation piece after ``un``
   is nearly certain, and the plain PLL, with the word's other pieces visible, inflates
   multi-piece words even more: the l2r sum is the length-fair score the paper
   recommends.)
2. **Search** (``_first_pass``, ``_search``): left to right, on that very score. Pass 1
   puts the mask as 1, 2 and 3 mask tokens in one batch: the best word-starting pieces
   of the 1-mask row are the one-piece words, those of the n-mask rows open a beam of
   ``beam`` partial words per length (``long_word_beam`` for 3 pieces or more). Each next pass fills the next piece of every beam
   entry and reads the position after it, so every term a word's score needs is read
   on the way: no scoring pass. The last piece keeps its ``pool`` best continuations
   (all of them scored exactly by the same row). Pieces after the first must be
   continuation pieces (``##able``; a BPE piece without the ``Ġ`` marker).
3. **Prune** (``floors``, branch and bound). Every term is a log-probability ≤ 0, so a
   partial word's terms so far bound its final score from above. The caller's floor
   says, from the words scored so far, below which score no word can be shown; beam
   entries below it get no more rows (after the beam cut, so the shown list is the same
   as without pruning: tests/engine/test_pruning.py). 3-piece words are dropped after
   pass 2 when their first two terms are already below the fifth word, the usual case.
4. **Merge** (``_canonical_words``, ``Vocabulary.spelling``). The pieces become text
   with the tokenizer's own ``decode``; a filling whose pieces are not the tokenizer's
   own split of that text (``lo ##ve`` for ``love``) is dropped, so each word is scored
   once, as the model reads it.

**Drafting** (``Job.draft_runner``: an int8 copy of the model on the CPU). The one-piece
row, the selected word's rows and anything the writer asked to compare run on the exact
model in pass 1; the multi-piece search (2, 3), its n-mask opening rows included, runs
on the draft, pruned against the exact floor less ``DRAFT_MARGIN``; the multi-piece
words it finds within that margin are scored again on the exact model (every term, the
first too), all in one pass, and only exact scores are ranked and shown. A short text
costs one exact pass of one row per mask plus 2-4 int8 passes (an int8 pass reads a
quarter of the weights); a long one stays cheap because every row is cut to
``tuning.word_context_tokens``. (Drafting the opening rows too: 3 masks in 450 tokens,
pass 1 went from 9 exact rows to 3, 1.3 s → 0.45 s on ONNX Runtime; benchmarks/
speed_guard.py: the drafted lists' top 50 equal the exact search's as before.)

Cost: at most 3 forward passes (exact) or 1 exact + 4 draft + 1 exact, for any number
of masks in one request: every context's rows ride in the same batches.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch

from bertmask_gui.engine.encoder import Context
from bertmask_gui.engine.rankings.job import Job
from bertmask_gui.engine.vocabulary import Vocabulary

_NEG = float("-inf")
# How far below the exact floor a drafted (int8) multi-piece word may score and still be
# scored exactly: the draft's error on a word's score (measured in benchmarks/quality.py).
DRAFT_MARGIN = 2.0

# Every distribution computed, by (context index, length, filled pieces) -> {piece index:
# log p}. A PLL-word-l2r term is such a distribution (pieces before j filled, the rest
# masked), so generation rows that filled left to right are reused for scoring.
Seen = dict[tuple, dict[int, torch.Tensor]]


def _term_key(c: int, seq: tuple[int, ...], j: int) -> tuple:
    """The ``Seen`` key of the distribution behind ``seq``'s j-th l2r term at context c."""
    return (c, len(seq), frozenset(enumerate(seq[:j])))


def _term_row(job: Job, ctx: Context, key: tuple, j: int) -> tuple[list[int], list[int]]:
    """The row that computes ``key``'s distribution, read at piece j."""
    ids, pos = job.expand(ctx, key[1], dict(key[2]))
    return ids, [pos + j]


@dataclass
class Word:
    text: str
    pieces: tuple[int, ...]
    log_score: float  # PLL-word-l2r: natural-log probability, summed over pieces
    keep_score: float | None = None  # log P(word) with the original word in place (_with_keep)
    terms: tuple[float, ...] = ()  # the PLL-word-l2r term of each piece (they sum to log_score)
    similarity: float | None = None  # dot(e_original, e_word) / T (rankings.meaning)


# Given the words scored exactly so far (best first), the log_score below which no
# word can be shown (lists.shown_floor builds one from the writer's list rules).
Floor = Callable[[list[Word]], float]


@dataclass
class _Partial:
    ctx_index: int
    n: int
    filled: dict[int, int]
    score: float  # the sum of the l2r terms of the pieces filled so far


def generate(
    job: Job,
    contexts: list[Context],
    pool: int = 30,
    beam: int | None = None,
    max_pieces: int | None = None,
    extra: list[list[tuple[int, ...]]] | None = None,
    floors: list[Floor] | None = None,
    originals: list[tuple[int, ...]] | None = None,
    bonus: list[torch.Tensor] | None = None,
    early: Callable[[list[list[Word]]], None] | None = None,
) -> list[list[Word]]:
    """Whole-word candidates for each context, best first (by PLL-word-l2r).

    ``pool``: how many one-piece words to keep (and completions per multi-piece beam
    entry); ``beam``: partial words kept per length; ``extra``: piece sequences to score
    as well for each context (the original word in selection mode), whether or not they
    were generated. ``beam`` and ``max_pieces`` default to the job's tuning.
    ``floors``: per context, ``floor(words) -> B``: no word whose log_score is below B
    can be shown, given the exactly scored ``words`` so far (lists.shown_floor). Partial
    words whose bound is below B get no more rows (branch and bound): the words that
    can be shown, and their scores, are the same as without ``floors``; the returned
    lists only lack words that could not have been shown.
    ``originals``: per context, the selected word's pieces (or ``()``); its in-place
    row rides in the first pass and fills ``Word.keep_score``.
    ``bonus``: per context, when the floors are on the keep-meaning rank
    (lists.keep_meaning_score), an upper bound per first piece of its embedding term;
    its in-place term (weight · the originals' row from pass 1) is added here.
    ``early``: called once, before the multi-piece search's first pass (only when it
    has one to run), with each context's words scored so far (one piece, the extras),
    best first: the writer can see them while the longer words are searched.
    """
    beam = job.tuning.beam if beam is None else beam
    max_pieces = job.tuning.max_pieces if max_pieces is None else max_pieces
    extra = extra or [[] for _ in contexts]
    searched = max_pieces if beam > 0 else 1  # beam 0: one-piece words and the extras only
    draft = job.drafting()
    # With a draft, the n-mask rows that open the multi-piece search are drafted too.
    seen, keep_rows = _first_pass(job, contexts, 1 if draft else searched, max_pieces, extra, originals)
    finished = _one_piece_words(job.vocabulary, contexts, seen, pool)
    every = job.tuning.meaning_all_pieces
    floor = _floors(job.vocabulary, contexts, finished, extra, max_pieces, seen, keep_rows, floors, every)
    if bonus is not None:
        weight = job.tuning.keep_meaning_weight
        bonus = [b + weight * keep_rows[c][: b.shape[0]] if c in keep_rows else b for c, b in enumerate(bonus)]
    one_piece = list(finished)

    def announce() -> None:
        if early is not None:
            early(_exact_words(job.vocabulary, contexts, one_piece, extra, max_pieces, seen, keep_rows, every))

    if searched > 1 and draft is None:
        finished += _search(job, contexts, seen, max_pieces, _widths(job, beam), pool, floor, bonus, announce)
    elif searched > 1:  # the draft's rows go to a copy: only exact terms are ranked
        lowered = [f - DRAFT_MARGIN for f in floor]
        finished += _search(draft, contexts, dict(seen), max_pieces, _widths(job, beam), pool, lowered, bonus, announce)
    spelled = _canonical_words(job.vocabulary, contexts, finished, extra, max_pieces)
    _score_pass(job, contexts, spelled, seen)  # the drafted words, exactly (no row otherwise)
    return [_with_keep(_ranked(c, words, seen), keep_rows.get(c), every) for c, words in enumerate(spelled)]


def _first_pass(job: Job, contexts: list[Context], searched: int, max_pieces: int, extra, originals) -> tuple[Seen, dict]:
    """Pass 1, exact: every context with the mask as n = 1..searched mask tokens (each
    row read at its first piece); the ``extra`` sequences' l2r rows (up to max_pieces)
    and the originals' in-place rows (known before any pass)."""
    rows, keys = [], []
    for c, ctx in enumerate(contexts):
        wanted = {(c, n, frozenset()): 0 for n in range(1, searched + 1)}
        for seq in extra[c]:
            for j in range(len(seq) if len(seq) <= max_pieces else 0):
                wanted.setdefault(_term_key(c, seq, j), j)
        for key, j in wanted.items():
            rows.append(_term_row(job, ctx, key, j))
            keys.append(key)
        if originals and originals[c]:
            ids, pos = job.expand(ctx, len(originals[c]), dict(enumerate(originals[c])))
            rows.append((ids, [pos]))
            keys.append(("keep", c))
    seen: Seen = {}
    keep_rows = {}
    for key, (logp,) in zip(keys, job.at_positions(rows)):
        if key[0] == "keep":
            keep_rows[key[1]] = logp
        else:
            seen[key] = {len(key[2]): logp}
    return seen, keep_rows


def _floors(vocab, contexts, finished, extra, max_pieces, seen: Seen, keep_rows, floors, every=True) -> list[float]:
    """Per context, the log_score below which no word can be shown (-inf: no pruning),
    judged on the words already scored exactly: one-piece words and the extras."""
    if floors is None:
        return [_NEG] * len(contexts)
    exact = _exact_words(vocab, contexts, finished, extra, max_pieces, seen, keep_rows, every)
    return [floors[c](words) for c, words in enumerate(exact)]


def _exact_words(vocab, contexts, finished, extra, max_pieces, seen: Seen, keep_rows, every=True) -> list[list[Word]]:
    """Per context, the words among ``finished`` and ``extra`` whose every term is in
    ``seen``, best first."""
    spelled = _canonical_words(vocab, contexts, finished, extra, max_pieces)
    out = []
    for c, words in enumerate(spelled):
        exact = {seq: text for seq, text in words.items() if _is_scored(seen, c, seq)}
        out.append(_with_keep(_ranked(c, exact, seen), keep_rows.get(c), every))
    return out


def _one_piece_words(vocab: Vocabulary, contexts: list[Context], seen: Seen, pool: int) -> list[_Partial]:
    finished = []
    for c, ctx in enumerate(contexts):
        for score, token_id in _best(seen[(c, 1, frozenset())][0], vocab.allowed(0, ctx.after_space), pool):
            finished.append(_Partial(c, 1, {0: token_id}, score))
    return finished


def _search(
    job: Job, contexts: list[Context], seen: Seen, max_pieces: int, beam: Callable[[int], int], pool: int, floor,
    bonus=None, before=None
) -> list[_Partial]:
    """Words of 2..max_pieces pieces, left to right: ``seen`` holds each length's
    all-masked row; every pass fills one more piece of each beam entry and reads the
    next position (its l2r term). Returns the complete fillings, scored.

    After each beam cut, entries whose score so far (an upper bound of their final
    score) plus their ``bonus`` is below their context's ``floor`` are dropped.
    ``before()`` is called once, before the first pass, if there is one."""
    vocab = job.vocabulary
    opening = [(c, n) for c in range(len(contexts)) for n in range(2, max_pieces + 1) if (c, n, frozenset()) not in seen]
    if opening:  # the drafted search reads its own n-mask rows first
        if before is not None:
            before()
            before = None
        rows = [(ids, [pos]) for ids, pos in (job.expand(contexts[c], n) for c, n in opening)]
        for (c, n), (logp,) in zip(opening, job.at_positions(rows)):
            seen[(c, n, frozenset())] = {0: logp}
    grown: list[_Partial] = []
    for c, ctx in enumerate(contexts):
        for n in range(2, max_pieces + 1):
            grown += _extend(vocab, ctx, _Partial(c, n, {}, 0.0), seen[(c, n, frozenset())][0], beam(n))
    finished: list[_Partial] = []
    while True:
        grown = [p for p in _cut(grown, beam, pool) if _bound(p, bonus) >= floor[p.ctx_index]]
        finished += [p for p in grown if len(p.filled) == p.n]
        open_ = [p for p in grown if len(p.filled) < p.n]
        if not open_:
            return finished
        if before is not None:
            before()
            before = None
        rows = []
        for p in open_:
            ids, pos = job.expand(contexts[p.ctx_index], p.n, p.filled)
            rows.append((ids, [pos + len(p.filled)]))
        grown = []
        for p, (logp,) in zip(open_, job.at_positions(rows)):
            seen[(p.ctx_index, p.n, frozenset(p.filled.items()))] = {len(p.filled): logp}
            last = len(p.filled) == p.n - 1  # every completion is scored by this row
            grown += _extend(vocab, contexts[p.ctx_index], p, logp, pool if last else beam(p.n))


def _canonical_words(vocab, contexts, finished, extra, max_pieces) -> list[dict[tuple[int, ...], str]]:
    """Piece sequences → words; a sequence that is not the tokenizer's own spelling of
    its text is dropped. ``extra`` sequences join whether generated or not."""
    sequences: list[dict[tuple[int, ...], None]] = [dict() for _ in contexts]
    for p in finished:
        sequences[p.ctx_index][tuple(p.filled[j] for j in range(p.n))] = None
    for c, extras in enumerate(extra):
        for seq in extras:
            if 1 <= len(seq) <= max_pieces:
                sequences[c][tuple(seq)] = None
    spelled = []
    for c, ctx in enumerate(contexts):
        texts = {seq: vocab.spelling(seq, ctx.after_space) for seq in sequences[c]}
        spelled.append({seq: text for seq, text in texts.items() if text is not None})
    return spelled


def _score_pass(job: Job, contexts: list[Context], spelled, seen: Seen) -> None:
    """One pass for the l2r terms of ``spelled`` not in ``seen`` yet (drafted words)."""
    rows, keys = _score_rows(job, contexts, spelled, seen)
    if rows:
        _store_scores(seen, keys, job.at_positions(rows))


def _score_rows(job: Job, contexts: list[Context], spelled, seen: Seen) -> tuple[list, list]:
    """Rows for the l2r terms of ``spelled`` (per context, piece sequences) not seen yet."""
    rows, keys = [], {}
    for c, ctx in enumerate(contexts):
        for seq in spelled[c]:
            for j in range(len(seq)):
                key = _term_key(c, seq, j)
                if j not in seen.get(key, {}) and key not in keys:
                    rows.append(_term_row(job, ctx, key, j))
                    keys[key] = None
    return rows, list(keys)


def _store_scores(seen: Seen, keys: list, answers) -> None:
    for key, (logp,) in zip(keys, answers):
        seen.setdefault(key, {})[len(key[2])] = logp


def _ranked(c: int, spelled: dict[tuple[int, ...], str], seen: Seen) -> list[Word]:
    """Each word once (its best spelling's score), best first."""
    best: dict[str, Word] = {}
    for seq, text in spelled.items():
        terms = tuple(float(seen[_term_key(c, seq, j)][j][seq[j]]) for j in range(len(seq)))
        total = sum(terms)
        if text not in best or best[text].log_score < total:
            best[text] = Word(text, seq, total, terms=terms)
    return sorted(best.values(), key=lambda w: w.log_score, reverse=True)


def _bound(p: _Partial, bonus) -> float:
    """The best rank score any word ``p`` can become may reach."""
    return p.score + (float(bonus[p.ctx_index][p.filled[0]]) if bonus is not None else 0.0)


def _is_scored(seen: Seen, c: int, seq: tuple[int, ...]) -> bool:
    return all(j in seen.get(_term_key(c, seq, j), {}) for j in range(len(seq)))


def _with_keep(words: list[Word], keep_row, all_pieces: bool = True) -> list[Word]:
    """``Word.keep_score``: log P(word) with the original word in place, by the chain
    rule: the in-place row's term for the first piece, plus (``all_pieces``) the l2r
    terms of the pieces after it, so a junk ending ("large" + "##we" for "big") costs
    what the model thinks of it. Every added term is ≤ 0: the in-place row's first
    piece stays an upper bound (the pruning ``bonus``)."""
    if keep_row is not None:
        for word in words:
            rest = sum(word.terms[1:]) if all_pieces else 0.0
            word.keep_score = float(keep_row[word.pieces[0]]) + rest
    return words


def _best(logp: torch.Tensor, allowed: torch.Tensor, k: int) -> list[tuple[float, int]]:
    masked = logp.masked_fill(~allowed[: logp.shape[0]], _NEG)
    values, ids = masked.topk(min(k, masked.shape[0]))
    return [(v, i) for v, i in zip(values.tolist(), ids.tolist()) if v > _NEG]


def _extend(vocab: Vocabulary, ctx: Context, partial: _Partial, logp: torch.Tensor, width: int) -> list[_Partial]:
    """``partial`` with its next piece (left to right) set to each of its ``width`` best."""
    j = len(partial.filled)
    return [
        _Partial(partial.ctx_index, partial.n, {**partial.filled, j: token_id}, partial.score + score)
        for score, token_id in _best(logp, vocab.allowed(j, ctx.after_space), width)
    ]


def _widths(job: Job, beam: int) -> Callable[[int], int]:
    """Partial words kept for words of n pieces: ``beam``, at most ``tuning.long_word_beam``
    for 3 pieces or more."""
    long = min(beam, job.tuning.long_word_beam)
    return lambda n: beam if n <= 2 else long


def _cut(partials: list[_Partial], beam: Callable[[int], int], pool: int) -> list[_Partial]:
    """The ``beam(n)`` best open entries and the ``pool`` best complete words of each
    (context, length n)."""
    groups: dict[tuple[int, int, bool], list[_Partial]] = {}
    for p in partials:
        groups.setdefault((p.ctx_index, p.n, len(p.filled) == p.n), []).append(p)
    kept = []
    for (_, n, done), group in groups.items():
        kept += sorted(group, key=lambda p: p.score, reverse=True)[: pool if done else beam(n)]
    return kept
