"""Filling a mask in the editor changes exactly that mask's span, whatever the text."""

from __future__ import annotations

import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bertmask_gui.engine.masks import find_masks
from bertmask_gui.ui.editor import MaskEditor, qt_position

_alphabet = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
_pieces = st.one_of(
    st.text(_alphabet, max_size=10),
    st.sampled_from(["[MASK]", "[mask]", "[ MASK ]", "😀", "東京", "שלום", "e\u0301", "\r\n", "\t", " "]),
)
_word = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=12)


@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pieces=st.lists(_pieces, min_size=1, max_size=14), data=st.data())
def test_fill_changes_exactly_the_mask_span(qapp, pieces, data):
    editor = MaskEditor()
    editor.setPlainText("".join(pieces))
    before = editor.toPlainText()  # as the editor holds it (line endings normalised)
    spans = find_masks(before)
    if not spans:
        return
    span = data.draw(st.sampled_from(spans))
    word = data.draw(_word)
    editor.replace_span(span.start, span.end, word)
    after = editor.toPlainText()
    expected = before[: span.start] + word + before[span.end :]
    # The editor stores some characters its own way (paragraph separators as
    # newlines); compare in its terms.
    normalised = MaskEditor()
    normalised.setPlainText(expected)
    assert after == normalised.toPlainText()
    assert editor.textCursor().position() == qt_position(after, span.start + len(word))
    editor.undo()
    assert editor.toPlainText() == before


def test_qt_position_counts_utf16_units():
    text = "a😀b"
    assert [qt_position(text, i) for i in range(4)] == [0, 1, 3, 4]


@pytest.mark.skipif(
    sys.version_info >= (3, 12),
    reason="None is immortal from Python 3.12 (PEP 683): its count cannot drop, so neither the bug nor this test can happen",
)
def test_qt_bindings_keep_none_alive(qapp):
    """PySide6 6.12.0 dropped a reference to None on every void call, which aborts
    the app on Python 3.11 after a few thousand edits ("none_dealloc")."""
    editor = MaskEditor()
    before = sys.getrefcount(None)
    for _ in range(2000):
        editor.setPlainText("a [MASK] b")
    assert sys.getrefcount(None) >= before - 100
