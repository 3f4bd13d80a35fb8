"""WordNet glosses and WordNet's morphology. No torch, no Qt."""

from __future__ import annotations

from bertmask_gui.lexicon import glosses as g


def test_inflected_forms_find_their_lemma():
    assert g.lemmas("happier") == [("happy", "a")]
    assert ("go", "v") in g.lemmas("went")  # an exception list
    assert g.lemmas("cities")[0] == ("city", "n")  # -ies → -y
    assert ("goose", "n") in g.lemmas("geese")
    assert g.lemmas("running")[0] == ("run", "v")  # -ing
    assert g.lemmas("the") == [] and g.lemmas("") == []


def test_gloss_is_the_first_sense_with_its_part_of_speech():
    assert g.gloss("happier") == "(adjective) enjoying or showing or marked by joy or pleasure"
    assert g.gloss("Sanguine").startswith("(adjective) confidently optimistic")  # commonest part of speech
    assert g.gloss("qwzx") is None


def test_senses_carry_synonyms_and_related_words():
    senses = g.senses("car")
    assert senses[0].pos == "n" and "automobile" in senses[0].synonyms
    assert senses[0].related == ()  # its hypernym, motor_vehicle, is not a single word
    assert len(senses) >= 5
    assert "canine" in g.senses("dog")[0].related  # its hypernym
    assert all('"' not in s.definition for s in senses)  # examples are not part of the gloss


def test_an_inflected_words_senses_name_its_lemma():
    """The checker and the sense choice leave the word's own lemma out of its synonyms."""
    senses = g.senses("bills")
    assert senses and all(s.lemma == "bill" for s in senses)
    assert g.senses("went")[0].lemma == "go"
