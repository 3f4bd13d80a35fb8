"""Screenshots of issue 14 for the README: try in place, compare, why, unusual words.

    xvfb-run -a -s "-screen 0 1280x800x24" python docs/screenshots/take_explore.py MODEL_FOLDER
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QApplication

from take import finish, screenshot_window, wait  # the README screenshots' shared setup

HERE = Path(__file__).resolve().parent


def main(model: str) -> int:
    window = screenshot_window(model)
    app = QApplication.instance()
    saved = []

    def shot(name):
        saved.append(name)
        window.grab().save(str(HERE / f"{name}.png"))

    def cycling():
        window.editor.setPlainText("She played the [MASK] in the school orchestra every Friday.")
        window.predict_now()
        wait(lambda: window.session.shown is not None and window.session.shown.prediction.masks, cycle_twice)

    def cycle_twice():
        window.writer.pick(1)
        window.writer.cycler.next()
        window.writer.cycler.next()
        QTimer.singleShot(300, lambda: (shot("try-in-place"), why()))

    def why():
        window.editor.setPlainText("I drank a cup of hot [MASK] this morning before work.")
        window.predict_now()
        wait(lambda: window.session.shown is not None and window.session.shown.prediction.masks, pick_row)

    def pick_row():
        model = window.candidates.model()
        window.candidates.setCurrentIndex(model.index(model.candidate_rows(0)[0], 0))
        wait(lambda: bool(window.explore.supporting), lambda: (shot("why-this-word"), compare()))

    def compare():
        text = "The weather today is quite nice, so we walked to the park."
        window.editor.setPlainText(text)
        window.session.stop()
        start = text.index("nice")
        cursor = window.editor.textCursor()
        cursor.setPosition(start)
        cursor.setPosition(start + 4, QTextCursor.MoveMode.KeepAnchor)
        window.editor.setTextCursor(cursor)
        window.writer.suggest()
        wait(lambda: window.session.shown is not None and window.session.shown.prediction.mode == "span", ask_compare)

    def ask_compare():
        window.panel.compare.setText("lovely, pleasant, democratic")
        window.writer.compare()
        wait(
            lambda: window.session.shown is not None
            and any(c.compared for c in window.session.shown.prediction.masks[0].candidates),
            lambda: (shot("compare-with"), unusual()),
        )

    def unusual():
        text = "The cat sat on the democracy and purred quietly in the warm sun."
        window.editor.setPlainText(text)
        cursor = window.editor.textCursor()
        cursor.setPosition(len(text))
        window.editor.setTextCursor(cursor)
        window.explore.action.setChecked(True)
        wait(lambda: bool(window.explore.unusual), lambda: (shot("unusual-words"), done()))

    def done():
        finish(app, window)

    wait(lambda: window.session.ready, cycling)
    app.exec()
    print("saved:", saved)
    return 0 if len(saved) == 4 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
