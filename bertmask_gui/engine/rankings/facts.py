"""Word facts beside each candidate: the meaning that fits here, and the syllables.

``definition``: the WordNet gloss (lexicon.glosses, inflected forms by WordNet's
morphology) of the sense chosen in context (rankings.senses, one batched pass per
mask) or, with ``in_context=False``, of WordNet's first sense (no model work).
``syllables``: the CMU count, or the spelling's estimate marked ``syllables_estimated``.
"""

from __future__ import annotations

from dataclasses import replace

from bertmask_gui.engine.rankings.job import Job
from bertmask_gui.engine.rankings.senses import choose_senses
from bertmask_gui.engine.results import Candidate, Prediction
from bertmask_gui.lexicon import glosses, pronunciations


def with_facts(job: Job, text: str, prediction: Prediction, in_context: bool = True) -> Prediction:
    """``prediction`` with every candidate's definition and syllables filled in."""
    masks = []
    for mask in prediction.masks:
        words = [c.token for c in mask.candidates]
        if in_context and words:
            chosen = choose_senses(job, text, mask.start, mask.end, words)
        else:
            chosen = [(glosses.senses(w)[:1], 0) for w in words]
        candidates = tuple(_with_facts(c, senses, index) for c, (senses, index) in zip(mask.candidates, chosen))
        masks.append(replace(mask, candidates=candidates))
    return replace(prediction, masks=tuple(masks))


def _with_facts(candidate: Candidate, senses, index) -> Candidate:
    counted = pronunciations.syllables(candidate.token)
    return replace(
        candidate,
        definition=glosses.described(senses[index]) if senses and index is not None else None,
        syllables=counted.count if counted else None,
        syllables_estimated=bool(counted and counted.estimated),
    )
