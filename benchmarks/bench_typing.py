"""What the word count costs a writer typing in a 100,000-word text (issue 20).

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_typing.py [--words 100000] [--keys 200]

Types the same keys into the same editor with and without ui.wordcount.WordCount, in
one run (ratios, not absolute times: the machine may be busy), and times one recount
(what the pause after typing costs once).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication, QMainWindow  # noqa: E402

from bertmask_gui.ui.editor import MaskEditor  # noqa: E402
from bertmask_gui.ui.wordcount import WordCount, count_words  # noqa: E402


class Desk(QMainWindow):
    def __init__(self, text: str):
        super().__init__()
        self.editor = MaskEditor(self)
        self.setCentralWidget(self.editor)
        self.editor.setPlainText(text)
        self.editor.moveCursor(self.editor.textCursor().MoveOperation.End)
        self.resize(900, 600)


def typing_ms(window, keys: int) -> list[float]:
    """ms per keystroke, each key followed by the event loop's turn (as a real keystroke)."""
    app = QApplication.instance()
    times = []
    for i in range(keys):
        key = " " if i % 6 == 5 else "abcde"[i % 5]
        started = time.perf_counter()
        QTest.keyClick(window.editor, key, Qt.KeyboardModifier.NoModifier)
        app.processEvents()
        times.append((time.perf_counter() - started) * 1000)
    return times


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=100_000)
    parser.add_argument("--keys", type=int, default=200)
    args = parser.parse_args(argv)
    app = QApplication.instance() or QApplication([])
    text = "\n\n".join(" ".join(["word"] * 100) for _ in range(args.words // 100))
    plain, counted = Desk(text), Desk(text)
    counter = WordCount(counted)
    for window in (plain, counted):
        window.show()
        typing_ms(window, 20)  # warm up
    without = typing_ms(plain, args.keys)
    with_count = typing_ms(counted, args.keys)
    started = time.perf_counter()
    counter.update_now()
    recount = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    words = count_words(counted.editor.toPlainText())
    split_ms = (time.perf_counter() - started) * 1000
    median = statistics.median
    print(f"{words:,} words, {args.keys} keys: median ms per key without the count {median(without):.2f}, "
          f"with it {median(with_count):.2f} (ratio {median(with_count) / median(without):.2f}); "
          f"one recount after the pause {recount:.1f} ms (toPlainText + split {split_ms:.1f} ms); "
          f"recounts while typing: {counter.counts - 1}")
    for window in (plain, counted):
        window.editor.document().setModified(False)
        window.close()
    app.processEvents()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
