"""Screenshots of selection mode and fill-all for the README.

    xvfb-run -a -s "-screen 0 1280x800x24" python docs/screenshots/take.py MODEL_FOLDER
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QApplication

from bertmask_gui.app import create_window

HERE = Path(__file__).resolve().parent


def main(model: str) -> int:
    window = create_window(model=model, device="cpu")
    window.resize(1100, 600)
    window.show()
    app = QApplication.instance()
    steps = []

    def wait(condition, then):
        def poll():
            if condition():
                QTimer.singleShot(300, then)
            else:
                QTimer.singleShot(50, poll)

        poll()

    def selection():
        text = "I really love the movie. It was quite interesting, and the ending was clever."
        window.editor.setPlainText(text)
        window._debounce.stop()
        cursor = window.editor.textCursor()
        cursor.setPosition(9)
        cursor.setPosition(13, QTextCursor.MoveMode.KeepAnchor)
        window.editor.setTextCursor(cursor)
        window.writer.suggest()
        wait(lambda: window._shown is not None and window._shown[1].mode == "span", shot_selection)

    def shot_selection():
        window.grab().save(str(HERE / "selection-mode.png"))
        steps.append("selection")
        window.editor.setPlainText("The [MASK] was late, so we [MASK] home in the rain.")
        window.predict_now()
        wait(lambda: window._shown is not None and window._shown[1].fills, shot_fill_all)

    def shot_fill_all():
        window.grab().save(str(HERE / "fill-all.png"))
        steps.append("fill-all")
        window.editor.document().setModified(False)
        window.close()
        app.quit()

    wait(lambda: window._model_ready, selection)
    app.exec()
    print("saved:", steps)
    return 0 if len(steps) == 2 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
