"""Run the built app as its user would, on the machine that built it (release.yml, every OS).

    python packaging/smoke_test.py [APP_DIR]      (default dist/BertMask)

1. ``--version`` prints pyproject.toml's version;
2. ``--self-test --model TINY`` passes with a tiny BERT built here (no download);
3. the window starts on the offscreen platform, loads that model and closes itself;
4. the third-party notices and LICENSE are inside the app.
Prints one line per check; exits 1 at the first failure, with what the app printed.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def executable(app_dir: Path) -> Path:
    return app_dir / ("BertMask.exe" if sys.platform == "win32" else "BertMask")


def project_version() -> str:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    return re.search(r'^version\s*=\s*"([^"]+)"', text, re.MULTILINE).group(1)


def run(app_dir: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    environ.update(env)
    return subprocess.run(
        [str(executable(app_dir)), *args], capture_output=True, text=True, timeout=300, env=environ, cwd=app_dir.parent
    )


def check(name: str, done: subprocess.CompletedProcess, ok: bool) -> None:
    if ok and done.returncode == 0:
        print(f"ok: {name}")
        return
    print(f"FAILED: {name} (exit {done.returncode})\n--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}")
    sys.exit(1)


def internal_dir(app_dir: Path) -> Path:
    """Where PyInstaller put the data files: _internal, or a macOS .app's Resources
    (APP_DIR is then BertMask.app/Contents/MacOS)."""
    return app_dir.parent / "Resources" if app_dir.name == "MacOS" else app_dir / "_internal"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    app_dir = Path(args[0] if args else ROOT / "dist" / "BertMask").resolve()
    version = project_version()
    done = run(app_dir, "--version")
    check(f"--version says {version}", done, done.stdout.strip() == f"BertMask {version}")

    sys.path.insert(0, str(ROOT / "tests"))
    from tiny_models import build_tiny_bert

    with tempfile.TemporaryDirectory() as tmp:
        model = build_tiny_bert(Path(tmp) / "tiny-bert")
        done = run(app_dir, "--self-test", "--model", str(model), "--device", "cpu")
        check("--self-test with a tiny model", done, "Self-test passed" in done.stdout)
        sample = ROOT / "resources" / "sample.txt"
        done = run(app_dir, str(sample), "--model", str(model), "--quit-after", "300", QT_QPA_PLATFORM="offscreen")
        check("the window starts (offscreen), loads the model and closes", done, "Traceback" not in done.stderr)

    internal = internal_dir(app_dir)
    for name in ("THIRD-PARTY-NOTICES.txt", "LICENSE.txt"):
        present = (internal / name).is_file()
        check(f"{name} is in the app", subprocess.CompletedProcess([], 0 if present else 1, "", str(internal)), present)
    return 0


if __name__ == "__main__":
    sys.exit(main())
