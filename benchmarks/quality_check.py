"""make quality, the draft checker: planted errors in held-out State of the Union text.

Paragraphs of four held-out lines (never trained on) are split in two: the even ones
choose the margins (dev), the odd ones report (test). Into a copy of a paragraph one
error is planted in a lower-case word: a confusion swap (a member of its curated group),
a non-word typo (deletion, insertion, transposition, substitution of a letter), or a
real-word one-edit substitution (a frequent word one edit away, not in its group); and,
with a generator of their own, contraction swaps (its/it's, their/they're). The
checker looks at that word in its paragraph; we count whether it is flagged and whether
the first suggestion is the original word. False flags are counted on every word of the
unchanged paragraphs. The four settings (curated margin, one-edit margin, piece bonus,
margin for members of another length in pieces) are swept over the same scores (no
model rerun): the sweep's choice is the one with the most real-word-error recall on dev
at <= 2 false flags per 1,000 lower-case words (the issue's ceiling is 3). The test half
is reported both at the engine's defaults and at the sweep's choice.

Run alone: ``python benchmarks/quality_check.py`` (writes docs/quality_check.json and the
"Draft checker" section of docs/QUALITY.md); quality.py calls ``section`` too.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bertmask_gui.engine.options import CheckOptions  # noqa: E402
from bertmask_gui.engine.rankings.check import assess_many, better_alternatives, lead  # noqa: E402
from bertmask_gui.lexicon import confusions, edits, words as lexicon  # noqa: E402

MODEL = Path(os.environ.get("BERTMASK_QUALITY_MODEL", "/work/shared/models/prose-mlm-small"))
SEED = 19
LINES_PER_PARAGRAPH = 4
TYPOS = ("deletion", "insertion", "transposition", "substitution")
KINDS = ("confusion", *TYPOS, "real-word")
FALSE_FLAG_CEILING = 2.0  # per 1,000 lower-case words on dev, for the default margins
CONFUSION_MARGINS = [x / 2 for x in range(-2, 17)]  # -1 .. 8 nats
NEIGHBOUR_MARGINS = [float(x) for x in range(0, 21)]  # 0 .. 20 nats
LOWER = re.compile(r"(?<![\w'’-])[a-z]+(?![\w'’-])")
WITH_APOSTROPHE = re.compile(r"(?<![\w'’-])[a-z]+(?:['’][a-z]+)?(?![\w'’-])")  # "it's" too
CONTRACTIONS = 200  # planted contraction swaps per half (its/it's, their/they're, were/we're, ...)
Z = 1.96


def wilson(hits: int, n: int) -> dict:
    """Rate and its 95% Wilson interval (quality.py's helper, imported lazily: it needs nltk)."""
    try:
        from quality import wilson as interval
    except ImportError:  # run alone without the quality extras
        import math

        def interval(h, m):
            p = h / m
            centre = (p + Z * Z / (2 * m)) / (1 + Z * Z / m)
            half = Z * math.sqrt(p * (1 - p) / m + Z * Z / (4 * m * m)) / (1 + Z * Z / m)
            return p, max(0.0, centre - half), min(1.0, centre + half)

    if n == 0:
        return {"rate": None, "lo": None, "hi": None, "n": 0, "hits": 0}
    p, lo, hi = interval(hits, n)
    return {"rate": p, "lo": lo, "hi": hi, "n": n, "hits": hits}


def per_thousand(hits: int, words: int) -> dict:
    r = wilson(hits, words)
    return {k: (v * 1000 if isinstance(v, float) else v) for k, v in r.items()} | {"words": words}


def paragraphs(model: Path) -> list[str]:
    lines = [ln.strip() for ln in (model / "heldout_sotu_2010_2021.txt").read_text(encoding="utf-8").splitlines()]
    lines = [ln for ln in lines if ln]
    return [" ".join(lines[i : i + LINES_PER_PARAGRAPH]) for i in range(0, len(lines), LINES_PER_PARAGRAPH)]


def planted(kind: str, word: str, rng: random.Random) -> str | None:
    """The word with one error of ``kind``, or None if this word cannot take one."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    if kind == "confusion":
        others = [w for w in confusions.confused_with(word) if w.isalpha()]
        return rng.choice(others) if others else None
    if kind == "real-word":
        curated = set(confusions.confused_with(word))
        near = [n.word for n in edits.neighbours(word, 1, 4.0) if n.word not in curated and n.word.isalpha()]
        return rng.choice(near) if near else None
    if len(word) < 3:
        return None
    i = rng.randrange(len(word))
    if kind == "deletion":
        typo = word[:i] + word[i + 1 :]
    elif kind == "insertion":
        typo = word[:i] + rng.choice(letters) + word[i:]
    elif kind == "transposition":
        i = rng.randrange(len(word) - 1)
        typo = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    else:
        typo = word[:i] + rng.choice(letters.replace(word[i], "")) + word[i + 1 :]
    return typo if typo != word and not lexicon.is_word(typo) else None


def cases(paras: list[str], kind: str, count: int, rng: random.Random) -> list[dict]:
    found, tries = [], 0
    while len(found) < count and tries < count * 50:
        tries += 1
        text = rng.choice(paras)
        spots = list(LOWER.finditer(text))
        if not spots:
            continue
        spot = rng.choice(spots)
        wrong = planted(kind, spot.group(), rng)
        if wrong is None:
            continue
        found.append({"text": text[: spot.start()] + wrong + text[spot.end() :], "start": spot.start(),
                      "end": spot.start() + len(wrong), "original": spot.group(), "wrong": wrong})
    return found


def contraction_swap(word: str, rng: random.Random) -> str | None:
    """A member of the word's curated group that differs from it by an apostrophe
    (its -> it's, they're -> their), or None."""
    key = lexicon.normalized(word).lower()
    others = [w for w in confusions.confused_with(key) if ("'" in w) != ("'" in key)]
    return rng.choice(others) if others else None


def contraction_cases(paras: list[str], count: int, rng: random.Random) -> list[dict]:
    """Planted contraction swaps: the confusions whose members differ in pieces ("it's"
    is three, "its" one). Kept apart from "confusion" (whose cases are unchanged since
    the first run: planted in words without an apostrophe only)."""
    spots = [(text, m) for text in paras for m in WITH_APOSTROPHE.finditer(text) if contraction_swap(m.group(), rng)]
    found = []
    for text, spot in rng.sample(spots, min(count, len(spots))):
        wrong = contraction_swap(spot.group(), rng)
        found.append({"text": text[: spot.start()] + wrong + text[spot.end() :], "start": spot.start(),
                      "end": spot.start() + len(wrong), "original": lexicon.normalized(spot.group()).lower(),
                      "wrong": wrong})
    return found


BATCH = 40  # regions per batched call
DISTANCE_COSTS = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0]
PIECE_BONUSES = [x / 2 for x in range(0, 9)]  # 0 .. 4 nats per extra piece
UNEQUAL_MARGINS = [float(x) for x in range(-2, 11)]  # -2 .. 10 nats


def _item(a, original: str) -> dict:
    return {"assessment": a, "misspelled": bool(a and a.misspelled), "original": original}


def assessed_cases(predictor, items: list[dict], options: CheckOptions) -> list[dict]:
    job = predictor.job()
    for i in range(0, len(items), BATCH):
        chunk = items[i : i + BATCH]
        found = assess_many(job, [(it["text"], it["start"], it["end"]) for it in chunk], options)
        for item, words in zip(chunk, found):
            a = next((w for w in words if w.start == item["start"]), None)
            item.update(_item(a, item["original"]))
    return items


def flagged(item: dict, options: CheckOptions, cost: float | None = None) -> tuple[bool, bool]:
    """(flagged, first suggestion is the original) under ``options`` (the engine's own
    rule, check.better_alternatives); a misspelling's corrections re-ranked with a second
    edit costing ``cost`` nats."""
    a = item["assessment"]
    if a is None:
        return False, False
    if a.misspelled:
        alts = a.alternatives
        if cost is not None:
            alts = sorted(alts, key=lambda x: (-(x.log_score - cost * max(0, x.distance - 1)), -x.zipf, x.word))
        return True, bool(alts) and alts[0].word.lower() == item["original"]
    better = better_alternatives(a, options)
    return bool(better), bool(better) and better[0].word.lower() == item["original"]


def clean_words(predictor, paras: list[str], options: CheckOptions) -> list[dict]:
    job = predictor.job()
    out = []
    for i in range(0, len(paras), 8):
        for words in assess_many(job, [(text, 0, len(text)) for text in paras[i : i + 8]], options):
            for a in words:
                out.append(_item(a, a.word.lower()) | {"lower": a.word.islower(), "word": a.word})
    return out


def false_flags(words: list[dict], options: CheckOptions, lower_only: bool = True) -> int:
    return sum(flagged(w, options)[0] for w in words if w["lower"] or not lower_only)


def summary(items_by_kind: dict, words: list[dict], options: CheckOptions, cost: float) -> dict:
    out = {}
    for kind, items in items_by_kind.items():
        marks = [flagged(it, options, cost) for it in items]
        out[kind] = {"flagged": wilson(sum(f for f, _ in marks), len(marks)),
                     "corrected_first": wilson(sum(c for _, c in marks), len(marks))}
    typos = [it for k in TYPOS for it in items_by_kind.get(k, [])]
    marks = [flagged(it, options, cost) for it in typos]
    out["typos (all four)"] = {"flagged": wilson(sum(f for f, _ in marks), len(marks)),
                              "corrected_first": wilson(sum(c for _, c in marks), len(marks))}
    lower = sum(w["lower"] for w in words)
    out["false flags per 1,000 lower-case words"] = per_thousand(false_flags(words, options), lower)
    out["false flags per 1,000 words (all)"] = per_thousand(false_flags(words, options, lower_only=False), len(words))
    out["false spelling flags per 1,000 words (all)"] = per_thousand(sum(w["misspelled"] for w in words), len(words))
    return out


def choose_distance_cost(dev_items: dict) -> tuple[float, list[dict]]:
    """The cost of a second edit that puts the original first most often on dev typos."""
    typos = [it for k in TYPOS for it in dev_items[k]]
    first = {c: sum(flagged(it, CheckOptions(), c)[1] for it in typos) / max(1, len(typos)) for c in DISTANCE_COSTS}
    curve = [{"distance_cost": c, "corrected_first": rate} for c, rate in first.items()]
    return max(curve, key=lambda r: (r["corrected_first"], -r["distance_cost"]))["distance_cost"], curve


def _leads(items: list[dict], bonus: float):
    """Per item: whether it is a misspelling (always flagged), and the best lead (nats)
    of its curated members of its own length in pieces, of its one-edit neighbours, and
    of its curated members of another length (-inf if none), each extra piece earning
    ``bonus``: the margins sweep over these in numpy."""
    import numpy as np

    rows = []
    for it in items:
        a = it["assessment"]
        best = [-np.inf, -np.inf, -np.inf]
        if a is not None and not a.misspelled:
            for alt in a.alternatives:
                k = 1 if not alt.curated else (0 if alt.pieces == a.pieces else 2)
                best[k] = max(best[k], lead(a, alt, bonus))
        rows.append([bool(it["misspelled"]), *best])
    arr = np.array(rows, dtype=float).reshape(-1, 4)
    return arr[:, 0] > 0, arr[:, 1], arr[:, 2], arr[:, 3]


def choose_margins(dev_items: dict, dev_words: list[dict]) -> tuple[CheckOptions, list[dict]]:
    """The margins and piece bonus with the most recall of planted real-word errors
    (confusions, contraction swaps, one-edit substitutions) on dev at <=
    FALSE_FLAG_CEILING false flags per 1,000 lower-case words (fewer false flags, then
    larger margins, on a tie); and the whole curve."""
    import numpy as np

    lower = [w for w in dev_words if w["lower"]]
    kinds = ("confusion", "contraction", "real-word")
    mc, mn, mx = np.array(CONFUSION_MARGINS), np.array(NEIGHBOUR_MARGINS), np.array(UNEQUAL_MARGINS)
    curve, best = [], None
    for bonus in PIECE_BONUSES:
        groups = {"words": _leads(lower, bonus)} | {k: _leads(dev_items[k], bonus) for k in kinds}
        rates = {}
        for name, (spelled, lc, ln, lx) in groups.items():
            hits = (spelled[:, None, None, None]
                    | (lc[:, None, None, None] > mc[None, :, None, None])
                    | (ln[:, None, None, None] > mn[None, None, :, None])
                    | (lx[:, None, None, None] > mx[None, None, None, :]))
            rates[name] = hits.sum(axis=0) / max(1, len(spelled))
        total = sum(rates[k] * len(dev_items[k]) for k in kinds) / max(1, sum(len(dev_items[k]) for k in kinds))
        false = 1000 * rates["words"]
        for i, j, k in np.ndindex(false.shape):
            point = {"piece_bonus": bonus, "confusion_margin": float(mc[i]), "neighbour_margin": float(mn[j]),
                     "unequal_pieces_margin": float(mx[k]), "false_per_1000": float(false[i, j, k]),
                     "confusion_flagged": float(rates["confusion"][i, j, k]),
                     "contraction_flagged": float(rates["contraction"][i, j, k]),
                     "real_word_flagged": float(rates["real-word"][i, j, k])}
            curve.append(point)
            key = (float(total[i, j, k]), -point["false_per_1000"], mc[i], mn[j], mx[k], -bonus)
            if point["false_per_1000"] <= FALSE_FLAG_CEILING and (best is None or key > best[0]):
                best = (key, point)
    if best is None:
        return CheckOptions(confusion_margin=CONFUSION_MARGINS[-1], neighbour_margin=NEIGHBOUR_MARGINS[-1]), curve
    p = best[1]
    chosen = CheckOptions(confusion_margin=p["confusion_margin"], neighbour_margin=p["neighbour_margin"],
                          piece_bonus=p["piece_bonus"], unequal_pieces_margin=p["unequal_pieces_margin"])
    return chosen, curve


def _at(curve: list[dict], chosen: CheckOptions, free: str) -> list[dict]:
    """The curve's points with every setting but ``free`` at the chosen values."""
    fixed = {"piece_bonus": chosen.piece_bonus, "confusion_margin": chosen.confusion_margin,
             "neighbour_margin": chosen.neighbour_margin, "unequal_pieces_margin": chosen.unequal_pieces_margin}
    return [c for c in curve if all(c[k] == v for k, v in fixed.items() if k != free)]


def section(predictor, model: Path = MODEL, quick: bool = False) -> dict:
    rng = random.Random(SEED)
    paras = paragraphs(model)
    dev, test = paras[0::2], paras[1::2]
    n_dev, n_test = (30, 40) if quick else (120, 200)
    clean_dev, clean_test = (dev[:10], test[:12]) if quick else (dev[:50], test[:80])
    options = CheckOptions()
    started = time.perf_counter()
    dev_items = {k: assessed_cases(predictor, cases(dev, k, n_dev, rng), options) for k in KINDS}
    test_items = {k: assessed_cases(predictor, cases(test, k, n_test, rng), options) for k in KINDS}
    contraction_rng = random.Random(SEED + 1)  # after the others: their cases stay those of the first run
    n_contractions = 40 if quick else CONTRACTIONS
    for items, half in ((dev_items, dev), (test_items, test)):
        items["contraction"] = assessed_cases(predictor, contraction_cases(half, n_contractions, contraction_rng), options)
    dev_words = clean_words(predictor, clean_dev, options)
    test_words = clean_words(predictor, clean_test, options)
    chosen, curve = choose_margins(dev_items, dev_words)
    cost, cost_curve = choose_distance_cost(dev_items)
    settings = ("confusion_margin", "neighbour_margin", "piece_bonus", "unequal_pieces_margin", "distance_cost")
    result = {
        "model": model.name, "seed": SEED, "quick": quick,
        "margins": {"confusion_margin": chosen.confusion_margin, "neighbour_margin": chosen.neighbour_margin,
                    "piece_bonus": chosen.piece_bonus, "unequal_pieces_margin": chosen.unequal_pieces_margin,
                    "neighbour_zipf": options.neighbour_zipf, "distance_cost": cost,
                    "ceiling_per_1000": FALSE_FLAG_CEILING},
        "defaults": {k: getattr(options, k) for k in settings},
        "test": summary(test_items, test_words, chosen, cost),
        "dev": summary(dev_items, dev_words, chosen, cost),
        "test_at_defaults": summary(test_items, test_words, options, options.distance_cost),
        "distance_cost_curve": cost_curve,
        "curves_at_chosen": {free: _at(curve, chosen, free) for free in
                             ("confusion_margin", "neighbour_margin", "unequal_pieces_margin", "piece_bonus")},
        "false_flag_examples": [w["word"] for w in test_words if w["lower"] and flagged(w, chosen)[0]][:20],
        "false_flag_examples_at_defaults": [w["word"] for w in test_words if w["lower"] and flagged(w, options)[0]][:20],
        "seconds": round(time.perf_counter() - started, 1),
    }
    return result


def pct(r: dict) -> str:
    if r.get("rate") is None:
        return "–"
    return f"{100 * r['rate']:.1f}% [{100 * r['lo']:.1f}, {100 * r['hi']:.1f}] (n={r['n']})"


CURVES = (  # (setting, its heading, what each row shows)
    ("confusion_margin", "curated margin", ("confusion_flagged", "contraction_flagged", "real_word_flagged")),
    ("neighbour_margin", "one-edit margin", ("confusion_flagged", "contraction_flagged", "real_word_flagged")),
    ("unequal_pieces_margin", "margin, other length in pieces", ("confusion_flagged", "contraction_flagged")),
    ("piece_bonus", "piece bonus", ("confusion_flagged", "contraction_flagged", "real_word_flagged")),
)


def _settings(m: dict) -> str:
    return (f"curated confusions {m['confusion_margin']:g} nats, curated members of another length in pieces "
            f"{m['unequal_pieces_margin']:g} nats with {m['piece_bonus']:g} nats per extra piece, frequent words one "
            f"edit away {m['neighbour_margin']:g} nats")


def _rate(r: dict) -> str:
    return f"{r['rate']:.2f} [{r['lo']:.2f}, {r['hi']:.2f}] ({r['hits']} in {r['words']} words)"


def markdown(res: dict) -> str:
    m, d = res["margins"], res["defaults"]
    t, at = res["test"], res["test_at_defaults"]
    lines = [
        "## Draft checker (planted errors in held-out SOTU paragraphs)",
        "",
        f"`benchmarks/quality_check.py` on {res['model']}, seed {res['seed']}: one error planted in a lower-case "
        "word of a paragraph of four held-out lines; the even paragraphs chose the margins, the odd ones "
        "report (95% Wilson intervals). Corrected first: the first suggestion is the original word. "
        "Confusion: a member of the word's curated group without an apostrophe (the first run's recipe; the "
        "cases follow the groups); contraction: a swap that adds or drops the apostrophe (its/it's, "
        "their/they're, were/we're: a word of three pieces against one of one), its own generator.",
        "",
        "**The engine's defaults** (engine/options.py `CheckOptions`): " + _settings(d) + "; **this run's sweep "
        f"chose** {_settings(m)}: the most recall of planted real-word errors (confusions, contractions, one-edit) "
        f"on dev at <= {m['ceiling_per_1000']:g} false flags per 1,000 lower-case words. A correction two edits "
        f"away pays {m['distance_cost']:g} nats (the cost that puts the original first most often on dev typos: "
        + ", ".join(f"{c['distance_cost']:g} → {100 * c['corrected_first']:.0f}%" for c in res["distance_cost_curve"])
        + ").",
        "",
        "| planted error (test) | flagged (defaults) | corrected first (defaults) | flagged (sweep's choice) "
        "| corrected first (sweep's choice) |",
        "|---|---|---|---|---|",
    ]
    for kind in ("confusion", "contraction", *TYPOS, "typos (all four)", "real-word"):
        if kind in t:
            lines.append(f"| {kind} | {pct(at[kind]['flagged'])} | {pct(at[kind]['corrected_first'])} "
                         f"| {pct(t[kind]['flagged'])} | {pct(t[kind]['corrected_first'])} |")
    lines += ["", "| unchanged text (test) | per 1,000 words (defaults) | per 1,000 words (sweep's choice) |",
              "|---|---|---|"]
    for key in ("false flags per 1,000 lower-case words", "false flags per 1,000 words (all)",
                "false spelling flags per 1,000 words (all)"):
        lines.append(f"| {key.replace(' per 1,000', '')} | {_rate(at[key])} | {_rate(t[key])} |")
    heads = {"confusion_flagged": "confusions", "contraction_flagged": "contractions", "real_word_flagged": "real-word"}
    for setting, heading, shown in CURVES:
        points = res["curves_at_chosen"].get(setting, [])
        if not points:
            continue
        lines += ["", f"Dev curve of the {heading} (the other settings at the sweep's choice): false flags per "
                  "1,000 lower-case words and the share of planted errors flagged.", ""]
        lines += [f"| {heading} | false /1,000 | " + " | ".join(heads[s] for s in shown) + " |",
                  "|---|---|" + "---|" * len(shown)]
        for c in points:
            lines.append(f"| {c[setting]:g} | {c['false_per_1000']:.2f} | "
                         + " | ".join(f"{100 * c[s]:.0f}%" for s in shown) + " |")
    if res.get("false_flag_examples_at_defaults"):
        lines += ["", "False flags on test (lower-case words, at the defaults): "
                  + ", ".join(f"“{w}”" for w in res["false_flag_examples_at_defaults"])]
    if res.get("false_flag_examples"):
        lines += ["", "False flags on test (lower-case words, at the sweep's choice): " + ", ".join(f"“{w}”" for w in res["false_flag_examples"])]
    lines += ["", f"({res['seconds']} s.)", ""]
    return "\n".join(lines)


BEGIN, END = "<!-- draft checker: begin -->", "<!-- draft checker: end -->"


def write_section(res: dict, docs: Path) -> None:
    (docs / "quality_check.json").write_text(json.dumps(res, indent=1), encoding="utf-8")
    path = docs / "QUALITY.md"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Quality\n"
    block = f"{BEGIN}\n{markdown(res)}\n{END}"
    if BEGIN in text and END in text:
        text = text[: text.index(BEGIN)] + block + text[text.index(END) + len(END) :]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=str(MODEL))
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", default=str(ROOT / "docs"))
    args = parser.parse_args(argv)
    from bertmask_gui.engine.predictor import Predictor

    predictor = Predictor.load(args.model, device="cpu")
    res = section(predictor, Path(args.model), args.quick)
    write_section(res, Path(args.out))
    print(markdown(res))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
