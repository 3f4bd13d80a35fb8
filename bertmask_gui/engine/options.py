"""What a request asks for: the writer's filters, the top-k range, the device choices.

Layer 0 (plain Python): the engine, the UI, the command line and the settings all take
these from here, so a range or a list is written once.
"""

from __future__ import annotations

from dataclasses import dataclass

MIN_TOP_K, MAX_TOP_K = 1, 50
DEFAULT_TOP_K = 5
DEVICE_CHOICES = ("auto", "cpu", "cuda", "mps")
# Which runner serves on the CPU: "auto" (ONNX Runtime once the model is exported, torch
# meanwhile and as the fallback), "torch", or "onnx" (export now, on the command line).
ENGINE_CHOICES = ("auto", "torch", "onnx")


def default_engine() -> str:
    """``auto``, or BERTMASK_ENGINE's choice (the test suite runs torch unless a test asks)."""
    import os

    chosen = os.environ.get("BERTMASK_ENGINE", "auto").lower()
    return chosen if chosen in ENGINE_CHOICES else "auto"
MAX_MASKS = 100  # per request: beyond this a paste of masks would cost minutes
MAX_JOINT_MASKS = 8  # fill-all is offered for 2..8 masks (its cost grows with each mask)


@dataclass(frozen=True)
class Tuning:
    """The rankings' knobs, measured by ``benchmarks/quality.py`` (docs/QUALITY.md, on
    prose-mlm-small's held-out text). A Predictor's ``tuning``; every Job carries it.

    - ``beam`` / ``max_pieces``: beam 2, 4, 8 and 1–3 pieces gave the same recovery@5
      (27.6% on 87 words): no held-out multi-piece word is generated at all (0 of 200;
      its first piece ranks ~577th, and scored as if generated none would reach the top
      5: the weak model finds them unlikely, not the beam). Beam 4 over 2:
      34 vs 31 multi-piece words in 120 top-50 lists (benchmarks/speed_guard.py), for
      ~10% of a 13-token sentence's time.
    - ``long_word_beam`` (words of 3+ pieces: their search keeps this many partial words,
      at most ``beam``): in 240 held-out top-50 lists (benchmarks/speed_guard.py,
      2026-12-03) no 3-piece word appears at 4, 2 or 1, and the lists' 95 multi-piece words
      are the same; 1 instead of 4 drops 3 of the draft's 8 second-piece rows on the seed
      sentence: whole words on ONNX Runtime 1.47× → 1.28× one torch pieces prediction
      (16 interleaved rounds, bert-base shape; 2: 1.37×).
    - ``word_context_tokens``: @5 32: 23%, 64: 17%, 128: 23%, 256: 23% (30 words, within
      noise); 128 keeps a CPU fast on long texts.
    - ``draft_context_tokens`` (the int8 draft's rows, rankings.words; benchmarks/speed_guard.py,
      120 held-out masks, top 50 of the drafted vs the exact search): 32: 99.2% equal
      lists, 33 of 34 multi-piece words; 64: 100%, 34 of 34. An int8 row of 64 tokens
      costs 0.6× one of 128 (4 rows: 105 vs 172 ms). Beam 2 there: 31 of 34, so beam stays 4.
    - ``keep_meaning_weight`` and ``meaning_temperature``: selection mode ranks by
      log P_masked + weight · log P_in_place + dot(e_original, e_word) / temperature.
      WordNet-synonym P@1 (204 words, 520-word run): masked alone 3.9%, masked + visible
      14.7%, LexSubGen (visible + emb/T) 17.2%, **masked + visible + emb/T 19.1%
      [14.3–25.1]** (masked + emb/T 19.6%, a tie; on the 114-word run 21.1% vs 20.2%),
      with T = 0.1 (Arefyev et al. 2020's value).
    """

    beam: int = 4  # partial fillings kept per (mask, length) while generating
    long_word_beam: int = 1  # at most this many for words of 3+ pieces (measured above)
    max_pieces: int = 3  # a whole word has 1..max_pieces pieces
    word_context_tokens: int = 128  # tokens each whole-word row sees around the mask
    draft_context_tokens: int = 64  # tokens each drafted row (int8, rankings.words) sees
    keep_meaning_weight: float = 1.0  # weight of log P(word) with the original in place
    meaning_temperature: float | None = 0.1  # T of the embedding term; None: no embedding term
    # The in-place term sees every piece of a word (rankings.words' keep_score), not only
    # the first: multi-piece junk among shown selection alternatives 1.6% -> 0.0%, synonym
    # P@1 unchanged (docs/QUALITY.md g, 29 held-out words; issue 20).
    meaning_all_pieces: bool = True


def clamp_top_k(value) -> int:
    """``value`` as a number of suggestions in MIN_TOP_K..MAX_TOP_K."""
    return max(MIN_TOP_K, min(MAX_TOP_K, int(value)))


@dataclass(frozen=True)
class Filters:
    """What the writer asked to see. ``top_k`` is clamped to 1–50."""

    top_k: int = DEFAULT_TOP_K
    hide_punctuation: bool = False
    hide_numbers: bool = False
    hide_stop_words: bool = False
    hide_original: bool = False
    match_case: bool = True
    keep_meaning: bool = True  # selection mode: also rank by the original word's sense
    fill_all: bool = True  # several masks: also offer complete joint fillings
    # Whole-word, selection and fill-all lists hold only words (filters.is_word); the raw
    # pieces mode is never filtered. Measured (docs/QUALITY.md g, 58 held-out masks, 29
    # selections): without it 19.0% of held-out top-5 lists and 13.8% of selection lists
    # held punctuation, with it 0%; recovery@5 22.4% -> 24.1% (issue 20).
    words_only: bool = True

    def clamped_top_k(self) -> int:
        return clamp_top_k(self.top_k)


def capped_masks_note(count: int) -> str:
    """The sentence shown when a text has more masks than one request answers."""
    if count <= MAX_MASKS:
        return ""
    return f"The text has {count} masks; suggestions are shown for the first {MAX_MASKS}."


@dataclass(frozen=True)
class CheckOptions:
    """What the draft checker (rankings.check) flags. The margins are in nats: a real
    word is flagged when an alternative's PLL-word-l2r in its place beats its own by more.
    Chosen by ``make quality`` (benchmarks/quality_check.py, docs/QUALITY.md "Draft checker").
    """

    unusual: bool = False  # also the least expected words, as the quieter "unusual" kind
    accepted: frozenset[str] = frozenset()  # lower case: the writer's dictionary, ignored words
    # make quality (benchmarks/quality_check.py, prose-mlm-small, docs/QUALITY.md "Draft
    # checker"): the most recall of planted real-word errors (confusions, contraction swaps,
    # one-edit substitutions) on the dev half at <= 2 false flags per 1,000 lower-case words,
    # chosen before the test half was run. Test at these defaults: confusions 92.0% flagged
    # [87.4-95.0], 89.0% corrected first; contraction swaps 95.5% / 95.0%; real-word 52%;
    # 1.51 false flags per 1,000 lower-case words [0.73-3.11]. (The last run's sweep chose
    # 2.5 / 6 nats: 95% of confusions but 3.23 false flags per 1,000 on test, over the 3.)
    # Dev: confusions flagged 95.8% at 3.5 nats, 90.8% at 5.5 (the first run's default).
    confusion_margin: float = 3.5  # against a member of a curated confusion group
    # Dev: real-word one-edit errors 59% at 8 nats (1.95 false flags /1,000), 69% at 6 (3.2
    # before the lemma rule).
    neighbour_margin: float = 8.0  # against a frequent real word one edit away
    # PLL-word-l2r charges a word for each extra piece: a three-piece contraction ("it's")
    # scored up to 6.5 nats below "its" on dev where it is right. Each piece more than the
    # word has earns ``piece_bonus`` nats, and a curated member of another length in pieces
    # (its/it's, their/they're) needs only ``unequal_pieces_margin``. Dev: contraction swaps
    # flagged 88% (66% with neither), false flags 1.95 /1,000 (5.5 without the bonus).
    piece_bonus: float = 3.0
    unequal_pieces_margin: float = 0.0
    neighbour_zipf: float = 4.0  # how frequent that word must be (wordfreq Zipf)
    # A second edit costs 8 nats: 95% of dev typos corrected first (0 nats: 75%; 4: 93%).
    distance_cost: float = 8.0  # spelling: a correction two edits away pays this (nats)
    context_tokens: int = 32  # tokens each row reads around its word
