"""Layer 1: a model folder → an ONNX graph for ONNX Runtime (engine.ort_runner), cached.

The graph answers the Runner's one question: ``(input_ids, attention_mask, positions)``
→ the LM head's logits at ``positions`` only, one (batch·k, vocab) row per asked
position. Inside it the last encoder layer runs at those positions only (``lastlayer``)
and the head sees only their hidden states: the same shape of work as the torch Runner.

Exported once per model with ``torch.onnx.export`` (~9 s for bert-base on 2 cores) and
quantized to int8 (onnxruntime's dynamic quantization of the fp32 graph: the draft and
fast mode). Both files are cached under the user cache folder in a folder named by a
hash of the model's files (names, sizes, modification times) and this exporter's
version: a changed model gets a new export. The export is written to a temporary
folder and renamed into place once complete, so a partial export is never used; an
interrupted one leaves only a temporary folder, removed by the next export.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import tempfile
import warnings
from pathlib import Path

import torch

from bertmask_gui.engine import lastlayer
from bertmask_gui.engine.errors import first_line, root_cause

log = logging.getLogger(__name__)

EXPORT_VERSION = 4  # bump when the graph's inputs, outputs or contents change (2: complete.json names the embeddings; 3: the head reads them in place; 4: eager attention)
FP32_FILE = "model.onnx"
INT8_FILE = "model.int8.onnx"
COMPLETE_FILE = "complete.json"  # written last: the folder's export is whole
EMBEDDINGS_KEY = "input_embeddings"  # in COMPLETE_FILE: embeddings_initializer's answer


class ExportError(RuntimeError):
    """The model could not be exported or quantized (the sentence says why)."""


def cache_root() -> Path:
    """Where exports are kept (``BERTMASK_ONNX_CACHE`` overrides: tests, benchmarks)."""
    override = os.environ.get("BERTMASK_ONNX_CACHE")
    if override:
        return Path(override)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("BertMask", appauthor=False)) / "onnx"


def model_key(folder: Path) -> str:
    """A hash of the model folder's files (names, sizes, modification times) and of
    EXPORT_VERSION: any change to the model names another export."""
    digest = hashlib.sha256(f"bertmask-onnx-{EXPORT_VERSION}".encode())
    for path in sorted(p for p in Path(folder).rglob("*") if p.is_file()):
        stat = path.stat()
        digest.update(f"{path.relative_to(folder).as_posix()}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:24]


def embeddings_name(export_folder: Path) -> str | None:
    """The name both graphs of an export give the model's input embedding matrix (see
    ``embeddings_initializer``), or None (not found, or an older export)."""
    try:
        return json.loads((Path(export_folder) / COMPLETE_FILE).read_text("utf-8")).get(EMBEDDINGS_KEY)
    except (OSError, ValueError, AttributeError):
        return None


def cached(folder: Path) -> Path | None:
    """The complete export of the model in ``folder``, or None (never a partial one)."""
    target = cache_root() / model_key(folder)
    if (target / COMPLETE_FILE).is_file() and (target / FP32_FILE).is_file() and (target / INT8_FILE).is_file():
        return target
    return None


def export(folder: Path, model=None) -> Path:
    """The cached export of the model in ``folder``, made now if missing: a folder
    holding FP32_FILE and INT8_FILE. ``model``: the loaded torch model (fp32, CPU)
    if the caller has one to spare; else a fresh copy is loaded from ``folder`` (the
    app's model keeps serving meanwhile). Raises ExportError."""
    done = cached(folder)
    if done is not None:
        return done
    root = cache_root()
    key = model_key(folder)
    try:
        root.mkdir(parents=True, exist_ok=True)
        _remove_stale(root)
        work = Path(tempfile.mkdtemp(prefix=f"{key}.partial-{os.getpid()}-", dir=root))
    except OSError as exc:
        raise ExportError(f"the cache folder {root} cannot be written ({exc.strerror or exc})") from exc
    try:
        if model is None:
            from bertmask_gui.engine.loading import load_model

            model = load_model(Path(folder), torch.float32)
        with _exporters_quiet():
            export_graph(model, work / FP32_FILE)
            quantize(work / FP32_FILE, work / INT8_FILE)
        embeddings = embeddings_initializer(model, [work / FP32_FILE, work / INT8_FILE])
        if embeddings is not None:
            with_head_reading_in_place(work / FP32_FILE, embeddings)
        (work / COMPLETE_FILE).write_text(
            json.dumps({"version": EXPORT_VERSION, "folder": str(folder), "torch": torch.__version__,
                        EMBEDDINGS_KEY: embeddings}), "utf-8"
        )
        target = root / key
        if target.exists():  # a half-made folder from another version of this code
            shutil.rmtree(target, ignore_errors=True)
        os.replace(work, target)
        return target
    except ExportError:
        raise
    except Exception as exc:  # torch.onnx raises many types for models it cannot export
        log.info("ONNX export of %s failed", folder, exc_info=True)  # the caller says it in one line
        cause = root_cause(exc)
        why = first_line(cause) if cause is exc else f"{first_line(exc).rstrip(': ')}: {type(cause).__name__}: {first_line(cause)}"
        raise ExportError(why) from exc
    finally:
        if work.exists():
            shutil.rmtree(work, ignore_errors=True)


@contextlib.contextmanager
def _exporters_quiet():
    """The exporter's and the quantizer's advice (torchvision missing, "run pre-processing")
    is not for a writer: torch.onnx's loggers say errors only, and what onnxruntime's
    quantizer says with ``logging.warning`` (on the root logger) is dropped: in the app
    the root logger writes to stderr and the log file, and on the command line Python
    would set it up to print."""
    exporter = logging.getLogger("torch.onnx")
    level = exporter.level
    root = logging.getLogger()
    sink = logging.NullHandler() if not root.handlers else None
    quantizer_advice = _FromOnnxRuntime()
    exporter.setLevel(logging.ERROR)
    root.addFilter(quantizer_advice)
    if sink is not None:
        root.addHandler(sink)
    try:
        yield
    finally:
        exporter.setLevel(level)
        root.removeFilter(quantizer_advice)
        if sink is not None:
            root.removeHandler(sink)


class _FromOnnxRuntime(logging.Filter):
    """Drops records below ERROR logged on the root logger from onnxruntime's own code."""

    def filter(self, record: logging.LogRecord) -> bool:
        from_onnxruntime = "onnxruntime" in Path(record.pathname).parts  # relative in the frozen app
        return record.levelno >= logging.ERROR or not from_onnxruntime


class AtPositions(torch.nn.Module):
    """The masked LM as the exported graph sees it: logits at ``positions`` only."""

    def __init__(self, model):
        super().__init__()
        self.model = model
        self.positions = None  # (batch, k), set for the duration of one forward (traced)
        self.pruned = False

    def forward(self, input_ids, attention_mask, positions):
        self.positions, self.pruned = positions, False
        try:
            return self.model(input_ids=input_ids, attention_mask=attention_mask).logits[0]
        finally:
            self.positions = None

    def keep_asked_rows(self, module, args, output):
        """Forward hook on the encoder: the LM head sees only the asked rows, (1, batch·k, hidden)."""
        hidden = output[0]
        if not self.pruned:
            width = hidden.shape[-1]
            picked = hidden.gather(1, self.positions[..., None].expand(-1, -1, width))
            hidden = picked.reshape(1, -1, width)
        if isinstance(output, tuple):
            return (hidden,)
        return type(output)(last_hidden_state=hidden)

    def mark_pruned(self) -> None:
        self.pruned = True


def export_graph(model, path: Path) -> None:
    """Write ``model`` (a transformers masked LM, fp32) as the AtPositions graph."""
    model = model.to(device="cpu", dtype=torch.float32).eval()
    restore_attention = _with_eager_attention(model)
    wrapper = AtPositions(model)
    hook = model.base_model.register_forward_hook(wrapper.keep_asked_rows)
    uninstall = lastlayer.install(model, lambda: wrapper.positions, wrapper.mark_pruned)
    batch, length, asked = torch.export.Dim("batch"), torch.export.Dim("length"), torch.export.Dim("asked")
    example = (
        torch.full((2, 9), 5, dtype=torch.long),
        torch.ones((2, 9), dtype=torch.long),
        torch.tensor([[1, 3], [2, 4]], dtype=torch.long),
    )
    try:
        with torch.inference_mode(False), torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            program = torch.onnx.export(
                wrapper,
                example,
                input_names=["input_ids", "attention_mask", "positions"],
                output_names=["logits"],
                dynamic_shapes=({0: batch, 1: length}, {0: batch, 1: length}, {0: batch, 1: asked}),
                dynamo=True,
                external_data=False,
                verbose=False,
            )
            program.save(str(path), external_data=_needs_external_data(model))
    finally:
        hook.remove()
        if uninstall is not None:
            uninstall()
        restore_attention()


def _with_eager_attention(model):
    """Export the plain attention (matmul, mask, softmax, matmul): the exporter writes
    scaled_dot_product_attention with a guard against fully masked rows (IsNaN, Where
    over every score) that cost 6% of a 450-token pass; the plain graph is 13% faster
    on the seed sentence and the paragraph (ONNX Runtime, bert-base), |Δp| ≤ 6e-10.
    Returns the call that puts the model's own implementation back."""
    config = getattr(model, "config", None)
    previous = getattr(config, "_attn_implementation", None)
    if previous in (None, "eager") or not hasattr(model, "set_attn_implementation"):
        return lambda: None
    try:
        model.set_attn_implementation("eager")
    except Exception:  # noqa: BLE001 - a model without the plain attention exports as it is
        log.info("Exporting with %s attention", previous, exc_info=True)
        return lambda: None
    return lambda: model.set_attn_implementation(previous)


def _needs_external_data(model) -> bool:
    """Protobuf files stop at 2 GB: larger models keep their weights beside the graph."""
    return sum(p.numel() * 4 for p in model.parameters()) > 1_800_000_000


def quantize(source: Path, target: Path) -> None:
    """int8 weights for every MatMul (onnxruntime's dynamic quantization), as fast
    mode and the torch draft quantize every nn.Linear: the LM head's decoder too, whose
    weight (the input embeddings, tied) the graph transposes before its MatMul, so the
    quantizer would leave it fp32 (``with_weights_pretransposed``). bert-base: the int8
    session holds 23 MB for the decoder instead of 94."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    prepared = target.with_name(target.stem + ".pretransposed.onnx")
    try:
        with_weights_pretransposed(source, prepared)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            quantize_dynamic(str(prepared), str(target), weight_type=QuantType.QInt8, op_types_to_quantize=["MatMul"])
    finally:
        prepared.unlink(missing_ok=True)


def with_weights_pretransposed(source: Path, target: Path) -> None:
    """``source`` with every ``MatMul(x, Transpose(weight))`` reading a transposed copy
    of the weight instead (a new initializer; the original stays for its other users,
    such as the embeddings' Gather)."""
    import onnx
    from onnx import numpy_helper

    model = onnx.load(str(source))
    graph = model.graph
    weights = {t.name: t for t in graph.initializer}
    readers: dict[str, list] = {}
    for node in graph.node:
        for name in node.input:
            readers.setdefault(name, []).append(node)
    for node in list(graph.node):
        if node.op_type != "Transpose" or node.input[0] not in weights or len(weights[node.input[0]].dims) != 2:
            continue
        perm = next((list(a.ints) for a in node.attribute if a.name == "perm"), [1, 0])
        users = readers.get(node.output[0], [])
        if perm != [1, 0] or not users or any(u.op_type != "MatMul" or list(u.input).index(node.output[0]) != 1 for u in users):
            continue
        transposed = numpy_helper.from_array(numpy_helper.to_array(weights[node.input[0]]).T.copy(), node.output[0])
        graph.initializer.append(transposed)
        graph.node.remove(node)
    onnx.save(model, str(target), save_as_external_data=_too_large_for_one_file(model))


def with_head_reading_in_place(path: Path, weight: str) -> None:
    """Rewrite ``path`` so that every ``MatMul(x, Transpose(weight))`` (the LM head's
    decoder, tied to the input embeddings) reads ``weight`` as it is stored:
    ``Transpose(MatMul(weight, Transpose(x)))``, the same products. ONNX Runtime folds a
    transposed constant into a copy of its own (bert-base: +89 MB resident in the fp32
    session, measured); this way the one shared matrix serves the embeddings' Gather and
    the head (the int8 graph quantizes its own pretransposed copy instead). Same speed
    (seed sentence 31.3 vs 32.0 ms, 450-token paragraph 514 vs 501 ms), logits within
    3e-6. A MatMul whose input's rank is unknown is left as it is."""
    import onnx
    from onnx import helper

    model = onnx.load(str(path))
    graph = model.graph
    ranks = {v.name: len(v.type.tensor_type.shape.dim) for v in [*graph.value_info, *graph.input, *graph.output]
             if v.type.tensor_type.HasField("shape")}
    readers: dict[str, list] = {}
    for node in graph.node:
        for name in node.input:
            readers.setdefault(name, []).append(node)
    changed = False
    for node in [n for n in graph.node if n.op_type == "Transpose" and n.input[0] == weight]:
        perm = next((list(a.ints) for a in node.attribute if a.name == "perm"), [1, 0])
        users = readers.get(node.output[0], [])
        if perm != [1, 0] or not users or any(u.op_type != "MatMul" or u.input[1] != node.output[0]
                                              or ranks.get(u.input[0], 0) < 2 for u in users):
            continue
        for user in users:
            rank = ranks[user.input[0]]
            swap = [*range(rank - 2), rank - 1, rank - 2]
            x, out = user.input[0], user.output[0]
            at = list(graph.node).index(user)
            graph.node.remove(user)
            for offset, new in enumerate([
                helper.make_node("Transpose", [x], [f"{out}.x_transposed"], perm=swap),
                helper.make_node("MatMul", [weight, f"{out}.x_transposed"], [f"{out}.transposed"]),
                helper.make_node("Transpose", [f"{out}.transposed"], [out], perm=swap),
            ]):
                graph.node.insert(at + offset, new)
        graph.node.remove(node)
        changed = True
    if changed:
        onnx.save(model, str(path), save_as_external_data=_too_large_for_one_file(model))


def _too_large_for_one_file(model) -> bool:
    return model.ByteSize() > 1_800_000_000


def embeddings_initializer(model, graphs: list[Path]) -> str | None:
    """The name of the initializer that holds ``model``'s input embeddings, value for
    value, in every one of ``graphs`` (None if any lacks it). BERT's LM head shares
    that matrix (vocab × hidden, 94 MB for bert-base), so each graph holds a copy; the
    runners give every session the one copy they keep anyway
    (``SessionOptions.add_initializer``). Graphs with their weights outside the file
    (over 2 GB) are not searched. Not found is no failure: each session keeps its copy."""
    try:
        expected = model.get_input_embeddings().weight.detach().float().cpu().numpy()
        found: str | None = None
        for graph in graphs:
            names = _initializers_equal_to(graph, expected)
            found = found or (names[0] if names else None)
            if found is None or found not in names:
                return None
        return found
    except Exception:  # noqa: BLE001 - an unusual model or graph: no sharing, same answers
        log.info("The input embeddings were not found in the ONNX graphs", exc_info=True)
        return None


def _initializers_equal_to(graph: Path, expected) -> list[str]:
    import numpy as np
    import onnx
    from onnx import numpy_helper

    proto = onnx.load(str(graph), load_external_data=False)
    return [
        t.name for t in proto.graph.initializer
        if tuple(t.dims) == expected.shape and t.data_type == onnx.TensorProto.FLOAT and t.HasField("raw_data")
        and np.array_equal(numpy_helper.to_array(t), expected)
    ]


def _remove_stale(root: Path) -> None:
    """Temporary folders of exports that never finished (a crash, a closed app): those
    of processes no longer running (another BertMask may be exporting right now)."""
    for entry in root.glob("*.partial-*"):
        pid = entry.name.split(".partial-", 1)[1].split("-", 1)[0]
        if pid.isdigit() and int(pid) != os.getpid() and _running(int(pid)):
            continue
        shutil.rmtree(entry, ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True
