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


NOTICES_NAME = "THIRD-PARTY-NOTICES.txt"


def notices_path() -> Path | None:
    """The packaged app's third-party notices (written at build time); None from source."""
    if getattr(sys, "frozen", False):
        path = Path(getattr(sys, "_MEIPASS", "")) / NOTICES_NAME
        if path.is_file():
            return path
    return None


def license_path() -> Path | None:
    """BertMask's own LICENSE: beside the notices in the app, at the top of a checkout."""
    frozen = getattr(sys, "frozen", False)
    path = Path(getattr(sys, "_MEIPASS", "")) / "LICENSE.txt" if frozen else _PACKAGE.parent / "LICENSE"
    return path if path.is_file() else None
