"""Layer 1: a model folder → tokenizer + model on a device (with the user-facing failures).

``Predictor.load`` calls ``load``; nothing here runs the model.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import torch

from bertmask_gui.engine.device import configure_threads, dtype_for, resolve_device
from bertmask_gui.engine.errors import BertMaskError, ModelInvalidError, first_line, root_cause
from bertmask_gui.engine.models import resolve_model, validate_model_folder

log = logging.getLogger(__name__)


@dataclass
class Loaded:
    """What ``load`` hands the Predictor."""

    name: str
    folder: Path
    tokenizer: object
    model: object
    device: torch.device
    notices: list[str] = field(default_factory=list)
    approximate: bool = False  # fast mode: probabilities differ slightly from the model's
    max_tokens: int = 512


def load(model: str, device: str = "auto", fast: bool = False) -> Loaded:
    """Load ``model`` (a folder or a Hub id in the local cache) on ``device``.

    Raises a BertMaskError subclass whose message is a sentence for the user.
    """
    folder = resolve_model(model)
    validate_model_folder(folder)
    torch_device, notice = resolve_device(device)
    configure_threads(torch_device)
    tokenizer = load_tokenizer(folder)
    net = load_model(folder, dtype_for(torch_device))
    if len(tokenizer) > net.config.vocab_size:
        raise ModelInvalidError(
            f"The model in “{folder}” does not match its tokenizer: the tokenizer has "
            f"{len(tokenizer)} tokens but the model only {net.config.vocab_size}. The folder "
            "mixes files from different models; copy the model again."
        )
    net, torch_device, placement_notice = place(net, torch_device)
    approximate, fast_notice = False, None
    max_tokens = model_token_limit(tokenizer, net)
    if fast:
        from bertmask_gui.engine.fast import FAST_CONTEXT_TOKENS, make_fast

        net, approximate, fast_notice = make_fast(net, torch_device)
        if approximate:  # fast mode also reads a shorter context around the masks
            max_tokens = min(max_tokens, FAST_CONTEXT_TOKENS)
    notices = [n for n in (notice, placement_notice, fast_notice) if n]
    log.info("Loaded %s from %s on %s%s", model, folder, torch_device, " (fast)" if approximate else "")
    return Loaded(str(model), folder, tokenizer, net, torch_device, notices, approximate, max_tokens)


def load_tokenizer(folder: Path):
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


def load_model(folder: Path, dtype: torch.dtype):
    from transformers import AutoModelForMaskedLM
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    try:
        # use_kernels=False: transformers >= 5.25 swaps layers for the `kernels` library's
        # compiled versions by default, fetched from the Hub. The app stays offline and
        # runs the model's own layers (the ONNX export and the tests compare against them).
        model = AutoModelForMaskedLM.from_pretrained(
            folder, use_safetensors=True, trust_remote_code=False, dtype=dtype, use_kernels=False
        )
    except Exception as exc:  # safetensors, OSError, ValueError...
        if is_installation_fault(exc, folder):
            raise BertMaskError(
                f"The model in “{folder}” could not be loaded because a part of this installation "
                f"is missing ({first_line(root_cause(exc))}). Reinstall BertMask: the model's "
                "files are not the cause."
            ) from exc
        raise ModelInvalidError(
            f"The model weights in “{folder}” cannot be loaded ({first_line(exc)}). The "
            "files may be damaged or incomplete: copy or download the model again."
        ) from exc
    return model.eval()


def is_installation_fault(exc: BaseException, folder: Path) -> bool:
    """Whether a failed load came from the installed libraries, not the model's files: a
    module that does not import, or a missing file outside the model folder (a library's
    own data file left out of a package: transformers 5.25's `kernels` in a frozen app)."""
    cause = root_cause(exc)
    if isinstance(cause, ImportError):
        return True
    if not isinstance(cause, FileNotFoundError):
        return False
    return cause.filename is None or folder.resolve() not in Path(cause.filename).resolve().parents


def place(model, device: torch.device):
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


def model_token_limit(tokenizer, model) -> int:
    """The longest input the model accepts, special tokens included."""
    limit = getattr(model.config, "max_position_embeddings", None) or 512
    padding_idx = getattr(getattr(model.base_model, "embeddings", None), "padding_idx", None)
    if isinstance(padding_idx, int):  # RoBERTa-style positions start after the pad id
        limit -= padding_idx + 1
    tokenizer_limit = getattr(tokenizer, "model_max_length", None)
    if isinstance(tokenizer_limit, int) and 0 < tokenizer_limit < limit:
        limit = tokenizer_limit
    return limit
