"""The status bar's count of the draft checker's flags: "2 words to check", a button.

The end of a whole-document check says its result in a status message that goes after
8 s; this count stays, follows every change of the flags (a check, an edited word,
Ignore, a fix, a new text) and is hidden when no word is flagged. A click on it goes to
the next flagged word (as Tools ▸ Next word to check, F8, does).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QStatusBar, QToolButton

NOTHING_TO_CHECK = "Nothing to check: no word is underlined."


def describe_flags(count: int) -> str:
    return f"{count:,} word{'' if count == 1 else 's'} to check"


class CheckCount(QToolButton):
    """A flat button (objectName ``checkCount``) in ``bar``; ``go_next`` runs on a click."""

    def __init__(self, bar: QStatusBar, go_next, shortcut: str):
        super().__init__(bar)
        self.setObjectName("checkCount")
        self.setAutoRaise(True)  # flat, like the status bar's labels, raised under the mouse
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the editor keeps the keyboard
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip(f"The words underlined in red: click (or press {shortcut}) to go to the next one")
        self.clicked.connect(lambda: go_next())
        # Before the other permanent widgets; the word count (made later) goes before it.
        bar.insertPermanentWidget(0, self)
        self.show_count(0)

    def show_count(self, count: int) -> None:
        """Say how many words are flagged; hidden when none is."""
        self.setText(describe_flags(count) if count else "")
        self.setVisible(count > 0)
