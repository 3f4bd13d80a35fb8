"""Measurements that need a fresh process; each prints one JSON line on stdout.

    python benchmarks/probe.py components MODEL_FOLDER   # import, load, first forward
    python benchmarks/probe.py memory MODEL_FOLDER exact|fast|pipeline
    python benchmarks/probe.py gui MODEL_FOLDER [--fast]  # GUI stalls and typing burst

Times are absolute (time.time()) where the parent compares them with its launch time.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def rss_mb() -> float:
    """Resident set size of this process, MB (Linux /proc; else ru_maxrss)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def components(folder: str) -> dict:
    """The floor for 'first candidates': import + load + one prediction, nothing else."""
    out = {}
    from bertmask_gui.engine.predictor import Predictor  # torch
    import transformers  # noqa: F401

    out["imported"] = time.time()
    predictor = Predictor.load(folder, device="cpu")
    out["loaded"] = time.time()
    from texts import SEED

    predictor.predict(SEED)
    out["predicted"] = time.time()
    return out


def memory(folder: str, mode: str) -> dict:
    from texts import SEED, paragraph

    out = {"before": rss_mb()}
    if mode == "pipeline":
        from transformers import pipeline

        pipe = pipeline("fill-mask", model=folder, device="cpu")
        tokenizer = pipe.tokenizer
        run = lambda text: pipe(text, top_k=5)  # noqa: E731
    else:
        from bertmask_gui.engine.predictor import Predictor

        predictor = Predictor.load(folder, device="cpu", fast=(mode == "fast"))
        tokenizer = predictor.tokenizer
        predict = getattr(predictor, "predict_pieces", None) or predictor.predict  # the pipeline's work
        if mode in ("app default", "app onnx"):  # whole words and fill-all, with the int8 draft the app makes
            predictor.prepare_draft()
            predict = predictor.predict
        if mode == "app onnx":  # then the switch to ONNX Runtime (from the export's cache)
            predictor.prepare_onnx(export_anew=False)
        run = lambda text: predict(text, top_k=5)  # noqa: E731
    out["after_load"] = rss_mb()
    texts = [SEED, paragraph(tokenizer, 450), SEED, SEED, paragraph(tokenizer, 450, masks=3)]
    for i in range(100):
        run(texts[i % len(texts)])
    out["after_100"] = rss_mb()
    out["peak"] = peak_rss_mb()
    return out


def gui(folder: str, fast: bool) -> dict:
    """Longest GUI-thread gaps of a 10 ms timer while loading and predicting; a typing burst."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import tempfile

    for xdg in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        os.environ[xdg] = tempfile.mkdtemp(prefix="bertmask-bench-")
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from bertmask_gui.app import create_window
    from texts import SEED

    app = QApplication.instance() or QApplication(sys.argv[:1])
    ticks: list[float] = []
    ticker = QTimer()
    ticker.setInterval(10)
    ticker.timeout.connect(lambda: ticks.append(time.perf_counter()))

    def wait_for(condition, timeout_s=300.0):
        deadline = time.perf_counter() + timeout_s
        while not condition():
            if time.perf_counter() > deadline:
                raise TimeoutError("the app did not answer in time")
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)
            time.sleep(0.001)  # a real event loop sleeps too; do not spin against the worker

    def longest_gap(since: float, until: float) -> float:
        inside = [t for t in ticks if since <= t <= until]
        points = [since] + inside + [until]
        return max(b - a for a, b in zip(points, points[1:])) * 1000

    window = create_window(model=folder, device="cpu", fast=fast)
    window.editor.setPlainText(SEED)
    loaded, results = [], []
    window.worker.loaded.connect(lambda info: loaded.append(time.perf_counter()))
    # (request id, when, final?): a whole-word request may first send its early list
    window.worker.result_ready.connect(
        lambda rid, p: results.append((rid, time.perf_counter(), not getattr(p, "preliminary", False))))
    finals = lambda: [r for r in results if r[2]]  # noqa: E731
    ticker.start()
    t_idle = time.perf_counter()  # the noise floor: the same timer with nothing to do
    wait_for(lambda: time.perf_counter() >= t_idle + 2.0)
    idle_gap = longest_gap(t_idle, time.perf_counter())
    t_show = time.perf_counter()
    window.show()
    # The writer types while the model loads: a key every 40 ms at the end of the text.
    window.editor.moveCursor(window.editor.textCursor().MoveOperation.End)
    typer = QTimer()
    typer.setInterval(40)
    typer.timeout.connect(lambda: QTest.keyClicks(window.editor, "a"))
    typer.start()
    wait_for(lambda: loaded)
    typer.stop()
    load_gap = longest_gap(t_show, loaded[0])
    wait_for(lambda: finals())  # the prediction the window asks for once loaded

    # Predictions: 20 in a row, each requested when the previous one is on screen.
    t_pred = time.perf_counter()
    for i in range(20):
        window.editor.setPlainText(SEED.replace("movie", ["movie", "film", "book", "play"][i % 4]) + " " * i)
        window.predict_now()
        want = window.session.latest_id
        wait_for(lambda: finals()[-1][0] == want)
    predict_gap = longest_gap(t_pred, time.perf_counter())

    # Typing burst: 30 keystrokes 40 ms apart at the end of the text.
    window.editor.setPlainText("I really [MASK] the movie. It was quite ")
    window.predict_now()
    want = window.session.latest_id
    wait_for(lambda: finals()[-1][0] == want)
    window.editor.moveCursor(window.editor.textCursor().MoveOperation.End)
    window.editor.setFocus()
    typed = "interesting, and fun to watch."  # 30 characters
    assert len(typed) == 30
    before = window.worker.predictions_run
    t0 = time.perf_counter()
    for i, ch in enumerate(typed):
        wait_for(lambda: time.perf_counter() >= t0 + i * 0.040)
        QTest.keyClicks(window.editor, ch)
    t_last = time.perf_counter()
    final_text = window.editor.toPlainText()
    wait_for(lambda: finals() and window.editor.toPlainText() == final_text
             and finals()[-1][0] == window.session.latest_id and finals()[-1][1] > t_last)
    t_done = finals()[-1][1]
    t_first = next(r[1] for r in results if r[0] == window.session.latest_id)  # its early list, if any
    burst_runs = window.worker.predictions_run - before
    burst_gap = longest_gap(t0, t_done)
    # one prediction of the final text, for the target "one prediction + debounce"
    from bertmask_gui.ui.settings import DEFAULT_DELAY_MS

    one = window.worker.predictor.predict(final_text).seconds
    ticker.stop()
    window.editor.document().setModified(False)  # what the probe typed: no "save changes?" box
    window.close()
    return {
        "idle_gap_ms": idle_gap,
        "load_gap_ms": load_gap,
        "load_s": loaded[0] - t_show,
        "predict_gap_ms": predict_gap,
        "burst_predictions": burst_runs,
        "burst_typed_s": t_last - t0,
        "burst_latency_ms": (t_done - t_last) * 1000,
        "burst_first_list_ms": (t_first - t_last) * 1000,
        "burst_gap_ms": burst_gap,
        "one_prediction_ms": one * 1000,
        "debounce_ms": DEFAULT_DELAY_MS,
    }


def main(argv: list[str]) -> int:
    what, folder = argv[0], argv[1]
    if what == "components":
        result = components(folder)
    elif what == "memory":
        result = memory(folder, argv[2])
    elif what == "gui":
        result = gui(folder, "--fast" in argv)
    else:
        raise SystemExit(f"unknown probe {what!r}")
    print("BENCH-JSON " + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
