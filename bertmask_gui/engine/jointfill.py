"""“Fill all”: complete fillings of every mask, chosen jointly, not one mask at a time.

Independent argmaxes can clash (``I [MASK] [MASK] the movie`` → ``I really really the
movie``). Here the masks are filled in order of confidence:

1. For every filling kept so far (the beam, at first just the empty one), one batched
   forward pass gives the distribution at every open mask; the mask whose best
   word-starting piece is most probable is filled next.
2. Whole-word candidates for that mask, given the words already placed and the other
   masks still masked, come from ``wholeword.generate`` (4 batched forward passes,
   all beam entries together).
3. Each beam entry grows by its best ``branch`` words; the joint score is the sum of the
   chosen words' PLL-word-l2r scores, each taken given the words placed before it (a
   chain-rule estimate of the joint log-probability); the best ``beam`` are kept.

Cost: 5 forward passes per mask (1 to choose the mask, 4 for the words): 10 for two
masks, 15 for three, whatever the beam (the beam widens the batches, not their number).
"""

from __future__ import annotations

from dataclasses import dataclass

from bertmask_gui.engine.filters import keep, match_case, sentence_initial
from bertmask_gui.engine.options import Filters
from bertmask_gui.engine.masks import Span
from bertmask_gui.engine.wholeword import Context, _allowed, generate, piece_kinds

JOINT_BEAM = 4
BRANCH = 3


@dataclass
class _State:
    words: dict[int, str]  # mask index -> word as the model sees it (model case)
    shown: dict[int, str]  # mask index -> word as shown (case matched)
    score: float


def fill_all(predictor, text: str, spans: list[Span], filters: Filters, count: int = 5) -> list[tuple[tuple[str, ...], float]]:
    """Up to ``count`` complete fillings of ``spans`` in ``text``: (words, joint log score)."""
    kinds = piece_kinds(predictor)
    states = [_State({}, {}, 0.0)]
    for _ in range(len(spans)):
        contexts, owners, chosen_masks = [], [], []
        # Pass: where is each state most confident?
        encoded = []
        for state in states:
            model_text, model_spans, open_masks = _substituted(predictor, text, spans, state)
            rows = predictor._encode(model_text, model_spans, len(model_spans))
            encoded.append((model_text, model_spans, open_masks, rows))
        all_rows = [row for *_, rows in encoded for row in rows]
        probs = predictor._mask_probabilities(all_rows)
        i = 0
        for s, (model_text, model_spans, open_masks, rows) in enumerate(encoded):
            best = None
            for row in rows:
                for local, position in row.positions.items():
                    p = probs[i]
                    i += 1
                    ctx = Context(tuple(row.input_ids), position, _after_space(model_text, model_spans[local]))
                    allowed = _allowed(kinds, ctx, 0)[: p.shape[0]]
                    top = float(p.masked_fill(~allowed, 0).max())
                    if best is None or top > best[0]:
                        best = (top, local, ctx)
            _, local, ctx = best
            contexts.append(ctx)
            owners.append(s)
            chosen_masks.append((open_masks[local], model_text, model_spans[local]))
        pool = max(BRANCH * 4, 12)
        words_per_state = generate(predictor, contexts, pool=pool)
        grown: list[_State] = []
        for s, words, (mask, model_text, model_span) in zip(owners, words_per_state, chosen_masks):
            state = states[s]
            initial = sentence_initial(model_text, model_span.start)
            taken = 0
            for word in words:
                shown = _shown(word.text, kinds.cased, filters, initial)
                if not keep(shown, filters):
                    continue
                grown.append(
                    _State({**state.words, mask: word.text}, {**state.shown, mask: shown}, state.score + word.log_score)
                )
                taken += 1
                if taken == BRANCH:
                    break
        if not grown:
            return []
        states = _dedupe(sorted(grown, key=lambda st: st.score, reverse=True))[: max(JOINT_BEAM, count)]
    states = states[:count]
    return [(tuple(st.shown[m] for m in range(len(spans))), st.score) for st in states]


def _shown(word: str, cased: bool, filters: Filters, initial: bool) -> str:
    return match_case(word, cased_model=cased, initial=initial) if filters.match_case else word


def _dedupe(states: list[_State]) -> list[_State]:
    seen, kept = set(), []
    for st in states:
        key = tuple(sorted(st.words.items()))
        if key not in seen:
            seen.add(key)
            kept.append(st)
    return kept


def _substituted(predictor, text: str, spans: list[Span], state: _State):
    """The text with the state's words in place; the still-open masks as mask spans."""
    parts, model_spans, open_masks, last, length = [], [], [], 0, 0
    for index, span in enumerate(spans):
        before = text[last : span.start]
        parts.append(before)
        length += len(before)
        piece = state.words.get(index, predictor.mask_token)
        if index not in state.words:
            model_spans.append(Span(length, length + len(piece)))
            open_masks.append(index)
        parts.append(piece)
        length += len(piece)
        last = span.end
    parts.append(text[last:])
    return "".join(parts), model_spans, open_masks


def _after_space(model_text: str, span: Span) -> bool:
    return span.start > 0 and model_text[span.start - 1].isspace()
