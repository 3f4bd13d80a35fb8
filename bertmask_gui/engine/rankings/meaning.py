"""Ranking variants measured by ``benchmarks/quality.py`` (issue 12): Qt-free, public API only.

* ``embedding_similarity``: the LexSubGen embedding term (Arefyev et al. 2020):
  dot(e_target, e_word) / T over the model's own input embeddings (a word of several
  pieces: the mean of its pieces' embeddings).
* ``length_fair``: PLL-word-l2r plus a bonus per extra piece. Conditioned on N masks, a
  small model reads them as N separate words, so the l2r sum of a real 2–3-piece word
  sits ~10 nats below one-piece words; the bonus that recovers most words is measured.
* ``echoes_neighbour`` / ``drop_echoes``: a candidate that repeats the word right next to
  the mask ("The weather was [MASK] and cold." → "cold").
* ``sentence_pll``: the pseudo-log-likelihood of a text (each token masked in turn).
"""

from __future__ import annotations

import re

import torch

LEXSUB_TEMPERATURE = 0.1  # Arefyev et al. 2020's T
_WORD = re.compile(r"\w+(?:'\w+)?")


def embedding_similarity(predictor, target_pieces, word_pieces, temperature: float = LEXSUB_TEMPERATURE) -> float:
    """dot(e_target, e_word) / temperature with the model's input embeddings."""
    table = predictor.model.get_input_embeddings().weight
    with torch.inference_mode():
        target = table[list(target_pieces)].float().mean(dim=0)
        word = table[list(word_pieces)].float().mean(dim=0)
        return float(target @ word) / temperature


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


def sentence_pll(predictor, text: str) -> float:
    """PLL (natural log) of ``text``: sum over its tokens of log P(token | all others).

    One batched forward pass with one row per token (texts of a sentence or two).
    """
    tokenizer = predictor.tokenizer
    ids = tokenizer(text)["input_ids"]
    special = set(tokenizer.all_special_ids)
    positions = [i for i, t in enumerate(ids) if t not in special]
    if not positions:
        return 0.0
    batch = torch.tensor([ids] * len(positions))
    rows = torch.arange(len(positions))
    batch[rows, torch.tensor(positions)] = tokenizer.mask_token_id
    device = next(predictor.model.parameters(), torch.empty(0)).device
    with torch.inference_mode():
        logits = predictor.model(input_ids=batch.to(device)).logits.float().cpu()
    log_probs = logits[rows, torch.tensor(positions)].log_softmax(dim=-1)
    wanted = torch.tensor([ids[p] for p in positions])
    return float(log_probs[rows, wanted].sum())
