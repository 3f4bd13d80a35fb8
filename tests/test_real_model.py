"""Behaviour only a real language model shows (prose-mlm-small, a small real English MLM).

Random-weight models pass every other test; these fail unless the words make sense.
They assert behaviour (a word among the top few, one score above another), not lists.
"""

from __future__ import annotations

import pytest

from shared_models import PROSE_MLM_SMALL, needs_prose_mlm_small

pytestmark = needs_prose_mlm_small


@pytest.fixture(scope="session")
def real_predictor():
    from bertmask_gui.engine.predictor import Predictor

    return Predictor.load(str(PROSE_MLM_SMALL), device="cpu")


def words(prediction, index: int = 0) -> list[str]:
    return [c.token.lower() for c in prediction.masks[index].candidates]


def test_obvious_slot_proposes_the_function_word(real_predictor):
    prediction = real_predictor.predict("He walked into the room and sat down [MASK] the table.", top_k=5)
    assert {"at", "by", "on", "beside", "near", "to"} & set(words(prediction))


def test_context_decides_the_word(real_predictor):
    door = real_predictor.predict("He opened the [MASK] and walked in.", top_k=10)
    assert {"door", "gate", "room", "house"} & set(words(door))


def test_fitting_word_scores_above_an_absurd_one(real_predictor):
    from bertmask_gui.engine.rankings.meaning import sentence_pll

    job = real_predictor.job()
    assert sentence_pll(job, "The cat sat on the mat.") > sentence_pll(job, "The cat sat on the democracy.")


def test_selected_word_keeps_its_score_and_fits_better_than_nonsense(real_predictor):
    """The selected word is listed with its own PLL-word-l2r in place (the number
    score_words gives it), and a nonsense word compared beside it scores far lower."""
    text = "The cat sat on the mat."
    start = text.index("mat")
    prediction = real_predictor.predict_span(text, start, start + 3, top_k=50, compare=("democracy",))
    candidates = prediction.masks[0].candidates
    (own,) = [c for c in candidates if c.original]  # the writer's own word is always listed
    (nonsense,) = [c for c in candidates if c.compared]
    assert (own.token.lower(), nonsense.token.lower()) == ("mat", "democracy")
    in_place = real_predictor.score_words(text)[-1]
    assert in_place.word == "mat" and own.log_score == pytest.approx(in_place.log_score, abs=1e-4)
    assert nonsense.log_score < own.log_score - 2  # e^-2: several times less likely (4 nats now)
    assert all(c.log_score <= 0 for c in candidates)  # natural-log probabilities


def test_whole_word_candidates_are_writable_words(real_predictor):
    prediction = real_predictor.predict("The [MASK] of the people was the nation's strength.", top_k=50)
    for c in prediction.masks[0].candidates:
        assert "##" not in c.token and " " not in c.token
        assert tuple(real_predictor.tokenizer(c.token, add_special_tokens=False)["input_ids"]) == c.token_ids


def test_selection_mode_keeps_a_held_out_multi_piece_word_whole(real_predictor):
    text = "We passed a bipartisan bill with votes from both parties."
    start = text.index("bipartisan")
    pieces = real_predictor.tokenizer("bipartisan", add_special_tokens=False)["input_ids"]
    assert len(pieces) > 1  # the point of the test: a held-out word of several pieces
    prediction = real_predictor.predict_span(text, start, start + len("bipartisan"), top_k=5)
    originals = [c for c in prediction.masks[0].candidates if c.original]
    assert [c.token.lower() for c in originals] == ["bipartisan"]
    assert originals[0].token_ids == tuple(pieces)


def test_lexsub_embedding_similarity_prefers_a_related_word(real_predictor):
    from bertmask_gui.engine.rankings.meaning import embedding_similarity

    tok = real_predictor.tokenizer
    ids = lambda w: tok(w, add_special_tokens=False)["input_ids"]  # noqa: E731
    job = real_predictor.job()
    assert embedding_similarity(job, ids("big"), ids("large"), 0.1) > embedding_similarity(
        job, ids("big"), ids("yesterday"), 0.1
    )


def test_keep_meaning_ranks_a_synonym_above_an_unrelated_word(real_predictor):
    """Selection mode's default ranking (masked + visible + emb/T) on "big": "large"
    ranks above an unrelated word that fits the grammar."""
    text = "They built a big house near the river."
    start = text.index("big")
    (mask,) = real_predictor.predict_span(text, start, start + 3, top_k=50).masks
    ranked = [c.token.lower() for c in mask.candidates if not c.original]
    assert "large" in ranked, ranked
    unrelated = [w for w in ("new", "small", "little", "old", "good") if w in ranked]
    assert unrelated and ranked.index("large") < ranked.index(unrelated[0]), ranked
    assert mask.score_label.startswith("the word's share of the keep-meaning score")  # the rank's own figure
    assert all(0 < c.score <= 1 for c in mask.candidates)
    figures = [c.score for c in mask.candidates if not c.original]
    assert figures == sorted(figures, reverse=True)  # they fall down the list (issue 20)
