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
    from torch.ao.quantization import quantize_dynamic

    engines = torch.backends.quantized.supported_engines
    if torch.backends.quantized.engine not in engines or torch.backends.quantized.engine == "none":
        for engine in ("x86", "fbgemm", "qnnpack", "onednn"):  # qnnpack: ARM, Apple Silicon
            if engine in engines:
                torch.backends.quantized.engine = engine
                break
    with warnings.catch_warnings():  # torch.ao.quantization is deprecated but still works
        warnings.simplefilter("ignore")
        return quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8, inplace=True)


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
