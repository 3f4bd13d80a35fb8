"""“Fill all”: complete fillings of every mask, chosen jointly, not one mask at a time.

Independent argmaxes can clash (``I [MASK] [MASK] the movie`` → ``I really really the
movie``). Here the masks are filled one after the other, most confident first (the
mask whose own best word scores highest), with a beam of partial fillings:

1. The first mask's words are its own list (``first_words``: the per-mask lists the
   window shows, not generated again).
2. For each later mask and each filling kept so far, ONE row with that filling's words
   in place gives the mask's distribution: every one-piece word there is scored by it
   (``words.generate`` with no multi-piece search). The mask's own multi-piece words
   (those near the top of its list) are scored in the same pass with their l2r rows.
3. Each filling grows by its best ``BRANCH`` words; the joint score is the sum of the
   chosen words' PLL-word-l2r scores, each taken given the words placed before it and
   the later masks still masked (a chain-rule estimate of the joint log-probability,
   exact fp32 like every shown score); the best ``JOINT_BEAM`` are kept.

Masks that may hold only some words (``Given``: ``[MASK rhymes:night]``, ``[MASK:a|b]``)
pick among those words alone, so every filling obeys every constraint: at step 1 their
own list's words (``rankings.constrained``/``choices``, exact); later, in the same one
pass, every allowed one-piece word read from the one-mask row and the longer allowed
words near the list's top (``near_top``; every listed longer word of a [MASK:a|b]) by
their l2r rows (``words_in_place``). Before, such masks were filled with unconstrained
words and the fillings that broke a constraint were dropped: often all of them.

Cost: at most one forward pass per mask after the first, whatever the beam (the beam
widens the batch, not the number of passes), on top of the per-mask lists; none for a
mask that no placed word is near: its rows are cut to the words' window, so they are
the rows its own list read, and ``Job.at_positions`` answers those from memory (3 masks
in 450 tokens: 2 passes of 3 and 5 rows, 1.1 s on ONNX Runtime, before; none now).
A ``Given`` mask costs the same as a plain one (its first words are its list's; one
row per kept filling plus its longer words' l2r rows, in the pass). prose-mlm-small,
"The [MASK] was bright in the [MASK rhymes:night].": fill-all 1 pass over the lists' 5,
5 fillings (dropping fillings: 3 passes, 1 filling left).
(Before that: one pass to choose the mask and 3-4 to generate its words, per mask and
filling: 25× a pieces prediction for 3 masks in 450 tokens; docs/PERFORMANCE.md.)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from bertmask_gui.engine.encoder import Context
from bertmask_gui.engine.filters import keep, match_case, sentence_initial
from bertmask_gui.engine.masks import Span
from bertmask_gui.engine.options import Filters
from bertmask_gui.engine.rankings.inplace import l2r_rows
from bertmask_gui.engine.rankings.job import Job
from bertmask_gui.engine.rankings.lists import pool_size
from bertmask_gui.engine.rankings.words import Word, generate

JOINT_BEAM = 4
BRANCH = 3


@dataclass
class _State:
    words: dict[int, str]  # mask index -> word as the model sees it (model case)
    shown: dict[int, str]  # mask index -> word as shown (case matched)
    score: float


@dataclass(frozen=True)
class Given:
    """A mask whose words are not generated but given (``[MASK rhymes:night]``): fill-all
    picks among them only."""

    words: list[Word]  # with nothing placed: the words its own list chose from, exact, best first
    one_piece: list[tuple[int, str]]  # (token id, text) of every one-piece word allowed there
    longer: list[Word]  # the multi-piece words scored again once other words are placed


def fill_all(
    job: Job,
    text: str,
    spans: list[Span],
    filters: Filters,
    count: int = 5,
    first_words: list[list[Word]] | None = None,
    given: dict[int, Given] | None = None,
) -> list[tuple[tuple[str, ...], float]]:
    """Up to ``count`` complete fillings of ``spans`` in ``text``: (words, joint log score).

    ``first_words``: each mask's words with nothing placed yet, as ``words.generate``
    gave them for a shown list of ``BRANCH`` or more words; generated here if None
    (for the masks not ``given``). ``given``: mask index → the only words it may hold.
    """
    given = given or {}
    encoded = job.encoder.contexts(text, spans)
    own = first_words or _own_words(job, encoded.contexts, count, given)
    order = sorted(range(len(spans)), key=lambda m: own[m][0].log_score if own[m] else -math.inf, reverse=True)
    states = [_State({}, {}, 0.0)]
    keep_states = max(JOINT_BEAM, count)
    for step, mask in enumerate(order):
        places = [_place(job, text, spans, state, mask) for state in states]
        if step == 0:
            words_per_state = [own[mask]]
        else:
            # The mask's own multi-piece words near its top get their l2r rows too.
            contexts = [ctx for ctx, _, _ in places]
            if mask in given:  # its allowed one-piece words from the same row, its longer ones' l2r rows
                allowed = given[mask]
                words_per_state = words_in_place(job, contexts, allowed.one_piece, allowed.longer, pool_size(count))
            else:
                extra = [[w.pieces for w in near_top(own[mask])]] * len(states)
                words_per_state = generate(job, contexts, pool=pool_size(count), beam=0, extra=extra)
        grown = [
            grown_state
            for state, place, words in zip(states, places, words_per_state)
            for grown_state in _grow(job, state, mask, place, words, filters)
        ]
        if not grown:
            return []
        states = _dedupe(sorted(grown, key=lambda st: st.score, reverse=True))[:keep_states]
    states = states[:count]
    return [(tuple(st.shown[m] for m in range(len(spans))), st.score) for st in states]


def near_top(words: list[Word]) -> list[Word]:
    """The multi-piece words among ``words``' best: those fill-all scores again in place
    (the one-piece words are all read from one row anyway)."""
    return [w for w in words[: 2 * BRANCH] if len(w.pieces) > 1]


def _own_words(job: Job, contexts: list[Context], count: int, given: dict[int, Given]) -> list[list[Word]]:
    """Each mask's words with nothing placed: generated, or the given ones."""
    generated = [i for i in range(len(contexts)) if i not in given]
    lists = iter(generate(job, [contexts[i] for i in generated], pool=pool_size(count)) if generated else [])
    return [given[i].words if i in given else next(lists) for i in range(len(contexts))]


def words_in_place(job: Job, contexts: list[Context], one_piece: list[tuple[int, str]], longer: list[Word],
                   pool: int) -> list[list[Word]]:
    """Per context (one mask, other words placed): the ``pool`` best of the ``one_piece``
    words (all read from the one-mask row) and every ``longer`` word (its l2r rows),
    exactly scored, best first; one batched call for all contexts."""
    rows = []
    for ctx in contexts:
        ids, pos = job.expand(ctx, 1)
        rows.append((ids, [pos]))
        for word in longer:
            rows += l2r_rows(job, ctx, word.pieces)
    answers = iter(job.at_positions(rows))
    token_ids = torch.tensor([t for t, _ in one_piece], dtype=torch.long)
    found = []
    for _ in contexts:
        logp = next(answers)[0]
        scores = logp[token_ids].tolist() if one_piece else []
        words = sorted((Word(text, (t,), s) for (t, text), s in zip(one_piece, scores)), key=_score, reverse=True)[:pool]
        for word in longer:
            terms = [float(next(answers)[0][piece]) for piece in word.pieces]
            words.append(Word(word.text, word.pieces, sum(terms), terms=tuple(terms)))
        found.append(sorted(words, key=_score, reverse=True))
    return found


def _score(word: Word) -> float:
    return word.log_score


def _place(job: Job, text: str, spans: list[Span], state: _State, mask: int) -> tuple[Context, str, Span]:
    """The context of ``mask`` with the state's words in place (the other masks still
    masked), the model text and the mask's span in it."""
    model_text, masked = job.encoder.model_text(text, spans, state.words)
    local = [i for i in range(len(spans)) if i not in state.words].index(mask)
    encoded = job.encoder.contexts(model_text, masked)
    return encoded.contexts[local], model_text, masked[local]


def _grow(job: Job, state: _State, mask: int, place, words, filters: Filters) -> list[_State]:
    """The state with each of its best ``BRANCH`` kept words at ``mask``."""
    _, model_text, model_span = place
    initial = sentence_initial(model_text, model_span.start)
    grown = []
    for word in words:
        shown = match_case(word.text, cased_model=job.vocabulary.cased, initial=initial) if filters.match_case else word.text
        if not keep(shown, filters):
            continue
        grown.append(_State({**state.words, mask: word.text}, {**state.shown, mask: shown}, state.score + word.log_score))
        if len(grown) == BRANCH:
            break
    return grown


def _dedupe(states: list[_State]) -> list[_State]:
    seen, kept = set(), []
    for st in states:
        key = tuple(sorted(st.words.items()))
        if key not in seen:
            seen.add(key)
            kept.append(st)
    return kept
