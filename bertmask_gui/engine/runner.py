"""Layer 3: the model seam. Rows in, log-probabilities at their positions out.

The only code that calls the model. Two exact speed-ups live here, installed on the
model when the Runner is made and removed by ``close()``:

- a forward hook on the encoder hands the LM head only the hidden states at the asked
  positions (BERT's head is a hidden×vocab matmul per token, 768×30522: computing it
  for every token and throwing all but the masks away is most of the wasted time);
- ``lastlayer`` computes the last encoder layer only at those positions.

A forward is limited to MAX_TOKENS_PER_FORWARD tokens (rows × length); more rows go in
several passes. ``cancelled`` is asked before each pass. An accelerator failure moves
the model to the CPU once, with a notice.
"""

from __future__ import annotations

import logging
from typing import Callable

import torch

from bertmask_gui.engine import lastlayer
from bertmask_gui.engine.errors import PredictionError, Superseded, first_line

log = logging.getLogger(__name__)

MAX_TOKENS_PER_FORWARD = 8192  # rows × length per forward pass: bounds memory on long texts


def in_passes(rows, cancelled, one_pass) -> "torch.Tensor":
    """``one_pass(rows)`` over batches of at most MAX_TOKENS_PER_FORWARD tokens, asking
    ``cancelled`` before each (True raises errors.Superseded): every runner's pass loop."""
    budget = max(1, MAX_TOKENS_PER_FORWARD // max(len(r.input_ids) for r in rows))
    outputs = []
    for first in range(0, len(rows), budget):
        if cancelled is not None and cancelled():
            raise Superseded()
        outputs.append(one_pass(rows[first : first + budget]))
    return outputs[0] if len(outputs) == 1 else torch.cat(outputs)


class Runner:
    """Runs one masked LM on rows (anything with ``input_ids`` and ``positions``)."""

    def __init__(self, model, device: torch.device, pad_id: int = 0, name: str = "model"):
        self.model = model
        self.device = device
        self.pad_id = pad_id
        self.name = name
        self.forward_passes = 0  # batched model forward passes so far (cost accounting)
        self.notices: list[str] = []  # what happened since loading (a CPU fallback)
        self._rows = None  # (batch, token) index tensors the LM head sees; set per forward
        self._rows_only = False  # the last layer already returned just those rows
        self._hook = model.base_model.register_forward_hook(self._keep_asked_rows_only)
        self._uninstall_last_layer = lastlayer.install(model, lambda: self._rows, self._mark_rows_only)

    def log_probs(self, rows, *, cancelled: Callable[[], bool] | None = None) -> torch.Tensor:
        """Log-softmax over the vocabulary at every asked position, in row order
        (row by row, each row's ``positions`` in order): one float32 row per position.

        ``cancelled`` is asked before every forward pass; True raises errors.Superseded.
        """
        return in_passes(rows, cancelled, self._one_pass)

    def _one_pass(self, rows) -> torch.Tensor:
        self.forward_passes += 1
        input_ids, attention, batch_index, token_index = self._batch(rows)
        try:
            logits = self._head_logits(input_ids, attention, batch_index, token_index)
        except RuntimeError as exc:
            if self.device.type == "cpu":
                raise
            self._fall_back_to_cpu(exc)
            logits = self._head_logits(input_ids, attention, batch_index, token_index)
        return logits.float().log_softmax(dim=-1).cpu()

    def input_embeddings(self, ids) -> torch.Tensor:
        """The model's input embedding of each token id, float32 on the CPU (no forward
        pass: the meaning-keeping ranking compares words by them)."""
        table = self.model.get_input_embeddings().weight
        with torch.inference_mode():
            return table[torch.tensor(list(ids), dtype=torch.long, device=table.device)].float().cpu()

    def embedding_dots(self, vector: torch.Tensor) -> torch.Tensor:
        """The dot product of every input embedding with ``vector``: one float32 value
        per vocabulary id, on the CPU (the meaning term's bound, rankings.meaning)."""
        table = self.model.get_input_embeddings().weight
        with torch.inference_mode():  # float32 (fp16 on a GPU): the same numbers as input_embeddings
            return (table.float() @ vector.to(device=table.device, dtype=torch.float32)).cpu()

    def close(self) -> None:
        """Take the hook and the last-layer wrapper off the model."""
        self._hook.remove()
        if self._uninstall_last_layer is not None:
            self._uninstall_last_layer()
            self._uninstall_last_layer = None

    def _batch(self, rows):
        length = max(len(r.input_ids) for r in rows)
        input_ids = torch.full((len(rows), length), self.pad_id, dtype=torch.long)
        attention = torch.zeros((len(rows), length), dtype=torch.long)
        batch_index, token_index = [], []
        for r, row in enumerate(rows):
            input_ids[r, : len(row.input_ids)] = torch.tensor(row.input_ids)
            attention[r, : len(row.input_ids)] = 1
            for position in row.positions.values():
                batch_index.append(r)
                token_index.append(position)
        return input_ids, attention, batch_index, token_index

    def _head_logits(self, input_ids, attention, batch_index, token_index) -> torch.Tensor:
        """Run the encoder on every token but the LM head only at the asked rows."""
        device = self.device
        rows = (torch.tensor(batch_index, device=device), torch.tensor(token_index, device=device))
        self._rows, self._rows_only = rows, False
        try:
            with torch.inference_mode():
                out = self.model(input_ids=input_ids.to(device), attention_mask=attention.to(device))
        finally:
            self._rows = None
        logits = out.logits
        if logits.dim() == 3 and logits.shape[0] == 1 and logits.shape[1] == len(batch_index):
            return logits[0]
        raise PredictionError(f"The model {self.name} returned an unexpected output shape.")

    def _keep_asked_rows_only(self, module, args, output):
        """Forward hook on the encoder: hand the LM head only the asked rows."""
        if self._rows is None:
            return None
        hidden = output[0]
        gathered = hidden if self._rows_only else hidden[self._rows].unsqueeze(0)
        if isinstance(output, tuple):
            return (gathered,)
        return type(output)(last_hidden_state=gathered)

    def _mark_rows_only(self) -> None:
        self._rows_only = True

    def _fall_back_to_cpu(self, exc: Exception) -> None:
        log.warning("Prediction on %s failed (%s); moving the model to the CPU", self.device, exc)
        self.model = self.model.to(device="cpu", dtype=torch.float32)
        self.notices.append(
            f"The {self.device.type.upper()} device failed ({first_line(exc)}); "
            "BertMask now runs on the CPU."
        )
        self.device = torch.device("cpu")
