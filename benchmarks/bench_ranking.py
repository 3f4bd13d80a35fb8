"""Latency and forward passes of each ranking: pieces, whole words, selection, fill-all.

    python benchmarks/bench_ranking.py MODEL_FOLDER [--repeat 5]

Build a bert-base-shaped model with random weights (real tokenizer, real compute) with
``python benchmarks/bench_ranking.py --build-bert-base /tmp/bert-base-random``.
Prints a table (median seconds over the repeats, after one warm-up run).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

SENTENCE = "I really [MASK] the movie. It was quite interesting."
TWO = "I really [MASK] the [MASK]. It was quite interesting."
SELECT = ("I really love the movie. It was quite interesting.", 9, 13)


def build_bert_base(folder: Path, shared=Path("/work/shared/models/bert-base-uncased")) -> Path:
    import torch
    from transformers import BertConfig, BertForMaskedLM, BertTokenizerFast

    folder.mkdir(parents=True, exist_ok=True)
    config = BertConfig.from_pretrained(shared)
    torch.manual_seed(0)
    model = BertForMaskedLM(config).eval()
    model.save_pretrained(folder, safe_serialization=True)
    tokenizer = BertTokenizerFast(str(shared / "vocab.txt"))
    assert len(tokenizer) == 30522
    tokenizer.save_pretrained(folder)
    return folder


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("model", nargs="?")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--build-bert-base", metavar="FOLDER")
    parser.add_argument("--quick", action="store_true", help="skip the 20k-word text cases")
    args = parser.parse_args(argv)
    if args.build_bert_base:
        print(build_bert_base(Path(args.build_bert_base)))
        return 0
    from bertmask_gui.engine.options import Filters
    from bertmask_gui.engine.predictor import Predictor

    predictor = Predictor.load(args.model, device=args.device)
    work = {"rows": 0, "tokens": 0}
    inner = predictor.runner.log_probs

    def counting(rows, *, cancelled=None):  # rows and tokens through the encoder: the load-independent cost
        work["rows"] += len(rows)
        work["tokens"] += len(rows) * max(len(r.input_ids) for r in rows)
        return inner(rows, cancelled=cancelled)

    predictor.runner.log_probs = counting  # wraps the model seam (a public attribute)
    long_text = "The dog ran home and the cat sat in the house. " * 2000 + SENTENCE
    cases = [
        ("pieces, 1 mask", lambda: predictor.predict(SENTENCE, mode="pieces")),
        ("whole words, 1 mask", lambda: predictor.predict(SENTENCE)),
        ("pieces, 2 masks", lambda: predictor.predict(TWO, mode="pieces")),
        ("whole words, 2 masks, no fill-all", lambda: predictor.predict(TWO, filters=Filters(fill_all=False))),
        ("whole words + fill-all, 2 masks", lambda: predictor.predict(TWO)),
        ("selection, keep meaning", lambda: predictor.predict_span(*SELECT)),
        ("selection, plain", lambda: predictor.predict_span(*SELECT, filters=Filters(keep_meaning=False))),
        ("pieces, 1 mask, 20k-word text", lambda: predictor.predict(long_text, mode="pieces")),
        ("whole words, 1 mask, 20k-word text", lambda: predictor.predict(long_text)),
    ]
    if args.quick:
        cases = [case for case in cases if "20k" not in case[0]]
    print(f"model {args.model} on {predictor.device_name}, torch threads {__import__('torch').get_num_threads()}")
    print(f"{'ranking':<38} {'passes':>6} {'rows':>5} {'tokens':>7} {'median s':>9} {'min s':>7}")
    for name, run in cases:
        result = run()  # warm-up (and the vocabulary classification, once)
        work.update(rows=0, tokens=0)
        run()
        rows, tokens = work["rows"], work["tokens"]
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            result = run()
            times.append(time.perf_counter() - started)
        print(
            f"{name:<38} {result.forward_passes:>6} {rows:>5} {tokens:>7} "
            f"{statistics.median(times):>9.3f} {min(times):>7.3f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
