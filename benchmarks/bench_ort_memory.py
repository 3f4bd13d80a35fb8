"""Resident memory, step by step, of the app's path from torch to ONNX Runtime (one process).

Loads the bert-base-shaped benchmark model (benchmarks/model.py) as the app does, answers
with torch (exact fp32, then its int8 draft, as the window makes it after the first
candidates), opens the ONNX Runtime sessions from the export's cache (made first if
missing), switches, and answers the same requests again, giving back the freed heap
after each as the worker does when idle (today's torch path did not). Prints the RSS after each step
and one JSON line; the torch model must be gone once ONNX Runtime serves.

    python benchmarks/bench_ort_memory.py [--predictions N] [--fast]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import weakref
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from probe import peak_rss_mb, rss_mb  # noqa: E402  (also sets HF_HUB_OFFLINE)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--predictions", type=int, default=20, help="whole-word requests on each engine (default 20)")
    parser.add_argument("--fast", action="store_true", help="fast mode (int8 on both engines)")
    parser.add_argument("--model", help="a model folder (default: the benchmark model)")
    args = parser.parse_args(argv)

    from model import benchmark_model
    from texts import SEED, paragraph

    from bertmask_gui.engine import onnx_export
    from bertmask_gui.engine.predictor import Predictor

    folder = Path(args.model) if args.model else benchmark_model()
    if onnx_export.cached(folder) is None:  # made in another process: the export's memory is not the app's
        import subprocess

        subprocess.run([sys.executable, "-c", "import sys; from bertmask_gui.engine import onnx_export; "
                        "onnx_export.export(sys.argv[1])", str(folder)], check=True, cwd=HERE.parent)
    steps: list[tuple[str, float]] = []

    def step(label: str) -> None:
        steps.append((label, rss_mb()))
        print(f"  {label:<52} {steps[-1][1]:7.0f} MB", flush=True)

    step("libraries imported")
    predictor = Predictor.load(str(folder), device="cpu", fast=args.fast)
    step("torch model loaded")
    texts = [SEED, paragraph(predictor.tokenizer, 450), SEED, SEED, paragraph(predictor.tokenizer, 450, masks=3)]
    predictor.predict(SEED)
    step("first candidates (torch)")
    predictor.prepare_draft()
    step("int8 torch draft made" if predictor.draft_runner is not None else "no draft (fast mode)")
    seconds = {}
    started = time.perf_counter()
    for i in range(args.predictions):
        predictor.predict(texts[i % len(texts)])
    seconds["torch"] = time.perf_counter() - started
    step(f"after {args.predictions} predictions on torch (today's app)")
    torch_model = weakref.ref(predictor.model)
    torch_draft = weakref.ref(predictor.draft_runner.model) if predictor.draft_runner is not None else (lambda: None)
    started = time.perf_counter()
    runners = predictor.onnx_runners(export_anew=False)
    step("ONNX Runtime sessions opened (torch still serving)")
    predictor.use_onnx(runners)
    del runners
    seconds["switch"] = time.perf_counter() - started
    step("switched to ONNX Runtime (torch let go)")
    released = torch_model() is None and torch_draft() is None
    started = time.perf_counter()
    for i in range(args.predictions):
        predictor.predict(texts[i % len(texts)])
        predictor.give_back_freed_memory()  # as the window's worker does when idle after a request
    seconds["onnx"] = time.perf_counter() - started
    step(f"after {args.predictions} predictions on ONNX Runtime")
    peak = peak_rss_mb()
    print(f"  peak {peak:.0f} MB; torch model and draft released: {released}; "
          + ", ".join(f"{k} {v:.1f} s" for k, v in seconds.items()), flush=True)
    print("MEMORY-JSON " + json.dumps({"steps": steps, "peak": peak, "torch_released": released, "seconds": seconds,
                                       "fast": args.fast, "predictions": args.predictions}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
