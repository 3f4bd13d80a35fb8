"""The editor's font: family and size from Preferences, times the View menu's zoom.

Kept apart from ui/view.py (the View menu) so that Preferences can use it without
importing the menus.
"""

from __future__ import annotations

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QFontComboBox, QSpinBox

from bertmask_gui.ui import settings
from bertmask_gui.ui.settings import Key

ZOOM_RANGE = (-6, 20)  # steps; each step is ZOOM_FACTOR larger
ZOOM_FACTOR = 1.1
FONT_SIZE_RANGE = (6, 72)  # points
DEFAULT_FONT_PROPERTY = "bertmask_default_font"  # the editor's own font, before any choice


def default_font(editor) -> QFont:
    """The editor's font before Preferences and zoom (what a size of 0 means); the
    application font when there is no editor."""
    if editor is None:
        return QFont()
    font = editor.property(DEFAULT_FONT_PROPERTY)
    return QFont(font) if isinstance(font, QFont) else QFont(editor.font())


def zoom_steps() -> int:
    return settings.number(Key.ZOOM, 0, *ZOOM_RANGE)


def editor_font(default: QFont, steps: int | None = None) -> QFont:
    """``default`` (the editor's own font) with the saved family, size and zoom."""
    font = QFont(default)
    family = settings.text(Key.FONT_FAMILY)
    if family:
        font.setFamily(family)
    size = settings.number(Key.FONT_SIZE, 0, 0, FONT_SIZE_RANGE[1])
    base = float(size) if size >= FONT_SIZE_RANGE[0] else default.pointSizeF()
    steps = zoom_steps() if steps is None else steps
    font.setPointSizeF(round(base * ZOOM_FACTOR**steps, 1))
    return font


class FontRows:
    """Preferences' "Editor font" rows: a family and a size, saved on OK."""

    def __init__(self, form, parent, default: QFont):
        self.family = QFontComboBox(parent)
        self.family.setObjectName("fontFamilyCombo")
        self.family.setCurrentFont(QFont(settings.text(Key.FONT_FAMILY) or default.family()))
        self.size = QSpinBox(parent)
        self.size.setObjectName("fontSizeSpin")
        self.size.setRange(*FONT_SIZE_RANGE)
        self.size.setSuffix(" pt")
        saved = settings.number(Key.FONT_SIZE, 0, 0, FONT_SIZE_RANGE[1])
        self.size.setValue(saved if saved >= FONT_SIZE_RANGE[0] else round(default.pointSizeF()))
        form.addRow("Editor font:", self.family)
        form.addRow("Font size:", self.size)

    def save(self) -> None:
        settings.save(Key.FONT_FAMILY, self.family.currentFont().family())
        settings.save(Key.FONT_SIZE, self.size.value())
