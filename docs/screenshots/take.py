"""Screenshots for the README: the main window, selection mode and fill-all (taken with
prose-mlm-small, a small real English BERT), and the first launch.

    xvfb-run -a -s "-screen 0 1280x800x24" python docs/screenshots/take.py /work/shared/models/prose-mlm-small
    HF_HOME=$(mktemp -d) XDG_DATA_HOME=$(mktemp -d) XDG_CONFIG_HOME=$(mktemp -d) \
        xvfb-run -a -s "-screen 0 1280x800x24" python docs/screenshots/take.py --first-launch
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QApplication

from bertmask_gui.app import create_window

HERE = Path(__file__).resolve().parent


def screenshot_window(model: str | None):
    """The main window on ``model`` (None: the default), shown at the README's size."""
    window = create_window(model=model, device="cpu")
    window.resize(1100, 600)
    window.show()
    return window


def wait(condition, then) -> None:
    """Call ``then`` 300 ms after ``condition()`` holds (the event loop keeps turning)."""

    def poll():
        if condition():
            QTimer.singleShot(300, then)
        else:
            QTimer.singleShot(50, poll)

    poll()


def finish(app, window) -> None:
    """Close the window without a "save changes?" box (the script typed) and quit."""
    window.editor.document().setModified(False)
    window.close()
    app.quit()


def main(model: str) -> int:
    window = screenshot_window(model)
    app = QApplication.instance()
    steps = []

    def main_window():
        window.editor.setPlainText("I really [MASK] the movie. It was quite [MASK], and the ending was clever.")
        window.predict_now()
        wait(lambda: window.session.shown is not None and window.session.shown.prediction.fills, shot_main)

    def shot_main():
        window.grab().save(str(HERE.parent / "screenshot.png"))
        steps.append("main")
        selection()

    def selection():
        text = "I really love the movie. It was quite interesting, and the ending was clever."
        window.editor.setPlainText(text)
        window.session.stop()
        cursor = window.editor.textCursor()
        cursor.setPosition(9)
        cursor.setPosition(13, QTextCursor.MoveMode.KeepAnchor)
        window.editor.setTextCursor(cursor)
        window.writer.suggest()
        wait(lambda: window.session.shown is not None and window.session.shown.prediction.mode == "span", shot_selection)

    def shot_selection():
        window.grab().save(str(HERE / "selection-mode.png"))
        steps.append("selection")
        window.statusBar().clearMessage()  # the selection's "Looking for alternatives…"
        window.editor.setPlainText("The [MASK] was late, so we [MASK] home in the rain.")
        window.predict_now()
        wait(lambda: window.session.shown is not None and window.session.shown.prediction.fills, shot_fill_all)

    def shot_fill_all():
        window.grab().save(str(HERE / "fill-all.png"))
        steps.append("fill-all")
        finish(app, window)

    wait(lambda: window.session.ready, main_window)
    app.exec()
    print("saved:", steps)
    return 0 if len(steps) == 3 else 1


def first_launch() -> int:
    """No model on disk (run with empty HF_HOME / XDG folders): the panel's download offer."""
    window = screenshot_window(None)
    window.editor.setPlainText("I really [MASK] the movie.")
    app = QApplication.instance()
    saved = []

    def poll():
        if not window.panel.no_model.isVisible():
            QTimer.singleShot(50, poll)
            return
        QTimer.singleShot(300, lambda: saved.append(window.grab().save(str(HERE / "first-launch.png"))) or app.quit())

    poll()
    app.exec()
    window.editor.document().setModified(False)
    window.close()
    print("saved:", saved)
    return 0 if saved == [True] else 1


if __name__ == "__main__":
    sys.exit(first_launch() if sys.argv[1] == "--first-launch" else main(sys.argv[1]))
