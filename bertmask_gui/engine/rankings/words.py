"""Whole-word candidates: words of 1 to 3 word pieces, ranked by PLL-word-l2r.

How it works (see also the README section "How BertMask ranks words"):

1. **Generate** (``_first_pass``, ``_one_piece_words``, ``_beam_passes``). The one
   mask is replaced by N mask tokens for N = 1, 2, 3, and the three inputs go through the model in ONE batched forward pass. For N = 1 the best pieces
   that can start a word are the one-piece candidates. For N ≥ 2 the most confident
   mask position is filled first (its best pieces, a small beam), the inputs are run
   again, the next most confident position is filled, and so on: two more forward
   passes (N = 2 and N = 3 beams share them). Pieces after the first must be
   continuation pieces (``##able``; a BPE piece without the ``Ġ`` space marker), so a
   filler of several pieces is one word.
2. **Merge** (``_canonical_words``, ``Vocabulary.spelling``). The pieces become text
   with the tokenizer's own ``decode``; a filling whose pieces are not the tokenizer's own split of that text (``lo ##ve`` for
   ``love``) is dropped, so each word is scored once, as the model reads it.
3. **Score** (``_score_pass``, ``_ranked``). Every candidate gets its PLL-word-l2r
   (Kauf & Ivanova 2023): the sum over its pieces of log P(piece_i | context, pieces before i, pieces after i still
   masked). The first piece's term comes from the generation pass; the others need
   one more batched forward pass (rows are shared by words with the same prefix).
   The sum is a chain-rule estimate of log P(word | context, N pieces); it is
   compared as is across lengths. The mean would favour long words (a
   continuation piece after ``un`` is nearly certain) and the plain PLL, with the
   word's other pieces visible, inflates multi-piece words even more; the l2r sum
   is the length-fair score the paper recommends.

4. **Prune** (``floors``, branch and bound). Every l2r term is a log-probability ≤ 0,
   so the terms seen so far bound a partial filling's final score from above. Once
   the one-piece words are scored (pass 1), the caller's floor says below which
   score no word can be shown; fillings bounded below it get no more rows. The shown
   list is unchanged (tests/engine/test_pruning.py); rows and passes drop when
   multi-piece words are far behind, as on a trained model.

Cost: at most 4 forward passes for any number of masks in one request (every
context's rows ride in the same batches; the words finished in one beam pass get
their missing l2r rows in the next). The meaning-keeping row and the selected word's
own rows ride in pass 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch

from bertmask_gui.engine.encoder import Context
from bertmask_gui.engine.rankings.job import Job
from bertmask_gui.engine.vocabulary import Vocabulary

_NEG = float("-inf")

# Every distribution computed, by (context index, length, filled pieces) -> {piece index:
# log p}. A PLL-word-l2r term is such a distribution (pieces before j filled, the rest
# masked), so generation rows that filled left to right are reused for scoring.
Seen = dict[tuple, dict[int, torch.Tensor]]


@dataclass
class Word:
    text: str
    pieces: tuple[int, ...]
    log_score: float  # PLL-word-l2r: natural-log probability, summed over pieces
    keep_score: float | None = None  # log P(first piece) with the original word in place
    similarity: float | None = None  # dot(e_original, e_word) / T (rankings.meaning)


# Given the words scored exactly so far (best first), the log_score below which no
# word can be shown (lists.shown_floor builds one from the writer's list rules).
Floor = Callable[[list[Word]], float]


@dataclass
class _Partial:
    ctx_index: int
    n: int
    filled: dict[int, int]
    score: float

    @property
    def free(self) -> list[int]:
        return [j for j in range(self.n) if j not in self.filled]


def generate(
    job: Job,
    contexts: list[Context],
    pool: int = 30,
    beam: int | None = None,
    max_pieces: int | None = None,
    extra: list[list[tuple[int, ...]]] | None = None,
    floors: list[Floor] | None = None,
    originals: list[tuple[int, ...]] | None = None,
) -> list[list[Word]]:
    """Whole-word candidates for each context, best first (by PLL-word-l2r).

    ``pool``: how many one-piece words to keep; ``beam``: partial fillings kept per
    length; ``extra``: piece sequences to score as well for each context (the
    original word in selection mode), whether or not they were generated. ``beam``
    and ``max_pieces`` default to the job's tuning.
    ``floors``: per context, ``floor(words) -> B``: no word whose log_score is below B
    can be shown, given the exactly scored ``words`` so far (lists.shown_floor). Partial
    fillings whose bound is below B get no more rows (branch and bound): the words
    that can be shown, and their scores, are the same as without ``floors``; the
    returned lists only lack words that could not have been shown.
    ``originals``: per context, the selected word's pieces (or ``()``); its in-place
    row rides in the first pass and fills ``Word.keep_score``.
    """
    beam = job.tuning.beam if beam is None else beam
    max_pieces = job.tuning.max_pieces if max_pieces is None else max_pieces
    extra = extra or [[] for _ in contexts]
    seen, keep_rows = _first_pass(job, contexts, max_pieces, extra, originals)
    finished = _one_piece_words(job.vocabulary, contexts, seen, pool)
    floor = _floors(job.vocabulary, contexts, finished, extra, max_pieces, seen, keep_rows, floors)
    finished += _beam_passes(job, contexts, seen, max_pieces, beam, floor)
    spelled = _canonical_words(job.vocabulary, contexts, finished, extra, max_pieces)
    spelled = [
        {seq: text for seq, text in words.items() if seq in extras or _bound(seen, c, seq) >= floor[c]}
        for c, (words, extras) in enumerate(zip(spelled, [set(map(tuple, e)) for e in extra]))
    ]
    _score_pass(job, contexts, spelled, seen)
    return [_with_keep(_ranked(c, words, seen), keep_rows.get(c)) for c, words in enumerate(spelled)]


def _first_pass(job: Job, contexts: list[Context], max_pieces: int, extra, originals) -> tuple[Seen, dict]:
    """Pass 1: every context at every length, all pieces masked; the ``extra``
    sequences' l2r rows and the originals' in-place rows (known before any pass)."""
    rows, keys = [], []
    for c, ctx in enumerate(contexts):
        for n in range(1, max_pieces + 1):
            ids, pos = job.expand(ctx, n)
            rows.append((ids, [pos + j for j in range(n)]))
            keys.append((c, n, frozenset()))
        for seq in extra[c]:
            for j in range(1, min(len(seq), max_pieces)):
                key = (c, len(seq), frozenset(enumerate(seq[:j])))
                if key not in keys:
                    ids, pos = job.expand(ctx, len(seq), dict(enumerate(seq[:j])))
                    rows.append((ids, [pos + j]))
                    keys.append(key)
        if originals and originals[c]:
            ids, pos = job.expand(ctx, len(originals[c]), dict(enumerate(originals[c])))
            rows.append((ids, [pos]))
            keys.append(("keep", c))
    seen: Seen = {}
    keep_rows = {}
    for key, logps in zip(keys, job.at_positions(rows)):
        if key[0] == "keep":
            keep_rows[key[1]] = logps[0]
        elif key[2]:
            seen[key] = {len(key[2]): logps[0]}
        else:
            seen[key] = dict(enumerate(logps))
    return seen, keep_rows


def _floors(vocab, contexts, finished, extra, max_pieces, seen: Seen, keep_rows, floors) -> list[float]:
    """Per context, the log_score below which no word can be shown (-inf: no pruning),
    judged on the words already scored exactly: one-piece words and the extras."""
    if floors is None:
        return [_NEG] * len(contexts)
    spelled = _canonical_words(vocab, contexts, finished, extra, max_pieces)
    out = []
    for c, words in enumerate(spelled):
        exact = {seq: text for seq, text in words.items() if _is_scored(seen, c, seq)}
        out.append(floors[c](_with_keep(_ranked(c, exact, seen), keep_rows.get(c))))
    return out


def _one_piece_words(vocab: Vocabulary, contexts: list[Context], seen: Seen, pool: int) -> list[_Partial]:
    finished = []
    for c, ctx in enumerate(contexts):
        for score, token_id in _best(seen[(c, 1, frozenset())][0], vocab.allowed(0, ctx.after_space), pool):
            finished.append(_Partial(c, 1, {0: token_id}, score))
    return finished


def _beam_passes(job: Job, contexts: list[Context], seen: Seen, max_pieces: int, beam: int, floor) -> list[_Partial]:
    """Passes 2..max_pieces: fill the most confident free piece of every beam entry,
    re-run with it filled, fill the next. Returns the complete multi-piece fillings.

    After each beam cut, entries whose bound is below their context's ``floor`` are
    dropped (after the cut, so the kept ones are the same as without a floor)."""
    vocab = job.vocabulary
    open_: list[_Partial] = []
    for c, ctx in enumerate(contexts):
        for n in range(2, max_pieces + 1):
            first = seen[(c, n, frozenset())]
            open_ += _extend(vocab, ctx, _Partial(c, n, {}, 0.0), [first[j] for j in range(n)], beam)
    open_ = _promising(_prune(open_, beam), seen, floor)
    finished: list[_Partial] = []
    while open_:
        rows = []
        for p in open_:
            ids, pos = job.expand(contexts[p.ctx_index], p.n, p.filled)
            rows.append((ids, [pos + j for j in p.free]))
        # Words finished in the last pass get their missing l2r terms in this one.
        done = [{} for _ in contexts]
        for p in finished:
            seq = tuple(p.filled[j] for j in range(p.n))
            if vocab.spelling(seq, contexts[p.ctx_index].after_space) is not None:
                done[p.ctx_index][seq] = None
        score_rows, score_keys = _score_rows(job, contexts, done, seen)
        answers = job.at_positions(rows + score_rows)
        _store_scores(seen, score_keys, answers[len(rows) :])
        grown = []
        for p, logps in zip(open_, answers):
            seen[(p.ctx_index, p.n, frozenset(p.filled.items()))] = dict(zip(p.free, logps))
            grown += _extend(vocab, contexts[p.ctx_index], p, logps, beam)
        grown = _promising(_prune(grown, beam), seen, floor)
        finished += [p for p in grown if not p.free]
        open_ = [p for p in grown if p.free]
    return finished


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
    """Last pass: the PLL-word-l2r terms not seen yet (words filled right to left)."""
    rows, keys = _score_rows(job, contexts, spelled, seen)
    if rows:
        _store_scores(seen, keys, job.at_positions(rows))


def _score_rows(job: Job, contexts: list[Context], spelled, seen: Seen) -> tuple[list, list]:
    """Rows for the l2r terms of ``spelled`` (per context, piece sequences) not seen yet."""
    rows, keys = [], []
    for c, ctx in enumerate(contexts):
        for seq in spelled[c]:
            for j in range(1, len(seq)):
                key = (c, len(seq), frozenset(enumerate(seq[:j])))
                if j not in seen.get(key, {}) and key not in keys:
                    ids, pos = job.expand(ctx, len(seq), dict(enumerate(seq[:j])))
                    rows.append((ids, [pos + j]))
                    keys.append(key)
    return rows, keys


def _store_scores(seen: Seen, keys: list, answers) -> None:
    for key, (logp,) in zip(keys, answers):
        seen.setdefault(key, {})[len(key[2])] = logp


def _ranked(c: int, spelled: dict[tuple[int, ...], str], seen: Seen) -> list[Word]:
    """Each word once (its best spelling's score), best first."""
    best: dict[str, Word] = {}
    for seq, text in spelled.items():
        total = 0.0
        for j in range(len(seq)):
            total += float(seen[(c, len(seq), frozenset(enumerate(seq[:j])))][j][seq[j]])
        if text not in best or best[text].log_score < total:
            best[text] = Word(text, seq, total)
    return sorted(best.values(), key=lambda w: w.log_score, reverse=True)


def _promising(partials: list[_Partial], seen: Seen, floor) -> list[_Partial]:
    return [p for p in partials if _partial_bound(seen, p) >= floor[p.ctx_index]]


def _partial_bound(seen: Seen, p: _Partial) -> float:
    """An upper bound of the final PLL-word-l2r of any word ``p`` can become."""
    prefix = []
    for j in range(p.n):
        if j not in p.filled:
            break
        prefix.append(p.filled[j])
    bound = _bound(seen, p.ctx_index, tuple(prefix), p.n)
    if not prefix:  # the first piece is still open: its best possible term
        bound += float(seen[(p.ctx_index, p.n, frozenset())][0].max())
    return bound


def _bound(seen: Seen, c: int, prefix: tuple[int, ...], n: int | None = None) -> float:
    """The sum of the l2r terms of ``prefix`` (of a word of ``n`` pieces) seen so far:
    every term is a log-probability ≤ 0, so the terms not seen yet only lower it."""
    n = n or len(prefix)
    total = 0.0
    for j in range(len(prefix)):
        row = seen.get((c, n, frozenset(enumerate(prefix[:j]))), {})
        if j in row:
            total += float(row[j][prefix[j]])
    return total


def _is_scored(seen: Seen, c: int, seq: tuple[int, ...]) -> bool:
    return all(j in seen.get((c, len(seq), frozenset(enumerate(seq[:j]))), {}) for j in range(len(seq)))


def _with_keep(words: list[Word], keep_row) -> list[Word]:
    if keep_row is not None:
        for word in words:
            word.keep_score = float(keep_row[word.pieces[0]])
    return words


def _best(logp: torch.Tensor, allowed: torch.Tensor, k: int) -> list[tuple[float, int]]:
    masked = logp.masked_fill(~allowed[: logp.shape[0]], _NEG)
    values, ids = masked.topk(min(k, masked.shape[0]))
    return [(v, i) for v, i in zip(values.tolist(), ids.tolist()) if v > _NEG]


def _extend(vocab: Vocabulary, ctx: Context, partial: _Partial, logps, beam: int) -> list[_Partial]:
    """Fill the most confident free position of ``partial`` with its best pieces."""
    best_j, best_options, best_top = None, [], _NEG
    for j, logp in zip(partial.free, logps):
        options = _best(logp, vocab.allowed(j, ctx.after_space), beam)
        if options and options[0][0] > best_top:
            best_j, best_options, best_top = j, options, options[0][0]
    if best_j is None:
        return []
    return [
        _Partial(partial.ctx_index, partial.n, {**partial.filled, best_j: token_id}, partial.score + score)
        for score, token_id in best_options
    ]


def _prune(partials: list[_Partial], beam: int) -> list[_Partial]:
    groups: dict[tuple[int, int], list[_Partial]] = {}
    for p in partials:
        groups.setdefault((p.ctx_index, p.n), []).append(p)
    kept = []
    for group in groups.values():
        kept += sorted(group, key=lambda p: p.score, reverse=True)[:beam]
    return kept
