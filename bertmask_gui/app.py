"""Entry point: arguments, QApplication, the main window."""

from __future__ import annotations

import argparse
import logging
import sys

from bertmask_gui import APP_NAME, __version__
from bertmask_gui.engine.models import DEFAULT_MODEL, default_model
from bertmask_gui.engine.options import DEVICE_CHOICES, ENGINE_CHOICES, MAX_TOP_K, MIN_TOP_K

log = logging.getLogger(__name__)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bertmask-gui",
        description="Explore word choices with a masked language model: type [MASK] and pick a word.",
    )
    parser.add_argument("file", nargs="?", help="a UTF-8 text file to open in the editor")
    parser.add_argument(
        "--model", help=f"model folder or Hugging Face id (default: the bundled model, else {DEFAULT_MODEL})"
    )
    parser.add_argument("--device", choices=DEVICE_CHOICES, help="where the model runs (default: Preferences, else auto)")
    parser.add_argument("--top-k", type=_top_k, help="candidates per mask, 1-50 (default: Preferences, else 5)")
    parser.add_argument("--fast", action="store_true", help="int8 model on the CPU: about 2-3x faster, approximate scores")
    parser.add_argument(
        "--engine",
        choices=ENGINE_CHOICES,
        help="on the CPU: onnx = ONNX Runtime (the model is exported once, cached), torch, or auto "
        "(ONNX Runtime if already exported, else torch; the window exports in the background) (default: Preferences, else auto)",
    )
    parser.add_argument("--predict", metavar="TEXT", help="print candidates for TEXT and exit (no window)")
    parser.add_argument("--json", action="store_true", help="with --predict or --score: print JSON")
    parser.add_argument(
        "--pieces", action="store_true", help="with --predict: the model's raw single-token ranking, not whole words"
    )
    parser.add_argument(
        "--explain", action="store_true", help="with --predict: the context words that most support each first candidate"
    )
    parser.add_argument("--score", metavar="TEXT", help="print how expected every word of TEXT is in its place, and exit")
    parser.add_argument("--check", metavar="TEXT", help="print the misspelled and confused words of TEXT with fixes, and exit")
    parser.add_argument("--unusual", action="store_true", help="with --check: also the least expected words")
    parser.add_argument("--verbose", action="store_true", help="log debug details")
    parser.add_argument("--self-test", action="store_true", help="load the model, predict a test sentence, exit")
    parser.add_argument("--quit-after", type=int, metavar="MS", help=argparse.SUPPRESS)  # smoke tests
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    return parser.parse_args(argv)


def _top_k(value: str) -> int:
    number = int(value)
    if not MIN_TOP_K <= number <= MAX_TOP_K:
        raise argparse.ArgumentTypeError(f"must be between {MIN_TOP_K} and {MAX_TOP_K}")
    return number


def _qt_application():
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
    app.setOrganizationName(APP_NAME)
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("bertmask")  # matches resources/bertmask.desktop (Wayland app id)
    return app


def create_window(
    model: str | None = None,
    device: str | None = None,
    top_k: int | None = None,
    file: str | None = None,
    fast: bool = False,
    engine: str | None = None,
):
    """The main window, not yet shown; the model starts loading when it is shown.

    ``model`` None means: the model chosen last time, else the default model;
    ``device`` / ``top_k`` None mean: as saved in Preferences.
    """
    from PySide6.QtGui import QIcon

    from bertmask_gui.paths import icon_path
    from bertmask_gui.ui import settings
    from bertmask_gui.ui.main_window import MainWindow
    from bertmask_gui.ui.preferences import apply_theme
    from bertmask_gui.ui.settings import Key

    app = _qt_application()
    app.setWindowIcon(QIcon(str(icon_path())))
    apply_theme(settings.theme(), app)
    if model is None:
        model = settings.text(Key.MODEL) or default_model()
    window = MainWindow(model, device=device or settings.device(), top_k=top_k or settings.top_k(), fast=fast)
    if engine is not None:  # the command line's choice ("onnx" in a window: as soon as it is exported)
        window.engine_choice = "torch" if engine == "torch" else "auto"
    if file:
        window.load_text_file(file)
    return window


def main(argv: list[str] | None = None) -> int:
    import multiprocessing

    from bertmask_gui.frozen import prepare_frozen_runtime

    multiprocessing.freeze_support()
    prepare_frozen_runtime()
    args = parse_args(argv)
    if args.verbose and any(a is not None for a in (args.predict, args.score, args.check)):
        from bertmask_gui.logs import setup_logging  # the command line's details on stderr

        setup_logging(verbose=True)
    if args.predict is not None:
        from bertmask_gui.cli import run_predict

        model = args.model or default_model()
        return run_predict(
            args.predict,
            model,
            args.device or "auto",
            args.top_k or 5,
            args.json,
            pieces=args.pieces,
            fast=args.fast,
            explain=args.explain,
            engine=args.engine or "auto",
        )
    if args.score is not None:
        from bertmask_gui.cli import run_score

        return run_score(args.score, args.model or default_model(), args.device or "auto", args.json, fast=args.fast, engine=args.engine or "auto")
    if args.check is not None:
        from bertmask_gui.cli import run_check

        return run_check(
            args.check, args.model or default_model(), args.device or "auto", args.json, args.unusual, args.fast,
            engine=args.engine or "auto",
        )

    from bertmask_gui.logs import setup_logging

    path = setup_logging(args.verbose)
    log.info("%s %s starting; log file %s", APP_NAME, __version__, path)
    if args.self_test:
        from bertmask_gui.selftest import run_self_test

        return run_self_test(args.model, args.device or "auto", args.top_k or 5)
    if not platform_plugin_loads():
        return 1
    app = _qt_application()
    window = create_window(args.model, args.device, args.top_k, args.file, fast=args.fast, engine=args.engine)
    from bertmask_gui.ui.file_open import open_files_from_the_desktop

    open_files_from_the_desktop(app, window)  # macOS: "Open with" arrives as an event
    if args.quit_after is not None:
        _quit_after_load(window, args.quit_after)
    window.show()
    return app.exec()


def platform_plugin_loads() -> bool:
    """Qt aborts when its platform plugin cannot load: say why in a sentence instead."""
    from bertmask_gui.qt_platform import platform_problem

    problem = platform_problem()
    if problem is None:
        return True
    print(problem, file=sys.stderr)
    log.info("%s", problem)  # INFO: only the log file, which a windowed app (no console) keeps
    return False


def _quit_after_load(window, ms: int) -> None:
    """Smoke tests: close the window ``ms`` ms after the model loaded (or failed to load)."""
    from PySide6.QtCore import QObject, QTimer, Slot

    class QuitAfterLoad(QObject):  # lives in the GUI thread: the worker's signals are queued to it
        @Slot()
        def arm(self, *_):
            log.info("Model load finished; closing in %d ms (--quit-after)", ms)
            QTimer.singleShot(ms, window.close)

    quitter = QuitAfterLoad(window)
    window.worker.loaded.connect(quitter.arm)
    window.worker.load_failed.connect(quitter.arm)
