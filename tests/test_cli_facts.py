"""``--predict`` with word facts and constrained masks: JSON fields, bad constraints exit 2."""

from __future__ import annotations

import json

from test_cli import run_cli


def test_each_candidate_has_a_definition_and_syllables(tiny_bert):
    done = run_cli("--predict", "The [MASK] barked at night.", "--model", str(tiny_bert), "--json", "--top-k", "8")
    assert done.returncode == 0, done.stderr
    candidates = json.loads(done.stdout)["masks"][0]["candidates"]
    assert candidates and all("definition" in c and "syllables" in c for c in candidates)
    for c in candidates:
        assert c["definition"] is None or (isinstance(c["definition"], str) and c["definition"].startswith("("))
        assert c["syllables"] is None or (isinstance(c["syllables"], int) and c["syllables"] >= 1)
    assert any(isinstance(c["syllables"], int) for c in candidates)


def test_a_constrained_mask_on_the_command_line(tiny_bert):
    done = run_cli("--predict", "I really [MASK starts:t max:5] the movie.", "--model", str(tiny_bert), "--json")
    assert done.returncode == 0, done.stderr
    words = [c["token"] for c in json.loads(done.stdout)["masks"][0]["candidates"]]
    assert words and all(w.lower().startswith("t") and len(w) <= 5 for w in words)


def test_a_bad_constraint_exits_2_with_a_sentence(tiny_bert):
    # (every other bad constraint is the same PredictionError: tests/engine/test_constrained.py)
    done = run_cli("--predict", "I [MASK rhymes:zorblight] it.", "--model", str(tiny_bert), "--json")
    assert done.returncode == 2 and "Spell it as it sounds" in done.stderr and "Traceback" not in done.stderr
