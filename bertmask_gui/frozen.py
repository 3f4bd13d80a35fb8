"""Start-up fixes for the packaged (PyInstaller) app; no-ops when run from source.

A windowed frozen app has no console: ``sys.stdout``/``sys.stderr`` can be None, and
anything that prints (argparse, a stray ``print``) would crash it. The packaged app
must also never reach the network unless the writer asked for a download.
"""

from __future__ import annotations

import os
import sys
import warnings

# True while HF_HUB_OFFLINE=1 is this module's doing, not the user's. Public so a test can
# start from a known state (monkeypatch.setattr(frozen, "offline_by_default", False)).
offline_by_default = False


def is_frozen() -> bool:
    return bool(getattr(sys, "frozen", False))


def prepare_frozen_runtime() -> None:
    """Call first thing in ``main()``: streams that exist, Hugging Face offline."""
    if not is_frozen():
        return
    _ensure_streams()
    # Offline by default: huggingface_hub refuses every request while this is set.
    # A download the writer starts calls allow_hub_downloads() first.
    global offline_by_default
    if "HF_HUB_OFFLINE" not in os.environ:
        os.environ["HF_HUB_OFFLINE"] = "1"
        offline_by_default = True
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    # The app ships torch as bytecode only: TorchScript's overload registry then warns,
    # once per overloaded function, that it cannot read the source. The app never
    # scripts a model, so the warnings are noise.
    warnings.filterwarnings("ignore", message=r"Unable to retrieve source for @torch\.jit\._overload")


def allow_hub_downloads() -> None:
    """Lift the packaged app's offline default, for a download the writer started.

    An HF_HUB_OFFLINE the user set stays in force (the download then says so).
    """
    global offline_by_default
    if not offline_by_default:
        return
    offline_by_default = False
    del os.environ["HF_HUB_OFFLINE"]
    constants = sys.modules.get("huggingface_hub.constants")
    if constants is not None:  # read once at import: update the live value too
        legacy = os.environ.get("TRANSFORMERS_OFFLINE", "").upper() in {"1", "ON", "YES", "TRUE"}
        constants.HF_HUB_OFFLINE = legacy


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
