"""The ONNX Runtime runner: the same numbers as torch, a cached export, a clean fallback."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
import torch

from bertmask_gui.engine import onnx_export
from bertmask_gui.engine.encoder import Row
from bertmask_gui.engine.predictor import Predictor

from conftest import SEED_SENTENCE
from shared_models import PROSE_MLM_SMALL, needs_prose_mlm_small
from tiny_models import build_tiny_distilbert

pytest.importorskip("onnxruntime")

TEXTS = [
    SEED_SENTENCE,
    "I really [MASK] the [MASK]. It was quite [MASK] and the [MASK] was good.",
    "[MASK] was quite interesting.",
]


@pytest.fixture(scope="module")
def tiny_distilbert(models_dir):
    return build_tiny_distilbert(models_dir / "tiny-distilbert")


def _pair(folder):
    """(torch predictor, ONNX Runtime predictor) on the model in ``folder``."""
    torch_side = Predictor.load(str(folder), device="cpu")
    ort_side = Predictor.load(str(folder), device="cpu")
    assert ort_side.prepare_onnx() and ort_side.engine == "onnx"
    return torch_side, ort_side


def _rows(predictor):
    """Rows asking different numbers of positions (padding inside the runner)."""
    ids = predictor.tokenizer(TEXTS[1].replace("[MASK]", predictor.mask_token))["input_ids"]
    masks = [i for i, t in enumerate(ids) if t == predictor.mask_token_id]
    short = ids[:9]
    return [Row(ids, dict(enumerate(masks))), Row(short, {0: masks[0]}), Row(ids, {0: masks[2], 1: 1})]


@pytest.mark.timeout(600)
@pytest.mark.parametrize("kind", ["bert", "roberta", "distilbert"])
def test_the_same_log_probabilities_and_pieces_as_torch(kind, tiny_bert, tiny_roberta, tiny_distilbert):
    folder = {"bert": tiny_bert, "roberta": tiny_roberta, "distilbert": tiny_distilbert}[kind]
    torch_side, ort_side = _pair(folder)
    rows = _rows(torch_side)
    expected, got = torch_side.runner.log_probs(rows), ort_side.runner.log_probs(rows)
    assert got.shape == expected.shape == (7, torch_side.vocabulary.size)
    assert torch.allclose(got, expected, atol=1e-5)
    assert ort_side.runner.forward_passes == 1  # the check against torch is not counted
    for text in TEXTS:
        text = text.replace("[MASK]", torch_side.mask_token)
        a, b = torch_side.predict(text, top_k=8, mode="pieces"), ort_side.predict(text, top_k=8, mode="pieces")
        for mask_a, mask_b in zip(a.masks, b.masks, strict=True):
            assert [c.token for c in mask_a.candidates] == [c.token for c in mask_b.candidates]
            assert [c.score for c in mask_a.candidates] == pytest.approx([c.score for c in mask_b.candidates], abs=1e-5)
    # ONNX Runtime answered every pass itself (a failing graph would fall back to torch
    # with the same numbers, and a notice)
    assert not ort_side.runner.notices and not ort_side.runner.fallback.made


@pytest.mark.timeout(600)
@needs_prose_mlm_small
def test_prose_model_top_five_words_unchanged():
    torch_side, ort_side = _pair(PROSE_MLM_SMALL)
    assert ort_side.draft_runner is not None  # the int8 draft runs on ONNX Runtime too
    for text in [SEED_SENTENCE, "She opened the [MASK] and looked out at the sea.", "He [MASK] to the station."]:
        for mode in ("pieces", "words"):
            a, b = torch_side.predict(text, top_k=5, mode=mode), ort_side.predict(text, top_k=5, mode=mode)
            assert [c.token for c in a.masks[0].candidates] == [c.token for c in b.masks[0].candidates], (text, mode)


def test_fast_mode_serves_the_int8_graph_without_a_draft(tiny_bert):
    fast = Predictor.load(str(tiny_bert), device="cpu", fast=True)
    assert fast.prepare_onnx()
    assert fast.draft_runner is None and "int8" in fast.runner.name
    assert fast.predict(SEED_SENTENCE, top_k=3).masks[0].candidates


def test_the_quantizers_advice_reaches_neither_stderr_nor_the_log(tiny_bert, tmp_path, monkeypatch):
    """onnxruntime's quantizer logs "Please consider to run pre-processing" on the root
    logger, which the app sends to stderr and the log file: it is not for a writer."""
    import logging

    monkeypatch.setenv("BERTMASK_ONNX_CACHE", str(tmp_path))
    seen: list[logging.LogRecord] = []
    catcher = logging.Handler(logging.DEBUG)
    catcher.emit = seen.append
    root = logging.getLogger()
    filters_before = list(root.filters)
    root.addHandler(catcher)
    try:
        onnx_export.export(tiny_bert)
        logging.warning("the app's own warning still gets through")
    finally:
        root.removeHandler(catcher)
    messages = [record.getMessage() for record in seen]
    assert not [m for m in messages if "pre-processing" in m], messages
    assert "the app's own warning still gets through" in messages
    assert root.filters == filters_before


def test_an_export_that_fails_keeps_torch_with_a_sentence(tiny_bert, tmp_path, monkeypatch):
    monkeypatch.setenv("BERTMASK_ONNX_CACHE", str(tmp_path))

    def unexportable(*args, **kwargs):
        raise RuntimeError("Unsupported operator aten::frobnicate\nlong trace…")

    monkeypatch.setattr(torch.onnx, "export", unexportable)
    predictor = Predictor.load(str(tiny_bert), device="cpu")
    with pytest.raises(onnx_export.ExportError, match="frobnicate"):
        predictor.prepare_onnx()
    assert predictor.engine == "torch" and predictor.predict(SEED_SENTENCE, top_k=3).masks[0].candidates
    assert not list(tmp_path.glob("*"))  # nothing half-made is left

def test_a_wrapped_export_failure_names_its_cause_without_colour_codes(tiny_bert, tmp_path, monkeypatch):
    """torch.onnx wraps the real failure ("step 1/3 failed", in terminal colours): the
    sentence carries the cause (in the frozen app once: a module left out of the build)."""
    monkeypatch.setenv("BERTMASK_ONNX_CACHE", str(tmp_path))

    def wrapped(*args, **kwargs):
        try:
            raise ModuleNotFoundError("No module named 'torch._inductor.codegen'")
        except ModuleNotFoundError as exc:
            raise RuntimeError("Failed to export the model with torch.export. \x1b[96mThis is step 1/3\x1b[0m") from exc

    monkeypatch.setattr(torch.onnx, "export", wrapped)
    predictor = Predictor.load(str(tiny_bert), device="cpu")
    with pytest.raises(onnx_export.ExportError) as raised:
        predictor.prepare_onnx()
    assert str(raised.value) == (
        "Failed to export the model with torch.export. This is step 1/3: "
        "ModuleNotFoundError: No module named 'torch._inductor.codegen'"
    )



def test_ort_answers_that_differ_from_torch_are_refused(tiny_bert, monkeypatch):
    predictor = Predictor.load(str(tiny_bert), device="cpu")
    exact, draft = predictor.onnx_runners()
    monkeypatch.setattr(exact, "log_probs", lambda rows, cancelled=None: torch.zeros(len(rows), predictor.vocabulary.size))
    with pytest.raises(onnx_export.ExportError, match="differs"):
        predictor.use_onnx((exact, draft))
    assert predictor.engine == "torch"


# ------------------------------------------------------------------ the cache
@pytest.fixture
def counted_exports(tmp_path, monkeypatch):
    """A cache of its own and an exporter that only writes placeholder files."""
    monkeypatch.setenv("BERTMASK_ONNX_CACHE", str(tmp_path / "cache"))
    calls = []

    def export_graph(model, path):
        calls.append(path)
        path.write_bytes(b"graph")

    monkeypatch.setattr(onnx_export, "export_graph", export_graph)
    monkeypatch.setattr(onnx_export, "quantize", lambda source, target: target.write_bytes(b"int8"))
    return calls


def _model_copy(tiny_bert, tmp_path) -> Path:
    import shutil

    return Path(shutil.copytree(tiny_bert, tmp_path / "model"))


def test_an_export_is_made_once_and_redone_when_the_model_changes(tiny_bert, tmp_path, counted_exports):
    folder = _model_copy(tiny_bert, tmp_path)
    first = onnx_export.export(folder, model=object())
    assert onnx_export.export(folder, model=object()) == first and len(counted_exports) == 1
    assert onnx_export.cached(folder) == first
    config = folder / "config.json"
    config.write_text(config.read_text() + " ", encoding="utf-8")  # a changed file: another model
    assert onnx_export.cached(folder) is None
    assert onnx_export.export(folder, model=object()) != first and len(counted_exports) == 2


def test_a_partial_export_is_never_used_and_is_cleaned_up(tiny_bert, tmp_path, counted_exports):
    folder = _model_copy(tiny_bert, tmp_path)
    root = onnx_export.cache_root()
    key = onnx_export.model_key(folder)
    half = root / key
    half.mkdir(parents=True)
    (half / onnx_export.FP32_FILE).write_bytes(b"half a graph")  # no int8 file, no completion mark
    assert onnx_export.cached(folder) is None
    interrupted = root / f"{key}.partial-999999999-abc"  # a process that is gone
    interrupted.mkdir()
    done = onnx_export.export(folder, model=object())
    assert done == half and (done / onnx_export.COMPLETE_FILE).is_file() and (done / onnx_export.INT8_FILE).is_file()
    assert not interrupted.exists()
    assert not list(root.glob("*.partial-*"))


def test_an_export_in_progress_elsewhere_is_left_alone(tiny_bert, tmp_path, counted_exports):
    folder = _model_copy(tiny_bert, tmp_path)
    root = onnx_export.cache_root()
    root.mkdir(parents=True)
    running = root / f"other.partial-{os.getppid()}-xyz"  # a live process's export
    running.mkdir()
    onnx_export.export(folder, model=object())
    assert running.exists()


def test_the_export_runs_beside_a_serving_predictor(tiny_bert):
    """onnx_runners may run in another thread while the torch runner answers."""
    import threading

    predictor = Predictor.load(str(tiny_bert), device="cpu")
    built = {}
    thread = threading.Thread(target=lambda: built.setdefault("runners", predictor.onnx_runners()))
    thread.start()
    deadline = time.monotonic() + 300
    while thread.is_alive() and time.monotonic() < deadline:
        assert predictor.predict(SEED_SENTENCE, top_k=3, mode="pieces").masks[0].candidates
    thread.join(timeout=5)
    predictor.use_onnx(built["runners"])
    assert predictor.engine == "onnx"


# ------------------------------------------------------------ the command line
def test_command_line_engine_choice(tiny_bert, capsys):
    import json

    from bertmask_gui.cli import run_predict

    def engine_of(choice: str) -> str:
        assert run_predict(SEED_SENTENCE, str(tiny_bert), "cpu", 3, True, pieces=True, engine=choice) == 0
        return json.loads(capsys.readouterr().out)["engine"]

    assert engine_of("torch") == "torch"
    assert engine_of("onnx") == "onnx"  # exported now if it was not yet (cached for the session)
    assert engine_of("auto") == "onnx"  # a cached export is used

    from bertmask_gui.cli import run_check  # --check honours --engine as --predict does

    for choice in ("torch", "onnx"):
        assert run_check("The cat sat on the mat.", str(tiny_bert), "cpu", True, engine=choice) == 0
        assert json.loads(capsys.readouterr().out)["engine"] == choice


def test_command_line_failure_is_one_line_and_torch_answers(tiny_bert, tmp_path, monkeypatch, capsys):
    import json

    from bertmask_gui.cli import run_predict

    monkeypatch.setenv("BERTMASK_ONNX_CACHE", str(tmp_path))
    monkeypatch.setattr(onnx_export, "export_graph", lambda model, path: (_ for _ in ()).throw(RuntimeError("no op")))
    assert run_predict(SEED_SENTENCE, str(tiny_bert), "cpu", 3, True, pieces=True, engine="onnx") == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["engine"] == "torch"
    assert captured.err.strip().splitlines() == ["bertmask-gui: ONNX Runtime could not run this model (no op); using torch."]


# ------------------------------------------------------------ memory and fallback
def test_once_onnx_runtime_serves_the_torch_model_is_gone_and_a_failure_reloads_it(tiny_bert, monkeypatch):
    import gc
    import weakref

    torch_side = Predictor.load(str(tiny_bert), device="cpu")
    predictor = Predictor.load(str(tiny_bert), device="cpu")
    predictor.predict(SEED_SENTENCE, top_k=3)
    assert predictor.prepare_draft()
    torch_model, torch_draft = weakref.ref(predictor.model), weakref.ref(predictor.draft_runner.model)
    assert predictor.prepare_onnx()
    assert torch_model() is None and torch_draft() is None  # released at the switch, no collection needed
    assert not predictor.runner.fallback.made

    def broken(*args, **kwargs):
        raise RuntimeError("Non-zero status code returned while running MatMul node\nmore")

    monkeypatch.setattr(predictor.runner.session, "run", broken)
    monkeypatch.setattr(predictor.draft_runner.session, "run", broken)
    passes = predictor.forward_passes
    expected = torch_side.predict(SEED_SENTENCE, top_k=5, mode="pieces")
    answered = predictor.predict(SEED_SENTENCE, top_k=5, mode="pieces")
    assert [c.token for c in answered.masks[0].candidates] == [c.token for c in expected.masks[0].candidates]
    assert predictor.runner.fallback.made and predictor.forward_passes == passes + 1
    assert predictor.notices[-1] == (
        "ONNX Runtime failed (Non-zero status code returned while running MatMul node); BertMask answers with torch again."
    )
    words = predictor.predict(SEED_SENTENCE, top_k=5)  # the draft falls back too (on the torch runner)
    assert [c.token for c in words.masks[0].candidates] == [c.token for c in torch_side.predict(SEED_SENTENCE, top_k=5).masks[0].candidates]
    gc.collect()


def test_without_a_fallback_the_onnx_runtime_error_is_raised(tiny_bert, monkeypatch):
    predictor = Predictor.load(str(tiny_bert), device="cpu")
    exact, _ = predictor.onnx_runners()
    exact.fallback = None
    monkeypatch.setattr(exact.session, "run", lambda *a, **k: (_ for _ in ()).throw(ValueError("bad input")))
    with pytest.raises(ValueError, match="bad input"):
        exact.log_probs(_rows(predictor))


def test_both_sessions_share_the_input_embeddings_and_the_draft_quantizes_the_head(tiny_bert):
    import onnx

    predictor = Predictor.load(str(tiny_bert), device="cpu")
    exact, int8 = predictor.onnx_runners()
    folder = onnx_export.cached(tiny_bert)
    name = onnx_export.embeddings_name(folder)
    assert name is not None and exact.shared_name == int8.shared_name == name
    assert exact.embeddings.data_ptr() == int8.embeddings.data_ptr()  # one copy for both sessions
    graph = onnx.load(str(folder / onnx_export.INT8_FILE), load_external_data=False).graph
    weights = {t.name for t in graph.initializer}
    hidden, vocab = exact.embeddings.shape[1], predictor.vocabulary.size
    decoder = [t for t in graph.initializer if tuple(t.dims) == (hidden, vocab)]
    assert [t.data_type for t in decoder] == [onnx.TensorProto.INT8]  # the LM head's decoder is int8 too
    assert not [n for n in graph.node if n.op_type == "Transpose" and n.input[0] in weights]
    assert name in weights  # the embeddings' Gather still reads the shared matrix


def test_a_large_pass_gives_the_arena_back_and_still_answers_on_onnx_runtime(tiny_bert):
    from bertmask_gui.engine import ort_runner

    torch_side, ort_side = _pair(tiny_bert)
    ids = torch_side.tokenizer(" ".join(["the cat sat"] * 60) + f" {torch_side.mask_token}.")["input_ids"]
    rows = [Row(ids, {0: ids.index(torch_side.mask_token_id)})] * 3
    assert len(rows) * len(ids) > ort_runner.ARENA_UP_TO_TOKENS  # the pass that shrinks the arena
    expected, got = torch_side.runner.log_probs(rows), ort_side.runner.log_probs(rows)
    assert torch.allclose(got, expected, atol=1e-5)
    assert not ort_side.runner.fallback.made and not ort_side.runner.notices


def test_the_sessions_do_not_spin_between_passes(tiny_bert):
    """The exact and the draft session each have a thread pool; threads left spinning
    after one's pass took the cores from the other's (seed sentence, whole words:
    165 → 117 ms on 2 cores), so neither spins."""
    predictor = Predictor.load(str(tiny_bert), device="cpu")
    for runner in predictor.onnx_runners():
        options = runner.session.get_session_options()
        assert options.get_session_config_entry("session.intra_op.allow_spinning") == "0"


def test_the_exact_graphs_head_reads_the_shared_embeddings_in_place(tiny_roberta):
    """No transposed copy of the embeddings for ONNX Runtime to fold into a second matrix
    (bert-base: 89 MB): the head's MatMul reads the shared matrix itself. (The tiny
    RoBERTa: torch.onnx folds the transpose of a matrix as small as the tiny BERT's at
    export, leaving nothing to rewrite; it keeps it for this one and for real models.)"""
    import onnx

    Predictor.load(str(tiny_roberta), device="cpu").onnx_runners()
    export = onnx_export.cached(tiny_roberta)
    name = onnx_export.embeddings_name(export)
    graph = onnx.load(str(export / onnx_export.FP32_FILE), load_external_data=False).graph
    readers = [n for n in graph.node if name in n.input]
    assert sorted(n.op_type for n in readers) == ["Gather", "MatMul"]
    assert next(n for n in readers if n.op_type == "MatMul").input[0] == name


def test_the_export_writes_the_plain_attention_and_gives_the_model_its_own_back(tiny_bert, tmp_path):
    """Every layer but the last (its rows-only attention, lastlayer) is exported as the
    plain attention: no scaled_dot_product_attention guard (IsNaN, Where) per layer."""
    import onnx

    from bertmask_gui.engine.loading import load_model

    model = load_model(Path(tiny_bert), torch.float32)
    before = model.config._attn_implementation
    assert before == "sdpa"
    onnx_export.export_graph(model, tmp_path / "model.onnx")
    assert model.config._attn_implementation == before
    ops = [n.op_type for n in onnx.load(str(tmp_path / "model.onnx")).graph.node]
    assert ops.count("Softmax") == model.config.num_hidden_layers >= 2
    assert ops.count("IsNaN") <= 1


def test_the_int8_graph_quantizes_the_matrix_products(tiny_bert, tmp_path):
    """quantize() turns the exported graph's MatMuls into int8 ones (the fast mode's and
    the draft's speed): int8 weights and integer products."""
    import onnx

    from bertmask_gui.engine.loading import load_model

    exact, int8 = tmp_path / "model.onnx", tmp_path / "model.int8.onnx"
    onnx_export.export_graph(load_model(Path(tiny_bert), torch.float32), exact)
    onnx_export.quantize(exact, int8)
    graph = onnx.load(str(int8)).graph
    ops = {n.op_type for n in graph.node}
    assert "MatMulInteger" in ops or "DynamicQuantizeMatMul" in ops
    assert any(t.data_type == onnx.TensorProto.INT8 for t in graph.initializer)


def test_the_exported_graph_holds_the_embeddings_to_share(tiny_bert, tmp_path):
    """The input embeddings are found among the graph's weights by value (the sessions
    then share one copy); a graph without them gives None."""
    from bertmask_gui.engine.loading import load_model

    model = load_model(Path(tiny_bert), torch.float32)
    onnx_export.export_graph(model, tmp_path / "model.onnx")
    assert onnx_export.embeddings_initializer(model, [tmp_path / "model.onnx"]) is not None
    with torch.no_grad():
        model.get_input_embeddings().weight.add_(1.0)  # other values: not the graph's
    assert onnx_export.embeddings_initializer(model, [tmp_path / "model.onnx"]) is None
