"""The writer's files on disk: read UTF-8, save atomically, autosave for crash recovery.

No Qt here (the window's document controller in ``ui/documents.py`` calls it), so the
rules that keep a writer's text safe are tested directly.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from bertmask_gui.engine.errors import BertMaskError

TEXT_SUFFIXES = (".txt", ".md")


class DocumentError(BertMaskError):
    """A file could not be read or written; the message says why and what to do."""


def read_text(path: str | Path) -> str:
    """The file's exact text (UTF-8; line endings kept as they are)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise DocumentError(f"“{path}” does not exist any more; it may have been moved or deleted.") from None
    except IsADirectoryError:
        raise DocumentError(f"“{path}” is a folder, not a text file.") from None
    except OSError as exc:
        raise DocumentError(f"“{path}” could not be opened: {exc.strerror or exc}.") from exc
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise DocumentError(
            f"“{path.name}” is not UTF-8 text, so it was not opened (and will not be overwritten). "
            "Convert it to UTF-8 in another editor first."
        ) from None


def save_atomic(path: str | Path, text: str) -> None:
    """Write ``text`` to ``path`` so that a crash leaves either the old or the new file.

    A temporary file in the same folder is written, flushed and fsynced, then moved over
    the target with ``os.replace`` (atomic on the same file system). An existing file that
    is not UTF-8 is never overwritten.
    """
    path = Path(path)
    if path.is_file():
        try:
            path.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            raise DocumentError(
                f"“{path.name}” is not UTF-8 text; BertMask does not overwrite it. Save under another name."
            ) from None
        except OSError:
            pass  # unreadable but maybe writable: the replace below reports the real problem
    folder = path.parent
    temp = None
    try:
        fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
        with os.fdopen(fd, "wb") as handle:
            handle.write(text.encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            try:
                os.chmod(temp, path.stat().st_mode & 0o7777)
            except OSError:
                pass
        os.replace(temp, path)
        temp = None
        _fsync_folder(folder)
    except OSError as exc:
        raise DocumentError(
            f"“{path}” could not be saved: {exc.strerror or exc}. Your text is still in the window; "
            "try another folder or free some disk space."
        ) from exc
    finally:
        if temp is not None:
            try:
                os.unlink(temp)
            except OSError:
                pass


def _fsync_folder(folder: Path) -> None:
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# ------------------------------------------------------------------ autosave
@dataclass(frozen=True)
class Recovery:
    """Text an earlier session autosaved and never cleaned up (it ended unexpectedly)."""

    file: Path
    text: str
    path: str | None  # the document's own file, if it had one
    saved_at: float


class Autosave:
    """One session's autosave file in ``folder`` (the user state dir).

    ``write`` is called with the text every 30 s of changes; ``clear`` when the text is
    safe (saved, discarded on purpose, or the window closed normally). A file left behind
    belongs to a session that ended unexpectedly: ``orphans`` finds them.
    """

    def __init__(self, folder: str | Path, session: str | None = None):
        self.folder = Path(folder)
        self.session = session or f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.file = self.folder / f"{self.session}.json"

    @property
    def lock_path(self) -> Path:
        return self.folder / f"{self.session}.lock"

    def write(self, text: str, path: str | None = None) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        payload = {"text": text, "path": path, "saved_at": time.time(), "pid": os.getpid()}
        save_atomic(self.file, json.dumps(payload, ensure_ascii=False))

    def clear(self) -> None:
        try:
            self.file.unlink()
        except FileNotFoundError:
            pass

    def orphans(self, session_alive: Callable[[str], bool]) -> list[Recovery]:
        """Autosaves of other sessions that are no longer running, newest first."""
        found = []
        if not self.folder.is_dir():
            return found
        for file in self.folder.glob("*.json"):
            session = file.stem
            if session == self.session or session_alive(session):
                continue
            try:
                payload = json.loads(file.read_text(encoding="utf-8"))
                found.append(Recovery(file, str(payload["text"]), payload.get("path"), float(payload.get("saved_at", 0))))
            except (OSError, ValueError, KeyError, TypeError):
                continue  # a damaged autosave is skipped, never a crash
        return sorted(found, key=lambda r: r.saved_at, reverse=True)

    @staticmethod
    def discard(recovery: Recovery) -> None:
        for file in (recovery.file, recovery.file.with_suffix(".lock")):
            try:
                file.unlink()
            except OSError:
                pass
