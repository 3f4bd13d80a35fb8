"""Issue 14, engine: weigh your own words ([MASK:a|b], Compare with…),
why this word (occlusion), which words stand out (score_words)."""

from __future__ import annotations

import math

import pytest

from bertmask_gui.engine.encoder import Row
from bertmask_gui.engine.errors import PredictionError, Superseded
from bertmask_gui.engine.masks import Span, find_masks, mask_regex
from bertmask_gui.engine.options import Filters
from bertmask_gui.engine.rankings.choices import CHOICES_LABEL, MAX_CHOICES

from shared_models import PROSE_MLM_SMALL, needs_prose_mlm_small



def reference_l2r(predictor, masked_text: str, word: str, lead: str = " ") -> float:
    """PLL-word-l2r of ``word`` at the one [MASK] of ``masked_text``, computed by hand:
    the mask widened to the word's n pieces, row j with pieces before j filled."""
    tok = predictor.tokenizer
    pieces = tok(lead + word, add_special_tokens=False)["input_ids"]
    ids = tok(masked_text.replace("[MASK]", tok.mask_token))["input_ids"]
    at = ids.index(predictor.mask_token_id)
    total = 0.0
    for j, piece in enumerate(pieces):
        row = ids[:at] + pieces[:j] + [predictor.mask_token_id] * (len(pieces) - j) + ids[at + 1 :]
        (logp,) = predictor.runner.log_probs([Row(row, {0: at + j})])
        total += float(logp[piece])
    return total


# ----------------------------------------------------------------- [MASK:a|b]
def test_choice_masks_are_masks_with_their_words():
    text = "I [mask: liked | enjoyed, adored] it and [MASK] too; [MASK:] and [ MASK ]"
    spans = find_masks(text)
    assert [s.choices for s in spans] == [("liked", "enjoyed", "adored"), None, (), None]
    assert [text[s.start : s.end] for s in spans][0] == "[mask: liked | enjoyed, adored]"
    assert len(mask_regex("<mask>").findall(text + " <mask>")) == 5
    assert find_masks("[MASK:a|b]")[0] == Span(0, 10, ("a", "b"))


def test_choices_scored_as_whole_words_best_first(bert_predictor):
    text = "I [MASK:liked|enjoyable|liked|hated] it."
    prediction = bert_predictor.predict(text)
    (mask,) = prediction.masks
    assert (mask.start, mask.end) == (2, 36) and mask.score_label == CHOICES_LABEL
    tokens = [c.token for c in mask.candidates]
    assert sorted(tokens) == ["enjoyable", "hated", "liked"]  # deduplicated, nothing else
    scores = [c.log_score for c in mask.candidates]
    assert scores == sorted(scores, reverse=True)
    by_word = {c.token: c for c in mask.candidates}
    assert len(by_word["enjoyable"].token_ids) == 2  # enjoy ##able: not cut to its first piece
    for word, candidate in by_word.items():
        assert candidate.score == pytest.approx(math.exp(candidate.log_score))
        assert candidate.log_score == pytest.approx(reference_l2r(bert_predictor, "I [MASK] it.", word), abs=1e-4)


def test_ordinary_mask_beside_choices_is_unaffected(bert_predictor):
    plain = bert_predictor.predict("I [MASK] the [MASK].", top_k=6)
    mixed = bert_predictor.predict("I [MASK:liked|hated] the [MASK].", top_k=6)
    assert [c.token for c in mixed.masks[1].candidates] == [c.token for c in plain.masks[1].candidates]
    assert {c.token for c in mixed.masks[0].candidates} == {"liked", "hated"}
    for fill in mixed.fills:  # fill-all rows keep to the writer's words
        assert fill.words[0] in ("liked", "hated")


def test_choices_on_a_bpe_model_follow_the_space(roberta_predictor):
    (mask,) = roberta_predictor.predict("The [MASK:cat|dog] sat.").masks
    for c in mask.candidates:
        assert c.log_score == pytest.approx(reference_l2r(roberta_predictor, "The [MASK] sat.", c.token), abs=1e-4)


def test_choices_in_pieces_mode_too(bert_predictor):
    (mask,) = bert_predictor.predict("I [MASK:liked|hated] it.", mode="pieces").masks
    assert {c.token for c in mask.candidates} == {"liked", "hated"}


@pytest.mark.parametrize(
    "choices, says",
    [
        ("", "lists no words"),
        (" | , ", "lists no words"),
        ("very good|fine", "more than one word"),
        ("|".join(f"w{i}" for i in range(MAX_CHOICES + 1)), f"at most {MAX_CHOICES}"),
        ("liked|😀", "cannot spell “😀”"),
    ],
)
def test_bad_choices_get_a_sentence(bert_predictor, choices, says):
    passes = bert_predictor.forward_passes
    with pytest.raises(PredictionError, match=says):
        bert_predictor.predict(f"I [MASK:{choices}] it.")
    if "spell" not in says:  # checked before any model work
        assert bert_predictor.forward_passes == passes


# ----------------------------------------------------------------- Compare with…
def test_compared_words_join_the_selection_list(bert_predictor):
    text = "The cat sat on the house."
    start = text.index("house")
    prediction = bert_predictor.predict_span(text, start, start + 5, top_k=3, compare=("enjoyable", "dog"))
    (mask,) = prediction.masks
    compared = {c.token for c in mask.candidates if c.compared}
    assert compared == {"enjoyable", "dog"}
    assert any(c.original for c in mask.candidates)
    # keep-meaning (the default) shows the share of the rank score: it falls down the list
    shares = [c.score for c in mask.candidates[:3]]
    assert shares == sorted(shares, reverse=True) and all(0 < s <= 1 for s in shares)
    plain_three = bert_predictor.predict_span(text, start, start + 5, 3, Filters(keep_meaning=False), compare=("dog",))
    # without it, every shown percentage, compared words included, is the model's estimate exp(PLL)
    assert all(c.score == pytest.approx(math.exp(c.log_score)) for c in plain_three.masks[0].candidates)
    logs = [c.log_score for c in plain_three.masks[0].candidates if not (c.compared or c.original)]
    assert logs == sorted(logs, reverse=True) and len(logs) == 3  # the model's own top 3, then the writer's
    plain = bert_predictor.predict_span(text, start, start + 5, top_k=50, filters=Filters(keep_meaning=False))
    with_dog = bert_predictor.predict_span(text, start, start + 5, 3, Filters(keep_meaning=False), compare=("dog",))
    dog = next(c for c in with_dog.masks[0].candidates if c.token == "dog")
    # the same PLL-word-l2r as the model's own list gives it
    same = [c for c in plain.masks[0].candidates if c.token == "dog"]
    if same:
        assert dog.log_score == pytest.approx(same[0].log_score, abs=1e-5)
    masked = text.replace("house", "[MASK]")
    assert dog.log_score == pytest.approx(reference_l2r(bert_predictor, masked, "dog"), abs=1e-4)
    with pytest.raises(PredictionError, match="more than one word"):
        bert_predictor.predict_span(text, start, start + 5, compare=("two words",))


def test_the_json_of_a_selection_marks_the_writers_word_and_compared_words(bert_predictor):
    """What --json (and the clipboard export) carry: the selected word and the writer's
    compared words are marked; the model's own words carry neither key."""
    text = "The cat sat on the house."
    start = text.index("house")
    prediction = bert_predictor.predict_span(text, start, start + 5, top_k=3, compare=("dog",))
    listed = prediction.to_dict()["masks"][0]["candidates"]
    by_word = {c["token"]: c for c in listed}
    assert by_word["house"].get("original") is True and "compared" not in by_word["house"]
    assert by_word["dog"].get("compared") is True and "original" not in by_word["dog"]
    assert all(set(c) & {"original", "compared"} == set() for w, c in by_word.items() if w not in ("house", "dog"))


# ----------------------------------------------------------------- why this word
def test_influence_is_the_occlusion_difference(bert_predictor):
    text = "I really [MASK] the movie."
    start = text.index("[MASK]")
    passes = bert_predictor.forward_passes
    found = bert_predictor.explain(text, start, start + 6, "enjoyable")
    assert bert_predictor.forward_passes - passes == 1  # one batched pass
    assert [f.influence for f in found] == sorted((f.influence for f in found), reverse=True)
    assert {f.word for f in found} == {"I", "really", "the", "movie"}
    for f in found:
        assert text[f.start : f.end] == f.word
    movie = next(f for f in found if f.word == "movie")
    full = reference_l2r(bert_predictor, "I really [MASK] the movie.", "enjoyable")
    hidden = reference_l2r(bert_predictor, "I really [MASK] the [MASK].", "enjoyable")
    # the reference widens the first [MASK] only: the second stays the occluded "movie"
    assert movie.influence == pytest.approx(full - hidden, abs=1e-4)


def test_explain_a_selected_word_and_bad_input(bert_predictor):
    text = "The dog was a good dog."
    start = text.index("good")
    found = bert_predictor.explain(text, start, start + 4, "bad")
    assert "good" not in {f.word for f in found} and len(found) == 5
    with pytest.raises(PredictionError):
        bert_predictor.explain(text, 3, 3, "bad")
    with pytest.raises(Superseded):
        bert_predictor.explain(text, start, start + 4, "bad", cancelled=lambda: True)


# ----------------------------------------------------------------- which words stand out
def test_every_word_scored_in_place(bert_predictor):
    text = "The cat saw a [MASK] dog, it's big."
    scores = bert_predictor.score_words(text)
    assert [s.word for s in scores] == ["The", "cat", "saw", "a", "dog", "it's", "big"]
    for s in scores:
        assert text[s.start : s.end] == s.word and s.log_score < 0
    cat = scores[1]
    masked = "The [MASK] saw a [MASK] dog, it's big."
    assert cat.log_score == pytest.approx(reference_l2r(bert_predictor, masked, "cat"), abs=1e-4)


def test_only_the_region_is_scored_whatever_the_document(bert_predictor):
    paragraph = "The cat saw the dog."
    document = ("I liked the movie. " * 300) + "\n" + paragraph + "\n" + ("It was good. " * 300)
    start = document.index(paragraph)
    before = bert_predictor.forward_passes
    scores = bert_predictor.score_words(document, start, start + len(paragraph))
    assert bert_predictor.forward_passes - before == 1
    assert [s.word for s in scores] == ["The", "cat", "saw", "the", "dog"]
    assert all(start <= s.start < s.end <= start + len(paragraph) for s in scores)
    assert bert_predictor.score_words("", 0) == () and bert_predictor.score_words("... !", 0) == ()
    with pytest.raises(Superseded):
        bert_predictor.score_words(paragraph, cancelled=lambda: True)


def test_choosing_a_sense_can_be_cancelled(bert_predictor):
    """A newer request supersedes the sense choice too (it runs the model once)."""
    text = "He paid the bill at the restaurant."
    start = text.index("bill")
    passes = bert_predictor.forward_passes
    with pytest.raises(Superseded):
        bert_predictor.word_senses(text, start, start + 4, ["bill"], cancelled=lambda: True)
    assert bert_predictor.forward_passes == passes
    senses, chosen = bert_predictor.word_senses(text, start, start + 4, ["bill"], cancelled=lambda: False)[0]
    assert len(senses) > 1 and chosen is not None and bert_predictor.forward_passes == passes + 1


# ----------------------------------------------------------------- the real small model
@pytest.fixture(scope="module")
def real_predictor():
    from bertmask_gui.engine.predictor import Predictor

    return Predictor.load(str(PROSE_MLM_SMALL), device="cpu")


@needs_prose_mlm_small
def test_real_model_numbers_are_sensible(real_predictor):
    mat = real_predictor.score_words("The cat sat on the mat.")[-1]
    democracy = real_predictor.score_words("The cat sat on the democracy.")[-1]
    assert (mat.word, democracy.word) == ("mat", "democracy")
    assert mat.log_score > democracy.log_score
    (mask,) = real_predictor.predict("I really [MASK:enjoyed|democracy] the movie.").masks
    assert [c.token for c in mask.candidates] == ["enjoyed", "democracy"]
    text = "She played the [MASK] in the school orchestra."
    assert real_predictor.explain(text, 15, 21, "violin")[0].word == "orchestra"
    text = "I drank a cup of hot [MASK] this morning."
    assert {i.word for i in real_predictor.explain(text, 21, 27, "coffee")[:3]} == {"morning", "hot", "cup"}


@needs_prose_mlm_small
def test_the_sense_that_fits_the_context_is_chosen(real_predictor):
    """"bill" at a restaurant is the itemized statement (WordNet's second sense), not the
    statute WordNet lists first: the senses' words are scored in place."""
    text = "He paid the bill at the restaurant."
    start = text.index("bill")
    senses, chosen = real_predictor.word_senses(text, start, start + 4, ["bill"])[0]
    assert len(senses) > 1 and chosen != 0
    assert "money owed" in senses[chosen].definition


@needs_prose_mlm_small
def test_a_word_without_senses_does_not_stop_the_next_ones(real_predictor):
    """Several words at one place: a word WordNet lacks (or with one sense) keeps no
    choice, and the words after it still get the sense that fits."""
    text = "He paid the bill at the restaurant."
    start = text.index("bill")
    (none, chosen_none), (senses, chosen) = real_predictor.word_senses(text, start, start + 4, ["qwzx", "bill"])
    assert none == () and chosen_none is None
    assert chosen != 0 and "money owed" in senses[chosen].definition
