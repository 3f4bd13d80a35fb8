"""Masks with constraints ([MASK rhymes:table], [MASK starts:t max:5]) and word facts.

The search scores the words that satisfy the constraints in place (not the usual pool):
every listed word satisfies them, and the list is the exact top-k of scoring every
satisfying word (rankings.constrained)."""

from __future__ import annotations

import pytest

from scripted_lm import install
from shared_models import PROSE_MLM_SMALL, needs_prose_mlm_small

from bertmask_gui.engine import constraints
from bertmask_gui.engine.constraints import Constraints
from bertmask_gui.engine.errors import PredictionError
from bertmask_gui.engine.filters import is_stop_word
from bertmask_gui.engine.masks import find_masks, mask_regex
from bertmask_gui.engine.options import Filters
from bertmask_gui.engine.rankings import constrained
from bertmask_gui.engine.rankings.inplace import l2r_scores


def ids(predictor, *tokens):
    return [predictor.tokenizer.convert_tokens_to_ids(t) for t in tokens]


def test_constrained_masks_are_found_and_highlighted_as_masks():
    text = "A [MASK rhymes:night syllables:2] and [MASK:a|b] and [mask  starts:s max:6] and [MASK]."
    spans = find_masks(text)
    assert [text[s.start : s.end] for s in spans] == [
        "[MASK rhymes:night syllables:2]", "[MASK:a|b]", "[mask  starts:s max:6]", "[MASK]"]
    assert spans[0].constraints == (("rhymes", "night"), ("syllables", "2"))
    assert spans[2].constraints == (("starts", "s"), ("max", "6"))
    assert spans[1].constraints is None and spans[3].constraints is None
    assert len(mask_regex().findall(text)) == 4  # what the editor's highlighter paints
    assert find_masks("[MASK foo] [MASKrhymes:x]") == []  # not masks: no key:value


@pytest.mark.parametrize(
    "typed, words",
    [
        ("rhymes:night", ("unknown", "rhymes:", "syllables:", "starts:", "max:")),
        ("rhyme:night", ("“rhyme:” is not a constraint",)),
        ("syllables:0", ("syllables:0 cannot be met", "at least 1")),
        ("max:six", ("max:six cannot be met",)),
        ("rhymes:zorblight", ("does not know “zorblight”", "Spell it as it sounds", "rhymes:blight")),
        ("rhymes:night rhymes:day", ("twice",)),
        ("rhymes:", ("needs a value",)),
    ],
)
def test_bad_constraints_are_sentences(typed, words):
    if typed == "rhymes:night":
        assert constraints.parse(typed) == Constraints(rhymes="night")
        return
    with pytest.raises(PredictionError) as caught:
        constraints.parse(typed)
    assert all(w in str(caught.value) for w in words)


def test_constraints_say_which_words_satisfy_them():
    both = constraints.parse("rhymes:night syllables:2")
    assert both.allows("delight") and both.allows("tonight")
    assert not both.allows("light") and not both.allows("nightly") and not both.allows("night")
    short = constraints.parse("starts:s max:5")
    assert short.allows("Sky") and short.allows("stars") and not short.allows("sunset") and not short.allows("moon")
    assert both.text() == "rhymes:night syllables:2" and short.text() == "starts:s max:5"


def table_rule(predictor):
    """A lone mask after "was" prefers ``good``; two masks prefer ``un ##able``; ``able`` is rare."""
    un, able_piece, able, good, was, mask = ids(predictor, "un", "##able", "able", "good", "was", "[MASK]")

    def rule(left, right):
        if left == un:
            return {able_piece: 0.9}
        if left == was and right == mask:
            return {un: 0.5}
        if left == was:
            return {good: 0.6, able: 0.01}
        return {good: 0.1}

    return rule


def test_a_rhyme_outside_the_usual_pool_is_found_first(bert_predictor, monkeypatch):
    install(monkeypatch, bert_predictor, table_rule(bert_predictor))
    text = "It was [MASK rhymes:table] to come."
    words = [c.token for c in bert_predictor.predict(text, top_k=5).masks[0].candidates]
    assert words[0] == "unable" and "able" in words
    rhyme = Constraints(rhymes="table")
    assert all(rhyme.allows(w) for w in words)
    plain = [c.token for c in bert_predictor.predict("It was [MASK] to come.", top_k=5).masks[0].candidates]
    assert plain[0] == "good" and "good" not in words  # the usual list's first word does not rhyme


def every_satisfying_word(predictor, text, wanted, k):
    """The top k by scoring every satisfying word (the reference the search must equal)."""
    job = predictor.job()
    span = find_masks(text)[0]
    ctx = job.encoder.contexts(text, [span]).contexts[0]
    one = constrained.one_piece_words(job.vocabulary, wanted, ctx.after_space)
    longer = constrained.longer_words(job.vocabulary, wanted, ctx.after_space, job.tuning.max_pieces)
    items = [(ctx, (t,)) for t, _ in one] + [(ctx, p) for _, p in longer]
    scored = zip(l2r_scores(job, items), [w for _, w in one] + [w for w, _ in longer])
    return [w for _, w in sorted(scored, reverse=True)[:k]]


@pytest.mark.parametrize("typed", ["starts:t", "syllables:2", "starts:th max:5", "rhymes:day"])
def test_the_list_is_the_exact_top_k_of_every_satisfying_word(bert_predictor, typed):
    text = f"I really [MASK {typed}] the movie."
    wanted = constraints.parse(typed)
    got = [c.token for c in bert_predictor.predict(text, top_k=5).masks[0].candidates]
    assert got and all(wanted.allows(w) for w in got)
    assert got == every_satisfying_word(bert_predictor, text.replace(f" {typed}", ""), wanted, len(got))


def test_a_bpe_model_lists_the_words_as_they_stand_after_a_space(roberta_predictor):
    """RoBERTa spells a word after a space with its own tokens ("Ġthe", not "the"):
    the listed words are those tokens, scored there, the exact top-k as on BERT."""
    text = "I really [MASK starts:t] the movie."
    found = roberta_predictor.predict(text, top_k=5).masks[0].candidates
    tok = roberta_predictor.tokenizer
    assert found and all(tok.convert_ids_to_tokens(c.token_id).startswith("Ġ") for c in found)
    wanted = constraints.parse("starts:t")
    assert [c.token for c in found] == every_satisfying_word(roberta_predictor, "I really [MASK] the movie.", wanted, len(found))


def test_raw_pieces_mode_answers_constrained_masks_in_the_case_of_the_place(bert_predictor):
    """Pieces mode too lists only words that obey; a sentence's first word is capitalised
    (the text has no full stop at its end), a word inside one is not."""
    first = bert_predictor.predict("[MASK starts:t] cat sat on the mat", top_k=5, mode="pieces").masks[0]
    inside = bert_predictor.predict("the cat [MASK starts:t] on the mat", top_k=5, mode="pieces").masks[0]
    assert first.candidates and all(c.token.startswith("T") for c in first.candidates)
    assert inside.candidates and all(c.token.startswith("t") for c in inside.candidates)


@needs_prose_mlm_small
def test_longer_words_are_english_words_not_the_dictionarys_names():
    """CMU lists names ("arkwright", "cronkite" rhyme with "night"): only words the
    English word list holds in lower case are offered (a real vocabulary spells both)."""
    from transformers import AutoTokenizer

    from bertmask_gui.engine.vocabulary import Vocabulary
    from bertmask_gui.lexicon.words import lower_words

    tokenizer = AutoTokenizer.from_pretrained(str(PROSE_MLM_SMALL))
    vocabulary = Vocabulary(tokenizer, len(tokenizer))
    found = {w for w, _ in constrained.longer_words(vocabulary, constraints.parse("rhymes:night"), True, 3)}
    assert found <= lower_words()
    assert not {"arkwright", "enright"} & found  # CMU rhymes, two pieces each here
    assert {"airtight", "excite", "foresight", "ignite"} <= found  # words stay


def test_a_bad_constraint_stops_the_request_before_any_model_work(bert_predictor):
    passes = bert_predictor.forward_passes
    with pytest.raises(PredictionError, match="syllables:0"):
        bert_predictor.predict("I [MASK syllables:0] it, and [MASK] it.", top_k=5)
    with pytest.raises(PredictionError, match="zorblight"):
        bert_predictor.predict("I [MASK rhymes:zorblight] it.", top_k=5, mode="pieces")
    assert bert_predictor.forward_passes == passes


def test_constraints_on_a_selection(bert_predictor):
    text = "I really love the movie."
    found = bert_predictor.predict_span(text, 9, 13, top_k=5, constraints="starts:t")
    mask = found.masks[0]
    assert (mask.start, mask.end, mask.original) == (9, 13, "love")
    assert mask.candidates and all(c.token.lower().startswith("t") for c in mask.candidates)
    assert bert_predictor.predict_span(text, 9, 13, top_k=5).masks[0].candidates != mask.candidates


def test_constraints_on_a_selection_keep_the_writers_filters(bert_predictor):
    """The writer's filters (here: hide stop words) apply to a constrained selection too."""
    text = "I really love the movie."
    plain = bert_predictor.predict_span(text, 9, 13, top_k=5, constraints="starts:t").masks[0].candidates
    assert any(is_stop_word(c.token) for c in plain)  # "the", "this": the filter has work to do
    hidden = bert_predictor.predict_span(text, 9, 13, top_k=5, filters=Filters(top_k=5, hide_stop_words=True),
                                         constraints="starts:t").masks[0].candidates
    assert hidden and not any(is_stop_word(c.token) for c in hidden)
    assert all(c.token.lower().startswith("t") for c in hidden)


def test_fill_all_lists_only_fillings_that_obey_the_constraints(bert_predictor):
    found = bert_predictor.predict("I [MASK starts:t] the [MASK].", top_k=5)
    assert found.fills and all(f.words[0].lower().startswith("t") for f in found.fills)  # (test_constrained_fill.py)
    assert all(c.token.lower().startswith("t") for c in found.masks[0].candidates)


def test_facts_give_each_candidate_a_meaning_and_syllables(bert_predictor):
    text = "The [MASK] barked at the night."
    found = bert_predictor.with_facts(text, bert_predictor.predict(text, top_k=8))
    by_word = {c.token: c for c in found.masks[0].candidates}
    for c in by_word.values():
        assert c.syllables is None or c.syllables >= 1
    first = bert_predictor.with_facts(text, bert_predictor.predict(text, top_k=8), in_context=False)
    for c in first.masks[0].candidates:
        if c.token.isalpha() and c.token not in {"the", "a", "an", "of", "and", "to", "in", "on", "at"}:
            assert c.syllables is not None
    known = next((c for c in first.masks[0].candidates if c.definition), None)
    assert known is None or known.definition.startswith("(")


def test_a_constraint_no_word_meets_says_so(bert_predictor):
    found = bert_predictor.predict("I [MASK starts:qx] it.", top_k=5)
    assert found.masks[0].candidates == ()
    assert "No word the model can spell satisfies [MASK starts:qx]" in found.note
