"""The model's home: a QObject living on a QThread, so the window never waits.

The GUI thread calls ``request_load`` / ``request_prediction`` (thread-safe, they
only store the request); the worker thread drains them. While a prediction runs,
a newer request replaces the pending one, so a burst of keystrokes costs at most
one prediction after the current one. Results carry the request id; the window
ignores any that is not its newest.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, QThread, Signal, Slot

from bertmask_gui.engine.options import default_engine
from bertmask_gui.engine.results import Mode

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoadRequest:
    model: str
    device: str = "auto"
    fast: bool = False  # int8 on the CPU, approximate scores
    engine: str = field(default_factory=default_engine)  # options.ENGINE_CHOICES


@dataclass(frozen=True)
class PredictRequest:
    request_id: int
    text: str
    top_k: int = 5
    mode: Mode = Mode.WORDS  # whole words, raw pieces, or alternatives for a selection (span)
    span: tuple[int, int] | None = None  # selection mode: the selected characters
    filters: object | None = None  # engine.options.Filters
    compare: tuple[str, ...] = ()  # selection mode: the writer's words to score beside
    constraints: str = ""  # selection mode: what the alternatives must obey (rhymes:night …)


@dataclass(frozen=True)
class ExploreRequest:
    """Background work about the text, run after any prediction: ``explain`` (what
    supports ``word`` at [start, end)), ``score`` (how expected each word there is), or
    ``check`` / ``check_document`` (the draft checker on [start, end), with ``options``)."""

    request_id: int
    kind: str  # "explain" | "score" | "check" | "check_document" | "sense"
    text: str
    start: int
    end: int
    word: str = ""
    options: object | None = None  # engine.options.CheckOptions for the checks


@dataclass(frozen=True)
class ModelInfo:
    """A loaded model, as the window shows it."""

    name: str
    folder: str
    device: str
    mask_token: str | None
    notices: tuple[str, ...] = ()
    approximate: bool = False  # int8 "fast" mode: scores are approximate

    @classmethod
    def of(cls, predictor) -> ModelInfo:
        return cls(
            name=predictor.name,
            folder=str(predictor.folder),
            device=predictor.device_name,
            mask_token=predictor.mask_token,
            notices=tuple(predictor.notices),
            approximate=bool(getattr(predictor, "approximate", False)),
        )


@dataclass(frozen=True)
class LoadFailure:
    model: str
    sentence: str
    missing: bool = False  # the model is not on this computer (as opposed to broken)


def _load_predictor(request: LoadRequest):
    # Imported here, in the worker thread: torch must not slow the window's start.
    # Its libraries first, without the GIL, and no garbage-collector pass meanwhile:
    # the window keeps turning (torch_preload).
    from bertmask_gui.torch_preload import collector_paused, preload_torch_libraries

    with collector_paused():
        preload_torch_libraries()
        from bertmask_gui.engine.predictor import Predictor

        return Predictor.load(request.model, device=request.device, fast=request.fast)


class PredictionWorker(QObject):
    """Loads the model and runs predictions, one at a time, newest first."""

    loading = Signal(str)  # model name
    loaded = Signal(object)  # ModelInfo
    load_failed = Signal(object)  # LoadFailure
    result_ready = Signal(int, object)  # request id, engine Prediction
    prediction_failed = Signal(int, str)  # request id, sentence
    explored = Signal(object, object)  # ExploreRequest, its result
    explore_failed = Signal(object, str)  # ExploreRequest, sentence
    engine_changed = Signal(str, str)  # the engine's short name, a sentence (ONNX Runtime, or why not)
    _wake = Signal()

    def __init__(self, load_predictor=_load_predictor):
        super().__init__()
        self._load_predictor = load_predictor
        self._lock = threading.Lock()
        self._pending_load: LoadRequest | None = None
        self._pending_prediction: PredictRequest | None = None
        self._pending_explore: dict[str, ExploreRequest] = {}  # newest of each kind
        self._explore_dropped = False  # the writer typed: abandon the running one
        self._scheduled = False
        self._stopping = False
        self.predictor = None
        self.predictions_run = 0
        self._draft_tried = False
        self._engine = "torch"  # the loaded model's choice (LoadRequest.engine)
        self._onnx_started = False
        self._onnx_ready: tuple | None = None  # (predictor, runners or the exception), from its thread
        self._wake.connect(self._drain)

    # --------------------------------------------------- called from any thread
    def request_load(self, request: LoadRequest) -> None:
        with self._lock:
            self._pending_load = request
        self._schedule()

    def request_prediction(self, request: PredictRequest) -> None:
        with self._lock:
            self._pending_prediction = request
        self._schedule()

    def request_explore(self, request: ExploreRequest) -> None:
        with self._lock:
            self._pending_explore[request.kind] = request
            self._explore_dropped = False
        self._schedule()

    def cancel_explore(self) -> None:
        """The writer typed: drop waiting explanations and scores, abandon the running one."""
        with self._lock:
            self._pending_explore.clear()
            self._explore_dropped = True

    def stop(self) -> None:
        """Run nothing more after the current job."""
        with self._lock:
            self._stopping = True
            self._pending_load = self._pending_prediction = None

    def _schedule(self) -> None:
        with self._lock:
            if self._scheduled or self._stopping:
                return
            self._scheduled = True
        self._wake.emit()  # queued: runs _drain in the worker thread

    # ------------------------------------------------------ worker thread only
    @Slot()
    def _drain(self) -> None:
        worked = False
        while True:
            self._switch_engine_if_ready()  # between requests: the ONNX runners built meanwhile
            with self._lock:
                load, self._pending_load = self._pending_load, None
                prediction = explore = None
                if load is None and self.predictor is not None:
                    prediction, self._pending_prediction = self._pending_prediction, None
                    if prediction is None and self._pending_explore:  # predictions first
                        explore = self._pending_explore.pop(next(iter(self._pending_explore)))
                if (load is None and prediction is None and explore is None) or self._stopping:
                    self._scheduled = False
                    break
            worked = True
            if load is not None:
                self._load(load)
            elif prediction is not None:
                self._predict(prediction)
            else:
                self._explore(explore)
        if worked:
            self._give_back_memory()

    def _give_back_memory(self) -> None:
        """Idle after requests: the heap they freed goes back to the system (on ONNX
        Runtime ~90 MB after 10 requests, bert-base; 10–40 ms, after the answers are out)."""
        give_back = getattr(self.predictor, "give_back_freed_memory", None)
        if give_back is not None:
            give_back()

    def _newer_work_waiting(self) -> bool:
        """Asked by the engine between forward passes (plain reads: no lock needed)."""
        return self._stopping or self._pending_prediction is not None or self._pending_load is not None

    def _load(self, request: LoadRequest) -> None:
        self.loading.emit(request.model)
        try:
            predictor = self._load_predictor(request)
        except Exception as exc:  # every failure becomes a sentence, never a crash
            _log_failure(exc, "Loading %s failed", request.model)
            from bertmask_gui.engine.errors import ModelNotFoundError

            sentence = _sentence(exc, "The model could not be loaded")
            self.load_failed.emit(LoadFailure(request.model, sentence, isinstance(exc, ModelNotFoundError)))
            return
        self.predictor = predictor
        self._draft_tried = self._onnx_started = False
        self._engine = request.engine
        self.loaded.emit(ModelInfo.of(predictor))

    def _predict(self, request: PredictRequest) -> None:
        from bertmask_gui.engine.errors import Superseded

        self.predictions_run += 1

        def early(preliminary) -> None:  # the one-piece words while longer ones are searched
            # with their facts, so the lexicon is read here, never on the window's thread
            self.result_ready.emit(request.request_id, _with_facts(self.predictor, request.text, preliminary, None))

        try:
            prediction = run_request(self.predictor, request, self._newer_work_waiting, early)
        except Superseded:
            log.debug("Prediction %d abandoned for a newer request", request.request_id)
            return
        except Exception as exc:
            _log_failure(exc, "Prediction %d failed", request.request_id)
            self.prediction_failed.emit(
                request.request_id, _sentence(exc, "The prediction failed")
            )
            return
        self.result_ready.emit(request.request_id, prediction)
        self._prepare_draft_once()
        self._start_onnx_once()

    def _prepare_draft_once(self) -> None:
        """After the first candidates are out, never before: the int8 draft copy that
        makes whole words ~2× faster on a CPU (Predictor.prepare_draft; ~1 s once for
        bert-base). Put off while the writer is still typing."""
        prepare = getattr(self.predictor, "prepare_draft", None)
        if self._draft_tried or prepare is None or self._newer_work_waiting():
            return
        self._draft_tried = True
        try:
            prepare()
        except Exception as exc:  # the exact search still works without it
            _log_failure(exc, "The draft model could not be made")

    def _start_onnx_once(self) -> None:
        """After the first candidates, in a thread of its own: export the model for ONNX
        Runtime (cached: seconds once per model) and open its sessions while torch keeps
        answering; the switch happens here, between requests (_switch_engine_if_ready)."""
        predictor = self.predictor
        possible = getattr(predictor, "onnx_possible", None)
        if self._onnx_started or self._engine == "torch" or possible is None or not possible():
            return
        self._onnx_started = True

        def build() -> None:
            try:
                outcome = predictor.onnx_runners()
            except Exception as exc:  # noqa: BLE001 - any failure keeps torch, with a notice
                log.warning("ONNX Runtime is not used for %s: %s", predictor.name, exc, exc_info=True)
                outcome = exc
            with self._lock:
                self._onnx_ready = (predictor, outcome)
            self._schedule()

        threading.Thread(target=build, name="bertmask-onnx-export", daemon=True).start()

    def _switch_engine_if_ready(self) -> None:
        with self._lock:
            ready, self._onnx_ready = self._onnx_ready, None
        if ready is None or ready[0] is not self.predictor:
            return
        predictor, outcome = ready
        if not isinstance(outcome, Exception):
            try:
                predictor.use_onnx(outcome)
            except Exception as exc:  # noqa: BLE001 - an old CPU, a graph that runs wrong
                log.warning("ONNX Runtime is not used for %s: %s", predictor.name, exc, exc_info=True)
                outcome = exc
        if isinstance(outcome, Exception):
            from bertmask_gui.engine.errors import first_line

            self.engine_changed.emit(
                "torch", f"ONNX Runtime could not run this model ({first_line(exc=outcome)}); BertMask keeps using torch."
            )
        else:
            self.engine_changed.emit("ONNX Runtime", "Now running on ONNX Runtime: suggestions come faster.")

    def _explore(self, request: ExploreRequest) -> None:
        from bertmask_gui.engine.errors import Superseded

        def cancelled() -> bool:
            return self._newer_work_waiting() or self._explore_dropped or request.kind in self._pending_explore

        try:
            if request.kind == "explain":
                found = self.predictor.explain(request.text, request.start, request.end, request.word, cancelled=cancelled)
            elif request.kind in ("check", "check_document"):
                found = self.predictor.check(
                    request.text, request.start, request.end, request.options, cancelled=cancelled
                )
            elif request.kind == "sense":  # ui.facts: the meaning of the current row, in context
                found = self.predictor.word_senses(request.text, request.start, request.end, [request.word],
                                                   cancelled=cancelled)[0]
            else:
                found = self.predictor.score_words(request.text, request.start, request.end, cancelled=cancelled)
        except Superseded:
            log.debug("%s %d abandoned", request.kind, request.request_id)
            return
        except Exception as exc:
            _log_failure(exc, "%s %d failed", request.kind, request.request_id)
            self.explore_failed.emit(request, _sentence(exc, f"The {request.kind} request failed"))
            return
        self.explored.emit(request, found)


def _log_failure(exc: Exception, message: str, *args) -> None:
    """Expected failures (a missing model…) in one line; surprises with a traceback."""
    from bertmask_gui.engine.errors import BertMaskError

    if isinstance(exc, BertMaskError):
        log.info(message + ": %s", *args, exc)
    else:
        log.error(message, *args, exc_info=True)


def run_request(predictor, request: PredictRequest, cancelled, early=None):
    """One PredictRequest against ``predictor`` (selection or masks). ``early(prediction)``
    gets a preliminary answer (the one-piece words) while longer words are searched."""
    if request.span is not None:
        start, end = request.span
        prediction = predictor.predict_span(
            request.text, start, end, top_k=request.top_k, filters=request.filters, cancelled=cancelled, early=early,
            **({"compare": request.compare} if request.compare else {}),
            **({"constraints": request.constraints} if request.constraints else {}),
        )
    else:
        prediction = predictor.predict(
            request.text, top_k=request.top_k, mode=request.mode, filters=request.filters, cancelled=cancelled, early=early
        )
    return _with_facts(predictor, request.text, prediction, cancelled)


def _with_facts(predictor, text: str, prediction, cancelled):
    """Each candidate's meaning and syllables (rankings.facts), read from the lexicon
    here, off the window's thread. WordNet's first sense: choosing the sense in context
    costs a pass of ~30 rows per word (benchmarks/quality_facts.py), more than the list
    itself, for +6-8 points; ``--predict`` does choose it. A predictor without facts (a
    test double) answers as it is."""
    with_facts = getattr(predictor, "with_facts", None)
    return with_facts(text, prediction, in_context=False, cancelled=cancelled) if with_facts is not None else prediction


def _sentence(exc: Exception, fallback: str) -> str:
    from bertmask_gui.engine.errors import BertMaskError, first_line

    if isinstance(exc, BertMaskError):
        return str(exc)
    return f"{fallback} ({first_line(exc)}). Details are in the log file."


class WorkerThread:
    """Owns the QThread and the worker; shuts both down cleanly."""

    def __init__(self, worker: PredictionWorker | None = None):
        self.worker = worker or PredictionWorker()
        self.thread = QThread()
        self.thread.setObjectName("bertmask-model")
        self.worker.moveToThread(self.thread)
        self.thread.finished.connect(self.worker.deleteLater)

    def start(self) -> None:
        if not self.thread.isRunning():
            self.thread.start()

    def shutdown(self, timeout_ms: int = 15000) -> bool:
        """Stop after the current job and wait for the thread; True if it ended."""
        self.worker.stop()
        self.thread.quit()
        if self.thread.wait(timeout_ms):
            return True
        # Only reached if a load hangs; exiting with a running QThread would abort.
        log.error("The model thread did not stop within %d ms; terminating it", timeout_ms)
        self.thread.terminate()
        self.thread.wait(2000)
        return False
