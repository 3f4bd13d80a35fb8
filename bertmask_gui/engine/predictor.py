"""The Predictor: load a fill-mask model once, then turn texts into ranked candidates.

This is the one piece of code that runs the model; the GUI worker, the command line,
the benchmarks and the tests all call it.
"""

from __future__ import annotations

import logging
import re
import time
import unicodedata
from dataclasses import dataclass, field
from typing import Callable
from pathlib import Path

import torch

from bertmask_gui.engine import lastlayer
from bertmask_gui.engine.device import configure_threads, dtype_for, resolve_device
from bertmask_gui.engine.errors import ModelInvalidError, PredictionError, Superseded, first_line
from bertmask_gui.engine.masks import Span, Window, find_masks, plan_windows
from bertmask_gui.engine.models import DEFAULT_MODEL, resolve_model, validate_model_folder
from bertmask_gui.engine.options import DEFAULT_TOP_K, MAX_MASKS, capped_masks_note
from bertmask_gui.engine.results import Candidate, MaskResult, Prediction

log = logging.getLogger(__name__)

WINDOW_TOKENS = 256  # context fed around a mask when the text exceeds the model's limit
_CHARS_PER_TOKEN = 4  # rough, for cutting text before tokenizing it
MAX_TOKENS_PER_FORWARD = 8192  # rows × length per forward pass: bounds memory on long texts
_PLACEHOLDER = re.compile(r"^[\[<]unused\d+[\]>]$")
_UNPRINTABLE = {"Cc", "Cf", "Cs", "Co", "Cn"}


@dataclass
class _Row:
    """One model input and, for each mask it answers for, the token position."""

    input_ids: list[int]
    positions: dict[int, int] = field(default_factory=dict)  # mask index -> token index


class Predictor:
    """A loaded model + tokenizer on a device, ready to predict."""

    approximate = False  # True in fast mode: probabilities differ slightly from the model's

    def __init__(self, name: str, folder: Path, tokenizer, model, device: torch.device, notices=()):
        self.name = name
        self.folder = folder
        self.tokenizer = tokenizer
        self.model = model
        self.device = device
        self.notices: list[str] = list(notices)
        self.mask_token: str = tokenizer.mask_token
        self.mask_token_id: int = tokenizer.mask_token_id
        self.max_tokens = _model_token_limit(tokenizer, model)
        self._special_ids = set(tokenizer.all_special_ids)
        self._special_affixes = _special_affixes(tokenizer)
        self._usable: dict[int, str | None] = {}
        self._rows = None  # which hidden states the LM head sees; set per forward
        self.forward_passes = 0  # batched model forward passes so far (cost accounting)
        # Asked before every forward pass; True abandons the request (raises Superseded),
        # so a slow ranking never makes the writer wait for an answer nobody will see.
        self.interrupt: Callable[[], bool] | None = None
        self._rows_only = False  # the last layer already returned just those rows
        model.base_model.register_forward_hook(self._keep_mask_rows_only)
        lastlayer.install(model, lambda: self._rows, self._mark_rows_only)

    # ----------------------------------------------------------------- loading
    @classmethod
    def load(cls, model: str = DEFAULT_MODEL, device: str = "auto", fast: bool = False) -> "Predictor":
        """Load ``model`` (a folder or a Hub id in the local cache) on ``device``.

        ``fast``: int8 linear layers on the CPU (engine.fast), about 2-3× faster and
        approximate; the predictor is then marked ``approximate``.

        Raises a BertMaskError subclass whose message is a sentence for the user.
        """
        folder = resolve_model(model)
        validate_model_folder(folder)
        torch_device, notice = resolve_device(device)
        configure_threads(torch_device)
        tokenizer = _load_tokenizer(folder)
        net = _load_model(folder, dtype_for(torch_device))
        if len(tokenizer) > net.config.vocab_size:
            raise ModelInvalidError(
                f"The model in “{folder}” does not match its tokenizer: the tokenizer has "
                f"{len(tokenizer)} tokens but the model only {net.config.vocab_size}. The folder "
                "mixes files from different models; copy the model again."
            )
        net, torch_device, placement_notice = _place(net, torch_device)
        approximate, fast_notice = False, None
        if fast:
            from bertmask_gui.engine.fast import make_fast

            net, approximate, fast_notice = make_fast(net, torch_device)
        notices = [n for n in (notice, placement_notice, fast_notice) if n]
        log.info("Loaded %s from %s on %s%s", model, folder, torch_device, " (fast)" if approximate else "")
        predictor = cls(str(model), folder, tokenizer, net, torch_device, notices)
        predictor.approximate = approximate
        if approximate:  # fast mode also reads a shorter context around the masks
            from bertmask_gui.engine.fast import FAST_CONTEXT_TOKENS

            predictor.max_tokens = min(predictor.max_tokens, FAST_CONTEXT_TOKENS)
        return predictor

    @property
    def device_name(self) -> str:
        return self.device.type

    # -------------------------------------------------------------- predicting
    def predict(
        self, text: str, top_k: int = DEFAULT_TOP_K, mode: str = "words", filters=None, *, cancelled=None
    ) -> Prediction:
        """Ranked candidates for every mask in ``text``; no mask gives no results.

        ``mode="words"`` (default): whole words of 1-3 pieces ranked by PLL-word-l2r, with
        ``filters`` (engine.filters.Filters) and fill-all rows (engine.ranking).
        ``mode="pieces"``: the model's raw single-token ranking, exactly as
        ``transformers.pipeline("fill-mask")`` gives it.
        ``cancelled``: asked before every forward pass; True abandons the request
        (raises errors.Superseded), so nobody waits for an answer nobody will see.
        """
        self.interrupt = cancelled
        if mode != "pieces":
            from bertmask_gui.engine.ranking import predict_words

            return predict_words(self, text, top_k, filters)
        return self.predict_pieces(text, top_k)

    def predict_span(
        self, text: str, start: int, end: int, top_k: int = DEFAULT_TOP_K, filters=None, *, cancelled=None
    ) -> Prediction:
        """Whole-word alternatives for text[start:end] (a selected word), text unchanged."""
        self.interrupt = cancelled
        from bertmask_gui.engine.ranking import predict_span

        return predict_span(self, text, start, end, top_k, filters)

    def predict_pieces(self, text: str, top_k: int = DEFAULT_TOP_K) -> Prediction:
        """The raw single-token ranking at every mask (equal to the fill-mask pipeline)."""
        started = time.perf_counter()
        passes = self.forward_passes
        spans = find_masks(text, self.mask_token)
        if not spans:
            return Prediction((), time.perf_counter() - started)
        wanted = min(len(spans), MAX_MASKS)
        note = capped_masks_note(len(spans))
        rows = self._encode(text, spans, wanted)
        probs = self._mask_probabilities(rows)
        order = [mask for row in rows for mask in row.positions]
        by_mask = dict(zip(order, probs))
        results = tuple(
            MaskResult(span.start, span.end, tuple(self._top_candidates(by_mask[i], top_k)))
            for i, span in enumerate(spans[:wanted])
        )
        return Prediction(
            results, time.perf_counter() - started, note, forward_passes=self.forward_passes - passes
        )

    def _encode(self, text: str, spans: list[Span], wanted: int) -> list[_Row]:
        """Model inputs covering the first ``wanted`` masks: the whole text if it fits,
        else windows. Masks beyond ``wanted`` stay masks but get no answer."""
        model_text, model_spans = self._to_model_text(text, spans)
        if len(model_text) <= self.max_tokens * 20:
            ids = self.tokenizer(model_text)["input_ids"]
            if len(ids) <= self.max_tokens:
                return [self._row(ids, range(len(spans)))]
        budget = min(WINDOW_TOKENS, self.max_tokens)
        windows = plan_windows(model_text, model_spans[:wanted], budget * _CHARS_PER_TOKEN)
        rows: list[_Row] = []
        for window in windows:
            rows.extend(self._encode_window(model_text, model_spans, window, budget))
        return rows

    def _to_model_text(self, text: str, spans: list[Span]) -> tuple[str, list[Span]]:
        """Replace each mask with the model's own mask token; spans in the new text."""
        parts, model_spans, last, shift = [], [], 0, 0
        for span in spans:
            parts += [text[last : span.start], self.mask_token]
            start = span.start + shift
            model_spans.append(Span(start, start + len(self.mask_token)))
            shift += len(self.mask_token) - (span.end - span.start)
            last = span.end
        parts.append(text[last:])
        return "".join(parts), model_spans

    def _row(self, ids: list[int], masks) -> _Row:
        positions = [i for i, token in enumerate(ids) if token == self.mask_token_id]
        masks = list(masks)
        if len(positions) != len(masks):
            raise PredictionError("The text could not be split into tokens around its masks.")
        return _Row(ids, dict(zip(masks, positions)))

    def _encode_window(self, text: str, spans: list[Span], window: Window, budget: int) -> list[_Row]:
        """Tokenize one window, trimmed to ``budget`` tokens around its masks.

        Masks that cannot share the budget are split into windows of their own.
        """
        inside = [i for i, s in enumerate(spans) if window.start <= s.start and s.end <= window.end]
        ids = self.tokenizer(text[window.start : window.end], add_special_tokens=False)["input_ids"]
        positions = [i for i, token in enumerate(ids) if token == self.mask_token_id]
        if len(positions) != len(inside):
            raise PredictionError("The text could not be split into tokens around its masks.")
        located = dict(zip(inside, positions))
        wanted = [located[m] for m in window.masks]
        room = budget - sum(map(len, self._special_affixes))
        if wanted[-1] - wanted[0] + 1 > room:
            if len(window.masks) == 1:
                raise PredictionError("The text around this mask is too long for the model.")
            return [
                row
                for m in window.masks
                for row in self._encode_window(text, spans, Window(window.start, window.end, (m,)), budget)
            ]
        slack = room - (wanted[-1] - wanted[0] + 1)
        start = max(0, min(wanted[0] - slack // 2, len(ids) - room))
        piece = ids[start : start + room]
        prefix, suffix = self._special_affixes
        row = _Row(prefix + piece + suffix)
        for mask in window.masks:
            row.positions[mask] = located[mask] - start + len(prefix)
        return [row]

    def _mask_probabilities(self, rows: list[_Row]) -> torch.Tensor:
        """Softmax over the vocabulary at each mask, in row order (float32)."""
        budget = max(1, MAX_TOKENS_PER_FORWARD // max(len(r.input_ids) for r in rows))
        if len(rows) > budget:
            return torch.cat(
                [self._mask_probabilities(rows[i : i + budget]) for i in range(0, len(rows), budget)]
            )
        if self.interrupt is not None and self.interrupt():
            raise Superseded()
        self.forward_passes += 1
        length = max(len(r.input_ids) for r in rows)
        pad = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else 0
        input_ids = torch.full((len(rows), length), pad, dtype=torch.long)
        attention = torch.zeros((len(rows), length), dtype=torch.long)
        batch_index, token_index = [], []
        for r, row in enumerate(rows):
            input_ids[r, : len(row.input_ids)] = torch.tensor(row.input_ids)
            attention[r, : len(row.input_ids)] = 1
            for position in row.positions.values():
                batch_index.append(r)
                token_index.append(position)
        try:
            logits = self._head_logits(input_ids, attention, batch_index, token_index)
        except RuntimeError as exc:
            if self.device.type == "cpu":
                raise
            self._fall_back_to_cpu(exc)
            logits = self._head_logits(input_ids, attention, batch_index, token_index)
        return logits.float().softmax(dim=-1).cpu()

    def _head_logits(self, input_ids, attention, batch_index, token_index) -> torch.Tensor:
        """Run the encoder on every token but the LM head only at the mask rows."""
        device = self.device
        rows = (torch.tensor(batch_index, device=device), torch.tensor(token_index, device=device))
        self._rows, self._rows_only = rows, False
        try:
            with torch.inference_mode():
                out = self.model(input_ids=input_ids.to(device), attention_mask=attention.to(device))
        finally:
            self._rows = None
        logits = out.logits
        if logits.dim() == 3 and logits.shape[0] == 1 and logits.shape[1] == len(batch_index):
            return logits[0]
        raise PredictionError(f"The model {self.name} returned an unexpected output shape.")

    def _keep_mask_rows_only(self, module, args, output):
        """Forward hook on the encoder: hand the LM head only the rows at masks.

        BERT's head is a hidden×vocab matmul per token (768×30522); computing it for
        every token and throwing all but the masks away is most of the wasted time.
        """
        if self._rows is None:
            return None
        hidden = output[0]
        gathered = hidden if self._rows_only else hidden[self._rows].unsqueeze(0)
        if isinstance(output, tuple):
            return (gathered,)
        return type(output)(last_hidden_state=gathered)

    def _mark_rows_only(self) -> None:
        self._rows_only = True

    def _fall_back_to_cpu(self, exc: Exception) -> None:
        log.warning("Prediction on %s failed (%s); moving the model to the CPU", self.device, exc)
        self.model = self.model.to(device="cpu", dtype=torch.float32)
        self.notices.append(
            f"The {self.device.type.upper()} device failed ({first_line(exc)}); "
            "BertMask now runs on the CPU."
        )
        self.device = torch.device("cpu")

    def _top_candidates(self, probs: torch.Tensor, top_k: int) -> list[Candidate]:
        """The ``top_k`` most probable tokens a writer can use, best first."""
        wanted = top_k + 16
        while True:
            values, ids = probs.topk(min(wanted, probs.shape[-1]))
            found = []
            for score, token_id in zip(values.tolist(), ids.tolist()):
                text = self.usable_text(token_id)
                if text is not None:
                    found.append(Candidate(text, score, token_id))
                    if len(found) == top_k:
                        return found
            if wanted >= probs.shape[-1]:
                return found
            wanted *= 4

    def usable_text(self, token_id: int) -> str | None:
        """The token as a writer reads it, or None if a writer cannot use it.

        Special tokens, [unusedN] placeholders, and tokens that decode to nothing,
        to control characters or to a broken byte sequence are never proposed.
        """
        if token_id in self._usable:
            return self._usable[token_id]
        text: str | None = None
        raw = self.tokenizer.convert_ids_to_tokens(token_id)
        if token_id not in self._special_ids and not _PLACEHOLDER.match(raw or ""):
            decoded = self.tokenizer.decode([token_id]).strip()
            if decoded and "\ufffd" not in decoded and not any(
                unicodedata.category(c) in _UNPRINTABLE for c in decoded
            ):
                text = decoded
        self._usable[token_id] = text
        return text


def _load_tokenizer(folder: Path):
    from transformers import AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(folder, trust_remote_code=False)
    except Exception as exc:  # transformers raises many types here
        raise ModelInvalidError(
            f"The tokenizer in “{folder}” cannot be loaded ({first_line(exc)}). "
            "The folder needs tokenizer.json or the vocabulary files of the model."
        ) from exc
    if not getattr(tokenizer, "is_fast", False):
        raise ModelInvalidError(f"The tokenizer in “{folder}” has no fast (Rust) version.")
    if tokenizer.mask_token is None or tokenizer.mask_token_id is None:
        raise ModelInvalidError(
            f"The tokenizer in “{folder}” has no mask token, so this model cannot fill masks."
        )
    return tokenizer


def _load_model(folder: Path, dtype: torch.dtype):
    from transformers import AutoModelForMaskedLM
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    try:
        model = AutoModelForMaskedLM.from_pretrained(
            folder, use_safetensors=True, trust_remote_code=False, dtype=dtype
        )
    except Exception as exc:  # safetensors, OSError, ValueError...
        raise ModelInvalidError(
            f"The model weights in “{folder}” cannot be loaded ({first_line(exc)}). The "
            "files may be damaged or incomplete: copy or download the model again."
        ) from exc
    return model.eval()


def _place(model, device: torch.device):
    """Move the model to ``device``; an accelerator failure falls back to the CPU."""
    if device.type == "cpu":
        return model, device, None
    try:
        return model.to(device), device, None
    except Exception as exc:  # out of memory, driver error, a torch built without it...
        log.warning("Could not place the model on %s: %s", device, exc)
        model = model.to(device="cpu", dtype=torch.float32)
        notice = f"The model did not fit on the {device.type.upper()} ({first_line(exc)}); using the CPU."
        return model, torch.device("cpu"), notice


def _model_token_limit(tokenizer, model) -> int:
    """The longest input the model accepts, special tokens included."""
    limit = getattr(model.config, "max_position_embeddings", None) or 512
    padding_idx = getattr(getattr(model.base_model, "embeddings", None), "padding_idx", None)
    if isinstance(padding_idx, int):  # RoBERTa-style positions start after the pad id
        limit -= padding_idx + 1
    tokenizer_limit = getattr(tokenizer, "model_max_length", None)
    if isinstance(tokenizer_limit, int) and 0 < tokenizer_limit < limit:
        limit = tokenizer_limit
    return limit


def _special_affixes(tokenizer) -> tuple[list[int], list[int]]:
    """The special tokens the tokenizer puts before and after a text ([CLS] / [SEP])."""
    bare = tokenizer("word", add_special_tokens=False)["input_ids"]
    full = tokenizer("word")["input_ids"]
    for i in range(len(full) - len(bare) + 1):
        if full[i : i + len(bare)] == bare:
            return full[:i], full[i + len(bare) :]
    return [], []
