"""Preloading torch's libraries without the GIL: torch still imports and computes after it."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bertmask_gui.torch_preload import preload_torch_libraries

PRELOAD_THEN_IMPORT = """
import sys
from bertmask_gui.torch_preload import TORCH_LIBRARIES, preload_torch_libraries
loaded = preload_torch_libraries()
import torch
print(loaded, len(TORCH_LIBRARIES), int(torch.ones(3).sum()))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="dlopen preloading is Linux-only")
def test_preloaded_libraries_serve_the_later_import():
    done = subprocess.run([sys.executable, "-c", PRELOAD_THEN_IMPORT], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    loaded, wanted, total = map(int, done.stdout.split())
    assert loaded >= wanted - 1  # libgomp is absent from some torch builds
    assert total == 3


def test_nothing_is_preloaded_once_torch_is_imported():
    import torch  # noqa: F401 (the test process has it already; make sure)

    assert preload_torch_libraries() == 0


def test_collector_is_paused_during_the_load_and_back_after():
    import gc

    from bertmask_gui.torch_preload import collector_paused

    assert gc.isenabled()
    try:
        with collector_paused():
            assert not gc.isenabled()
            made = [[] for _ in range(1000)]  # what the load makes is frozen afterwards
        assert gc.isenabled() and gc.get_freeze_count() >= len(made)
        with pytest.raises(ValueError), collector_paused():  # a failed load re-enables it too
            raise ValueError("the model folder is broken")
        assert gc.isenabled()
        gc.disable()
        with collector_paused():
            pass
        assert not gc.isenabled()  # left as it was found
    finally:
        gc.enable()
        gc.unfreeze()
