"""BERTMASK_TRACE_STARTUP=1: print startup milestones to stderr, then quit.

Used by ``benchmarks/`` to time launch → window shown → model loaded → first
candidates in a separate process. Each line: ``bertmask-trace EVENT EPOCH_SECONDS``.
"""

from __future__ import annotations

import os
import sys
import time

ENV = "BERTMASK_TRACE_STARTUP"


def enabled() -> bool:
    return os.environ.get(ENV, "") not in ("", "0")


def trace(event: str) -> None:
    if enabled() and sys.stderr is not None:
        print(f"bertmask-trace {event} {time.time():.6f}", file=sys.stderr, flush=True)
