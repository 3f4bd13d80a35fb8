"""Edit ▸ Find / Replace: a bar under the editor (match case, whole words, wrap around).

Ctrl+F opens it on the find field, Enter or F3 finds the next match, Shift+Enter or
Shift+F3 the previous, Esc closes it. Ctrl+H shows the replace field too: Replace puts
the replacement in place of the current match and finds the next; Replace All changes
every match as ONE undo step (QTextCursor edit block).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeySequence, QTextCursor, QTextDocument
from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from bertmask_gui.ui.menus import add_action


class FindBar(QWidget):
    """Find and replace in ``editor`` (a QPlainTextEdit)."""

    def __init__(self, editor, parent=None):
        super().__init__(parent)
        self.setObjectName("find_bar")
        self.editor = editor
        self.find_text = QLineEdit(self)
        self.find_text.setObjectName("find_text")
        self.find_text.setPlaceholderText("Find")
        self.find_text.setClearButtonEnabled(True)
        self.replace_text = QLineEdit(self)
        self.replace_text.setObjectName("replace_text")
        self.replace_text.setPlaceholderText("Replace with")
        self.match_case = QCheckBox("Match &case", self)
        self.match_case.setObjectName("find_match_case")
        self.whole_words = QCheckBox("&Whole words", self)
        self.whole_words.setObjectName("find_whole_words")
        self.result = QLabel(self)
        self.result.setObjectName("find_result")
        self.previous_button = QPushButton("Previous", self)
        self.next_button = QPushButton("Next", self)
        self.replace_button = QPushButton("Replace", self)
        self.replace_all_button = QPushButton("Replace All", self)
        close = QToolButton(self)
        close.setText("✕")
        close.setToolTip("Close the find bar (Esc)")
        close.setAutoRaise(True)
        close.clicked.connect(self.close_bar)

        self.previous_button.setToolTip("Previous match (Shift+F3, Shift+Enter)")
        self.next_button.setToolTip("Next match (F3, Enter)")
        self.replace_all_button.setToolTip("Replace every match: one Undo takes them all back")
        for field in (self.find_text, self.replace_text):
            field.setMinimumWidth(160)
        checks = QHBoxLayout()
        checks.addWidget(self.match_case)
        checks.addWidget(self.whole_words)
        checks.addWidget(self.result, 1)
        grid = QGridLayout(self)
        grid.setContentsMargins(6, 4, 6, 4)
        grid.addWidget(self.find_text, 0, 0)
        grid.addWidget(self.previous_button, 0, 1)
        grid.addWidget(self.next_button, 0, 2)
        grid.addWidget(close, 0, 3)
        grid.addWidget(self.replace_text, 1, 0)
        grid.addWidget(self.replace_button, 1, 1)
        grid.addWidget(self.replace_all_button, 1, 2)
        grid.addLayout(checks, 2, 0, 1, 4)
        grid.setColumnStretch(0, 1)

        self.previous_button.clicked.connect(self.find_previous)
        self.next_button.clicked.connect(self.find_next)
        self.replace_button.clicked.connect(self.replace)
        self.replace_all_button.clicked.connect(self.replace_all)
        self.find_text.textEdited.connect(self._find_as_typed)
        for field in (self.find_text, self.replace_text):
            field.installEventFilter(self)
        self._replacing = False
        self._show_replace(False)
        self.hide()

    # ----------------------------------------------------------------- opening
    def open_find(self) -> None:
        self._open(replacing=False)

    def open_replace(self) -> None:
        self._open(replacing=True)

    def _open(self, replacing: bool) -> None:
        selected = self.editor.textCursor().selectedText()
        if selected and "\u2029" not in selected:  # one line of selection: what to find
            self.find_text.setText(selected)
        self._show_replace(replacing)
        self.result.setText("")
        self.show()
        self.find_text.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.find_text.selectAll()

    def _show_replace(self, replacing: bool) -> None:
        self._replacing = replacing
        for widget in (self.replace_text, self.replace_button, self.replace_all_button):
            widget.setVisible(replacing)

    def close_bar(self) -> None:
        self.hide()
        self.editor.setFocus(Qt.FocusReason.OtherFocusReason)

    # ----------------------------------------------------------------- finding
    def flags(self, backward: bool = False) -> QTextDocument.FindFlag:
        flags = QTextDocument.FindFlag(0)
        if self.match_case.isChecked():
            flags |= QTextDocument.FindFlag.FindCaseSensitively
        if self.whole_words.isChecked():
            flags |= QTextDocument.FindFlag.FindWholeWords
        if backward:
            flags |= QTextDocument.FindFlag.FindBackward
        return flags

    def find_next(self) -> bool:
        return self._find(backward=False)

    def find_previous(self) -> bool:
        return self._find(backward=True)

    def _find_as_typed(self) -> None:
        """While typing in the field: the first match from where the search started."""
        cursor = self.editor.textCursor()
        cursor.setPosition(cursor.selectionStart())
        self.editor.setTextCursor(cursor)
        self._find(backward=False)

    def _find(self, backward: bool) -> bool:
        """Select the next (previous) match after (before) the cursor, wrapping around."""
        needle = self.find_text.text()
        if not needle:
            self.result.setText("")
            return False
        document = self.editor.document()
        found = document.find(needle, self.editor.textCursor(), self.flags(backward))
        if found.isNull():  # wrap around to the start (end) of the text
            start = QTextCursor(document)
            start.movePosition(QTextCursor.MoveOperation.End if backward else QTextCursor.MoveOperation.Start)
            found = document.find(needle, start, self.flags(backward))
            wrapped = not found.isNull()
        else:
            wrapped = False
        if found.isNull():
            self.result.setText(f"“{needle}” is not in the text.")
            return False
        self.editor.setTextCursor(found)
        self.editor.ensureCursorVisible()
        self.result.setText("Wrapped around to the start." if wrapped and not backward else
                            "Wrapped around to the end." if wrapped else "")
        return True

    def _is_match(self, cursor: QTextCursor) -> bool:
        """Is the cursor's selection exactly a match (as the find flags see it)?"""
        if not cursor.hasSelection():
            return False
        probe = QTextCursor(self.editor.document())
        probe.setPosition(cursor.selectionStart())
        found = self.editor.document().find(self.find_text.text(), probe, self.flags())
        return (found.selectionStart(), found.selectionEnd()) == (cursor.selectionStart(), cursor.selectionEnd())

    # --------------------------------------------------------------- replacing
    def replace(self) -> bool:
        """Replace the selected match (one undo step) and find the next one."""
        if not self.find_text.text():
            return False
        cursor = self.editor.textCursor()
        if self._is_match(cursor):
            cursor.insertText(self.replace_text.text())  # one undo step of its own
            self.editor.setTextCursor(cursor)
        return self.find_next()

    def replace_all(self) -> int:
        """Replace every match as ONE undo step; returns how many."""
        needle, replacement = self.find_text.text(), self.replace_text.text()
        if not needle:
            return 0
        document = self.editor.document()
        edit = QTextCursor(document)
        count = 0
        found = document.find(needle, 0, self.flags())
        while not found.isNull():
            if count == 0:
                edit.beginEditBlock()
            edit.setPosition(found.selectionStart())
            edit.setPosition(found.selectionEnd(), QTextCursor.MoveMode.KeepAnchor)
            edit.insertText(replacement)
            count += 1
            found = document.find(needle, edit.position(), self.flags())
        if count:
            edit.endEditBlock()
        self.result.setText(f"Replaced {count:,} time{'s' if count != 1 else ''}." if count else
                            f"“{needle}” is not in the text.")
        return count

    # -------------------------------------------------------------------- keys
    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt API)
        if event.type() == QEvent.Type.KeyPress:
            key = event.key()
            if key == Qt.Key.Key_Escape:
                self.close_bar()
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                backward = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
                if obj is self.replace_text:
                    self.replace()
                else:
                    self._find(backward)
                return True
        return False


class FindActions(QObject):
    """The Edit menu's Find, Find Next/Previous, Replace and Replace All for ``window``."""

    def __init__(self, window, bar: FindBar):
        super().__init__(window)
        self.bar = bar
        edit = window.menus.edit
        before = window.menus.predict  # the find block goes above "Predict now"
        self.find = self._action(window, "&Find…", bar.open_find, QKeySequence.StandardKey.Find, "find")
        self.find_next = self._action(window, "Find &Next", bar.find_next, QKeySequence("F3"), "find_next")
        self.find_previous = self._action(
            window, "Find Pre&vious", bar.find_previous, QKeySequence("Shift+F3"), "find_previous"
        )
        self.replace = self._action(window, "&Replace…", bar.open_replace, QKeySequence("Ctrl+H"), "replace")
        self.replace_all = self._action(window, "Replace &All", self._replace_all, None, "replace_all")
        for action in (self.find, self.find_next, self.find_previous, self.replace, self.replace_all):
            edit.insertAction(before, action)
        edit.insertSeparator(before)

    @staticmethod
    def _action(window, text, slot, shortcut, name):
        action = add_action(window, None, text, slot, shortcut)
        action.setObjectName(name)
        return action

    def _replace_all(self) -> None:
        """From the menu: with the bar open and a word to find, replace; else open it."""
        if self.bar.isVisible() and self.bar.find_text.text():
            self.bar.replace_all()
        else:
            self.bar.open_replace()


def install_find_bar(window) -> FindActions:
    """Put a find bar under ``window.editor`` and its actions in the Edit menu."""
    editor = window.editor
    splitter = editor.parentWidget()
    index, sizes = splitter.indexOf(editor), splitter.sizes()
    column = QWidget()
    column.setSizePolicy(editor.sizePolicy())  # the splitter's stretch factor lives there
    column.setObjectName("editor_column")
    layout = QVBoxLayout(column)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(0)
    bar = FindBar(editor, column)
    splitter.insertWidget(index, column)
    layout.addWidget(editor, 1)  # moves it out of the splitter, into the column
    layout.addWidget(bar)
    splitter.setSizes(sizes)
    return FindActions(window, bar)
