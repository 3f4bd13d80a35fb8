"""Logging to a file in the user's log folder (a windowed app has no console)."""

from __future__ import annotations

import logging
import logging.handlers
import sys
from pathlib import Path

from bertmask_gui import APP_NAME

# Libraries whose INFO lines are their own working notes: the ONNX exporter wrote 79 of a
# first launch's 82 log lines ("Replaced initializer 'val_280' …"). Their warnings stay.
CHATTY_LIBRARIES = ("onnx_ir", "onnxscript", "torch.onnx")


def log_file() -> Path:
    from platformdirs import user_log_dir

    return Path(user_log_dir(APP_NAME, appauthor=False)) / "bertmask.log"


def setup_logging(verbose: bool = False) -> Path | None:
    """Log to a rotating file; also to stderr when there is one.

    Never log the writer's text: only sizes, timings, models and errors.
    """
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for name in CHATTY_LIBRARIES:
        logging.getLogger(name).setLevel(logging.DEBUG if verbose else logging.WARNING)
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s")
    path: Path | None = log_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(path, maxBytes=1_000_000, backupCount=3, encoding="utf-8")
        handler.setFormatter(fmt)
        root.addHandler(handler)
    except OSError:
        path = None
    if sys.stderr is not None:  # None in a windowed frozen app
        console = logging.StreamHandler()
        console.setLevel(logging.DEBUG if verbose else logging.WARNING)
        console.setFormatter(fmt)
        root.addHandler(console)
    return path
