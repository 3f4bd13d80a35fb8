"""bertmask_gui.lexicon.data: where the lexicon's data files are, and a clear sentence
when one is missing. (tests/lexicon/ is also where make mutation looks for the lexicon's
tests: pyproject.toml [tool.mutmut].)"""

from __future__ import annotations

import pytest

from bertmask_gui.lexicon import data
from bertmask_gui.paths import resources_dir


def test_the_lexicon_lives_in_resources():
    assert data.lexicon_dir() == resources_dir() / "lexicon"


def test_a_shipped_file_is_found(tmp_path, monkeypatch):
    (tmp_path / "words.txt").write_text("word\n", encoding="utf-8")
    monkeypatch.setattr(data, "lexicon_dir", lambda: tmp_path)
    assert data.data_path("words.txt") == tmp_path / "words.txt"


def test_a_missing_file_is_a_sentence(tmp_path, monkeypatch):
    monkeypatch.setattr(data, "lexicon_dir", lambda: tmp_path)
    (tmp_path / "folder.txt").mkdir()  # a folder of that name is no data file either
    for name in ("nowhere.txt", "folder.txt"):
        with pytest.raises(FileNotFoundError) as raised:
            data.data_path(name)
        assert str(raised.value) == (
            f"The word data file {name!r} is missing from {tmp_path}: the installation is incomplete. "
            "Reinstall BertMask."
        )
