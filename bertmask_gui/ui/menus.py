"""The main window's menus and actions, by name, for the parts that add to them."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

from bertmask_gui.ui import about
from bertmask_gui.ui.model_dialog import choose_model
from bertmask_gui.ui.preferences import open_preferences


@dataclass(frozen=True)
class Menus:
    file: QMenu
    edit: QMenu
    model: QMenu
    help: QMenu
    open_text: QAction  # File ▸ Open… (DocumentController connects it)
    open_model: QAction
    predict: QAction
    preferences: QAction
    choose_model: QAction


def add_action(window, menu: QMenu | None, text: str, slot=None, shortcut=None) -> QAction:
    """An action of ``window`` (its shortcut works anywhere in it), in ``menu`` if given."""
    action = QAction(text, window)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    if slot is not None:
        action.triggered.connect(slot)
    window.addAction(action)
    if menu is not None:
        menu.addAction(action)
    return action


def build_menus(window) -> Menus:
    """File, Edit, Model and Help for a MainWindow (Suggestions is added by WriterTools)."""
    bar = window.menuBar()
    file, edit, model, help_ = (bar.addMenu(title) for title in ("&File", "&Edit", "&Model", "&Help"))
    open_text = add_action(window, file, "&Open text…", None, QKeySequence.StandardKey.Open)
    open_model = add_action(window, file, "Open &model folder…", window.choose_model_folder)
    file.addSeparator()
    add_action(window, file, "&Quit", window.close, QKeySequence.StandardKey.Quit)
    editor = window.editor
    for text, slot, key in (
        ("&Undo", editor.undo, "Undo"), ("&Redo", editor.redo, "Redo"), (None, None, None),
        ("Cu&t", editor.cut, "Cut"), ("&Copy", editor.copy, "Copy"), ("&Paste", editor.paste, "Paste"),
        ("Select &All", editor.selectAll, "SelectAll"),
    ):
        if text is None:
            edit.addSeparator()
            continue
        action = add_action(window, edit, text, slot, getattr(QKeySequence.StandardKey, key))
        action.setObjectName(key.lower())
        action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)  # the editor handles Ctrl+Z, Ctrl+C… itself
    edit.addSeparator()
    predict = add_action(window, edit, "&Predict now", window.session.predict_now)
    predict.setShortcuts([QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")])
    edit.addSeparator()
    preferences = add_action(
        window, edit, "Pre&ferences…", lambda: open_preferences(window), QKeySequence.StandardKey.Preferences
    )
    choose = add_action(window, model, "&Choose model…", lambda: choose_model(window))
    add_action(window, help_, "&About BertMask", lambda: about.show_about(window, window.model_name))
    return Menus(file, edit, model, help_, open_text, open_model, predict, preferences, choose)

