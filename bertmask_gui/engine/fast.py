"""Fast mode (opt-in, approximate): int8 linear layers and a shorter context.

Every ``nn.Linear`` (attention, feed-forward, LM head) is replaced by torch's dynamic
int8 version: weights stored in int8 (4× smaller), activations quantized per call.
The model also reads at most ``FAST_CONTEXT_TOKENS`` tokens around the masks (the
exact mode reads up to the model's limit, 512 for BERT): the cost of a long paragraph
then stays that of a short one. Probabilities differ from the exact model's, so the
app labels this mode approximate. Quantization applies to the CPU only; on CUDA the
exact mode already runs in fp16.
"""

from __future__ import annotations

import logging
import warnings

import torch

log = logging.getLogger(__name__)

FAST_CONTEXT_TOKENS = 128  # special tokens included
CPU_ONLY_NOTICE = "Fast mode only changes CPU inference; on {device} the model runs as usual."


def quantize_linear_layers(model: torch.nn.Module) -> torch.nn.Module:
    """``model`` with every nn.Linear replaced in place by a dynamic int8 Linear."""
    model = _quantized(model)
    _own_memory(model)
    release_weight_file_pages()
    return model


def quantized_copy(model: torch.nn.Module) -> torch.nn.Module:
    """An int8 copy of ``model`` beside it (the whole-word search's draft,
    rankings.words): each linear layer quantized straight from the original's weights
    (no fp32 copy is ever made), the embeddings (not quantized) shared with ``model``.
    Costs ~110 MB and ~1 s for bert-base on 2 CPU cores."""
    import copy

    from torch.ao.nn.quantized.dynamic import Linear as DynamicLinear
    from torch.ao.quantization import default_dynamic_qconfig

    _choose_engine()
    embeddings = model.get_input_embeddings()
    shared = {id(t): t for t in [embeddings, *embeddings.parameters(), *embeddings.buffers()]}
    with warnings.catch_warnings():  # torch.ao.quantization is deprecated but still works
        warnings.simplefilter("ignore")
        for module in model.modules():
            if type(module) is torch.nn.Linear:
                module.qconfig = default_dynamic_qconfig  # from_float reads it
                try:
                    shared[id(module)] = DynamicLinear.from_float(module)
                finally:
                    del module.qconfig
    return copy.deepcopy(model, shared).eval()


def _choose_engine() -> None:
    engines = torch.backends.quantized.supported_engines
    if torch.backends.quantized.engine not in engines or torch.backends.quantized.engine == "none":
        for engine in ("x86", "fbgemm", "qnnpack", "onednn"):  # qnnpack: ARM, Apple Silicon
            if engine in engines:
                torch.backends.quantized.engine = engine
                break


def _quantized(model: torch.nn.Module) -> torch.nn.Module:
    from torch.ao.quantization import quantize_dynamic

    _choose_engine()
    with warnings.catch_warnings():  # torch.ao.quantization is deprecated but still works
        warnings.simplefilter("ignore")
        return quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8, inplace=True)


def _own_memory(model: torch.nn.Module) -> None:
    """Copy the remaining fp32 tensors out of the memory-mapped weights file.

    transformers maps model.safetensors and its tensors are views of that mapping; one
    surviving view (the embeddings) keeps all of it resident, fp32 linear weights
    included, although the int8 copies replaced them. Copied, the mapping is released.
    (No ``gc.collect()`` after it: the old views go by reference counting, the RSS is the
    same without it (593 vs 602 MB after loading bert-base), and a full collection held
    the GIL ~200 ms while the window waited for the load.)
    """
    with torch.no_grad():
        for module in model.modules():
            for name, param in module.named_parameters(recurse=False):
                param.data = param.data.clone()
            for name, buffer in list(module.named_buffers(recurse=False)):
                if buffer is not None:
                    setattr(module, name, buffer.clone())  # nn.Module keeps it a buffer


def make_fast(model: torch.nn.Module, device: torch.device) -> tuple[torch.nn.Module, bool, str | None]:
    """(model, approximate?, notice): quantized on the CPU, untouched elsewhere."""
    if device.type != "cpu":
        return model, False, CPU_ONLY_NOTICE.format(device=device.type.upper())
    model = quantize_linear_layers(model)
    log.info("Fast mode: linear layers quantized to int8")
    return model.eval(), True, None


def quantized_linear_count(model: torch.nn.Module) -> int:
    """How many dynamic int8 Linear layers ``model`` holds."""
    from torch.ao.nn.quantized.dynamic import Linear as DynamicLinear

    return sum(isinstance(m, DynamicLinear) for m in model.modules())


def release_weight_file_pages() -> None:
    """Drop the resident pages of memory-mapped *.safetensors files (Linux only).

    After ``_own_memory`` no tensor reads them, yet transformers keeps the mapping alive
    (not from any tensor of the model), so the fp32 weights quantization touched stay
    counted in RSS: ~440 MB for bert-base. MADV_DONTNEED on a private, never-written
    file mapping only gives the pages back; should anything read them again they are
    read from the file, unchanged. Anywhere this cannot be done, nothing happens.
    """
    import ctypes
    import sys

    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        madvise = libc.madvise
        madvise.argtypes = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int)
        with open("/proc/self/maps", encoding="utf-8", errors="replace") as maps:
            regions = [line.split() for line in maps if line.rstrip().endswith(".safetensors")]
    except (OSError, AttributeError):
        return
    MADV_DONTNEED = 4
    for fields in regions:
        if len(fields) < 6 or "p" not in fields[1]:  # private mappings only
            continue
        start, end = (int(x, 16) for x in fields[0].split("-"))
        if madvise(start, end - start, MADV_DONTNEED) != 0:
            log.debug("madvise failed on %s (errno %d)", fields[-1], ctypes.get_errno())


def return_freed_heap() -> None:
    """Hand the heap memory freed since (large models let go) back to the system:
    glibc keeps freed blocks for reuse and ``malloc_trim`` returns them (Linux, glibc
    only; elsewhere nothing happens)."""
    import ctypes
    import sys

    if not sys.platform.startswith("linux"):
        return
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):  # musl and others have no malloc_trim
        return
