"""The suite's own guard: a test stuck in Qt's event loop is stopped, and says where."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from conftest import ROOT

STUCK = textwrap.dedent(
    """
    def test_waits_forever_in_the_event_loop(qtbot):
        from PySide6.QtCore import QEventLoop

        QEventLoop().exec()  # nothing ever quits it: only the time limit can end this
    """
)


def test_a_test_stuck_in_the_qt_event_loop_fails_with_its_stack(tmp_path):
    (tmp_path / "test_stuck.py").write_text(STUCK)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--timeout=3", "--rootdir", str(tmp_path),
         "-c", str(ROOT / "pyproject.toml"), str(tmp_path / "test_stuck.py")],
        capture_output=True, text=True, cwd=tmp_path, timeout=120,
    )
    output = done.stdout + done.stderr
    assert done.returncode != 0
    assert "Timeout" in output
    assert "test_waits_forever_in_the_event_loop" in output  # the stack names where it stuck
