"""The engine on a real GPU: device choice, exactness against the pipeline, speed, CPU fallback.

    python benchmarks/gpu_check.py --source DIR --out DIR          # bert-base-shaped, ~2 min on a GPU
    python benchmarks/gpu_check.py --source DIR --out DIR --quick  # a few runs: tries the script on a CPU

Engine only (no Qt), through its public API: ``Predictor.load(device="auto")``,
``predict``, ``predict(mode="pieces")``, ``device_name``, ``notices``. ``--source`` holds
bert-base-uncased's config.json and vocab.txt; the model gets random weights
(benchmarks/model.py). Writes gpu_check.json and prints one line per check.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from model import SHARED, benchmark_model  # noqa: E402
from texts import FAST_AGREEMENT_TEXTS, SEED, paragraph  # noqa: E402

# fp16 keeps ~3 significant digits; a probability may differ from fp32's by this much.
FP16_SCORE_TOLERANCE = 2e-3
CUDA_FAILURE = "CUDA error: an illegal memory access was encountered (simulated by gpu_check)"


def median_seconds(fn, runs: int, warmup: int = 2) -> float:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()  # the engine returns CPU tensors/floats, so the GPU work has finished here
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def compare_with_pipeline(predictor, pipe, texts) -> dict:
    """Top-5 tokens equal, and the largest |engine − pipeline| score, over ``texts``.

    Random weights give near-flat distributions, so two tokens may swap places under fp16
    rounding; a swap only counts as a mismatch when the scores differ by more than the
    tolerance.
    """
    checked = equal = real_mismatches = 0
    worst = 0.0
    for text in texts:
        model_text = text.replace("[MASK]", pipe.tokenizer.mask_token)
        raw = pipe(model_text, top_k=80)
        per_mask = raw if isinstance(raw[0], list) else [raw]
        for mask, rows in zip(predictor.predict(text, top_k=5, mode="pieces").masks, per_mask):
            scores = {r["token"]: r["score"] for r in rows}
            usable = [r["token"] for r in rows if predictor.usable_text(r["token"]) is not None]
            checked += 1
            equal += [c.token_id for c in mask.candidates] == usable[:5]
            for c in mask.candidates:
                error = abs(c.score - scores[c.token_id]) if c.token_id in scores else 1.0
                worst = max(worst, error)
                real_mismatches += error > FP16_SCORE_TOLERANCE
    return {"masks": checked, "top5_tokens_equal": equal, "max_score_error": worst,
            "scores_beyond_tolerance": real_mismatches}


def fail_once(model, message: str) -> list[int]:
    """Make ``model``'s next forward raise a CUDA-style RuntimeError; returns a call log."""
    original = model.forward
    calls: list[int] = []

    def forward(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError(message)
        return original(*args, **kwargs)

    model.forward = forward
    return calls


def check_fallback(folder: Path, text: str) -> dict:
    """A CUDA failure mid-prediction: the engine answers on the CPU, with a notice."""
    from bertmask_gui.engine.predictor import Predictor

    predictor = Predictor.load(str(folder), device="auto")
    before = predictor.device_name
    predictor.predict(text, top_k=5, mode="pieces")
    calls = fail_once(predictor.model, CUDA_FAILURE)
    try:
        prediction = predictor.predict(text, top_k=5, mode="pieces")
        error = None
    except Exception as exc:  # the finding: the engine did not fall back
        prediction, error = None, f"{type(exc).__name__}: {exc}"
    words_after = None
    if error is None:
        words_after = [c.token for c in predictor.predict(SEED, top_k=5).masks[0].candidates]
    return {
        "device_before": before,
        "device_after": predictor.device_name,
        "dtype_after": str(next(predictor.model.parameters()).dtype),
        "forward_calls": len(calls),
        "error": error,
        "answered": prediction is not None and bool(prediction.masks and prediction.masks[0].candidates),
        "notices": list(predictor.notices),
        "whole_words_after_fallback": words_after,
    }


def run(source: Path, quick: bool, model: Path | None = None) -> dict:
    import torch
    from transformers import pipeline

    from bertmask_gui.engine.predictor import Predictor

    import transformers

    out: dict = {"python": platform.python_version(), "torch": torch.__version__,
                 "transformers": transformers.__version__}
    out["cuda_available"] = torch.cuda.is_available()
    if out["cuda_available"]:
        out["gpu"] = torch.cuda.get_device_name(0)
    started = time.perf_counter()
    folder = model or benchmark_model(source=source)
    out["model_build_s"] = time.perf_counter() - started

    started = time.perf_counter()
    predictor = Predictor.load(str(folder), device="auto")
    out["load_s"] = time.perf_counter() - started
    dtype = next(predictor.model.parameters()).dtype
    out["device"] = predictor.device_name
    out["dtype"] = str(dtype)
    out["notices"] = list(predictor.notices)
    expected = ("cuda", torch.float16) if out["cuda_available"] else ("cpu", torch.float32)
    out["chose_expected_device"] = (predictor.device_name, dtype) == expected

    on_gpu = 0 if out["cuda_available"] else -1
    texts = list(FAST_AGREEMENT_TEXTS) + [paragraph(predictor.tokenizer, 128, masks=3)]
    for name, pipe_dtype in (("pipeline_same_dtype", dtype), ("pipeline_fp32", torch.float32)):
        pipe = pipeline("fill-mask", model=str(folder), device=on_gpu, dtype=pipe_dtype)
        out[name] = compare_with_pipeline(predictor, pipe, texts)
        if name == "pipeline_same_dtype":
            same_dtype_pipe = pipe
        else:
            del pipe

    runs, warmup = (1, 1) if quick else (30, 3)
    three_masks = paragraph(predictor.tokenizer, 128, masks=3)
    long_text = paragraph(predictor.tokenizer, 510, masks=1)
    timings = {
        "pieces, seed sentence": lambda: predictor.predict(SEED, top_k=5, mode="pieces"),
        "pipeline, seed sentence": lambda: same_dtype_pipe(SEED.replace("[MASK]", predictor.mask_token), top_k=5),
        "pieces, 510 tokens": lambda: predictor.predict(long_text, top_k=5, mode="pieces"),
        "pipeline, 510 tokens": lambda: same_dtype_pipe(long_text.replace("[MASK]", predictor.mask_token), top_k=5),
        "whole words, seed sentence": lambda: predictor.predict(SEED, top_k=5),
        "whole words + fill-all, 3 masks / 128 tokens": lambda: predictor.predict(three_masks, top_k=5),
    }
    out["median_seconds"] = {
        name: median_seconds(fn, runs if "fill-all" not in name else max(1, runs // 3), warmup)
        for name, fn in timings.items()
    }
    fills = predictor.predict(three_masks, top_k=5)
    out["fill_all_rows"] = len(fills.fills)
    out["fill_all_forward_passes"] = fills.forward_passes
    out["fallback"] = check_fallback(folder, SEED)
    return out


def verdicts(out: dict) -> list[tuple[str, bool]]:
    fallback = out["fallback"]
    same = out["pipeline_same_dtype"]
    return [
        (f"device auto chose {out['device']} with {out['dtype']}", out["chose_expected_device"]),
        (f"--pieces vs pipeline ({out['dtype']}): {same['top5_tokens_equal']}/{same['masks']} top-5 lists "
         f"equal, max score error {same['max_score_error']:.2e}", same["scores_beyond_tolerance"] == 0),
        (f"--pieces vs pipeline (fp32): max score error {out['pipeline_fp32']['max_score_error']:.2e}",
         out["pipeline_fp32"]["scores_beyond_tolerance"] == 0),
        (f"fill-all gave {out['fill_all_rows']} rows", out["fill_all_rows"] > 0),
        (f"CUDA failure mid-prediction: {fallback['device_before']} → {fallback['device_after']}, "
         f"answered {fallback['answered']}, notices {fallback['notices']}",
         fallback["answered"] and fallback["device_after"] == "cpu" and bool(fallback["notices"])
         if fallback["device_before"] != "cpu" else fallback["error"] is not None),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=SHARED, help="folder with config.json + vocab.txt")
    parser.add_argument("--out", type=Path, default=Path("."), help="where gpu_check.json goes")
    parser.add_argument("--quick", action="store_true", help="1 timed run instead of 30")
    parser.add_argument("--model", type=Path, help="an existing model folder instead of the bert-base-shaped one")
    args = parser.parse_args()
    out = run(args.source, args.quick, args.model)
    out["checks"] = [{"check": text, "ok": ok} for text, ok in verdicts(out)]
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "gpu_check.json").write_text(json.dumps(out, indent=2, default=str) + "\n", encoding="utf-8")
    for name, seconds in out["median_seconds"].items():
        print(f"{name:48s} {seconds * 1000:8.1f} ms")
    for check in out["checks"]:
        print(("OK   " if check["ok"] else "FAIL ") + check["check"])
    return 0 if all(c["ok"] for c in out["checks"]) else 1


if __name__ == "__main__":
    sys.exit(main())
