"""The Runner, the model seam: exact log-probabilities, cancellation, budget, close()."""

from __future__ import annotations

import pytest
import torch

from bertmask_gui.engine import loading, runner as runner_module
from bertmask_gui.engine.encoder import Row
from bertmask_gui.engine.errors import Superseded
from bertmask_gui.engine.runner import Runner


@pytest.fixture
def fresh(tiny_bert):
    """A runner on its own model, so close() and budgets touch no shared predictor."""
    loaded = loading.load(str(tiny_bert), device="cpu")
    runner = Runner(loaded.model, loaded.device, loaded.tokenizer.pad_token_id)
    yield runner, loaded
    runner.close()


def _rows(tokenizer):
    mask = tokenizer.mask_token_id
    long_ids = tokenizer("I really [MASK] the [MASK]. It was quite interesting.")["input_ids"]
    short_ids = tokenizer("A [MASK] day.")["input_ids"]
    at = lambda ids: [i for i, t in enumerate(ids) if t == mask]  # noqa: E731
    return [Row(long_ids, dict(enumerate(at(long_ids)))), Row(short_ids, {7: at(short_ids)[0]})]


def _plain(model, rows):
    """The full model, one row at a time, no padding: log-softmax at the asked positions."""
    out = []
    with torch.inference_mode():
        for row in rows:
            logits = model(input_ids=torch.tensor([row.input_ids])).logits[0]
            out += [logits[p].log_softmax(-1) for p in row.positions.values()]
    return torch.stack(out)


def test_log_probs_equal_the_full_model_at_the_asked_positions(fresh):
    runner, loaded = fresh
    rows = _rows(loaded.tokenizer)
    got = runner.log_probs(rows)
    runner.close()  # the plain model again: no hook, no last-layer shortcut
    assert got.shape == (3, loaded.model.config.vocab_size)
    assert torch.allclose(got, _plain(loaded.model, rows), atol=1e-5)
    assert runner.forward_passes == 1


def test_close_takes_the_hook_and_the_last_layer_off(fresh):
    runner, loaded = fresh
    last = loaded.model.base_model.encoder.layer[-1]
    assert "forward" in last.__dict__  # the last-layer shortcut is installed
    runner.close()
    assert "forward" not in last.__dict__
    ids = torch.tensor([loaded.tokenizer("A [MASK] day.")["input_ids"]])
    with torch.inference_mode():
        logits = loaded.model(input_ids=ids).logits
    assert logits.shape == (1, ids.shape[1], loaded.model.config.vocab_size)  # every token again


def test_cancelled_before_a_pass_raises_superseded_and_runs_nothing(fresh):
    runner, loaded = fresh
    with pytest.raises(Superseded):
        runner.log_probs(_rows(loaded.tokenizer), cancelled=lambda: True)
    assert runner.forward_passes == 0
    assert runner.log_probs(_rows(loaded.tokenizer), cancelled=lambda: False).shape[0] == 3


def test_token_budget_splits_rows_into_passes_with_the_same_answer(fresh, monkeypatch):
    runner, loaded = fresh
    rows = _rows(loaded.tokenizer)
    whole = runner.log_probs(rows)
    monkeypatch.setattr(runner_module, "MAX_TOKENS_PER_FORWARD", len(rows[0].input_ids))
    split = runner.log_probs(rows)
    assert runner.forward_passes == 1 + 2
    assert torch.allclose(whole, split, atol=1e-5)


@pytest.mark.parametrize("per_row", [1, 2])
def test_many_rows_each_asking_the_same_count_equal_the_full_model(fresh, per_row):
    """The whole-word rankings' batches (rows of different lengths, padded, k positions
    each) take the last-layer shortcut too: same numbers as the full model."""
    runner, loaded = fresh
    tok = loaded.tokenizer
    texts = ["I really [MASK] [MASK] the movie. It was quite interesting.", "A [MASK] [MASK] day.",
             "[MASK] [MASK] it.", "The old house at the end of the [MASK] [MASK] had been empty for years."]
    rows = []
    for text in texts:
        ids = tok(text)["input_ids"]
        masks = [i for i, t in enumerate(ids) if t == tok.mask_token_id][:per_row]
        rows.append(Row(ids, dict(enumerate(masks))))
    got = runner.log_probs(rows)
    runner.close()
    assert got.shape == (len(texts) * per_row, loaded.model.config.vocab_size)
    assert torch.allclose(got, _plain(loaded.model, rows), atol=1e-5)


def test_the_last_layer_runs_only_at_the_asked_rows(fresh):
    """The last-layer shortcut is in effect: its output holds the asked rows alone (one
    per mask), not every token of every row; the answer is still the full model's."""
    runner, loaded = fresh
    rows = _rows(loaded.tokenizer)
    shapes = []
    last = loaded.model.base_model.encoder.layer[-1]
    hook = last.register_forward_hook(lambda module, args, output: shapes.append(tuple(
        (output[0] if isinstance(output, tuple) else output).shape)))
    try:
        runner.log_probs([rows[0]])
    finally:
        hook.remove()
    assert shapes == [(1, 2, loaded.model.config.hidden_size)]  # the two masks of the first row


def test_between_passes_the_model_is_the_plain_model(fresh):
    """After a pass the hook and the last layer stand aside: the model called directly
    (as a copy or an export of it would be) sees every token again."""
    runner, loaded = fresh
    runner.log_probs(_rows(loaded.tokenizer))
    ids = torch.tensor([loaded.tokenizer("A [MASK] day.")["input_ids"]])
    with torch.inference_mode():
        logits = loaded.model(input_ids=ids).logits
    assert logits.shape == (1, ids.shape[1], loaded.model.config.vocab_size)
