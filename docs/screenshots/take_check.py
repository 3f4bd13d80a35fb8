"""Screenshot of issue 19 for the README: the draft checker catching real errors.

    xvfb-run -a -s "-screen 0 1280x800x24" python docs/screenshots/take_check.py MODEL_FOLDER
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from take import finish, screenshot_window, wait  # the README screenshots' shared setup

HERE = Path(__file__).resolve().parent
TEXT = (
    "Last winter the committee recieved more letters then ever before. Most of them came form "
    "families who had lost there homes in the flood, and they asked the council to act quickly."
)


def main(model: str) -> int:
    window = screenshot_window(model)
    app = QApplication.instance()

    def start():
        window.editor.setPlainText(TEXT)
        window.checker.check_document()
        wait(lambda: window.checker.document_run is None and window.checker.marked, open_one)

    def open_one():
        marked = next(m for m in window.checker.marked if m.flag.word == "there")
        menu = window.checker.open_flag(marked)
        QTimer.singleShot(600, lambda: shoot(menu))

    def shoot(menu):
        screen = QApplication.primaryScreen()
        shot = screen.grabWindow(0, window.x(), window.y(), window.frameGeometry().width(), window.frameGeometry().height())
        if shot.isNull() or shot.width() < 100:
            shot = window.grab()
        shot.save(str(HERE / "draft-check.png"))
        menu.close()
        print("flags:", [(m.flag.word, str(m.flag.kind), [s.word for s in m.flag.suggestions][:3]) for m in window.checker.marked])
        finish(app, window)

    wait(lambda: window.session.ready, start)
    return app.exec()


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1] if len(sys.argv) > 1 else "/work/shared/models/prose-mlm-small"))
