"""Does the faster whole-word path show the same words? (issue 13's quality guard)

    python benchmarks/speed_guard.py [--items 240] [--write-reference FILE] [--reference FILE]

On prose-mlm-small's held-out text (the quality benchmark's sampler, seed 12), every
item is a held-out sentence with one word masked; the window's default list (whole
words, top 5, default filters, no fill-all) is computed by this checkout's engine:

- ``exact``: the multi-piece search on the exact model (what a GPU or fast mode runs);
- ``draft``: the search drafted on the int8 copy (``Predictor.prepare_draft``, the CPU
  default in the app), every shown score exact.

It prints, for each, the share of masks whose top 5 equals the reference's (same words
in the same order; and as a set), recovery@5 of the held-out word, the share of 2-3-piece
held-out words found at all, and the time. ``--write-reference`` saves this checkout's
exact lists (run it on the commit you compare with); ``--reference`` compares with them.
"""

from __future__ import annotations

import argparse
import dataclasses
import inspect
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import quality  # noqa: E402  (the held-out sampler and the statistics)

from bertmask_gui.engine.options import Filters  # noqa: E402
from bertmask_gui.engine.predictor import Predictor  # noqa: E402

REFERENCE = Path(__file__).resolve().parent / "guard_reference.json"


def items_for(predictor, count: int):
    third = count // 3
    strata = {"1 piece, content": third, "1 piece, function": count - 2 * third, "2-3 pieces, content": third}
    return quality.sample_items(predictor, quality.sentences(quality.MODEL), random.Random(quality.SEED), strata)


EARLY: list[list[str] | None] = []  # per item: the early list's top 5 (None: no early list)


def shown_lists(predictor, items, deep: int = 50) -> tuple[list[list[str]], list[list[str]], float]:
    """The window's top 5 for each item, a deep list (top ``deep``) and the seconds taken;
    the early lists (the one-piece words shown first) go to ``EARLY``."""
    started = time.perf_counter()
    shown, wide = [], []
    EARLY.clear()
    for it in items:
        text = it.masked(predictor.mask_token)
        early = []
        kwargs = {"early": early.append} if "early" in inspect.signature(predictor.predict).parameters else {}
        (mask,) = predictor.predict(text, filters=Filters(fill_all=False), **kwargs).masks
        shown.append([c.token for c in mask.candidates])
        EARLY.append([c.token for c in early[0].masks[0].candidates] if early else None)
        (mask,) = predictor.predict(text, top_k=deep, filters=Filters(top_k=deep, fill_all=False)).masks
        wide.append([c.token for c in mask.candidates])
    return shown, wide, time.perf_counter() - started


def report(name: str, items, shown, wide, seconds: float, reference) -> dict:
    row = {
        "recovery@5": quality.rate(it.word in s for it, s in zip(items, shown)),
        "recovery@50": quality.rate(it.word in w for it, w in zip(items, wide)),
        "multi-piece found (top 50)": quality.rate(
            it.word in w for it, w in zip(items, wide) if len(it.pieces) > 1
        ),
        "seconds": round(seconds, 1),
    }
    if reference is not None:
        row["top-5 equal to the reference"] = quality.rate(a == b for a, b in zip(shown, reference))
        row["top-5 same set as the reference"] = quality.rate(set(a) == set(b) for a, b in zip(shown, reference))
    print(f"{name}: " + "; ".join(f"{k} {quality.fmt(v) if isinstance(v, dict) else v}" for k, v in row.items()), flush=True)
    return row


def _multi(predictor, lists, least: int = 2) -> int:
    """How many shown words are ``least`` or more of the model's pieces."""
    return sum(len(predictor.tokenizer(w, add_special_tokens=False)["input_ids"]) >= least for lst in lists for w in lst)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=240)
    parser.add_argument("--reference", default=str(REFERENCE))
    parser.add_argument("--write-reference", help="save this checkout's exact top-5 lists here")
    parser.add_argument("--json", help="write the figures here")
    parser.add_argument("--draft-context", type=int, help="tokens each drafted row sees (default: options.Tuning)")
    parser.add_argument("--beam", type=int, help="beam (default: options.Tuning)")
    parser.add_argument("--long-word-beam", type=int, help="beam for words of 3+ pieces (default: options.Tuning)")
    args = parser.parse_args(argv)
    predictor = Predictor.load(str(quality.MODEL), device="cpu")
    for name, value in (("draft_context_tokens", args.draft_context), ("beam", args.beam), ("long_word_beam", args.long_word_beam)):
        if value:
            predictor.tuning = dataclasses.replace(predictor.tuning, **{name: value})
    items = items_for(predictor, args.items)
    exact = shown_lists(predictor, items)
    if args.write_reference:
        Path(args.write_reference).write_text(json.dumps({"items": len(items), "top5": exact[0]}), encoding="utf-8")
        print(f"Wrote {args.write_reference} ({len(items)} items)")
    reference = None
    if Path(args.reference).is_file():
        saved = json.loads(Path(args.reference).read_text(encoding="utf-8"))
        reference = saved["top5"] if saved["items"] == len(items) else None
    out = {"items": len(items), "exact": report("exact search", items, *exact, reference)}
    if hasattr(predictor, "prepare_draft") and predictor.prepare_draft():
        drafted = shown_lists(predictor, items)
        out["draft"] = report("int8 draft + exact scores", items, *drafted, reference)
        had = [(e, s) for e, s in zip(EARLY, drafted[0]) if e is not None]
        out["early list shown"] = quality.rate(e is not None for e in EARLY)
        same = out["early list's top 5 = the full list's"] = quality.rate(e == s for e, s in had)
        print(f"early list: shown for {quality.fmt(out['early list shown'])} of masks; its top 5 equals "
              f"the full list's in {quality.fmt(same)}")
        out["draft vs exact: top-5 equal"] = quality.rate(a == b for a, b in zip(drafted[0], exact[0]))
        out["draft vs exact: top-50 equal"] = quality.rate(a == b for a, b in zip(drafted[1], exact[1]))
        out["draft vs exact: multi-piece words in the top 50, exact / draft"] = (
            _multi(predictor, exact[1]), _multi(predictor, drafted[1]))
        out["draft vs exact: 3+-piece words in the top 50, exact / draft"] = (
            _multi(predictor, exact[1], 3), _multi(predictor, drafted[1], 3))
        print(f"3+-piece words in the top 50 (exact, draft): {out['draft vs exact: 3+-piece words in the top 50, exact / draft']}")
        print(f"draft vs exact search: top-5 equal {quality.fmt(out['draft vs exact: top-5 equal'])}; "
              f"top-50 equal {quality.fmt(out['draft vs exact: top-50 equal'])}; multi-piece words in the "
              f"top 50 (exact, draft): {out['draft vs exact: multi-piece words in the top 50, exact / draft']}")
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
