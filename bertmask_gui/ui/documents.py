"""File ▸ New / Open / Save / Save As / Recent, the title, unsaved-changes prompts,
autosave and crash recovery, for the main window's editor.

The file rules (UTF-8, atomic save, autosave files) are in the Qt-free
``bertmask_gui.docfiles``; this module is the Qt side: actions, dialogs, timers.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QEvent, QLockFile, QObject, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox

from bertmask_gui import APP_NAME
from bertmask_gui.docfiles import Autosave, DocumentError, Recovery, read_text, save_atomic
from bertmask_gui.ui import settings
from bertmask_gui.ui.menus import add_action
from bertmask_gui.ui.settings import Key

log = logging.getLogger(__name__)

AUTOSAVE_MS = 30_000
RECENT_MAX = 8
FILE_FILTER = "Text (*.txt *.md);;All files (*)"
SAVE, DISCARD, CANCEL = "save", "discard", "cancel"


def autosave_folder() -> Path:
    import platformdirs

    return Path(platformdirs.user_state_dir(APP_NAME, appauthor=False)) / "autosave"


# Module-level so tests can answer the questions without a modal dialog.
def ask_unsaved_changes(parent, name: str) -> str:
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(APP_NAME)
    box.setText(f"Save the changes to “{name}”?")
    box.setInformativeText("If you don't save, your changes will be lost.")
    box.setStandardButtons(
        QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel
    )
    box.setDefaultButton(QMessageBox.StandardButton.Save)
    answer = box.exec()
    if answer == QMessageBox.StandardButton.Save:
        return SAVE
    if answer == QMessageBox.StandardButton.Discard:
        return DISCARD
    return CANCEL


def ask_restore(parent, recovery: Recovery) -> bool:
    import datetime

    when = datetime.datetime.fromtimestamp(recovery.saved_at).strftime("%Y-%m-%d %H:%M")
    name = Path(recovery.path).name if recovery.path else "an untitled text"
    answer = QMessageBox.question(
        parent,
        f"Restore text? — {APP_NAME}",
        f"{APP_NAME} was closed unexpectedly. Your unsaved text from {name} "
        f"(autosaved {when}, {len(recovery.text):,} characters) can be restored.\n\nRestore it?",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.Yes,
    )
    return answer == QMessageBox.StandardButton.Yes


class DocumentController(QObject):
    """Owns the current file of ``window.editor``."""

    def __init__(self, window, folder: Path | None = None):
        super().__init__(window)
        self.window = window
        self.editor = window.editor
        self.path: Path | None = None
        self.newline = "\n"  # the open file's line ending (the editor itself uses \n)
        self.autosave = Autosave(folder or autosave_folder())
        self.session_lock = QLockFile(str(self.autosave.lock_path))  # held while this window runs
        self.session_lock.setStaleLockTime(0)
        self._recovery_checked = False
        self.autosave_timer = QTimer(self)
        self.autosave_timer.setSingleShot(True)
        self.autosave_timer.setInterval(AUTOSAVE_MS)
        self.autosave_timer.timeout.connect(self.autosave_now)
        self.editor.textChanged.connect(self._on_text_changed)
        self.editor.document().modificationChanged.connect(self._update_title)
        self._build_actions()
        window.installEventFilter(self)
        self._update_title()

    # ----------------------------------------------------------------- menus
    def _build_actions(self) -> None:
        window = self.window
        menu = window.menus.file
        open_action = window.menus.open_text
        open_action.triggered.connect(self.open_dialog)
        open_action.setText("&Open…")
        self.new_action = add_action(window, None, "&New", self.new, QKeySequence.StandardKey.New)
        self.save_action = add_action(window, None, "&Save", self.save, QKeySequence.StandardKey.Save)
        self.save_as_action = add_action(window, None, "Save &As…", self.save_as, QKeySequence("Ctrl+Shift+S"))
        self.recent_menu = QMenu("Open &Recent", window)
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        menu.insertAction(open_action, self.new_action)
        after = _action_after(menu, open_action)
        menu.insertMenu(after, self.recent_menu)
        menu.insertAction(after, self.save_action)
        menu.insertAction(after, self.save_as_action)
        if after is not None:
            menu.insertSeparator(after)
        self._fill_recent()

    def recent_files(self) -> list[str]:
        return settings.recent_files()

    def _remember(self, path: Path) -> None:
        files = [str(path)] + [f for f in self.recent_files() if f != str(path)]
        settings.save(Key.RECENT_FILES, files[:RECENT_MAX])

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        files = self.recent_files()
        for i, file in enumerate(files, start=1):
            action = self.recent_menu.addAction(f"&{i} {Path(file).name}")
            action.setToolTip(file)
            action.triggered.connect(lambda checked=False, f=file: self.open_recent(f))
        if not files:
            self.recent_menu.addAction("No recent files").setEnabled(False)
        else:
            self.recent_menu.addSeparator()
            self.recent_menu.addAction("Clear the list", lambda: settings.forget(Key.RECENT_FILES))

    # ------------------------------------------------------------- the title
    def display_name(self) -> str:
        return self.path.name if self.path else "Untitled"

    def is_modified(self) -> bool:
        return self.editor.document().isModified()

    def _update_title(self, *_):
        self.window.setWindowTitle(f"{self.display_name()}[*] — {APP_NAME}")
        self.window.setWindowModified(self.is_modified())

    # ------------------------------------------------------------ operations
    def maybe_save(self) -> bool:
        """True when it is fine to drop the current text (saved, discarded, unchanged)."""
        if not self.is_modified():
            return True
        answer = ask_unsaved_changes(self.window, self.display_name())
        if answer == SAVE:
            return self.save()
        return answer == DISCARD

    def new(self) -> None:
        if not self.maybe_save():
            return
        self.editor.setPlainText("")
        self.newline = "\n"
        self._set_path(None)
        self.autosave.clear()

    def open_dialog(self) -> None:
        if not self.maybe_save():
            return
        start = str(self.path.parent) if self.path else ""
        path, _ = QFileDialog.getOpenFileName(self.window, "Open text", start, FILE_FILTER)
        if path:
            self.open_path(path, ask=False)

    def open_recent(self, path: str) -> bool:
        return self.open_path(path)

    def open_path(self, path, ask: bool = True) -> bool:
        """Load a UTF-8 file into the editor; say why if it cannot be read."""
        if ask and not self.maybe_save():
            return False
        path = Path(path)
        try:
            text = read_text(path)
        except DocumentError as exc:
            self.window.warn(str(exc))
            return False
        self.newline = "\r\n" if "\r\n" in text else "\n"
        self.editor.setPlainText(text)
        self._set_path(path)
        self._remember(path.resolve())
        self.autosave.clear()
        self.window.statusBar().showMessage(f"Opened {path.name}.", 4000)
        return True

    def save(self) -> bool:
        if self.path is None:
            return self.save_as()
        return self._write(self.path)

    def save_as(self) -> bool:
        start = str(self.path) if self.path else "Untitled.txt"
        path, _ = QFileDialog.getSaveFileName(self.window, "Save text as", start, FILE_FILTER)
        if not path:
            return False
        path = Path(path)
        if not path.suffix:
            path = path.with_suffix(".txt")
        return self._write(path)

    def _write(self, path: Path) -> bool:
        try:
            text = self.editor.toPlainText()
            save_atomic(path, text.replace("\n", self.newline) if self.newline != "\n" else text)
        except DocumentError as exc:
            self.window.warn(str(exc))
            return False
        self.editor.document().setModified(False)
        self._set_path(path)
        self._remember(path.resolve())
        self.autosave.clear()
        self.window.statusBar().showMessage(f"Saved {path.name}.", 4000)
        return True

    def _set_path(self, path: Path | None) -> None:
        self.path = path
        self.window.setWindowFilePath(str(path) if path else "")
        self._update_title()

    # -------------------------------------------------------------- autosave
    def _on_text_changed(self) -> None:
        if self.is_modified() and not self.autosave_timer.isActive():
            self.autosave_timer.start()  # at most AUTOSAVE_MS after the first unsaved change

    def autosave_now(self) -> None:
        self.autosave_timer.stop()
        if not self.is_modified():
            self.autosave.clear()
            return
        if not self.session_lock.isLocked():
            # The lock says "this session is alive" to other instances: take it before the
            # first autosave file exists, in a folder that exists.
            self.autosave.folder.mkdir(parents=True, exist_ok=True)
            self.session_lock.tryLock(0)
        try:
            self.autosave.write(self.editor.toPlainText(), str(self.path) if self.path else None)
        except DocumentError as exc:
            log.warning("Autosave failed: %s", exc)
            self.window.statusBar().showMessage(f"Autosave failed: {exc}", 10000)

    def session_alive(self, session: str) -> bool:
        lock = QLockFile(str(self.autosave.folder / f"{session}.lock"))
        lock.setStaleLockTime(0)
        if lock.tryLock(0):  # a lock left by a dead process is stale and taken over
            lock.unlock()
            return False
        return True

    def offer_recovery(self) -> bool:
        """After a crash: offer the newest orphaned autosave; True if restored."""
        self._recovery_checked = True
        orphans = self.autosave.orphans(self.session_alive)
        if not orphans:
            return False
        newest = orphans[0]
        restored = False
        if not self.is_modified() and ask_restore(self.window, newest):
            self.editor.setPlainText(newest.text)
            self.editor.document().setModified(True)  # restored, not yet saved
            self._set_path(Path(newest.path) if newest.path else None)
            self.autosave_now()
            restored = True
            self.window.statusBar().showMessage("Your unsaved text was restored. Save it to keep it.", 10000)
        for recovery in orphans:
            Autosave.discard(recovery)
        return restored

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt API)
        if obj is self.window and event.type() == QEvent.Type.Show and not self._recovery_checked:
            self._recovery_checked = True
            QTimer.singleShot(0, self.offer_recovery)
        return False

    # ---------------------------------------------------------------- closing
    def confirm_close(self) -> bool:
        """Ask about unsaved changes; clean up the autosave when the window may close."""
        if not self.maybe_save():
            return False
        self.autosave_timer.stop()
        self.autosave.clear()
        if self.session_lock.isLocked():
            self.session_lock.unlock()
        return True


def _action_after(menu: QMenu, action: QAction):
    actions = menu.actions()
    index = actions.index(action)
    return actions[index + 1] if index + 1 < len(actions) else None
