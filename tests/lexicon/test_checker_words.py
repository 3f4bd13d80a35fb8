"""The lexicon the draft checker asks: word list, frequencies, edits, confusion groups,
the writer's dictionary (plain Python, no model)."""

from __future__ import annotations

from bertmask_gui.lexicon import confusions, edits, words
from bertmask_gui.lexicon.user_dictionary import UserDictionary, default_path


def test_misspellings_are_not_words_but_rare_words_are():
    for wrong in ("recieve", "thier", "teh", "goverment", "definately"):
        assert not words.is_word(wrong), wrong
    for right in ("torrents", "purred", "democracy", "receive", "their", "the"):
        assert words.is_word(right), right


def test_case_apostrophes_possessives_compounds_and_numbers():
    assert words.is_word("Their") and words.is_word("THEIR")  # a capital, capitals
    assert words.is_word("they’re") and words.is_word("don't")  # curly and straight apostrophes
    assert words.is_word("nation's") and words.is_word("well-known")
    assert words.is_word("1990s") and words.is_word("—")  # nothing to spell
    assert words.is_word("Paris") and not words.is_word("Pariss")


def test_frequencies_follow_wordfreq():
    assert words.zipf("the") > 7 > words.zipf("democracy") > 4 > words.zipf("purred") > 0
    assert words.zipf("qzxqzx") == 0.0 and words.frequency("The") == words.frequency("the")
    assert words.frequency("The") == words.frequency("the") > words.frequency("democracy") > 0.0


def test_edits_find_real_words_within_one_and_two_edits():
    one = {n.word: n.distance for n in edits.neighbours("form", 1)}
    assert {"from", "for", "farm"} <= set(one) and set(one.values()) == {1}
    two = {n.word: n.distance for n in edits.neighbours("goverment", 2)}
    assert two.get("government") == 1
    assert edits.neighbours("recieve", 2)[0].word == "receive"  # one edit (a swap), commonest first
    assert {"the"} <= {n.word for n in edits.neighbours("teh", 1)}  # a transposition is one edit
    assert all(n.zipf >= 4 for n in edits.neighbours("the", 1, min_zipf=4.0))
    assert edits.neighbours("x" * 40, 2) == []  # a run of letters: no search


def test_edit_generation_is_damerau_levenshtein_one():
    generated = edits.one_edit("ab")
    assert {"b", "a", "ba", "xab", "axb", "abx", "xb", "ax"} <= generated and "ab" not in generated


def test_confusion_groups_are_curated_and_symmetric():
    groups = confusions.groups()
    assert len(groups) >= 150
    assert {"there", "they're"} <= set(confusions.confused_with("their"))
    assert "their" in confusions.confused_with("There")
    assert "affect" in confusions.confused_with("effect") and "effect" in confusions.confused_with("affect")
    assert confusions.confused_with("zebra") == ()
    assert confusions.parse(["# comment", "a b  # tail", "lonely", "", "C c d"]) == (("a", "b"), ("c", "d"))


def test_user_dictionary_remembers_words_atomically(tmp_path):
    path = tmp_path / "sub" / "dictionary.txt"
    mine = UserDictionary(path)
    assert mine.words == ()
    assert mine.add("Zorblax") and not mine.add("zorblax") and not mine.add("two words")
    assert "ZORBLAX" in mine and path.read_text(encoding="utf-8") == "Zorblax\n"
    assert UserDictionary(path).words == ("Zorblax",)  # remembered
    mine.replace_all(["Alpha", "beta", "alpha", ""])
    assert UserDictionary(path).words == ("Alpha", "beta")
    assert mine.remove("BETA") and not mine.remove("beta")
    assert [p.name for p in path.parent.iterdir()] == ["dictionary.txt"]  # no temp file left
    assert default_path().name == "dictionary.txt"


def test_a_prefix_before_a_word_is_a_word_a_typo_is_not():
    for made in ("biofuels", "postpartisan", "supermajority", "relitigating", "bioterrorism", "non-binding"):
        assert words.prefixed(made), made
    for typo in ("recieve", "coomitted", "unecessary", "prefer", "reat", "superb"):
        assert not words.prefixed(typo), typo  # no prefix before a word; "co" is not one; too short


def test_forms_of_one_lemma_are_recognised():
    from bertmask_gui.lexicon import glosses

    assert glosses.share_a_lemma("inspires", "inspired") and glosses.share_a_lemma("knew", "know")
    assert not glosses.share_a_lemma("cat", "at") and not glosses.share_a_lemma("form", "from")


def test_want_is_not_confused_with_wont():
    """"want" -> "won't" is no writer's slip; with the piece bonus it made false flags."""
    assert confusions.confused_with("want") == () and confusions.confused_with("wont") == ("won't",)


def test_user_dictionary_makes_its_missing_folders(tmp_path):
    """A first save makes the whole folder path (a new user's data folder may not exist)."""
    path = tmp_path / "new" / "share" / "BertMask" / "dictionary.txt"
    mine = UserDictionary(path)
    assert mine.add("Zorblax") and path.read_text(encoding="utf-8") == "Zorblax\n"
    assert mine.remove("zorblax") is True and path.read_text(encoding="utf-8") == ""
