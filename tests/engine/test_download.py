"""The real download code against a stand-in Hub on 127.0.0.1 (HF_ENDPOINT points at it)."""

from __future__ import annotations

import errno
import hashlib
import shutil
import ssl
import threading

import pytest

from bertmask_gui.engine import download as dl
from bertmask_gui.engine.download import DownloadCancelled, DownloadError, download_model, plan_download
from bertmask_gui.engine.errors import ModelInvalidError, ModelNotFoundError
from bertmask_gui.engine.models import COMPLETE_MARKER, INCOMPLETE_DIR, resolve_model

from hub_server import REPO, FakeHub, Fault, hub  # noqa: F401 (hub is a fixture)


def weights_size(tiny_bert) -> int:
    return (tiny_bert / "model.safetensors").stat().st_size


def test_endpoint_is_read_when_downloading_not_at_import(hub):
    assert dl.hub_endpoint() == hub.url


def test_plan_lists_only_needed_files(hub, tiny_bert):
    plan = plan_download(REPO)
    names = {f.name for f in plan.files}
    assert "model.safetensors" in names and "config.json" in names and "vocab.txt" in names
    assert plan.total_bytes == sum((tiny_bert / n).stat().st_size for n in names)
    weights = next(f for f in plan.files if f.name == "model.safetensors")
    assert weights.sha256 == hashlib.sha256((tiny_bert / "model.safetensors").read_bytes()).hexdigest()
    assert not hub.resolve_requests("model.safetensors")  # listing downloads nothing


def test_download_with_progress_then_load_by_id(hub, tiny_bert):
    from bertmask_gui.engine.predictor import Predictor

    events = []
    folder = download_model(REPO, progress=events.append)
    assert (folder / COMPLETE_MARKER).is_file() and not (folder / INCOMPLETE_DIR).exists()
    assert (folder / "model.safetensors").read_bytes() == (tiny_bert / "model.safetensors").read_bytes()
    total = plan_download(REPO).total_bytes
    assert len(events) >= 3 and all(e.total == total for e in events)
    assert [e.done for e in events] == sorted(e.done for e in events)  # never goes backwards
    assert events[-1].done == total and events[-1].fraction == 1.0
    assert any(e.bytes_per_second > 0 for e in events)
    assert resolve_model(REPO) == folder.resolve()
    predictor = Predictor.load(REPO, device="cpu")
    assert predictor.folder == folder.resolve()
    assert predictor.predict("I really [MASK] the movie.").masks[0].candidates


def test_cancel_stops_leaves_no_loadable_model_then_resumes(hub, tiny_bert, tmp_path):
    size = weights_size(tiny_bert)
    gate = threading.Event()
    hub.faults["model.safetensors"] = Fault(after_bytes=size // 2, gate=gate)
    cancel = threading.Event()
    root = tmp_path / "models"
    first_seen = {}

    def on_progress(event):
        if event.filename != "model.safetensors" or cancel.is_set():
            return
        first_seen.setdefault("done", event.done)
        if event.done > first_seen["done"]:  # some weights arrived: cancel mid-file
            cancel.set()
            gate.set()  # the server goes on sending; the client must stop by itself

    def hub_bytes():
        part = root / "tiny-org--tiny-bert" / INCOMPLETE_DIR / "model.safetensors.part"
        return part.stat().st_size if part.exists() else 0

    with pytest.raises(DownloadCancelled, match="cancelled"):
        download_model(REPO, root=root, progress=on_progress, cancel=cancel)
    folder = root / "tiny-org--tiny-bert"
    assert not (folder / COMPLETE_MARKER).exists()
    assert not (folder / "model.safetensors").exists()
    partial = hub_bytes()
    assert 0 < partial < size
    with pytest.raises(ModelInvalidError, match="did not finish"):
        from bertmask_gui.engine.models import validate_model_folder

        validate_model_folder(folder)

    # Resume: only the rest of the weights is fetched.
    hub.faults.clear()
    folder = download_model(REPO, root=root)
    assert (folder / COMPLETE_MARKER).is_file()
    assert (folder / "model.safetensors").read_bytes() == (tiny_bert / "model.safetensors").read_bytes()
    ranges = hub.resolve_requests("model.safetensors")
    assert ranges[-1] == f"bytes={partial}-"
    assert len(hub.resolve_requests("config.json")) == 1  # finished files are not fetched again


def test_unfinished_download_in_app_folder_is_not_loaded(hub, tiny_bert):
    from bertmask_gui.engine.predictor import Predictor

    repo = "tiny-org/unfinished"
    hub.add_folder(repo, tiny_bert)
    hub.faults["model.safetensors"] = Fault(after_bytes=weights_size(tiny_bert) // 3, times=-1)
    with pytest.raises(DownloadError, match="connection .* was lost"):
        download_model(repo, retries=0)
    with pytest.raises(ModelNotFoundError, match="did not finish"):
        Predictor.load(repo, device="cpu")


def test_dropped_connection_resumes_by_itself(hub, tiny_bert, tmp_path):
    size = weights_size(tiny_bert)
    hub.faults["model.safetensors"] = Fault(after_bytes=size // 3, times=1)
    folder = download_model(REPO, root=tmp_path, retries=2)
    assert (folder / "model.safetensors").read_bytes() == (tiny_bert / "model.safetensors").read_bytes()
    first, second = hub.resolve_requests("model.safetensors")
    resumed_at = int(second.removeprefix("bytes=").rstrip("-"))
    assert first is None and 0 < resumed_at <= size // 3  # continued, not started over


def test_dropped_connection_every_time_is_a_sentence(hub, tiny_bert, tmp_path):
    hub.faults["model.safetensors"] = Fault(after_bytes=weights_size(tiny_bert) // 2, times=-1)
    with pytest.raises(DownloadError) as info:
        download_model(REPO, root=tmp_path, retries=1)
    message = str(info.value)
    assert "connection to 127.0.0.1" in message and "lost" in message and "Download again" in message
    assert len(hub.resolve_requests("model.safetensors")) == 2  # one try + one retry, bounded
    assert not (tmp_path / "tiny-org--tiny-bert" / COMPLETE_MARKER).exists()


def test_unknown_model_is_not_found(hub, tmp_path):
    with pytest.raises(DownloadError, match="“tiny-org/no-such-model” was not found on 127.0.0.1") as info:
        download_model("tiny-org/no-such-model", root=tmp_path)
    assert "Check the spelling" in str(info.value)
    assert not (tmp_path / "tiny-org--no-such-model").exists()


def test_pickle_only_repo_is_refused_before_downloading(hub, tmp_path):
    with pytest.raises(DownloadError, match="only has pickle weights"):
        download_model("tiny-org/pickle-only", root=tmp_path)
    assert not hub.resolve_requests("pytorch_model.bin")
    assert not hub.resolve_requests("config.json")


def test_model_without_mlm_head_is_refused_before_downloading(hub, tiny_bert, tmp_path):
    repo = hub.add_folder("tiny-org/classifier", tiny_bert)
    repo.config = {"architectures": ["BertForSequenceClassification"], "model_type": "bert"}
    with pytest.raises(DownloadError, match="cannot fill masks"):
        download_model("tiny-org/classifier", root=tmp_path)
    assert not hub.resolve_requests("model.safetensors")


def test_damaged_file_is_deleted_and_explained(hub, tiny_bert, tmp_path):
    repo = hub.add_folder("tiny-org/damaged", tiny_bert)
    good = repo.files["model.safetensors"]
    plan = plan_download("tiny-org/damaged")
    repo.files["model.safetensors"] = good[:-4] + b"XXXX"  # same size, other bytes
    with pytest.raises(DownloadError, match="arrived damaged .*checksum"):
        download_model("tiny-org/damaged", root=tmp_path, plan=plan)
    folder = tmp_path / "tiny-org--damaged"
    assert not (folder / "model.safetensors").exists() and not (folder / COMPLETE_MARKER).exists()


def test_host_unreachable_is_a_sentence(hub, monkeypatch, tmp_path):
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{port}")
    with pytest.raises(DownloadError, match="could not reach 127.0.0.1:.*offline") as raised:
        download_model(REPO, root=tmp_path)
    # what to do, in the app itself: a packaged app's user has no README
    assert "File ▸ Open model folder" in str(raised.value) and "README" not in str(raised.value)


def test_offline_mode_refuses_with_a_sentence(hub, monkeypatch, tmp_path):
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    with pytest.raises(DownloadError, match="HF_HUB_OFFLINE") as raised:
        download_model(REPO, root=tmp_path)
    assert "File ▸ Open model folder" in str(raised.value) and "README" not in str(raised.value)
    assert not hub.requests


def test_not_enough_disk_space_is_refused_before_downloading(hub, monkeypatch, tmp_path):
    usage = shutil.disk_usage(tmp_path)
    monkeypatch.setattr(dl.shutil, "disk_usage", lambda path: usage._replace(free=1000))
    with pytest.raises(DownloadError, match="not enough free disk space"):
        download_model(REPO, root=tmp_path)
    assert not hub.resolve_requests("model.safetensors")


def test_disk_full_while_writing_is_a_sentence(hub, monkeypatch, tmp_path):
    real_replace = dl.os.replace

    def full(src, dst):
        if str(dst).endswith("model.safetensors"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_replace(src, dst)

    monkeypatch.setattr(dl.os, "replace", full)
    with pytest.raises(DownloadError, match="disk is full"):
        download_model(REPO, root=tmp_path)


def test_disk_full_while_receiving_names_the_download_folder(hub, monkeypatch, tmp_path):
    """The disk fills while a file arrives: the sentence names the folder being written
    (not the app's default models folder), and no retry is made."""
    from pathlib import Path

    real_open = Path.open

    def full(self, mode="r", *args, **kwargs):
        if self.name.endswith(".part") and mode in ("wb", "ab"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_open(self, mode, *args, **kwargs)

    monkeypatch.setattr(Path, "open", full)
    root = tmp_path / "my models"
    with pytest.raises(DownloadError, match="disk is full") as raised:
        download_model(REPO, root=root)
    assert str(root / "tiny-org--tiny-bert") in str(raised.value)
    assert len(hub.resolve_requests(sorted(f.name for f in plan_download(REPO).files)[0])) == 1


def test_a_repo_without_config_is_not_a_model(hub, tiny_bert, tmp_path):
    repo = hub.add_folder("tiny-org/no-config", tiny_bert)
    del repo.files["config.json"]
    with pytest.raises(DownloadError, match="has no config.json on the Hub, so it is not a model BertMask can load. "
                                           "Choose another model."):
        download_model("tiny-org/no-config", root=tmp_path)
    assert not hub.resolve_requests("model.safetensors")


def test_invalid_id_never_builds_a_path(tmp_path):
    for bad in ("../../etc", "a/../b", "/abs/path", "org/name/extra", ""):
        with pytest.raises(DownloadError, match="not a Hugging Face model id"):
            download_model(bad, root=tmp_path)
    assert list(tmp_path.iterdir()) == []


@pytest.fixture
def fresh_http_client():
    """huggingface_hub's shared client reads proxies and certificates when it is made."""
    from huggingface_hub.utils import close_session

    close_session()
    yield
    close_session()


def test_untrusted_certificate_is_a_sentence(hub, tiny_bert, tmp_path, monkeypatch, fresh_http_client):
    import subprocess

    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a self-signed certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    secure = FakeHub(ssl_context=context)
    secure.add_folder(REPO, tiny_bert)
    secure.start()
    try:
        monkeypatch.setenv("HF_ENDPOINT", secure.url)
        with pytest.raises(DownloadError, match="certificate could not be verified") as info:
            download_model(REPO, root=tmp_path / "models")
        assert "SSL_CERT_FILE" in str(info.value)
    finally:
        secure.stop()


def test_proxy_refusal_is_a_sentence(hub, tmp_path, monkeypatch, fresh_http_client):
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Refuse(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):  # noqa: N802
            self.send_response(407)
            self.send_header("Proxy-Authenticate", 'Basic realm="corp"')
            self.send_header("Content-Length", "0")
            self.end_headers()

    proxy = ThreadingHTTPServer(("127.0.0.1", 0), Refuse)
    thread = threading.Thread(target=lambda: proxy.serve_forever(poll_interval=0.05), daemon=True)
    thread.start()
    try:
        monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{proxy.server_address[1]}")
        monkeypatch.setenv("NO_PROXY", "")
        with pytest.raises(DownloadError, match="proxy refused"):
            download_model(REPO, root=tmp_path / "models")
        assert not hub.requests  # the request went to the proxy, which refused it
    finally:
        proxy.shutdown()
        proxy.server_close()


def hub_http_client():
    """The HTTP client huggingface_hub raises errors from: httpx2 from 2.0, httpx in 1.x
    (pyproject allows both)."""
    import importlib

    import huggingface_hub

    major = int(huggingface_hub.__version__.split(".")[0])
    return importlib.import_module("httpx2" if major >= 2 else "httpx")


@pytest.mark.parametrize(
    "exc, expected",
    [
        ("proxy", "proxy refused"),
        ("cert", "certificate could not be verified"),
        ("enospc", "disk is full"),
        ("timeout", "connection to huggingface.co was lost"),
    ],
)
def test_explain_names_the_cause(exc, expected, monkeypatch):
    client = hub_http_client()
    monkeypatch.delenv("HF_ENDPOINT", raising=False)
    if exc == "proxy":
        error = client.ProxyError("407 Proxy Authentication Required")
    elif exc == "cert":
        try:
            try:
                raise ssl.SSLCertVerificationError(1, "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed")
            except ssl.SSLError as inner:
                raise client.ConnectError(str(inner)) from inner
        except client.ConnectError as outer:
            error = outer
    elif exc == "enospc":
        error = OSError(errno.ENOSPC, "No space left on device")
    else:
        error = client.ReadTimeout("timed out")
    assert expected in dl.explain(error, "bert-base-uncased")


def test_explain_without_a_host_in_the_endpoint_names_the_hub(monkeypatch):
    """HF_ENDPOINT set without a scheme ("localhost:8080" reads as no host): the sentence
    still says where the connection went."""
    error = hub_http_client().ReadTimeout("timed out")
    said = dl.explain(error, "bert-base-uncased", endpoint="hub.example")
    assert "connection to the Hugging Face Hub was lost" in said


def test_progress_formatting():
    assert dl.format_bytes(440_473_133) == "440.5 MB"
    assert dl.format_seconds(None) == "estimating…"
    assert dl.format_seconds(75) == "1 min 15 s left"
    event = dl.Progress(done=50, total=200, filename="x", bytes_per_second=10)
    assert event.seconds_left == 15 and event.fraction == 0.25


def test_cancel_in_the_first_file_still_resumes(hub, tiny_bert, tmp_path, monkeypatch):
    monkeypatch.setattr(dl, "CHUNK_BYTES", 256)
    first = sorted(f.name for f in plan_download(REPO).files)[0]  # config.json: small files go first
    size = (tiny_bert / first).stat().st_size
    gate = threading.Event()
    hub.faults[first] = Fault(after_bytes=size // 2, gate=gate)
    cancel = threading.Event()

    def on_progress(event):
        if event.done > 0 and not cancel.is_set():
            cancel.set()
            gate.set()

    with pytest.raises(DownloadCancelled):
        download_model(REPO, root=tmp_path, progress=on_progress, cancel=cancel)
    part = tmp_path / "tiny-org--tiny-bert" / INCOMPLETE_DIR / f"{first}.part"
    kept = part.stat().st_size
    assert 0 < kept < size
    hub.faults.clear()
    folder = download_model(REPO, root=tmp_path)
    assert (folder / first).read_bytes() == (tiny_bert / first).read_bytes()
    assert hub.resolve_requests(first) == [None, f"bytes={kept}-"]
