"""Text edits around a filled word: pure functions, no torch, no Qt.

The editor applies exactly the edit these functions compute, so the rules for spaces
and punctuation live (and are tested) in one place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_WORD_CHAR = re.compile(r"[\w'’\-]")
_CLOSING = set(",.;:!?)]}”’…%")
_OPENING = set("([{“‘")


@dataclass(frozen=True)
class Edit:
    """Replace text[start:end] with ``replacement``."""

    start: int
    end: int
    replacement: str

    def apply(self, text: str) -> str:
        return text[: self.start] + self.replacement + text[self.end :]


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """The span without the whitespace at its edges (a selection often has some)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def fill_edit(text: str, start: int, end: int, word: str) -> Edit:
    """The edit that puts ``word`` in place of text[start:end], spaced as a writer would.

    - whitespace at the edges of the span is kept (only the word is replaced);
    - a word that is closing punctuation (``,`` ``.`` ``)``) takes no space before it:
      ``good [MASK] bad`` + ``,`` gives ``good, bad``;
    - an opening bracket takes no space after it;
    - the word itself never brings its own edge spaces (no double spaces).
    For an ordinary word the edit is exactly the span: nothing else changes.
    """
    start, end = trim_span(text, start, end)
    word = word.strip()
    if word and word[0] in _CLOSING:
        while start > 0 and text[start - 1] in " \t":
            start -= 1
    if word and word[-1] in _OPENING:
        while end < len(text) and text[end] in " \t":
            end += 1
    return Edit(start, end, word)


def fill_many(text: str, spans: list[tuple[int, int]], words: list[str]) -> tuple[str, list[Edit]]:
    """Fill several spans at once (later spans first, so offsets stay valid)."""
    edits = [fill_edit(text, s, e, w) for (s, e), w in zip(spans, words)]
    for edit in sorted(edits, key=lambda e: e.start, reverse=True):
        text = edit.apply(text)
    return text, edits


def word_at(text: str, position: int) -> tuple[int, int] | None:
    """The word around a cursor at ``position`` (or just before it), or None.

    A word is letters, digits, apostrophes and inner hyphens: ``don't``, ``well-known``.
    """
    if not text:
        return None
    position = max(0, min(position, len(text)))
    if (position == len(text) or not _WORD_CHAR.match(text[position])) and position > 0:
        if _WORD_CHAR.match(text[position - 1]):
            position -= 1
        else:
            return None
    if not _WORD_CHAR.match(text[position]):
        return None
    start = position
    while start > 0 and _WORD_CHAR.match(text[start - 1]):
        start -= 1
    end = position + 1
    while end < len(text) and _WORD_CHAR.match(text[end]):
        end += 1
    # Quotes and hyphens at the edges are punctuation, not part of the word.
    while start < end and text[start] in "'’-":
        start += 1
    while end > start and text[end - 1] in "'’-":
        end -= 1
    return (start, end) if start < end else None
