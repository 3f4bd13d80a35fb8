"""The GUI thread's longest stall while a worker thread imports torch and loads the model.

    python benchmarks/load_stall.py [--model DIR] [--repeats 3]

Each variant runs in a fresh process (torch can be imported once per process): a
QApplication (offscreen) with a 10 ms QTimer on the GUI thread, and a worker thread
doing the app's load path; the longest gap between ticks is the stall a writer typing
during the load would feel. Variants are ways to keep the event loop turning.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

VARIANTS = {
    "plain": "import torch, then load (the app before this change)",
    "preload": "torch's libraries dlopen'ed without the GIL first (bertmask_gui.torch_preload)",
    "switch-1ms": "sys.setswitchinterval(1 ms) during the load",
    "preload+switch-1ms": "both",
    "preload+nice": "preload, and the worker thread at nice 10 while it loads (Linux)",
    "preload+nogc": "preload, and Python's cyclic GC paused during the load (then gc.freeze)",
}


PHASES: list[tuple[str, float]] = []  # (phase ended, perf_counter) in the worker


def load(variant: str, folder: str) -> None:
    if "switch" in variant:
        sys.setswitchinterval(0.001)
    if "nice" in variant:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
    if "nogc" in variant:
        import gc

        gc.disable()
    if variant.startswith("preload"):
        from bertmask_gui.torch_preload import preload_torch_libraries

        preload_torch_libraries()
        PHASES.append(("preload", time.perf_counter()))
    import torch  # noqa: F401

    PHASES.append(("import torch", time.perf_counter()))
    from bertmask_gui.engine.predictor import Predictor

    PHASES.append(("import engine+transformers", time.perf_counter()))
    predictor = Predictor.load(folder, device="cpu")
    PHASES.append(("load model", time.perf_counter()))
    predictor.predict("I really [MASK] the movie.", top_k=5)
    PHASES.append(("first prediction", time.perf_counter()))
    sys.setswitchinterval(0.005)
    if "nogc" in variant:
        gc.freeze()
        gc.enable()


def measure(variant: str, folder: str) -> dict:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv[:1])
    ticks: list[float] = []
    ticker = QTimer()
    ticker.setInterval(10)
    ticker.timeout.connect(lambda: ticks.append(time.perf_counter()))
    done: list[float] = []

    def work():
        load(variant, folder)
        done.append(time.perf_counter())

    poll = QTimer()
    poll.setInterval(20)
    poll.timeout.connect(lambda: done and app.quit())
    ticker.start()
    poll.start()
    started = time.perf_counter()
    threading.Thread(target=work, daemon=True).start()
    app.exec()
    points = [started] + [t for t in ticks if started <= t <= done[0]] + [done[0]]
    gaps = [b - a for a, b in zip(points, points[1:])]
    worst = max(range(len(gaps)), key=gaps.__getitem__)
    stall_phase = next((name for name, ended in PHASES if ended >= points[worst]), "?")
    return {
        "stall_phase": stall_phase,
        "phases_ms": {name: (ended - started) * 1000 for name, ended in PHASES},
        "variant": variant,
        "stall_ms": gaps[worst] * 1000,
        "stall_at_ms": (points[worst] - started) * 1000,
        "gaps_over_50ms": sum(g > 0.05 for g in gaps),
        "load_predict_ms": (done[0] - started) * 1000,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="model folder (default: the benchmark's bert-base-shaped model)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--variant", help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args()
    if args.variant:
        print("STALL-JSON " + json.dumps(measure(args.variant, args.model)), flush=True)
        return 0
    if not args.model:
        from model import benchmark_model

        args.model = str(benchmark_model())
    results: dict[str, list[dict]] = {v: [] for v in VARIANTS}
    for _ in range(args.repeats):
        for variant in VARIANTS:  # interleaved, so machine noise hits every variant
            cmd = [sys.executable, __file__, "--variant", variant, "--model", args.model]
            out = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
            line = next((x for x in out.stdout.splitlines() if x.startswith("STALL-JSON ")), None)
            if line is None:
                raise RuntimeError(f"{variant} failed:\n{out.stderr[-2000:]}")
            results[variant].append(json.loads(line[len("STALL-JSON "):]))
    for variant, runs in results.items():
        stalls = [r["stall_ms"] for r in runs]
        loads = [r["load_predict_ms"] for r in runs]
        stall_at = [r["stall_at_ms"] for r in runs]
        phases = ", ".join(r["stall_phase"] for r in runs)
        print(f"{variant:20s} stall median {statistics.median(stalls):5.0f} ms "
              f"(runs {', '.join(f'{s:.0f}' for s in stalls)}; at {', '.join(f'{a:.0f}' for a in stall_at)} ms)  "
              f"in: {phases}; import+load+predict median {statistics.median(loads):5.0f} ms")
    print("LOAD-STALL-JSON " + json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
