"""Word facts and the constraints row in the real window (tiny model)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor

from bertmask_gui.ui.candidates import CANDIDATE_ROLE, HEADER_ROLE


def rows(window):
    model = window.candidates.model()
    return [model.index(r, 0) for r in range(model.rowCount()) if not model.index(r, 0).data(HEADER_ROLE)]


def words(window):
    return [i.data(CANDIDATE_ROLE).token for i in rows(window)]


def put_cursor(window, at):
    cursor = window.editor.textCursor()
    cursor.setPosition(at)
    window.editor.setTextCursor(cursor)


def test_the_current_row_shows_its_meaning_and_syllables(qtbot, window):
    window.editor.setPlainText("The [MASK] barked at night.")
    qtbot.waitUntil(lambda: len(rows(window)) > 1, timeout=60000)
    second = rows(window)[1]
    window.candidates.setCurrentIndex(second)
    candidate = second.data(CANDIDATE_ROLE)
    line = window.panel.gloss_line.text()
    assert line.startswith(f"{candidate.token}: ")
    assert (candidate.definition or "no meaning in WordNet") in line
    tip = second.data(Qt.ItemDataRole.ToolTipRole)
    assert "Meaning:" in tip or "No meaning in WordNet" in tip
    if candidate.syllables:
        assert "syllable" in line and "syllable" in tip


def test_the_constraints_row_rewrites_the_mask_and_the_list_obeys(qtbot, window):
    window.editor.setPlainText("I really [MASK] the movie.")
    qtbot.waitUntil(lambda: len(rows(window)) > 0, timeout=60000)
    put_cursor(window, 11)
    window.panel.constraints.setText("starts:t max:5")
    qtbot.keyClick(window.panel.constraints, Qt.Key.Key_Return)
    assert window.editor.toPlainText() == "I really [MASK starts:t max:5] the movie."
    qtbot.waitUntil(lambda: words(window) and all(w.lower().startswith("t") and len(w) <= 5 for w in words(window)),
                    timeout=60000)
    window.editor.undo()  # one undo step brings the plain mask back
    assert window.editor.toPlainText() == "I really [MASK] the movie."


def test_a_bad_constraint_is_a_sentence_and_changes_nothing(qtbot, window):
    window.editor.setPlainText("I really [MASK] the movie.")
    put_cursor(window, 11)
    window.panel.constraints.setText("syllables:0")
    qtbot.keyClick(window.panel.constraints, Qt.Key.Key_Return)
    assert window.editor.toPlainText() == "I really [MASK] the movie."
    assert "at least 1" in window.statusBar().currentMessage()
    assert window.panel.constraints.text() == "syllables:0"  # what the writer typed stays


def test_the_gloss_line_follows_with_the_sense_chosen_in_context(qtbot, window, bert_predictor):
    from bertmask_gui.lexicon import glosses

    text = "The [MASK] was late, so we walked home."
    window.editor.setPlainText(text)
    qtbot.waitUntil(lambda: len(rows(window)) > 1, timeout=60000)
    with_senses = [i for i in rows(window) if len(glosses.senses(i.data(CANDIDATE_ROLE).token)) > 1]
    if not with_senses:
        pytest.skip("the tiny model proposed no word with several senses")
    word = with_senses[0].data(CANDIDATE_ROLE).token
    senses, chosen = bert_predictor.word_senses(text, 4, 10, [word])[0]
    window.candidates.setCurrentIndex(with_senses[0])
    assert window.panel.gloss_line.text().startswith(f"{word}: {glosses.described(senses[0])}")  # at once
    expected = f"{word}: {glosses.described(senses[chosen])}"
    qtbot.waitUntil(lambda: window.panel.gloss_line.text().startswith(expected), timeout=30000)
