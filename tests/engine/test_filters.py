"""Filters, case and spacing: the pure rules, and the engine applying them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bertmask_gui.engine.filters import (
    Filters,
    is_number,
    is_punctuation,
    is_word,
    is_stop_word,
    is_writable,
    keep,
    match_case,
    sentence_initial,
)
from bertmask_gui.engine.textops import Edit, fill_edit, fill_many, trim_span, word_at


# ------------------------------------------------------------------ the rules
@pytest.mark.parametrize("word", [",", "...", "\"", "(", "—"])
def test_punctuation(word):
    assert is_punctuation(word) and not is_punctuation("a" + word)


@pytest.mark.parametrize("word,number", [("3", True), ("1,000", True), ("2.5", True), ("1990s", True), ("b2b", False), ("three", False)])
def test_numbers(word, number):
    assert is_number(word) is number


def test_stop_words_and_writable():
    assert is_stop_word("The") and is_stop_word("and") and not is_stop_word("movie")
    for bad in ("", " a", "##ing", "Ġthe", "▁x", "a\x00", "\ufffd"):
        assert not is_writable(bad)
    assert is_writable("café") and is_writable("don't")


def test_keep_applies_each_filter():
    f = Filters(hide_punctuation=True, hide_numbers=True, hide_stop_words=True, hide_original=True)
    assert keep("movie", f, "film")
    assert not keep(",", f) and not keep("42", f) and not keep("the", f) and not keep("Film", f, "film")
    assert not keep(",", Filters()) and keep("the", Filters()) and keep("film", Filters(), "film")
    assert keep(",", Filters(words_only=False)) and keep("42", Filters(words_only=False))


@pytest.mark.parametrize("word", ["love", "don't", "well-known", "café", "O'Brien", "Paris", "I"])
def test_a_word_is_letters_with_inner_apostrophes_and_hyphens(word):
    assert is_word(word) and keep(word, Filters())


@pytest.mark.parametrize("token", [",", ".", "...", "\"", "'s", "-", "--", "42", "1990s", "a-", "'", "x2", "&", "—"])
def test_punctuation_numbers_and_fragments_are_not_words(token):
    assert not is_word(token) and not keep(token, Filters())


def test_top_k_is_clamped():
    assert Filters(top_k=0).clamped_top_k() == 1 and Filters(top_k=99).clamped_top_k() == 50


@pytest.mark.parametrize(
    "text,start,initial",
    [("[MASK] was good", 0, True), ("It was. [MASK] is", 8, True), ("Is it? “[MASK]", 8, False),
     ("Done!\n[MASK]", 6, True), ("a [MASK]", 2, False), ("He said: [MASK]", 9, False), ("Wow.) [MASK]", 6, True)],
)
def test_sentence_initial(text, start, initial):
    assert sentence_initial(text, start) is initial


def test_match_case():
    assert match_case("love", cased_model=False, original="Like") == "Love"
    assert match_case("love", cased_model=False, original="LIKE") == "LOVE"
    assert match_case("love", cased_model=False, original="like") == "love"
    assert match_case("love", cased_model=False, initial=True) == "Love"
    assert match_case("iPhone", cased_model=True, original="Phone", initial=True) == "iPhone"
    assert match_case("3", cased_model=False, initial=True) == "3"


# ------------------------------------------------------------------ spacing
@pytest.mark.parametrize(
    "text,word,expected",
    [
        ("good [MASK] bad", "and", "good and bad"),
        ("good [MASK] bad", ",", "good, bad"),
        ("It ends [MASK]", ".", "It ends."),
        ("a [MASK] b", " word ", "a word b"),
        ("see [MASK] here", "(", "see (here"),
    ],
)
def test_fill_edit_spacing(text, word, expected):
    start = text.index("[MASK]")
    assert fill_edit(text, start, start + 6, word).apply(text) == expected


def test_selection_edges_keep_their_spaces():
    text = "I really love  the movie"
    edit = fill_edit(text, 8, 14, "like")  # " love " selected with its spaces
    assert edit == Edit(9, 13, "like") and edit.apply(text) == "I really like  the movie"
    assert trim_span("  x ", 0, 4) == (2, 3)


def test_fill_many_keeps_offsets():
    text = "I [MASK] the [MASK], [MASK]."
    spans = [(m, m + 6) for m in (2, 13, 21)]
    filled, _ = fill_many(text, spans, ["loved", "film", "really"])
    assert filled == "I loved the film, really."


@pytest.mark.parametrize(
    "text,pos,word",
    [("I really love it", 10, "love"), ("I really love it", 13, "love"), ("don't stop", 2, "don't"),
     ("a well-known fact", 5, "well-known"), ("hi, there", 2, "hi"), ("hi, there", 3, None), ("  ", 1, None), ("'quoted'", 3, "quoted"), ("", 0, None)],
)
def test_word_at(text, pos, word):
    span = word_at(text, pos)
    assert (text[span[0] : span[1]] if span else None) == word


words = st.text(alphabet=st.characters(whitelist_categories=("Ll", "Lu", "Nd")), min_size=1, max_size=12)
texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)


@given(before=texts, after=texts, word=words)
def test_filling_a_word_changes_only_the_mask_span(before, after, word):
    text = before + "[MASK]" + after
    start = len(before)
    edit = fill_edit(text, start, start + 6, word)
    assert (edit.start, edit.end) == (start, start + 6)
    assert edit.apply(text) == before + word + after


@given(before=texts, after=texts, word=st.sampled_from([",", ".", "!", ";", ")"]))
def test_closing_punctuation_only_eats_spaces_before_the_span(before, after, word):
    text = before + "[MASK]" + after
    start = len(before)
    result = fill_edit(text, start, start + 6, word).apply(text)
    assert result.endswith(word + after)
    assert result[: -len(word + after)] == before.rstrip(" \t")


# ------------------------------------------------------------- in the engine
def test_engine_filters(bert_predictor):
    text = "I really [MASK] the movie. It was quite interesting."
    f = Filters(top_k=50, hide_punctuation=True, hide_numbers=True, hide_stop_words=True)
    (mask,) = bert_predictor.predict(text, top_k=50, filters=f).masks
    assert len(mask.candidates) == 50
    for c in mask.candidates:
        assert not is_punctuation(c.token) and not is_number(c.token) and not is_stop_word(c.token)
    (raw,) = bert_predictor.predict(text, top_k=50, filters=Filters(top_k=50)).masks
    assert any(is_punctuation(c.token) or is_number(c.token) or is_stop_word(c.token) for c in raw.candidates)


@pytest.mark.parametrize("k", [1, 7, 50])
def test_engine_top_k(bert_predictor, k):
    assert len(bert_predictor.predict("The [MASK] ran.", top_k=k).masks[0].candidates) == k


def test_uncased_model_capitalises_at_sentence_start(bert_predictor):
    (first,) = bert_predictor.predict("[MASK] was quite interesting.", top_k=20).masks
    assert all(c.token[0].isupper() for c in first.candidates if c.token[0].isalpha())
    (middle,) = bert_predictor.predict("It [MASK] quite interesting.", top_k=20).masks
    assert all(not c.token[0].isupper() for c in middle.candidates)
