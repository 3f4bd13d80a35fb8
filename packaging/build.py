"""Build the BertMask desktop app with PyInstaller: ``make package`` calls this.

    python packaging/build.py [--bundle-model DIR] [--archive zip|tar.zst] [--dist DIR] [--no-deb]

Produces ``dist/BertMask/`` (one folder; the executable is ``dist/BertMask/BertMask``,
``BertMask.exe`` on Windows, and ``dist/BertMask.app`` on macOS). ``--bundle-model DIR``
(or ``BUNDLE_MODEL=DIR``) copies a model folder into the app's ``models/`` folder, so
the app works on first start with no internet and no setup. On Linux with dpkg-deb it
also makes ``dist/bertmask_<version>_<arch>.deb`` (packaging/deb/build_deb.py).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "packaging" / "bertmask.spec"
APP = "BertMask"
sys.path.insert(0, str(ROOT))


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Build the BertMask desktop app (PyInstaller, one folder).")
    parser.add_argument(
        "--bundle-model",
        metavar="DIR",
        default=os.environ.get("BUNDLE_MODEL") or None,
        help="a model folder (config.json, tokenizer, *.safetensors) to ship inside the app "
        "(default: $BUNDLE_MODEL)",
    )
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="output folder (default: dist/)")
    parser.add_argument(
        "--work",
        type=Path,
        default=ROOT / "build" / "pyinstaller",
        help="PyInstaller's work folder; kept between builds so a rebuild reuses its analysis",
    )
    parser.add_argument("--archive", choices=("zip", "tar.zst", "tar.gz"), help="also pack the app for sharing")
    parser.add_argument("--clean", action="store_true", help="discard PyInstaller's cache first")
    parser.add_argument(
        "--deb",
        action=argparse.BooleanOptionalAction,
        default=shutil.which("dpkg-deb") is not None,
        help="also make dist/bertmask_<version>_<arch>.deb (default: where dpkg-deb exists)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        print("PyInstaller is not installed: run `make package`, which installs it.", file=sys.stderr)
        return 2
    model = Path(args.bundle_model).expanduser() if args.bundle_model else None
    if model is not None:
        problem = check_model(model)
        if problem:
            print(f"build.py: {problem}", file=sys.stderr)
            return 2

    started = time.monotonic()
    command = [
        sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
        "--distpath", str(args.dist), "--workpath", str(args.work), str(SPEC),
    ]
    if args.clean:
        command.insert(3, "--clean")
    print("Building", APP, "with PyInstaller (several minutes)…", flush=True)
    env = dict(os.environ, PYTHONNOUSERSITE="1")
    subprocess.run(command, check=True, cwd=ROOT, env=env)
    app_dir = args.dist / APP
    for target in app_folders(args.dist):
        models = target / "models"
        if models.exists():
            shutil.rmtree(models)  # never ship a model left over from an earlier build
        if model is not None:
            copy_model(model, models / bundle_name(model))
    seconds = time.monotonic() - started
    print(f"Built {app_dir} in {seconds:.0f} s: {human(folder_size(app_dir))} unpacked.")
    if model is not None:
        print(f"Bundled model: {bundle_name(model)}")
    if args.archive:
        archive = pack(app_dir, args.archive)
        print(f"Archive: {archive} ({human(archive.stat().st_size)})")
    if args.deb and sys.platform.startswith("linux"):
        deb_started = time.monotonic()
        deb = build_deb(app_dir, args.dist)
        print(f"Debian package: {deb} ({human(deb.stat().st_size)}, {time.monotonic() - deb_started:.0f} s)")
    return 0


def build_deb(app_dir: Path, dist: Path) -> Path:
    sys.path.insert(0, str(ROOT / "packaging" / "deb"))
    from build_deb import build_deb as make_deb

    return make_deb(app_dir, dist)


def app_folders(dist: Path) -> list[Path]:
    """Where the executable lives: the one folder, and inside the macOS .app bundle."""
    folders = [dist / APP]
    mac = dist / f"{APP}.app" / "Contents" / "MacOS"
    if sys.platform == "darwin" and mac.is_dir():
        folders.append(mac)
    return folders


def bundle_name(folder: Path) -> str:
    """The model's name in the app: the folder's name, or for a Hugging Face cache
    snapshot (…/models--google-bert--bert-base-uncased/snapshots/<hash>) the model's."""
    folder = folder.resolve()
    repo = folder.parent.parent.name
    if folder.parent.name == "snapshots" and repo.startswith("models--"):
        return repo.split("--")[-1]
    return folder.name


def check_model(folder: Path) -> str | None:
    """A sentence if ``folder`` cannot be bundled, else None (uses the app's own checks)."""
    from bertmask_gui.engine.errors import BertMaskError
    from bertmask_gui.engine.models import is_hub_id, validate_model_folder

    if not folder.is_dir():
        return f"The model folder “{folder}” does not exist."
    if not is_hub_id(bundle_name(folder)):
        return (
            f"The model folder's name “{bundle_name(folder)}” is also the model's name in the app: "
            "use letters, digits, '-', '_' or '.' only (rename the folder)."
        )
    try:
        validate_model_folder(folder)
    except BertMaskError as exc:
        return str(exc)
    return None


def copy_model(source: Path, target: Path) -> None:
    """Copy the files a fill-mask model needs (never pickle weights, READMEs, caches)."""
    import fnmatch

    from bertmask_gui.engine.models import MODEL_FILE_PATTERNS

    target.mkdir(parents=True)
    for path in sorted(source.iterdir()):
        if path.is_file() and any(fnmatch.fnmatch(path.name, p) for p in MODEL_FILE_PATTERNS):
            shutil.copy2(path, target / path.name)


def pack(app_dir: Path, kind: str) -> Path:
    if kind == "zip":
        return Path(shutil.make_archive(str(app_dir), "zip", app_dir.parent, app_dir.name))
    if kind == "tar.gz":
        archive = app_dir.with_name(app_dir.name + ".tar.gz")
        with tarfile.open(archive, "w:gz") as tar:
            tar.add(app_dir, arcname=app_dir.name)
        return archive
    archive = app_dir.with_name(app_dir.name + ".tar.zst")
    if shutil.which("zstd") is None:
        raise SystemExit("build.py: tar.zst needs the zstd program (apt-get install zstd); use --archive zip.")
    subprocess.run(
        ["tar", "-I", "zstd -10 -T0 --long=27", "-cf", str(archive), "-C", str(app_dir.parent), app_dir.name], check=True
    )
    return archive


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def human(size: int) -> str:
    return f"{size / 1e6:.0f} MB"


if __name__ == "__main__":
    sys.exit(main())
