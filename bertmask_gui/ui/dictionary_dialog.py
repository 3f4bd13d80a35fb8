"""Preferences ▸ Edit your dictionary: the words the draft checker accepts as yours."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QMessageBox, QPlainTextEdit, QVBoxLayout

from bertmask_gui.lexicon.user_dictionary import UserDictionary


class DictionaryDialog(QDialog):
    """One word a line; OK saves the list (lexicon.user_dictionary)."""

    def __init__(self, parent=None, dictionary: UserDictionary | None = None):
        super().__init__(parent)
        self.setWindowTitle("Your dictionary")
        self.setObjectName("dictionaryDialog")
        self.dictionary = dictionary or UserDictionary()
        layout = QVBoxLayout(self)
        note = QLabel(
            "Words the checker accepts as yours (names, terms, spellings), one a line.\n"
            f"Kept in {self.dictionary.path}", self
        )
        note.setWordWrap(True)
        layout.addWidget(note)
        self.words = QPlainTextEdit("\n".join(self.dictionary.words), self)
        self.words.setObjectName("dictionaryWords")
        layout.addWidget(self.words)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def accept(self) -> None:
        try:
            self.dictionary.replace_all(self.words.toPlainText().split())
        except OSError as exc:
            QMessageBox.warning(self, "Your dictionary", f"Your dictionary could not be saved ({exc.strerror or exc}). "
                                "Check that the folder is writable, then try again; your words are still here.")
            return
        super().accept()


def edit_dictionary(parent=None) -> DictionaryDialog:
    dialog = DictionaryDialog(parent)
    dialog.open()
    return dialog
