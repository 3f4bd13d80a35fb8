"""Issue 19, engine: the draft checker (rankings.check, Predictor.check).

The ranking logic on a scripted runner (a bigram-like toy LM on the tiny BERT's
vocabulary); exactness against the in-place scoring on the tiny model; behaviour on
the real small model (tests/test_real_model.py's skip rule).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scripted_lm import install

from bertmask_gui.engine.errors import PredictionError, Superseded
from bertmask_gui.engine.options import CheckOptions
from bertmask_gui.engine.rankings.check import MAX_CHECK_CHARS, UNUSUAL_SHARE
from bertmask_gui.engine.results import FlagKind

from shared_models import PROSE_MLM_SMALL as REAL_MODEL, needs_prose_mlm_small
EVERYTHING = CheckOptions(confusion_margin=-1e9, neighbour_margin=-1e9)  # every alternative shown


def token(predictor, word: str) -> int:
    return predictor.tokenizer.convert_tokens_to_ids(word)


def toy(predictor):
    """Before "the": "to" (0.9); after "very": "happy" (0.5)."""
    the, very = token(predictor, "the"), token(predictor, "very")
    to, happy = token(predictor, "to"), token(predictor, "happy")

    def rule(left, right):
        if right == the:
            return {to: 0.9}
        if left == very:
            return {happy: 0.5}
        return {}

    return rule


def kinds(result) -> dict[str, tuple[str, list[str]]]:
    return {f.word: (str(f.kind), [s.word for s in f.suggestions]) for f in result.flags}


def test_confused_word_is_flagged_with_the_fix_first(monkeypatch, bert_predictor):
    runner = install(monkeypatch, bert_predictor, toy(bert_predictor))
    text = "we went two the house ."
    result = bert_predictor.check(text)
    passes = runner.forward_passes
    flag = next(f for f in result.flags if f.word == "two")
    assert flag.kind == FlagKind.CONFUSION and flag.suggestions[0].word == "to"
    assert text[flag.start : flag.end] == "two" and flag.margin == pytest.approx(
        flag.suggestions[0].log_score - next(a for a in _assessed(bert_predictor, text) if a.word == "two").log_score
    )
    assert result.forward_passes == passes == 1  # one batched call
    assert flag.to_dict()["kind"] == "confusion" and flag.to_dict()["suggestions"][0]["word"] == "to"


def test_margin_decides_and_the_writers_words_are_accepted(monkeypatch, bert_predictor):
    install(monkeypatch, bert_predictor, toy(bert_predictor))
    text = "we went two the house ."
    assert "two" not in kinds(bert_predictor.check(text, options=CheckOptions(confusion_margin=1e9)))
    assert "two" not in kinds(bert_predictor.check(text, options=CheckOptions(accepted=frozenset({"two"}))))


def test_misspelling_gets_real_words_ranked_in_place(monkeypatch, bert_predictor):
    install(monkeypatch, bert_predictor, toy(bert_predictor))
    text = "it was very hapy ."
    found = kinds(bert_predictor.check(text))
    assert found["hapy"][0] == "spelling" and found["hapy"][1][0] == "happy"


def test_names_repeated_words_and_numbers_are_not_misspellings(monkeypatch, bert_predictor):
    install(monkeypatch, bert_predictor, toy(bert_predictor))
    text = "we saw Zorbla at home . the blorf and the blorf and the blorf . 1984 was a year ."
    found = kinds(bert_predictor.check(text))
    assert "Zorbla" not in found and "blorf" not in found and "1984" not in found
    assert "blorf" in kinds(bert_predictor.check("the blorf was here ."))  # once: flagged


def test_capitals_and_sentence_start_keep_their_case(monkeypatch, bert_predictor):
    install(monkeypatch, bert_predictor, toy(bert_predictor))
    flags = bert_predictor.check("Two the house we went .", options=EVERYTHING).flags
    first = next(f for f in flags if f.word == "Two")
    assert "To" in [s.word for s in first.suggestions]


def test_scores_equal_the_in_place_scoring_on_a_real_tiny_model(bert_predictor):
    """The word's own score is score_words' (same rows); a suggestion's is the
    [MASK:a|b] score of that word in its place (the text is shorter than the width)."""
    text = "we went two the house and it was good ."
    result = bert_predictor.check(text, options=EVERYTHING)
    own = {s.word: s.log_score for s in bert_predictor.score_words(text)}
    flag = next(f for f in result.flags if f.word == "two")
    assert flag.margin == pytest.approx(flag.suggestions[0].log_score - own["two"], abs=1e-4)
    choices = "|".join(s.word for s in flag.suggestions)
    weighed = bert_predictor.predict(text.replace("two", f"[MASK:{choices}]", 1), mode="pieces").masks[0]
    expected = {c.token: c.log_score for c in weighed.candidates}
    for s in flag.suggestions:
        assert s.log_score == pytest.approx(expected[s.word], abs=1e-4), s.word


def test_unusual_only_on_request_and_quieter(monkeypatch, bert_predictor):
    install(monkeypatch, bert_predictor, toy(bert_predictor))
    text = "we went to the house and it was a good day at home with the dog and the cat ."
    plain = bert_predictor.check(text)
    assert all(f.kind != FlagKind.UNUSUAL for f in plain.flags)
    asked = bert_predictor.check(text, options=CheckOptions(unusual=True))
    unusual = [f for f in asked.flags if f.kind == FlagKind.UNUSUAL]
    assert 1 <= len(unusual) <= plain.words // UNUSUAL_SHARE + 1


def test_bad_input_is_a_sentence_or_nothing(monkeypatch, bert_predictor):
    assert bert_predictor.check("").flags == ()
    assert bert_predictor.check("... !!! ,,,").flags == ()
    with pytest.raises(PredictionError, match="at most"):
        bert_predictor.check("word " * (MAX_CHECK_CHARS // 5 + 10))
    with pytest.raises(Superseded):
        bert_predictor.check("we went two the house .", cancelled=lambda: True)


def _assessed(predictor, text):
    from bertmask_gui.engine.rankings.check import assess

    return assess(predictor.job(), text)


# --------------------------------------------------------------- the real small model
real = needs_prose_mlm_small


@pytest.fixture(scope="module")
def small():
    from bertmask_gui.engine.predictor import Predictor

    return Predictor.load(str(REAL_MODEL), device="cpu")


@real
def test_real_model_catches_typos_and_confusions(small):
    text = "He recieved the letter form his brother, who went to there house."
    found = kinds(small.check(text))
    assert found["recieved"] == ("spelling", found["recieved"][1]) and found["recieved"][1][0] == "received"
    assert found["form"][0] == "confusion" and found["form"][1][0] == "from"
    assert found["there"][0] == "confusion" and found["there"][1][0] == "their"


@real
def test_real_model_leaves_rare_correct_words_alone(small):
    text = ("It was a dark and stormy night; the rain fell in torrents, except at occasional intervals, "
            "when it was checked by a violent gust of wind.")
    assert small.check(text).flags == ()


@real
def test_real_model_check_costs_at_most_twice_the_unusual_scoring(small):
    text = (REAL_MODEL / "heldout_sotu_2010_2021.txt").read_text(encoding="utf-8")[:700]
    before = small.forward_passes
    small.score_words(text)
    scoring = small.forward_passes - before
    result = small.check(text)
    assert result.forward_passes <= 2 * scoring
