"""A small stand-in for the Hugging Face Hub on 127.0.0.1, for download tests.

It answers the two kinds of request BertMask's download code makes, the way the Hub
does:
- ``GET /api/models/{repo_id}[/revision/{rev}]?blobs=True``: the model's info with
  ``sha``, ``config`` and ``siblings`` (file name, size, and for LFS files
  ``lfs.sha256``); an unknown repo is a 404 with ``X-Error-Code: RepoNotFound``.
- ``GET|HEAD /{repo_id}/resolve/{revision}/{filename}``: the bytes, with ``ETag``,
  ``X-Repo-Commit``, ``Content-Length``, ``Accept-Ranges`` and ``Range`` support
  (206 + ``Content-Range``).

Faults, set per test: drop the connection after N bytes of a file (for the first k
requests or always), or pause a file mid-stream until the test opens a gate.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

WRITE_BYTES = 4096  # the server writes files in pieces this size
GATE_TIMEOUT_S = 10  # a paused transfer never waits longer than this


@dataclass
class Fault:
    after_bytes: int  # bytes of the file sent before the fault
    times: int = 1  # how many requests it hits (-1: all)
    gate: threading.Event | None = None  # pause until set (instead of dropping)


@dataclass
class Repo:
    files: dict[str, bytes]
    sha: str = "0123456789abcdef0123456789abcdef01234567"
    config: dict | None = None
    lfs: set[str] = field(default_factory=set)


class FakeHub:
    def __init__(self, ssl_context=None):
        self.scheme = "https" if ssl_context is not None else "http"
        self.repos: dict[str, Repo] = {}
        self.faults: dict[str, Fault] = {}  # filename -> fault
        self.requests: list[tuple[str, str, str | None]] = []  # method, path, Range header
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        if ssl_context is not None:
            self.server.socket = ssl_context.wrap_socket(self.server.socket, server_side=True)
        self.thread = threading.Thread(target=lambda: self.server.serve_forever(poll_interval=0.05), name="fake-hub", daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"{self.scheme}://{host}:{port}"

    def add_folder(self, repo_id: str, folder: Path, lfs_suffixes=(".safetensors", ".bin")) -> Repo:
        files = {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}
        config = json.loads(files["config.json"]) if "config.json" in files else None
        repo = Repo(files, config=config, lfs={n for n in files if n.endswith(tuple(lfs_suffixes))})
        self.repos[repo_id] = repo
        return repo

    def resolve_requests(self, filename: str) -> list[str | None]:
        """The Range header of each GET for ``filename`` (None: the whole file)."""
        with self.lock:
            return [rng for method, path, rng in self.requests if method == "GET" and path.endswith("/" + filename)]

    def start(self) -> "FakeHub":
        self.thread.start()
        return self

    def stop(self) -> None:
        for fault in self.faults.values():
            if fault.gate is not None:
                fault.gate.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)

    # ---------------------------------------------------------------- serving
    def _handler(self):
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_HEAD(self):  # noqa: N802
                self._serve(head=True)

            def do_GET(self):  # noqa: N802
                self._serve(head=False)

            def _serve(self, head: bool):
                path = unquote(urlsplit(self.path).path)
                with hub.lock:
                    hub.requests.append((self.command, path, self.headers.get("Range")))
                api = re.fullmatch(r"/api/models/(.+?)(?:/revision/([^/]+))?", path)
                if api:
                    return self._model_info(api.group(1))
                resolve = re.fullmatch(r"/(.+)/resolve/([^/]+)/(.+)", path)
                if resolve:
                    return self._file(resolve.group(1), resolve.group(3), head)
                self._error(404, "EntryNotFound", "Not found")

            def _error(self, status: int, code: str, message: str):
                body = json.dumps({"error": message}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("X-Error-Code", code)
                self.send_header("X-Error-Message", message)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _model_info(self, repo_id: str):
                repo = hub.repos.get(repo_id)
                if repo is None:
                    return self._error(404, "RepoNotFound", "Repository not found")
                siblings = []
                for name, data in repo.files.items():
                    entry = {"rfilename": name, "size": len(data), "blobId": hashlib.sha1(data).hexdigest()}
                    if name in repo.lfs:
                        entry["lfs"] = {"size": len(data), "sha256": hashlib.sha256(data).hexdigest(), "pointerSize": 134}
                    siblings.append(entry)
                info = {"id": repo_id, "modelId": repo_id, "sha": repo.sha, "private": False, "siblings": siblings}
                if repo.config is not None:
                    info["config"] = {k: repo.config[k] for k in ("architectures", "model_type") if k in repo.config}
                body = json.dumps(info).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _file(self, repo_id: str, filename: str, head: bool):
                repo = hub.repos.get(repo_id)
                if repo is None:
                    return self._error(404, "RepoNotFound", "Repository not found")
                data = repo.files.get(filename)
                if data is None:
                    return self._error(404, "EntryNotFound", "Entry not found")
                start = 0
                rng = self.headers.get("Range")
                match = re.fullmatch(r"bytes=(\d+)-", rng or "")
                if match:
                    start = int(match.group(1))
                    if start >= len(data):
                        self.send_response(416)
                        self.send_header("Content-Range", f"bytes */{len(data)}")
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                        return
                etag = hashlib.sha256(data).hexdigest() if filename in repo.lfs else hashlib.sha1(data).hexdigest()
                self.send_response(206 if start else 200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("ETag", f'"{etag}"')
                self.send_header("X-Repo-Commit", repo.sha)
                self.send_header("Accept-Ranges", "bytes")
                self.send_header("Content-Length", str(len(data) - start))
                if start:
                    self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
                self.end_headers()
                if head:
                    return
                fault = hub.faults.get(filename)
                with hub.lock:
                    active = fault is not None and fault.times != 0
                    if active and fault.times > 0:
                        fault.times -= 1
                sent = start
                while sent < len(data):
                    if active and sent == fault.after_bytes:
                        if fault.gate is None:
                            self.close_connection = True
                            return  # drop: fewer bytes than Content-Length promised
                        fault.gate.wait(GATE_TIMEOUT_S)
                        active = False
                    end = min(sent + WRITE_BYTES, len(data))
                    if active and sent < fault.after_bytes < end:
                        end = fault.after_bytes
                    self.wfile.write(data[sent:end])
                    self.wfile.flush()
                    sent = end

        return Handler


REPO = "tiny-org/tiny-bert"


@pytest.fixture
def hub(monkeypatch, tiny_bert, tmp_path):
    """A stand-in Hub serving the tiny BERT; online for this test only."""
    from huggingface_hub import constants

    from bertmask_gui.engine import download as dl

    server = FakeHub()
    server.add_folder(REPO, tiny_bert)
    pickle_only = tmp_path / "pickle-only"
    pickle_only.mkdir()
    for name in ("config.json", "vocab.txt", "tokenizer_config.json"):
        shutil.copy(tiny_bert / name, pickle_only / name)
    (pickle_only / "pytorch_model.bin").write_bytes(b"\x80\x02pickle" * 1000)
    server.add_folder("tiny-org/pickle-only", pickle_only)
    server.start()
    monkeypatch.setenv("HF_ENDPOINT", server.url)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))  # downloads stay in this test
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    # huggingface_hub reads HF_HUB_OFFLINE once, at import: switch it off for this test.
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(dl, "CHUNK_BYTES", 4096)  # many chunks even for a tiny model
    monkeypatch.setattr(dl, "PROGRESS_EVERY_S", 0)  # every chunk reports
    yield server
    server.stop()
