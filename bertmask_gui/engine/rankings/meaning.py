"""Scores about meaning: the selection mode's embedding term, and the variants
``benchmarks/quality.py`` measures (issue 12).

* ``embedding_similarity`` / ``similarity_dots`` + ``add_similarity``: the LexSubGen embedding term (Arefyev
  et al. 2020): dot(e_original, e_word) / T over the model's own input embeddings (a
  word of several pieces: the mean of its pieces' embeddings). Part of the default
  keep-meaning ranking (options.Tuning says by how much it helped).
* ``length_fair``: PLL-word-l2r plus a bonus per extra piece (measured: no bonus wins).
* ``echoes_neighbour`` / ``drop_echoes``: a candidate that repeats the word right next to
  the mask ("The weather was [MASK] and cold." → "cold"; measured: no filter).
* ``sentence_pll``: the pseudo-log-likelihood of a text (each token masked in turn).
"""

from __future__ import annotations

import re

import torch

from bertmask_gui.engine.rankings.job import Job
from bertmask_gui.engine.rankings.words import Word

_WORD = re.compile(r"\w+(?:'\w+)?")


def embedding_similarity(job: Job, target_pieces, word_pieces, temperature: float) -> float:
    """dot(e_target, e_word) / temperature with the model's input embeddings."""
    target = job.input_embeddings(target_pieces).mean(dim=0)
    word = job.input_embeddings(word_pieces).mean(dim=0)
    return float(target @ word) / temperature


def similarity_dots(job: Job, original: tuple[int, ...], temperature: float) -> torch.Tensor:
    """dot(e_original, e_id) / T for every vocabulary id: one product with the input
    embedding table (e_original: the mean of the original word's pieces)."""
    target = job.input_embeddings(original).mean(dim=0)
    return job.embedding_dots(target) / temperature


def add_similarity(words: list[Word], dots: torch.Tensor) -> None:
    """Fill ``Word.similarity`` from ``similarity_dots``: dot(e_original, mean of the
    word's pieces) / T is the mean of its pieces' dots (no forward pass)."""
    for word in words:
        word.similarity = float(dots[list(word.pieces)].mean())


def similarity_bounds(vocabulary, dots: torch.Tensor) -> torch.Tensor:
    """Per vocabulary id, an upper bound of ``add_similarity``'s term for any word that
    starts with that piece: the term is the mean of the word's pieces' dots with the
    original, so at most the larger of the first piece's and the best continuation's.
    (Lets the keep-meaning ranking prune multi-piece words: rankings.words ``bonus``.)"""
    continuation = vocabulary.allowed(1, True)[: dots.shape[0]]
    return torch.maximum(dots, dots.masked_fill(~continuation, float("-inf")).max())


def length_fair(log_score: float, pieces: int, bonus: float) -> float:
    """The whole-word score with ``bonus`` nats added for every piece after the first."""
    return log_score + bonus * (max(1, pieces) - 1)


def neighbours(text: str, start: int, end: int, reach: int = 1) -> set[str]:
    """The ``reach`` words on each side of text[start:end], case-folded."""
    before = _WORD.findall(text[:start])[-reach:] if reach else []
    after = _WORD.findall(text[end:])[:reach] if reach else []
    return {w.casefold() for w in before + after}


def echoes_neighbour(word: str, text: str, start: int, end: int, reach: int = 1) -> bool:
    """Does ``word`` repeat a word right next to the mask at text[start:end]?"""
    return word.casefold() in neighbours(text, start, end, reach)


def drop_echoes(words: list[str], text: str, start: int, end: int, reach: int = 1) -> list[str]:
    """``words`` without the ones that repeat a neighbour of the mask (order kept)."""
    near = neighbours(text, start, end, reach)
    return [w for w in words if w.casefold() not in near]


def sentence_pll(job: Job, text: str) -> float:
    """PLL (natural log) of ``text``: sum over its tokens of log P(token | all others).

    One batched pass (through the runner) with one row per token: texts of a sentence
    or two.
    """
    ids = job.encoder.tokenizer(text)["input_ids"]
    special = set(job.encoder.tokenizer.all_special_ids)
    positions = [i for i, t in enumerate(ids) if t not in special]
    rows = [(ids[:p] + [job.vocabulary.mask_id] + ids[p + 1 :], [p]) for p in positions]
    return sum(float(logp[ids[p]]) for p, (logp,) in zip(positions, job.at_positions(rows)))
