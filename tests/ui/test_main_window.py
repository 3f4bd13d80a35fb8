"""The whole loop in the real window: type, predict, click, filled, undo."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QListView, QPlainTextEdit

from bertmask_gui.app import create_window
from bertmask_gui.ui.candidates import CANDIDATE_ROLE, HEADER_ROLE

from conftest import ROOT, SEED_SENTENCE


def editor_of(window) -> QPlainTextEdit:
    return window.findChild(QPlainTextEdit, "editor")


def candidates_of(window) -> QListView:
    return window.findChild(QListView, "candidates")


def candidate_indexes(view):
    model = view.model()
    return [model.index(r, 0) for r in range(model.rowCount()) if not model.index(r, 0).data(HEADER_ROLE)]


def wait_for_candidates(qtbot, window, count=None):
    view = candidates_of(window)
    if count is None:
        qtbot.waitUntil(lambda: len(candidate_indexes(view)) > 0, timeout=20000)
    else:
        qtbot.waitUntil(lambda: len(candidate_indexes(view)) == count, timeout=20000)
    return view


def click(qtbot, view, index):
    rect = view.visualRect(index)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def type_text(qtbot, window, text):
    editor = editor_of(window)
    editor.setFocus()
    qtbot.keyClicks(editor, text)


def test_type_predict_click_fill_undo(qtbot, window_for, tiny_bert, bert_predictor):
    window = window_for(tiny_bert)
    qtbot.waitUntil(lambda: window.worker.predictor is not None, timeout=20000)
    type_text(qtbot, window, SEED_SENTENCE)
    view = wait_for_candidates(qtbot, window, 5)
    expected = [c.token for c in bert_predictor.predict(SEED_SENTENCE).masks[0].candidates]
    shown = [i.data(CANDIDATE_ROLE).token for i in candidate_indexes(view)]
    assert shown == expected
    assert "%" in candidate_indexes(view)[0].data()  # the probability, as a number

    click(qtbot, view, candidate_indexes(view)[1])
    editor = editor_of(window)
    assert editor.toPlainText() == SEED_SENTENCE.replace("[MASK]", expected[1])
    assert editor.textCursor().position() == SEED_SENTENCE.index("[MASK]") + len(expected[1])

    editor.setFocus()
    qtbot.keyClick(editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert editor.toPlainText() == SEED_SENTENCE


def test_enter_on_a_candidate_fills_it(qtbot, window_for, tiny_bert):
    window = window_for(tiny_bert)
    editor_of(window).setPlainText("The [MASK] was good.")
    view = wait_for_candidates(qtbot, window)
    first = candidate_indexes(view)[0]
    view.setFocus()
    view.setCurrentIndex(first)
    qtbot.keyClick(view, Qt.Key.Key_Return)
    assert editor_of(window).toPlainText() == f"The {first.data(CANDIDATE_ROLE).token} was good."


def test_two_masks_fill_one_keeps_the_other(qtbot, window_for, tiny_bert):
    window = window_for(tiny_bert)
    text = "I really [MASK] the [MASK]. It was quite interesting."
    editor_of(window).setPlainText(text)
    view = wait_for_candidates(qtbot, window, 10)
    model = view.model()
    headers = [r for r in range(model.rowCount()) if model.index(r, 0).data(HEADER_ROLE)]
    assert len(headers) == 2 and "Mask 2 of 2" in model.index(headers[1], 0).data()
    second_mask_first = model.index(headers[1] + 1, 0)
    word = second_mask_first.data(CANDIDATE_ROLE).token
    click(qtbot, view, second_mask_first)
    assert editor_of(window).toPlainText() == f"I really [MASK] the {word}. It was quite interesting."
    # The remaining mask gets fresh candidates.
    wait_for_candidates(qtbot, window, 5)


def test_fill_is_a_single_undo_step_and_redo_works(qtbot, window_for, tiny_bert):
    window = window_for(tiny_bert)
    editor = editor_of(window)
    editor.setPlainText("A [MASK] and a 😀 [MASK].")
    view = wait_for_candidates(qtbot, window, 10)
    model = view.model()
    last = model.index(model.rowCount() - 1, 0)
    word = last.data(CANDIDATE_ROLE).token
    click(qtbot, view, last)
    assert editor.toPlainText() == f"A [MASK] and a 😀 {word}."
    editor.undo()
    assert editor.toPlainText() == "A [MASK] and a 😀 [MASK]."
    editor.redo()
    assert editor.toPlainText() == f"A [MASK] and a 😀 {word}."


def test_no_mask_is_explained(qtbot, window_for, tiny_bert):
    window = window_for(tiny_bert)
    qtbot.waitUntil(lambda: window.worker.predictor is not None, timeout=20000)
    editor_of(window).setPlainText("Nothing to fill here.")
    window.predict_now()
    view = candidates_of(window)
    assert view.model().rowCount() == 0 and "No [MASK]" in view.message()


def test_ctrl_enter_predicts_at_once(qtbot, window_for, tiny_bert):
    window = window_for(tiny_bert)
    qtbot.waitUntil(lambda: window.worker.predictor is not None, timeout=20000)
    editor = editor_of(window)
    editor.blockSignals(True)  # no debounce timer: only Ctrl+Enter can trigger it
    editor.setPlainText("The [MASK] was good.")
    editor.blockSignals(False)
    editor.setFocus()
    qtbot.keyClick(editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    wait_for_candidates(qtbot, window, 5)
    assert editor.toPlainText() == "The [MASK] was good."


def test_status_bar_shows_model_device_time(qtbot, window_for, tiny_bert):
    window = window_for(tiny_bert)
    assert "Loading model" in window.statusBar().currentMessage()
    editor_of(window).setPlainText(SEED_SENTENCE)
    wait_for_candidates(qtbot, window)
    assert window.status_line.model_label.text() == tiny_bert.name
    assert window.status_line.device_label.text() == "CPU"
    qtbot.waitUntil(lambda: window.status_line.timing_label.text() != "", timeout=20000)  # the full list's time
    assert window.status_line.timing_label.text().endswith("ms")
    assert window.status_line.timing_label.text().startswith("words ")  # which request the time is for


def test_missing_default_model_says_so_and_keeps_running(qtbot, window_for):
    window = window_for("bert-base-uncased")
    view = candidates_of(window)
    qtbot.waitUntil(lambda: "not available offline" in view.message(), timeout=20000)
    assert "Open model folder" in view.message()
    assert window.panel.no_model.open_folder_button.isVisible()
    editor_of(window).setPlainText(SEED_SENTENCE)  # typing still works, nothing lost
    assert editor_of(window).toPlainText() == SEED_SENTENCE


def test_open_model_folder_switches_and_is_remembered(qtbot, window_for, tiny_bert, tiny_roberta, monkeypatch):
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QFileDialog

    window = window_for(tiny_bert)
    editor_of(window).setPlainText(SEED_SENTENCE)
    wait_for_candidates(qtbot, window)
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(tiny_roberta))
    window.menus.open_model.trigger()
    qtbot.waitUntil(lambda: window.status_line.model_label.text() == tiny_roberta.name and window.session.ready, timeout=20000)
    assert window.worker.predictor.mask_token == "<mask>"
    assert editor_of(window).toPlainText() == SEED_SENTENCE  # the text is untouched
    wait_for_candidates(qtbot, window)
    assert QSettings().value("model/last") == str(tiny_roberta)
    # Next launch without --model uses it.
    again = create_window(device="cpu")
    qtbot.addWidget(again)
    assert again.model_name == str(tiny_roberta)
    again.close()


def test_file_argument_is_loaded(qtbot, tmp_path, tiny_bert, qt_app_identity):
    path = tmp_path / "draft.txt"
    path.write_text("Dear [MASK],\nthank you.", encoding="utf-8")
    window = create_window(model=str(tiny_bert), device="cpu", file=str(path))
    qtbot.addWidget(window)
    assert editor_of(window).toPlainText() == "Dear [MASK],\nthank you."
    assert "draft.txt" in window.windowTitle()
    window.close()


def test_non_utf8_file_is_refused_with_a_sentence(qtbot, tmp_path, tiny_bert, qt_app_identity):
    path = tmp_path / "latin1.txt"
    path.write_bytes("caf\xe9 [MASK]".encode("latin-1"))
    window = create_window(model=str(tiny_bert), device="cpu")
    qtbot.addWidget(window)
    assert window.load_text_file(path) is False
    assert "not UTF-8" in window.statusBar().currentMessage()
    assert editor_of(window).toPlainText() == ""
    window.close()


def test_window_is_created_before_torch_is_imported():
    code = (
        "import sys; from bertmask_gui.app import create_window;"
        "w = create_window(model='x');"
        "print('torch' in sys.modules, 'transformers' in sys.modules)"
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "False"]


def test_close_while_predicting_exits_cleanly(tiny_bert):
    code = f"""
import sys
from PySide6.QtCore import QTimer
from bertmask_gui.app import create_window
from PySide6.QtWidgets import QApplication
w = create_window(model={str(tiny_bert)!r}, device='cpu')
w.show()
text = 'The dog ran home. ' * 400 + '[MASK] ' * 30
def spam():
    if w.worker.predictor is None:
        QTimer.singleShot(20, spam); return
    for _ in range(20):
        w.editor.setPlainText(text); w.predict_now()
    QTimer.singleShot(5, w.close)
    QTimer.singleShot(50, QApplication.quit)
QTimer.singleShot(0, spam)
sys.exit(QApplication.instance().exec())
"""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "QThread: Destroyed while thread is still running" not in done.stderr


def test_panel_text_helpers():
    from bertmask_gui.ui.candidates import mask_context, percent

    text = "It was quite interesting.\n\nThe [MASK] was long"
    start = text.index("[MASK]")
    assert mask_context(text, start, start + 6) == "…quite interesting. The ___ was long"
    assert [percent(0.61234), percent(0.0003), percent(0.004), percent(1e-9)] == ["61.2%", "0.03%", "0.4%", "< 0.01%"]
