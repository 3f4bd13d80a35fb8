"""Every QSettings key the app uses, in one enum, with typed getters and setters.

A stored value that is missing, of the wrong type or out of range reads as the default,
so a hand-edited or old settings file never breaks the window.
"""

from __future__ import annotations

from enum import Enum

from PySide6.QtCore import QByteArray, QSettings

from bertmask_gui.engine.options import DEFAULT_TOP_K, DEVICE_CHOICES, MAX_TOP_K, MIN_TOP_K, default_engine

THEMES = ("system", "light", "dark")
DEFAULT_DELAY_MS = 300  # after the last keystroke: a pause in typing, not a wait (issue 3)
DELAY_RANGE = (0, 5000)


class Key(str, Enum):
    MODEL = "model/last"  # the model loaded last (a Hub id or a folder)
    MODEL_FOLDER = "model/last_folder"  # where the folder picker starts
    DEVICE = "predict/device"
    ENGINE = "predict/engine"  # "auto" (ONNX Runtime on the CPU once exported) or "torch"
    TOP_K = "predict/top_k"  # the one top-k: Preferences and the Suggestions menu share it
    DELAY_MS = "predict/delay_ms"
    THEME = "ui/theme"
    GEOMETRY = "window/geometry"
    RECENT_FILES = "documents/recent"
    # The checkable options of the Suggestions menu.
    WHOLE_WORDS = "suggestions/whole_words"
    KEEP_MEANING = "suggestions/keep_meaning"
    FILL_ALL = "suggestions/fill_all"
    MATCH_CASE = "suggestions/match_case"
    HIDE_PUNCTUATION = "suggestions/hide_punctuation"
    HIDE_NUMBERS = "suggestions/hide_numbers"
    HIDE_STOP_WORDS = "suggestions/hide_stop_words"
    HIDE_ORIGINAL = "suggestions/hide_original"
    CHECK_AS_YOU_TYPE = "check/as_you_type"  # the draft checker on the paragraph at the cursor
    WORDS_ONLY = "suggestions/words_only"
    # The editor's look (ui/view.py, ui/editor_font.py; issue 20).
    ZOOM = "view/zoom"  # zoom steps from the font size (View ▸ Zoom In / Out / Reset)
    READABLE_COLUMN = "view/readable_column"
    FONT_FAMILY = "editor/font_family"  # "": the app's default font
    FONT_SIZE = "editor/font_size"  # points; 0: the app's default size

    @property
    def option_name(self) -> str:
        """``suggestions/fill_all`` -> ``fill_all`` (the Filters field of the same name)."""
        return self.value.rsplit("/", 1)[1]


OPTION_DEFAULTS = {
    Key.WHOLE_WORDS: True,
    Key.KEEP_MEANING: True,
    Key.FILL_ALL: True,
    Key.MATCH_CASE: True,
    Key.HIDE_PUNCTUATION: False,
    Key.HIDE_NUMBERS: False,
    Key.HIDE_STOP_WORDS: False,
    Key.HIDE_ORIGINAL: False,
    Key.WORDS_ONLY: True,
}
OLD_TOP_K = "suggestions/top_k"  # the Suggestions menu's own top-k before both shared Key.TOP_K


# ------------------------------------------------------------------- reading
def _int(key: Key, default: int, low: int, high: int) -> int:
    try:
        value = int(QSettings().value(key.value, default))
    except (TypeError, ValueError):
        value = default
    return min(max(value, low), high)


def _choice(key: Key, default: str, choices) -> str:
    value = str(QSettings().value(key.value, default) or default).lower()
    return value if value in choices else default


def device() -> str:
    return _choice(Key.DEVICE, "auto", DEVICE_CHOICES)


ENGINE_SETTINGS = ("auto", "torch")  # Preferences ▸ Engine; "onnx" is the command line's


def engine() -> str:
    default = default_engine()
    return _choice(Key.ENGINE, default if default in ENGINE_SETTINGS else "auto", ENGINE_SETTINGS)


def top_k() -> int:
    migrate_top_k()
    return _int(Key.TOP_K, DEFAULT_TOP_K, MIN_TOP_K, MAX_TOP_K)


def delay_ms() -> int:
    return _int(Key.DELAY_MS, DEFAULT_DELAY_MS, *DELAY_RANGE)


def theme() -> str:
    return _choice(Key.THEME, "system", THEMES)


def text(key: Key) -> str:
    return QSettings().value(key.value, "", type=str) or ""


def option(key: Key) -> bool:
    return QSettings().value(key.value, OPTION_DEFAULTS[key], type=bool)


def options() -> dict[str, bool]:
    """The Suggestions menu's options by name (``fill_all``…)."""
    return {key.option_name: option(key) for key in OPTION_DEFAULTS}


def recent_files() -> list[str]:
    value = QSettings().value(Key.RECENT_FILES.value, [])
    if isinstance(value, str):  # QSettings stores a one-item list as a string
        value = [value]
    return [str(v) for v in (value or [])]


def number(key: Key, default: int, low: int, high: int) -> int:
    """An integer setting in low..high (the default when missing or broken)."""
    return _int(key, default, low, high)


def switch(key: Key, default: bool = False) -> bool:
    """An on/off setting outside the Suggestions menu's options."""
    return QSettings().value(key.value, default, type=bool)


def geometry() -> QByteArray | None:
    return QSettings().value(Key.GEOMETRY.value)


# ------------------------------------------------------------------- writing
def save(key: Key, value) -> None:
    QSettings().setValue(key.value, value)


def forget(key: Key) -> None:
    QSettings().remove(key.value)


def sync() -> None:
    QSettings().sync()


def migrate_top_k() -> None:
    """Fold the old Suggestions-menu top-k into Key.TOP_K, keeping what the window showed.

    The old menu value was used whenever Preferences still said the default, so it wins
    unless Preferences held another number.
    """
    settings = QSettings()
    if not settings.contains(OLD_TOP_K):
        return
    old = settings.value(OLD_TOP_K, 0, type=int)
    current = settings.value(Key.TOP_K.value, DEFAULT_TOP_K, type=int)
    if MIN_TOP_K <= old <= MAX_TOP_K and current == DEFAULT_TOP_K:
        settings.setValue(Key.TOP_K.value, old)
    settings.remove(OLD_TOP_K)
