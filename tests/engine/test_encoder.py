"""The Encoder and the Vocabulary: text → rows, contexts, n-piece expansion, spelling."""

from __future__ import annotations

from bertmask_gui.engine.encoder import WINDOW_TOKENS, WORD_CONTEXT_TOKENS, Context, Encoder, Row
from bertmask_gui.engine.masks import find_masks


def test_model_text_uses_the_models_mask_and_fills(roberta_predictor):
    encoder = roberta_predictor.encoder
    text = "I [MASK] the [MASK]."
    spans = find_masks(text, roberta_predictor.mask_token)
    model_text, masked = encoder.model_text(text, spans)
    assert model_text == "I <mask> the <mask>."
    assert [model_text[s.start : s.end] for s in masked] == ["<mask>", "<mask>"]
    filled, still = encoder.model_text(text, spans, {0: "loved"})
    assert filled == "I loved the <mask>." and [filled[s.start : s.end] for s in still] == ["<mask>"]


def test_a_short_text_is_one_row_answering_every_mask(bert_predictor):
    text = "I [MASK] the [MASK]."
    (row,) = bert_predictor.encoder.rows(text, find_masks(text, "[MASK]"), 2)
    mask = bert_predictor.vocabulary.mask_id
    assert isinstance(row, Row) and list(row.positions) == [0, 1]
    assert all(row.input_ids[p] == mask for p in row.positions.values())
    assert row.input_ids[0] == bert_predictor.tokenizer.cls_token_id


def test_a_long_text_gets_windows_within_the_budget(bert_predictor):
    filler = "The dog ran home and the cat sat in the house. " * 300
    text = "[MASK] " + filler + "I [MASK] it. " + filler
    rows = bert_predictor.encoder.rows(text, find_masks(text, "[MASK]"), 2)
    mask = bert_predictor.vocabulary.mask_id
    assert sorted(m for r in rows for m in r.positions) == [0, 1]
    for row in rows:
        assert len(row.input_ids) <= WINDOW_TOKENS
        assert all(row.input_ids[p] == mask for p in row.positions.values())


def test_contexts_know_whether_a_space_comes_before(bert_predictor):
    text = "A[MASK] and [MASK]."
    encoded = bert_predictor.encoder.contexts(text, find_masks(text, "[MASK]"))
    assert [c.after_space for c in encoded.contexts] == [False, True]
    assert encoded.model_text == text


def test_expand_widens_the_mask_and_trims_far_context_evenly(bert_predictor):
    vocab = bert_predictor.vocabulary
    encoder = Encoder(bert_predictor.tokenizer, vocab, bert_predictor.max_tokens)
    body = list(range(1000, 1300))
    ids = vocab.prefix + body[:150] + [vocab.mask_id] + body[150:] + vocab.suffix
    ctx = Context(tuple(ids), len(vocab.prefix) + 150)
    expanded, pos = encoder.expand(ctx, 3, {1: 42})
    assert len(expanded) == WORD_CONTEXT_TOKENS
    assert expanded[pos : pos + 3] == [vocab.mask_id, 42, vocab.mask_id]
    assert expanded[: len(vocab.prefix)] == vocab.prefix and expanded[-len(vocab.suffix) :] == vocab.suffix
    left, right = pos - len(vocab.prefix), len(expanded) - len(vocab.suffix) - pos - 3
    assert abs(left - right) <= 1
    assert expanded[pos - 1] == body[149] and expanded[pos + 3] == body[150]


def test_vocabulary_kinds_and_canonical_spelling(bert_predictor):
    vocab = bert_predictor.vocabulary
    tok = bert_predictor.tokenizer
    un, able, love = tok.convert_tokens_to_ids(["un", "##able", "love"])
    assert vocab.continuation[able] and not vocab.continuation[un]
    assert vocab.allowed(0, True)[un] and not vocab.allowed(0, True)[able]
    assert vocab.spelling((un, able), True) == "unable"
    assert vocab.spelling((love,), True) == "love"
    assert vocab.pieces("unable", True) == (un, able)
    assert vocab.usable_text(tok.cls_token_id) is None and not vocab.cased

