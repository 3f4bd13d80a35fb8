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

Cost: 5 forward passes per mask (1 to choose the mask, 4 for the words): 10 for two
masks, 15 for three, whatever the beam (the beam widens the batches, not their number).
"""

from __future__ import annotations

from dataclasses import dataclass

from bertmask_gui.engine.encoder import Context, after_space
from bertmask_gui.engine.filters import keep, match_case, sentence_initial
from bertmask_gui.engine.masks import Span
from bertmask_gui.engine.options import Filters
from bertmask_gui.engine.rankings.job import Job
from bertmask_gui.engine.rankings.words import generate

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


def fill_all(job: Job, text: str, spans: list[Span], filters: Filters, count: int = 5) -> list[tuple[tuple[str, ...], float]]:
    """Up to ``count`` complete fillings of ``spans`` in ``text``: (words, joint log score)."""
    states = [_State({}, {}, 0.0)]
    for _ in range(len(spans)):
        choices = _most_confident_masks(job, text, spans, states)
        pool = max(BRANCH * 4, 12)
        words_per_state = generate(job, [c.context for c in choices], pool=pool)
        grown = [
            grown_state
            for choice, words in zip(choices, words_per_state)
            for grown_state in _grow(job, states[choice.state], choice, words, filters)
        ]
        if not grown:
            return []
        states = _dedupe(sorted(grown, key=lambda st: st.score, reverse=True))[: max(JOINT_BEAM, count)]
    states = states[:count]
    return [(tuple(st.shown[m] for m in range(len(spans))), st.score) for st in states]


def _most_confident_masks(job: Job, text: str, spans: list[Span], states: list[_State]) -> list[_Choice]:
    """One batched pass: for each state, the open mask whose best word-start is most probable."""
    encoded = []
    for state in states:
        model_text, model_spans = job.encoder.model_text(text, spans, state.words)
        open_masks = [i for i in range(len(spans)) if i not in state.words]
        rows = job.encoder.model_rows(model_text, model_spans, len(model_spans))
        encoded.append((model_text, model_spans, open_masks, rows))
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
