"""Where models come from, and whether a folder holds a usable fill-mask model.

Everything here works offline: a Hub id is looked up in the local Hugging Face
cache only. Nothing in this module touches the network.
"""

from __future__ import annotations

import json
import os
import re
import struct
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
# Legacy ids the Hub now serves under an organisation: either name finds the other on disk.
HUB_ALIASES = {
    "bert-base-uncased": "google-bert/bert-base-uncased",
    "bert-base-cased": "google-bert/bert-base-cased",
    "bert-base-multilingual-cased": "google-bert/bert-base-multilingual-cased",
    "distilbert-base-uncased": "distilbert/distilbert-base-uncased",
    "roberta-base": "FacebookAI/roberta-base",
}
PICKLE_WEIGHTS = ("pytorch_model.bin", "pytorch_model.bin.index.json", "tf_model.h5", "flax_model.msgpack")
_HUB_ID = re.compile(r"^(?:[A-Za-z0-9][\w.-]{0,95}/)?[A-Za-z0-9][\w.-]{0,95}$")
HOW_TO_CHOOSE = (
    "Choose a model with Model ▸ Choose model… (it can download one), open a folder with "
    "File ▸ Open model folder…, or start the app with --model PATH pointing at a folder "
    "that holds config.json, the tokenizer files and *.safetensors weights."
)
MODEL_DIR_ENV = "BERTMASK_MODEL_DIR"
# Architectures whose checkpoint includes a masked-language-model head.
MLM_HEADS = ("ForMaskedLM", "ForPreTraining", "ForMaskedLMHead")
# Written last by a download (engine/download.py): a folder of ours without it is unfinished.
COMPLETE_MARKER = ".bertmask-complete.json"
INCOMPLETE_DIR = ".bertmask-incomplete"


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


def folder_name(repo_id: str) -> str:
    """The folder name a Hub id gets on disk: "org/model" -> "org--model" (no traversal)."""
    if not is_hub_id(repo_id):
        raise ValueError(f"“{repo_id}” is not a Hugging Face model id.")
    return repo_id.replace("/", "--")


def bundled_models_dirs() -> list[Path]:
    """``models/`` shipped with the packaged app: beside the executable, then inside the bundle."""
    if not getattr(sys, "frozen", False):
        return []
    dirs = [Path(sys.executable).resolve().parent / "models"]
    meipass = getattr(sys, "_MEIPASS", None)
    if meipass:
        dirs.append(Path(meipass) / "models")
    unique: list[Path] = []
    for folder in dirs:
        if folder not in unique:
            unique.append(folder)
    return unique


def app_models_dir() -> Path:
    """Where BertMask keeps the models it downloads (a plain folder per model, copyable)."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("BertMask", appauthor=False)) / "models"


def env_model_dir() -> Path | None:
    """The folder named by BERTMASK_MODEL_DIR (for machines without internet), if set."""
    value = os.environ.get(MODEL_DIR_ENV, "").strip()
    return Path(value).expanduser() if value else None


def is_model_folder(folder: Path) -> bool:
    return (folder / "config.json").is_file()


def default_model() -> str:
    """The model to start with when the user chose none.

    BERTMASK_MODEL_DIR pointing at one model folder makes that folder the default;
    else a model bundled with the packaged app (bert-base-uncased if bundled, else the
    first by name), so it works on first start with no setup; otherwise bert-base-uncased.
    """
    env = env_model_dir()
    if env is not None and is_model_folder(env):
        return str(env)
    bundled = bundled_model_names()
    if bundled:
        return DEFAULT_MODEL if DEFAULT_MODEL in bundled else bundled[0]
    return DEFAULT_MODEL


def bundled_model_names() -> list[str]:
    """The model folders shipped in the packaged app's ``models/``, sorted by name."""
    names: set[str] = set()
    for root in bundled_models_dirs():
        if root.is_dir():
            names.update(p.name for p in root.iterdir() if is_model_folder(p) and is_hub_id(p.name))
    return sorted(names)


def search_roots() -> list[tuple[str, Path]]:
    """The folders of model folders searched for a Hub id, in order, with a label each."""
    roots = [("bundled with the app", folder) for folder in bundled_models_dirs()]
    env = env_model_dir()
    if env is not None:
        roots.append((f"{MODEL_DIR_ENV}", env))
    roots.append(("BertMask's model folder", app_models_dir()))
    return roots


def model_locations(repo_id: str) -> list[tuple[str, Path]]:
    """Every folder where Hub id ``repo_id`` is looked for, in order (then the HF cache).

    Inside each root: ``org--model`` (what BertMask's download writes), ``org/model``,
    then ``model`` alone (a folder copied by hand under its short name), for the id and
    its alias in HUB_ALIASES (bert-base-uncased = google-bert/bert-base-uncased). When
    BERTMASK_MODEL_DIR is itself a model folder named like the model, it counts too.
    """
    if not is_hub_id(repo_id):
        return []
    names: list[str] = []
    for alias in _with_alias(repo_id):
        for name in (folder_name(alias), alias, alias.split("/")[-1]):
            if name not in names:
                names.append(name)
    found: list[tuple[str, Path]] = []
    for label, root in search_roots():
        if label == MODEL_DIR_ENV and is_model_folder(root):
            if root.name in names:
                found.append((label, root))
            continue
        for name in names:
            found.append((label, root.joinpath(*name.split("/"))))
    return found


def unfinished_download(folder: Path) -> str | None:
    """A sentence if ``folder`` is a download that did not finish or was damaged since."""
    marker = folder / COMPLETE_MARKER
    if not marker.is_file():
        if (folder / INCOMPLETE_DIR).exists():
            return (
                f"The download of the model in “{folder}” did not finish. Download it again "
                "with Model ▸ Choose model… (it continues where it stopped)."
            )
        return None
    try:
        files = json.loads(marker.read_text(encoding="utf-8")).get("files", {})
    except (OSError, ValueError, AttributeError):
        return f"The model folder “{folder}” has a damaged {COMPLETE_MARKER}; download the model again."
    for name, size in files.items():
        path = folder / name
        if not path.is_file() or (isinstance(size, int) and path.stat().st_size != size):
            return (
                f"The model in “{folder}” is incomplete: “{name}” is missing or has the wrong "
                "size. Download the model again or copy the whole folder again."
            )
    return None


def find_local_model(name: str) -> tuple[Path, str] | None:
    """Where ``name`` is on disk and how it was found, or None; never raises, no network.

    Skips folders holding an unfinished download.
    """
    name = (name or "").strip()
    if not name:
        return None
    candidate = Path(name).expanduser()
    if candidate.is_dir():
        return candidate.resolve(), "folder"
    if looks_like_path(name) or not is_hub_id(name):
        return None
    for label, folder in model_locations(name):
        if is_model_folder(folder) and unfinished_download(folder) is None:
            return folder.resolve(), label
    for repo_id in _with_alias(name):
        cached = _from_hf_cache(repo_id)
        if cached is not None:
            return cached, "Hugging Face cache"
    return None


def _with_alias(repo_id: str) -> list[str]:
    ids = [repo_id]
    ids += [new for old, new in HUB_ALIASES.items() if old == repo_id]
    ids += [old for old, new in HUB_ALIASES.items() if new == repo_id]
    return ids


def resolve_model(name: str) -> Path:
    """The local folder holding model ``name`` (a folder path or a Hub id).

    Search order for a Hub id: models bundled with the app, BERTMASK_MODEL_DIR, BertMask's
    own model folder (downloads), the Hugging Face cache. Raises ModelNotFoundError with
    a sentence when it is not on disk.
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
    found = find_local_model(name)
    if found is not None:
        return found[0]
    for _, folder in model_locations(name):
        problem = unfinished_download(folder) if folder.is_dir() else None
        if problem:
            raise ModelNotFoundError(problem)
    raise ModelNotFoundError(
        f"The model “{name}” is not available offline: it is not on this computer yet. "
        "Download it with Model ▸ Choose model…, or use a model folder copied by hand "
        "(File ▸ Open model folder…, or --model PATH). "
        f"Looked in: {'; '.join(_where_looked())}; the Hugging Face cache."
    )


def _where_looked() -> list[str]:
    return [f"{label} ({root})" for label, root in search_roots()]


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
    if not folder.is_dir():
        raise ModelNotFoundError(f"The model folder “{folder}” does not exist. {HOW_TO_CHOOSE}")
    problem = unfinished_download(folder)
    if problem:
        raise ModelInvalidError(problem)
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
        raise ModelInvalidError(
            f"The folder “{folder}” has no model weights (*.safetensors). Copy the whole model "
            "folder, or download the model with Model ▸ Choose model…."
        )
    for weights in sorted(folder.glob("*.safetensors")):
        problem = safetensors_problem(weights)
        if problem:
            raise ModelInvalidError(
                f"The weights file “{weights.name}” in “{folder}” {problem}. The copy or download "
                "was probably interrupted: copy or download the model again."
            )
    return config


def safetensors_problem(path: Path) -> str | None:
    """Why ``path`` is not a whole safetensors file (truncated, not safetensors), or None.

    Reads only the header: 8 bytes of length, a JSON table of tensors, then the data,
    whose end must be the end of the file.
    """
    try:
        size = path.stat().st_size
        with path.open("rb") as f:
            head = f.read(8)
            if len(head) < 8:
                return f"is empty or truncated ({size} bytes)"
            (header_len,) = struct.unpack("<Q", head)
            if header_len <= 0 or 8 + header_len > size or header_len > 100_000_000:
                return "is not a safetensors file or is truncated"
            header = json.loads(f.read(header_len).decode("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        return f"cannot be read ({exc.__class__.__name__})" if isinstance(exc, OSError) else "is damaged (its header is not valid)"
    if not isinstance(header, dict):
        return "is damaged (its header is not valid)"
    ends = [
        entry["data_offsets"][1]
        for key, entry in header.items()
        if key != "__metadata__" and isinstance(entry, dict) and len(entry.get("data_offsets", ())) == 2
    ]
    expected = 8 + header_len + max(ends, default=0)
    if size < expected:
        return f"is truncated ({size:,} of {expected:,} bytes)"
    if size > expected:
        return f"has {size - expected:,} unexpected bytes at its end"
    return None


def _check_masked_lm(folder: Path, config: dict) -> None:
    from transformers.models.auto.modeling_auto import MODEL_FOR_MASKED_LM_MAPPING_NAMES

    model_type = config.get("model_type")
    architectures = config.get("architectures") or []
    if model_type not in MODEL_FOR_MASKED_LM_MAPPING_NAMES:
        raise ModelInvalidError(
            f"The model in “{folder}” (type “{model_type or 'unknown'}”) cannot fill masks: "
            "BertMask needs a masked language model such as BERT, RoBERTa or DistilBERT."
        )
    if architectures and not any(arch.endswith(MLM_HEADS) for arch in architectures):
        raise ModelInvalidError(
            f"The model in “{folder}” ({', '.join(architectures)}) has no masked-language-model "
            "head, so it cannot fill masks. Choose the fill-mask version of the model."
        )
