"""How good are the words? Every ranking default measured on held-out text (issue 12).

    python benchmarks/quality.py [--model DIR] [--quick]      (make quality)

On ``heldout_sotu_2010_2021.txt`` beside the model (never trained on), with a fixed seed:
a. recovery of masked held-out words (raw pieces, whole words, fast mode, fairer lengths,
   echoes dropped); b. selection-mode alternatives against WordNet synonyms; c. what the
   shown percentage means (reliability, ECE); d. fill-all vs each mask's own top-1;
e. fast (int8) vs exact; f. tuning (beam, pool, context tokens, pieces, weights).
Writes docs/QUALITY.md, docs/quality.json and docs/quality/*.png. Every rate has a 95%
Wilson interval. Relative comparisons matter more than absolute figures: the model is small.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import math
import os
import random
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
MODEL = Path(os.environ.get("BERTMASK_QUALITY_MODEL", "/work/shared/models/prose-mlm-small"))
if not MODEL.exists():
    MODEL = ROOT.parent / "shared" / "models" / "prose-mlm-small"
SEED = 12
LEXSUB_TEMPERATURE = 0.1  # Arefyev et al. 2020's T (the engine's default: options.Tuning)
Z = 1.96
WORD = re.compile(r"[A-Za-z]+")

from bertmask_gui.engine.encoder import Context  # noqa: E402
from bertmask_gui.engine.rankings import meaning  # noqa: E402
from bertmask_gui.engine.rankings.words import Word, generate  # noqa: E402
from bertmask_gui.engine.filters import STOP_WORDS  # noqa: E402
from bertmask_gui.engine.predictor import Predictor  # noqa: E402
from quality_words import section_word_lists  # noqa: E402  (benchmarks/quality_words.py, issue 20)


# ------------------------------------------------------------------ statistics
def softmax(scores: list[float]) -> list[float]:
    """exp(score) normalised over the list: the former "share of the shown list"."""
    top = max(scores)
    weights = [math.exp(s - top) for s in scores]
    return [w / sum(weights) for w in weights]


def wilson(hits: int, n: int) -> tuple[float, float, float]:
    """Rate and its 95% Wilson interval."""
    if n == 0:
        return (float("nan"),) * 3
    p = hits / n
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / (1 + Z * Z / n)
    return p, max(0.0, centre - half), min(1.0, centre + half)


def rate(flags) -> dict:
    flags = [bool(f) for f in flags]
    p, lo, hi = wilson(sum(flags), len(flags))
    return {"rate": p, "lo": lo, "hi": hi, "n": len(flags)}


def fmt(r: dict) -> str:
    if r["n"] == 0:
        return "–"
    return f"{100 * r['rate']:.1f}% [{100 * r['lo']:.1f}–{100 * r['hi']:.1f}]"


def mean_ci(values) -> dict:
    values = list(values)
    n = len(values)
    m = sum(values) / n
    sd = math.sqrt(sum((v - m) ** 2 for v in values) / max(1, n - 1))
    return {"mean": m, "lo": m - Z * sd / math.sqrt(n), "hi": m + Z * sd / math.sqrt(n), "n": n}


def ece(pairs, bins: int = 10) -> tuple[float, list[dict]]:
    """Expected calibration error of (confidence, correct) pairs, and the diagram's bins."""
    table = []
    total = 0.0
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        inside = [(c, y) for c, y in pairs if lo <= c < hi or (b == bins - 1 and c == 1.0)]
        if not inside:
            continue
        conf = sum(c for c, _ in inside) / len(inside)
        acc = rate([y for _, y in inside])
        total += len(inside) / len(pairs) * abs(conf - acc["rate"])
        table.append({"lo": lo, "hi": hi, "confidence": conf, **acc})
    return total, table


def ece_ci(pairs, rng, resamples: int = 200) -> tuple[float, float]:
    values = sorted(ece([rng.choice(pairs) for _ in pairs])[0] for _ in range(resamples))
    return values[int(0.025 * resamples)], values[int(0.975 * resamples) - 1]


# ------------------------------------------------------------------ held-out items
@dataclass
class Item:
    text: str  # context with the target word in place
    start: int
    end: int
    word: str
    pieces: tuple[int, ...]
    function: bool
    ctx: Context = field(default=None, repr=False)  # masked context for generate

    @property
    def stratum(self) -> str:
        kind = "function" if self.function else "content"
        return f"{'1 piece' if len(self.pieces) == 1 else '2-3 pieces'}, {kind}"

    def masked(self, mask: str) -> str:
        return self.text[: self.start] + mask + self.text[self.end :]


def sentences(model: Path) -> list[list[str]]:
    """The held-out addresses, each a list of sentences."""
    text = (model / "heldout_sotu_2010_2021.txt").read_text(encoding="utf-8")
    return [[s.strip() for s in block.splitlines() if s.strip()] for block in text.split("\n\n") if block.strip()]


def sample_items(predictor, addresses, rng, per_stratum: dict[str, int], before: int = 1) -> list[Item]:
    """Held-out words, stratified by pieces (1 / 2-3) and kind (content / function)."""
    tok = predictor.tokenizer
    pool: dict[str, list[Item]] = {k: [] for k in per_stratum}
    for sents in addresses:
        for i, sent in enumerate(sents):
            if not 6 <= len(sent.split()) <= 40:
                continue
            lead = " ".join(sents[max(0, i - before) : i])
            text = (lead + " " + sent).strip()
            offset = len(text) - len(sent)
            for m in WORD.finditer(sent):
                word = m.group()
                if not word.islower() or len(word) < 2:
                    continue
                pieces = tuple(tok(word, add_special_tokens=False)["input_ids"])
                if len(pieces) > 3:
                    continue
                item = Item(text, offset + m.start(), offset + m.end(), word, pieces, word in STOP_WORDS)
                if item.stratum in pool:
                    pool[item.stratum].append(item)
    items = []
    for stratum, count in per_stratum.items():
        items += rng.sample(pool[stratum], min(count, len(pool[stratum])))
    for item in items:
        item.ctx = context(predictor, item.masked(predictor.mask_token))
    return items


def context(predictor, masked_text: str) -> Context:
    ids = predictor.tokenizer(masked_text)["input_ids"]
    return Context(tuple(ids), ids.index(predictor.mask_token_id), True)


@contextlib.contextmanager
def tuned(predictor, **values):
    """The predictor with other ``Tuning`` values (engine.options) for a while."""
    old = predictor.tuning
    predictor.tuning = dataclasses.replace(old, **values)
    try:
        yield predictor
    finally:
        predictor.tuning = old


def ranked_words(predictor, items, batch: int = 16, **kwargs) -> list[list[Word]]:
    """rankings.words.generate over the items' masked contexts, in batches."""
    out = []
    for i in range(0, len(items), batch):
        out += generate(predictor.job(), [it.ctx for it in items[i : i + batch]], **kwargs)
    return out


def top_texts(words, k: int, score=lambda w: w.log_score) -> list[str]:
    return [w.text for w in sorted(words, key=score, reverse=True)[:k]]


def recovery(items, lists) -> dict:
    return {f"@{k}": rate(it.word in lst[:k] for it, lst in zip(items, lists)) for k in (1, 5, 10)}


def by_stratum(items, lists) -> dict:
    strata = sorted({it.stratum for it in items})
    return {s: recovery(*zip(*[(it, l) for it, l in zip(items, lists) if it.stratum == s])) for s in strata}


# ------------------------------------------------------------------ sections
def section_recovery(predictor, fast, items) -> dict:
    """a (+ length fairness, echoes) and e."""
    pieces = []
    for it in items:
        result = predictor.predict(it.masked(predictor.mask_token), top_k=10, mode="pieces")
        pieces.append([c.token for c in result.masks[0].candidates])
    words = ranked_words(predictor, items, pool=60)
    fast_items = items[0::3]  # int8 vs exact on a third of the items (time)
    fast_plain = [top_texts(w, 10) for w in ranked_words(fast, fast_items, pool=60)]
    plain = [top_texts(w, 10) for w in words]
    exact_third = plain[0::3]
    # Length fairness, tuned on even items, reported on odd ones (no peeking).
    bonuses = [0, 1, 2, 3, 4, 5, 6, 8, 10]
    sweep = {}
    for b in bonuses:
        lists = [top_texts(w, 10, lambda x: meaning.length_fair(x.log_score, len(x.pieces), b)) for w in words]
        sweep[b] = {"dev": recovery(items[0::2], lists[0::2]), "test": recovery(items[1::2], lists[1::2]),
                    "all": recovery(items, lists), "strata": by_stratum(items, lists)}
    best = max(bonuses, key=lambda b: (sweep[b]["dev"]["@5"]["rate"], sweep[b]["dev"]["@1"]["rate"]))
    no_echo = [meaning.drop_echoes(top_texts(w, 12), it.text, it.start, it.end)[:10] for it, w in zip(items, words)]
    in_pool = rate(it.word in {x.text for x in w} for it, w in zip(items, words))
    pool_by_stratum = {s: rate(it.word in {x.text for x in w} for it, w in zip(items, words) if it.stratum == s)
                       for s in sorted({it.stratum for it in items})}
    top1 = [w[0].log_score for w in words if w]
    multi = held_out_multi_piece(predictor, [(it, w) for it, w in zip(items, words) if len(it.pieces) > 1])
    agree1 = rate(a[:1] == b[:1] for a, b in zip(exact_third, fast_plain))
    overlap5 = mean_ci(len(set(a[:5]) & set(b[:5])) / 5 for a, b in zip(exact_third, fast_plain))
    return {
        "pieces": recovery(items, pieces), "words": recovery(items, plain), "fast": recovery(fast_items, fast_plain),
        "exact_same_items": recovery(fast_items, exact_third),
        "strata": {"pieces": by_stratum(items, pieces), "words": by_stratum(items, plain)},
        "length_bonus": {"sweep": sweep, "best": best},
        "no_echo": recovery(items, no_echo),
        "echo_top1": rate(meaning.echoes_neighbour(l[0], it.text, it.start, it.end) for it, l in zip(items, plain) if l),
        "in_pool": in_pool, "in_pool_strata": pool_by_stratum, "multi_piece": multi,
        "top1_score": mean_ci(top1),
        "fast_agreement": {"top1": agree1, "top5_overlap": overlap5},
        "_lists": {"words": plain, "raw": words},
    }


def held_out_multi_piece(predictor, pairs) -> dict:
    """For held-out words of 2-3 pieces: is generation what misses them, or the score?
    The rank of their first piece in the n-mask row (a beam keeps the best 4), and
    whether their exact PLL-word-l2r would reach the 5th shown word if generated."""
    from bertmask_gui.engine.rankings.inplace import l2r_scores

    job = predictor.job()
    ranks, reach, gaps = [], [], []
    for it, words in pairs:
        ids, pos = job.expand(it.ctx, len(it.pieces))
        ((logp,),) = job.at_positions([(ids, [pos])])
        allowed = predictor.vocabulary.allowed(0, it.ctx.after_space)[: logp.shape[0]]
        ranks.append(int((logp.masked_fill(~allowed, float("-inf")) > logp[it.pieces[0]]).sum()))
        score = l2r_scores(job, [(it.ctx, it.pieces)])[0]
        fifth = words[4].log_score if len(words) > 4 else float("-inf")
        reach.append(score >= fifth)
        gaps.append(fifth - score)
    ranks.sort()
    return {"n": len(pairs), "first_piece_rank_median": ranks[len(ranks) // 2] if ranks else None,
            "first_piece_in_beam": rate(r < 4 for r in ranks), "would_reach_top5": rate(reach),
            "gap_to_top5": mean_ci(gaps) if gaps else None}


def section_calibration(items, raw_words, top_k: int = 5) -> dict:
    """c: 'share of the shown list' vs exp(PLL-word-l2r) against being the held-out word."""
    share_pairs, prob_pairs = [], []
    for it, words in zip(items, raw_words):
        shown = sorted(words, key=lambda w: w.log_score, reverse=True)[:top_k]
        if not shown:
            continue
        shares = softmax([w.log_score for w in shown])
        for rank, (w, s) in enumerate(zip(shown, shares)):
            hit = w.text == it.word
            share_pairs.append((s, hit, rank))
            prob_pairs.append((min(1.0, math.exp(w.log_score)), hit, rank))
    out = {}
    rng = random.Random(SEED)
    for name, pairs in (("share", share_pairs), ("probability", prob_pairs)):
        for scope, chosen in (("top1", [p for p in pairs if p[2] == 0]), ("shown", pairs)):
            two = [(c, y) for c, y, _ in chosen]
            value, table = ece(two)
            lo, hi = ece_ci(two, rng)
            out[f"{name}_{scope}"] = {"ece": value, "lo": lo, "hi": hi, "bins": table,
                                      "mean_confidence": sum(c for c, _ in two) / len(two),
                                      "accuracy": rate(y for _, y in two)}
    return out


# WordNet 3.0's lexicographer files (lexnames), which nltk reads and Debian omits.
LEXNAMES = """adj.all adj.pert adv.all noun.Tops noun.act noun.animal noun.artifact noun.attribute
noun.body noun.cognition noun.communication noun.event noun.feeling noun.food noun.group
noun.location noun.motive noun.object noun.person noun.phenomenon noun.plant noun.possession
noun.process noun.quantity noun.relation noun.shape noun.state noun.substance noun.time
verb.body verb.change verb.cognition verb.communication verb.competition verb.consumption
verb.contact verb.creation verb.emotion verb.motion verb.perception verb.possession
verb.social verb.stative verb.weather adj.ppl""".split()
_POS = {"adj": 3, "adv": 4, "noun": 1, "verb": 2}


def wordnet():
    """nltk's reader on Debian's wordnet-base files (or None when either is missing)."""
    try:
        import shutil
        import tempfile

        import nltk
        from nltk.corpus.reader.wordnet import WordNetCorpusReader
    except ImportError:
        return None
    source = Path("/usr/share/wordnet")
    if not (source / "data.noun").exists():
        return None
    folder = Path(tempfile.mkdtemp(prefix="bertmask-wordnet-"))  # nltk refuses links out of it
    for f in source.iterdir():
        if f.is_file():
            shutil.copyfile(f, folder / f.name)
    if not (folder / "lexnames").exists():
        (folder / "lexnames").write_text(
            "".join(f"{i:02d}\t{n}\t{_POS[n.split('.')[0]]}\n" for i, n in enumerate(LEXNAMES)))
    nltk.data.path.append(str(folder))  # nltk reads only folders on its data path

    class EnglishWordNet(WordNetCorpusReader):
        def map_wn(self, version="wordnet"):  # the multilingual mapping needs nltk_data: unused
            return None

    return EnglishWordNet(str(folder), None)


def synonyms(wn, word: str) -> set[str]:
    return {l.lower() for s in wn.synsets(word) for l in s.lemma_names() if "_" not in l and l.lower() != word}


def inflection(wn, word: str, other: str) -> bool:
    """Is ``other`` the word itself or an inflection of it (same base form)?"""
    if other == word:
        return True
    bases = lambda w: {wn.morphy(w, pos) or w for pos in ("n", "v", "a", "r")} | {w}
    return bool(bases(word) & bases(other)) or other in {word + "s", word + "es", word + "ed", word + "d", word + "ing"}


def section_selection(predictor, items, wn, pool: int = 60) -> dict:
    """b: alternatives that keep the meaning, against WordNet synonyms."""
    chosen = []
    for it in items:
        syn = synonyms(wn, it.word)
        if syn and not it.function and len(it.pieces) == 1:
            chosen.append((it, syn))
    rows = []
    for i in range(0, len(chosen), 16):
        batch = chosen[i : i + 16]
        ctxs = [context(predictor, it.masked(predictor.mask_token)) for it, _ in batch]
        job = predictor.job()
        pieces = [it.pieces for it, _ in batch]
        found = generate(job, ctxs, pool=pool, extra=[[p] for p in pieces], originals=pieces)  # fills keep_score
        for (it, syn), words in zip(batch, found):
            meaning.add_similarity(words, meaning.similarity_dots(job, it.pieces, LEXSUB_TEMPERATURE))
            rows.append((it, syn, words))
    weights = [0.25, 0.5, 1.0, 2.0, 4.0]
    variants = {"masked": lambda w: w.log_score, "visible (target in place)": lambda w: w.keep_score}
    for k in weights:
        variants[f"masked + {k}·visible"] = (lambda k: lambda w: w.log_score + k * w.keep_score)(k)
    variants["LexSubGen: visible + emb/T"] = lambda w: w.keep_score + w.similarity
    variants["masked + emb/T"] = lambda w: w.log_score + w.similarity
    variants["masked + visible + emb/T"] = lambda w: w.log_score + w.keep_score + w.similarity
    variants["masked + 2·visible + emb/T"] = lambda w: w.log_score + 2 * w.keep_score + w.similarity
    out = {}
    for name, score in variants.items():
        p1, p5, junk, orig1 = [], [], [], []
        for it, syn, words in rows:
            ranked = [w.text for w in sorted(words, key=score, reverse=True)]
            orig1.append(ranked[0] == it.word)
            alternatives = [t for t in ranked if t != it.word][:5]
            p1.append(alternatives[0] in syn)
            p5 += [t in syn for t in alternatives]
            junk += [inflection(wn, it.word, t) for t in alternatives]
        out[name] = {"P@1": rate(p1), "P@5": rate(p5), "junk@5": rate(junk), "original_first": rate(orig1)}
    return {"n": len(rows), "variants": out}


def section_fill_all(predictor, addresses, rng, count: int) -> dict:
    """d: joint fill vs each mask's own top-1 on sentences with 2-3 masks."""
    tok = predictor.tokenizer
    cases = []
    flat = [s for sents in addresses for s in sents if 8 <= len(s.split()) <= 30]
    while len(cases) < count:
        sent = rng.choice(flat)
        spots = [m for m in WORD.finditer(sent) if m.group().islower() and len(tok.tokenize(m.group())) == 1]
        n = rng.choice((2, 3))
        if len(spots) < n + 2:
            continue
        cases.append((sent, sorted(rng.sample(spots, n), key=lambda m: m.start())))
    joint_all, own_all, joint_pll, own_pll = [], [], [], []
    for sent, spots in cases:
        masked, filled_joint, filled_own, last = [], [], [], 0
        answer = tuple(m.group() for m in spots)
        for m in spots:
            masked += [sent[last : m.start()], predictor.mask_token]
            last = m.end()
        masked.append(sent[last:])
        result = predictor.predict("".join(masked), top_k=5)
        own = tuple(m.candidates[0].token.lower() for m in result.masks)
        joint = tuple(w.lower() for w in result.fills[0].words) if result.fills else own
        own_all.append(own == answer)
        joint_all.append(joint == answer)
        for words, sink in ((joint, joint_pll), (own, own_pll)):
            parts = [masked[0]]
            for w, rest in zip(words, masked[2::2]):
                parts += [w, rest]
            sink.append(meaning.sentence_pll(predictor.job(), "".join(parts)))
    return {"n": len(cases), "joint_all": rate(joint_all), "own_all": rate(own_all),
            "joint_pll": mean_ci(joint_pll), "own_pll": mean_ci(own_pll),
            "joint_better_pll": rate(j > o + 1e-6 for j, o in zip(joint_pll, own_pll)),
            "own_better_pll": rate(o > j + 1e-6 for j, o in zip(joint_pll, own_pll))}


def section_tuning(predictor, items, long_items, selection_rows=None) -> dict:
    """f: recovery of whole words for each tuning value (others at their defaults)."""
    out = {"beam": {}, "max_pieces": {}, "context_tokens": {}}
    out["defaults"] = recovery(items, [top_texts(w, 10) for w in ranked_words(predictor, items, pool=30)])
    for beam in (2, 8):  # 4 (the default): "defaults"
        out["beam"][beam] = recovery(items, [top_texts(w, 10) for w in ranked_words(predictor, items, beam=beam, pool=30)])
    for n in (1, 2):  # 3 (the default): "defaults"
        out["max_pieces"][n] = recovery(items, [top_texts(w, 10) for w in ranked_words(predictor, items, max_pieces=n, pool=30)])
    for tokens in (32, 64, 128, 256):
        with tuned(predictor, word_context_tokens=tokens):
            lists = [top_texts(w, 10) for w in ranked_words(predictor, long_items, pool=30)]
        out["context_tokens"][tokens] = recovery(long_items, lists)
    return out


# ------------------------------------------------------------------ report
def plots(results, folder: Path) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    folder.mkdir(parents=True, exist_ok=True)
    made = []
    rec = results["recovery"]
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    names = [("pieces", "raw pieces"), ("words", "whole words"), ("fast", "whole words, fast"),
             ("best_bonus", f"whole words, +{rec['length_bonus']['best']} nats/extra piece")]
    rec["best_bonus"] = rec["length_bonus"]["sweep"][rec["length_bonus"]["best"]]["all"]
    for i, (key, label) in enumerate(names):
        r = [rec[key][f"@{k}"] for k in (1, 5, 10)]
        ax.bar([x + i * 0.2 for x in range(3)], [100 * v["rate"] for v in r], 0.2, label=label,
               yerr=[[100 * (v["rate"] - v["lo"]) for v in r], [100 * (v["hi"] - v["rate"]) for v in r]], capsize=2)
    ax.set_xticks([x + 0.3 for x in range(3)], ["@1", "@5", "@10"])
    ax.set_ylabel("held-out word recovered (%)")
    ax.set_title("Recovery of masked held-out words (prose-mlm-small, 95% CI)")
    ax.legend(fontsize=7)
    made.append(_saved(fig, folder, "recovery.png"))

    fig, ax = plt.subplots(figsize=(4.8, 4.4))
    ax.plot([0, 1], [0, 1], "k:", lw=1)
    for key, label in (("share_top1", "share of the shown list"), ("probability_top1", "exp(PLL-word-l2r)")):
        bins = results["calibration"][key]["bins"]
        ax.plot([b["confidence"] for b in bins], [b["rate"] for b in bins], "o-",
                label=f"{label} (ECE {results['calibration'][key]['ece']:.2f})")
    ax.set_xlabel("shown confidence of the top word")
    ax.set_ylabel("how often it is the held-out word")
    ax.set_title("Reliability of the top word's percentage")
    ax.legend(fontsize=7)
    made.append(_saved(fig, folder, "reliability.png"))

    sweep = rec["length_bonus"]["sweep"]
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    for stratum in sorted(next(iter(sweep.values()))["strata"]):
        ax.plot(list(sweep), [100 * sweep[b]["strata"][stratum]["@5"]["rate"] for b in sweep], "o-", label=stratum)
    ax.plot(list(sweep), [100 * sweep[b]["all"]["@5"]["rate"] for b in sweep], "k-", lw=2, label="all")
    ax.set_xlabel("bonus per extra piece (nats)")
    ax.set_ylabel("recovery@5 (%)")
    ax.set_title("Length fairness: whole-word recovery@5 by bonus")
    ax.legend(fontsize=7)
    made.append(_saved(fig, folder, "length_bonus.png"))
    return made


def _saved(fig, folder: Path, name: str) -> str:
    """Lay out, write and close a figure; its file name."""
    import matplotlib.pyplot as plt

    fig.tight_layout()
    fig.savefig(folder / name, dpi=110)
    plt.close(fig)
    return name


def strip_private(value):
    if isinstance(value, dict):
        return {str(k): strip_private(v) for k, v in value.items() if not str(k).startswith("_")}
    if isinstance(value, (list, tuple)):
        return [strip_private(v) for v in value]
    return value


def write_markdown(results, path: Path) -> None:
    from quality_report import markdown  # benchmarks/quality_report.py

    path.write_text(markdown(results), encoding="utf-8")


# ------------------------------------------------------------------ main
def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=str(MODEL))
    parser.add_argument("--quick", action="store_true", help="a small sample, for development")
    parser.add_argument("--out", default=str(ROOT / "docs"))
    args = parser.parse_args(argv)
    model = Path(args.model)
    if not (model / "heldout_sotu_2010_2021.txt").exists():
        print(f"No held-out text in {model}: pass --model with the prose-mlm-small folder.")
        return 2
    wn = wordnet()
    if wn is None:
        print("WordNet is missing: run `sudo apt-get install -y wordnet-base` and `pip install nltk` "
              "(make quality does both when it can).")
        return 2
    started = time.perf_counter()
    rng = random.Random(SEED)
    scale = 0.05 if args.quick else 1.0
    # 520 masked words (the issue asks for 500+): the held-out text has no 2-3-piece
    # function words, so the other three strata carry them.
    strata = {"1 piece, content": 220, "1 piece, function": 100, "2-3 pieces, content": 200, "2-3 pieces, function": 20}
    strata = {k: max(4, int(v * scale)) for k, v in strata.items()}
    exact = Predictor.load(str(model), device="cpu")
    fast = Predictor.load(str(model), device="cpu", fast=True)
    addresses = sentences(model)
    items = sample_items(exact, addresses, rng, strata)
    timings = {}

    def timed(name, fn, *a):
        t = time.perf_counter()
        value = fn(*a)
        timings[name] = round(time.perf_counter() - t, 1)
        print(f"{name}: {timings[name]} s", flush=True)
        return value

    results = {"model": model.name, "seed": SEED, "quick": args.quick, "items": len(items),
               "strata": {s: sum(it.stratum == s for it in items) for s in strata}}
    results["recovery"] = timed("a/e recovery", section_recovery, exact, fast, items)
    results["calibration"] = timed("c calibration", section_calibration, items, results["recovery"]["_lists"]["raw"])
    results["selection"] = timed("b selection", section_selection, exact, items, wn)
    results["word_lists"] = timed("g word lists", section_word_lists, exact, items, wn, tuned, rate, synonyms)
    results["fill_all"] = timed("d fill-all", section_fill_all, exact, addresses, rng, max(6, int(30 * scale)))
    tune_items = items[0::6]
    long_items = sample_items(exact, addresses, random.Random(SEED + 1),
                              {"1 piece, content": max(8, int(15 * scale)), "2-3 pieces, content": max(8, int(15 * scale))},
                              before=6)
    results["tuning"] = timed("f tuning", section_tuning, exact, tune_items, long_items)
    results["tuning"]["items"] = len(tune_items)
    results["tuning"]["long_items"] = len(long_items)
    results["check"] = timed("g draft checker", __import__("quality_check").section, exact, model, args.quick)
    results["facts"] = timed("g word facts, constrained masks", __import__("quality_facts").section, exact, addresses, wn, args.quick, Path(args.out))
    results["threads"] = __import__("torch").get_num_threads()
    results["seconds"] = round(time.perf_counter() - started, 1)
    results["timings"] = timings
    out = Path(args.out)
    results["plots"] = plots(results, out / "quality")
    clean = strip_private(results)
    (out / "quality.json").write_text(json.dumps(clean, indent=1), encoding="utf-8")
    sys.path.insert(0, str(Path(__file__).parent))
    write_markdown(clean, out / "QUALITY.md")
    print(f"Wrote {out / 'QUALITY.md'} in {results['seconds']} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
