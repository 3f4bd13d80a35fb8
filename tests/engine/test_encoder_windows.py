"""engine.encoder's less travelled paths: masks too far apart for one window, a hidden
word right before the place (explain's occlusion), a context's space flag (issue 23:
these survived mutation before)."""

from __future__ import annotations

from bertmask_gui.engine.encoder import WINDOW_TOKENS
from bertmask_gui.engine.masks import find_masks


def ids(predictor, text: str) -> list[int]:
    return predictor.tokenizer(text, add_special_tokens=False)["input_ids"]


def test_masks_too_far_apart_for_one_window_get_a_row_each(bert_predictor):
    """Two masks close in characters (one window) but 400 comma tokens apart: more than a
    window holds, so each mask gets its own row, its neighbours intact."""
    text = "The dog ran home. " * 100 + "I [MASK] it" + "," * 400 + "we [MASK] it."
    spans = find_masks(text, "[MASK]")
    rows = bert_predictor.encoder.rows(text, spans, 2)
    mask = bert_predictor.mask_token_id
    assert [list(row.positions) for row in rows] == [[0], [1]]
    for row, (before, after) in zip(rows, [("i", "it,,"), ("we", "it.")]):
        assert len(row.input_ids) <= WINDOW_TOKENS
        (position,) = row.positions.values()
        assert row.input_ids.count(mask) == 1 and row.input_ids[position] == mask
        assert row.input_ids[position - 1 : position] == ids(bert_predictor, before)
        following = ids(bert_predictor, after)
        assert row.input_ids[position + 1 : position + 1 + len(following)] == following
        assert row.input_ids[0] == bert_predictor.tokenizer.cls_token_id
        assert row.input_ids[-1] == bert_predictor.tokenizer.sep_token_id


def test_a_hidden_word_right_before_the_place(bert_predictor):
    """Occluding a two-piece word that ends where the place starts: each becomes one mask."""
    encoder, vocab = bert_predictor.encoder, bert_predictor.vocabulary
    text = "It was unable to come."
    located = encoder.locate(text, 0, len(text))
    hidden = located.tokens(text.index("unable"), text.index("unable") + len("unable"))
    place = located.tokens(text.index("to"), text.index("to") + 2)
    assert hidden[1] - hidden[0] == 2 and hidden[1] == place[0]
    ctx = encoder.context_at(located, place, hidden=hidden, space=False)
    expected = vocab.prefix + ids(bert_predictor, "it was") + [vocab.mask_id] * 2 + ids(bert_predictor, "come.") + vocab.suffix
    assert list(ctx.ids) == expected
    assert ctx.pos == len(vocab.prefix) + 3 and ctx.after_space is False
    # The hidden word after the place: the place's own index is unchanged.
    text = "It was to unable come."
    located = encoder.locate(text, 0, len(text))
    hidden = located.tokens(text.index("unable"), text.index("unable") + len("unable"))
    place = located.tokens(text.index("to"), text.index("to") + 2)
    ctx = encoder.context_at(located, place, hidden=hidden)
    expected = vocab.prefix + ids(bert_predictor, "it was") + [vocab.mask_id] * 2 + ids(bert_predictor, "come.") + vocab.suffix
    assert list(ctx.ids) == expected and ctx.pos == len(vocab.prefix) + 2 and ctx.after_space is True
