"""Which meaning a word has here: the WordNet sense whose words the model expects in place.

For each sense of the word (lexicon.glosses, WordNet's order), its synonyms and related
words (hypernyms, similar adjectives) are put in the word's place and scored by the
PLL-word-l2r of the whole-word lists (rankings.inplace), all in one batched pass; a
sense scores its best word, less ``PRIOR_PER_RANK`` per place after WordNet's first
(most frequent) sense. A word with one sense, or whose senses have no such words,
keeps its first sense. benchmarks/quality_facts.py measures it against the first sense
on WordNet's own example sentences.
"""

from __future__ import annotations

import math

from bertmask_gui.engine.errors import PredictionError
from bertmask_gui.engine.masks import find_masks
from bertmask_gui.engine.rankings.inplace import l2r_scores, spelled
from bertmask_gui.engine.rankings.job import Job
from bertmask_gui.lexicon import glosses

MAX_SENSES = 6  # the first senses of a word (WordNet's order) that compete
MAX_WORDS_PER_SENSE = 3  # synonyms / related words scored for each sense
# log-probability taken from each sense per place after the first. Measured
# (benchmarks/quality_facts.py, WordNet example sentences, prose-mlm-small) on 800
# examples: prior 0.5 37.6% [34.3-41.0], 0: 37.0%, 1.0: 36.6%, 5.0: 33.9%, first sense
# 34.1% [30.9-37.5]; another 800 (seed 99): 0.5 37.4%, 1.0 38.1%, first sense 35.6%.
PRIOR_PER_RANK = 0.5


def sense_words(sense: glosses.Sense, word: str) -> list[str]:
    """The words that stand for a sense in place of ``word``."""
    own = {word.casefold(), sense.lemma}
    return [w for w in dict.fromkeys(sense.synonyms + sense.related) if w not in own][:MAX_WORDS_PER_SENSE]


def choose_senses(job: Job, text: str, start: int, end: int, words: list[str], prior: float = PRIOR_PER_RANK):
    """For each word put at text[start:end]: (its senses, the index of the one that fits
    best); (), None for a word WordNet lacks. One batched pass for all the words."""
    return [(found, pick(found, scores, prior)) for found, scores in sense_scores(job, text, start, end, words)]


def pick(found, scores: dict[int, float], prior: float = PRIOR_PER_RANK) -> int | None:
    """The sense with the best score less ``prior`` per rank; the first if none scored."""
    if not found:
        return None
    scored = [(score - prior * s, -s) for s, score in scores.items()]
    return -max(scored)[1] if scored else 0


def sense_scores(job: Job, text: str, start: int, end: int, words: list[str]):
    """For each word: (its first senses, sense index → its best word's PLL-word-l2r in place)."""
    masked = text[:start] + job.vocabulary.mask_token + text[end:]
    spans = find_masks(masked, job.vocabulary.mask_token)
    index = next(i for i, s in enumerate(spans) if s.start == start)
    ctx = job.encoder.contexts(masked, spans).contexts[index]
    items, owners = [], []
    found = []
    for w, word in enumerate(words):
        senses = glosses.senses(word)[:MAX_SENSES]
        found.append(senses)
        if len(senses) < 2:
            continue
        for s, sense in enumerate(senses):
            for other in sense_words(sense, word):
                try:
                    pieces = spelled(job, other, ctx.after_space)
                except PredictionError:
                    continue
                if len(pieces) <= job.tuning.max_pieces:
                    items.append((ctx, pieces))
                    owners.append((w, s))
    best: dict[tuple[int, int], float] = {}
    for owner, score in zip(owners, l2r_scores(job, items) if items else []):
        best[owner] = max(best.get(owner, -math.inf), score)
    return [(senses, {s: best[(w, s)] for s in range(len(senses)) if (w, s) in best}) for w, senses in enumerate(found)]
