"""Entry point: arguments, QApplication, the main window."""

from __future__ import annotations

import argparse
import logging
import sys

from bertmask_gui import APP_NAME, __version__
from bertmask_gui.engine.models import DEFAULT_MODEL

log = logging.getLogger(__name__)
DEVICES = ("auto", "cpu", "cuda", "mps")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bertmask-gui",
        description="Explore word choices with a masked language model: type [MASK] and pick a word.",
    )
    parser.add_argument("file", nargs="?", help="a UTF-8 text file to open in the editor")
    parser.add_argument("--model", help=f"model folder or Hugging Face id (default: {DEFAULT_MODEL})")
    parser.add_argument("--device", choices=DEVICES, default="auto", help="where the model runs (default: auto)")
    parser.add_argument("--top-k", type=_top_k, default=5, help="candidates per mask, 1-50 (default: 5)")
    parser.add_argument("--predict", metavar="TEXT", help="print candidates for TEXT and exit (no window)")
    parser.add_argument("--json", action="store_true", help="with --predict: print JSON")
    parser.add_argument(
        "--pieces", action="store_true", help="with --predict: the model's raw single-token ranking, not whole words"
    )
    parser.add_argument("--verbose", action="store_true", help="log debug details")
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    return parser.parse_args(argv)


def _top_k(value: str) -> int:
    number = int(value)
    if not 1 <= number <= 50:
        raise argparse.ArgumentTypeError("must be between 1 and 50")
    return number


def _qt_application():
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
    app.setOrganizationName(APP_NAME)
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    return app


def create_window(model: str | None = None, device: str = "auto", top_k: int = 5, file: str | None = None):
    """The main window, not yet shown; the model starts loading when it is shown.

    ``model`` None means: the folder chosen last time, else the default model.
    """
    from PySide6.QtCore import QSettings
    from PySide6.QtGui import QIcon

    from bertmask_gui.paths import icon_path
    from bertmask_gui.ui.main_window import MODEL_SETTING, MainWindow

    app = _qt_application()
    app.setWindowIcon(QIcon(str(icon_path())))
    if model is None:
        model = QSettings().value(MODEL_SETTING, "", type=str) or DEFAULT_MODEL
    window = MainWindow(model, device=device, top_k=top_k)
    if file:
        window.load_text_file(file)
    return window


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.predict is not None:
        from bertmask_gui.cli import run_predict

        return run_predict(
            args.predict, args.model or DEFAULT_MODEL, args.device, args.top_k, args.json, pieces=args.pieces
        )

    from bertmask_gui.logs import setup_logging

    path = setup_logging(args.verbose)
    log.info("%s %s starting; log file %s", APP_NAME, __version__, path)
    app = _qt_application()
    window = create_window(args.model, args.device, args.top_k, args.file)
    window.show()
    return app.exec()
