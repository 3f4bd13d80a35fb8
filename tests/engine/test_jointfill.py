"""Fill all: several masks filled jointly, most confident first, with a beam."""

from __future__ import annotations

import pytest

from bertmask_gui.engine.options import Filters
from bertmask_gui.engine.masks import find_masks
from bertmask_gui.engine.rankings.lists import FILLS_LABEL
from bertmask_gui.engine.textops import fill_many

from scripted_lm import install


def clash_rule(predictor):
    """Each mask alone wants ``really``; next to ``really`` the word wanted is ``loved``."""
    really, loved, mask = (predictor.tokenizer.convert_tokens_to_ids(t) for t in ("really", "loved", "[MASK]"))

    def rule(left, right):
        if really in (left, right):
            return {loved: 0.9}
        if mask in (left, right):
            return {really: 0.6, loved: 0.3}
        return {}

    return rule


def test_joint_fill_avoids_the_clash_of_independent_argmaxes(bert_predictor, monkeypatch):
    install(monkeypatch, bert_predictor, clash_rule(bert_predictor))
    text = "I [MASK] [MASK] it."
    result = bert_predictor.predict(text, top_k=3)
    independent = [m.candidates[0].token for m in result.masks]
    assert independent == ["really", "really"]  # one list per mask: both say "really"
    best = result.fills[0]
    assert best.words in {("really", "loved"), ("loved", "really")}
    assert best.log_score == pytest.approx(__import__("math").log(0.6 * 0.9), abs=1e-3)
    assert result.fills_label == FILLS_LABEL
    assert best.score == pytest.approx(0.6 * 0.9, abs=1e-3)  # the joint estimate, not a share
    scores = [f.log_score for f in result.fills]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize("text", ["I [MASK] [MASK] it.", "[MASK] really [MASK] the [MASK] today."])
def test_fill_all_costs_one_pass_per_mask_after_the_first(bert_predictor, monkeypatch, text):
    lm = install(monkeypatch, bert_predictor, clash_rule(bert_predictor))
    with_fills = bert_predictor.predict(text, top_k=3)
    without = bert_predictor.predict(text, top_k=3, filters=Filters(top_k=3, fill_all=False))
    # 1-3 passes: pass 3 only while a 3-piece word can still be shown (pruning).
    assert without.fills == () and without.forward_passes in (1, 2, 3)
    # The first mask reuses its list; every later one: one row per kept filling, one pass.
    masks = len(find_masks(text, bert_predictor.mask_token))
    assert with_fills.forward_passes - without.forward_passes == masks - 1
    assert lm.calls == with_fills.forward_passes + without.forward_passes


def test_one_mask_has_no_fill_all(bert_predictor):
    assert bert_predictor.predict("The [MASK] ran.").fills == ()


@pytest.mark.parametrize("which", ["bert", "roberta"])
def test_fills_are_complete_and_respect_filters(bert_predictor, roberta_predictor, which):
    predictor = bert_predictor if which == "bert" else roberta_predictor
    text = "[MASK] really [MASK] the [MASK]. It was quite interesting."
    f = Filters(top_k=5, hide_punctuation=True, hide_stop_words=True)
    result = predictor.predict(text, top_k=5, filters=f)
    assert 1 <= len(result.fills) <= 5
    spans = [(s.start, s.end) for s in find_masks(text, predictor.mask_token)]
    for fill in result.fills:
        assert len(fill.words) == 3
        assert all(w.strip() == w and w and "##" not in w and "Ġ" not in w for w in fill.words)
        assert all(any(ch.isalnum() for ch in w) for w in fill.words)
        filled, _ = fill_many(text, spans, list(fill.words))
        assert "[MASK]" not in filled
    assert len({f.words for f in result.fills}) == len(result.fills)


def test_fill_all_in_a_long_text(bert_predictor):
    filler = "The dog ran home and the cat sat in the house. " * 300
    text = filler + "I [MASK] the [MASK]. " + filler
    result = bert_predictor.predict(text, top_k=3)
    assert len(result.fills) == 3 and all(len(f.words) == 2 for f in result.fills)


@pytest.mark.parametrize("text", [
    "I [MASK] [MASK] it.",
    "[MASK] really [MASK] the [MASK]. It was quite interesting.",
    "The old [MASK] at the end of the [MASK] had been empty for [MASK].",
])
@pytest.mark.parametrize("filters", [Filters(), Filters(hide_stop_words=True, hide_punctuation=True)])
def test_fill_scores_are_the_exact_chain_rule_sums(bert_predictor, text, filters):
    """Each filling's score is the sum of its words' PLL-word-l2r, each given the words
    placed before it (in some order of the masks) and the later masks still masked."""
    fills = bert_predictor.predict(text, top_k=5, filters=filters).fills
    assert fills
    for fill in fills:
        sums = chain_sums(bert_predictor, text, [w.lower() for w in fill.words])  # the tiny model is uncased
        assert min(abs(fill.log_score - s) for s in sums) < 1e-4, (fill, sums)


def chain_sums(predictor, text, words):
    """A filling's joint score in every order of the masks: the sum of its words'
    PLL-word-l2r, each given the words placed before it, the later masks still masked."""
    import itertools

    from bertmask_gui.engine.rankings.inplace import l2r_scores

    spans = find_masks(text, predictor.mask_token)
    job = predictor.job()
    sums = []
    for order in itertools.permutations(range(len(spans))):
        total, placed = 0.0, {}
        for m in order:
            model_text, masked = predictor.encoder.model_text(text, spans, placed)
            local = [i for i in range(len(spans)) if i not in placed].index(m)
            ctx = predictor.encoder.contexts(model_text, masked).contexts[local]
            total += l2r_scores(job, [(ctx, predictor.vocabulary.pieces(words[m], ctx.after_space))])[0]
            placed[m] = words[m]
        sums.append(total)
    return sums


def test_a_row_asked_again_in_one_request_costs_no_pass(bert_predictor, monkeypatch):
    """Job.at_positions answers a row it answered before in the same job from memory,
    the same tensors, whether asked twice in one call or in a later one; a new job (the
    next request) asks the runner again."""
    lm = install(monkeypatch, bert_predictor, clash_rule(bert_predictor))
    ids = bert_predictor.tokenizer("I [MASK] it.")["input_ids"]
    other = bert_predictor.tokenizer("We [MASK] it.")["input_ids"]
    job = bert_predictor.job()
    first = job.at_positions([(ids, [2]), (ids, [2]), (other, [2])])
    assert lm.calls == 1 and lm.rows_seen == [ids, other]  # the repeat was not sent
    assert first[0][0] is first[1][0]
    again = job.at_positions([(other, [2]), (ids, [2])])
    assert lm.calls == 1 and again[1][0] is first[0][0]
    assert job.at_positions([(ids, [1, 2])]) and lm.calls == 2  # other positions: a new row
    bert_predictor.job().at_positions([(ids, [2])])
    assert lm.calls == 3



def test_masks_far_apart_cost_fill_all_no_pass(bert_predictor, monkeypatch):
    """Each later mask's fill-all row has the earlier words in place; when none of them
    is inside the mask's window (``word_context_tokens``), that row is the one the mask's
    own list read: answered again, no pass, and the joint score is the masks' own."""
    import dataclasses
    import math

    really, loved, i, mask = (bert_predictor.tokenizer.convert_tokens_to_ids(t) for t in ("really", "loved", "i", "[MASK]"))
    clash = clash_rule(bert_predictor)
    install(monkeypatch, bert_predictor, lambda left, right: {really: 0.6, loved: 0.3} if left == i and right != mask else clash(left, right))
    monkeypatch.setattr(bert_predictor, "tuning", dataclasses.replace(bert_predictor.tuning, word_context_tokens=16))
    filler = " ".join(["the dog ran home and sat down."] * 6)
    far = f"I [MASK] it. {filler} I [MASK] it."
    without = bert_predictor.predict(far, top_k=3, filters=Filters(top_k=3, fill_all=False))
    with_fills = bert_predictor.predict(far, top_k=3)
    assert with_fills.forward_passes == without.forward_passes
    assert with_fills.fills[0].words == ("really", "really")
    assert with_fills.fills[0].log_score == pytest.approx(math.log(0.6 * 0.6), abs=1e-3)
    near = bert_predictor.predict("I [MASK] [MASK] it.", top_k=3)  # the control: a placed word in the window
    assert near.forward_passes > bert_predictor.predict("I [MASK] [MASK] it.", top_k=3, filters=Filters(top_k=3, fill_all=False)).forward_passes
