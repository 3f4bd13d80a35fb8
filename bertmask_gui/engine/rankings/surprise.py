"""Which words stand out: how expected each word of a text is in its place.

Each word is scored by PLL-word-l2r with the word masked and the rest of the text
visible: log P(word | context), natural log, a whole word of any number of pieces (its
own pieces in the text), on rows cut to CONTEXT_TOKENS around it. Low scores are
the words the model least expects. Only the region is scored, so a long document costs
what its paragraph costs.

Cost: one batched call with a row per piece of every word in the region; the runner
splits it into passes of MAX_TOKENS_PER_FORWARD tokens.
"""

from __future__ import annotations

from bertmask_gui.engine.rankings.inplace import after_space, l2r_scores, words_in
from bertmask_gui.engine.rankings.job import Job
from bertmask_gui.engine.results import WordScore

# Tokens each row reads around its word. Measured on prose-mlm-small, a 450-token
# paragraph (415 words), 2 busy CPU cores: 128 tokens 7 passes 26.6 s; 64: 4 passes
# 13.6 s, Spearman 0.992 vs 128; 32: 2 passes 6.0 s, Spearman 0.987, 36 of the 41
# least expected words the same as with 128 (64 keeps 36 too). The underline shows
# the least expected words, so 32 is exact enough at 4.5x less.
CONTEXT_TOKENS = 32
MAX_WORD_PIECES = 8  # longer "words" (a URL, a number run) are not scored


def word_scores(
    job: Job, text: str, start: int = 0, end: int | None = None, width: int = CONTEXT_TOKENS
) -> tuple[WordScore, ...]:
    """Every word in text[start:end], in text order, with the text around as context."""
    end = len(text) if end is None else min(end, len(text))
    start = max(0, start)
    if start >= end:
        return ()
    located = job.encoder.locate(text, start, end)
    places, items = [], []
    for ws, we in words_in(text, start, end):
        tokens = located.tokens(ws, we)
        if tokens is None or located.covers_mask(ws, we) or tokens[1] - tokens[0] > MAX_WORD_PIECES:
            continue
        ctx = job.encoder.context_at(located, tokens, space=after_space(text, ws), width=width)
        items.append((ctx, located.ids[tokens[0] : tokens[1]]))
        places.append((ws, we))
    scores = l2r_scores(job, items)
    return tuple(WordScore(ws, we, text[ws:we], score) for (ws, we), score in zip(places, scores))
