"""Choosing where the model runs: CUDA, then Apple MPS, then CPU."""

from __future__ import annotations

import torch

DEVICE_CHOICES = ("auto", "cpu", "cuda", "mps")


def available_devices() -> list[str]:
    """The devices this machine can run on, best first (CPU always last)."""
    found = []
    if torch.cuda.is_available():
        found.append("cuda")
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        found.append("mps")
    found.append("cpu")
    return found


def resolve_device(requested: str = "auto") -> tuple[torch.device, str | None]:
    """The device to use for ``requested`` and, if we could not honour it, why.

    An unavailable accelerator falls back to the CPU with a notice, never an error:
    the app must run on any laptop.
    """
    requested = (requested or "auto").lower()
    if requested not in DEVICE_CHOICES:
        raise ValueError(f"Unknown device {requested!r}: choose one of {', '.join(DEVICE_CHOICES)}.")
    available = available_devices()
    if requested == "auto":
        return torch.device(available[0]), None
    if requested in available:
        return torch.device(requested), None
    return torch.device("cpu"), f"{requested.upper()} is not available on this machine; using the CPU."


def dtype_for(device: torch.device) -> torch.dtype:
    """fp16 on CUDA (exact enough, twice as fast); fp32 elsewhere."""
    return torch.float16 if device.type == "cuda" else torch.float32
