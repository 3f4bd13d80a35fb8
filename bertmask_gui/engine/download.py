"""Download a fill-mask model from the Hugging Face Hub: only what is needed, with byte
progress, a Cancel that really stops, and resume after an interruption.

Nothing here runs unless the user asked for a download. No Qt: the GUI runs
``download_model`` in a QThread and passes a ``threading.Event`` for Cancel.

How a download goes:
1. ``plan_download`` asks the Hub for the file list with sizes (``HfApi.model_info``
   with ``files_metadata``) and keeps only config, tokenizer and ``*.safetensors``
   files. A repository without safetensors weights is refused here, before any big
   file is fetched.
2. Each file is streamed (huggingface_hub's shared HTTP client: proxies, certificates
   and user agent as the library configures them) into
   ``<folder>/.bertmask-incomplete/<name>.part``. A part left by an earlier attempt is
   continued with an HTTP ``Range`` request. Its size (and SHA-256 for LFS files) is
   checked before it is moved into place.
3. ``.bertmask-complete.json`` is written last. ``models.resolve_model`` never loads a
   folder of ours without it, so a half-downloaded model is never loaded.

The folder is ``app_models_dir()/<org--model>``: a plain folder that can be copied to
a machine without internet.
"""

from __future__ import annotations

import errno
import fnmatch
import hashlib
import json
import logging
import os
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

from bertmask_gui.engine.errors import BertMaskError, first_line
from bertmask_gui.engine.models import (
    COMPLETE_MARKER,
    INCOMPLETE_DIR,
    MLM_HEADS,
    MODEL_FILE_PATTERNS,
    PICKLE_WEIGHTS,
    app_models_dir,
    folder_name,
    is_hub_id,
)

log = logging.getLogger(__name__)

DEFAULT_ENDPOINT = "https://huggingface.co"
CHUNK_BYTES = 256 * 1024
CONNECT_TIMEOUT_S = 15.0
READ_TIMEOUT_S = 30.0  # a stalled connection is given up after this, then retried
PROGRESS_EVERY_S = 0.1  # at most this often a progress callback (plus the last one)
OFFLINE_MODE_SENTENCE = (
    "Downloads are switched off on this computer (the HF_HUB_OFFLINE environment variable "
    "is set). Unset it and restart BertMask, or copy the model folder onto this computer "
    "by hand and open it with File ▸ Open model folder…."
)
_DONE_FILE = "done.json"  # in the incomplete folder: revision + files already in place


class DownloadError(BertMaskError):
    """A download failed; the message says why and what to do."""


class DownloadCancelled(DownloadError):
    """The user cancelled; what was downloaded so far is kept for a later resume."""


@dataclass(frozen=True)
class RemoteFile:
    name: str
    size: int | None
    sha256: str | None = None  # LFS files (the weights) have one


@dataclass(frozen=True)
class DownloadPlan:
    repo_id: str
    revision: str
    files: tuple[RemoteFile, ...]

    @property
    def total_bytes(self) -> int:
        return sum(f.size or 0 for f in self.files)


@dataclass(frozen=True)
class Progress:
    done: int  # bytes on disk for this model, resumed bytes included
    total: int
    filename: str
    bytes_per_second: float  # over this session's transfer only

    @property
    def seconds_left(self) -> float | None:
        if self.bytes_per_second <= 0 or self.total <= 0:
            return None
        return max(self.total - self.done, 0) / self.bytes_per_second

    @property
    def fraction(self) -> float:
        return min(self.done / self.total, 1.0) if self.total else 0.0


ProgressCallback = Callable[[Progress], None]


def hub_endpoint() -> str:
    """The Hub's address: HF_ENDPOINT if set (read now, not at import), else huggingface.co."""
    return (os.environ.get("HF_ENDPOINT", "").strip() or DEFAULT_ENDPOINT).rstrip("/")


def is_needed(filename: str) -> bool:
    """True for the files a fill-mask model needs (top level only, safetensors weights)."""
    return "/" not in filename and any(fnmatch.fnmatch(filename, p) for p in MODEL_FILE_PATTERNS)


def download_folder(repo_id: str, root: Path | None = None) -> Path:
    return (root or app_models_dir()) / folder_name(repo_id)


# ------------------------------------------------------------------- planning
def plan_download(repo_id: str, *, endpoint: str | None = None, timeout: float = CONNECT_TIMEOUT_S) -> DownloadPlan:
    """Ask the Hub which files model ``repo_id`` has; keep the needed ones.

    Raises DownloadError (with a sentence) if the id is wrong, the Hub cannot be
    reached, or the model cannot be used (no safetensors weights, no fill-mask head).
    """
    repo_id = _checked_id(repo_id)
    endpoint = (endpoint or hub_endpoint()).rstrip("/")
    refuse_if_offline_mode()
    from huggingface_hub import HfApi

    try:
        info = HfApi(endpoint=endpoint).model_info(repo_id, files_metadata=True, timeout=timeout)
    except Exception as exc:
        log.warning("Listing %s on %s failed", repo_id, endpoint, exc_info=True)
        raise DownloadError(explain(exc, repo_id, endpoint)) from exc

    siblings = list(info.siblings or [])
    names = [s.rfilename for s in siblings]
    files = tuple(
        RemoteFile(
            s.rfilename,
            s.lfs.size if s.lfs else s.size,
            s.lfs.sha256 if s.lfs else None,
        )
        for s in siblings
        if is_needed(s.rfilename)
    )
    if not any(f.name.endswith(".safetensors") for f in files):
        if any(name in PICKLE_WEIGHTS for name in names):
            raise DownloadError(
                f"The model “{repo_id}” only has pickle weights (pytorch_model.bin) on the Hub. "
                "BertMask refuses them because loading a pickle file can run code. Choose a model "
                "that has *.safetensors weights (most models do)."
            )
        raise DownloadError(
            f"The model “{repo_id}” has no *.safetensors weights on the Hub, so BertMask cannot "
            "use it. Choose another model."
        )
    if "config.json" not in names:
        raise DownloadError(
            f"The model “{repo_id}” has no config.json on the Hub, so it is not a model "
            "BertMask can load. Choose another model."
        )
    architectures = (info.config or {}).get("architectures") if isinstance(info.config, dict) else None
    if architectures and not any(str(a).endswith(MLM_HEADS) for a in architectures):
        raise DownloadError(
            f"The model “{repo_id}” ({', '.join(map(str, architectures))}) has no masked-language-model "
            "head, so it cannot fill masks. Choose a fill-mask model such as bert-base-uncased."
        )
    return DownloadPlan(repo_id, info.sha or "main", files)


# ----------------------------------------------------------------- downloading
def download_model(
    repo_id: str,
    *,
    root: Path | None = None,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
    endpoint: str | None = None,
    retries: int = 3,
    plan: DownloadPlan | None = None,
) -> Path:
    """Download model ``repo_id`` into ``root`` (BertMask's model folder); return its folder.

    Resumes what an earlier attempt left. ``cancel.set()`` from another thread stops
    within one chunk and raises DownloadCancelled. Every failure is a DownloadError
    whose message is a sentence.
    """
    repo_id = _checked_id(repo_id)
    endpoint = (endpoint or hub_endpoint()).rstrip("/")
    cancel = cancel or threading.Event()
    if plan is None:
        plan = plan_download(repo_id, endpoint=endpoint)
    _raise_if_cancelled(cancel)
    folder = download_folder(repo_id, root)
    parts = folder / INCOMPLETE_DIR
    try:
        parts.mkdir(parents=True, exist_ok=True)
        (folder / COMPLETE_MARKER).unlink(missing_ok=True)  # unfinished from now on
        done = _read_done(parts, plan.revision)
        _write_json(parts / _DONE_FILE, {"revision": plan.revision, "files": sorted(done)})  # parts are ours
        _check_space(plan, folder, parts, done)
        tracker = _Tracker(plan, progress, cancel)
        # Small files first: a wrong id or a broken connection shows before the big weights.
        for remote in sorted(plan.files, key=lambda f: f.name.endswith(".safetensors")):
            if remote.name in done and _has_size(folder / remote.name, remote.size):
                tracker.set_file(remote.name, remote.size or 0)
                continue
            _fetch_file(plan, remote, folder, parts, endpoint, tracker, cancel, retries)
            done.add(remote.name)
            _write_json(parts / _DONE_FILE, {"revision": plan.revision, "files": sorted(done)})
        tracker.report(force=True)
        _finish(plan, folder, parts)
    except DownloadError:
        raise
    except OSError as exc:
        log.warning("Writing %s failed", folder, exc_info=True)
        raise DownloadError(_disk_sentence(exc, folder)) from exc
    log.info("Downloaded %s (%s) to %s", repo_id, plan.revision, folder)
    return folder


def _fetch_file(plan, remote, folder, parts, endpoint, tracker, cancel, retries) -> None:
    from huggingface_hub import hf_hub_url

    url = hf_hub_url(plan.repo_id, remote.name, revision=plan.revision, endpoint=endpoint)
    part = parts / (remote.name + ".part")
    attempt = 0
    while True:
        _raise_if_cancelled(cancel)
        try:
            _stream(url, part, remote, tracker, cancel)
            break
        except DownloadError:
            raise
        except Exception as exc:
            if isinstance(exc, OSError) and _is_disk_error(exc):
                raise  # a sentence about the disk, from download_model
            if not _is_transient(exc):
                log.warning("Downloading %s failed", url, exc_info=True)
                raise DownloadError(explain(exc, plan.repo_id, endpoint)) from exc
            failure = exc
        attempt += 1
        if attempt > retries:
            log.warning("Downloading %s failed after %d attempts", url, attempt, exc_info=failure)
            raise DownloadError(explain(failure, plan.repo_id, endpoint)) from failure
        log.info("Connection problem (%s); resuming %s (attempt %d)", failure, remote.name, attempt + 1)
        if cancel.wait(min(0.5 * 2 ** (attempt - 1), 4.0)):
            _raise_if_cancelled(cancel)
    _verify_part(part, remote, plan.repo_id)
    os.replace(part, folder / remote.name)


def _stream(url: str, part: Path, remote: RemoteFile, tracker: "_Tracker", cancel: threading.Event) -> None:
    """Append the rest of ``url`` to ``part`` (a Range request if some is already there)."""
    from huggingface_hub.utils import build_hf_headers, get_session, hf_raise_for_status

    have = part.stat().st_size if part.exists() else 0
    if remote.size is not None and have > remote.size:
        part.unlink()
        have = 0
    tracker.set_file(remote.name, have)
    if remote.size is not None and have == remote.size:
        return
    headers = build_hf_headers()
    headers["Accept-Encoding"] = "identity"  # byte ranges and sizes of the file itself
    if have:
        headers["Range"] = f"bytes={have}-"
    timeout = _timeout()
    with get_session().stream("GET", url, headers=headers, timeout=timeout) as response:
        if response.status_code == 416 and have:  # the part is whole or the file changed
            part.unlink()
            raise _Retry("the server refused to resume; starting this file again")
        if response.status_code >= 400:
            response.read()
            hf_raise_for_status(response)
        if have and response.status_code != 206:  # the server ignored the Range: start over
            have = 0
            tracker.set_file(remote.name, 0)
        with part.open("ab" if have else "wb") as out:
            for chunk in response.iter_bytes(CHUNK_BYTES):
                _raise_if_cancelled(cancel)
                out.write(chunk)
                tracker.add(remote.name, len(chunk))
    if remote.size is not None and part.stat().st_size < remote.size:
        raise _Retry(f"the connection closed early ({part.stat().st_size} of {remote.size} bytes)")


class _Retry(ConnectionError):
    """A transfer that stopped early; retried with a Range request."""


def _timeout():
    try:
        from httpx2 import Timeout  # huggingface_hub >= 2
    except ImportError:  # pragma: no cover - huggingface_hub 1.x uses httpx
        from httpx import Timeout
    return Timeout(READ_TIMEOUT_S, connect=CONNECT_TIMEOUT_S)


def _verify_part(part: Path, remote: RemoteFile, repo_id: str) -> None:
    size = part.stat().st_size
    problem = None
    if remote.size is not None and size != remote.size:
        problem = f"{size:,} bytes instead of {remote.size:,}"
    elif remote.sha256:
        digest = hashlib.sha256()
        with part.open("rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
        if digest.hexdigest() != remote.sha256.lower():
            problem = "its checksum does not match"
    if problem:
        part.unlink(missing_ok=True)
        raise DownloadError(
            f"The file “{remote.name}” of “{repo_id}” arrived damaged ({problem}). It was "
            "deleted; click Download again to fetch it anew."
        )


def _finish(plan: DownloadPlan, folder: Path, parts: Path) -> None:
    sizes = {}
    for remote in plan.files:
        path = folder / remote.name
        if not _has_size(path, remote.size):
            raise DownloadError(
                f"The download of “{plan.repo_id}” is incomplete: “{remote.name}” is missing or "
                "has the wrong size. Click Download again to finish it."
            )
        sizes[remote.name] = path.stat().st_size
    marker = {"repo_id": plan.repo_id, "revision": plan.revision, "files": sizes, "downloaded": time.time()}
    _write_json(folder / COMPLETE_MARKER, marker)  # last: the folder is loadable from now on
    shutil.rmtree(parts, ignore_errors=True)


class _Tracker:
    """Bytes per file -> throttled Progress callbacks; checks Cancel."""

    def __init__(self, plan: DownloadPlan, callback: ProgressCallback | None, cancel: threading.Event):
        self.total = plan.total_bytes
        self.callback = callback
        self.cancel = cancel
        self.per_file: dict[str, int] = {}
        self.filename = ""
        self.transferred = 0
        self.started = time.monotonic()
        self.last_report = 0.0

    @property
    def done(self) -> int:
        return sum(self.per_file.values())

    def set_file(self, name: str, size: int) -> None:
        self.per_file[name] = size
        self.filename = name
        self.report(force=True)

    def add(self, name: str, count: int) -> None:
        self.per_file[name] = self.per_file.get(name, 0) + count
        self.transferred += count
        self.report()

    def report(self, force: bool = False) -> None:
        if self.callback is None:
            return
        now = time.monotonic()
        if not force and now - self.last_report < PROGRESS_EVERY_S:
            return
        self.last_report = now
        elapsed = now - self.started
        speed = self.transferred / elapsed if elapsed > 0 and self.transferred else 0.0
        self.callback(Progress(self.done, self.total, self.filename, speed))


# ----------------------------------------------------------------- small helpers
def _checked_id(repo_id: str) -> str:
    repo_id = (repo_id or "").strip()
    if not is_hub_id(repo_id):
        raise DownloadError(
            f"“{repo_id}” is not a Hugging Face model id. An id looks like “bert-base-uncased” "
            "or “answerdotai/ModernBERT-base”."
        )
    return repo_id


def refuse_if_offline_mode() -> None:
    from huggingface_hub import constants

    from bertmask_gui.frozen import allow_hub_downloads

    allow_hub_downloads()  # the packaged app is offline by default; the writer asked for this

    if constants.is_offline_mode():
        raise DownloadError(OFFLINE_MODE_SENTENCE)


def _raise_if_cancelled(cancel: threading.Event) -> None:
    if cancel.is_set():
        raise DownloadCancelled(
            "The download was cancelled. What was downloaded so far is kept: click Download "
            "again to continue where it stopped."
        )


def _read_done(parts: Path, revision: str) -> set[str]:
    """Files an earlier attempt already put in place, if it fetched the same revision."""
    try:
        state = json.loads((parts / _DONE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        state = {}
    if not isinstance(state, dict) or state.get("revision") != revision:
        for stale in parts.glob("*.part"):  # partial files of another revision
            stale.unlink(missing_ok=True)
        return set()
    return set(state.get("files", []))


def _has_size(path: Path, size: int | None) -> bool:
    return path.is_file() and (size is None or path.stat().st_size == size)


def _check_space(plan: DownloadPlan, folder: Path, parts: Path, done: set[str]) -> None:
    needed = 0
    for remote in plan.files:
        if remote.name in done or remote.size is None:
            continue
        part = parts / (remote.name + ".part")
        needed += remote.size - (part.stat().st_size if part.is_file() else 0)
    free = shutil.disk_usage(folder).free
    if needed > free:
        raise DownloadError(
            f"There is not enough free disk space for “{plan.repo_id}”: it needs "
            f"{format_bytes(needed)} more, and only {format_bytes(free)} is free on the disk "
            f"holding “{folder}”. Free some space and try again."
        )


def _write_json(path: Path, payload: dict) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(payload, indent=1), encoding="utf-8")
    os.replace(tmp, path)


def _is_disk_error(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM)


def _disk_sentence(exc: OSError, folder: Path) -> str:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return (
            f"The disk is full: the model could not be saved in “{folder}”. Free some space and "
            "click Download again; it continues where it stopped."
        )
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"BertMask may not write to “{folder}” ({exc.strerror}). Check the folder's permissions."
    return f"The model could not be saved in “{folder}” ({exc.strerror or exc})."


def _names(exc: BaseException) -> set[str]:
    """Class names along the exception's type and cause chain (httpx, httpx2, ssl...)."""
    names: set[str] = set()
    seen = 0
    while exc is not None and seen < 8:
        names.update(cls.__name__ for cls in type(exc).__mro__)
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return names


def _chain_text(exc: BaseException) -> str:
    parts, seen = [], 0
    while exc is not None and seen < 8:
        parts.append(str(exc))
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return " ".join(parts)


def _is_transient(exc: BaseException) -> bool:
    """Worth retrying with a Range request: the connection dropped, stalled or reset."""
    if isinstance(exc, _Retry):
        return True
    names = _names(exc)
    if {"ProxyError", "SSLError", "SSLCertVerificationError"} & names:
        return False
    return bool(
        {"RemoteProtocolError", "ReadError", "ReadTimeout", "WriteError", "ConnectionResetError", "IncompleteRead"} & names
    )


def explain(exc: BaseException, repo_id: str, endpoint: str | None = None) -> str:
    """A sentence for the user about why talking to the Hub failed."""
    host = urlsplit(endpoint or hub_endpoint()).netloc or "the Hugging Face Hub"
    names = _names(exc)
    text = _chain_text(exc)
    status = getattr(getattr(exc, "response", None), "status_code", None)
    if "OfflineModeIsEnabled" in names:
        return OFFLINE_MODE_SENTENCE
    if isinstance(exc, OSError) and _is_disk_error(exc):
        return _disk_sentence(exc, app_models_dir())
    if "GatedRepoError" in names:
        return (
            f"The model “{repo_id}” is gated: its authors ask you to accept their terms on "
            f"{host} before downloading. Accept them there, log in with “hf auth login”, and try again."
        )
    if "RepositoryNotFoundError" in names or status in (401, 404):
        return (
            f"The model “{repo_id}” was not found on {host}. Check the spelling of the id "
            "(for example “bert-base-uncased” or “answerdotai/ModernBERT-base”); private models "
            "need you to be logged in."
        )
    if "RevisionNotFoundError" in names or "EntryNotFoundError" in names:
        return f"A file of “{repo_id}” was not found on {host}: the model may have changed. Try again later."
    if "ProxyError" in names or "407" in text:
        return (
            f"The proxy refused the connection to {host}. Check the proxy settings "
            "(HTTPS_PROXY) or ask your network administrator."
        )
    if {"SSLError", "SSLCertVerificationError"} & names or "CERTIFICATE_VERIFY_FAILED" in text:
        return (
            f"The secure connection to {host} failed: its certificate could not be verified. A "
            "company proxy that inspects traffic often causes this; ask your administrator for "
            "its certificate (set SSL_CERT_FILE to it), or copy the model by hand."
        )
    if _is_transient(exc) or "TimeoutException" in names:
        return (
            f"The connection to {host} was lost during the download of “{repo_id}”. Check the "
            "internet connection and click Download again: it continues where it stopped."
        )
    if {"ConnectError", "ConnectTimeout", "NetworkError", "ConnectionError", "gaierror"} & names:
        return (
            f"BertMask could not reach {host}: this computer seems to be offline, or the host is "
            "unreachable. Check the internet connection and try again, or copy the model folder "
            "onto this computer by hand and open it with File ▸ Open model folder…."
        )
    if status is not None:
        return (
            f"{host} answered with an error (HTTP {status}) for “{repo_id}”. It may be a "
            "temporary problem: try again later."
        )
    return f"The download of “{repo_id}” failed ({first_line(exc)}). Details are in the log file."


def format_bytes(count: float) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if abs(count) < 1000 or unit == "GB":
            return f"{count:,.0f} {unit}" if unit == "bytes" else f"{count:,.1f} {unit}"
        count /= 1000
    return f"{count:,.1f} GB"  # pragma: no cover


def format_seconds(seconds: float | None) -> str:
    if seconds is None:
        return "estimating…"
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s left"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s left"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min left"
