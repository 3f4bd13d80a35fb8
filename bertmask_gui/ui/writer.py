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

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QInputDialog, QLabel, QMenu, QVBoxLayout

from bertmask_gui.engine.masks import USER_MASK, find_masks
from bertmask_gui.engine.options import MAX_TOP_K, MIN_TOP_K, clamp_top_k
from bertmask_gui.engine.results import Mode
from bertmask_gui.engine.textops import fill_many, trim_span, word_at
from bertmask_gui.ui import settings
from bertmask_gui.ui.candidates import CANDIDATE_ROLE, MASK_ROLE
from bertmask_gui.ui.cycling import WordCycler
from bertmask_gui.ui.menus import add_action
from bertmask_gui.ui.settings import Key

# The checkable options of the Suggestions menu (defaults: settings.OPTION_DEFAULTS).
OPTIONS = [
    (Key.WHOLE_WORDS, "&Whole words (off: the model's raw word pieces)"),
    (Key.KEEP_MEANING, "&Keep the meaning of a selected word"),
    (Key.FILL_ALL, "Offer &fill-all for several masks"),
    (Key.MATCH_CASE, "Match &case"),
    (Key.WORDS_ONLY, "&Only words (no punctuation, numbers or symbols)"),
    (Key.HIDE_PUNCTUATION, "Hide &punctuation"),
    (Key.HIDE_NUMBERS, "Hide &numbers"),
    (Key.HIDE_STOP_WORDS, "Hide &stop words (the, of, and…)"),
    (Key.HIDE_ORIGINAL, "Hide the selected word &itself"),
]

SHORTCUTS = [
    ("Ctrl+Space", "Suggest alternatives for the selection or the word at the cursor"),
    ("Ctrl+M", "Insert [MASK] at the cursor (or replace the selection with it)"),
    ("Alt+1 … Alt+9", "Use the 1st … 9th suggestion"),
    ("Alt+Down / Alt+Up", "After a fill: try the next / previous suggestion in its place"),
    ("F6", "Go to the suggestions list"),
    ("Up / Down, Enter", "In the list: move, and use the suggestion"),
    ("Esc", "In the list: back to the editor"),
    ("Ctrl+Enter", "Predict now"),
    ("Ctrl+Z / Ctrl+Shift+Z", "Undo / redo (a fill is one step)"),
    ("Ctrl+N / Ctrl+O / Ctrl+S", "New / open / save a text"),
    ("Ctrl+F, Enter or F3 / Shift+F3", "Find; the next / previous match (Esc closes the bar)"),
    ("Ctrl+H", "Replace (Replace All is one undo step)"),
    ("Ctrl+= / Ctrl+- / Ctrl+0", "Zoom in / out / back to the font size"),
    ("F7", "Check the whole document (underlines the words that look wrong)"),
    ("F8", "Go to the next underlined word and show its fixes"),
]


def python_index(text: str, qt_pos: int) -> int:
    """QTextDocument position (UTF-16 units) -> Python string index."""
    units = 0
    for index, ch in enumerate(text):
        if units >= qt_pos:
            return index
        units += 2 if ord(ch) > 0xFFFF else 1
    return len(text)


class WriterTools(QObject):
    """Attaches the writer workflow to a MainWindow (menus, shortcuts, the fill-all list)."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.editor = window.editor
        self.session = window.session
        self.panel = window.panel
        self.candidates = window.candidates
        self._focus_list_on_result = False
        self.last_context_menu: QMenu | None = None
        self.panel.fills_view.chosen.connect(self.fill_all)
        self.panel.compare.returnPressed.connect(self.compare)
        self.session.fill_all_pending.connect(self.panel.show_fills_pending)
        self._build_actions()
        self.cycler = WordCycler(window)  # Alt+Down / Alt+Up: the filled slot's other words
        self.candidates.model().modelReset.connect(self._sync)
        self.editor.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.editor.customContextMenuRequested.connect(self.context_menu)

    def _sync(self) -> None:
        """The candidate list was reset: match the fill-all list, the notes, the focus."""
        shown = self.session.shown
        prediction = shown.prediction if shown and self.candidates.model().rowCount() else None
        fills = prediction.fills if prediction else ()
        self.panel.show_fills(fills, prediction.fills_label if fills else "")
        note = self.panel.score_note
        if prediction is not None and prediction.masks:
            label = getattr(prediction.masks[0], "score_label", "probability at the mask")
            mode = "whole words" if prediction.mode != Mode.PIECES else "raw word pieces"
            note.setText(
                f"% = {label} ({mode}); a low figure means the model is unsure. "
                "Alt+1…9 picks; Ctrl+Space suggests for a selected word."
            )
        else:
            note.setText("")
        original = prediction.masks[0].original if prediction is not None and prediction.masks else None
        self.panel.title.setText(f"Alternatives for “{original}”" if original else "Suggestions")
        self.panel.compare.setVisible(bool(original))
        if prediction is not None and self._focus_list_on_result and prediction.mode == Mode.SPAN:
            self._focus_list_on_result = False
            self.focus_list()

    # --------------------------------------------------------------- actions
    def _build_actions(self) -> None:
        window = self.window
        edit_menu, help_menu = window.menus.edit, window.menus.help
        self.suggest_action = add_action(window, None, "Suggest &alternatives", self.suggest, "Ctrl+Space")
        self.insert_mask_action = add_action(window, None, "Insert [&MASK]", self.insert_mask, "Ctrl+M")
        self.focus_list_action = add_action(window, None, "Go to the suggestions &list", self.focus_list, "F6")
        pick_menu = edit_menu.addMenu("&Use suggestion")
        self.pick_actions = [
            add_action(window, pick_menu, f"Suggestion &{n}", lambda checked=False, n=n: self.pick(n), f"Alt+{n}")
            for n in range(1, 10)
        ]
        before = pick_menu.menuAction()
        for action in (self.suggest_action, self.insert_mask_action, self.focus_list_action):
            edit_menu.insertAction(before, action)

        self.suggestions_menu = QMenu("&Suggestions", window)
        window.menuBar().insertMenu(help_menu.menuAction(), self.suggestions_menu)
        self.option_actions = {}
        for key, text in OPTIONS:
            action = QAction(text, window)
            action.setCheckable(True)
            action.setChecked(self.session.options[key.option_name])
            action.toggled.connect(lambda on, key=key: self.set_option(key.option_name, on))
            self.suggestions_menu.addAction(action)
            self.option_actions[key.option_name] = action
        self.suggestions_menu.addSeparator()
        self.top_k_action = add_action(window, self.suggestions_menu, "Number of suggestions…", self._ask_top_k)

        self.shortcuts_action = add_action(window, None, "&Keyboard shortcuts", self.show_shortcuts)
        help_menu.insertAction(help_menu.actions()[0] if help_menu.actions() else None, self.shortcuts_action)
        for view in (self.candidates, self.panel.fills_view):
            back = QShortcut(QKeySequence(Qt.Key.Key_Escape), view)
            back.setContext(Qt.ShortcutContext.WidgetShortcut)
            back.activated.connect(self.back_to_editor)

    # --------------------------------------------------------------- settings
    def set_option(self, name: str, on: bool) -> None:
        """A Suggestions-menu switch by name (``fill_all``…): saved, and asked again."""
        self.session.options[name] = on
        settings.save(Key("suggestions/" + name), on)
        if name in self.option_actions and self.option_actions[name].isChecked() != on:
            self.option_actions[name].setChecked(on)
        self.session.refresh()

    def set_top_k(self, value: int) -> None:
        self.session.top_k = clamp_top_k(value)
        settings.save(Key.TOP_K, self.session.top_k)
        self.session.refresh()

    def _ask_top_k(self) -> None:
        value, ok = QInputDialog.getInt(self.window, "Number of suggestions", "Suggestions per mask (1–50):",
                                        self.session.top_k, MIN_TOP_K, MAX_TOP_K)
        if ok:
            self.set_top_k(value)

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
        if find_masks(text[span[0] : span[1]], self.session.mask_token):
            self.session.predict_now()
            return
        self.suggest_at(*span)

    def suggest_at(self, start: int, end: int) -> None:
        """Selection mode for text[start:end] (Python indices)."""
        self._focus_list_on_result = self.session.predict_span(start, end)

    def compare(self) -> None:
        """The Compare-with field: score the writer's words in the selection's place."""
        words = tuple(self.panel.compare.text().replace(",", " ").replace("|", " ").split())
        if self.session.selection is not None and words:
            self.session.predict_span(*self.session.selection, compare=words)

    def context_menu(self, pos) -> None:
        """The editor's menu with Suggest alternatives and Insert [MASK] on top."""
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
        self.last_context_menu = menu
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
        if self.session.shown is None:
            return False
        spans = self.session.mask_spans()
        if spans is None or len(spans) != len(fill.words):
            self.window.statusBar().showMessage("The text changed; pick again from the new suggestions.", 5000)
            return False
        text = self.editor.toPlainText()
        _, edits = fill_many(text, [(span.start, span.end) for span in spans], list(fill.words))
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

