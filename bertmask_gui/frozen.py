"""Start-up fixes for the packaged (PyInstaller) app; no-ops when run from source.

A windowed frozen app has no console: ``sys.stdout``/``sys.stderr`` can be None, and
anything that prints (argparse, a stray ``print``) would crash it. The packaged app
must also never reach the network unless the writer asked for a download.
"""

from __future__ import annotations

import os
import sys
import warnings


def is_frozen() -> bool:
    return bool(getattr(sys, "frozen", False))


def prepare_frozen_runtime() -> None:
    """Call first thing in ``main()``: streams that exist, Hugging Face offline."""
    if not is_frozen():
        return
    _ensure_streams()
    # Offline by default: huggingface_hub refuses every request while this is set.
    # A download the writer starts calls allow_hub_downloads() first.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    # The app ships torch as bytecode only: TorchScript's overload registry then warns,
    # once per overloaded function, that it cannot read the source. The app never
    # scripts a model, so the warnings are noise.
    warnings.filterwarnings("ignore", message=r"Unable to retrieve source for @torch\.jit\._overload")


def allow_hub_downloads() -> None:
    """Lift the packaged app's offline default, for a download the writer started."""
    os.environ["HF_HUB_OFFLINE"] = "0"
    constants = sys.modules.get("huggingface_hub.constants")
    if constants is not None:  # read once at import: update the live value too
        constants.HF_HUB_OFFLINE = False


def _ensure_streams() -> None:
    if sys.stdout is not None and sys.stderr is not None:
        return
    if sys.platform == "win32":
        _attach_parent_console()  # started from cmd.exe: print there
    devnull = None
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            if devnull is None:
                devnull = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 (lives as long as the app)
            setattr(sys, name, devnull)


def _attach_parent_console() -> None:
    """Windows: when started from a terminal, write to it (``--predict``, ``--self-test``)."""
    try:
        import ctypes

        if not ctypes.windll.kernel32.AttachConsole(-1):  # ATTACH_PARENT_PROCESS
            return  # double-clicked: there is no console, and that is fine
        if sys.stdout is None:
            sys.stdout = open("CONOUT$", "w", encoding="utf-8")  # noqa: SIM115
        if sys.stderr is None:
            sys.stderr = open("CONOUT$", "w", encoding="utf-8")  # noqa: SIM115
    except (AttributeError, OSError):
        pass
