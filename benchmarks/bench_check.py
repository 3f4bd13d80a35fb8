"""make bench, the draft checker's cost: a 450-token held-out paragraph checked, against
today's unusual-word scoring of it (``Predictor.score_words``), same model, same run.

Forward passes and milliseconds (median of interleaved repeats, after a warm-up that
also loads the word list). Writes docs/bench_check.json and the "Draft checker" section
of docs/PERFORMANCE.md. The issue's target: the check costs at most 2x the scoring.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bertmask_gui.engine.options import CheckOptions  # noqa: E402

MODEL = Path(os.environ.get("BERTMASK_QUALITY_MODEL", "/work/shared/models/prose-mlm-small"))
TOKENS = 450
BEGIN, END = "<!-- draft checker cost: begin -->", "<!-- draft checker cost: end -->"


def paragraph(predictor, model: Path, tokens: int = TOKENS) -> str:
    """Held-out lines joined until the text is ``tokens`` tokens long (specials included)."""
    lines = [ln.strip() for ln in (model / "heldout_sotu_2010_2021.txt").read_text(encoding="utf-8").splitlines()]
    text = ""
    for word in " ".join(lines[40:400]).split():
        longer = f"{text} {word}".strip()
        if len(predictor.tokenizer(longer)["input_ids"]) > tokens:
            break
        text = longer
    return text


def measure(fn, predictor) -> tuple[float, int]:
    before = predictor.forward_passes
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000, predictor.forward_passes - before


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=str(MODEL))
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", default=str(ROOT / "docs"))
    args = parser.parse_args(argv)
    from bertmask_gui.engine.predictor import Predictor

    predictor = Predictor.load(args.model, device="cpu")
    text = paragraph(predictor, Path(args.model))
    runs = {
        "unusual-word scoring (score_words)": lambda: predictor.score_words(text),
        "check (spelling + confusions)": lambda: predictor.check(text),
        "check with --unusual": lambda: predictor.check(text, options=CheckOptions(unusual=True)),
    }
    for fn in runs.values():
        fn()  # warm-up: the word list, wordfreq's table, torch's kernels
    times = {name: [] for name in runs}
    passes = {}
    for _ in range(args.repeats):
        for name, fn in runs.items():
            ms, n = measure(fn, predictor)
            times[name].append(ms)
            passes[name] = n
    base = statistics.median(times["unusual-word scoring (score_words)"])
    result = {
        "model": Path(args.model).name,
        "tokens": len(predictor.tokenizer(text)["input_ids"]),
        "words": len(predictor.score_words(text)),
        "threads": __import__("torch").get_num_threads(),
        "runs": {name: {"ms": statistics.median(t), "passes": passes[name], "ratio": statistics.median(t) / base}
                 for name, t in times.items()},
    }
    out = Path(args.out)
    (out / "bench_check.json").write_text(json.dumps(result, indent=1), encoding="utf-8")
    lines = [
        "## Draft checker cost (make bench: benchmarks/bench_check.py)",
        "",
        f"A {result['tokens']}-token held-out paragraph ({result['words']} words) on {result['model']}, CPU, "
        f"{result['threads']} threads, median of {args.repeats} interleaved runs after a warm-up:",
        "",
        "| run | forward passes | ms | × scoring |",
        "|---|---|---|---|",
    ]
    for name, r in result["runs"].items():
        lines.append(f"| {name} | {r['passes']} | {r['ms']:.0f} | {r['ratio']:.2f} |")
    block = BEGIN + "\n" + "\n".join(lines) + "\n" + END
    path = out / "PERFORMANCE.md"
    doc = path.read_text(encoding="utf-8") if path.exists() else "# Performance\n"
    if BEGIN in doc and END in doc:
        doc = doc[: doc.index(BEGIN)] + block + doc[doc.index(END) + len(END) :]
    else:
        doc = doc.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(doc, encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
