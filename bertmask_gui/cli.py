"""``bertmask-gui --predict TEXT``: predictions on the command line, no window, no Qt."""

from __future__ import annotations

import json
import sys

from bertmask_gui.engine.errors import BertMaskError


def run_predict(
    text: str, model: str, device: str, top_k: int, as_json: bool, pieces: bool = False, fast: bool = False
) -> int:
    from bertmask_gui.engine.predictor import Predictor

    try:
        predictor = Predictor.load(model, device=device, fast=fast)
        prediction = predictor.predict(text, top_k=top_k, mode="pieces" if pieces else "words")
    except BertMaskError as exc:
        print(f"bertmask-gui: {exc}", file=sys.stderr)
        return 2
    for notice in predictor.notices:
        print(f"bertmask-gui: {notice}", file=sys.stderr)
    if as_json:
        payload = {"model": predictor.name, "device": predictor.device_name, **prediction.to_dict()}
        if predictor.approximate:
            payload["approximate"] = True
        output = json.dumps(payload, ensure_ascii=False, indent=2)
    else:
        output = format_table(text, prediction)
    try:
        print(output)
    except BrokenPipeError:  # `| head`: the reader has what it wanted
        sys.stderr.close()
    return 0


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
            lines.append(f"  {rank:>2}. {c.token:<{width}}  {c.score * 100:6.2f}%{mark}")
    fills = getattr(prediction, "fills", ())
    if fills:
        lines.append(f"Fill all masks together (% = {prediction.fills_label}):")
        for rank, fill in enumerate(fills, start=1):
            lines.append(f"  {rank:>2}. {' | '.join(fill.words)}  {fill.score * 100:6.2f}%")
    return "\n".join(lines)
