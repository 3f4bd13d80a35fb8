"""The Predictor: load a fill-mask model once, then turn texts into ranked candidates.

The facade the GUI worker, the command line, the benchmarks and the tests call. The
layers below it (docs/ARCHITECTURE.md): loading → vocabulary + encoder → runner (the
only code that calls the model) → rankings.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from pathlib import Path

import torch

from bertmask_gui.engine import fast, loading, onnx_export
from bertmask_gui.engine.encoder import Encoder
from bertmask_gui.engine.models import DEFAULT_MODEL
from bertmask_gui.engine.constraints import parse as parse_constraints
from bertmask_gui.engine.options import DEFAULT_TOP_K, CheckOptions, Filters, Tuning
from bertmask_gui.engine.textops import trim_span
from bertmask_gui.engine.masks import find_masks
from bertmask_gui.engine.rankings.at_masks import predict_words
from bertmask_gui.engine.rankings.check import checked
from bertmask_gui.engine.rankings.choices import checked_words, choice_words, with_choices
from bertmask_gui.engine.rankings.constrained import constraint_masks, with_constraints
from bertmask_gui.engine.rankings.explain import influences
from bertmask_gui.engine.rankings.facts import with_facts
from bertmask_gui.engine.rankings.job import Job
from bertmask_gui.engine.rankings.pieces import predict_pieces
from bertmask_gui.engine.rankings.selection import predict_span
from bertmask_gui.engine.rankings.senses import choose_senses
from bertmask_gui.engine.rankings.surprise import word_scores
from bertmask_gui.engine.results import CheckResult, Influence, Mode, Prediction, WordScore
from bertmask_gui.engine.ort_runner import OrtRunner, TorchFallback
from bertmask_gui.engine.runner import Runner
from bertmask_gui.engine.vocabulary import Vocabulary

log = logging.getLogger(__name__)


class Predictor:
    """A loaded model + tokenizer on a device, ready to predict.

    ``runner`` is the model seam: tests and benchmarks may replace or wrap it (a
    scripted runner, a counting one) through this public attribute. ``tuning`` holds
    the rankings' measured knobs (options.Tuning); benchmarks set other values there.
    """

    def __init__(self, loaded: loading.Loaded, runner: Runner | None = None):
        self.name: str = loaded.name
        self.folder: Path = loaded.folder
        self.tokenizer = loaded.tokenizer
        self.approximate = loaded.approximate  # fast mode: probabilities differ slightly
        self.max_tokens = loaded.max_tokens
        self._load_notices = list(loaded.notices)
        size = int(getattr(loaded.model.config, "vocab_size", len(loaded.tokenizer)))
        self.vocabulary = Vocabulary(loaded.tokenizer, size)
        self.encoder = Encoder(loaded.tokenizer, self.vocabulary, loaded.max_tokens)
        self.runner = runner or Runner(loaded.model, loaded.device, self.vocabulary.pad_id, loaded.name)
        self.tuning = Tuning()
        self.draft_runner: Runner | None = None  # prepare_draft()
        self.engine = "torch"  # or "onnx" once ONNX Runtime serves (use_onnx)
        self.mask_token: str = self.vocabulary.mask_token
        self.mask_token_id: int = self.vocabulary.mask_id

    @classmethod
    def load(cls, model: str = DEFAULT_MODEL, device: str = "auto", fast: bool = False) -> "Predictor":
        """Load ``model`` (a folder or a Hub id in the local cache) on ``device``.

        ``fast``: int8 linear layers on the CPU (engine.fast), about 2-3× faster and
        approximate; the predictor is then marked ``approximate``.

        Raises a BertMaskError subclass whose message is a sentence for the user.
        """
        return cls(loading.load(model, device, fast))

    @property
    def model(self):
        return self.runner.model

    @property
    def device_name(self) -> str:
        return self.runner.device.type

    @property
    def notices(self) -> list[str]:
        """Sentences for the user: how loading went, then anything since (a CPU fallback)."""
        return self._load_notices + list(getattr(self.runner, "notices", ()))

    @property
    def forward_passes(self) -> int:
        """Batched model forward passes so far (cost accounting)."""
        return self.job().forward_passes

    def predict(
        self, text: str, top_k: int = DEFAULT_TOP_K, mode: str = "words", filters=None, *, cancelled=None, early=None
    ) -> Prediction:
        """Ranked candidates for every mask in ``text``; no mask gives no results.

        ``mode="words"`` (default): whole words of 1-3 pieces ranked by PLL-word-l2r, with
        ``filters`` (engine.options.Filters) and fill-all rows (rankings.at_masks).
        ``mode="pieces"``: the model's raw single-token ranking, exactly as
        ``transformers.pipeline("fill-mask")`` gives it. ``[MASK:a|b]``: exactly the
        writer's words, each scored in place (rankings.choices), in both modes.
        ``cancelled``: asked before every forward pass; True abandons the request
        (raises errors.Superseded), so nobody waits for an answer nobody will see.
        ``early(prediction)``: whole words only; called with the one-piece words (exact,
        ``Prediction.preliminary``) when longer words still need passes, so they can be
        shown meanwhile.
        """
        if mode == Mode.PIECES:
            spans = find_masks(text, self.mask_token)
            choice_words(spans), constraint_masks(spans)  # bad [MASK:…] before any model work
            pieces = predict_pieces(self.job(cancelled), text, top_k)
            return with_constraints(self.job(cancelled), text, with_choices(self.job(cancelled), text, pieces), top_k)
        return predict_words(self.job(cancelled), text, top_k, filters, early)

    def predict_span(
        self, text: str, start: int, end: int, top_k: int = DEFAULT_TOP_K, filters=None, *, cancelled=None, compare=(),
        early=None, constraints: str = "",
    ) -> Prediction:
        """Whole-word alternatives for text[start:end] (a selected word), text unchanged.
        ``compare``: the writer's words, scored beside them (``Candidate.compared``);
        ``early``: as in ``predict``; ``constraints`` (``rhymes:night max:6``): the
        alternatives obey them, ranked as a ``[MASK rhymes:night]`` there would be."""
        wanted = parse_constraints(constraints)
        if wanted:
            return self._constrained_span(text, start, end, top_k, filters, cancelled, wanted)
        words = checked_words(tuple(compare)) if compare else ()
        return predict_span(self.job(cancelled), text, start, end, top_k, filters, words, early)

    def _constrained_span(self, text, start, end, top_k, filters, cancelled, wanted) -> Prediction:
        start, end = trim_span(text, start, end)
        masked = f"{text[:start]}[MASK {wanted.text()}]{text[end:]}"
        filters = replace(filters or Filters(top_k=top_k), fill_all=False)
        found = predict_words(self.job(cancelled), masked, top_k, filters)
        mask = next(m for m in found.masks if m.start == start)
        return replace(found, masks=(replace(mask, end=end, original=text[start:end]),), mode=Mode.SPAN, fills=())

    def explain(self, text: str, start: int, end: int, word: str, *, cancelled=None) -> tuple[Influence, ...]:
        """The context words that support ``word`` in place of text[start:end], strongest
        first (occlusion, rankings.explain)."""
        return influences(self.job(cancelled), text, start, end, word)

    def word_senses(self, text: str, start: int, end: int, words, *, cancelled=None):
        """For each word put at text[start:end]: (its WordNet senses, the index of the one
        that fits the context best, or None for a word WordNet lacks); rankings.senses."""
        return choose_senses(self.job(cancelled), text, start, end, list(words))

    def with_facts(self, text: str, prediction: Prediction, in_context: bool = True, *, cancelled=None) -> Prediction:
        """``prediction`` with each candidate's ``definition`` (the WordNet sense that fits
        here, or the first sense without ``in_context``) and ``syllables`` (rankings.facts)."""
        return with_facts(self.job(cancelled), text, prediction, in_context)

    def score_words(self, text: str, start: int = 0, end: int | None = None, *, cancelled=None) -> tuple[WordScore, ...]:
        """How expected each word of text[start:end] is in its place, in text order
        (PLL-word-l2r, natural log; rankings.surprise)."""
        return word_scores(self.job(cancelled), text, start, end)

    def check(
        self, text: str, start: int = 0, end: int | None = None, options: CheckOptions | None = None, *, cancelled=None
    ) -> CheckResult:
        """The draft checker on text[start:end]: misspellings, confused words (and, with
        ``options.unusual``, the least expected words), each with its fixes best first
        (rankings.check). Offsets are in ``text``."""
        started = time.perf_counter()
        result = checked(self.job(cancelled), text, start, end, options or CheckOptions())
        return replace(result, seconds=time.perf_counter() - started)

    def predict_pieces(self, text: str, top_k: int = DEFAULT_TOP_K) -> Prediction:
        """The raw single-token ranking at every mask (equal to the fill-mask pipeline)."""
        return predict_pieces(self.job(None), text, top_k)

    def usable_text(self, token_id: int) -> str | None:
        """The token as a writer reads it, or None if a writer cannot use it."""
        return self.vocabulary.usable_text(token_id)

    def prepare_draft(self) -> bool:
        """Build the int8 draft copy the whole-word search runs on (rankings.words):
        exact fp32 models on the CPU only (on a GPU every pass is already cheap; fast
        mode is int8 itself). ~1.3 s and ~110 MB for bert-base, so the app calls it
        once the first candidates are shown. Returns whether a draft is in use."""
        if self.draft_runner is None and self.engine == "torch" and self.device_name == "cpu" and not self.approximate:
            try:
                model = fast.quantized_copy(self.model)
            except (RuntimeError, ImportError, AttributeError) as exc:  # no quantized engine here
                log.warning("No int8 draft model (%s); whole words search on the exact model", exc)
                return False
            self.draft_runner = Runner(model, self.runner.device, self.vocabulary.pad_id, f"{self.name} (int8 draft)")
        return self.draft_runner is not None

    def onnx_possible(self) -> bool:
        """Whether ONNX Runtime may serve this model: on the CPU, with onnxruntime installed."""
        import importlib.util

        return self.engine == "torch" and self.device_name == "cpu" and importlib.util.find_spec("onnxruntime") is not None

    def onnx_runners(self, export_anew: bool = True) -> tuple[OrtRunner | None, OrtRunner] | None:
        """ONNX Runtime runners for this model: (exact fp32, int8; no fp32 in fast mode), from the cached export
        (made now if missing and ``export_anew``: ~9 s for bert-base, on a model copy of
        its own); None when there is no export and none was to be made. Safe to call
        from another thread while this predictor serves. Raises onnx_export.ExportError
        or whatever ONNX Runtime raises for a graph it cannot run.

        Both sessions and the runners share one copy of the input embeddings (the LM
        head's weight too). Should ONNX Runtime fail later, the exact runner loads the
        torch model again (``torch_again``) and the int8 one drafts on the exact one."""
        folder = onnx_export.cached(self.folder)
        if folder is None:
            if not export_anew:
                return None
            folder = onnx_export.export(self.folder)
        with_torch = self.runner.input_embeddings(range(self.vocabulary.size))  # a copy: the torch model may go
        shared, pad_id = onnx_export.embeddings_name(folder), self.vocabulary.pad_id
        exact = None
        if not self.approximate:
            exact = OrtRunner(folder / onnx_export.FP32_FILE, with_torch, pad_id, f"{self.name} (ONNX Runtime)",
                              shared_name=shared, fallback=TorchFallback(self.torch_again))
        int8 = OrtRunner(folder / onnx_export.INT8_FILE, with_torch, pad_id, f"{self.name} (ONNX Runtime int8)",
                         shared_name=shared, fallback=TorchFallback(lambda: exact or self.torch_again()))
        return exact, int8

    def torch_again(self) -> Runner:
        """The torch runner, the model loaded again from its folder (fast mode's int8
        too): what answers should ONNX Runtime fail after the torch model was let go."""
        model = loading.load_model(self.folder, torch.float32)
        if self.approximate:
            model = fast.quantize_linear_layers(model)
        return Runner(model, torch.device("cpu"), self.vocabulary.pad_id, self.name)

    def use_onnx(self, runners: tuple[OrtRunner, OrtRunner]) -> None:
        """Serve with ONNX Runtime from now on (on this predictor's thread, between
        requests): the exact runner (int8 in fast mode) and the int8 draft. Checked
        first against the torch runner on one sentence (an old CPU or a wrong graph
        raises onnx_export.ExportError, and torch stays). The torch model and its int8
        draft are then let go (``release_torch``): only the input embeddings (kept by
        the runners) are still needed; the fallback loads it again if ever needed."""
        exact, draft = runners
        if self.approximate:  # fast mode: the int8 graph answers, no draft
            exact, draft = draft, None
        self._check_against_torch(exact)
        exact.forward_passes = self.runner.forward_passes
        if draft is not None and self.draft_runner is not None:
            draft.forward_passes = self.draft_runner.forward_passes
        self.close()
        self.runner, self.draft_runner, self.engine = exact, draft, "onnx"
        release_torch()
        log.info("%s now runs on ONNX Runtime", self.name)

    def prepare_onnx(self, export_anew: bool = True) -> bool:
        """``onnx_runners`` then ``use_onnx``, on this thread (the command line, tests,
        benchmarks). Returns whether ONNX Runtime now serves."""
        if not self.onnx_possible():
            return self.engine == "onnx"
        runners = self.onnx_runners(export_anew)
        if runners is not None:
            self.use_onnx(runners)
        return self.engine == "onnx"

    def give_back_freed_memory(self) -> None:
        """Return the heap freed by the requests so far to the system (the window's worker
        calls it when idle): glibc keeps it otherwise, ~90 MB after 10 whole-word and
        fill-all requests on ONNX Runtime (bert-base, benchmarks/bench_ort_memory.py)."""
        fast.return_freed_heap()

    def _check_against_torch(self, runner: OrtRunner) -> None:
        from bertmask_gui.engine.encoder import Row

        ids = self.tokenizer(f"The {self.mask_token} was good.")["input_ids"]
        row = [Row(ids, {0: ids.index(self.mask_token_id)})]
        got, expected = runner.log_probs(row), self.runner.log_probs(row)
        self.runner.forward_passes -= 1  # a check, not a request's pass
        runner.forward_passes -= 1
        tolerance = 0.5 if self.approximate else 1e-3  # fp32 graphs agree to ~1e-5
        difference = float((got - expected).abs().max())
        if not difference <= tolerance:
            raise onnx_export.ExportError(f"ONNX Runtime's answer differs from torch's by {difference:.2g}")

    def close(self) -> None:
        """Take the runners' speed-ups off the models (the model itself stays usable)."""
        self.runner.close()
        if self.draft_runner is not None:
            self.draft_runner.close()

    def job(self, cancelled=None) -> Job:
        """What a ranking works with (rankings/): encoder, runner, vocabulary, ``cancelled``."""
        return Job(self.encoder, self.runner, self.vocabulary, cancelled, self.tuning, self.draft_runner)


def release_torch() -> None:
    """Give the memory of models no longer referenced back to the system: collect them
    now (the torch model and its hooks form reference cycles, so they would wait for
    the next collection), drop the pages of their memory-mapped weights file, and
    return the freed heap (glibc keeps it otherwise). bert-base: −600 MB measured
    (benchmarks/bench_ort_memory.py)."""
    import gc

    gc.collect()
    fast.release_weight_file_pages()
    fast.return_freed_heap()
