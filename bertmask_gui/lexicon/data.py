"""Where the lexicon's data files are: ``resources/lexicon/`` wherever the app runs from."""

from __future__ import annotations

from pathlib import Path

from bertmask_gui.paths import resources_dir


def lexicon_dir() -> Path:
    return resources_dir() / "lexicon"


def data_path(name: str) -> Path:
    """A data file shipped with the app; a clear error if the install lacks it."""
    path = lexicon_dir() / name
    if not path.is_file():
        raise FileNotFoundError(
            f"The word data file {name!r} is missing from {path.parent}: the installation is "
            "incomplete. Reinstall BertMask."
        )
    return path
