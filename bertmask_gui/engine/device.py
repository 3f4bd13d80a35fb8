"""Choosing where the model runs: CUDA, then Apple MPS, then CPU."""

from __future__ import annotations

import torch

from bertmask_gui.engine.options import DEVICE_CHOICES


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


def physical_cores(cpuinfo: str | None = None, allowed: set[int] | None = None) -> int:
    """Physical CPU cores this process may run on (hyper-threads not counted).

    Linux: distinct (physical id, core id) pairs in /proc/cpuinfo among the CPUs in
    our affinity mask. Elsewhere, or if that fails: the CPUs we may use. Never < 1.
    ``cpuinfo`` and ``allowed`` replace the system's (for tests).
    """
    import os

    if allowed is None:
        try:
            allowed = set(os.sched_getaffinity(0))
        except (AttributeError, OSError):
            allowed = set(range(os.cpu_count() or 1))
    if cpuinfo is None:
        try:
            with open("/proc/cpuinfo", encoding="ascii", errors="replace") as f:
                cpuinfo = f.read()
        except OSError:
            return max(1, len(allowed))
    blocks = cpuinfo.split("\n\n")
    cores = set()
    for block in blocks:
        fields = dict(
            (key.strip(), value.strip())
            for key, _, value in (line.partition(":") for line in block.splitlines())
        )
        if "processor" not in fields or not fields["processor"].isdigit():
            continue
        if int(fields["processor"]) in allowed:
            cores.add((fields.get("physical id", "0"), fields.get("core id", fields["processor"])))
    return max(1, min(len(cores), len(allowed))) if cores else max(1, len(allowed))


def configure_threads(device: torch.device) -> int:
    """Run CPU inference on one thread per physical core; return the count.

    Hyper-threads share a core's vector units, so extra threads only add contention.
    An explicit OMP_NUM_THREADS from the user wins.
    """
    import os

    if device.type != "cpu" or os.environ.get("OMP_NUM_THREADS"):
        return torch.get_num_threads()
    wanted = physical_cores()
    if torch.get_num_threads() != wanted:
        torch.set_num_threads(wanted)
    return wanted
