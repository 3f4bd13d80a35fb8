"""The View menu: zoom in / out / reset (remembered) and a readable column.

The readable column keeps the text in a centred column of about ``COLUMN_CHARS``
characters when the window is wide (lines of 60-75 characters are the range typography
books give for comfortable reading); in a narrow window the text uses the whole width.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QFont, QKeySequence
from PySide6.QtWidgets import QMenu

from bertmask_gui.ui import settings
from bertmask_gui.ui.editor_font import DEFAULT_FONT_PROPERTY, ZOOM_RANGE, default_font, editor_font, zoom_steps
from bertmask_gui.ui.menus import add_action
from bertmask_gui.ui.settings import Key

COLUMN_CHARS = 70


def view_menu(window) -> QMenu:
    """The window's View menu (ui.explore may have made it already), else a new one
    after Edit."""
    bar = window.menuBar()
    for action in bar.actions():
        if action.menu() is not None and action.text().replace("&", "") == "View":
            return action.menu()
    menu = QMenu("&View", window)
    bar.insertMenu(window.menus.model.menuAction(), menu)
    return menu


class ViewOptions(QObject):
    """View ▸ Zoom In / Zoom Out / Reset Zoom / Readable Column for ``window.editor``."""

    def __init__(self, window):
        super().__init__(window)
        self.editor = window.editor
        if not isinstance(self.editor.property(DEFAULT_FONT_PROPERTY), QFont):
            self.editor.setProperty(DEFAULT_FONT_PROPERTY, QFont(self.editor.font()))
        self.menu = view_menu(window)
        first = self.menu.actions()[0] if self.menu.actions() else None
        self.zoom_in = self._action(window, "Zoom &In", lambda: self.zoom(+1), ["Ctrl+=", "Ctrl++"], "zoom_in")
        self.zoom_out = self._action(window, "Zoom &Out", lambda: self.zoom(-1), ["Ctrl+-"], "zoom_out")
        self.zoom_reset = self._action(window, "&Reset Zoom", self.reset_zoom, ["Ctrl+0"], "zoom_reset")
        self.menu.addSeparator()
        self.readable = self._action(window, "Readable &Column", self.set_readable_column, [], "readable_column")
        self.readable.setCheckable(True)
        self.readable.setChecked(settings.switch(Key.READABLE_COLUMN))
        self.readable.setToolTip(f"Keep the text in a centred column of about {COLUMN_CHARS} characters")
        if first is not None:  # the editor's view first, then what others put in the menu
            for action in (self.zoom_in, self.zoom_out, self.zoom_reset, self.readable):
                self.menu.insertAction(first, action)
            self.menu.insertSeparator(first)
        self.editor.installEventFilter(self)
        self.apply_font()

    def _action(self, window, text, slot, keys, name):
        action = add_action(window, self.menu, text, slot)
        action.setShortcuts([QKeySequence(k) for k in keys])
        action.setObjectName(name)
        return action

    # ------------------------------------------------------------------- zoom
    def zoom(self, delta: int) -> None:
        low, high = ZOOM_RANGE
        settings.save(Key.ZOOM, max(low, min(high, zoom_steps() + delta)))
        self.apply_font()

    def reset_zoom(self) -> None:
        settings.save(Key.ZOOM, 0)
        self.apply_font()

    def apply_font(self) -> None:
        """The saved family, size and zoom, now (Preferences calls this after OK too)."""
        self.editor.setFont(editor_font(default_font(self.editor)))
        steps = zoom_steps()
        self.zoom_in.setEnabled(steps < ZOOM_RANGE[1])
        self.zoom_out.setEnabled(steps > ZOOM_RANGE[0])
        self.update_column()

    # --------------------------------------------------------- readable column
    def set_readable_column(self, on: bool) -> None:
        settings.save(Key.READABLE_COLUMN, bool(on))
        self.update_column()

    def column_margin(self) -> int:
        """The left (= right) margin that centres a COLUMN_CHARS column, or 0."""
        if not self.readable.isChecked():
            return 0
        metrics = self.editor.fontMetrics()
        column = metrics.horizontalAdvance("n" * COLUMN_CHARS) + 2 * int(self.editor.document().documentMargin())
        scroll = self.editor.verticalScrollBar()
        width = self.editor.contentsRect().width() - (scroll.width() if scroll.isVisible() else 0)
        return max(0, (width - column) // 2)

    def update_column(self) -> None:
        margin = self.column_margin()
        self.editor.setViewportMargins(margin, 0, margin, 0)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt API)
        if obj is self.editor and event.type() == QEvent.Type.Resize:
            self.update_column()
        return False
