"""The writer's own words: names, terms, spellings the checker must accept.

One word a line in ``dictionary.txt`` under platformdirs' user data folder (Linux:
``~/.local/share/BertMask/``), so it outlives settings resets and can be edited by hand;
added from the checker (*Add to dictionary*), edited in Preferences. Saved atomically
(a temp file, then a rename): a crash never leaves half a list.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from bertmask_gui.lexicon.words import normalized

FILE_NAME = "dictionary.txt"


def default_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("BertMask", appauthor=False)) / FILE_NAME


class UserDictionary:
    """The writer's words, matched without regard to case; kept in the order added."""

    def __init__(self, path: Path | None = None):
        self.path = Path(path) if path is not None else default_path()
        self._words: dict[str, str] = {}  # lower case -> as the writer wrote it
        self.reload()

    def reload(self) -> None:
        self._words = {}
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except (FileNotFoundError, UnicodeDecodeError, OSError):
            lines = []
        for line in lines:
            self._remember(line)

    @property
    def words(self) -> tuple[str, ...]:
        return tuple(self._words.values())

    def __contains__(self, word: str) -> bool:
        return normalized(word).lower() in self._words

    def add(self, word: str) -> bool:
        """Remember ``word`` (saved at once); False if it was there or is not a word."""
        if not self._remember(word):
            return False
        self.save()
        return True

    def remove(self, word: str) -> bool:
        if self._words.pop(normalized(word).lower(), None) is None:
            return False
        self.save()
        return True

    def replace_all(self, words) -> None:
        """The whole list at once (Preferences' editor), saved."""
        self._words = {}
        for word in words:
            self._remember(word)
        self.save()

    def save(self) -> None:
        """Write the list atomically; raises OSError with the folder named if it cannot."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(prefix=".dictionary-", dir=self.path.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write("".join(f"{w}\n" for w in self._words.values()))
            os.replace(temp, self.path)
        except OSError:
            Path(temp).unlink(missing_ok=True)
            raise

    def _remember(self, word: str) -> bool:
        word = normalized(word.strip())
        if not word or any(c.isspace() for c in word) or word.lower() in self._words:
            return False
        self._words[word.lower()] = word
        return True
