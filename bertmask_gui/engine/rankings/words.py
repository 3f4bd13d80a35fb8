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

Cost: 4 forward passes for any number of masks in one request (every context's
rows ride in the same batches), plus 1 for the meaning-keeping ranking.
"""

from __future__ import annotations

from dataclasses import dataclass

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
) -> list[list[Word]]:
    """Whole-word candidates for each context, best first (by PLL-word-l2r).

    ``pool``: how many one-piece words to keep; ``beam``: partial fillings kept per
    length; ``extra``: piece sequences to score as well for each context (the
    original word in selection mode), whether or not they were generated. ``beam``
    and ``max_pieces`` default to the job's tuning.
    """
    beam = job.tuning.beam if beam is None else beam
    max_pieces = job.tuning.max_pieces if max_pieces is None else max_pieces
    seen = _first_pass(job, contexts, max_pieces)
    finished = _one_piece_words(job.vocabulary, contexts, seen, pool)
    finished += _beam_passes(job, contexts, seen, max_pieces, beam)
    spelled = _canonical_words(job.vocabulary, contexts, finished, extra or [[] for _ in contexts], max_pieces)
    _score_pass(job, contexts, spelled, seen)
    return [_ranked(c, words, seen) for c, words in enumerate(spelled)]


def _first_pass(job: Job, contexts: list[Context], max_pieces: int) -> Seen:
    """Pass 1: every context at every length, all pieces masked."""
    rows, keys = [], []
    for c, ctx in enumerate(contexts):
        for n in range(1, max_pieces + 1):
            ids, pos = job.expand(ctx, n)
            rows.append((ids, [pos + j for j in range(n)]))
            keys.append((c, n, frozenset()))
    return {key: dict(enumerate(logps)) for key, logps in zip(keys, job.at_positions(rows))}


def _one_piece_words(vocab: Vocabulary, contexts: list[Context], seen: Seen, pool: int) -> list[_Partial]:
    finished = []
    for c, ctx in enumerate(contexts):
        for score, token_id in _best(seen[(c, 1, frozenset())][0], vocab.allowed(0, ctx.after_space), pool):
            finished.append(_Partial(c, 1, {0: token_id}, score))
    return finished


def _beam_passes(job: Job, contexts: list[Context], seen: Seen, max_pieces: int, beam: int) -> list[_Partial]:
    """Passes 2..max_pieces: fill the most confident free piece of every beam entry,
    re-run with it filled, fill the next. Returns the complete multi-piece fillings."""
    vocab = job.vocabulary
    open_: list[_Partial] = []
    for c, ctx in enumerate(contexts):
        for n in range(2, max_pieces + 1):
            first = seen[(c, n, frozenset())]
            open_ += _extend(vocab, ctx, _Partial(c, n, {}, 0.0), [first[j] for j in range(n)], beam)
    open_ = _prune(open_, beam)
    finished: list[_Partial] = []
    while open_:
        rows = []
        for p in open_:
            ids, pos = job.expand(contexts[p.ctx_index], p.n, p.filled)
            rows.append((ids, [pos + j for j in p.free]))
        grown = []
        for p, logps in zip(open_, job.at_positions(rows)):
            seen[(p.ctx_index, p.n, frozenset(p.filled.items()))] = dict(zip(p.free, logps))
            grown += _extend(vocab, contexts[p.ctx_index], p, logps, beam)
        grown = _prune(grown, beam)
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
    rows, keys = [], []
    for c, ctx in enumerate(contexts):
        for seq in spelled[c]:
            for j in range(1, len(seq)):
                key = (c, len(seq), frozenset(enumerate(seq[:j])))
                if j not in seen.get(key, {}) and key not in keys:
                    ids, pos = job.expand(ctx, len(seq), dict(enumerate(seq[:j])))
                    rows.append((ids, [pos + j]))
                    keys.append(key)
    for key, (logp,) in zip(keys, job.at_positions(rows)):
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


def keep_meaning_scores(job: Job, contexts: list[Context], originals: list[tuple[int, ...]], words: list[list[Word]]) -> None:
    """Fill ``Word.keep_score``: log P(word's first piece) at the original word's place,
    with the original word left in (the model's unmasked view of what belongs there).

    One batched forward pass for all contexts.
    """
    rows, which = [], []
    for c, (ctx, pieces) in enumerate(zip(contexts, originals)):
        if not pieces:
            continue
        ids, pos = job.expand(ctx, len(pieces), dict(enumerate(pieces)))
        rows.append((ids, [pos]))
        which.append(c)
    for c, (logp,) in zip(which, job.at_positions(rows)):
        for word in words[c]:
            word.keep_score = float(logp[word.pieces[0]])
