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
