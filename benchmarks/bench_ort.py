"""ONNX Runtime vs torch vs the fill-mask pipeline, in one process: docs/PERFORMANCE_ORT.md.

The bert-base-shaped benchmark model (benchmarks/model.py). Every ratio is the median of
per-round ratios with the compared calls interleaved in each round (the machine is shared).
"Today" is the torch engine as the app runs it (with its int8 torch draft).

    python benchmarks/bench_ort.py [--runs N] [--quick] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from bench import PIPELINE_DEPTH, count_forwards, fmt, interleaved, paired_ratio, stats  # noqa: E402
from model import benchmark_model  # noqa: E402
from texts import SEED, paragraph  # noqa: E402


def exactness(torch_side, ort_side, pipe, texts: dict, out: dict) -> None:
    """Top-5 pieces: the same tokens as torch and the pipeline; the largest score difference."""
    rows = []
    for label, text in texts.items():
        raw = pipe(text.replace("[MASK]", pipe.tokenizer.mask_token), top_k=PIPELINE_DEPTH)
        per_mask = raw if isinstance(raw[0], list) else [raw]
        a, b = torch_side.predict_pieces(text, 5), ort_side.predict_pieces(text, 5)
        same_torch = all([c.token_id for c in x.candidates] == [c.token_id for c in y.candidates] for x, y in zip(a.masks, b.masks))
        worst_pipe = worst_torch = 0.0
        same_pipe = True
        for mask_a, mask_b, ranked in zip(a.masks, b.masks, per_mask):
            scores = {r["token"]: r["score"] for r in ranked}
            usable = [r["token"] for r in ranked if r["token"] in {c.token_id for c in mask_b.candidates}]
            same_pipe &= usable == [c.token_id for c in mask_b.candidates]
            for ca, cb in zip(mask_a.candidates, mask_b.candidates):
                worst_torch = max(worst_torch, abs(ca.score - cb.score))
                worst_pipe = max(worst_pipe, abs(cb.score - scores[cb.token_id]))
        rows.append({"case": label, "same_as_torch": same_torch, "same_as_pipeline": same_pipe,
                     "max_diff_torch": worst_torch, "max_diff_pipeline": worst_pipe})
        print(f"  {label:<34} same top-5 as torch {same_torch}, as the pipeline {same_pipe}; "
              f"max |Δp| vs torch {worst_torch:.1e}, vs pipeline {worst_pipe:.1e}", flush=True)
    out["exactness"] = rows


def gemm_rate(threads: int, shapes=((450, 768, 3072), (450, 3072, 768), (450, 768, 768)), repeats: int = 10) -> float:
    """This machine's best fp32 matrix-product rate in GFLOP/s, the encoder's shapes, on
    torch and on ONNX Runtime (one MatMul graph), ``threads`` threads: the most an exact
    fp32 engine can sustain on its products."""
    import onnxruntime as ort
    import torch
    from onnx import TensorProto, helper, numpy_helper

    torch.set_num_threads(threads)
    options = ort.SessionOptions()
    options.intra_op_num_threads, options.inter_op_num_threads, options.log_severity_level = threads, 1, 3
    best = 0.0
    for m, k, n in shapes:
        a, b = torch.randn(m, k), torch.randn(k, n)
        graph = helper.make_graph([helper.make_node("MatMul", ["a", "b"], ["c"])], "product",
                                  [helper.make_tensor_value_info("a", TensorProto.FLOAT, [m, k])],
                                  [helper.make_tensor_value_info("c", TensorProto.FLOAT, [m, n])],
                                  [numpy_helper.from_array(b.numpy(), "b")])
        product = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)
        session = ort.InferenceSession(product.SerializeToString(), options, providers=["CPUExecutionProvider"])
        feeds = {"a": a.numpy()}
        for run in (lambda: a @ b, lambda: session.run(None, feeds)):
            for _ in range(3):
                run()
            started = time.perf_counter()
            for _ in range(repeats):
                run()
            best = max(best, 2 * m * k * n * repeats / (time.perf_counter() - started) / 1e9)
    return best


def pass_flops(config, tokens: int, head_rows: int | None = None) -> float:
    """Multiply-adds ×2 of one exact pass over ``tokens`` tokens. ``head_rows`` None: the
    pipeline's (every layer and the LM head at every token); a number: ours (the last
    layer's keys and values for every token, the rest of it and the head at those rows)."""
    h, i, v, layers = config.hidden_size, config.intermediate_size, config.vocab_size, config.num_hidden_layers
    layer = 2 * tokens * (4 * h * h + 2 * h * i) + 4 * tokens * tokens * h
    head = 2 * (h * h + h * v)
    if head_rows is None:
        return layers * layer + tokens * head
    last = 2 * tokens * 2 * h * h + head_rows * (2 * (2 * h * h + 2 * h * i) + 4 * tokens * h)
    return (layers - 1) * layer + last + head_rows * head


def arithmetic_floor(config, tokens: int, threads: int) -> dict:
    """The least time an exact fp32 pass can take here, against the pipeline's arithmetic."""
    rate = gemm_rate(threads)
    ours, theirs = pass_flops(config, tokens, head_rows=1), pass_flops(config, tokens)
    return {"tokens": tokens, "gflop_ours": ours / 1e9, "gflop_pipeline": theirs / 1e9, "gemm_gflops": rate,
            "floor_ms": ours / rate / 1e6, "flop_ratio": ours / theirs}


def compare(label: str, fns: dict, runs: int, pairs: list[tuple[str, str, float | None]], out: list, warmup: int = 2):
    samples = interleaved(fns, runs, warmup=warmup)
    row = {"case": label, **{name: stats(s) for name, s in samples.items()}, "ratios": []}
    for a, b, target in pairs:
        ratio = paired_ratio(samples[a], samples[b])
        row["ratios"].append({"a": a, "b": b, "ratio": ratio, "target": target})
    out.append(row)
    times = "  ".join(f"{name} {fmt(row[name])}" for name in samples)
    ratios = "  ".join(
        f"{r['a']}/{r['b']} {r['ratio']:.2f}×" + (f" (target ≤ {r['target']}×)" if r["target"] else "") for r in row["ratios"]
    )
    print(f"  {label}: {times}\n      {ratios}", flush=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, help="rounds per case (default 12; quick 4)")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--no-memory", action="store_true", help="skip the memory steps (bench_ort_memory.py)")
    parser.add_argument("--out", help="markdown report (default docs/PERFORMANCE_ORT.md unless --quick)")
    args = parser.parse_args(argv)
    runs = args.runs or (4 if args.quick else 12)
    folder = benchmark_model()

    import torch
    from transformers import pipeline

    from bertmask_gui.engine import onnx_export
    from bertmask_gui.engine.options import Filters
    from bertmask_gui.engine.predictor import Predictor

    out: dict = {
        "when": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.machine()}, {os.cpu_count()} logical CPUs",
        "versions": f"torch {torch.__version__}, onnxruntime {__import__('onnxruntime').__version__}",
        "threads": torch.get_num_threads(),
        "load_before": " ".join(f"{x:.1f}" for x in os.getloadavg()),
        "runs": runs,
    }
    print(f"ONNX Runtime benchmark: {out['machine']}, {out['versions']}, {runs} rounds per case", flush=True)
    started = time.perf_counter()
    was_cached = onnx_export.cached(folder) is not None
    onnx_export.export(folder)
    out["export_s"] = None if was_cached else time.perf_counter() - started
    made = "cached" if was_cached else "%.1f s (fp32 + int8)" % out["export_s"]
    print(f"  export: {made}", flush=True)

    today = Predictor.load(str(folder), device="cpu")
    today.prepare_draft()  # the app's torch path: exact fp32 + int8 torch draft
    ort = Predictor.load(str(folder), device="cpu")
    started = time.perf_counter()
    ort.prepare_onnx()
    out["switch_s"] = time.perf_counter() - started  # from the cache: open both sessions, check, switch
    fast_torch = Predictor.load(str(folder), device="cpu", fast=True)
    fast_ort = Predictor.load(str(folder), device="cpu", fast=True)
    fast_ort.prepare_onnx()
    pipe = pipeline("fill-mask", model=str(folder), device="cpu")
    tok = today.tokenizer
    para1, para3 = paragraph(tok, 450), paragraph(tok, 450, masks=3)
    single = Filters(fill_all=False)
    print(f"  switch from the cache (open sessions, check, switch): {out['switch_s']:.2f} s", flush=True)

    print("1. Exactness (top-5 pieces)")
    exactness(today, ort, pipe, {"seed sentence": SEED, "450-token paragraph": para1, "450 tokens, 3 masks": para3}, out)

    print("2. Raw pieces vs the pipeline, ms")
    rows: list = []
    for label, text in (("seed sentence", SEED), ("450-token paragraph, 1 mask", para1)):
        compare(label, {
            "pipeline": lambda: pipe(text, top_k=5),
            "torch": lambda: today.predict_pieces(text, 5),
            "onnx": lambda: ort.predict_pieces(text, 5),
        }, runs, [("onnx", "pipeline", 0.5), ("torch", "pipeline", None)], rows)
    out["pieces"] = rows
    floor = out["floor"] = arithmetic_floor(today.model.config, len(tok(para1)["input_ids"]), torch.get_num_threads())
    print(f"  the paragraph's exact pass: {floor['gflop_ours']:.0f} GFLOP (the pipeline's {floor['gflop_pipeline']:.0f}); "
          f"best fp32 matrix product here {floor['gemm_gflops']:.0f} GFLOP/s: at least {floor['floor_ms']:.0f} ms", flush=True)

    print("3. What the writer waits for, vs today's torch pieces, ms")
    rows = []
    compare("seed sentence, whole words (full list)", {
        "torch pieces": lambda: today.predict_pieces(SEED, 5),
        "torch words": lambda: today.predict(SEED, filters=single),
        "onnx words": lambda: ort.predict(SEED, filters=single),
    }, runs, [("onnx words", "torch pieces", 1.3), ("torch words", "torch pieces", None)], rows)
    compare("450 tokens, 3 masks, words + fill-all", {
        "torch pieces": lambda: today.predict_pieces(para3, 5),
        "torch words": lambda: today.predict(para3),
        "onnx words": lambda: ort.predict(para3),
    }, max(3, runs // 3), [("onnx words", "torch pieces", 3.0), ("torch words", "torch pieces", None)], rows, warmup=1)
    out["writer"] = rows
    out["forwards"] = {
        "seed words, onnx": count_forwards(ort, lambda: ort.predict(SEED, filters=single)),
        "seed words, torch": count_forwards(today, lambda: today.predict(SEED, filters=single)),
    }

    print("4. The int8 draft: ONNX Runtime int8 vs torch int8 (whole words on the ONNX exact runner), ms")
    ort_draft = ort.draft_runner
    rows = []

    def words_with(draft, text):
        def run():
            ort.draft_runner = draft
            try:
                return ort.predict(text, filters=single)
            finally:
                ort.draft_runner = ort_draft
        return run

    for label, text in (("seed sentence, whole words", SEED), ("450-token paragraph, whole words", para1)):
        compare(label, {"onnx int8 draft": words_with(ort_draft, text), "torch int8 draft": words_with(today.draft_runner, text)},
                runs, [("onnx int8 draft", "torch int8 draft", None)], rows)
    out["draft"] = rows

    print("5. Fast mode: ONNX Runtime int8 vs torch int8, raw pieces, ms")
    rows = []
    for label, text in (("seed sentence", SEED), ("450-token paragraph (fast reads 128)", para1)):
        compare(label, {"torch int8": lambda: fast_torch.predict_pieces(text, 5), "onnx int8": lambda: fast_ort.predict_pieces(text, 5)},
                runs, [("onnx int8", "torch int8", None)], rows)
    out["fast"] = rows
    del pipe, today, ort, fast_torch, fast_ort

    print("6. Memory, step by step (benchmarks/bench_ort_memory.py in a process of its own), MB")
    out["memory"] = None if args.no_memory else memory_steps()
    out["load_after"] = " ".join(f"{x:.1f}" for x in os.getloadavg())
    target = Path(args.out) if args.out else (None if args.quick else ROOT / "docs" / "PERFORMANCE_ORT.md")
    if target:
        target.write_text(render(out), encoding="utf-8")
        target.with_name("performance_ort.json").write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
        print(f"Wrote {target}")
    return 0


def memory_steps() -> dict:
    """bench_ort_memory.py's steps: torch (today's app path), the switch, ONNX Runtime."""
    import subprocess

    done = subprocess.run([sys.executable, str(HERE / "bench_ort_memory.py"), "--predictions", "10"],
                          capture_output=True, text=True, timeout=1800)
    print(done.stdout, end="", flush=True)
    for line in done.stdout.splitlines():
        if line.startswith("MEMORY-JSON "):
            return json.loads(line[len("MEMORY-JSON "):])
    raise RuntimeError(f"bench_ort_memory.py failed:\n{done.stderr[-3000:]}")


def _memory_lines(m: dict | None) -> list[str]:
    if not m:
        return ["Not measured in this run (--no-memory)."]
    today = next(mb for label, mb in m["steps"] if "on torch" in label)
    onnx = m["steps"][-1][1]
    return [
        "`benchmarks/bench_ort_memory.py --predictions 10`: one process, the app's path (torch answers, makes its "
        "int8 draft, answers 10 whole-word and fill-all requests; the ONNX Runtime sessions open from the cache; "
        "the switch; the same 10 requests on ONNX Runtime).",
        "",
        "| Step | RSS, MB |",
        "|---|---|",
        *[f"| {label} | {mb:.0f} |" for label, mb in m["steps"]],
        "",
        f"ONNX Runtime after its requests / today's torch path after the same requests: **{onnx:.0f} / {today:.0f} MB** "
        f"(target: no higher: {'met' if onnx <= today else '**not met**'}); peak {m['peak']:.0f} MB (while both engines "
        f"are held, at the switch). The torch model and its draft are released at the switch: {m['torch_released']}.",
    ]


def _floor_lines(floor: dict | None, pieces: list) -> list[str]:
    """Why the paragraph's raw pieces cannot reach 0.5× the pipeline exactly on this CPU."""
    if not floor:
        return []
    paragraph = next((row for row in pieces if row["case"].startswith("450")), None)
    pipeline = paragraph["pipeline"]["median"] if paragraph else None
    onnx = paragraph["onnx"]["median"] if paragraph else None
    reached = f" ONNX Runtime's pass took {onnx:.0f} ms: {floor['gflop_ours'] / onnx * 1e3:.0f} GFLOP/s." if onnx else ""
    share = f" = {floor['floor_ms'] / pipeline:.2f}× the pipeline's {pipeline:.0f} ms in this run" if pipeline else ""
    return [
        f"What limits the paragraph: an exact pass over its {floor['tokens']} tokens is "
        f"{floor['gflop_ours']:.0f} GFLOP of fp32 arithmetic with the last layer and the head at the mask only "
        f"(the pipeline's: {floor['gflop_pipeline']:.0f} GFLOP, every layer and the head at every token; ours is "
        f"{floor['flop_ratio']:.2f}× that). This machine's best fp32 matrix product (torch or ONNX Runtime, the "
        "encoder's shapes), measured in this run, "
        f"is {floor['gemm_gflops']:.0f} GFLOP/s, so no exact fp32 engine can take less than "
        f"{floor['floor_ms']:.0f} ms{share}.{reached} Below that takes fewer or cheaper operations: fast mode "
        "(int8, 128 tokens of context) is the inexact way.",
        "",
    ]


def _table(rows: list) -> list[str]:
    lines = ["| Case | Times, ms: median (min–max) | Ratios (median of per-round ratios) |", "|---|---|---|"]
    for row in rows:
        names = [k for k in row if k not in ("case", "ratios")]
        times = "<br>".join(f"{n} {fmt(row[n])}" for n in names)
        ratios = "<br>".join(
            f"{r['a']} / {r['b']}: **{r['ratio']:.2f}×**"
            + (f" (target ≤ {r['target']}×: {'met' if r['ratio'] <= r['target'] else '**not met**'})" if r["target"] else "")
            for r in row["ratios"]
        )
        lines.append(f"| {row['case']} | {times} | {ratios} |")
    return lines


def render(r: dict) -> str:
    memory = r["memory"]
    lines = [
        "# Performance: the ONNX Runtime engine",
        "",
        "Generated by `benchmarks/bench_ort.py` (part of `make bench`); do not edit by hand. "
        f"Last run {r['when']} ({r['machine']}, {r['versions']}, {r['threads']} threads; load average "
        f"{r['load_before']} before, {r['load_after']} after: a shared machine). Model: bert-base-uncased's "
        "shape with random weights (benchmarks/model.py). torch, ONNX Runtime and the pipeline run alternately "
        f"in every one of {r['runs']} rounds; each ratio is the median of the per-round ratios. \"torch\" is "
        "today's engine (exact fp32 with its int8 torch draft), \"onnx\" the ONNX Runtime runner (fp32 graph "
        "with the last layer and the LM head at the masks only, and its int8 graph as the draft).",
        "",
        "Export (torch.onnx.export, fp32 + int8 quantization): "
        + ("cached in this run" if r["export_s"] is None else "%.0f s" % r["export_s"])
        + "; switching from the cache "
        f"(open both sessions, check against torch, switch): {r['switch_s']:.1f} s.",
        "",
        "## Exactness (top-5 pieces)",
        "",
        "| Text | Same top-5 as torch | Same top-5 as the pipeline | max abs diff vs torch | max abs diff vs the pipeline |",
        "|---|---|---|---|---|",
        *[f"| {e['case']} | {e['same_as_torch']} | {e['same_as_pipeline']} | {e['max_diff_torch']:.1e} | "
          f"{e['max_diff_pipeline']:.1e} |" for e in r["exactness"]],
        "",
        "## Raw pieces vs the pipeline",
        "",
        *_table(r["pieces"]),
        "",
        *_floor_lines(r.get("floor"), r["pieces"]),
        "## What the writer waits for, vs today's torch pieces",
        "",
        *_table(r["writer"]),
        "",
        f"Forward passes, seed sentence, whole words: onnx {r['forwards']['seed words, onnx']}, "
        f"torch {r['forwards']['seed words, torch']}.",
        "",
        "## The whole-word draft: ONNX Runtime int8 vs torch int8",
        "",
        *_table(r["draft"]),
        "",
        "## Fast mode: ONNX Runtime int8 vs torch int8",
        "",
        *_table(r["fast"]),
        "",
        "## Resident memory",
        "",
        *_memory_lines(memory),
        "",
    ]
    notes = HERE / "notes_ort.md"
    if notes.is_file():  # what was tried and measured, written by hand: kept on every rewrite
        lines += [notes.read_text(encoding="utf-8").strip(), ""]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
