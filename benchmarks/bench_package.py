"""The packaged app as a writer meets it, beside `make run` on the same machine.

    python benchmarks/bench_package.py [--app EXE] [--model DIR] [--runs N]

Times, from the start of the process (a double-click) to the window on screen and to the
first candidates, for the packaged executable (the installed /usr/bin/bertmask if the .deb
is installed, else dist/BertMask/BertMask) and for the source app (`python -m bertmask_gui`,
what `make run` starts), in alternating runs; the packaged app uses its bundled model when
it has one, else --model. Then the sizes: the .deb, the installed package (dpkg's
Installed-Size) or the app folder. Writes docs/package_bench.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTALLED = Path("/usr/bin/bertmask")
BUILT = ROOT / "dist" / "BertMask" / "BertMask"
REAL_SMALL_MODEL = ROOT.parent / "shared" / "models" / "prose-mlm-small"
SEED = "I really [MASK] the movie. It was quite interesting.\n"


def launch(command: list[str], seed: Path) -> dict[str, float]:
    """Seconds from process start to each startup milestone (bertmask_gui.startup_trace)."""
    environ = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    environ.update(BERTMASK_TRACE_STARTUP="1", QT_QPA_PLATFORM="offscreen", HF_HUB_OFFLINE="1")
    started = time.time()
    done = subprocess.run([*command, "--device", "cpu", str(seed)], capture_output=True, text=True,
                          timeout=600, env=environ, cwd=ROOT)
    marks = {}
    for line in done.stderr.splitlines():
        if line.startswith("bertmask-trace "):
            _, event, stamp = line.split()
            marks[event] = float(stamp) - started
    if "first-candidates" not in marks:
        raise SystemExit(f"{command[0]} showed no candidates:\n{done.stderr[-3000:]}")
    return marks


def bundled_model(executable: Path) -> str | None:
    models = executable.resolve().parent / "models"
    found = sorted(p.name for p in models.iterdir() if (p / "config.json").is_file()) if models.is_dir() else []
    return found[0] if found else None


def sizes(executable: Path) -> dict[str, float]:
    out = {}
    app_dir = executable.resolve().parent
    out["app_folder_mb"] = sum(p.stat().st_size for p in app_dir.rglob("*") if p.is_file() and not p.is_symlink()) / 1e6
    if shutil.which("dpkg-query"):
        done = subprocess.run(["dpkg-query", "-W", "-f=${Installed-Size}", "bertmask"], capture_output=True, text=True)
        if done.returncode == 0 and done.stdout.strip():
            out["installed_mb"] = int(done.stdout) * 1024 / 1e6
    debs = sorted((ROOT / "dist").glob("bertmask_*.deb"))
    if debs:
        out["deb_mb"] = debs[-1].stat().st_size / 1e6
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--app", type=Path, default=INSTALLED if INSTALLED.exists() else BUILT)
    parser.add_argument("--model", type=Path, default=REAL_SMALL_MODEL, help="when the app bundles none, and for make run")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "package_bench.json")
    args = parser.parse_args(argv)
    if not args.app.exists():
        print(f"bench_package: no packaged app at {args.app}: run make package first; skipped.")
        return 0
    bundled = bundled_model(args.app)
    if not args.model.is_dir():
        print(f"bench_package: no model folder at {args.model} (for make run, and for the app if it bundles none); "
              "pass --model DIR; skipped.")
        return 0
    packaged = [str(args.app)] + ([] if bundled else ["--model", str(args.model)])
    source = [sys.executable, "-m", "bertmask_gui", "--model", str(args.model)]
    seed = ROOT / "build" / "bench-seed.txt"
    seed.parent.mkdir(exist_ok=True)
    seed.write_text(SEED, encoding="utf-8")
    runs: dict[str, list[dict]] = {"packaged": [], "source": []}
    for _ in range(args.runs):  # alternating, so a busy moment hits both alike
        runs["packaged"].append(launch(packaged, seed))
        runs["source"].append(launch(source, seed))
    result = {
        "app": str(args.app),
        "model": bundled or args.model.name,
        "model_bundled": bundled is not None,
        "runs": args.runs,
        **{
            f"{kind}_{event}_s": statistics.median(run[event] for run in marks)
            for kind, marks in runs.items()
            for event in ("window-shown", "first-candidates")
        },
        **sizes(args.app),
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
    }
    print(f"packaged app: {args.app} (model {result['model']}, {'bundled' if bundled else 'with --model'}); "
          f"median of {args.runs}")
    print(f"{'':22}{'window':>10}{'first candidates':>20}")
    for kind, label in (("packaged", "packaged app"), ("source", "make run (source)")):
        print(f"{label:22}{result[f'{kind}_window-shown_s']:>9.2f}s{result[f'{kind}_first-candidates_s']:>19.2f}s")
    for key in ("deb_mb", "installed_mb", "app_folder_mb"):
        if key in result:
            print(f"{key}: {result[key]:.0f}")
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"written {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
