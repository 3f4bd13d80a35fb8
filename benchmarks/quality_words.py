"""g. Word lists hold words (issue 20), measured by benchmarks/quality.py in the same run.

On the held-out items of quality.py, through the app's own calls (``Predictor.predict`` /
``predict_span``, default filters, top 5):

* held-out masks: the share of top-5 lists with a punctuation "word" (no letter, no digit)
  and with any non-word (``filters.is_word``), and recovery @5, without and with
  ``Filters.words_only``;
* selection mode (content words with WordNet synonyms): the same shares, the share of
  shown alternatives that are multi-piece junk (a word of 2-3 pieces WordNet does not
  know), WordNet-synonym P@1, and whether the shown figures fall as the list goes down;
  before (no words-only filter, the in-place term reading only the first piece, exp(PLL)
  shown), words only, and after (every piece, the keep-meaning share shown).
"""

from __future__ import annotations

import math

from bertmask_gui.engine.filters import is_punctuation, is_word
from bertmask_gui.engine.options import Filters

TOP_K = 5


def section_word_lists(predictor, items, wn, tuned, rate, synonyms, masks: int = 200, selected: int = 100) -> dict:
    """The figures of section g; ``tuned``/``rate``/``synonyms`` are quality.py's helpers."""
    masked = _spread(items, masks)
    out = {"masks": {}, "selection": {}}
    for name, filters in (("before (every token)", Filters(words_only=False)), ("words only (default)", Filters())):
        lists = [_words(predictor.predict(it.masked("[MASK]"), TOP_K, filters=filters)) for it in masked]
        out["masks"][name] = {
            "punctuation": rate(any(is_punctuation(w) for w in lst) for lst in lists),
            "non-word": rate(any(not is_word(w) for w in lst) for lst in lists),
            "recovery@5": rate(it.word in [w.casefold() for w in lst] for it, lst in zip(masked, lists)),
        }
    chosen = [(it, synonyms(wn, it.word)) for it in items if not it.function]
    chosen = _spread([(it, syn) for it, syn in chosen if syn], selected)
    variants = {
        "before (first piece, every token, exp(PLL) shown)": (Filters(words_only=False), False),
        "words only": (Filters(), False),
        "after: words only + every piece (default)": (Filters(), True),
    }
    for name, (filters, every) in variants.items():
        rows = []
        with tuned(predictor, meaning_all_pieces=every):
            for it, syn in chosen:
                mask = predictor.predict_span(it.text, it.start, it.end, TOP_K, filters=filters).masks[0]
                shown = [c for c in mask.candidates if not c.original and not c.compared][:TOP_K]
                rows.append((it, syn, shown))
        out["selection"][name] = _selection_figures(wn, rows, rate, shown_is_pll=not every)
    out["n_masks"], out["n_selection"] = len(masked), len(chosen)
    return out


def _spread(values: list, count: int) -> list:
    """``count`` of ``values`` taken evenly (quality.py's items come stratum by stratum)."""
    step = max(1, math.ceil(len(values) / count))
    return values[::step][:count]


def _words(prediction) -> list[str]:
    return [c.token for c in prediction.masks[0].candidates] if prediction.masks else []


def _selection_figures(wn, rows, rate, shown_is_pll: bool) -> dict:
    junk, p1, falling, punct, nonword = [], [], [], [], []
    for it, syn, shown in rows:
        words = [c.token for c in shown]
        punct.append(any(is_punctuation(w) for w in words))
        nonword.append(any(not is_word(w) for w in words))
        junk += [len(c.token_ids) > 1 and not _known(wn, c.token) for c in shown]
        p1.append(bool(words) and words[0].casefold() in syn)
        # before: the old panel showed exp(PLL) in the keep-meaning order
        figures = [math.exp(c.log_score) if shown_is_pll else c.score for c in shown]
        falling.append(all(a >= b for a, b in zip(figures, figures[1:])))
    return {"punctuation": rate(punct), "non-word": rate(nonword), "multi-piece junk": rate(junk),
            "synonym P@1": rate(p1), "figures fall down the list": rate(falling)}


def _known(wn, word: str) -> bool:
    """A word WordNet knows (any part of speech, inflections included)."""
    word = word.casefold()
    return any(wn.morphy(word, pos) for pos in ("n", "v", "a", "r"))


def markdown(res: dict) -> list[str]:
    """The section's lines for docs/QUALITY.md (quality_report.markdown)."""
    g = res.get("word_lists")
    if not g:
        return []
    from quality_report import pct, table  # benchmarks/quality_report.py

    out = ["## g. Word lists hold words (issue 20)", "",
           f"Top-{TOP_K} lists through the app's own calls (default settings). Held-out masks: {g['n_masks']} "
           "words; a list counts when any of its words has no letter or digit (punctuation) or is not "
           "letters with inner apostrophes/hyphens (non-word).", ""]
    out += table(["held-out masks", "lists with punctuation", "lists with a non-word", "recovery@5"],
                 [[k, pct(v["punctuation"]), pct(v["non-word"]), pct(v["recovery@5"])] for k, v in g["masks"].items()])
    out += ["", f"Selection mode on {g['n_selection']} held-out content words with WordNet synonyms; junk: a shown "
            "alternative of 2–3 pieces that WordNet does not know (\"largewe\"); figures fall: the shown "
            "percentages never rise down the list.", ""]
    out += table(["selection", "punctuation", "non-word", "multi-piece junk (of shown words)", "synonym P@1",
                  "figures fall down the list"],
                 [[k, pct(v["punctuation"]), pct(v["non-word"]), pct(v["multi-piece junk"]), pct(v["synonym P@1"]),
                   pct(v["figures fall down the list"])] for k, v in g["selection"].items()])
    return out + [""]


def main(argv=None) -> int:
    """Section g alone (make quality runs it with the rest): prints its markdown and
    writes it to --json."""
    import argparse
    import json
    import random
    import time
    from pathlib import Path

    import quality  # benchmarks/quality.py: the held-out items and the statistics

    from bertmask_gui.engine.predictor import Predictor

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--masks", type=int, default=200)
    parser.add_argument("--selected", type=int, default=100)
    parser.add_argument("--json", default="")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    wn = quality.wordnet()
    predictor = Predictor.load(str(quality.MODEL), device="cpu")
    strata = {"1 piece, content": 220, "1 piece, function": 100, "2-3 pieces, content": 200, "2-3 pieces, function": 20}
    items = quality.sample_items(predictor, quality.sentences(quality.MODEL), random.Random(quality.SEED), strata)
    res = section_word_lists(predictor, items, wn, quality.tuned, quality.rate, quality.synonyms, args.masks, args.selected)
    res["seconds"] = round(time.perf_counter() - started, 1)
    if args.json:
        Path(args.json).write_text(json.dumps(res, indent=1), encoding="utf-8")
    print("\n".join(markdown({"word_lists": res})))
    print(f"{res['seconds']} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
