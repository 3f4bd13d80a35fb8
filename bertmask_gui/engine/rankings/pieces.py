"""The raw single-token ranking at every mask, exactly as ``pipeline("fill-mask")``."""

from __future__ import annotations

import time

import torch

from bertmask_gui.engine.masks import find_masks
from bertmask_gui.engine.options import MAX_MASKS, capped_masks_note
from bertmask_gui.engine.rankings.job import Job
from bertmask_gui.engine.results import Candidate, MaskResult, Prediction
from bertmask_gui.engine.vocabulary import Vocabulary


def predict_pieces(job: Job, text: str, top_k: int) -> Prediction:
    started = time.perf_counter()
    passes = job.forward_passes
    spans = find_masks(text, job.vocabulary.mask_token)
    if not spans:
        return Prediction((), time.perf_counter() - started)
    wanted = min(len(spans), MAX_MASKS)
    rows = job.encoder.rows(text, spans, wanted)
    probs = job.log_probs(rows).exp()
    order = [mask for row in rows for mask in row.positions]
    by_mask = dict(zip(order, probs))
    results = tuple(
        MaskResult(span.start, span.end, tuple(top_candidates(job.vocabulary, by_mask[i], top_k)))
        for i, span in enumerate(spans[:wanted])
    )
    return Prediction(
        results,
        time.perf_counter() - started,
        capped_masks_note(len(spans)),
        forward_passes=job.forward_passes - passes,
    )


def top_candidates(vocabulary: Vocabulary, probs: torch.Tensor, top_k: int) -> list[Candidate]:
    """The ``top_k`` most probable tokens a writer can use, best first."""
    wanted = top_k + 16
    while True:
        values, ids = probs.topk(min(wanted, probs.shape[-1]))
        found = []
        for score, token_id in zip(values.tolist(), ids.tolist()):
            text = vocabulary.usable_text(token_id)
            if text is not None:
                found.append(Candidate(text, score, token_id))
                if len(found) == top_k:
                    return found
        if wanted >= probs.shape[-1]:
            return found
        wanted *= 4
