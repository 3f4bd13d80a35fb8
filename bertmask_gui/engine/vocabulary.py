"""Layer 2: what the vocabulary allows, classified once when the model loads.

Which token ids a writer can use (and how they read), which pieces can start a word
(after a space or not) or continue one, whether the model is cased, the special tokens
around a text, and the canonical spelling of a piece sequence.
"""

from __future__ import annotations

import re
import unicodedata

import torch

from bertmask_gui.engine.filters import is_writable

_PLACEHOLDER = re.compile(r"^[\[<]unused\d+[\]>]$")
_UNPRINTABLE = {"Cc", "Cf", "Cs", "Co", "Cn"}


class Vocabulary:
    """The tokenizer's vocabulary, as the rankings need it."""

    def __init__(self, tokenizer, size: int):
        self.tokenizer = tokenizer
        self.size = size  # the model's vocabulary (may exceed the tokenizer's)
        self.mask_token: str = tokenizer.mask_token
        self.mask_id: int = tokenizer.mask_token_id
        self.pad_id: int = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
        self.prefix, self.suffix = special_affixes(tokenizer)
        self.marker = _space_marker(tokenizer)  # "Ġ" / "▁" for BPE-style vocabularies, None for WordPiece
        self.cased = tokenizer.tokenize("Word") != tokenizer.tokenize("word")
        self._special_ids = set(tokenizer.all_special_ids)
        self._usable: dict[int, str | None] = {}
        self._spellings: dict[tuple, str | None] = {}
        self.start_after_space, self.start_no_space, self.continuation = self._classify()

    def usable_text(self, token_id: int) -> str | None:
        """The token as a writer reads it, or None if a writer cannot use it.

        Special tokens, [unusedN] placeholders, and tokens that decode to nothing,
        to control characters or to a broken byte sequence are never proposed.
        """
        if token_id in self._usable:
            return self._usable[token_id]
        text: str | None = None
        raw = self.tokenizer.convert_ids_to_tokens(token_id)
        if token_id not in self._special_ids and not _PLACEHOLDER.match(raw or ""):
            decoded = self.tokenizer.decode([token_id]).strip()
            if decoded and "\ufffd" not in decoded and not any(
                unicodedata.category(c) in _UNPRINTABLE for c in decoded
            ):
                text = decoded
        self._usable[token_id] = text
        return text

    def allowed(self, piece_index: int, after_space: bool) -> torch.Tensor:
        """Mask of ids that may stand at ``piece_index`` of a word (0: the start)."""
        if piece_index > 0:
            return self.continuation
        if self.marker is None or after_space:
            return self.start_after_space
        return self.start_no_space

    def spelling(self, pieces: tuple[int, ...], after_space: bool) -> str | None:
        """The pieces as one word, or None if that is not how the tokenizer writes it
        (``lo ##ve`` for ``love``), so each word is scored once, as the model reads it."""
        key = (pieces, after_space)
        if key not in self._spellings:
            self._spellings[key] = self._spell(pieces, after_space)
        return self._spellings[key]

    def pieces(self, word: str, after_space: bool) -> tuple[int, ...]:
        """The word's pieces as the tokenizer writes them at a place (after a space or not)."""
        lead = " " if (self.marker and after_space) else ""
        return tuple(self.tokenizer(lead + word.strip(), add_special_tokens=False)["input_ids"])

    def _spell(self, pieces: tuple[int, ...], after_space: bool) -> str | None:
        text = self.tokenizer.decode(list(pieces)).strip()
        if not is_writable(text) or (len(pieces) > 1 and " " in text):
            return None
        if len(pieces) == 1 or self.pieces(text, after_space) == pieces:
            return text
        return None

    def _classify(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """For every id: can it start a word after a space / not after one, continue one."""
        tok = self.tokenizer
        raw = tok.convert_ids_to_tokens(list(range(len(tok))))
        prefix = getattr(getattr(tok.backend_tokenizer, "model", None), "continuing_subword_prefix", None) or "##"
        marker = self.marker
        start_space = torch.zeros(self.size, dtype=torch.bool)
        start_bare = torch.zeros(self.size, dtype=torch.bool)
        cont = torch.zeros(self.size, dtype=torch.bool)
        for token_id, piece in enumerate(raw):
            if piece is None or self.usable_text(token_id) is None:
                continue
            if marker is None:
                if piece.startswith(prefix):
                    cont[token_id] = piece[len(prefix) :].isalnum()
                else:
                    start_space[token_id] = start_bare[token_id] = True
            elif piece.startswith(marker):
                start_space[token_id] = len(piece) > len(marker)
            else:
                start_bare[token_id] = True
                cont[token_id] = piece.isalnum()
        return start_space, start_bare, cont


def special_affixes(tokenizer) -> tuple[list[int], list[int]]:
    """The special tokens the tokenizer puts before and after a text ([CLS] / [SEP])."""
    bare = tokenizer("word", add_special_tokens=False)["input_ids"]
    full = tokenizer("word")["input_ids"]
    for i in range(len(full) - len(bare) + 1):
        if full[i : i + len(bare)] == bare:
            return full[:i], full[i + len(bare) :]
    return [], []


def _space_marker(tokenizer) -> str | None:
    sample = tokenizer.convert_ids_to_tokens(tokenizer("a b", add_special_tokens=False)["input_ids"])
    return next((m for m in ("Ġ", "▁") if any(t.startswith(m) for t in sample)), None)
