"""engine.meaning: the ranking variants measured by benchmarks/quality.py."""

from __future__ import annotations

from bertmask_gui.engine import meaning


def test_length_fair_adds_the_bonus_per_extra_piece():
    assert meaning.length_fair(-10.0, 1, 4.0) == -10.0
    assert meaning.length_fair(-10.0, 3, 4.0) == -2.0
    assert meaning.length_fair(-10.0, 0, 4.0) == -10.0


def test_echo_is_the_word_right_next_to_the_mask():
    text = "The weather was [MASK] and cold."
    start = text.index("[MASK]")
    end = start + len("[MASK]")
    assert meaning.neighbours(text, start, end) == {"was", "and"}
    assert meaning.echoes_neighbour("Was", text, start, end)
    assert not meaning.echoes_neighbour("cold", text, start, end)
    assert meaning.echoes_neighbour("cold", text, start, end, reach=2)
    assert meaning.drop_echoes(["cold", "and", "wet"], text, start, end, reach=2) == ["wet"]


def test_sentence_pll_is_a_negative_log_probability(bert_predictor):
    value = meaning.sentence_pll(bert_predictor, "the movie was good")
    assert value < 0
    assert meaning.sentence_pll(bert_predictor, "") == 0.0


def test_embedding_similarity_scales_with_the_temperature(bert_predictor):
    a = meaning.embedding_similarity(bert_predictor, [5], [6], temperature=0.1)
    b = meaning.embedding_similarity(bert_predictor, [5], [6], temperature=1.0)
    assert abs(a - 10 * b) < 1e-3 * max(1.0, abs(a))
    assert meaning.embedding_similarity(bert_predictor, [5], [5]) > 0  # a vector with itself
