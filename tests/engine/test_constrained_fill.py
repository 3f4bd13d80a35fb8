"""Fill all at masks with constraints and chosen words: ``[MASK starts:h]``, ``[MASK:a|b]``.

Fill-all picks, at such a mask, among the words that mask's own list weighed (every
allowed one-piece word from one row, its longer words by their l2r rows), so the
fillings are complete and obey every constraint; before, it generated unconstrained
words and dropped the fillings that broke one, often all of them.
"""

from __future__ import annotations

import pytest

from scripted_lm import install
from shared_models import PROSE_MLM_SMALL, needs_prose_mlm_small
from test_jointfill import chain_sums

from bertmask_gui.engine import constraints
from bertmask_gui.engine.masks import find_masks
from bertmask_gui.engine.options import Filters


def h_rule(predictor):
    """Next to a mask: ``really``, ``loved``, ``liked``; after ``really``: ``loved``,
    ``liked``, ``enjoyed``, and only then ``hated``; elsewhere ``the``, ``a``, ``good``.
    No word the script names starts with h but ``hated``."""
    tok = predictor.tokenizer.convert_tokens_to_ids
    really, loved, liked, enjoyed, hated, the, a, good, mask = (
        tok(t) for t in ("really", "loved", "liked", "enjoyed", "hated", "the", "a", "good", "[MASK]"))

    def rule(left, right):
        if left == really:
            return {loved: 0.5, liked: 0.2, enjoyed: 0.1, hated: 0.05}
        if mask in (left, right):
            return {really: 0.6, loved: 0.2, liked: 0.1}
        return {the: 0.5, a: 0.3, good: 0.1}

    return rule


def test_fill_all_finds_fillings_that_obey_a_constraint_the_usual_words_break(bert_predictor, monkeypatch):
    install(monkeypatch, bert_predictor, h_rule(bert_predictor))
    text = "I [MASK] [MASK starts:h] it."
    found = bert_predictor.predict(text, top_k=5)
    assert len(found.fills) == 5  # before: none (really's best followers do not start with h)
    assert all(f.words[1].lower().startswith("h") for f in found.fills)
    assert found.fills[0].words == ("really", "hated")
    plain = text.replace(" starts:h", "")
    for fill in found.fills:
        sums = chain_sums(bert_predictor, plain, [w.lower() for w in fill.words])
        assert min(abs(fill.log_score - s) for s in sums) < 1e-4, (fill, sums)
    scores = [f.log_score for f in found.fills]
    assert scores == sorted(scores, reverse=True)


def test_fill_all_keeps_to_the_writers_words(bert_predictor, monkeypatch):
    install(monkeypatch, bert_predictor, h_rule(bert_predictor))
    found = bert_predictor.predict("I [MASK:hated|home] [MASK] it.", top_k=5)
    assert found.fills  # before: none (the generated words there were really, loved, liked)
    assert all(f.words[0].lower() in {"hated", "home"} for f in found.fills)


@pytest.mark.parametrize("text", ["I [MASK] [MASK starts:h] it.", "[MASK starts:h] really [MASK] the [MASK] today."])
def test_a_constrained_mask_costs_fill_all_no_more_passes_than_a_plain_one(bert_predictor, monkeypatch, text):
    """The constrained mask's own words are the ones its list found (no pass), and each
    mask after the first costs one pass, constrained or not."""
    lm = install(monkeypatch, bert_predictor, h_rule(bert_predictor))
    with_fills = bert_predictor.predict(text, top_k=3)
    without = bert_predictor.predict(text, top_k=3, filters=Filters(top_k=3, fill_all=False))
    assert with_fills.fills and without.fills == ()
    masks = len(find_masks(text, bert_predictor.mask_token))
    assert with_fills.forward_passes - without.forward_passes <= masks - 1
    assert lm.calls == with_fills.forward_passes + without.forward_passes


@needs_prose_mlm_small
def test_a_rhyme_constrained_fill_on_the_real_model():
    from bertmask_gui.engine.predictor import Predictor

    prose_predictor = Predictor.load(str(PROSE_MLM_SMALL), device="cpu")
    text = "The [MASK] was bright in the [MASK rhymes:night]."
    found = prose_predictor.predict(text, top_k=5)
    rhyme = constraints.parse("rhymes:night")
    assert len(found.fills) == 5
    assert all(rhyme.allows(f.words[1]) for f in found.fills), found.fills
    assert found.fills[0].words[1] in {c.token for c in found.masks[1].candidates}
