"""docs/QUALITY.md from the results of benchmarks/quality.py (also: python quality_report.py JSON MD)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from quality_words import markdown as word_lists_markdown  # benchmarks/quality_words.py (issue 20)


def pct(r: dict) -> str:
    if not r or r.get("n", 0) == 0:
        return "–"
    return f"{100 * r['rate']:.1f}% [{100 * r['lo']:.1f}–{100 * r['hi']:.1f}]"


def mean(r: dict, digits: int = 2) -> str:
    return f"{r['mean']:.{digits}f} [{r['lo']:.{digits}f}–{r['hi']:.{digits}f}]"


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(map(str, r)) + " |" for r in rows]


def recovery_rows(named: dict) -> list[list[str]]:
    return [[name, r["@1"]["n"], pct(r["@1"]), pct(r["@5"]), pct(r["@10"])] for name, r in named.items()]


def best_variant(variants: dict) -> str:
    return max(variants, key=lambda v: (variants[v]["P@1"]["rate"] + variants[v]["P@5"]["rate"]))


def length_verdict(rec: dict) -> str:
    multi = rec["in_pool_strata"].get("2-3 pieces, content", {})
    if rec["length_bonus"]["best"] == 0:
        m = rec.get("multi_piece") or {}
        reach = f"; scored as if generated, {pct(m['would_reach_top5'])} would reach the top 5" if m.get("n") else ""
        return (f"no bonus: PLL-word-l2r stays as is. A 2–3-piece held-out word is generated at all in "
                f"{pct(multi)} of cases{reach}: the model finds them unlikely, generation is not what misses them")
    return f"add {rec['length_bonus']['best']} nats per extra piece"


def echo_verdict(rec: dict) -> str:
    gain = 100 * (rec["no_echo"]["@5"]["rate"] - rec["words"]["@5"]["rate"])
    if gain < 1:
        return f"no echo filter: it moves recovery@5 by {gain:+.1f} points"
    return f"drop echoes of the neighbouring word (+{gain:.1f} points @5)"


def fast_verdict(rec: dict) -> str:
    diff = 100 * (rec["fast"]["@5"]["rate"] - rec["exact_same_items"]["@5"]["rate"])
    changed = 100 * (1 - rec["fast_agreement"]["top1"]["rate"])
    if abs(diff) <= 1 and changed < 20:
        return f"recovery within 1 point ({diff:+.1f}), top-1 kept: the case for fast mode as the CPU default holds"
    if abs(diff) <= 1:
        return (f"recovery within 1 point ({diff:+.1f}) but the top word changes in {changed:.0f}% of words: "
                "exact stays the CPU default")
    return (f"recovery differs by {diff:+.1f} points @5 (top-1 changes in "
            f"{100 * (1 - rec['fast_agreement']['top1']['rate']):.0f}% of words): exact stays the CPU default")


DEFAULT_MEANING = "masked + visible + emb/T"  # options.Tuning's keep-meaning rank


def meaning_verdict(variants: dict, winner: str) -> str:
    """The default keep-meaning rank against the best variant: does the default hold?"""
    ours, best = variants[DEFAULT_MEANING]["P@1"], variants[winner]["P@1"]
    if winner == DEFAULT_MEANING:
        return f"selection mode ranks by {winner} (options.Tuning)"
    if ours["hi"] >= best["rate"] and best["lo"] <= ours["rate"]:
        return (f"the default {DEFAULT_MEANING} ({pct(ours)}) is within noise of it: kept (options.Tuning); "
                f"dropping the visible term would save one forward pass")
    return f"selection mode should rank by {winner}: the default {DEFAULT_MEANING} gives {pct(ours)}"


def best_weight(variants: dict) -> str:
    weighted = {v.split(" ")[2].split("·")[0]: r for v, r in variants.items() if v.startswith("masked + ") and v.endswith("·visible")}
    return max(weighted, key=lambda w: (weighted[w]["P@1"]["rate"] + weighted[w]["P@5"]["rate"]))


def tuning_summary(tune: dict) -> str:
    rows = {"defaults": tune["defaults"], **{f"beam {k}": v for k, v in tune["beam"].items()},
            **{f"pieces {k}": v for k, v in tune["max_pieces"].items()}}
    return "; ".join(f"{k} @5 {100 * v['@5']['rate']:.0f}%" for k, v in rows.items())


def _multi_piece_text(rec: dict) -> str:
    """Why held-out words of several pieces are not found (quality.held_out_multi_piece)."""
    m = rec.get("multi_piece")
    if not m or not m["n"]:
        return ""
    return (f"It is not generation that misses them: their first piece ranks {m['first_piece_rank_median']} "
            f"(median) among word starts in the n-mask row, so a beam of 4 holds it in "
            f"{pct(m['first_piece_in_beam'])}, but scored exactly as if generated, they would reach the 5th "
            f"shown word in {pct(m['would_reach_top5'])} of {m['n']} cases (on average "
            f"{m['gap_to_top5']['mean']:.1f} nats below it): this weak model finds these rare words unlikely, "
            "and no beam or length bonus changes that.")


def tuning_verdict(tune: dict) -> str:
    same = {v["@5"]["rate"] for v in [tune["defaults"], *tune["beam"].values(), *tune["max_pieces"].values()]}
    ctx = tune["context_tokens"]
    text = ("word_context_tokens: @5 " + ", ".join(f"{k}: {100 * v['@5']['rate']:.0f}%" for k, v in ctx.items())
            + f" on {tune['long_items']} words, within noise: keep 128")
    if len(same) == 1:
        return ("beam and max pieces do not change recovery on this model (no multi-piece word is ever "
                "generated): keep beam 4 / max_pieces 3 (options.Tuning); " + text)
    return text


def markdown(res: dict) -> str:
    rec, cal, sel, fill, tune = (res[k] for k in ("recovery", "calibration", "selection", "fill_all", "tuning"))
    sweep, bonus = rec["length_bonus"]["sweep"], rec["length_bonus"]["best"]
    winner = best_variant(sel["variants"])
    before = sel["variants"]["masked + 1.0·visible"]
    out = [
        "# How good are the words? (`make quality`)",
        "",
        f"Model: **{res['model']}** (a small real English BERT, see its README), on the held-out State of the "
        f"Union addresses 2010–2021 it never saw. Seed {res['seed']}, {res['items']} masked words, "
        f"{res['threads']} CPU threads, {res['seconds'] / 60:.1f} min on the machine that wrote this "
        f"(shared with other work at the time; per section: "
        + ", ".join(f"{k} {v:.0f} s" for k, v in res["timings"].items()) + "). "
        "Every rate has its 95% Wilson interval in brackets. The model is small and flat: read the "
        "comparisons, not the absolute figures.",
        "",
        "Written by `benchmarks/quality.py` (`make quality`); the numbers are in `docs/quality.json`.",
        "",
        "## What the numbers support",
        "",
    ]
    out += table(
        ["question", "winner / figure", "default it supports"],
        [
            ["a. whole words vs raw pieces",
             f"words @5 {pct(rec['words']['@5'])} vs pieces {pct(rec['pieces']['@5'])}",
             "whole words stay the default (no loss against raw pieces)"],
            ["a. length fairness", f"bonus {bonus} nats per extra piece (chosen on half the words, "
             f"test half @5 {pct(sweep[str(bonus)]['test']['@5'])} vs 0: {pct(sweep['0']['test']['@5'])})",
             length_verdict(rec)],
            ["a. echo of the neighbouring word", f"top word repeats a neighbour in {pct(rec['echo_top1'])}; "
             f"dropping echoes @5 {pct(rec['no_echo']['@5'])} vs {pct(rec['words']['@5'])}", echo_verdict(rec)],
            ["b. keep-meaning ranking", f"**{winner}**: P@1 {pct(sel['variants'][winner]['P@1'])} vs masked + visible "
             f"{pct(before['P@1'])} (the default before issue 12)", meaning_verdict(sel["variants"], winner)],
            ["c. which percentage", f"ECE of the top word: share {cal['share_top1']['ece']:.3f} vs "
             f"exp(PLL) {cal['probability_top1']['ece']:.3f}",
             ("the panel and --json show exp(PLL-word-l2r), \"the model's estimate that this word belongs here\""
              if cal["probability_top1"]["ece"] < cal["share_top1"]["ece"] else "keep the share")],
            ["d. fill-all", f"all words recovered: joint {pct(fill['joint_all'])} vs own top-1 "
             f"{pct(fill['own_all'])}; mean PLL {fill['joint_pll']['mean']:.1f} vs {fill['own_pll']['mean']:.1f}",
             "fill-all stays an extra row above the per-mask lists" if fill["joint_all"]["rate"] >= fill["own_all"]["rate"]
             else "fill-all recovers fewer sentences than the per-mask top-1s: revisit"],
            ["e. fast mode", f"top-1 agreement {pct(rec['fast_agreement']['top1'])}, @5 fast "
             f"{pct(rec['fast']['@5'])} vs exact {pct(rec['exact_same_items']['@5'])}", fast_verdict(rec)],
            ["b. meaning-keeping weight (masked + w·visible)", f"best w = {best_weight(sel['variants'])}",
             f"keep_meaning_weight stays 1 with the embedding term (masked + 2·visible + emb/T: "
             f"{pct(sel['variants']['masked + 2·visible + emb/T']['P@1'])}); {best_weight(sel['variants'])} only for the "
             "plain two-term rank"],
            ["f. beam / max pieces / context tokens", tuning_summary(tune), tuning_verdict(tune)],
        ],
    )
    out += ["", "## a. Recovery of masked held-out words", "",
            "Each held-out word is masked in its sentence (with the sentence before it); each ranking's top 10 "
            "is compared with the word. Strata: " + ", ".join(f"{k} {v}" for k, v in res["strata"].items()) + ".", ""]
    out += table(["ranking", "n", "@1", "@5", "@10"], recovery_rows({
        "raw pieces": rec["pieces"], "whole words (PLL-word-l2r)": rec["words"],
        f"whole words + {bonus} nats/extra piece": sweep[str(bonus)]["all"],
        "whole words, echoes of the neighbours dropped": rec["no_echo"],
        "whole words, exact (the fast-mode items)": rec["exact_same_items"],
        "whole words, fast mode (int8)": rec["fast"]}))
    out += ["", "By stratum (whole words / raw pieces, @5):", ""]
    strata = rec["strata"]["words"]
    out += table(["stratum", "n", "whole words @5", "raw pieces @5", "word generated at all"],
                 [[s, strata[s]["@5"]["n"], pct(strata[s]["@5"]), pct(rec["strata"]["pieces"][s]["@5"]),
                   pct(rec["in_pool_strata"][s])] for s in strata])
    out += ["", "![recovery](quality/recovery.png)", "",
            "### Length fairness", "",
            f"Candidates re-ranked by PLL-word-l2r + bonus × (pieces − 1). The bonus was chosen on the even-numbered "
            f"words (best @5, then @1) and is reported on the odd-numbered ones. Best: **{bonus}**. "
            f"A 2–3-piece held-out word is among the generated candidates in "
            f"{pct(rec['in_pool_strata'].get('2-3 pieces, content', {}))} of cases. " + _multi_piece_text(rec), ""]
    out += table(["bonus", "dev @5", "test @1", "test @5", "test @10", "2–3 pieces @5 (all)"],
                 [[b, pct(v["dev"]["@5"]), pct(v["test"]["@1"]), pct(v["test"]["@5"]), pct(v["test"]["@10"]),
                   pct(v["strata"].get("2-3 pieces, content", {}).get("@5", {}))] for b, v in sweep.items()])
    out += ["", "![length bonus](quality/length_bonus.png)", ""]
    out += ["## b. Alternatives that keep the meaning (selection mode)", "",
            f"{sel['n']} held-out one-piece content words with at least one single-word WordNet 3.0 synonym (any sense). "
            "Candidates: the whole-word pool (60 one-piece words + multi-piece beams + the word itself), re-ranked "
            "by each variant. *masked*: PLL-word-l2r with the word masked; *visible*: log P(first piece) with the "
            "original word in place (the keep-meaning term before issue 12); *emb/T*: dot(e_target, e_word)/0.1 with the model's "
            "input embeddings (LexSubGen, Arefyev et al. 2020). P@1/P@5: share of the top alternatives (the original "
            "word excluded, as the panel marks it) that are WordNet synonyms. Junk@5: share of the top 5 alternatives "
            "that are inflections of the original. Original first: how often the original word itself ranks first.", ""]
    out += table(["variant", "P@1", "P@5", "junk@5", "original first"],
                 [[("**" + v + "**") if v == winner else v, pct(r["P@1"]), pct(r["P@5"]), pct(r["junk@5"]),
                   pct(r["original_first"])] for v, r in sel["variants"].items()])
    out += ["", "## c. What the percentage means", "",
            "For the top 5 whole words of each masked word: the panel's *share of the shown list* (a softmax over "
            "the five, always summing to 100%) and the model's own whole-word estimate exp(PLL-word-l2r), against how "
            "often the word is the held-out word. ECE with a bootstrap 95% interval (200 resamples).", ""]
    out += table(["number", "words", "mean shown", "really the word", "ECE"],
                 [[k.replace("_", ", "), v["accuracy"]["n"], f"{100 * v['mean_confidence']:.1f}%", pct(v["accuracy"]),
                   f"{v['ece']:.3f} [{v['lo']:.3f}–{v['hi']:.3f}]"] for k, v in cal.items()])
    out += ["", "![reliability](quality/reliability.png)", ""]
    out += ["## d. Fill-all", "",
            f"{fill['n']} held-out sentences with 2–3 one-piece words masked. Joint fill (the first fill-all row) vs "
            "each mask's own top-1; PLL of the filled sentence (higher is more natural to the model).", ""]
    out += table(["", "every word recovered", "PLL of the filled sentence", "higher PLL than the other"],
                 [["joint fill", pct(fill["joint_all"]), mean(fill["joint_pll"]), pct(fill["joint_better_pll"])],
                  ["each mask's top-1", pct(fill["own_all"]), mean(fill["own_pll"]), pct(fill["own_better_pll"])]])
    fa = rec["fast_agreement"]
    diff = 100 * (rec["fast"]["@5"]["rate"] - rec["exact_same_items"]["@5"]["rate"])
    out += ["", "## e. Fast mode (int8) on a real model", "",
            f"On {rec['fast']['@1']['n']} of the words: top-1 agreement with exact {pct(fa['top1'])}, top-5 overlap "
            f"{mean(fa['top5_overlap'])}; recovery@5 fast {pct(rec['fast']['@5'])} vs exact "
            f"{pct(rec['exact_same_items']['@5'])} ({diff:+.1f} points).", ""]
    out += ["## f. Tuning (whole-word recovery, other settings at their defaults)", "",
            f"Beam and pieces per word on {tune['items']} of the words; context tokens on {tune['long_items']} words with six sentences before them.", ""]
    rows = {"beam 4, 3 pieces, context 128 (defaults)": tune["defaults"]}
    rows.update({f"beam {k}": v for k, v in tune["beam"].items()})
    rows.update({f"max pieces {k}": v for k, v in tune["max_pieces"].items()})
    rows.update({f"word_context_tokens {k}": v for k, v in tune["context_tokens"].items()})
    out += table(["setting", "n", "@1", "@5", "@10"], recovery_rows(rows))
    out += ["", "Pool (one-piece words kept) cannot change a top-10 list by PLL-word-l2r once it is ≥ 10; it only "
            "matters when a second score re-ranks (selection mode), where section b uses 60.", ""]
    if "check" in res:  # issue 19: benchmarks/quality_check.py
        from quality_check import BEGIN, END, markdown as check_markdown

        out += [BEGIN, check_markdown(res["check"]), END, ""] + hand_notes("check")
    out += word_lists_markdown(res) + hand_notes("words")  # g. word lists (benchmarks/quality_words.py)
    return "\n".join(out) + "\n"


def hand_notes(section: str) -> list[str]:
    """The analysis written by hand for a section (benchmarks/quality_notes_SECTION.md),
    kept beside its generated figures when make quality rewrites the file."""
    path = Path(__file__).with_name(f"quality_notes_{section}.md")
    return ["", path.read_text(encoding="utf-8").strip(), ""] if path.is_file() else []


if __name__ == "__main__":
    data = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    Path(sys.argv[2]).write_text(markdown(data), encoding="utf-8")
