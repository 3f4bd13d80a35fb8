"""Rankings at their edges: no fillings without several masks, an empty selection, a
compared word spelled for its place, the longest word still scored (issue 23: these
survived mutation before)."""

from __future__ import annotations

import math

import pytest
import torch

from bertmask_gui.engine.options import Filters
from bertmask_gui.engine.rankings.lists import FILLS_LABEL
from bertmask_gui.engine.rankings.surprise import MAX_WORD_PIECES
from bertmask_gui.engine.results import Mode


def test_fillings_and_their_label_only_for_several_masks(bert_predictor):
    one = bert_predictor.predict("I really [MASK] the movie.", top_k=3)
    assert one.fills == () and one.fills_label == ""
    two = bert_predictor.predict("I really [MASK] the [MASK].", top_k=3, filters=Filters(top_k=3, fill_all=True))
    assert two.fills and two.fills_label == FILLS_LABEL


def test_an_empty_or_blank_selection_has_no_answer(bert_predictor):
    text = "The cat sat on the mat."
    for start, end in ((3, 3), (3, 4)):  # nothing, a space
        prediction = bert_predictor.predict_span(text, start, end)
        assert prediction.masks == () and prediction.mode == Mode.SPAN


def test_a_compared_word_is_spelled_for_its_place(roberta_predictor, monkeypatch):
    """A writer's word to compare is spelled as the tokenizer writes it after a space
    (BPE), and listed even when the model would never generate it: a scripted model
    prefers 40 other words, so "boring" can only come from the comparison."""
    from scripted_lm import install

    tok = roberta_predictor.tokenizer
    spaced = tuple(tok(" boring", add_special_tokens=False)["input_ids"])
    others = [i for t, i in sorted(tok.get_vocab().items()) if t.startswith("Ġ") and len(t) > 2 and i not in spaced][:40]
    install(monkeypatch, roberta_predictor, lambda left, right: {i: 0.02 for i in others})
    text = "I really loved the movie."
    start = text.index("loved")
    prediction = roberta_predictor.predict_span(text, start, start + len("loved"), compare=("boring",))
    (compared,) = [c for c in prediction.masks[0].candidates if c.compared]
    assert compared.token == "boring" and compared.token_ids == spaced


def test_words_up_to_the_piece_limit_are_scored_longer_ones_not(bert_predictor):
    longest, too_long = "a" * MAX_WORD_PIECES, "a" * (MAX_WORD_PIECES + 1)  # a ##a ##a …
    tokenize = bert_predictor.tokenizer.tokenize
    assert len(tokenize(longest)) == MAX_WORD_PIECES and len(tokenize(too_long)) == MAX_WORD_PIECES + 1
    scores = bert_predictor.score_words(f"The {longest} cat and the {too_long} dog.")
    assert [s.word for s in scores] == ["The", longest, "cat", "and", "the", "dog"]


def test_a_choice_of_the_most_pieces_is_scored_exactly(bert_predictor):
    """A writer's word of max_pieces pieces (un ##able ##ness) gets every l2r term."""
    from test_explore import reference_l2r

    most = bert_predictor.tuning.max_pieces
    assert len(bert_predictor.tokenizer.tokenize("unableness")) == most
    (mask,) = bert_predictor.predict("It was [MASK:unableness|good] today.").masks
    by_word = {c.token: c.log_score for c in mask.candidates}
    for word in ("unableness", "good"):
        assert by_word[word] == pytest.approx(reference_l2r(bert_predictor, "It was [MASK] today.", word), abs=1e-4)


def test_several_positions_of_one_row_come_back_in_order(bert_predictor):
    from bertmask_gui.engine.encoder import Row

    text = "I [MASK] the [MASK] and [MASK] it."
    ids = bert_predictor.tokenizer(text)["input_ids"]
    places = [i for i, t in enumerate(ids) if t == bert_predictor.mask_token_id]
    (got,) = bert_predictor.job().at_positions([(ids, places)])
    expected = bert_predictor.runner.log_probs([Row(ids, dict(enumerate(places)))])
    assert len(got) == 3 and all(torch.equal(g, e) for g, e in zip(got, expected))
    assert not torch.equal(got[0], got[2])  # different places, different answers


def test_every_good_ending_of_a_word_is_completed(bert_predictor, monkeypatch):
    """The last piece of a word keeps the pool's worth of completions, not the beam's:
    six equally likely endings of ``un`` (more than the beam of 4) all come out."""
    from scripted_lm import install

    tok = bert_predictor.tokenizer
    endings = ["##able", "##ed", "##s", "##ly", "##er", "##ness"]
    un, good, mask = tok.convert_tokens_to_ids(["un", "good", "[MASK]"])
    after_un = {tok.convert_tokens_to_ids(e): 0.15 for e in endings}
    assert bert_predictor.tuning.beam < len(endings)

    def rule(left, right):
        if left == un:
            return after_un
        if right == mask:
            return {un: 0.8}
        return {good: 0.3}

    install(monkeypatch, bert_predictor, rule)
    (mask_result,) = bert_predictor.predict("It was [MASK] to come.", top_k=10, filters=Filters(top_k=10, fill_all=False)).masks
    words = [c.token for c in mask_result.candidates]
    assert {"un" + e.removeprefix("##") for e in endings} <= set(words), words


def test_fill_all_places_the_most_confident_mask_first(bert_predictor, monkeypatch):
    """Mask 1 is sure of "dog" (0.9); mask 2 hesitates (run 0.5, walk 0.45) until "dog"
    stands before it, then says "walk" (0.8). Filling the surer mask first gives dog walk;
    starting with the hesitant one (ranked by its second word, say) would give dog run."""
    from scripted_lm import install

    tok = bert_predictor.tokenizer
    dog, cat, run, walk, home = tok.convert_tokens_to_ids(["dog", "cat", "run", "walk", "home"])
    assert tok.unk_token_id not in (dog, cat, run, walk, home)

    def rule(left, right):
        if right == home:
            return {walk: 0.8, run: 0.1} if left == dog else {run: 0.5, walk: 0.45}
        return {dog: 0.9, cat: 0.01}

    install(monkeypatch, bert_predictor, rule)
    prediction = bert_predictor.predict("[MASK] [MASK] home.", top_k=5, filters=Filters(top_k=5, fill_all=True))
    assert prediction.fills[0].words == ("Dog", "walk")
    assert prediction.fills[0].log_score == pytest.approx(math.log(0.9) + math.log(0.8), abs=1e-3)
