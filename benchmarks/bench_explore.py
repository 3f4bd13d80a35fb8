"""Cost of issue 14's rankings: [MASK:a|b] choices, explain (occlusion), score_words.

    python benchmarks/bench_explore.py [--model FOLDER] [--repeat 3] [--device cpu]

Default model: bert-base-uncased's shape and vocabulary with random weights
(benchmarks/model.py), so the compute is the real model's. Prints forward passes, rows
and the median milliseconds (after one warm-up) on the seed sentence and a ~450-token
paragraph.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from model import benchmark_model  # noqa: E402
from texts import SEED, paragraph  # noqa: E402

CHOICES = "[MASK:liked|enjoyed|adored|hated|watched]"


def measure(predictor, call, repeat: int) -> tuple[int, int, float]:
    """(forward passes, rows, median ms) of ``call()``."""
    call()  # warm-up
    rows = []
    inner = predictor.runner.log_probs

    def counting(batch, **kwargs):
        rows.append(len(batch))
        return inner(batch, **kwargs)

    predictor.runner.log_probs = counting  # wraps the model seam (a public attribute)
    times, passes = [], 0
    try:
        for _ in range(repeat):
            rows.clear()
            before = predictor.forward_passes
            started = time.perf_counter()
            call()
            times.append((time.perf_counter() - started) * 1000)
            passes = predictor.forward_passes - before
    finally:
        predictor.runner.log_probs = inner
    return passes, sum(rows), statistics.median(times)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="a model folder (default: random-weight bert-base)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args(argv)
    from bertmask_gui.engine.predictor import Predictor

    folder = Path(args.model) if args.model else benchmark_model()
    predictor = Predictor.load(str(folder), device=args.device)
    para = paragraph(predictor.tokenizer, 450)
    para_plain = para.replace("[MASK]", "house")
    seed_choice = SEED.replace("[MASK]", CHOICES)
    para_choice = para.replace("[MASK]", CHOICES)
    seed_at = SEED.index("[MASK]")
    para_at = para.index("[MASK]")
    cases = [
        ("whole words, [MASK] (reference)", "seed", lambda: predictor.predict(SEED)),
        ("choices, [MASK:5 words]", "seed", lambda: predictor.predict(seed_choice)),
        ("choices, [MASK:5 words]", "450 tokens", lambda: predictor.predict(para_choice)),
        ("explain first candidate", "seed", lambda: predictor.explain(SEED, seed_at, seed_at + 6, "liked")),
        ("explain first candidate", "450 tokens", lambda: predictor.explain(para, para_at, para_at + 6, "liked")),
        ("score every word", "seed", lambda: predictor.score_words(SEED.replace("[MASK]", "liked"))),
        ("score every word", "450 tokens", lambda: predictor.score_words(para_plain)),
    ]
    print(f"model {folder} on {predictor.device_name}, median of {args.repeat} after a warm-up")
    print(f"{'what':<34} {'text':<11} {'passes':>6} {'rows*':>6} {'ms':>9}")
    for name, text, call in cases:
        passes, rows, ms = measure(predictor, call, args.repeat)
        print(f"{name:<34} {text:<11} {passes:>6} {rows:>6} {ms:>9.0f}")
    print("* rows sent to the runner")
    return 0


if __name__ == "__main__":
    sys.exit(main())
