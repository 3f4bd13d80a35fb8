"""Take the README's screenshot of the real window (run under Xvfb or a desktop).

    xvfb-run -a -s "-screen 0 1280x800x24" .venv/bin/python docs/make_screenshot.py MODEL_DIR [OUT.png]
"""

import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from bertmask_gui.app import create_window

TEXT = "I really [MASK] the movie. It was quite interesting.\n\nThe [MASK] was long, but the ending made up for it."


def main() -> int:
    model = sys.argv[1]
    out = Path(sys.argv[2] if len(sys.argv) > 2 else "docs/screenshot.png")
    window = create_window(model=model, device="cpu")
    window.resize(1100, 560)
    window.show()
    window.editor.setPlainText(TEXT)
    app = QApplication.instance()

    def shoot():
        if window.candidates.model().rowCount() == 0:
            QTimer.singleShot(200, shoot)
            return
        QTimer.singleShot(300, lambda: (window.grab().save(str(out)), window.close(), app.quit()))

    QTimer.singleShot(500, shoot)
    QTimer.singleShot(120_000, app.quit)  # never hang
    app.exec()
    print(out, out.exists())
    return 0 if out.exists() else 1


if __name__ == "__main__":
    sys.exit(main())
