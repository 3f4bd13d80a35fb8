"""rankings.meaning: the embedding term of the keep-meaning ranking and the variants
benchmarks/quality.py measures."""

from __future__ import annotations

import torch

from bertmask_gui.engine.options import Tuning
from bertmask_gui.engine.rankings import meaning
from scripted_lm import install


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
    job = bert_predictor.job()
    value = meaning.sentence_pll(job, "the movie was good")
    assert value < 0
    assert meaning.sentence_pll(job, "") == 0.0


def test_sentence_pll_asks_the_runner_for_each_token_masked(bert_predictor, monkeypatch):
    lm = install(monkeypatch, bert_predictor, lambda left, right: {})
    meaning.sentence_pll(bert_predictor.job(), "the movie was good")
    assert lm.calls == 1 and len(lm.rows_seen) == 4
    assert all(row.count(bert_predictor.mask_token_id) == 1 for row in lm.rows_seen)


def test_embedding_similarity_scales_with_the_temperature(bert_predictor):
    job = bert_predictor.job()
    a = meaning.embedding_similarity(job, [5], [6], temperature=0.1)
    b = meaning.embedding_similarity(job, [5], [6], temperature=1.0)
    assert abs(a - 10 * b) < 1e-3 * max(1.0, abs(a))
    assert meaning.embedding_similarity(job, [5], [5], 0.1) > 0  # a vector with itself


def test_keep_meaning_uses_the_embedding_term(bert_predictor, monkeypatch):
    """Masked and in-place views both put hate a little above like; only the embeddings
    (like ≈ love) tell otherwise: keep-meaning puts like first, and without the
    embedding term (temperature None) hate stays first."""
    tok = bert_predictor.tokenizer
    love, hate, like = tok.convert_tokens_to_ids(["love", "hate", "like"])
    lm = install(monkeypatch, bert_predictor, lambda left, right: {hate: 0.31, like: 0.3})
    table = torch.zeros_like(lm.embeddings)
    table[love, 0] = table[like, 0] = 1.0  # like points the way love does
    table[hate, 1] = 1.0
    lm.embeddings = table
    text = "I really love the movie."

    def alternatives(prediction):
        return [c.token for c in prediction.masks[0].candidates if not c.original]

    kept = bert_predictor.predict_span(text, 9, 13)
    assert alternatives(kept)[:2] == ["like", "hate"]
    monkeypatch.setattr(bert_predictor, "tuning", Tuning(meaning_temperature=None))
    assert alternatives(bert_predictor.predict_span(text, 9, 13))[:2] == ["hate", "like"]
