"""Packaging: bundled models, the frozen-app start-up, the self-test, icons, and the
built app itself.

The fast tests run with ``make test``. The built-app tests (marked ``slow``) build
``dist/BertMask`` with PyInstaller and a tiny model inside, then run the executable;
they take minutes, so they run with ``make package-test`` (a separate CI step), which
sets BERTMASK_PACKAGE_TEST=1.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from bertmask_gui import __version__
from conftest import ROOT, SEED_SENTENCE


def _load_build_script():
    import importlib.util

    spec = importlib.util.spec_from_file_location("bertmask_build", ROOT / "packaging" / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build = _load_build_script()  # packaging/build.py

ICONS = ROOT / "resources" / "icons"
EXE_NAME = "BertMask.exe" if sys.platform == "win32" else "BertMask"


def run_source(*args: str, env: dict | None = None, timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bertmask_gui", *args],
        capture_output=True, text=True, cwd=ROOT, env=env or dict(os.environ), timeout=timeout,
    )


def log_text() -> str:
    from bertmask_gui.logs import log_file

    path = log_file()
    return path.read_text(encoding="utf-8") if path.exists() else ""


# ------------------------------------------------------------ bundled models
@pytest.fixture
def frozen_app(tmp_path, monkeypatch):
    """Pretend to be the packaged app whose executable is tmp_path/app/BertMask."""
    app = tmp_path / "app"
    app.mkdir()
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(app / EXE_NAME))
    return app


def test_no_bundled_models_when_running_from_source():
    from bertmask_gui.engine.models import DEFAULT_MODEL, bundled_models_dirs, default_model

    assert bundled_models_dirs() == []
    assert default_model() == DEFAULT_MODEL


def test_bundled_model_is_found_by_name(frozen_app, tiny_bert):
    from bertmask_gui.engine.models import bundled_models_dirs, resolve_model

    assert bundled_models_dirs()[0] == frozen_app / "models"
    build.copy_model(tiny_bert, frozen_app / "models" / "tiny-bert")
    assert resolve_model("tiny-bert") == (frozen_app / "models" / "tiny-bert").resolve()


def test_default_model_is_the_first_bundled_one(frozen_app, tiny_bert):
    from bertmask_gui.engine.models import DEFAULT_MODEL, default_model

    assert default_model() == DEFAULT_MODEL  # no models/ folder at all
    (frozen_app / "models" / "aaa-not-a-model").mkdir(parents=True)  # no config.json: ignored
    assert default_model() == DEFAULT_MODEL
    build.copy_model(tiny_bert, frozen_app / "models" / "tiny-bert")
    build.copy_model(tiny_bert, frozen_app / "models" / "zz-bert")
    assert default_model() == "tiny-bert"
    build.copy_model(tiny_bert, frozen_app / "models" / DEFAULT_MODEL)
    assert default_model() == DEFAULT_MODEL  # the classic wins when it is bundled


def test_missing_bundled_name_still_says_not_available_offline(frozen_app):
    from bertmask_gui.engine.errors import ModelNotFoundError
    from bertmask_gui.engine.models import resolve_model

    with pytest.raises(ModelNotFoundError, match="not available offline"):
        resolve_model("tiny-bert")


def test_copy_model_copies_only_what_the_app_loads(tiny_bert, tmp_path):
    source = tmp_path / "source"
    build.copy_model(tiny_bert, source)
    (source / "pytorch_model.bin").write_bytes(b"pickle")
    (source / "README.md").write_text("model card")
    build.copy_model(source, tmp_path / "copy")
    copied = sorted(p.name for p in (tmp_path / "copy").iterdir())
    assert copied == sorted(p.name for p in tiny_bert.iterdir())
    assert "model.safetensors" in copied and "pytorch_model.bin" not in copied


def test_a_hugging_face_cache_snapshot_is_bundled_under_the_models_name(tiny_bert, tmp_path):
    repo = tmp_path / "hub" / "models--google-bert--bert-base-uncased"
    build.copy_model(tiny_bert, repo / "blobs")
    snapshot = repo / "snapshots" / "86b5e09"
    snapshot.mkdir(parents=True)
    for blob in (repo / "blobs").iterdir():  # the cache's layout: snapshot files link to blobs
        (snapshot / blob.name).symlink_to(blob)
    assert build.bundle_name(snapshot) == "bert-base-uncased"
    assert build.bundle_name(tiny_bert) == "tiny-bert"
    assert build.check_model(snapshot) is None
    build.copy_model(snapshot, tmp_path / "app" / "bert-base-uncased")
    copied = list((tmp_path / "app" / "bert-base-uncased").iterdir())
    assert copied and not any(p.is_symlink() for p in copied)


def test_build_refuses_models_the_app_cannot_load(tiny_bert, tmp_path):
    assert build.check_model(tiny_bert) is None
    assert "does not exist" in build.check_model(tmp_path / "missing")
    pickle_only = tmp_path / "pickle-only"
    pickle_only.mkdir()
    (pickle_only / "config.json").write_text((tiny_bert / "config.json").read_text())
    (pickle_only / "pytorch_model.bin").write_bytes(b"x")
    assert "pickle" in build.check_model(pickle_only)
    odd = tmp_path / "my model"
    build.copy_model(tiny_bert, odd)
    assert "rename the folder" in build.check_model(odd)


# ------------------------------------------------------------ frozen start-up
def test_frozen_runtime_replaces_missing_streams_and_goes_offline(monkeypatch):
    from bertmask_gui import frozen

    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "stdout", None)
    monkeypatch.setattr(sys, "stderr", None)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr(frozen, "offline_by_default", False)
    frozen.prepare_frozen_runtime()
    assert sys.stdout is not None and sys.stderr is not None
    print("a windowed app must not crash on print")
    print("nor on stderr", file=sys.stderr)
    assert os.environ["HF_HUB_OFFLINE"] == "1"


def test_frozen_runtime_leaves_source_runs_alone(monkeypatch):
    from bertmask_gui import frozen

    monkeypatch.setattr(sys, "frozen", False, raising=False)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr(sys, "stdout", None)
    frozen.prepare_frozen_runtime()
    assert sys.stdout is None and "HF_HUB_OFFLINE" not in os.environ


def test_a_download_lifts_the_apps_offline_default_but_not_the_users(monkeypatch):
    import huggingface_hub.constants as constants

    from bertmask_gui import frozen
    from bertmask_gui.engine import download

    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(frozen, "offline_by_default", False)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    frozen.prepare_frozen_runtime()  # the app's own default
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)  # as if huggingface_hub was imported after it
    download.refuse_if_offline_mode()  # what every download calls first: no refusal
    assert constants.is_offline_mode() is False and "HF_HUB_OFFLINE" not in os.environ

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # the user's own choice
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    frozen.prepare_frozen_runtime()
    with pytest.raises(download.DownloadError, match="HF_HUB_OFFLINE"):
        download.refuse_if_offline_mode()
    assert os.environ["HF_HUB_OFFLINE"] == "1"


# ------------------------------------------------------------------ self-test
def test_self_test_passes_with_a_model(tiny_bert, bert_predictor):
    done = run_source("--self-test", "--model", str(tiny_bert), "--device", "cpu")
    assert done.returncode == 0, done.stderr
    best = bert_predictor.predict(SEED_SENTENCE).masks[0].candidates[0]
    assert "Self-test passed" in done.stdout and best.token in done.stdout
    assert "int8 draft copy: yes" in done.stdout


def test_self_test_fails_with_a_sentence():
    done = run_source("--self-test")  # bert-base-uncased is not in the empty test cache
    assert done.returncode == 1
    assert done.stderr.startswith("Self-test failed:") and "not available offline" in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""


def test_gui_quits_cleanly_after_loading_with_quit_after(tiny_bert):
    before = log_text()
    done = run_source(str(ROOT / "resources" / "sample.txt"), "--model", str(tiny_bert), "--quit-after", "200")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    new_lines = log_text()[len(before):]
    assert f"Loaded {tiny_bert}" in new_lines and "closing in 200 ms" in new_lines


# ---------------------------------------------------------------- resources
def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_ico_holds_every_size_as_png():
    data = (ICONS / "bertmask.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", data[:6])
    assert (reserved, kind) == (0, 1) and count == 7
    sizes = []
    for i in range(count):
        w, h, _, _, _, _, length, offset = struct.unpack("<BBBBHHII", data[6 + 16 * i : 22 + 16 * i])
        png = data[offset : offset + length]
        assert _png_size(png) == ((w or 256), (h or 256))
        sizes.append(w or 256)
    assert sizes == [16, 24, 32, 48, 64, 128, 256]


def test_icns_holds_png_entries_of_the_declared_sizes():
    data = (ICONS / "bertmask.icns").read_bytes()
    assert data[:4] == b"icns" and struct.unpack(">I", data[4:8])[0] == len(data)
    expected = {b"icp4": 16, b"icp5": 32, b"icp6": 64, b"ic07": 128, b"ic08": 256, b"ic09": 512}
    found, pos = {}, 8
    while pos < len(data):
        kind, length = data[pos : pos + 4], struct.unpack(">I", data[pos + 4 : pos + 8])[0]
        found[kind] = _png_size(data[pos + 8 : pos + length])[0]
        pos += length
    assert found == expected


def test_icon_containers_are_up_to_date_with_the_pngs():
    sys.path.insert(0, str(ICONS))
    try:
        import render_icons
    finally:
        sys.path.remove(str(ICONS))
    pngs = {s: (ICONS / f"bertmask-{s}.png").read_bytes() for s in render_icons.SIZES}
    assert render_icons.ico_bytes({s: pngs[s] for s in render_icons.ICO_SIZES}) == (ICONS / "bertmask.ico").read_bytes()
    assert render_icons.icns_bytes({s: pngs[s] for s in render_icons.ICNS_TYPES}) == (ICONS / "bertmask.icns").read_bytes()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the Linux menu entry (bash, XDG folders)")
def test_desktop_file_and_install_recipe(tmp_path):
    desktop = (ROOT / "resources" / "bertmask.desktop").read_text(encoding="utf-8")
    entries = dict(line.split("=", 1) for line in desktop.splitlines()[1:] if "=" in line)
    assert desktop.startswith("[Desktop Entry]\n")
    assert entries["Name"] == "BertMask" and entries["Icon"] == "bertmask" and entries["Terminal"] == "false"
    app = tmp_path / "BertMask"
    app.mkdir()
    (app / "BertMask").write_text("#!/bin/sh\n")
    (app / "BertMask").chmod(0o755)
    env = dict(os.environ, XDG_DATA_HOME=str(tmp_path / "data"))
    done = subprocess.run(["bash", str(ROOT / "resources" / "install-desktop.sh"), str(app)],
                          capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    installed = (tmp_path / "data" / "applications" / "bertmask.desktop").read_text(encoding="utf-8")
    assert f'Exec="{app}/BertMask" %f' in installed
    for size in (16, 48, 256, 512):
        assert (tmp_path / "data" / "icons" / "hicolor" / f"{size}x{size}" / "apps" / "bertmask.png").is_file()
    done = subprocess.run(["bash", str(ROOT / "resources" / "install-desktop.sh"), str(tmp_path / "nothing")],
                          capture_output=True, text=True, env=env)
    assert done.returncode == 1 and "make package" in done.stderr
    subprocess.run(["bash", str(ROOT / "resources" / "install-desktop.sh"), "--uninstall"], env=env, check=True,
                   capture_output=True)
    assert not (tmp_path / "data" / "applications" / "bertmask.desktop").exists()


def test_sample_text_has_masks():
    from bertmask_gui.engine.masks import find_masks

    assert len(find_masks((ROOT / "resources" / "sample.txt").read_text(encoding="utf-8"))) >= 2


def test_resources_are_found_from_source():
    from bertmask_gui.paths import icon_path, resources_dir

    assert (resources_dir() / "sample.txt").is_file() and icon_path().is_file()


# ------------------------------------------------------------- the built app
needs_build = pytest.mark.skipif(
    os.environ.get("BERTMASK_PACKAGE_TEST") != "1",
    reason="builds the app (minutes): run with make package-test",
)


@pytest.fixture(scope="module")
def built_app(tmp_path_factory):
    """dist/BertMask built by `make package`'s script, with a tiny BERT bundled."""
    from tiny_models import build_tiny_bert

    model = build_tiny_bert(tmp_path_factory.mktemp("bundle") / "tiny-bert")
    dist = ROOT / "dist"
    subprocess.run(
        [sys.executable, str(ROOT / "packaging" / "build.py"), "--bundle-model", str(model), "--dist", str(dist)],
        check=True, cwd=ROOT, timeout=1400,
    )
    return dist / "BertMask", model


def run_built(app: Path, *args: str, timeout: int = 180, **env) -> subprocess.CompletedProcess:
    environ = dict(os.environ, **env)
    for leak in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"):
        environ.pop(leak, None)  # the frozen app must run on its own
    return subprocess.run(
        [str(app / EXE_NAME), *args], capture_output=True, text=True, cwd=app.parent, env=environ, timeout=timeout
    )


@pytest.mark.slow
@pytest.mark.timeout(1500)  # the first one builds the app (~5 min, more on a busy machine)
@needs_build
def test_built_app_predicts_like_the_engine_with_its_bundled_model(built_app):
    from bertmask_gui.engine.predictor import Predictor

    app, model = built_app
    assert (app / "models" / "tiny-bert" / "model.safetensors").is_file()
    assert (app / "_internal" / "resources" / "sample.txt").is_file()
    text = "I really [MASK] the [MASK]. It was quite interesting."
    done = run_built(app, "--predict", text, "--top-k", "7", "--json", "--device", "cpu")
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert payload["model"] == "tiny-bert" and payload["device"] == "cpu"
    expected = Predictor.load(str(model), device="cpu").predict(text, top_k=7)
    assert [(m["start"], m["end"]) for m in payload["masks"]] == [(m.start, m.end) for m in expected.masks]
    for got, want in zip(payload["masks"], expected.masks):
        assert [c["token"] for c in got["candidates"]] == [c.token for c in want.candidates]
        assert [c["score"] for c in got["candidates"]] == pytest.approx([c.score for c in want.candidates], abs=1e-6)


@pytest.mark.slow
@pytest.mark.timeout(1500)  # the first one builds the app (~5 min, more on a busy machine)
@needs_build
def test_built_app_exports_and_runs_the_onnx_runtime_engine(built_app, tmp_path):
    """The frozen app exports its model for ONNX Runtime and answers with it, exactly."""
    from bertmask_gui.engine.predictor import Predictor

    app, model = built_app
    text = "I really [MASK] the [MASK]. It was quite interesting."
    done = run_built(
        app, "--predict", text, "--top-k", "5", "--json", "--pieces", "--device", "cpu", "--engine", "onnx",
        timeout=900, BERTMASK_ONNX_CACHE=str(tmp_path),
    )
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert payload["engine"] == "onnx", done.stderr
    assert list(tmp_path.glob("*/complete.json"))  # the export was made and cached
    expected = Predictor.load(str(model), device="cpu").predict(text, top_k=5, mode="pieces")
    for got, want in zip(payload["masks"], expected.masks):
        assert [c["token"] for c in got["candidates"]] == [c.token for c in want.candidates]
        assert [c["score"] for c in got["candidates"]] == pytest.approx([c.score for c in want.candidates], abs=1e-5)


@pytest.mark.slow
@pytest.mark.timeout(1500)  # the first one builds the app (~5 min, more on a busy machine)
@needs_build
def test_built_app_self_test_passes_offline(built_app):
    app, _ = built_app
    # An unreachable proxy: any network access would fail rather than hang or succeed.
    done = run_built(app, "--self-test", HTTPS_PROXY="http://127.0.0.1:9", HTTP_PROXY="http://127.0.0.1:9")
    assert done.returncode == 0, done.stderr
    assert "Self-test passed: model tiny-bert" in done.stdout
    assert "int8 draft copy: yes" in done.stdout  # torch's quantization is in the bundle
    assert "Traceback" not in done.stderr and "Warning" not in done.stderr


@pytest.mark.slow
@pytest.mark.timeout(1500)  # the first one builds the app (~5 min, more on a busy machine)
@needs_build
def test_built_app_self_test_fails_with_a_sentence(built_app):
    app, _ = built_app
    done = run_built(app, "--self-test", "--model", str(app / "no-such-model"))
    assert done.returncode == 1 and "does not exist" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.slow
@pytest.mark.timeout(1500)  # the first one builds the app (~5 min, more on a busy machine)
@needs_build
def test_built_app_window_starts_loads_the_bundled_model_and_quits(built_app):
    app, _ = built_app
    before = log_text()
    done = run_built(app, str(ROOT / "resources" / "sample.txt"), "--quit-after", "500", QT_QPA_PLATFORM="offscreen")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    new_lines = log_text()[len(before):]
    assert "BertMask 0.1.0 starting" in new_lines
    assert f"Loaded tiny-bert from {(app / 'models' / 'tiny-bert').resolve()}" in new_lines
    assert "closing in 500 ms" in new_lines


@pytest.mark.slow
@pytest.mark.timeout(1500)  # the first one builds the app (~5 min, more on a busy machine)
@needs_build
def test_built_app_stays_within_the_size_budget(built_app):
    app, _ = built_app
    size = build.folder_size(app) - build.folder_size(app / "models")
    # 738 MB on 2026-12-03: 676 MB before the ONNX Runtime engine, which adds 62 (packaging/README.md)
    assert size <= 750e6, f"{size / 1e6:.0f} MB"


@pytest.mark.slow
@pytest.mark.timeout(1500)  # the first one builds the app (~5 min, more on a busy machine)
@needs_build
@pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="needs xvfb-run (apt-get install xvfb)")
def test_built_app_starts_on_x11_under_xvfb(built_app):
    """As a double-click on a Linux desktop: Qt's xcb plugin from the bundle, no offscreen."""
    app, _ = built_app
    before = log_text()
    environ = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "PYTHONPATH", "VIRTUAL_ENV")}
    done = subprocess.run(
        ["xvfb-run", "-a", "-s", "-screen 0 1280x800x24", str(app / EXE_NAME), "--quit-after", "300"],
        capture_output=True, text=True, cwd=app.parent, env=environ, timeout=180,
    )
    assert done.returncode == 0, done.stderr
    assert "Could not load the Qt platform plugin" not in done.stderr
    assert "Loaded tiny-bert" in log_text()[len(before):]


@pytest.mark.slow
@pytest.mark.timeout(1500)  # the first one builds the app (~5 min, more on a busy machine)
@needs_build
def test_built_app_installs_its_own_desktop_entry(built_app, tmp_path):
    """Someone who unpacked the app (no source checkout) can add it to the menu."""
    app, _ = built_app
    script = app / "_internal" / "resources" / "install-desktop.sh"
    env = dict(os.environ, XDG_DATA_HOME=str(tmp_path))
    done = subprocess.run(["bash", str(script)], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    desktop = (tmp_path / "applications" / "bertmask.desktop").read_text(encoding="utf-8")
    assert f'Exec="{app.resolve()}/BertMask" %f' in desktop
    assert (tmp_path / "icons" / "hicolor" / "256x256" / "apps" / "bertmask.png").is_file()


# ------------------------------------------------------- the .deb, installed with apt
def _can_install_debs() -> bool:
    return sys.platform.startswith("linux") and shutil.which("apt-get") is not None and os.geteuid() == 0


needs_apt_as_root = pytest.mark.skipif(not _can_install_debs(), reason="installs the .deb: needs apt-get, as root")
REAL_SMALL_MODEL = ROOT.parent / "shared" / "models" / "prose-mlm-small"


def run_installed(*args: str, timeout: int = 300, **env) -> subprocess.CompletedProcess:
    """Run a command as a user would (no venv); an env value of None removes that variable."""
    environ = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    environ.update(env)
    environ = {k: v for k, v in environ.items() if v is not None}
    return subprocess.run(list(args), capture_output=True, text=True, env=environ, timeout=timeout, cwd="/")


def apt(*args: str) -> subprocess.CompletedProcess:
    done = run_installed("apt-get", "-y", "-q", *args, timeout=900, DEBIAN_FRONTEND="noninteractive")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done


@pytest.fixture(scope="module")
def installed_deb(built_app):
    """The .deb that make package built beside dist/BertMask, installed with apt; the
    list of its files (dpkg -L). Removed at the end if a test left it installed."""
    sys.path.insert(0, str(ROOT / "packaging" / "deb"))
    from build_deb import architecture, deb_name, project_version

    deb = ROOT / "dist" / deb_name(project_version(), architecture())
    assert deb.is_file(), f"make package did not build {deb}"
    if run_installed("dpkg", "-s", "bertmask").returncode == 0:
        apt("purge", "bertmask")
    apt("install", str(deb))
    files = run_installed("dpkg", "-L", "bertmask").stdout.split()
    yield deb, files
    if run_installed("dpkg", "-s", "bertmask").returncode == 0:
        apt("purge", "bertmask")


@pytest.mark.slow
@pytest.mark.timeout(1800)  # builds the app first when it runs alone
@needs_build
@needs_apt_as_root
def test_installed_deb_puts_the_app_on_the_path_and_in_the_menu(installed_deb):
    _, files = installed_deb
    for path in ("/opt/bertmask/BertMask", "/usr/bin/bertmask", "/usr/share/applications/bertmask.desktop",
                 "/usr/share/icons/hicolor/256x256/apps/bertmask.png", "/usr/share/doc/bertmask/copyright",
                 "/usr/share/doc/bertmask/LICENSE", "/usr/share/doc/bertmask/THIRD-PARTY-NOTICES.txt"):
        assert path in files and os.path.lexists(path), path
    notices = Path("/usr/share/doc/bertmask/THIRD-PARTY-NOTICES.txt").read_text(encoding="utf-8")
    for package in ("torch 2.", "transformers 5.", "PySide6_Essentials 6.", "GNU LESSER GENERAL PUBLIC LICENSE"):
        assert package in notices
    done = run_installed("bertmask", "--version")
    assert done.returncode == 0 and done.stdout.strip() == f"BertMask {__version__}"  # pyproject's (test_release)
    done = run_installed("bertmask", "--self-test", HTTPS_PROXY="http://127.0.0.1:9")
    assert done.returncode == 0 and "Self-test passed: model tiny-bert" in done.stdout, done.stderr
    if shutil.which("desktop-file-validate"):
        done = run_installed("desktop-file-validate", "/usr/share/applications/bertmask.desktop")
        assert done.returncode == 0 and not done.stdout.strip(), done.stdout


@pytest.mark.slow
@pytest.mark.timeout(1800)
@needs_build
@needs_apt_as_root
@pytest.mark.skipif(not REAL_SMALL_MODEL.is_dir(), reason=f"needs the real small model at {REAL_SMALL_MODEL}")
def test_installed_deb_self_test_with_the_real_small_model(installed_deb):
    done = run_installed("bertmask", "--self-test", "--model", str(REAL_SMALL_MODEL))
    assert done.returncode == 0, done.stderr
    assert "Self-test passed: model" in done.stdout and "prose-mlm-small" in done.stdout


@pytest.mark.slow
@pytest.mark.timeout(1800)
@needs_build
@needs_apt_as_root
@pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="needs xvfb-run (apt-get install xvfb xauth)")
def test_menu_entrys_exec_opens_a_text_file_on_x11(installed_deb, tmp_path):
    """What "Open with BertMask" does: the desktop entry's Exec line with the file for %f."""
    import shlex

    entry = Path("/usr/share/applications/bertmask.desktop").read_text(encoding="utf-8")
    exec_line = re.search(r"^Exec=(.*)$", entry, re.MULTILINE).group(1)
    note = tmp_path / "a note.txt"
    note.write_text("The [MASK] was quite interesting.\n", encoding="utf-8")
    command = [part.replace("%f", str(note)) for part in shlex.split(exec_line)]
    config = tmp_path / "config"
    done = run_installed(
        "xvfb-run", "-a", "-s", "-screen 0 1280x800x24", *command, "--quit-after", "300",
        XDG_CONFIG_HOME=str(config), QT_QPA_PLATFORM=None, timeout=240,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Could not load the Qt platform plugin" not in done.stderr
    saved = "".join(p.read_text(encoding="utf-8") for p in config.rglob("*.conf"))
    assert str(note) in saved  # the file was opened (it is the first of the recent files)


@pytest.mark.slow
@pytest.mark.timeout(1800)
@needs_build
@needs_apt_as_root
def test_removing_the_deb_leaves_no_file_behind(installed_deb):
    _, files = installed_deb
    apt("purge", "bertmask")
    left = [path for path in files if os.path.lexists(path) and not os.path.isdir(path)]
    left += [folder for folder in ("/opt/bertmask", "/usr/share/doc/bertmask") if os.path.lexists(folder)]
    assert not left, left[:20]
