"""“Fill all”: complete fillings of every mask, chosen jointly, not one mask at a time.

Independent argmaxes can clash (``I [MASK] [MASK] the movie`` → ``I really really the
movie``). Here the masks are filled in order of confidence:

1. For every filling kept so far (the beam, at first just the empty one), one batched
   forward pass gives the distribution at every open mask; the mask whose best
   word-starting piece is most probable is filled next.
2. Whole-word candidates for that mask, given the words already placed and the other
   masks still masked, come from ``words.generate`` (4 batched forward passes,
   all beam entries together).
3. Each beam entry grows by its best ``branch`` words; the joint score is the sum of the
   chosen words' PLL-word-l2r scores, each taken given the words placed before it (a
   chain-rule estimate of the joint log-probability); the best ``beam`` are kept.

Cost: at most 5 forward passes per mask (1 to choose the mask, up to 4 for the words),
whatever the beam (the beam widens the batches, not their number), and less:

- the first mask's words are the default list's own (``first_words``), not generated again;
- the last mask needs no choosing pass (it is the only one left);
- ``words.generate`` prunes (branch and bound) words that cannot be among a state's
  ``BRANCH`` best nor lift a filling into the kept beam, so those get no rows.
The fillings are the same as without these savings (tests/engine/test_jointfill.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from bertmask_gui.engine.encoder import Context, after_space
from bertmask_gui.engine.filters import keep, match_case, sentence_initial
from bertmask_gui.engine.masks import Span
from bertmask_gui.engine.options import Filters
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
class _Choice:
    """The mask a state fills next, and where it stands."""

    state: int
    mask: int
    context: Context
    model_text: str
    model_span: Span


def fill_all(
    job: Job,
    text: str,
    spans: list[Span],
    filters: Filters,
    count: int = 5,
    first_words: list[list[Word]] | None = None,
    prune: bool = True,
) -> list[tuple[tuple[str, ...], float]]:
    """Up to ``count`` complete fillings of ``spans`` in ``text``: (words, joint log score).

    ``first_words``: each mask's words with nothing placed yet, as ``words.generate``
    gave them (pruned for a shown list of ``BRANCH`` or more words), so the first step
    needs no generation of its own. ``prune=False`` generates every candidate (the
    reference the tests compare the pruned fillings with).
    """
    states = [_State({}, {}, 0.0)]
    keep_states = max(JOINT_BEAM, count)
    for _ in range(len(spans)):
        choices = _most_confident_masks(job, text, spans, states)
        if first_words is not None and states == [_State({}, {}, 0.0)]:
            words_per_state = [first_words[choices[0].mask]]
        else:
            floors = _Floors(job, states, choices, filters, keep_states)
            contexts = [c.context for c in choices]
            words_per_state = generate(job, contexts, pool=pool_size(count), floors=floors.per_choice() if prune else None)
        grown = [
            grown_state
            for choice, words in zip(choices, words_per_state)
            for grown_state in _grow(job, states[choice.state], choice, words, filters)
        ]
        if not grown:
            return []
        states = _dedupe(sorted(grown, key=lambda st: st.score, reverse=True))[:keep_states]
    states = states[:count]
    return [(tuple(st.shown[m] for m in range(len(spans))), st.score) for st in states]


class _Floors:
    """Branch-and-bound floors for one step's generation (see words.Floor): a word is
    useless to a state below its ``BRANCH``-th kept word, and below the score that
    would lift the state's filling into the ``keep`` best of all states seen so far."""

    def __init__(self, job: Job, states: list[_State], choices: list[_Choice], filters: Filters, keep: int):
        self.job, self.states, self.choices, self.filters, self.keep = job, states, choices, filters, keep
        self.joint: dict[tuple, float] = {}  # filling -> best joint score seen so far

    def per_choice(self):
        return [lambda words, choice=choice: self.floor(choice, words) for choice in self.choices]

    def floor(self, choice: _Choice, words) -> float:
        state = self.states[choice.state]
        grown = _grow(self.job, state, choice, words, self.filters)
        for st in grown:
            key = tuple(sorted(st.words.items()))
            self.joint[key] = max(self.joint.get(key, -math.inf), st.score)
        branch = grown[-1].score if len(grown) == BRANCH else -math.inf
        best = sorted(self.joint.values(), reverse=True)
        joint = best[self.keep - 1] if len(best) >= self.keep else -math.inf
        return max(branch, joint) - state.score


def _most_confident_masks(job: Job, text: str, spans: list[Span], states: list[_State]) -> list[_Choice]:
    """One batched pass: for each state, the open mask whose best word-start is most probable."""
    encoded = []
    for state in states:
        model_text, model_spans = job.encoder.model_text(text, spans, state.words)
        open_masks = [i for i in range(len(spans)) if i not in state.words]
        rows = job.encoder.model_rows(model_text, model_spans, len(model_spans))
        encoded.append((model_text, model_spans, open_masks, rows))
    if all(len(open_masks) == 1 for _, _, open_masks, _ in encoded):  # nothing to choose
        return [_only_mask(job, s, *enc) for s, enc in enumerate(encoded)]
    probs = job.log_probs([row for *_, rows in encoded for row in rows]).exp()
    choices, i = [], 0
    for s, (model_text, model_spans, open_masks, rows) in enumerate(encoded):
        best = None
        for row in rows:
            for local, position in row.positions.items():
                p = probs[i]
                i += 1
                after = after_space(model_text, model_spans[local])
                ctx = Context(tuple(row.input_ids), position, after)
                allowed = job.vocabulary.allowed(0, after)[: p.shape[0]]
                top = float(p.masked_fill(~allowed, 0).max())
                if best is None or top > best[0]:
                    best = (top, local, ctx)
        _, local, ctx = best
        choices.append(_Choice(s, open_masks[local], ctx, model_text, model_spans[local]))
    return choices


def _only_mask(job: Job, state: int, model_text: str, model_spans: list[Span], open_masks, rows) -> _Choice:
    (position,) = [p for row in rows for p in row.positions.values()]
    (row,) = [row for row in rows if row.positions]
    ctx = Context(tuple(row.input_ids), position, after_space(model_text, model_spans[0]))
    return _Choice(state, open_masks[0], ctx, model_text, model_spans[0])


def _grow(job: Job, state: _State, choice: _Choice, words, filters: Filters) -> list[_State]:
    """The state with each of its best ``BRANCH`` kept words at the chosen mask."""
    initial = sentence_initial(choice.model_text, choice.model_span.start)
    grown = []
    for word in words:
        shown = match_case(word.text, cased_model=job.vocabulary.cased, initial=initial) if filters.match_case else word.text
        if not keep(shown, filters):
            continue
        grown.append(
            _State({**state.words, choice.mask: word.text}, {**state.shown, choice.mask: shown}, state.score + word.log_score)
        )
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
