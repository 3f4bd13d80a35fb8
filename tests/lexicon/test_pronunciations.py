"""The CMU pronunciations: syllables (with a marked estimate), rhymes. No torch, no Qt."""

from __future__ import annotations

import subprocess
import sys

from bertmask_gui.lexicon import pronunciations as p


def test_syllables_from_the_dictionary_and_an_estimate_marked_as_such():
    assert p.syllables("night") == p.Syllables(1, estimated=False)
    assert p.syllables("Beautiful") == p.Syllables(3, estimated=False)
    guessed = p.syllables("zorblaxity")
    assert guessed is not None and guessed.estimated and guessed.count == 4
    assert p.syllables("123") is None
    assert p.syllable_counts("every") == {2, 3}


def test_estimate_of_common_spellings():
    assert [p.estimated_syllables(w) for w in ("make", "table", "walked", "wanted", "banana")] == [1, 2, 1, 2, 3]
    # A silent final e takes one syllable, not two (zor-bate); "-le" after a vowel is
    # silent too (whale), unlike after a consonant (table).
    assert [p.estimated_syllables(w) for w in ("zorbate", "whale", "grimale", "brickle")] == [2, 1, 2, 2]


def test_rhyme_is_from_the_last_stressed_vowel_in_any_pronunciation():
    assert p.rhyme_part(("N", "AY1", "T")) == "AY T"
    assert p.rhyme_part(("B", "AH0", "N", "AE1", "N", "AH0")) == "AE N AH"
    assert p.rhymes("night", "light") and p.rhymes("delight", "Night")
    assert not p.rhymes("night", "nine")
    assert p.rhymes("read", "bed") and p.rhymes("read", "seed")  # two pronunciations
    assert not p.rhymes("night", "night")  # a word does not rhyme with itself
    assert not p.rhymes("night", "zorblight")  # the dictionary lacks it: cannot be judged


def test_rhyming_words_are_the_rhymes_in_the_dictionary():
    found = p.rhyming_words("night")
    assert {"light", "bright", "kite", "delight"} <= set(found)
    assert "night" not in found and "nine" not in found
    assert all(p.rhymes(w, "night") for w in found[:50])
    assert p.rhyming_words("zorblight") == ()


def test_the_lexicon_imports_no_torch_and_no_qt():
    code = (
        "import sys; from bertmask_gui.lexicon import pronunciations, glosses; "
        "pronunciations.syllables('night'); glosses.gloss('happier'); "
        "print(sorted(m for m in ('torch', 'transformers', 'PySide6') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
