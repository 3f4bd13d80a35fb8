"""engine.runner when the model fails in a forward pass: an accelerator's failure moves
the model to the CPU once (with a notice) and the request still gets the exact answer; a
failure on the CPU is the caller's to see, not retried (issue 23: untested before).

No accelerator here: the runner is told its device is ``meta`` (a torch device with no
data), and the model's forward fails once as a GPU's would.
"""

from __future__ import annotations

import logging

import pytest
import torch

from bertmask_gui.engine.encoder import Row
from bertmask_gui.engine.predictor import Predictor


@pytest.fixture
def predictor(tiny_bert):
    return Predictor.load(str(tiny_bert), device="cpu")


def padded_rows(predictor) -> list[Row]:
    """Two rows of different lengths: the shorter one is padded in the batch."""
    rows = []
    for text in ("I really [MASK] the movie. It was quite interesting.", "A [MASK] day."):
        ids = predictor.tokenizer(text)["input_ids"]
        rows.append(Row(ids, {0: ids.index(predictor.mask_token_id)}))
    return rows


def failing_forward(monkeypatch, model, failures: int) -> list[int]:
    """The model's forward raises a RuntimeError ``failures`` times, then works."""
    real, calls = model.forward, []

    def forward(*args, **kwargs):
        calls.append((kwargs["input_ids"].device.type, kwargs["attention_mask"].device.type))
        if len(calls) <= failures:
            raise RuntimeError("CUDA error: an illegal memory access was encountered\nCompile with TORCH_USE_CUDA_DSA")
        return real(*args, **kwargs)

    monkeypatch.setattr(model, "forward", forward)
    return calls


def test_an_accelerator_failure_moves_to_the_cpu_with_the_same_answer(predictor, monkeypatch, caplog):
    runner = predictor.runner
    rows = padded_rows(predictor)
    expected = runner.log_probs(rows)
    runner.model.half()  # as on a GPU: the CPU copy must be float32 again
    monkeypatch.setattr(runner, "device", torch.device("meta"))
    calls = failing_forward(monkeypatch, runner.model, failures=1)
    with caplog.at_level(logging.WARNING, logger="bertmask_gui.engine.runner"):
        got = runner.log_probs(rows)
    assert calls == [("meta", "meta"), ("cpu", "cpu")] and runner.forward_passes == 2  # inputs on the device
    assert runner.device == torch.device("cpu")
    assert next(runner.model.parameters()).dtype == torch.float32
    assert runner.notices == [
        "The META device failed (CUDA error: an illegal memory access was encountered); BertMask now runs on the CPU."
    ]
    assert "Prediction on meta failed (CUDA error: an illegal memory access" in caplog.text
    assert "moving the model to the CPU" in caplog.text
    # The same rows, padding included, answered again on the CPU (half precision on the
    # way rounded the weights: close, not equal).
    assert got.shape == expected.shape
    assert torch.allclose(got, expected, atol=0.05)
    assert got.argmax(dim=-1).tolist() == expected.argmax(dim=-1).tolist()


def test_a_cpu_failure_is_raised_not_retried(predictor, monkeypatch):
    runner = predictor.runner
    calls = failing_forward(monkeypatch, runner.model, failures=5)
    with pytest.raises(RuntimeError, match="illegal memory access"):
        runner.log_probs(padded_rows(predictor))
    assert len(calls) == 1 and runner.notices == [] and runner.device == torch.device("cpu")


def test_input_embeddings_and_dots_are_float32_rows_of_the_table(predictor):
    runner = predictor.runner
    table = runner.model.get_input_embeddings().weight.detach()
    wanted = [5, 17, 3]
    got = runner.input_embeddings(wanted)
    assert got.dtype == torch.float32 and torch.equal(got, table[wanted].float())
    dots = runner.embedding_dots(got[0].double())  # any float vector: the product is float32
    assert dots.dtype == torch.float32 and dots.shape == (table.shape[0],)
    assert torch.allclose(dots, table.float() @ got[0])


def test_an_unexpected_output_shape_is_a_sentence(predictor, monkeypatch):
    from types import SimpleNamespace

    from bertmask_gui.engine.errors import PredictionError

    runner = predictor.runner
    monkeypatch.setattr(runner.model, "forward", lambda **kwargs: SimpleNamespace(logits=torch.zeros(2, 7, 11)))
    with pytest.raises(PredictionError) as raised:
        runner.log_probs(padded_rows(predictor))
    assert str(raised.value) == f"The model {runner.name} returned an unexpected output shape."
