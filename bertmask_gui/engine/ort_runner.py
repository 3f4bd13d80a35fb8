"""Layer 3: the model seam on ONNX Runtime (the CPU engine when the model exports).

Same public contract as ``runner.Runner``: ``log_probs(rows, *, cancelled)`` → one
float32 log-distribution per asked position in row order, ``forward_passes``,
``notices``, ``close()``, and the input embeddings the meaning ranking reads. The graph
(engine.onnx_export) computes the last layer and the LM head at the asked positions
only, as the torch Runner does. Rows asking different numbers of positions are padded
to the most asked (repeating a row's last position) and the padding is dropped.

Memory (bert-base, measured with benchmarks/bench_ort_memory.py): ONNX Runtime's CPU
memory arena keeps the largest pass's activations for good (a fill-all pass over a
450-token paragraph grew the fp32 session by ~1 GB), so a pass of more than
ARENA_UP_TO_TOKENS tokens gives the arena's memory back as it ends; smaller passes keep
it (without the arena at all, a 450-token paragraph's raw pieces took 0.55× the pipeline
instead of 0.47×, the seed sentence's whole words 6% and a fill-all 8% longer). The
input embedding matrix the graphs hold (the LM head's weight too) is one copy, this
runner's ``embeddings``, handed to every session (``shared_name``); the fp32 graph's head
reads it as it is stored (``onnx_export.with_head_reading_in_place``: no folded copy). After a call
of TRIM_AFTER_TOKENS tokens or more the freed heap goes back to the system (glibc keeps
it otherwise: ~100 MB more after 10 requests; the trim costs 10–40 ms on a call of a
second or more).

Should ONNX Runtime fail while serving (a pass it cannot run), ``fallback`` (a
``TorchFallback``) loads the torch model again and answers from then on, with a notice.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Callable

import numpy as np
import torch

from bertmask_gui.engine import fast
from bertmask_gui.engine.errors import first_line
from bertmask_gui.engine.runner import Runner, in_passes

log = logging.getLogger(__name__)

ARENA_UP_TO_TOKENS = 512  # rows × length of one pass; 0: no arena. 512: +6 MB after 10 requests, vs none
TRIM_AFTER_TOKENS = 2048  # rows × length of one log_probs call (a 450-token paragraph's fill-all: ~5,000)


class TorchFallback:
    """The torch Runner, made the first time it is asked for (``make``: e.g. loading the
    model from its folder again), then kept: one for all the runners that share it."""

    def __init__(self, make: Callable[[], Runner]):
        self._make = make
        self._runner: Runner | None = None

    @property
    def made(self) -> bool:
        return self._runner is not None

    def runner(self) -> Runner:
        if self._runner is None:
            self._runner = self._make()
        return self._runner


class _SessionFailed(Exception):
    """ONNX Runtime raised while running a pass (the cause is chained)."""


class OrtRunner:
    """Runs one exported masked LM (an onnx_export graph) with ONNX Runtime on the CPU."""

    def __init__(
        self, graph: Path, embeddings: torch.Tensor, pad_id: int = 0, name: str = "model", threads: int | None = None,
        shared_name: str | None = None, fallback: TorchFallback | None = None,
    ):
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.intra_op_num_threads = threads or torch.get_num_threads()
        options.inter_op_num_threads = 1
        # No spin-waiting after a run: the exact and the draft session each have a thread
        # pool, and one's spinning threads took the cores from the other (seed sentence,
        # whole words: 165 → 117 ms; one session alone: 26.6 → 22.8 ms per 15-token row).
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3  # warnings about unused initializers are noise here
        self.arena_up_to_tokens = ARENA_UP_TO_TOKENS
        options.enable_cpu_mem_arena = self.arena_up_to_tokens > 0  # the arena keeps the largest pass's memory
        self._shrink = ort.RunOptions()  # larger passes give the arena's memory back as they end (docstring)
        self._shrink.add_run_config_entry("memory.enable_memory_arena_shrinkage", "cpu:0")
        self._shared = None  # the OrtValue over ``embeddings``: must live as long as the session
        if shared_name is not None:
            self._shared = ort.OrtValue.ortvalue_from_numpy(embeddings.numpy())
            options.add_initializer(shared_name, self._shared)
        self.session = ort.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])
        self.shared_name = shared_name
        self.fallback = fallback
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
        if self.fallback is None or not self.fallback.made:
            try:
                return self._on_onnx_runtime(rows, cancelled)
            except _SessionFailed as exc:
                if self.fallback is None:
                    raise exc.__cause__ from None
                log.warning("ONNX Runtime failed on %s; torch answers from now on", self.name, exc_info=exc.__cause__)
                self.notices.append(
                    f"ONNX Runtime failed ({first_line(exc.__cause__)}); BertMask answers with torch again."
                )
        torch_runner = self.fallback.runner()
        before = torch_runner.forward_passes
        try:
            return torch_runner.log_probs(rows, cancelled=cancelled)
        finally:
            self.forward_passes += torch_runner.forward_passes - before

    def _on_onnx_runtime(self, rows, cancelled) -> torch.Tensor:
        try:
            return in_passes(rows, cancelled, self._one_pass)
        finally:
            if sum(len(r.input_ids) for r in rows) >= TRIM_AFTER_TOKENS:
                fast.return_freed_heap()

    def _one_pass(self, rows) -> torch.Tensor:
        self.forward_passes += 1
        input_ids, attention, positions, keep = self._batch(rows)
        try:
            (logits,) = self.session.run(
                None, {"input_ids": input_ids, "attention_mask": attention, "positions": positions},
                self._shrink if 0 < self.arena_up_to_tokens < input_ids.size else None,
            )
        except Exception as exc:  # noqa: BLE001 - onnxruntime's errors derive from Exception only
            self.forward_passes -= 1
            raise _SessionFailed() from exc
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
