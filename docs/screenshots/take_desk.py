"""Screenshots of the writer's desk (issue 20), light and dark, with prose-mlm-small: a
selection's alternatives (only words, figures that fall down the list) beside the find
and replace bar, the readable column and the word count.

    XDG_CONFIG_HOME=$(mktemp -d) xvfb-run -a -s "-screen 0 1280x800x24" \
        python docs/screenshots/take_desk.py /work/shared/models/prose-mlm-small
(an empty settings folder: the zoom and readable column chosen here are not kept)
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QApplication

from take import HERE, finish, screenshot_window, wait  # docs/screenshots/take.py

from bertmask_gui.ui.preferences import apply_theme

TEXT = (
    "She felt a quiet happiness as she walked home along the river. The evening was cold, "
    "and the lights of the town came on one by one.\n\n"
    "He recollected the old days with a smile: the long summers, the noise of the market, "
    "the smell of bread in the morning. The town was smaller then, and the river was "
    "cleaner, and everyone knew the name of the baker."
)


def main(model: str) -> int:
    window = screenshot_window(model)
    window.resize(1240, 680)
    app = QApplication.instance()
    saved = []

    def select(word: str) -> None:
        start = TEXT.index(word)
        cursor = window.editor.textCursor()
        cursor.setPosition(start)
        cursor.setPosition(start + len(word), QTextCursor.MoveMode.KeepAnchor)
        window.editor.setTextCursor(cursor)

    def shot(name: str, theme: str, word: str, replacing: bool, then) -> None:
        apply_theme(theme, app)
        window.session.stop()
        select(word)
        window.writer.suggest()

        def take():
            bar = window.find.bar
            bar.open_replace() if replacing else bar.open_find()
            bar.find_text.setText("the river")
            if replacing:
                bar.replace_text.setText("the stream")
            bar.find_next()

            def grab():  # after the word count's pause
                window.grab().save(str(HERE / name))
                saved.append(name)
                then()

            QTimer.singleShot(600, grab)

        def listed() -> bool:
            shown = window.session.shown
            return (shown is not None and shown.prediction.mode == "span" and not shown.prediction.preliminary
                    and shown.prediction.masks[0].original == word)

        wait(listed, take)

    def start():
        window.editor.setPlainText(TEXT)
        window.editor.document().setModified(False)
        if not window.view.readable.isChecked():
            window.view.readable.trigger()
        shot("writers-desk-light.png", "light", "happiness", False,
             lambda: shot("writers-desk-dark.png", "dark", "recollected", True, lambda: finish(app, window)))

    wait(lambda: window.session.ready, start)
    app.exec()
    print("saved:", saved)
    return 0 if len(saved) == 2 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
