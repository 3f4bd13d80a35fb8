"""Where models come from, and whether a folder holds a usable fill-mask model.

Everything here works offline: a Hub id is looked up in the local Hugging Face
cache only. Nothing in this module touches the network.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from bertmask_gui.engine.errors import ModelInvalidError, ModelNotFoundError

DEFAULT_MODEL = "bert-base-uncased"
# Files a fill-mask model needs; weights other than safetensors are never fetched.
MODEL_FILE_PATTERNS = (
    "config.json",
    "*.safetensors",
    "*.safetensors.index.json",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "vocab.txt",
    "vocab.json",
    "merges.txt",
    "sentencepiece.bpe.model",
    "spiece.model",
)
PICKLE_WEIGHTS = ("pytorch_model.bin", "pytorch_model.bin.index.json", "tf_model.h5", "flax_model.msgpack")
_HUB_ID = re.compile(r"^(?:[A-Za-z0-9][\w.-]{0,95}/)?[A-Za-z0-9][\w.-]{0,95}$")
HOW_TO_CHOOSE = (
    "Choose a model folder with File ▸ Open model folder…, or start the app with "
    "--model PATH pointing at a folder that holds config.json, the tokenizer files and "
    "*.safetensors weights."
)


def looks_like_path(name: str) -> bool:
    """True for things the user meant as a folder rather than a Hub id."""
    return (
        name.startswith(("/", ".", "~", "\\"))
        or "\\" in name
        or name.count("/") > 1
        or bool(re.match(r"^[A-Za-z]:", name))
    )


def is_hub_id(name: str) -> bool:
    """A syntactically valid Hub id ("bert-base-uncased", "org/model"): no traversal."""
    return bool(_HUB_ID.match(name)) and ".." not in name


def resolve_model(name: str) -> Path:
    """The local folder holding model ``name`` (a folder path or a Hub id).

    Raises ModelNotFoundError with a sentence when it is not on disk.
    """
    name = (name or "").strip()
    if not name:
        raise ModelNotFoundError("No model was given. " + HOW_TO_CHOOSE)
    candidate = Path(name).expanduser()
    if candidate.is_dir():
        return candidate.resolve()
    if looks_like_path(name) or not is_hub_id(name):
        if candidate.exists():
            raise ModelNotFoundError(f"“{name}” is a file, not a model folder. {HOW_TO_CHOOSE}")
        raise ModelNotFoundError(f"The model folder “{name}” does not exist. {HOW_TO_CHOOSE}")
    bundled = bundled_models_dir()
    if bundled is not None and (bundled / name).is_dir():
        return (bundled / name).resolve()
    cached = _from_hf_cache(name)
    if cached is None:
        raise ModelNotFoundError(
            f"The model “{name}” is not available offline: it is not in the Hugging Face "
            f"cache on this computer. {HOW_TO_CHOOSE}"
        )
    return cached


def bundled_models_dir() -> Path | None:
    """The ``models/`` folder shipped next to the packaged app's executable.

    None when running from source: only a frozen (PyInstaller) app bundles models.
    """
    if not getattr(sys, "frozen", False):
        return None
    return Path(sys.executable).resolve().parent / "models"


def default_model() -> str:
    """The model to use when none was chosen: the first bundled one, else DEFAULT_MODEL.

    A packaged app with a model inside works on first start with no setup.
    """
    bundled = bundled_models_dir()
    if bundled is not None and bundled.is_dir():
        names = sorted(p.name for p in bundled.iterdir() if (p / "config.json").is_file())
        if names:
            return DEFAULT_MODEL if DEFAULT_MODEL in names else names[0]
    return DEFAULT_MODEL


def _from_hf_cache(repo_id: str) -> Path | None:
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import LocalEntryNotFoundError

    try:
        folder = snapshot_download(
            repo_id, local_files_only=True, allow_patterns=list(MODEL_FILE_PATTERNS)
        )
    except (LocalEntryNotFoundError, FileNotFoundError, OSError, ValueError):
        return None
    return Path(folder)


def validate_model_folder(folder: Path) -> dict:
    """Check that ``folder`` can be loaded safely as a fill-mask model; return its config.

    Refuses pickle-only weights: unpickling a file can run arbitrary code.
    """
    config_file = folder / "config.json"
    if not config_file.is_file():
        raise ModelInvalidError(
            f"The folder “{folder}” has no config.json, so it is not a Hugging Face model "
            f"folder. {HOW_TO_CHOOSE}"
        )
    try:
        config = json.loads(config_file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelInvalidError(f"The config.json in “{folder}” cannot be read ({exc}).") from exc
    if not isinstance(config, dict):
        raise ModelInvalidError(f"The config.json in “{folder}” is not a model configuration.")
    _check_masked_lm(folder, config)
    if not any(folder.glob("*.safetensors")):
        if any((folder / name).exists() for name in PICKLE_WEIGHTS):
            raise ModelInvalidError(
                f"The model in “{folder}” only has pickle weights (pytorch_model.bin). BertMask "
                "refuses them because loading a pickle file can run code. Use a copy of the "
                "model with *.safetensors weights."
            )
        raise ModelInvalidError(f"The folder “{folder}” has no model weights (*.safetensors).")
    return config


def _check_masked_lm(folder: Path, config: dict) -> None:
    from transformers.models.auto.modeling_auto import MODEL_FOR_MASKED_LM_MAPPING_NAMES

    model_type = config.get("model_type")
    architectures = config.get("architectures") or []
    if model_type not in MODEL_FOR_MASKED_LM_MAPPING_NAMES:
        raise ModelInvalidError(
            f"The model in “{folder}” (type “{model_type or 'unknown'}”) cannot fill masks: "
            "BertMask needs a masked language model such as BERT, RoBERTa or DistilBERT."
        )
    heads = ("ForMaskedLM", "ForPreTraining", "ForMaskedLMHead")
    if architectures and not any(arch.endswith(heads) for arch in architectures):
        raise ModelInvalidError(
            f"The model in “{folder}” ({', '.join(architectures)}) has no masked-language-model "
            "head, so it cannot fill masks. Choose the fill-mask version of the model."
        )
