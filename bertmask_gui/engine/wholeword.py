"""Whole-word candidates: words of 1 to 3 word pieces, ranked by PLL-word-l2r.

How it works (see also the README section "How BertMask ranks words"):

1. **Generate.** The one mask is replaced by N mask tokens for N = 1, 2, 3, and the three
   inputs go through the model in ONE batched forward pass. For N = 1 the best pieces
   that can start a word are the one-piece candidates. For N ≥ 2 the most confident
   mask position is filled first (its best pieces, a small beam), the inputs are run
   again, the next most confident position is filled, and so on: two more forward
   passes (N = 2 and N = 3 beams share them). Pieces after the first must be
   continuation pieces (``##able``; a BPE piece without the ``Ġ`` space marker), so a
   filler of several pieces is one word.
2. **Merge.** The pieces become text with the tokenizer's own ``decode``; a filling
   whose pieces are not the tokenizer's own split of that text (``lo ##ve`` for
   ``love``) is dropped, so each word is scored once, as the model reads it.
3. **Score.** Every candidate gets its PLL-word-l2r (Kauf & Ivanova 2023): the sum over
   its pieces of log P(piece_i | context, pieces before i, pieces after i still
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

import math
from dataclasses import dataclass, field

import torch

from bertmask_gui.engine.filters import is_writable

MAX_PIECES = 3
BEAM = 4  # partial fillings kept per (mask, length) while generating
# Context each whole-word row sees (tokens, specials included): a few sentences around
# the mask. Whole words cost ~15 rows per mask; at a paragraph's 450 tokens a row that
# made them take seconds on a CPU. Raw pieces mode keeps the full context.
WORD_CONTEXT_TOKENS = 128
_NEG = float("-inf")


@dataclass(frozen=True)
class Context:
    """One model input row with the mask at ``pos`` (the token ids include specials)."""

    ids: tuple[int, ...]
    pos: int
    after_space: bool = True


@dataclass
class Word:
    text: str
    pieces: tuple[int, ...]
    log_score: float  # PLL-word-l2r: natural-log probability, summed over pieces
    keep_score: float | None = None  # log P(first piece) with the original word in place


@dataclass
class _PieceKinds:
    """For every vocabulary id: can it start a word (after a space / not), continue one."""

    start_after_space: torch.Tensor
    start_no_space: torch.Tensor
    continuation: torch.Tensor
    marker: str | None  # "Ġ" / "▁" for BPE-style vocabularies, None for WordPiece
    cased: bool = True
    canonical: dict = field(default_factory=dict)


def piece_kinds(predictor) -> _PieceKinds:
    """Classify the vocabulary once per predictor (cached on it)."""
    kinds = getattr(predictor, "_piece_kinds", None)
    if kinds is not None:
        return kinds
    tok = predictor.tokenizer
    size = _vocab_size(predictor)
    raw = tok.convert_ids_to_tokens(list(range(len(tok))))
    sample = tok.convert_ids_to_tokens(tok("a b", add_special_tokens=False)["input_ids"])
    marker = next((m for m in ("Ġ", "▁") if any(t.startswith(m) for t in sample)), None)
    prefix = getattr(getattr(tok.backend_tokenizer, "model", None), "continuing_subword_prefix", None) or "##"
    start_space = torch.zeros(size, dtype=torch.bool)
    start_bare = torch.zeros(size, dtype=torch.bool)
    cont = torch.zeros(size, dtype=torch.bool)
    for token_id, piece in enumerate(raw):
        if piece is None or predictor.usable_text(token_id) is None:
            continue
        if marker is None:
            if piece.startswith(prefix):
                cont[token_id] = piece[len(prefix) :].isalnum()
            else:
                start_space[token_id] = start_bare[token_id] = True
        elif piece.startswith(marker):
            start_space[token_id] = len(piece) > len(marker)
        else:
            start_bare[token_id] = True
            cont[token_id] = piece.isalnum()
    cased = tok.tokenize("Word") != tok.tokenize("word")
    kinds = _PieceKinds(start_space, start_bare, cont, marker, cased)
    predictor._piece_kinds = kinds
    return kinds


def _vocab_size(predictor) -> int:
    return int(getattr(predictor.model.config, "vocab_size", len(predictor.tokenizer)))


def forward_log_probs(predictor, rows: list[tuple[list[int], list[int]]]) -> list[list[torch.Tensor]]:
    """Log-probabilities over the vocabulary at the given positions of each row.

    One batched forward pass for all rows (counted in ``predictor.forward_passes``).
    """
    from bertmask_gui.engine.predictor import _Row

    if not rows:
        return []
    model_rows = [_Row(list(ids), {k: p for k, p in enumerate(positions)}) for ids, positions in rows]
    probs = predictor._mask_probabilities(model_rows)
    logs = probs.clamp_min(1e-30).log()
    out, i = [], 0
    for _, positions in rows:
        out.append([logs[i + k] for k in range(len(positions))])
        i += len(positions)
    return out


def expand(predictor, ctx: Context, n: int, fill: dict[int, int] | None = None) -> tuple[list[int], int]:
    """The context's ids with its mask replaced by ``n`` pieces (masks unless filled).

    Returns (ids, position of the first piece); far context is trimmed, evenly from
    both sides, to WORD_CONTEXT_TOKENS (and always to the model's limit).
    """
    fill = fill or {}
    pieces = [fill.get(j, predictor.mask_token_id) for j in range(n)]
    ids = list(ctx.ids[: ctx.pos]) + pieces + list(ctx.ids[ctx.pos + 1 :])
    pos = ctx.pos
    prefix, suffix = (len(a) for a in predictor._special_affixes)
    limit = min(predictor.max_tokens, max(WORD_CONTEXT_TOKENS, prefix + suffix + n + 2))
    while len(ids) > limit:
        left = pos - prefix
        right = len(ids) - suffix - (pos + n)
        if left >= right and left > 0:
            del ids[prefix]
            pos -= 1
        elif right > 0:
            del ids[len(ids) - suffix - 1]
        else:
            break
    return ids, pos


def _allowed(kinds: _PieceKinds, ctx: Context, j: int) -> torch.Tensor:
    if j > 0:
        return kinds.continuation
    if kinds.marker is None or ctx.after_space:
        return kinds.start_after_space
    return kinds.start_no_space


def _best(logp: torch.Tensor, allowed: torch.Tensor, k: int) -> list[tuple[float, int]]:
    masked = logp.masked_fill(~allowed[: logp.shape[0]], _NEG)
    values, ids = masked.topk(min(k, masked.shape[0]))
    return [(v, i) for v, i in zip(values.tolist(), ids.tolist()) if v > _NEG]


@dataclass
class _Partial:
    ctx_index: int
    n: int
    filled: dict[int, int]
    score: float


def generate(
    predictor,
    contexts: list[Context],
    pool: int = 30,
    beam: int = BEAM,
    max_pieces: int = MAX_PIECES,
    extra: list[list[tuple[int, ...]]] | None = None,
) -> list[list[Word]]:
    """Whole-word candidates for each context, best first (by PLL-word-l2r).

    ``pool``: how many one-piece words to keep; ``beam``: partial fillings kept per
    length; ``extra``: piece sequences to score as well for each context (the
    original word in selection mode), whether or not they were generated.
    """
    kinds = piece_kinds(predictor)
    extra = extra or [[] for _ in contexts]
    lengths = range(1, max_pieces + 1)
    # Pass 1: every context at every length, all masks.
    first_rows, keys = [], []
    for c, ctx in enumerate(contexts):
        for n in lengths:
            ids, pos = expand(predictor, ctx, n)
            first_rows.append((ids, [pos + j for j in range(n)]))
            keys.append((c, n))
    first = dict(zip(keys, forward_log_probs(predictor, first_rows)))
    # Every distribution computed, by (context, length, filled pieces) -> {position: log p}.
    # A PLL-word-l2r term is such a distribution (pieces before j filled, the rest
    # masked), so generation rows that filled left to right are reused for scoring.
    seen: dict[tuple, dict[int, torch.Tensor]] = {
        (c, n, frozenset()): dict(enumerate(logps)) for (c, n), logps in first.items()
    }

    finished: list[_Partial] = []
    for c, ctx in enumerate(contexts):
        for score, token_id in _best(first[(c, 1)][0], _allowed(kinds, ctx, 0), pool):
            finished.append(_Partial(c, 1, {0: token_id}, score))
    open_: list[_Partial] = []
    for c, ctx in enumerate(contexts):
        for n in lengths:
            if n > 1:
                open_ += _extend(kinds, ctx, _Partial(c, n, {}, 0.0), first[(c, n)], list(range(n)), beam)
    open_ = _prune(open_, beam)
    # Passes 2..max_pieces: re-run with the confident pieces filled, fill the next.
    while open_:
        rows = []
        for p in open_:
            ids, pos = expand(predictor, contexts[p.ctx_index], p.n, p.filled)
            free = [j for j in range(p.n) if j not in p.filled]
            rows.append((ids, [pos + j for j in free]))
        grown = []
        for p, logps in zip(open_, forward_log_probs(predictor, rows)):
            free = [j for j in range(p.n) if j not in p.filled]
            seen[(p.ctx_index, p.n, frozenset(p.filled.items()))] = dict(zip(free, logps))
            grown += _extend(kinds, contexts[p.ctx_index], p, logps, free, beam)
        grown = _prune(grown, beam)
        finished += [p for p in grown if len(p.filled) == p.n and p.n > 1]
        open_ = [p for p in grown if len(p.filled) < p.n]

    # Merge into words; keep canonical tokenizations only.
    candidates: list[dict[tuple[int, ...], None]] = [dict() for _ in contexts]
    for p in finished:
        candidates[p.ctx_index][tuple(p.filled[j] for j in range(p.n))] = None
    for c, sequences in enumerate(extra):
        for seq in sequences:
            if 1 <= len(seq) <= max_pieces:
                candidates[c][tuple(seq)] = None
    words_text: list[dict[tuple[int, ...], str]] = []
    for c, ctx in enumerate(contexts):
        texts = {}
        for seq in candidates[c]:
            text = _word_text(predictor, kinds, ctx, seq)
            if text is not None:
                texts[seq] = text
        words_text.append(texts)
    # Last pass: the PLL-word-l2r terms not seen yet (words filled right to left).
    score_rows, score_keys = [], []
    for c, ctx in enumerate(contexts):
        for seq in words_text[c]:
            for j in range(1, len(seq)):
                key = (c, len(seq), frozenset(enumerate(seq[:j])))
                if j not in seen.get(key, {}) and key not in score_keys:
                    ids, pos = expand(predictor, ctx, len(seq), dict(enumerate(seq[:j])))
                    score_rows.append((ids, [pos + j]))
                    score_keys.append(key)
    for key, (logp,) in zip(score_keys, forward_log_probs(predictor, score_rows)):
        seen.setdefault(key, {})[len(key[2])] = logp
    results = []
    for c in range(len(contexts)):
        best: dict[str, Word] = {}
        for seq, text in words_text[c].items():
            total = 0.0
            for j in range(len(seq)):
                total += float(seen[(c, len(seq), frozenset(enumerate(seq[:j])))][j][seq[j]])
            if text not in best or best[text].log_score < total:
                best[text] = Word(text, seq, total)
        results.append(sorted(best.values(), key=lambda w: w.log_score, reverse=True))
    return results


def _extend(kinds, ctx, partial: _Partial, logps, free: list[int], beam: int) -> list[_Partial]:
    """Fill the most confident free position of ``partial`` with its best pieces."""
    best_j, best_options, best_top = None, [], _NEG
    for j, logp in zip(free, logps):
        options = _best(logp, _allowed(kinds, ctx, j), beam)
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


def _word_text(predictor, kinds: _PieceKinds, ctx: Context, seq: tuple[int, ...]) -> str | None:
    """The pieces as one word, or None if that is not how the tokenizer writes it."""
    key = (seq, ctx.after_space)
    if key in kinds.canonical:
        return kinds.canonical[key]
    tok = predictor.tokenizer
    text = tok.decode(list(seq)).strip()
    result = None
    if is_writable(text) and (len(seq) == 1 or " " not in text):
        lead = " " if (kinds.marker and ctx.after_space) else ""
        again = tuple(tok(lead + text, add_special_tokens=False)["input_ids"])
        if len(seq) == 1 or again == seq:
            result = text
    kinds.canonical[key] = result
    return result


def original_pieces(predictor, ctx: Context, original: str) -> tuple[int, ...]:
    """The original word's pieces as the tokenizer writes them at that place."""
    kinds = piece_kinds(predictor)
    lead = " " if (kinds.marker and ctx.after_space) else ""
    return tuple(predictor.tokenizer(lead + original.strip(), add_special_tokens=False)["input_ids"])


def keep_meaning_scores(predictor, contexts: list[Context], originals: list[tuple[int, ...]], words: list[list[Word]]) -> None:
    """Fill ``Word.keep_score``: log P(word's first piece) at the original word's place,
    with the original word left in (the model's unmasked view of what belongs there).

    One batched forward pass for all contexts.
    """
    rows, which = [], []
    for c, (ctx, pieces) in enumerate(zip(contexts, originals)):
        if not pieces:
            continue
        ids, pos = expand(predictor, ctx, len(pieces), dict(enumerate(pieces)))
        rows.append((ids, [pos]))
        which.append(c)
    for c, (logp,) in zip(which, forward_log_probs(predictor, rows)):
        for word in words[c]:
            word.keep_score = float(logp[word.pieces[0]])


def shares(scores: list[float]) -> list[float]:
    """exp(score) normalised over the shown list (a softmax), so they sum to 1."""
    if not scores:
        return []
    top = max(scores)
    weights = [math.exp(s - top) for s in scores]
    total = sum(weights)
    return [w / total for w in weights]
