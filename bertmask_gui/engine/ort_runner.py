"""Layer 3: the model seam on ONNX Runtime (the CPU engine when the model exports).

Same public contract as ``runner.Runner``: ``log_probs(rows, *, cancelled)`` → one
float32 log-distribution per asked position in row order, ``forward_passes``,
``notices``, ``close()``, and the input embeddings the meaning ranking reads. The graph
(engine.onnx_export) computes the last layer and the LM head at the asked positions
only, as the torch Runner does. Rows asking different numbers of positions are padded
to the most asked (repeating a row's last position) and the padding is dropped.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Callable

import numpy as np
import torch

from bertmask_gui.engine.runner import in_passes

log = logging.getLogger(__name__)


class OrtRunner:
    """Runs one exported masked LM (an onnx_export graph) with ONNX Runtime on the CPU."""

    def __init__(
        self, graph: Path, embeddings: torch.Tensor, pad_id: int = 0, name: str = "model", threads: int | None = None
    ):
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.intra_op_num_threads = threads or torch.get_num_threads()
        options.inter_op_num_threads = 1
        options.log_severity_level = 3  # warnings about unused initializers are noise here
        self.session = ort.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])
        self.graph = Path(graph)
        self.embeddings = embeddings  # (vocab, hidden) float32: input_embeddings, embedding_dots
        self.pad_id = pad_id
        self.name = name
        self.device = torch.device("cpu")
        self.model = None  # no torch model: the graph is the model
        self.forward_passes = 0
        self.notices: list[str] = []

    def log_probs(self, rows, *, cancelled: Callable[[], bool] | None = None) -> torch.Tensor:
        """Log-softmax over the vocabulary at every asked position, in row order."""
        return in_passes(rows, cancelled, self._one_pass)

    def _one_pass(self, rows) -> torch.Tensor:
        self.forward_passes += 1
        input_ids, attention, positions, keep = self._batch(rows)
        (logits,) = self.session.run(None, {"input_ids": input_ids, "attention_mask": attention, "positions": positions})
        logits = torch.from_numpy(logits)
        if keep is not None:
            logits = logits[keep]
        return logits.float().log_softmax(dim=-1)

    def input_embeddings(self, ids) -> torch.Tensor:
        """The model's input embedding of each token id, float32 (no forward pass)."""
        return self.embeddings[torch.tensor(list(ids), dtype=torch.long)]

    def embedding_dots(self, vector: torch.Tensor) -> torch.Tensor:
        """Every input embedding's dot product with ``vector`` (one value per id)."""
        return self.embeddings @ vector.to(dtype=torch.float32, device="cpu")

    def close(self) -> None:
        """Nothing is installed on a model here; the session goes with the runner."""

    def _batch(self, rows):
        """(input_ids, attention_mask, positions, keep): positions padded to the most
        asked per row; ``keep`` the flat indices of real positions (None: all are)."""
        length = max(len(r.input_ids) for r in rows)
        asked = max(1, max(len(r.positions) for r in rows))
        input_ids = np.full((len(rows), length), self.pad_id, dtype=np.int64)
        attention = np.zeros((len(rows), length), dtype=np.int64)
        positions = np.zeros((len(rows), asked), dtype=np.int64)
        keep: list[int] = []
        for r, row in enumerate(rows):
            input_ids[r, : len(row.input_ids)] = row.input_ids
            attention[r, : len(row.input_ids)] = 1
            wanted = list(row.positions.values())
            padded = wanted + [wanted[-1] if wanted else 0] * (asked - len(wanted))
            positions[r] = padded
            keep.extend(range(r * asked, r * asked + len(wanted)))
        return input_ids, attention, positions, (None if len(keep) == len(rows) * asked else torch.tensor(keep))
