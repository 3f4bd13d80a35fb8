"""A context-dependent toy language model put in place of a real model's forward pass.

Random tiny weights cannot be made to prefer a multi-piece word reliably: whether
``un ##able`` beats ``un`` depends on how the model reacts to a second mask next to
the first, which needs attention to be shaped. Instead, these tests replace
``Predictor._mask_probabilities`` (the single place where the model runs) with a rule
that reads the real input rows the engine builds (token ids, mask positions, windows)
and answers from the neighbouring tokens, like a tiny bigram model. Everything else —
window planning, mask expansion, most-confident-first filling, merging, PLL-word-l2r,
filters, joint beam — is the real engine code.
"""

from __future__ import annotations

import torch


class ScriptedLM:
    """``rule(left_id, right_id) -> {token_id: probability}``; the rest of the mass is
    spread evenly over the other tokens, so the stated probabilities are exact."""

    def __init__(self, predictor, rule, floor: float = 1e-6):
        self.predictor = predictor
        self.rule = rule
        self.size = int(predictor.model.config.vocab_size)
        self.floor = floor
        self.calls = 0
        self.rows_seen: list[list[int]] = []

    def __call__(self, rows):
        self.calls += 1
        self.predictor.forward_passes += 1
        out = []
        for row in rows:
            self.rows_seen.append(list(row.input_ids))
            for position in row.positions.values():
                ids = row.input_ids
                left = ids[position - 1] if position > 0 else None
                right = ids[position + 1] if position + 1 < len(ids) else None
                chosen = self.rule(left, right)
                rest = max(self.floor, 1.0 - sum(chosen.values())) / (self.size - len(chosen))
                probs = torch.full((self.size,), rest)
                for token_id, p in chosen.items():
                    probs[token_id] = p
                out.append(probs / probs.sum())
        return torch.stack(out)


def install(monkeypatch, predictor, rule) -> ScriptedLM:
    lm = ScriptedLM(predictor, rule)
    monkeypatch.setattr(predictor, "_mask_probabilities", lm)
    return lm
