"""Screenshots of issue 21 for the README: a rhyme-constrained mask, a word's meaning.

    xvfb-run -a -s "-screen 0 1280x800x24" python docs/screenshots/take_facts.py MODEL_FOLDER
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from take import finish, screenshot_window, wait  # the README screenshots' shared setup

HERE = Path(__file__).resolve().parent
RHYME = "The stars were shining bright and clear,\nand all the town was sleeping in the [MASK rhymes:night syllables:1]."
GLOSS = "Choosing her words with care, she remained [MASK] about the outcome of the trial."


def main(model: str) -> int:
    window = screenshot_window(model)
    app = QApplication.instance()
    saved = []

    def shown(text):
        return lambda: (window.session.shown is not None and window.session.shown.text == text
                        and not window.session.shown.prediction.preliminary)

    def rhyme():
        window.editor.setPlainText(RHYME)
        cursor = window.editor.textCursor()
        cursor.setPosition(RHYME.index("[MASK") + 2)
        window.editor.setTextCursor(cursor)
        window.predict_now()
        wait(shown(RHYME), shot_rhyme)

    def shot_rhyme():
        window.facts.target_mask()
        window.panel.constraints.setText("rhymes:night syllables:1")
        window.grab().save(str(HERE / "rhyme-mask.png"))
        saved.append("rhyme-mask")
        window.editor.setPlainText(GLOSS)
        window.predict_now()
        wait(shown(GLOSS), gloss)

    def gloss():
        model = window.candidates.model()
        candidate_rows = model.candidate_rows(0)
        window.candidates.setCurrentIndex(model.index(candidate_rows[min(1, len(candidate_rows) - 1)], 0))
        window.candidates.setFocus()
        QTimer.singleShot(300, shot_gloss)

    def shot_gloss():
        window.grab().save(str(HERE / "word-gloss.png"))
        saved.append("word-gloss")
        finish(app, window)

    QTimer.singleShot(0, lambda: wait(lambda: window.session.ready, rhyme))
    app.exec()
    print("saved:", ", ".join(saved))
    return 0 if len(saved) == 2 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
