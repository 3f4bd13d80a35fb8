"""The writer's workflow in the window: selection mode, fill-all, keyboard, settings.

- **Selection mode**: select a word (or put the cursor in one) and press Ctrl+Space, or
  right-click ▸ Suggest alternatives: the panel lists whole-word alternatives for it;
  a click replaces it (one undo step).
- **Fill all**: with several masks, complete joint fillings are listed under the
  per-mask lists; a click fills every mask (one undo step).
- **Keyboard**: Ctrl+Space, Ctrl+M (insert [MASK]), Alt+1…Alt+9 (pick), F6 (to the
  list), Up/Down/Enter in the list, Esc (back to the editor); Help ▸ Keyboard shortcuts.
- **Settings** (Suggestions menu, stored in QSettings): whole words or raw pieces,
  meaning-keeping, filters, case, fill-all, number of suggestions.
"""

from __future__ import annotations

from dataclasses import fields, replace

from PySide6.QtCore import QObject, QSettings, Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut, QStandardItem, QStandardItemModel, QTextCursor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QInputDialog,
    QLabel,
    QListView,
    QVBoxLayout,
)

from bertmask_gui.engine.options import MAX_TOP_K, MIN_TOP_K, Filters, clamp_top_k
from bertmask_gui.engine.masks import USER_MASK, find_masks
from bertmask_gui.engine.textops import fill_many, trim_span, word_at
from bertmask_gui.ui.candidates import CANDIDATE_ROLE, MASK_ROLE, percent

FILL_ROLE = Qt.ItemDataRole.UserRole + 20
SETTINGS_PREFIX = "suggestions/"

# (setting key, menu text, default) — the checkable options of the Suggestions menu.
OPTIONS = [
    ("whole_words", "&Whole words (off: the model's raw word pieces)", True),
    ("keep_meaning", "&Keep the meaning of a selected word", True),
    ("fill_all", "Offer &fill-all for several masks", True),
    ("match_case", "Match &case", True),
    ("hide_punctuation", "Hide &punctuation", False),
    ("hide_numbers", "Hide &numbers", False),
    ("hide_stop_words", "Hide &stop words (the, of, and…)", False),
    ("hide_original", "Hide the selected word &itself", False),
]

SHORTCUTS = [
    ("Ctrl+Space", "Suggest alternatives for the selection or the word at the cursor"),
    ("Ctrl+M", "Insert [MASK] at the cursor (or replace the selection with it)"),
    ("Alt+1 … Alt+9", "Use the 1st … 9th suggestion"),
    ("F6", "Go to the suggestions list"),
    ("Up / Down, Enter", "In the list: move, and use the suggestion"),
    ("Esc", "In the list: back to the editor"),
    ("Ctrl+Enter", "Predict now"),
    ("Ctrl+Z / Ctrl+Shift+Z", "Undo / redo (a fill is one step)"),
    ("Ctrl+N / Ctrl+O / Ctrl+S", "New / open / save a text"),
]


def python_index(text: str, qt_pos: int) -> int:
    """QTextDocument position (UTF-16 units) -> Python string index."""
    units = 0
    for index, ch in enumerate(text):
        if units >= qt_pos:
            return index
        units += 2 if ord(ch) > 0xFFFF else 1
    return len(text)


class FillAllView(QListView):
    """Complete fillings of every mask, best first; click or Enter fills them all."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("fillAll")
        self.setAccessibleName("Fill all masks")
        self.setModel(QStandardItemModel(self))
        self.setEditTriggers(QListView.EditTrigger.NoEditTriggers)
        self.setMaximumHeight(150)
        self.on_choose = None
        self.clicked.connect(self._choose)

    def set_fills(self, fills) -> None:
        model: QStandardItemModel = self.model()
        model.clear()
        for rank, fill in enumerate(fills, start=1):
            item = QStandardItem(f"{rank}. {'  |  '.join(fill.words)}    {percent(fill.score)}")
            item.setData(fill, FILL_ROLE)
            item.setToolTip("Fill every mask with these words (one undo step)")
            model.appendRow(item)

    def _choose(self, index) -> None:
        fill = index.data(FILL_ROLE)
        if fill is not None and self.on_choose:
            self.on_choose(fill)

    def keyPressEvent(self, event) -> None:  # noqa: N802 (Qt API)
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self._choose(self.currentIndex())
            return
        super().keyPressEvent(event)


class WriterTools(QObject):
    """Attaches the writer workflow to a MainWindow (menus, shortcuts, the fill-all list)."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.editor = window.editor
        self.candidates = window.candidates
        self._focus_list_on_result = False
        self.selection: tuple[int, int] | None = None  # span of the last Ctrl+Space request
        self.options = {key: QSettings().value(SETTINGS_PREFIX + key, default, type=bool) for key, _, default in OPTIONS}
        top_k = QSettings().value(SETTINGS_PREFIX + "top_k", 0, type=int)
        if MIN_TOP_K <= top_k <= MAX_TOP_K and window.top_k == 5:
            window.top_k = top_k
        self._build_panel()
        self._build_actions()
        self.candidates.model().modelReset.connect(self._sync)
        self.editor.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.editor.customContextMenuRequested.connect(self._context_menu)

    # ----------------------------------------------------------------- panel
    def _build_panel(self) -> None:
        panel = self.candidates.parentWidget()
        layout = panel.layout()
        self.title = panel.findChild(QLabel, "panelTitle")
        self.fills_title = QLabel("Fill all masks together", panel)
        self.fills_title.setObjectName("fillAllTitle")
        self.fills_title.setStyleSheet("font-weight: bold; padding: 6px 8px;")
        self.fills_view = FillAllView(panel)
        self.fills_view.on_choose = self.fill_all
        layout.addWidget(self.fills_title)
        layout.addWidget(self.fills_view)
        self.score_note = QLabel(panel)
        self.score_note.setObjectName("scoreNote")
        self.score_note.setWordWrap(True)
        self.score_note.setStyleSheet("color: palette(placeholder-text); padding: 2px 8px 6px 8px;")
        layout.addWidget(self.score_note)
        self._show_fills(())

    def _show_fills(self, fills) -> None:
        self.fills_view.set_fills(fills)
        self.fills_view.setVisible(bool(fills))
        self.fills_title.setVisible(bool(fills))

    def _sync(self) -> None:
        """The candidate list was reset: match the fill-all list, the notes, the focus."""
        shown = self.window._shown
        prediction = shown[1] if shown and self.candidates.model().rowCount() else None
        fills = getattr(prediction, "fills", ()) if prediction else ()
        self._show_fills(fills)
        if fills:
            self.fills_title.setText(f"Fill all masks together (% = {prediction.fills_label})")
        if prediction is not None and prediction.masks:
            label = getattr(prediction.masks[0], "score_label", "probability at the mask")
            mode = "whole words" if prediction.mode != "pieces" else "raw word pieces"
            self.score_note.setText(f"% = {label} ({mode}). Alt+1…9 picks; Ctrl+Space suggests for a selected word.")
        else:
            self.score_note.setText("")
        if self.title is not None:
            original = prediction.masks[0].original if prediction is not None and prediction.masks else None
            self.title.setText(f"Alternatives for “{original}”" if original else "Suggestions")
        if prediction is not None and self._focus_list_on_result and prediction.mode == "span":
            self._focus_list_on_result = False
            self.focus_list()

    # --------------------------------------------------------------- actions
    def _build_actions(self) -> None:
        window = self.window
        bar = window.menuBar()
        edit_menu = _menu(bar, "&Edit")
        help_menu = _menu(bar, "&Help")
        self.suggest_action = self._action("Suggest &alternatives", self.suggest, "Ctrl+Space")
        self.insert_mask_action = self._action("Insert [&MASK]", self.insert_mask, "Ctrl+M")
        self.focus_list_action = self._action("Go to the suggestions &list", self.focus_list, "F6")
        self.pick_actions = []
        pick_menu = edit_menu.addMenu("&Use suggestion")
        for n in range(1, 10):
            action = self._action(f"Suggestion &{n}", lambda checked=False, n=n: self.pick(n), f"Alt+{n}")
            pick_menu.addAction(action)
            self.pick_actions.append(action)
        before = pick_menu.menuAction()
        for action in (self.suggest_action, self.insert_mask_action, self.focus_list_action):
            edit_menu.insertAction(before, action)

        menu = bar.insertMenu(help_menu.menuAction(), _new_menu(window, "&Suggestions")).menu()
        self.option_actions = {}
        for key, text, _ in OPTIONS:
            action = QAction(text, window)
            action.setCheckable(True)
            action.setChecked(self.options[key])
            action.toggled.connect(lambda on, key=key: self.set_option(key, on))
            menu.addAction(action)
            self.option_actions[key] = action
        menu.addSeparator()
        self.top_k_action = QAction("Number of suggestions…", window)
        self.top_k_action.triggered.connect(self._ask_top_k)
        menu.addAction(self.top_k_action)

        self.shortcuts_action = self._action("&Keyboard shortcuts", self.show_shortcuts, None)
        help_menu.insertAction(help_menu.actions()[0] if help_menu.actions() else None, self.shortcuts_action)

        back = QShortcut(QKeySequence(Qt.Key.Key_Escape), self.candidates)
        back.setContext(Qt.ShortcutContext.WidgetShortcut)
        back.activated.connect(self.back_to_editor)
        back2 = QShortcut(QKeySequence(Qt.Key.Key_Escape), self.fills_view)
        back2.setContext(Qt.ShortcutContext.WidgetShortcut)
        back2.activated.connect(self.back_to_editor)

    def _action(self, text, slot, shortcut) -> QAction:
        action = QAction(text, self.window)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        self.window.addAction(action)
        return action

    # --------------------------------------------------------------- settings
    def set_option(self, key: str, on: bool) -> None:
        self.options[key] = on
        QSettings().setValue(SETTINGS_PREFIX + key, on)
        if key in self.option_actions and self.option_actions[key].isChecked() != on:
            self.option_actions[key].setChecked(on)
        self.refresh()

    def set_top_k(self, value: int) -> None:
        self.window.top_k = clamp_top_k(value)
        QSettings().setValue(SETTINGS_PREFIX + "top_k", self.window.top_k)
        self.refresh()

    def _ask_top_k(self) -> None:
        value, ok = QInputDialog.getInt(self.window, "Number of suggestions", "Suggestions per mask (1–50):",
                                        self.window.top_k, MIN_TOP_K, MAX_TOP_K)
        if ok:
            self.set_top_k(value)

    def filters(self) -> Filters:
        values = {f.name: self.options[f.name] for f in fields(Filters) if f.name in self.options}
        return Filters(top_k=self.window.top_k, **values)

    def request_options(self, fill_all: bool = False) -> dict:
        """Extra PredictRequest fields for the window's ordinary (mask) predictions.

        Fill-all costs several passes per mask, so it is asked for separately, after the
        per-mask lists are on screen (``MainWindow._request_fill_all``).
        """
        filters = replace(self.filters(), fill_all=fill_all and self.options["fill_all"])
        return {"mode": "words" if self.options["whole_words"] else "pieces", "filters": filters}

    def show_fill_all_pending(self) -> None:
        self.fills_title.setText("Fill all masks together: finding complete fillings…")
        self.fills_title.setVisible(True)

    def refresh(self) -> None:
        """Settings changed: ask again, for the selection if that is what is shown."""
        shown = self.window._shown
        if shown and shown[1].mode == "span" and self.selection and shown[0] == self.editor.toPlainText():
            self._request_span(*self.selection)
        else:
            self.window.predict_now()

    # ------------------------------------------------------------ selection
    def suggest(self) -> None:
        """Ctrl+Space: alternatives for the selection, or for the word at the cursor."""
        text = self.editor.toPlainText()
        cursor = self.editor.textCursor()
        if cursor.hasSelection():
            start = python_index(text, cursor.selectionStart())
            end = python_index(text, cursor.selectionEnd())
            start, end = trim_span(text, start, end)
            span = (start, end) if start < end else None
        else:
            span = word_at(text, python_index(text, cursor.position()))
        if span is None:
            self.window.statusBar().showMessage(
                "Select a word (or put the cursor in one), then press Ctrl+Space for alternatives.", 6000
            )
            return
        if find_masks(text[span[0] : span[1]], self.window._model_mask_token):
            self.window.predict_now()
            return
        self._focus_list_on_result = True
        self._request_span(*span)

    def suggest_at(self, start: int, end: int) -> None:
        """Selection mode for text[start:end] (Python indices)."""
        self._focus_list_on_result = True
        self._request_span(start, end)

    def _request_span(self, start: int, end: int) -> None:
        from bertmask_gui.ui.worker import PredictRequest

        window = self.window
        window._debounce.stop()
        self.selection = (start, end)
        text = self.editor.toPlainText()
        word = text[start:end]
        if not window._model_ready:
            window.statusBar().showMessage("The model is still loading; try again in a moment.", 5000)
            return
        window._latest_id += 1
        window.worker.request_prediction(
            PredictRequest(window._latest_id, text, window.top_k, mode="span", span=(start, end), filters=self.filters())
        )
        window.statusBar().showMessage(f"Looking for alternatives to “{word}”…", 3000)

    def _context_menu(self, pos) -> None:
        menu = self.editor.createStandardContextMenu(pos)
        text = self.editor.toPlainText()
        cursor = self.editor.textCursor()
        if cursor.hasSelection():
            span = trim_span(text, python_index(text, cursor.selectionStart()), python_index(text, cursor.selectionEnd()))
            span = span if span[0] < span[1] else None
        else:
            span = word_at(text, python_index(text, self.editor.cursorForPosition(pos).position()))
        first = menu.actions()[0] if menu.actions() else None
        label = f"Suggest alternatives for “{text[span[0]:span[1]][:30]}”" if span else "Suggest alternatives"
        action = QAction(label, menu)
        action.setShortcut(QKeySequence("Ctrl+Space"))
        action.setEnabled(span is not None)
        if span is not None:
            action.triggered.connect(lambda: self.suggest_at(*span))
        menu.insertAction(first, action)
        mask_action = QAction("Insert [MASK]", menu)
        mask_action.setShortcut(QKeySequence("Ctrl+M"))
        mask_action.triggered.connect(self.insert_mask)
        menu.insertAction(first, mask_action)
        menu.insertSeparator(first)
        self._last_context_menu = menu
        menu.popup(self.editor.mapToGlobal(pos))

    # --------------------------------------------------------------- editing
    def insert_mask(self) -> None:
        """Ctrl+M: [MASK] at the cursor, or in place of the selection (one undo step)."""
        cursor = self.editor.textCursor()
        text = self.editor.toPlainText()
        at = python_index(text, cursor.selectionStart() if cursor.hasSelection() else cursor.position())
        before = text[at - 1] if at > 0 else " "
        after_index = python_index(text, cursor.selectionEnd() if cursor.hasSelection() else cursor.position())
        after = text[after_index] if after_index < len(text) else " "
        insert = USER_MASK
        if not cursor.hasSelection():
            insert = ("" if before.isspace() or before in "([“\"'" else " ") + USER_MASK
            insert += "" if after.isspace() or after in ".,;:!?)]”\"'" else " "
        cursor.beginEditBlock()
        cursor.insertText(insert)
        cursor.endEditBlock()
        self.editor.setTextCursor(cursor)

    def pick(self, n: int) -> bool:
        """Alt+n: use the n-th suggestion (of the mask whose row is current, else the first)."""
        model = self.candidates.model()
        current = self.candidates.currentIndex()
        mask = current.data(MASK_ROLE) if current.isValid() else 0
        rows = model.candidate_rows(mask or 0)
        if not 1 <= n <= len(rows):
            self.window.statusBar().showMessage(f"There is no suggestion {n} to use.", 4000)
            return False
        index = model.index(rows[n - 1], 0)
        self.window.fill(index.data(MASK_ROLE), index.data(CANDIDATE_ROLE))
        return True

    def fill_all(self, fill) -> bool:
        """Put a complete filling in place of every mask, as ONE undo step."""
        window = self.window
        shown = window._shown
        text = self.editor.toPlainText()
        if shown is None:
            return False
        shown_text, prediction = shown
        if text == shown_text:
            spans = [(m.start, m.end) for m in prediction.masks]
        else:
            spans = [(s.start, s.end) for s in find_masks(text, window._model_mask_token)]
        if len(spans) != len(fill.words):
            window.statusBar().showMessage("The text changed; pick again from the new suggestions.", 5000)
            return False
        _, edits = fill_many(text, spans, list(fill.words))
        self.editor.apply_edits([(e.start, e.end, e.replacement) for e in edits])
        return True

    # ----------------------------------------------------------------- focus
    def focus_list(self) -> None:
        model = self.candidates.model()
        self.candidates.setFocus(Qt.FocusReason.ShortcutFocusReason)
        current = self.candidates.currentIndex()
        if not current.isValid() or current.data(CANDIDATE_ROLE) is None:
            for row in range(model.rowCount()):
                if model.index(row, 0).data(CANDIDATE_ROLE) is not None:
                    self.candidates.setCurrentIndex(model.index(row, 0))
                    break

    def back_to_editor(self) -> None:
        self.editor.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def show_shortcuts(self) -> QDialog:
        dialog = QDialog(self.window)
        dialog.setObjectName("shortcutsDialog")
        dialog.setWindowTitle("Keyboard shortcuts")
        layout = QVBoxLayout(dialog)
        rows = "".join(f"<tr><td><b>{k}</b></td><td>&nbsp;&nbsp;{v}</td></tr>" for k, v in SHORTCUTS)
        label = QLabel(f"<table cellspacing='4'>{rows}</table>", dialog)
        label.setObjectName("shortcutsTable")
        label.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(label)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, dialog)
        buttons.rejected.connect(dialog.reject)
        layout.addWidget(buttons)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog


def _menu(bar, title):
    for action in bar.actions():
        if action.menu() is not None and action.text() == title:
            return action.menu()
    return bar.addMenu(title)


def _new_menu(window, title):
    from PySide6.QtWidgets import QMenu

    return QMenu(title, window)
