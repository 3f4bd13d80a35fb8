"""A context-dependent toy language model: a scripted Runner put in a Predictor.

Random tiny weights cannot be made to prefer a multi-piece word reliably: whether
``un ##able`` beats ``un`` depends on how the model reacts to a second mask next to
the first, which needs attention to be shaped. Instead, these tests give the predictor
a ``ScriptedRunner`` (the same interface as engine.runner.Runner: ``log_probs(rows, *,
cancelled)`` and ``forward_passes``) that reads the real input rows the engine builds
(token ids, mask positions, windows) and answers from the neighbouring tokens, like a
tiny bigram model. Everything else — window planning, mask expansion, most-confident-
first filling, merging, PLL-word-l2r, filters, joint beam — is the real engine code.
"""

from __future__ import annotations

import torch

from bertmask_gui.engine.errors import Superseded


class ScriptedRunner:
    """``rule(left_id, right_id) -> {token_id: probability}``; the rest of the mass is
    spread evenly over the other tokens, so the stated probabilities are exact."""

    def __init__(self, predictor, rule, floor: float = 1e-6):
        self.model = predictor.model
        self.device = torch.device("cpu")
        self.notices: list[str] = []
        self.rule = rule
        self.size = int(predictor.model.config.vocab_size)
        self.floor = floor
        self.calls = 0
        self.forward_passes = 0
        self.rows_seen: list[list[int]] = []
        # The input embeddings the meaning-keeping ranking compares words by: the tiny
        # model's own, unless a test sets its own table.
        self.embeddings = predictor.model.get_input_embeddings().weight.detach().float()

    def log_probs(self, rows, *, cancelled=None) -> torch.Tensor:
        if cancelled is not None and cancelled():
            raise Superseded()
        self.calls += 1
        self.forward_passes += 1
        out = []
        for row in rows:
            self.rows_seen.append(list(row.input_ids))
            out += [self.probabilities(row.input_ids, p) for p in row.positions.values()]
        return torch.stack(out).log()

    def probabilities(self, ids, position: int) -> torch.Tensor:
        left = ids[position - 1] if position > 0 else None
        right = ids[position + 1] if position + 1 < len(ids) else None
        chosen = self.rule(left, right)
        rest = max(self.floor, 1.0 - sum(chosen.values())) / (self.size - len(chosen))
        probs = torch.full((self.size,), rest)
        for token_id, p in chosen.items():
            probs[token_id] = p
        return probs / probs.sum()

    def input_embeddings(self, ids) -> torch.Tensor:
        return self.embeddings[list(ids)]

    def embedding_dots(self, vector) -> torch.Tensor:
        return self.embeddings @ vector

    def close(self) -> None:
        pass


def install(monkeypatch, predictor, rule) -> ScriptedRunner:
    """Give ``predictor`` a scripted runner for this test (its own runner comes back after);
    no draft runner, so every pass is the script's."""
    runner = ScriptedRunner(predictor, rule)
    monkeypatch.setattr(predictor, "runner", runner)
    monkeypatch.setattr(predictor, "draft_runner", None)
    return runner
