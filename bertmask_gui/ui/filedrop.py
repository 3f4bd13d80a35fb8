"""Drop a .txt or .md file on the window to open it (with the unsaved-changes question).

The editor (``MaskEditor``'s drop handlers) would otherwise take a dropped file as text
and paste its path; a drop that carries no such file (dragged text) works as before.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QTimer

OPENABLE = (".txt", ".md", ".markdown", ".text")


def dropped_file(mime) -> Path | None:
    """The first local .txt/.md file a drag carries, if any."""
    if mime is None or not mime.hasUrls():
        return None
    for url in mime.urls():
        if url.isLocalFile() and Path(url.toLocalFile()).suffix.lower() in OPENABLE:
            return Path(url.toLocalFile())
    return None


class FileDrop(QObject):
    """Opens the files dropped on the editor (``MaskEditor.file_dropped``)."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        window.editor.file_dropped.connect(self.open_later)

    def open_later(self, path) -> None:
        # After the drop has finished: the unsaved-changes question is modal.
        QTimer.singleShot(0, lambda: self.window.documents.open_path(path))
