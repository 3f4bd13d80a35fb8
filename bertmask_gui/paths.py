"""Where the app's bundled files are: a source checkout, a wheel, or a frozen app."""

from __future__ import annotations

import sys
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def resources_dir() -> Path:
    """The ``resources/`` folder (icons, desktop file, sample text)."""
    candidates = [
        Path(getattr(sys, "_MEIPASS", "")) / "resources" if getattr(sys, "frozen", False) else None,
        _PACKAGE / "_resources",  # installed wheel (force-included by hatch)
        _PACKAGE.parent / "resources",  # source checkout / editable install
    ]
    for folder in candidates:
        if folder is not None and folder.is_dir():
            return folder
    return _PACKAGE.parent / "resources"


def icon_path() -> Path:
    return resources_dir() / "icons" / "bertmask.png"
