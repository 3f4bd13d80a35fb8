"""Keep the window turning while torch loads: its shared libraries loaded with the GIL
released ahead of ``import torch``, and the garbage collector paused (``collector_paused``).

``import torch`` loads ~500 MB of shared libraries and runs their static initialisers
(operator registration) inside one dlopen, with the GIL held: the window's thread, which
needs the GIL for every Python slot, stalls for hundreds of milliseconds. ``ctypes.CDLL``
holds the GIL too, but a call through a ctypes *function* releases it, so calling the C
library's own ``dlopen`` does that work while the window keeps running. The later
``import torch`` finds the libraries already loaded. Figures: docs/PERFORMANCE.md,
"GUI stall while the model loads".
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import importlib.util
import logging
import os
import sys
from pathlib import Path

log = logging.getLogger(__name__)

# Dependencies first, so each dlopen finds the ones before it already loaded.
TORCH_LIBRARIES = ("libgomp.so.1", "libc10.so", "libtorch_cpu.so", "libtorch.so")


def torch_library_dir() -> Path | None:
    if "torch" in sys.modules:
        return None
    spec = importlib.util.find_spec("torch")  # locates torch without importing it
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(list(spec.submodule_search_locations)[0]) / "lib"
    return folder if folder.is_dir() else None


def preload_torch_libraries() -> int:
    """Load torch's libraries without the GIL (Linux); returns how many were loaded.

    Only an optimisation: any failure leaves the work to ``import torch``.
    """
    folder = torch_library_dir() if sys.platform.startswith("linux") else None
    if folder is None:
        return 0
    try:
        dlopen = ctypes.CDLL(None).dlopen  # the process's own dlopen; calling it releases the GIL
    except (OSError, AttributeError):
        return 0
    dlopen.restype = ctypes.c_void_p
    dlopen.argtypes = (ctypes.c_char_p, ctypes.c_int)
    loaded = 0
    for name in TORCH_LIBRARIES:
        path = folder / name
        # RTLD_LOCAL, as when import torch loads them: no symbols leak into later libraries.
        if path.is_file() and dlopen(os.fsencode(path), os.RTLD_LAZY | os.RTLD_LOCAL):
            loaded += 1
    log.debug("Preloaded %d of torch's libraries from %s", loaded, folder)
    return loaded


@contextlib.contextmanager
def collector_paused():
    """Python's cyclic garbage collector off while torch and the model load.

    Importing torch and transformers creates millions of objects, so the collector
    runs full passes over all of them, each holding the GIL for ~200 ms: the window's
    thread stalls for the whole pass. Paused, the longest stall while loading fell from
    ~200 ms to ~45 ms and the load got ~1 s faster (benchmarks/load_stall.py,
    docs/PERFORMANCE.md). Afterwards ``gc.freeze`` moves what loading made (modules,
    the model) out of the collector's sight, so later passes stay short as well.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()
