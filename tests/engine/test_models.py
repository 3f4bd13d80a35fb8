"""Where models are found (in order, offline) and every way a model folder can be unusable."""

from __future__ import annotations

import json
import shutil
import sys

import pytest

from bertmask_gui.engine import models
from bertmask_gui.engine.errors import BertMaskError, ModelInvalidError, ModelNotFoundError
from bertmask_gui.engine.models import (
    COMPLETE_MARKER,
    INCOMPLETE_DIR,
    MODEL_DIR_ENV,
    app_models_dir,
    find_local_model,
    model_locations,
    resolve_model,
    safetensors_problem,
    validate_model_folder,
)
from bertmask_gui.engine.predictor import Predictor


@pytest.fixture
def copy_of(tiny_bert, tmp_path):
    def make(name="copy"):
        folder = tmp_path / name
        shutil.copytree(tiny_bert, folder)
        return folder

    return make


@pytest.fixture
def frozen_app(monkeypatch, tmp_path):
    """Pretend to be the packaged app, its executable in tmp_path/app."""
    app = tmp_path / "app"
    (app / "models").mkdir(parents=True)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(app / "BertMask"))
    return app / "models"


@pytest.fixture
def clean_app_models(monkeypatch, tmp_path):
    root = tmp_path / "appdata-models"
    root.mkdir()
    monkeypatch.setattr(models, "app_models_dir", lambda: root)
    monkeypatch.delenv(MODEL_DIR_ENV, raising=False)
    return root


# ------------------------------------------------------------------ search order
def test_bundled_then_env_then_app_data(tiny_bert, frozen_app, clean_app_models, monkeypatch, tmp_path):
    env_root = tmp_path / "air-gapped"
    env_root.mkdir()
    monkeypatch.setenv(MODEL_DIR_ENV, str(env_root))
    repo = "google-bert/bert-base-uncased"
    for root in (frozen_app, env_root, clean_app_models):
        shutil.copytree(tiny_bert, root / "google-bert--bert-base-uncased")
    labels = [label for label, _ in model_locations(repo)]
    assert labels[0] == "bundled with the app" and MODEL_DIR_ENV in labels
    assert labels.index(MODEL_DIR_ENV) < labels.index("BertMask's model folder")
    assert resolve_model(repo) == (frozen_app / "google-bert--bert-base-uncased").resolve()
    shutil.rmtree(frozen_app / "google-bert--bert-base-uncased")
    assert resolve_model(repo) == (env_root / "google-bert--bert-base-uncased").resolve()
    shutil.rmtree(env_root / "google-bert--bert-base-uncased")
    folder, label = find_local_model(repo)
    assert folder == (clean_app_models / "google-bert--bert-base-uncased").resolve()
    assert label == "BertMask's model folder"


def test_copied_by_hand_under_short_name_is_found(tiny_bert, clean_app_models, monkeypatch, tmp_path):
    env_root = tmp_path / "usb-stick"
    shutil.copytree(tiny_bert, env_root / "ModernBERT-base")
    monkeypatch.setenv(MODEL_DIR_ENV, str(env_root))
    assert resolve_model("answerdotai/ModernBERT-base") == (env_root / "ModernBERT-base").resolve()
    predictor = Predictor.load("answerdotai/ModernBERT-base", device="cpu")
    assert predictor.name == "answerdotai/ModernBERT-base"


def test_env_var_naming_one_model_folder_becomes_the_default(tiny_bert, clean_app_models, monkeypatch):
    monkeypatch.setenv(MODEL_DIR_ENV, str(tiny_bert))
    assert models.default_model() == str(tiny_bert)
    assert resolve_model("tiny-bert") == tiny_bert.resolve()  # matched by its folder name
    with pytest.raises(ModelNotFoundError, match="not available offline"):
        resolve_model("bert-base-uncased")  # never silently another model


def test_default_model_without_env(clean_app_models):
    assert models.default_model() == "bert-base-uncased"


def test_app_data_dir_is_platformdirs():
    from platformdirs import user_data_dir

    assert app_models_dir() == models.Path(user_data_dir("BertMask", appauthor=False)) / "models"


def test_not_found_names_where_it_looked(clean_app_models):
    with pytest.raises(ModelNotFoundError) as info:
        resolve_model("someone/absent-model")
    message = str(info.value)
    assert "not available offline" in message and str(clean_app_models) in message
    assert "Model ▸ Choose model…" in message


@pytest.mark.parametrize("bad", ["../etc", "a/../../b", "org/..", "a/b/c", "org/..x/..", "nul\x00"])
def test_traversal_ids_never_become_paths(bad, clean_app_models):
    assert model_locations(bad) == []
    with pytest.raises(ModelNotFoundError):
        resolve_model(bad)
    with pytest.raises(ValueError):
        models.folder_name(bad)


def test_unfinished_download_is_skipped_then_explained(copy_of, clean_app_models):
    folder = clean_app_models / "org--half"
    shutil.copytree(copy_of(), folder)
    (folder / INCOMPLETE_DIR).mkdir()
    assert find_local_model("org/half") is None
    with pytest.raises(ModelNotFoundError, match="did not finish"):
        resolve_model("org/half")


def test_marker_with_wrong_size_is_incomplete(copy_of):
    folder = copy_of()
    (folder / COMPLETE_MARKER).write_text(json.dumps({"files": {"model.safetensors": 12}}))
    with pytest.raises(ModelInvalidError, match="incomplete"):
        validate_model_folder(folder)


# -------------------------------------------------------------------- validation
def test_folder_missing(tmp_path):
    with pytest.raises(ModelNotFoundError, match="does not exist"):
        Predictor.load(str(tmp_path / "gone"), device="cpu")
    with pytest.raises(ModelNotFoundError, match="does not exist"):
        validate_model_folder(tmp_path / "gone")


def test_no_config(copy_of):
    folder = copy_of()
    (folder / "config.json").unlink()
    with pytest.raises(ModelInvalidError, match="has no config.json"):
        Predictor.load(str(folder), device="cpu")


def test_config_unreadable(copy_of):
    folder = copy_of()
    (folder / "config.json").write_text("{not json")
    with pytest.raises(ModelInvalidError, match="config.json .* cannot be read"):
        Predictor.load(str(folder), device="cpu")


def test_config_without_a_model_type_says_unknown(copy_of):
    folder = copy_of()
    config = json.loads((folder / "config.json").read_text())
    del config["model_type"]
    (folder / "config.json").write_text(json.dumps(config))
    with pytest.raises(ModelInvalidError, match="type “unknown”.* cannot fill masks"):
        Predictor.load(str(folder), device="cpu")


@pytest.mark.parametrize("name", ["C:/models/bert", "c:/models/bert", "d:models"])
def test_a_windows_drive_in_either_case_is_a_folder(name):
    from bertmask_gui.engine.models import looks_like_path

    assert looks_like_path(name)
    assert not looks_like_path("google-bert/bert-base-uncased")


@pytest.mark.parametrize(
    "change",
    [{"model_type": "gpt2", "architectures": ["GPT2LMHeadModel"]}, {"architectures": ["BertForSequenceClassification"]}],
)
def test_config_without_mlm_head(copy_of, change):
    folder = copy_of()
    config = json.loads((folder / "config.json").read_text())
    config.update(change)
    (folder / "config.json").write_text(json.dumps(config))
    with pytest.raises(ModelInvalidError, match="cannot fill masks"):
        Predictor.load(str(folder), device="cpu")


def test_tokenizer_without_mask_token(copy_of):
    folder = copy_of()
    config = json.loads((folder / "tokenizer_config.json").read_text())
    config["mask_token"] = None
    (folder / "tokenizer_config.json").write_text(json.dumps(config))
    with pytest.raises(ModelInvalidError, match="has no mask token, so this model cannot fill masks"):
        Predictor.load(str(folder), device="cpu")


def test_pickle_only_weights(copy_of):
    folder = copy_of()
    (folder / "model.safetensors").rename(folder / "pytorch_model.bin")
    with pytest.raises(ModelInvalidError, match="refuses them because loading a pickle file can run code"):
        Predictor.load(str(folder), device="cpu")


def test_no_weights_at_all(copy_of):
    folder = copy_of()
    (folder / "model.safetensors").unlink()
    with pytest.raises(ModelInvalidError, match="no model weights"):
        Predictor.load(str(folder), device="cpu")


def test_truncated_safetensors(copy_of):
    folder = copy_of()
    weights = folder / "model.safetensors"
    data = weights.read_bytes()
    weights.write_bytes(data[: len(data) // 2])
    assert "truncated" in safetensors_problem(weights)
    with pytest.raises(ModelInvalidError, match="model.safetensors.* is truncated .*copy or download the model again"):
        Predictor.load(str(folder), device="cpu")


@pytest.mark.parametrize("content", [b"", b"abc", b"\xff" * 64, (20).to_bytes(8, "little") + b"{bad json here!!!!!}"])
def test_corrupt_safetensors(copy_of, content):
    folder = copy_of()
    (folder / "model.safetensors").write_bytes(content)
    with pytest.raises(ModelInvalidError, match="model.safetensors"):
        Predictor.load(str(folder), device="cpu")


def test_whole_safetensors_passes(tiny_bert, tiny_roberta):
    assert safetensors_problem(tiny_bert / "model.safetensors") is None
    assert safetensors_problem(tiny_roberta / "model.safetensors") is None


def test_accelerator_failure_falls_back_to_cpu_with_notice(tiny_bert, monkeypatch):
    import torch

    from bertmask_gui.engine import loading

    monkeypatch.setattr(loading, "resolve_device", lambda requested: (torch.device("cuda"), None))
    monkeypatch.setattr(loading, "dtype_for", lambda device: torch.float32)
    real_to = torch.nn.Module.to

    def to(self, *args, **kwargs):
        target = args[0] if args else kwargs.get("device")
        if str(target).startswith("cuda"):
            raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 90.00 MiB")
        return real_to(self, *args, **kwargs)

    monkeypatch.setattr(torch.nn.Module, "to", to)
    predictor = Predictor.load(str(tiny_bert), device="cuda")
    assert predictor.device_name == "cpu"
    assert "did not fit on the CUDA" in predictor.notices[0] and "using the CPU" in predictor.notices[0]
    assert predictor.predict("I really [MASK] it.").masks[0].candidates


def test_torch_without_cuda_support_falls_back_too(tiny_bert, monkeypatch):
    import torch

    from bertmask_gui.engine import loading

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    monkeypatch.setattr(loading, "resolve_device", lambda requested: (torch.device("cuda"), None))
    monkeypatch.setattr(loading, "dtype_for", lambda device: torch.float32)
    predictor = Predictor.load(str(tiny_bert), device="cuda")  # .to("cuda") raises here
    assert predictor.device_name == "cpu" and "using the CPU" in predictor.notices[0]


def test_hf_cache_under_the_new_org_name_is_found_for_the_legacy_id(tiny_bert, clean_app_models):
    """transformers may have cached google-bert/bert-base-uncased; the app asks for bert-base-uncased."""
    from huggingface_hub import constants

    repo_dir = models.Path(constants.HF_HUB_CACHE) / "models--google-bert--bert-base-uncased"
    sha = "a" * 40
    snapshot = repo_dir / "snapshots" / sha
    shutil.copytree(tiny_bert, snapshot)
    (repo_dir / "refs").mkdir()
    (repo_dir / "refs" / "main").write_text(sha)
    try:
        folder, label = find_local_model("bert-base-uncased")
        assert folder == snapshot and label == "Hugging Face cache"
        assert Predictor.load("bert-base-uncased", device="cpu").folder == snapshot
    finally:
        shutil.rmtree(repo_dir)
    assert find_local_model("bert-base-uncased") is None


def test_short_folder_name_matches_the_new_org_id(tiny_bert, clean_app_models):
    shutil.copytree(tiny_bert, clean_app_models / "bert-base-uncased")
    assert resolve_model("google-bert/bert-base-uncased") == (clean_app_models / "bert-base-uncased").resolve()
    assert resolve_model("bert-base-uncased") == (clean_app_models / "bert-base-uncased").resolve()


@pytest.mark.parametrize("fault", [
    FileNotFoundError("Cannot load dependency data, is `kernels` correctly installed?"),
    ModuleNotFoundError("No module named 'kernels'"),
])
def test_a_broken_installation_is_not_blamed_on_the_model(tiny_bert, monkeypatch, fault):
    """A library's missing module or data file says "reinstall", not "download the model again"."""
    from transformers import AutoModelForMaskedLM

    def fail(*args, **kwargs):
        raise fault

    monkeypatch.setattr(AutoModelForMaskedLM, "from_pretrained", fail)
    with pytest.raises(BertMaskError, match="a part of this installation is missing .*Reinstall BertMask") as caught:
        Predictor.load(str(tiny_bert), device="cpu")
    assert not isinstance(caught.value, ModelInvalidError) and "download" not in str(caught.value)
    assert f"({str(fault).splitlines()[0]})" in str(caught.value)  # the cause, named


def test_a_missing_file_inside_the_model_folder_is_still_the_model(copy_of, monkeypatch):
    from transformers import AutoModelForMaskedLM

    folder = copy_of()
    missing = folder / "model-00001-of-00002.safetensors"

    def fail(*args, **kwargs):
        raise FileNotFoundError(2, "No such file or directory", str(missing))

    monkeypatch.setattr(AutoModelForMaskedLM, "from_pretrained", fail)
    with pytest.raises(ModelInvalidError, match="copy or download the model again"):
        Predictor.load(str(folder), device="cpu")


def test_models_load_with_their_own_layers_not_hub_kernels(tiny_bert):
    """transformers >= 5.25 kernelizes by default (compiled layers from the Hub): the app asks not to."""
    import torch

    from bertmask_gui.engine.loading import load_model

    model = load_model(tiny_bert, torch.float32)
    assert getattr(model, "use_kernels", False) is False
