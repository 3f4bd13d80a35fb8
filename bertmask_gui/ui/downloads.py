"""One model download with its progress row (bar, bytes · speed · time left, Cancel).

Used by Model ▸ Choose model… and by the suggestions panel's "Download" button. The
download runs in a QThread (engine/download.py does the work, no Qt there); Cancel sets
a threading.Event the download checks on every chunk.
"""

from __future__ import annotations

import logging
import threading

from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

log = logging.getLogger(__name__)

CLOSE_WAIT_MS = 2000  # closing mid-download waits this long, then lets the download end alone
QUIT_WAIT_MS = 45000  # quitting the app waits this long at most for such downloads
# Downloads whose view closed while a network read was stalled: they stop at their next
# chunk or read timeout. Kept here so no QThread is ever destroyed while running.
ORPHANS: set = set()


class DownloadTask(QObject):
    """Runs one download in its QThread; reports progress and the outcome as signals."""

    progress = Signal(object)  # engine.download.Progress
    finished = Signal(str, str)  # repo id, folder
    failed = Signal(str, str, bool)  # repo id, sentence, cancelled

    def __init__(self, repo_id: str):
        super().__init__()
        self.repo_id = repo_id
        self.cancel_event = threading.Event()

    @Slot()
    def run(self) -> None:
        from bertmask_gui.engine.download import DownloadCancelled, download_model
        from bertmask_gui.engine.errors import BertMaskError

        try:
            folder = download_model(self.repo_id, progress=self.progress.emit, cancel=self.cancel_event)
        except DownloadCancelled as exc:
            self.failed.emit(self.repo_id, str(exc), True)
        except BertMaskError as exc:
            self.failed.emit(self.repo_id, str(exc), False)
        except Exception as exc:  # never a traceback in the window
            log.exception("Download of %s failed", self.repo_id)
            self.failed.emit(self.repo_id, f"The download failed ({exc}). Details are in the log file.", False)
        else:
            self.finished.emit(self.repo_id, str(folder))


def progress_text(event) -> str:
    """``12.0 MB of 440 MB, 8.1 MB/s, about 52 s left``."""
    from bertmask_gui.engine.download import format_bytes, format_seconds

    speed = f", {format_bytes(event.bytes_per_second)}/s" if event.bytes_per_second else ""
    return f"{format_bytes(event.done)} of {format_bytes(event.total)}{speed}, {format_seconds(event.seconds_left)}"


class DownloadProgress(QWidget):
    """Runs one download at a time and shows its progress; hidden when idle."""

    started = Signal(str)  # repo id
    progress = Signal(object)  # engine.download.Progress, after the row shows it
    finished = Signal(str, str)  # repo id, folder
    failed = Signal(str, str, bool)  # repo id, sentence, cancelled

    def __init__(self, parent=None):
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.bar = QProgressBar(self)
        self.bar.setRange(0, 1000)
        self.bar.setTextVisible(False)
        row.addWidget(self.bar, 1)
        self.label = QLabel("", self)
        self.label.setObjectName("downloadProgressLabel")
        row.addWidget(self.label)
        self.cancel_button = QPushButton("Cancel download", self)
        self.cancel_button.clicked.connect(self.cancel)
        row.addWidget(self.cancel_button)
        self.thread: QThread | None = None
        self.task: DownloadTask | None = None
        self.setVisible(False)

    @property
    def downloading(self) -> bool:
        return self.thread is not None

    def start(self, repo_id: str) -> None:
        self.bar.setValue(0)
        self.label.setText("Asking the Hub for the file list…")
        self.cancel_button.setEnabled(True)
        self.setVisible(True)
        self.task = DownloadTask(repo_id)
        self.thread = QThread(self)
        self.thread.setObjectName("bertmask-download")
        self.task.moveToThread(self.thread)
        self.thread.started.connect(self.task.run)
        self.task.progress.connect(self._on_progress)
        self.task.finished.connect(self._on_finished)
        self.task.failed.connect(self._on_failed)
        self.task.finished.connect(self.thread.quit)
        self.task.failed.connect(self.thread.quit)
        self.thread.finished.connect(self.task.deleteLater)
        self.started.emit(repo_id)
        self.thread.start()

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel_event.set()
            self.cancel_button.setEnabled(False)
            self.label.setText("Cancelling…")

    def abandon(self) -> None:
        """The view closes: cancel, wait a little, and let a stalled download end alone."""
        if self.task is not None:
            self.task.cancel_event.set()
            self._end_thread(CLOSE_WAIT_MS)

    def _on_progress(self, event) -> None:
        self.bar.setValue(int(event.fraction * 1000))
        self.label.setText(progress_text(event))
        self.progress.emit(event)

    def _on_finished(self, repo_id: str, folder: str) -> None:
        self._end_thread()
        self.bar.setValue(1000)
        self.finished.emit(repo_id, folder)

    def _on_failed(self, repo_id: str, sentence: str, cancelled: bool) -> None:
        self._end_thread()
        self.setVisible(False)
        self.failed.emit(repo_id, sentence, cancelled)

    def _end_thread(self, wait_ms: int = QUIT_WAIT_MS) -> None:
        thread, task = self.thread, self.task
        self.thread = self.task = None
        if thread is None:
            return
        thread.quit()
        if not thread.wait(wait_ms):
            _adopt(thread, task)


def _adopt(thread: QThread, task: DownloadTask) -> None:
    """Keep a cancelled download's thread alive until it ends by itself."""
    log.info("A cancelled download is still waiting on the network; it ends by itself")
    thread.setParent(None)
    entry = (thread, task)
    ORPHANS.add(entry)
    thread.finished.connect(lambda: ORPHANS.discard(entry))
    app = QCoreApplication.instance()
    if app is not None and not app.property("bertmask_waits_downloads"):
        app.setProperty("bertmask_waits_downloads", True)
        app.aboutToQuit.connect(wait_for_downloads)


def wait_for_downloads(timeout_ms: int = QUIT_WAIT_MS) -> bool:
    """Wait (bounded) for cancelled downloads still running; True if none is left."""
    for thread, _task in list(ORPHANS):
        thread.wait(timeout_ms)
    return all(not thread.isRunning() for thread, _ in ORPHANS)
