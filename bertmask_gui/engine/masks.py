"""Finding masks in the writer's text and choosing the context the model sees.

Pure Python (no torch, no Qt): the editor's highlighter uses it too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bertmask_gui.engine.constraints import pairs

# What a writer types: [MASK] in any case, spaces inside the brackets tolerated, and
# [MASK:affect|effect] (``|`` or ``,`` between words): a mask whose candidates are those words;
# [MASK rhymes:night syllables:2] (``key:value`` after a space): a mask with constraints
# (engine.constraints says which keys there are).
MASK_PATTERN_SOURCE = r"\[\s*mask\s*(?::[^\[\]\n]*|(?<=\s)[^\s:\[\]]+\s*:[^\[\]\n]*)?\]"
USER_MASK = "[MASK]"
_CHOICES = re.compile(r"^\[\s*mask\s*:(.*)\]$", re.IGNORECASE | re.DOTALL)
_CHOICE_SEPARATOR = re.compile(r"[|,]")
_CONSTRAINED = re.compile(r"^\[\s*mask\s+([^:\s].*)\]$", re.IGNORECASE | re.DOTALL)
_SENTENCE_END = re.compile(r"[.!?…。！？]['\")\]”’]*\s+|\n\s*")


@dataclass(frozen=True)
class Span:
    """A half-open character range [start, end) in the writer's text."""

    start: int
    end: int
    # [MASK:a|b]: the writer's words, as typed (stripped; empty ones kept, so the
    # engine can say what is wrong); None for an ordinary mask.
    choices: tuple[str, ...] | None = None
    # [MASK rhymes:night max:6]: the writer's (key, value) pairs as typed (lower-case
    # keys; a word without a colon has the key ""), checked by engine.constraints; None
    # for a mask without constraints.
    constraints: tuple[tuple[str, str], ...] | None = None


def parse_constraints(mask_text: str) -> tuple[tuple[str, str], ...] | None:
    """The pairs of ``[MASK rhymes:night syllables:2]`` (``(("rhymes", "night"),
    ("syllables", "2"))``), None for a mask without constraints."""
    match = _CONSTRAINED.match(mask_text)
    if match is None:
        return None
    return pairs(match.group(1))


def parse_choices(mask_text: str) -> tuple[str, ...] | None:
    """The words of ``[MASK:a|b, c]`` (``("a", "b", "c")``), None for a plain mask."""
    match = _CHOICES.match(mask_text)
    if match is None:
        return None
    inner = match.group(1).strip()
    if not inner:
        return ()
    return tuple(word.strip() for word in _CHOICE_SEPARATOR.split(inner))


def mask_regex(model_mask_token: str | None = None) -> re.Pattern[str]:
    """A regex matching every mask: [MASK] (any case) and the model's own token."""
    source = MASK_PATTERN_SOURCE
    if model_mask_token and not re.fullmatch(source, model_mask_token, re.IGNORECASE):
        source = f"{source}|{re.escape(model_mask_token)}"
    return re.compile(source, re.IGNORECASE)


def find_masks(text: str, model_mask_token: str | None = None) -> list[Span]:
    """Every mask in ``text``, in order."""
    return [
        Span(m.start(), m.end(), parse_choices(m.group()), parse_constraints(m.group()))
        for m in mask_regex(model_mask_token).finditer(text)
    ]


@dataclass(frozen=True)
class Window:
    """A slice of the text fed to the model, and the masks it answers for."""

    start: int
    end: int
    masks: tuple[int, ...]  # indices into the list of mask spans


def plan_windows(text: str, spans: list[Span], max_chars: int) -> list[Window]:
    """Cut a long text into windows of about ``max_chars`` around its masks.

    Masks close enough to share a window share it (one forward pass); each window
    starts and ends at a sentence boundary when one is near, so the model sees whole
    sentences. A text shorter than ``max_chars`` is one window.
    """
    if len(text) <= max_chars:
        return [Window(0, len(text), tuple(range(len(spans))))]
    windows: list[Window] = []
    group: list[int] = []
    for index, span in enumerate(spans):
        if group and span.end - spans[group[0]].start > max_chars // 2:
            windows.append(_window_around(text, spans, group, max_chars))
            group = []
        group.append(index)
    if group:
        windows.append(_window_around(text, spans, group, max_chars))
    return windows


def _window_around(text: str, spans: list[Span], group: list[int], max_chars: int) -> Window:
    first, last = spans[group[0]].start, spans[group[-1]].end
    margin = max(0, (max_chars - (last - first)) // 2)
    start = max(0, first - margin)
    end = min(len(text), last + margin)
    # Give unused room on one side to the other (a mask near the start or the end).
    start = max(0, min(start, end - max_chars))
    end = min(len(text), max(end, start + max_chars))
    return Window(_snap_start(text, start, first), _snap_end(text, end, last), tuple(group))


def _snap_start(text: str, start: int, limit: int) -> int:
    """Move ``start`` forward to the next sentence start, if one is close."""
    if start == 0:
        return 0
    reach = start + (limit - start) // 3
    match = _SENTENCE_END.search(text, start, reach)
    return match.end() if match else start


def _snap_end(text: str, end: int, limit: int) -> int:
    """Move ``end`` back to the last sentence end, if one is close."""
    if end >= len(text):
        return len(text)
    reach = end - (end - limit) // 3
    best = None
    for match in _SENTENCE_END.finditer(text, reach, end):
        best = match.start() + len(match.group().rstrip())
    return best if best is not None else end
