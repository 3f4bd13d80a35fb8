"""BertMask benchmarks: the engine against transformers' own fill-mask pipeline.

    python benchmarks/bench.py            # everything (~10 min on 2 cores), writes docs/PERFORMANCE.md
    python benchmarks/bench.py --quick    # fewer repetitions, no file written unless --out

Model: bert-base-uncased's shape and vocabulary with random weights (benchmarks/model.py),
loaded through the app's own Predictor.load. Every ratio is taken in the same process, with
the engine and the pipeline called alternately in each round, so machine noise hits both.
Timed numbers here are never asserted in tests.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
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

from model import benchmark_model  # noqa: E402
from texts import FAST_AGREEMENT_TEXTS, SEED, long_document, paragraph  # noqa: E402

PIPELINE_DEPTH = 80


# ------------------------------------------------------------------ helpers
def pieces(predictor):
    """The raw single-token ranking: the same work as the pipeline (``--pieces``)."""
    return getattr(predictor, "predict_pieces", None) or predictor.predict


def has_word_ranking(predictor) -> bool:
    import inspect

    return "mode" in inspect.signature(predictor.predict).parameters


def stats(samples: list[float]) -> dict:
    ms = [s * 1000 for s in samples]
    return {"median": statistics.median(ms), "min": min(ms), "max": max(ms), "n": len(ms)}


def fmt(s: dict) -> str:
    return f"{s['median']:.1f} ({s['min']:.1f}–{s['max']:.1f})"


def interleaved(fns: dict, runs: int, warmup: int = 3) -> dict:
    """Call each function once per round, rotating the order; seconds per call."""
    names = list(fns)
    for _ in range(warmup):
        for name in names:
            fns[name]()
    samples = {name: [] for name in names}
    for r in range(runs):
        for name in names[r % len(names):] + names[: r % len(names)]:
            started = time.perf_counter()
            fns[name]()
            samples[name].append(time.perf_counter() - started)
    return samples


def paired_ratio(a: list[float], b: list[float]) -> float:
    """Median over rounds of a/b: robust to load that drifts between rounds."""
    return statistics.median(x / y for x, y in zip(a, b))


def max_score_error(predictor, pipe, text: str) -> float:
    """Largest |engine − pipeline| probability over the engine's top-5 candidates."""
    model_text = text.replace("[MASK]", pipe.tokenizer.mask_token)
    raw = pipe(model_text, top_k=PIPELINE_DEPTH)
    per_mask = raw if isinstance(raw[0], list) else [raw]
    worst = 0.0
    for mask, rows in zip(pieces(predictor)(text, top_k=5).masks, per_mask):
        scores = {r["token"]: r["score"] for r in rows}
        for c in mask.candidates:
            worst = max(worst, abs(c.score - scores[c.token_id]))
    return worst


def count_forwards(predictor, fn) -> str:
    """Forward passes ``fn`` costs: "N" (exact model), "N + M int8" with the draft."""
    draft = getattr(predictor, "draft_runner", None)
    exact_before = predictor.runner.forward_passes
    draft_before = draft.forward_passes if draft is not None else 0
    fn()
    exact = predictor.runner.forward_passes - exact_before
    drafted = draft.forward_passes - draft_before if draft is not None else 0
    return f"{exact} + {drafted} int8" if drafted else str(exact)


def probe(*args: str, env: dict | None = None, timeout: float = 600) -> dict:
    cmd = [sys.executable, str(HERE / "probe.py"), *args]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env={**os.environ, **(env or {})})
    for line in done.stdout.splitlines():
        if line.startswith("BENCH-JSON "):
            return json.loads(line[len("BENCH-JSON "):])
    raise RuntimeError(f"probe {args} failed:\n{done.stderr[-3000:]}")


def launch_app(folder: Path, seed_file: Path, fast: bool = False) -> dict:
    """Launch the real app in a fresh process; seconds from launch to each milestone."""
    env = {**os.environ, "BERTMASK_TRACE_STARTUP": "1", "QT_QPA_PLATFORM": "offscreen"}
    cmd = [sys.executable, "-m", "bertmask_gui", "--model", str(folder), "--device", "cpu", str(seed_file)]
    if fast:
        cmd.append("--fast")
    launched = time.time()
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=env, cwd=ROOT)
    marks = {}
    for line in done.stderr.splitlines():
        if line.startswith("bertmask-trace "):
            _, event, stamp = line.split()
            marks[event] = float(stamp) - launched
    if "first-candidates" not in marks:
        raise RuntimeError(f"the app did not show candidates:\n{done.stderr[-3000:]}")
    return marks


# ----------------------------------------------------------------- sections
def warm_latency(predictor, fast, pipe, runs: int, out: dict) -> None:
    tok = predictor.tokenizer
    cases = {
        "seed sentence": SEED,
        "450-token paragraph, 1 mask": paragraph(tok, 450),
        "450-token paragraph, 3 masks": paragraph(tok, 450, masks=3),
    }
    rows = []
    for label, text in cases.items():
        samples = interleaved(
            {
                "exact": lambda: pieces(predictor)(text, top_k=5),
                "fast": lambda: pieces(fast)(text, top_k=5),
                "pipeline": lambda: pipe(text, top_k=5),
            },
            runs,
        )
        row = {
            "case": label,
            "tokens": len(tok(text)["input_ids"]),
            **{name: stats(s) for name, s in samples.items()},
            "exact_ratio": paired_ratio(samples["exact"], samples["pipeline"]),
            "fast_ratio": paired_ratio(samples["fast"], samples["pipeline"]),
            "max_abs_error": max_score_error(predictor, pipe, text),
        }
        rows.append(row)
        print(
            f"  {label:<30} {row['tokens']:>4} tok  exact {fmt(row['exact'])}  fast {fmt(row['fast'])}  "
            f"pipeline {fmt(row['pipeline'])}  exact/pipe {row['exact_ratio']:.2f}  "
            f"fast/pipe {row['fast_ratio']:.2f}  max|Δp| {row['max_abs_error']:.1e}",
            flush=True,
        )
    out["latency"] = rows


def fast_agreement(predictor, fast, out: dict) -> None:
    """Top-1 / top-5 agreement of fast mode with exact mode, short texts and paragraphs apart."""
    tok = predictor.tokenizer
    groups = {
        "sentences": list(FAST_AGREEMENT_TEXTS),
        "450-token paragraphs": [paragraph(tok, 450), paragraph(tok, 450, masks=3)],
    }
    out["agreement"] = {}
    for group, texts in groups.items():
        top1 = top5 = masks = 0
        worst = 0.0
        for text in texts:
            for e, f in zip(pieces(predictor)(text, top_k=5).masks, pieces(fast)(text, top_k=5).masks):
                ids_e = [c.token_id for c in e.candidates]
                ids_f = [c.token_id for c in f.candidates]
                masks += 1
                top1 += ids_e[0] == ids_f[0]
                top5 += len(set(ids_e) & set(ids_f)) / 5
                worst = max(worst, abs(e.candidates[0].score - f.candidates[0].score))
        out["agreement"][group] = {"masks": masks, "top1": top1 / masks, "top5": top5 / masks, "max_top1_dp": worst}
        print(f"  fast vs exact, {group} ({masks} masks): top-1 {top1 / masks:.0%}, "
              f"top-5 overlap {top5 / masks:.0%}", flush=True)


def long_document_cost(predictor, runs: int, out: dict) -> None:
    tok = predictor.tokenizer
    local = paragraph(tok, 256)
    document = long_document(100_000, local)
    samples = interleaved(
        {"256-token text": lambda: pieces(predictor)(local), "100,000-word document": lambda: pieces(predictor)(document)},
        runs,
    )
    out["long"] = {
        "words": len(document.split()),
        "short": stats(samples["256-token text"]),
        "long": stats(samples["100,000-word document"]),
        "ratio": paired_ratio(samples["100,000-word document"], samples["256-token text"]),
        "forwards": count_forwards(predictor, lambda: pieces(predictor)(document)),
    }
    r = out["long"]
    print(f"  256-token text {fmt(r['short'])}  100k-word doc {fmt(r['long'])}  ratio {r['ratio']:.2f}", flush=True)


def throughput(predictor, fast, pipe, runs: int, out: dict) -> None:
    tok = predictor.tokenizer
    words = has_word_ranking(predictor)
    rows = []
    for masks in (1, 3, 8, 16):
        text = paragraph(tok, 450, masks=masks)
        fns = {
            "exact": lambda: pieces(predictor)(text),
            "fast": lambda: pieces(fast)(text),
            "pipeline": lambda: pipe(text, top_k=5),
        }
        samples = interleaved(fns, max(5, runs // 4), warmup=1)
        if words and masks <= 3:  # whole words (PLL-word-l2r) + fill-all rows: seconds per call, so 3 runs
            samples["words"] = interleaved({"words": lambda: predictor.predict(text, mode="words")}, 3, warmup=0)["words"]
        row = {
            "masks": masks,
            "forwards": count_forwards(predictor, lambda: pieces(predictor)(text)),
            **{name: stats(s) for name, s in samples.items()},
        }
        if "words" in samples:
            row["words_forwards"] = count_forwards(predictor, lambda: predictor.predict(text, mode="words"))
        rows.append(row)
        r = rows[-1]
        print(f"  {masks:>2} masks: {r['forwards']} forward  exact {fmt(r['exact'])}  fast {fmt(r['fast'])}  "
              f"pipeline {fmt(r['pipeline'])}"
              + (f"  words+fill-all {fmt(r['words'])} ({r['words_forwards']} forwards)" if "words" in r else ""),
              flush=True)
    out["throughput"] = rows
    out["rankings"] = {"whole-word and fill-all": words}


class _EarlyList(Exception):
    """Stops a prediction at its early list (the one-piece words the window shows first)."""


def _stop_at_early_list(prediction) -> None:
    raise _EarlyList()


def until_early(predict) -> None:
    """``predict`` up to its early list, or to the end if it has none (then the full
    list is the first the writer sees)."""
    try:
        predict(early=_stop_at_early_list)
    except _EarlyList:
        pass


def has_early_list(predictor) -> bool:
    import inspect

    return "early" in inspect.signature(predictor.predict).parameters


def writer_waits(predictor, runs: int, out: dict) -> None:
    """What the writer waits for: the default whole words, selection and fill-all, each
    beside one pieces prediction of the same text, interleaved in the same rounds."""
    from bertmask_gui.engine.options import Filters

    if hasattr(predictor, "prepare_draft"):
        predictor.prepare_draft()  # as the app does after its first candidates (CPU)
    tok = predictor.tokenizer
    seed_select = (SEED.replace("[MASK]", "love"), SEED.index("[MASK]"), SEED.index("[MASK]") + 4)
    para1, para3 = paragraph(tok, 450), paragraph(tok, 450, masks=3)
    word = next(w for w in para1.split()[len(para1.split()) // 3 :] if w.isalpha() and len(w) > 3)
    start = para1.index(" " + word + " ", len(para1) // 3) + 1
    para_select = (para1.replace("[MASK]", "the"), start, start + len(word))
    single = Filters(fill_all=False)
    cases = [
        ("seed sentence, whole words", SEED, lambda **kw: predictor.predict(SEED, filters=single, **kw)),
        ("seed sentence, selection (keep meaning)", SEED, lambda **kw: predictor.predict_span(*seed_select, **kw)),
        ("450-token paragraph, 1 mask, whole words", para1, lambda **kw: predictor.predict(para1, filters=single, **kw)),
        ("450-token paragraph, selection (keep meaning)", para1, lambda **kw: predictor.predict_span(*para_select, **kw)),
        ("450-token paragraph, 3 masks, words + fill-all", para3, lambda **kw: predictor.predict(para3, **kw)),
    ]
    rows = []
    for label, text, words in cases:
        slow = "fill-all" in label
        fns = {"pieces": lambda: pieces(predictor)(text), "words": words}
        if not slow and has_early_list(predictor):
            fns["first"] = lambda: until_early(words)
        samples = interleaved(fns, max(3, runs // (8 if slow else 2)), warmup=1)
        row = {
            "case": label,
            "pieces": stats(samples["pieces"]),
            "words": stats(samples["words"]),
            "ratio": paired_ratio(samples["words"], samples["pieces"]),
            **({"first": stats(samples["first"]), "first_ratio": paired_ratio(samples["first"], samples["pieces"])}
               if "first" in samples else {}),
            "pieces_forwards": count_forwards(predictor, lambda: pieces(predictor)(text)),
            "words_forwards": count_forwards(predictor, words),
            "target": 8.0 if slow else 2.5 if "selection" in label else 2.0,
        }
        rows.append(row)
        first = f"  first list {fmt(row['first'])} ({row['first_ratio']:.1f}×)" if "first" in row else ""
        print(f"  {label:<48} pieces {fmt(row['pieces'])} ({row['pieces_forwards']} fw)  "
              f"words {fmt(row['words'])} ({row['words_forwards']} fw)  ratio {row['ratio']:.1f}× "
              f"(target ≤ {row['target']}×){first}", flush=True)
    out["writer"] = rows


def cold_start(folder: Path, repeats: int, out: dict) -> None:
    seed_file = Path(os.environ.get("TMPDIR", "/tmp")) / "bertmask-bench-seed.txt"
    seed_file.write_text(SEED + "\n", encoding="utf-8")
    apps, floors = [], []
    for _ in range(repeats):
        apps.append(launch_app(folder, seed_file))
        launched = time.time()
        comp = probe("components", str(folder))
        floors.append({k: v - launched for k, v in comp.items()})
    out["cold"] = {
        "window": stats([a["window-shown"] for a in apps]),
        "loaded": stats([a["model-loaded"] for a in apps]),
        "first": stats([a["first-candidates"] for a in apps]),
        "floor_import": stats([f["imported"] for f in floors]),
        "floor_loaded": stats([f["loaded"] for f in floors]),
        "floor_first": stats([f["predicted"] for f in floors]),
        "first_over_floor": statistics.median(a["first-candidates"] / f["predicted"] for a, f in zip(apps, floors)),
    }
    c = out["cold"]
    print(f"  window {fmt(c['window'])} ms  first candidates {fmt(c['first'])} ms  "
          f"script floor {fmt(c['floor_first'])} ms  ratio {c['first_over_floor']:.2f}", flush=True)


def gui_checks(folder: Path, repeats: int, out: dict) -> None:
    runs = {"exact": [], "fast": []}
    for _ in range(repeats):
        for mode in runs:
            runs[mode].append(probe("gui", str(folder), *(["--fast"] if mode == "fast" else [])))
    out["gui"] = {
        mode: {key: statistics.median(r[key] for r in results) for key in results[0]}
        | {f"{key}_max": max(r[key] for r in results) for key in results[0]}
        for mode, results in runs.items()
    }
    for mode, g in out["gui"].items():
        print(f"  {mode}: idle gap {g['idle_gap_ms']:.0f} ms, load gap {g['load_gap_ms']:.0f} ms, "
              f"prediction gap {g['predict_gap_ms']:.0f} ms, burst {g['burst_predictions']:.0f} predictions, "
              f"last key → candidates {g['burst_latency_ms']:.0f} ms", flush=True)


def memory(folder: Path, out: dict) -> None:
    modes = ("exact", "fast", "pipeline", "app default")  # app default: whole words + fill-all, int8 draft
    out["memory"] = {mode: probe("memory", str(folder), mode) for mode in modes}
    for mode, m in out["memory"].items():
        print(f"  {mode}: after load {m['after_load']:.0f} MB, after 100 predictions {m['after_100']:.0f} MB, "
              f"peak {m['peak']:.0f} MB", flush=True)


# ------------------------------------------------------------------- main
def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few repetitions, for a smoke run")
    parser.add_argument("--runs", type=int, help="warm runs per case (default 25; quick 5)")
    parser.add_argument("--only", help="comma-separated sections: latency,writer,long,throughput,cold,gui,memory")
    parser.add_argument("--out", help="markdown report (default docs/PERFORMANCE.md unless --quick)")
    parser.add_argument("--json", help="also write the raw figures as JSON (default docs/performance.json)")
    parser.add_argument("--render", metavar="JSON", help="only rewrite the report from saved figures")
    args = parser.parse_args(argv)
    if args.render:
        from report import render, with_other_reports

        target = Path(args.out) if args.out else ROOT / "docs" / "PERFORMANCE.md"
        target.write_text(with_other_reports(render(json.loads(Path(args.render).read_text())), target), encoding="utf-8")
        print(f"Wrote {target}")
        return 0
    runs = args.runs or (5 if args.quick else 25)
    repeats = 2 if args.quick else 5
    only = set(args.only.split(",")) if args.only else {"latency", "writer", "long", "throughput", "cold", "gui", "memory"}
    out_path = Path(args.out) if args.out else (None if args.quick else ROOT / "docs" / "PERFORMANCE.md")

    folder = benchmark_model()
    import torch
    from transformers import pipeline

    from bertmask_gui.engine.device import physical_cores
    from bertmask_gui.engine.predictor import Predictor

    predictor = Predictor.load(str(folder), device="cpu")
    fast = Predictor.load(str(folder), device="cpu", fast=True)
    pipe = pipeline("fill-mask", model=str(folder), device="cpu")
    out: dict = {
        "when": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.machine()}, {os.cpu_count()} logical CPUs, {physical_cores()} physical cores",
        "cpu": _cpu_name(),
        "versions": f"Python {platform.python_version()}, torch {torch.__version__}, "
        f"transformers {__import__('transformers').__version__}",
        "threads": torch.get_num_threads(),
        "runs": runs,
        "repeats": repeats,
        "model": str(folder),
        "load_before": _loadavg(),
    }
    print(f"BertMask benchmark: {out['machine']}, torch threads {out['threads']}, {runs} warm runs per case")
    if "latency" in only:
        print("1. Warm latency, ms: median (min–max)")
        warm_latency(predictor, fast, pipe, runs, out)
        fast_agreement(predictor, fast, out)
    if "writer" in only:
        print("1b. What the writer waits for: whole words, selection, fill-all vs pieces, ms")
        writer_waits(predictor, runs, out)
    if "long" in only:
        print("2. Long document")
        long_document_cost(predictor, runs, out)
    if "throughput" in only:
        print("7. Several masks")
        throughput(predictor, fast, pipe, runs, out)
    del pipe, fast
    if "cold" in only:
        print("3. Cold start (separate processes), ms")
        cold_start(folder, repeats, out)
    if "gui" in only:
        print("4–5. GUI responsiveness and typing burst (separate processes)")
        gui_checks(folder, 2, out)
    if "memory" in only:
        print("6. Memory (separate processes)")
        memory(folder, out)
    out["load_after"] = _loadavg()
    out["section_when"] = {section: out["when"] for section in sorted(only)}
    json_path = Path(args.json) if args.json else (None if args.quick else ROOT / "docs" / "performance.json")
    if args.only and json_path and json_path.is_file():  # keep the other sections' figures
        old = json.loads(json_path.read_text())
        out = {**old, **out, "section_when": {**old.get("section_when", {}), **out["section_when"]}}
    if json_path:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(json.dumps(out, indent=2) + "\n")
    if out_path:
        from report import render, with_other_reports

        out_path.parent.mkdir(parents=True, exist_ok=True)
        out_path.write_text(with_other_reports(render(out), out_path), encoding="utf-8")
        print(f"Wrote {out_path}")
    return 0


def _loadavg() -> str:
    try:
        return " ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


if __name__ == "__main__":
    sys.exit(main())
