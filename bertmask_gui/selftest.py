"""``BertMask --self-test``: prove, headless, that this installation can predict.

Loads the bundled (or given) model, predicts the seed sentence, prints the result and
exits 0; on failure prints one sentence and exits 1. It also imports the Qt window
code, so a packaged app missing a Qt library fails here rather than on a writer's
double-click, and on a CPU makes the int8 draft the window uses for whole words and
predicts with it (a bundle missing torch's quantization would show here).
"""

from __future__ import annotations

import logging
import sys

from bertmask_gui.engine.errors import BertMaskError

log = logging.getLogger(__name__)

SEED_SENTENCE = "I really [MASK] the movie. It was quite interesting."


def run_self_test(model: str | None = None, device: str = "auto", top_k: int = 5) -> int:
    from bertmask_gui.engine.models import default_model

    name = model or default_model()
    try:
        _check_qt()
        from bertmask_gui.engine.predictor import Predictor

        predictor = Predictor.load(name, device=device)
        prediction = predictor.predict(SEED_SENTENCE, top_k=top_k)
        _check(prediction, top_k)
        drafted = predictor.prepare_draft()
        if drafted:
            _check(predictor.predict(SEED_SENTENCE, top_k=top_k), top_k)
    except BertMaskError as exc:
        return _fail(str(exc))
    except Exception as exc:  # the point of a self-test is to report any failure as a sentence
        log.exception("Self-test failed")
        return _fail(f"Unexpected error ({type(exc).__name__}: {exc}). The log file has the details.")
    words = ", ".join(f"{c.token} {c.score:.1%}" for c in prediction.masks[0].candidates)
    print(f"Self-test passed: model {predictor.name} ({predictor.folder}) on {predictor.device_name}.")
    print(f"{SEED_SENTENCE}\n  [MASK] → {words}")
    if drafted:
        draft = "yes"
    elif predictor.device_name != "cpu" or predictor.approximate:
        draft = f"not needed ({'fast mode' if predictor.approximate else predictor.device_name.upper()})"
    else:
        draft = "no: whole words use the exact search (the log says why)"
    print(f"Whole words search on an int8 draft copy: {draft}")
    log.info("Self-test passed with %s on %s", predictor.name, predictor.device_name)
    return 0


def _check_qt() -> None:
    try:
        import bertmask_gui.ui.main_window  # noqa: F401 (imports QtCore, QtGui, QtWidgets)
    except ImportError as exc:
        raise BertMaskError(f"The Qt libraries of this installation are incomplete ({exc}). Reinstall BertMask.")


def _check(prediction, top_k: int) -> None:
    if len(prediction.masks) != 1:
        raise BertMaskError(f"The seed sentence has one [MASK], but {len(prediction.masks)} were found.")
    candidates = prediction.masks[0].candidates
    if not 0 < len(candidates) <= top_k:
        raise BertMaskError(f"The model proposed {len(candidates)} words for the mask; expected 1 to {top_k}.")
    scores = [c.score for c in candidates]
    if not all(0.0 < s <= 1.0 for s in scores) or scores != sorted(scores, reverse=True):
        raise BertMaskError("The model's scores are not ranked probabilities; the model files may be damaged.")


def _fail(sentence: str) -> int:
    print(f"Self-test failed: {sentence}", file=sys.stderr)
    log.info("Self-test failed: %s", sentence)  # INFO: the sentence is already on stderr
    return 1
