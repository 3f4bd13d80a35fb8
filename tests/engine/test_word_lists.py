"""Lists that hold only words, and meaning terms that see every piece (issue 20)."""

from __future__ import annotations

import dataclasses
import math

import pytest

from bertmask_gui.engine.encoder import Context
from bertmask_gui.engine.filters import is_word
from bertmask_gui.engine.options import Filters
from bertmask_gui.engine.rankings.lists import MEANING_LABEL, WORD_LABEL
from bertmask_gui.engine.rankings.words import generate

TEXTS = ["I really [MASK] the movie.", "The [MASK] was late, so we walked home.", "She said [MASK] and left."]


@pytest.fixture
def tuned(bert_predictor):
    old = bert_predictor.tuning

    def use(**values):
        bert_predictor.tuning = dataclasses.replace(old, **values)
        return bert_predictor

    yield use
    bert_predictor.tuning = old


@pytest.mark.parametrize("text", TEXTS)
def test_whole_word_lists_hold_only_words_by_default(bert_predictor, text):
    default = bert_predictor.predict(text, top_k=20).masks[0].candidates
    assert default and all(is_word(c.token) for c in default)
    every = bert_predictor.predict(text, top_k=20, filters=Filters(top_k=20, words_only=False)).masks[0].candidates
    words = [c.token for c in every if is_word(c.token)]
    assert [c.token for c in default][: len(words)] == words[: len(default)]  # the same order, non-words out


def test_selection_lists_hold_only_words_and_their_figures_fall(bert_predictor):
    text = "The cat sat on the house."
    start = text.index("house")
    mask = bert_predictor.predict_span(text, start, start + 5, top_k=10).masks[0]
    assert all(is_word(c.token) for c in mask.candidates)
    assert mask.score_label == MEANING_LABEL
    figures = [c.score for c in mask.candidates]
    assert figures == sorted(figures, reverse=True) and 0 < figures[-1] and figures[0] <= 1
    plain = bert_predictor.predict_span(text, start, start + 5, top_k=10, filters=Filters(top_k=10, keep_meaning=False))
    assert plain.masks[0].score_label == WORD_LABEL


def test_the_in_place_term_sees_every_piece(bert_predictor, tuned):
    tokenizer = bert_predictor.tokenizer
    ids = tokenizer("The cat sat on the [MASK] today.")["input_ids"]
    ctx = Context(tuple(ids), ids.index(bert_predictor.mask_token_id), True)
    original = tuple(tokenizer("house", add_special_tokens=False)["input_ids"])

    def words(every: bool):
        predictor = tuned(meaning_all_pieces=every, beam=8)
        (found,) = generate(predictor.job(), [ctx], pool=40, originals=[original])
        return {w.text: w for w in found}

    first_only, every = words(False), words(True)
    several = [t for t, w in every.items() if len(w.pieces) > 1]
    assert several, "the tiny model should produce some multi-piece words"
    for text, word in every.items():
        assert math.isclose(sum(word.terms), word.log_score, abs_tol=1e-5)
        rest = sum(word.terms[1:])
        assert word.keep_score == pytest.approx(first_only[text].keep_score + rest, abs=1e-5)
        if len(word.pieces) > 1:
            assert word.keep_score <= first_only[text].keep_score  # a junk ending costs
