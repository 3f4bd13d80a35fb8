"""``bertmask-gui --predict TEXT``: predictions on the command line, no window, no Qt."""

from __future__ import annotations

import json
import sys
import time
from dataclasses import replace

from bertmask_gui.engine.errors import BertMaskError


def run_predict(
    text: str,
    model: str,
    device: str,
    top_k: int,
    as_json: bool,
    pieces: bool = False,
    fast: bool = False,
    explain: bool = False,
    engine: str = "auto",
) -> int:
    from bertmask_gui.engine.predictor import Predictor

    try:
        predictor = Predictor.load(model, device=device, fast=fast)
        use_engine(predictor, engine)
        prediction = predictor.predict(text, top_k=top_k, mode="pieces" if pieces else "words")
        if explain:
            prediction = explained(predictor, text, prediction)
        prediction = predictor.with_facts(text, prediction)  # each candidate's meaning here, syllables
    except BertMaskError as exc:
        print(f"bertmask-gui: {exc}", file=sys.stderr)
        return 2
    for notice in predictor.notices:
        print(f"bertmask-gui: {notice}", file=sys.stderr)
    if as_json:
        payload = {"model": predictor.name, "device": predictor.device_name, "engine": predictor.engine, **prediction.to_dict()}
        if predictor.approximate:
            payload["approximate"] = True
        output = json.dumps(payload, ensure_ascii=False, indent=2)
    else:
        output = format_table(text, prediction)
    return _print(output)


def explained(predictor, text: str, prediction):
    """Each mask with ``why``: the context words that support its first candidate.

    The cost (passes, milliseconds) is added to the prediction's note.
    """
    started, passes = time.perf_counter(), predictor.forward_passes
    masks = tuple(
        replace(m, why=predictor.explain(text, m.start, m.end, m.candidates[0].token) if m.candidates else ())
        for m in prediction.masks
    )
    cost = (
        f"Explaining took {predictor.forward_passes - passes} forward passes, "
        f"{(time.perf_counter() - started) * 1000:.0f} ms."
    )
    note = f"{prediction.note} {cost}".strip()
    return replace(prediction, masks=masks, note=note, forward_passes=predictor.forward_passes - passes + prediction.forward_passes)


def use_engine(predictor, engine: str) -> None:
    """``--engine``: ``onnx`` exports the model now if needed (cached) and runs it on ONNX
    Runtime; ``auto`` does so only if an export is already cached (a one-shot command
    does not wait seconds for one); ``torch`` keeps torch. A failure is one line on
    stderr, and torch answers."""
    if engine == "torch":
        return
    from bertmask_gui.engine.errors import first_line

    if engine == "onnx" and not predictor.onnx_possible():
        print(f"bertmask-gui: ONNX Runtime runs on the CPU only, with onnxruntime installed; using torch on "
              f"{predictor.device_name.upper()}.", file=sys.stderr)
        return
    try:
        predictor.prepare_onnx(export_anew=engine == "onnx")
    except Exception as exc:  # noqa: BLE001 - an export or ORT failure keeps torch
        print(f"bertmask-gui: ONNX Runtime could not run this model ({first_line(exc)}); using torch.", file=sys.stderr)


def run_score(text: str, model: str, device: str, as_json: bool, fast: bool = False, engine: str = "auto") -> int:
    """``--score TEXT``: every word of TEXT with log P(word | the rest), natural log."""
    from bertmask_gui.engine.predictor import Predictor

    try:
        predictor = Predictor.load(model, device=device, fast=fast)
        use_engine(predictor, engine)
        started = time.perf_counter()
        scores = predictor.score_words(text)
    except BertMaskError as exc:
        print(f"bertmask-gui: {exc}", file=sys.stderr)
        return 2
    seconds = time.perf_counter() - started
    if as_json:
        payload = {
            "model": predictor.name,
            "device": predictor.device_name,
            "forward_passes": predictor.forward_passes,
            "seconds": seconds,
            "words": [s.to_dict() for s in scores],
        }
        return _print(json.dumps(payload, ensure_ascii=False, indent=2))
    return _print(format_scores(scores, predictor.forward_passes, seconds))


def format_scores(scores, passes: int, seconds: float) -> str:
    """A readable table: each word, its log score, least expected marked."""
    if not scores:
        return "No words in the text to score."
    width = max(len(s.word) for s in scores)
    lowest = sorted(scores, key=lambda s: s.log_score)[: max(1, len(scores) // 10)]
    lines = [f"{'word':<{width}}  log P(word | rest)"]
    for s in scores:
        mark = "  ← unusual" if s in lowest else ""
        lines.append(f"{s.word:<{width}}  {s.log_score:8.2f}{mark}")
    lines.append(f"({passes} forward pass{'' if passes == 1 else 'es'}, {seconds * 1000:.0f} ms)")
    return "\n".join(lines)


MAX_CHECK_CHARS = 100_000  # rankings.check.MAX_CHECK_CHARS: a longer text is refused at once


def run_check(
    text: str, model: str, device: str, as_json: bool, unusual: bool = False, fast: bool = False, engine: str = "auto"
) -> int:
    """``--check TEXT``: misspellings and confused words with their fixes (``--unusual``:
    the least expected words too). Bad input is a sentence and exit status 2."""
    from bertmask_gui.engine.options import CheckOptions
    from bertmask_gui.lexicon.words import has_letters

    if not text.strip() or not has_letters(text):
        print("bertmask-gui: There are no words to check: give --check a text with words in it.", file=sys.stderr)
        return 2
    if len(text) > MAX_CHECK_CHARS:
        print(f"bertmask-gui: The text is {len(text):,} characters; --check reads at most {MAX_CHECK_CHARS:,} at once. "
              "Check it a part (a chapter, a page) at a time.", file=sys.stderr)
        return 2
    from bertmask_gui.engine.predictor import Predictor

    try:
        predictor = Predictor.load(model, device=device, fast=fast)
        use_engine(predictor, engine)
        options = CheckOptions(unusual=unusual, accepted=frozenset(_writers_words()))
        result = predictor.check(text, options=options)
    except BertMaskError as exc:
        print(f"bertmask-gui: {exc}", file=sys.stderr)
        return 2
    if as_json:
        payload = {
            "model": predictor.name,
            "engine": predictor.engine,
            "flags": [f.to_dict() for f in result.flags],
            "forward_passes": result.forward_passes,
            "seconds": result.seconds,
        }
        return _print(json.dumps(payload, ensure_ascii=False, indent=2))
    return _print(format_flags(text, result))


def _writers_words() -> tuple[str, ...]:
    """The writer's dictionary (lower case), or nothing if it cannot be read."""
    from bertmask_gui.lexicon.user_dictionary import UserDictionary

    try:
        return tuple(w.lower() for w in UserDictionary().words)
    except OSError:
        return ()


def format_flags(text: str, result) -> str:
    """A readable list: where, the word, why, the fixes best first."""
    kinds = {"spelling": "not a word", "confusion": "confused word", "unusual": "unusual here"}
    lines = []
    for f in result.flags:
        line_no = text.count("\n", 0, f.start) + 1
        fixes = ", ".join(s.word for s in f.suggestions) or "no suggestion"
        lines.append(f"{line_no}:{f.start}-{f.end}  “{f.word}”  {kinds[str(f.kind)]}  →  {fixes}")
    if not lines:
        lines.append("No misspelled or confused words found.")
    passes = result.forward_passes
    lines.append(f"({result.words} words, {passes} forward pass{'' if passes == 1 else 'es'}, {result.seconds * 1000:.0f} ms)")
    return "\n".join(lines)


def _print(output: str) -> int:
    try:
        print(output)
    except BrokenPipeError:  # `| head`: the reader has what it wanted
        sys.stderr.close()
    return 0


def _facts(candidate) -> str:
    """``  2 syl.  (noun) the time after sunset…``: what a candidate's facts say, if any."""
    count = getattr(candidate, "syllables", None)
    shown = f"{count}{'?' if candidate.syllables_estimated else ''} syl." if count else ""
    definition = getattr(candidate, "definition", None)
    if definition:
        shown += f"  {definition if len(definition) <= 70 else definition[:69] + '…'}"
    return f"  {shown}" if shown else ""


def format_table(text: str, prediction) -> str:
    """A readable table: one block per mask, rank, word, probability."""
    if not prediction.masks:
        return "No [MASK] in the text: put [MASK] where you want word suggestions."
    lines = []
    for i, mask in enumerate(prediction.masks, start=1):
        lines.append(f"Mask {i} at {mask.start}-{mask.end}: …{text[max(0, mask.start - 20):mask.end + 20]}…")
        lines.append(f"  (% = {getattr(mask, 'score_label', 'probability at the mask')})")
        width = max((len(c.token) for c in mask.candidates), default=4)
        for rank, c in enumerate(mask.candidates, start=1):
            mark = "  (your word)" if getattr(c, "original", False) else ""
            lines.append(f"  {rank:>2}. {c.token:<{width}}  {c.score * 100:6.2f}%{mark}{_facts(c)}")
        if mask.why:
            words = ", ".join(f"{i.word} ({i.influence:+.2f})" for i in mask.why[:5])
            lines.append(f"  Why “{mask.candidates[0].token}”: {words}")
    fills = getattr(prediction, "fills", ())
    if fills:
        lines.append(f"Fill all masks together (% = {prediction.fills_label}):")
        for rank, fill in enumerate(fills, start=1):
            lines.append(f"  {rank:>2}. {' | '.join(fill.words)}  {fill.score * 100:6.2f}%")
    if prediction.note:
        lines.append(prediction.note)
    return "\n".join(lines)
