"""Files the desktop asks the running app to open (macOS Finder's "Open with", a document
dropped on the Dock icon): Qt delivers them as a QFileOpenEvent to the application, not
as a command-line argument, at launch as well as later."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject


class FileOpenHandler(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.window = window

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt API)
        if event.type() == QEvent.Type.FileOpen and event.file():
            self.window.load_text_file(event.file())  # asks first if the text has unsaved changes
            return True
        return False


def open_files_from_the_desktop(app, window) -> FileOpenHandler:
    handler = FileOpenHandler(window)
    app.installEventFilter(handler)
    return handler
