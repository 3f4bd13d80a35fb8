"""Constrained masks and word facts on the real small model (prose-mlm-small).

Behaviour a language model shows, not exact lists: a rhyme that fits the sentence
comes first, and every listed word obeys the constraints."""

from __future__ import annotations

from shared_models import needs_prose_mlm_small
from test_real_model import real_predictor, words  # noqa: F401 (fixture)

from bertmask_gui.engine.constraints import parse

pytestmark = needs_prose_mlm_small


def test_a_rhyme_that_fits_comes_first(real_predictor):  # noqa: F811
    text = "The stars were shining bright in the dark [MASK rhymes:night]."
    found = words(real_predictor.predict(text, top_k=5))
    assert len(found) == 5 and all(parse("rhymes:night").allows(w) for w in found)
    assert "light" in found[:2]
    plain = words(real_predictor.predict(text.replace(" rhymes:night", ""), top_k=5))
    assert not all(parse("rhymes:night").allows(w) for w in plain)  # the usual list does not rhyme


def test_combined_constraints_fill_the_list(real_predictor):  # noqa: F811
    for typed in ("rhymes:day syllables:1", "starts:s max:6", "syllables:3"):
        found = words(real_predictor.predict(f"She walked slowly into the [MASK {typed}].", top_k=5))
        assert len(found) == 5 and all(parse(typed).allows(w) for w in found)


def test_facts_beside_the_candidates(real_predictor):  # noqa: F811
    text = "The stars were shining bright in the dark [MASK]."
    found = real_predictor.with_facts(text, real_predictor.predict(text, top_k=5))
    by_word = {c.token: c for c in found.masks[0].candidates}
    assert "night" in by_word
    # The sense is the model's choice in context (it may change with the model): one of
    # WordNet's senses of "night", described as the lexicon describes it.
    from bertmask_gui.lexicon.glosses import described, senses

    assert by_word["night"].syllables == 1
    assert by_word["night"].definition in {described(sense) for sense in senses("night")}
