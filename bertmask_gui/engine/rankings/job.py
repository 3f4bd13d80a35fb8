"""What every ranking works with: one request's encoder, runner, vocabulary, cancellation."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Callable

import torch

from bertmask_gui.engine.encoder import Context, Encoder, Row
from bertmask_gui.engine.options import Tuning
from bertmask_gui.engine.runner import Runner
from bertmask_gui.engine.vocabulary import Vocabulary


@dataclass(frozen=True)
class Job:
    encoder: Encoder
    runner: Runner  # or any object with the same ``log_probs`` and ``forward_passes``
    vocabulary: Vocabulary
    cancelled: Callable[[], bool] | None = None  # asked before every forward pass
    tuning: Tuning = Tuning()  # beam, pieces, context, keep-meaning weights (measured)
    # A cheaper runner of the same model (int8 on the CPU), or None: whole-word search
    # drafts on it and rescores what can be shown on ``runner`` (rankings.words).
    draft_runner: object | None = None
    # The rows answered so far in this request, per runner: {runner: {(ids, positions):
    # distributions}}. A row asked again (fill-all's rows for a mask that no placed word
    # is near, cut to the same window as its first-pass row) costs no second pass.
    answered: dict = field(default_factory=dict, compare=False, repr=False)

    def log_probs(self, rows: list[Row]) -> torch.Tensor:
        """The runner's answer for ``rows``: one log-distribution per asked position."""
        return self.runner.log_probs(rows, cancelled=self.cancelled)

    def at_positions(self, rows: list[tuple[list[int], list[int]]]) -> list[list[torch.Tensor]]:
        """Log-distributions at the given positions of each (ids, positions) row, one
        batched forward pass for the rows not answered before in this job (split only
        by the runner's token budget)."""
        answered = self.answered.setdefault(self.runner, {})
        keys = [(tuple(ids), tuple(positions)) for ids, positions in rows]
        new = list(dict.fromkeys(k for k in keys if k not in answered))
        if new:
            logs = self.log_probs([Row(list(ids), dict(enumerate(positions))) for ids, positions in new])
            i = 0
            for key in new:
                answered[key] = [logs[i + k] for k in range(len(key[1]))]
                i += len(key[1])
        return [answered[key] for key in keys]

    def expand(self, ctx: Context, n: int, fill: dict[int, int] | None = None) -> tuple[list[int], int]:
        """``encoder.expand`` with this job's word context (``tuning.word_context_tokens``)."""
        return self.encoder.expand(ctx, n, fill, self.tuning.word_context_tokens)

    def input_embeddings(self, ids) -> torch.Tensor:
        """The model's input embedding of each token id (float32, one row per id)."""
        return self.runner.input_embeddings(ids)

    def embedding_dots(self, vector: torch.Tensor) -> torch.Tensor:
        """Every input embedding's dot product with ``vector`` (one value per id)."""
        return self.runner.embedding_dots(vector)

    def drafting(self) -> "Job | None":
        """This job on the draft runner (same encoder, vocabulary, cancellation), or None."""
        if self.draft_runner is None:
            return None
        narrower = replace(self.tuning, word_context_tokens=self.tuning.draft_context_tokens)
        return replace(self, runner=self.draft_runner, draft_runner=None, tuning=narrower)

    @property
    def forward_passes(self) -> int:
        """Batched forward passes so far, the draft runner's included."""
        drafted = self.draft_runner.forward_passes if self.draft_runner is not None else 0
        return self.runner.forward_passes + drafted
