"""Soak: many predictions with random edits in one process, through the real window.

Reports RSS and thread count before and after; used by `make soak` (2,000 requests)
and, shorter, by tests/test_reliability.py.

    python benchmarks/soak.py [--model DIR] [--requests 2000]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import threading
import time
from pathlib import Path


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def thread_count() -> int:
    return len(os.listdir("/proc/self/task")) if os.path.isdir("/proc/self/task") else threading.active_count()


WORDS = "the dog cat really movie book said went home night day good bad and but with".split()


MAX_WORDS = 80  # the document stays about this long, so growth means a leak, not more text


def random_edit(rng: random.Random, text: str) -> str:
    """Insert or delete a word, or add / remove a mask, somewhere in the text."""
    words = text.split(" ")
    choice = rng.random()
    position = rng.randrange(len(words) + 1)
    if len(words) > MAX_WORDS:
        choice = 0.6  # delete
    if choice < 0.5 or len(words) < 6:
        words.insert(position, rng.choice(WORDS))
    elif choice < 0.8:
        del words[min(position, len(words) - 1)]
    elif words.count("[MASK]") < 4:
        words.insert(position, "[MASK]")
    if "[MASK]" not in words:
        words.insert(rng.randrange(len(words) + 1), "[MASK]")
    return " ".join(words)


def soak(model: str, requests: int, warmup: int = 200, seed: int = 0) -> dict:
    """Run ``requests`` predictions after ``warmup`` ones; figures in a dict."""
    from PySide6.QtCore import QEventLoop
    from PySide6.QtWidgets import QApplication

    from bertmask_gui.app import create_window

    app = QApplication.instance() or QApplication([])
    window = create_window(model=model, device="cpu")
    window.show()
    deadline = time.monotonic() + 120
    while window.worker.predictor is None and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.01)
    if window.worker.predictor is None:
        raise RuntimeError(f"model {model} did not load")
    rng = random.Random(seed)
    text = "I really [MASK] the movie. It was quite interesting."
    figures = {}
    started = time.perf_counter()
    for i in range(warmup + requests):
        if i == warmup:
            figures["rss_start_mb"], figures["threads_start"] = rss_mb(), thread_count()
            started = time.perf_counter()
        text = random_edit(rng, text)
        window.editor.setPlainText(text)
        window.predict_now()
        wanted = window.session.latest_id
        while window.session.shown is None or window.session.shown.text != window.editor.toPlainText():
            # Block until the worker's result arrives: a busy loop would starve it of the GIL.
            app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)
            if window.session.latest_id != wanted:
                break
    figures["seconds"] = time.perf_counter() - started
    figures["rss_end_mb"], figures["threads_end"] = rss_mb(), thread_count()
    figures["requests"] = requests
    figures["predictions_run"] = window.worker.predictions_run
    window.close()
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="model folder (default: a tiny BERT built here)")
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    model = args.model
    if model is None:
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
        from tiny_models import build_tiny_bert

        model = str(build_tiny_bert(Path(tempfile.mkdtemp()) / "tiny-bert"))
    f = soak(model, args.requests)
    print(f"requests           {f['requests']} in {f['seconds']:.1f} s ({f['seconds'] / f['requests'] * 1000:.1f} ms each)")
    print(f"RSS                {f['rss_start_mb']:.1f} MB -> {f['rss_end_mb']:.1f} MB ({f['rss_end_mb'] - f['rss_start_mb']:+.1f} MB)")
    print(f"threads            {f['threads_start']} -> {f['threads_end']}")
    ok = f["rss_end_mb"] - f["rss_start_mb"] < 30 and f["threads_end"] <= f["threads_start"]
    print("PASS" if ok else "FAIL", "(targets: RSS growth < 30 MB, thread count stable)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
