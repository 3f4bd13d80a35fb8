"""What a request asks for: the writer's filters, the top-k range, the device choices.

Layer 0 (plain Python): the engine, the UI, the command line and the settings all take
these from here, so a range or a list is written once.
"""

from __future__ import annotations

from dataclasses import dataclass

MIN_TOP_K, MAX_TOP_K = 1, 50
DEFAULT_TOP_K = 5
DEVICE_CHOICES = ("auto", "cpu", "cuda", "mps")
MAX_MASKS = 100  # per request: beyond this a paste of masks would cost minutes
MAX_JOINT_MASKS = 8  # fill-all is offered for 2..8 masks (its cost grows with each mask)


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

    def clamped_top_k(self) -> int:
        return clamp_top_k(self.top_k)


def capped_masks_note(count: int) -> str:
    """The sentence shown when a text has more masks than one request answers."""
    if count <= MAX_MASKS:
        return ""
    return f"The text has {count} masks; suggestions are shown for the first {MAX_MASKS}."
