"""One settings module: typed getters, defaults for bad values, one top-k key."""

from __future__ import annotations

from PySide6.QtCore import QSettings

from bertmask_gui.ui import settings
from bertmask_gui.ui.settings import OLD_TOP_K, Key


def test_old_suggestions_top_k_moves_to_the_one_key(qt_app_identity):
    QSettings().setValue(OLD_TOP_K, 12)
    assert settings.top_k() == 12
    assert not QSettings().contains(OLD_TOP_K) and QSettings().value(Key.TOP_K.value, type=int) == 12


def test_a_preferences_top_k_other_than_the_default_wins(qt_app_identity):
    settings.save(Key.TOP_K, 9)
    QSettings().setValue(OLD_TOP_K, 12)
    assert settings.top_k() == 9 and not QSettings().contains(OLD_TOP_K)


def test_bad_values_read_as_defaults(qt_app_identity):
    settings.save(Key.DELAY_MS, "soon")
    settings.save(Key.THEME, "purple")
    QSettings().setValue(OLD_TOP_K, 900)  # out of range: dropped, not migrated
    assert (settings.delay_ms(), settings.theme(), settings.top_k()) == (settings.DEFAULT_DELAY_MS, "system", 5)


def test_options_have_their_defaults_and_names(qt_app_identity):
    assert settings.options()["fill_all"] is True and settings.options()["hide_numbers"] is False
    settings.save(Key.HIDE_NUMBERS, True)
    assert settings.options()["hide_numbers"] is True
