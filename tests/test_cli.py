"""``--predict`` on the command line: JSON that matches the engine, sentences on failure."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys

import pytest

from conftest import ROOT, SEED_SENTENCE

from bertmask_gui.engine.rankings.lists import WORD_LABEL


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bertmask_gui", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=dict(os.environ),
        timeout=120,
    )


def test_predict_json_matches_engine(tiny_bert, bert_predictor):
    text = "I really [MASK] the [MASK]. It was quite interesting."
    done = run_cli("--predict", text, "--model", str(tiny_bert), "--top-k", "7", "--json", "--device", "cpu")
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert payload["model"] == str(tiny_bert)
    assert payload["device"] == "cpu"
    expected = bert_predictor.predict(text, top_k=7)
    assert [(m["start"], m["end"]) for m in payload["masks"]] == [(m.start, m.end) for m in expected.masks]
    for got, want in zip(payload["masks"], expected.masks):
        assert [c["token"] for c in got["candidates"]] == [c.token for c in want.candidates]
        assert [c["score"] for c in got["candidates"]] == pytest.approx([c.score for c in want.candidates], abs=1e-6)
        assert text[got["start"] : got["end"]] == "[MASK]"


def test_predict_table_is_readable(tiny_bert, bert_predictor):
    done = run_cli("--predict", SEED_SENTENCE, "--model", str(tiny_bert))
    assert done.returncode == 0, done.stderr
    best = bert_predictor.predict(SEED_SENTENCE).masks[0].candidates[0]
    assert "Mask 1" in done.stdout and best.token in done.stdout and "%" in done.stdout


def test_predict_without_mask_explains(tiny_bert):
    done = run_cli("--predict", "no mask here", "--model", str(tiny_bert))
    assert done.returncode == 0
    assert "No [MASK]" in done.stdout


def test_default_model_missing_exits_non_zero_with_sentence():
    done = run_cli("--predict", SEED_SENTENCE, "--json")
    assert done.returncode != 0
    assert "bert-base-uncased" in done.stderr and "not available offline" in done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == ""


def test_bad_model_folder_is_a_sentence(tmp_path):
    done = run_cli("--predict", SEED_SENTENCE, "--model", str(tmp_path / "missing"))
    assert done.returncode != 0 and "does not exist" in done.stderr and "Traceback" not in done.stderr


def test_top_k_is_validated():
    done = run_cli("--predict", SEED_SENTENCE, "--top-k", "0")
    assert done.returncode == 2 and "between 1 and 50" in done.stderr


def test_console_script_exists():
    from importlib.metadata import entry_points

    scripts = {e.name: e.value for e in entry_points(group="gui_scripts")}
    assert scripts.get("bertmask-gui") == "bertmask_gui.app:main"


def test_predict_pieces_flag_gives_the_raw_ranking(tiny_bert, bert_predictor):
    text = "I really [MASK] the [MASK]. It was quite interesting."
    done = run_cli("--predict", text, "--model", str(tiny_bert), "--pieces", "--json", "--device", "cpu")
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    expected = bert_predictor.predict(text, mode="pieces")
    assert payload["mode"] == "pieces" and payload["fills"] == []
    for got, want in zip(payload["masks"], expected.masks):
        assert [c["token"] for c in got["candidates"]] == [c.token for c in want.candidates]
        assert got["score_label"] == "probability at the mask"


def test_predict_words_table_says_what_the_percent_is_and_fills_all(tiny_bert):
    done = run_cli("--predict", "I really [MASK] the [MASK].", "--model", str(tiny_bert), "--device", "cpu")
    assert done.returncode == 0, done.stderr
    assert WORD_LABEL in done.stdout
    assert "Fill all masks together" in done.stdout and " | " in done.stdout
    assert "##" not in done.stdout


# ----------------------------------------------------------------- issue 14: choices, --explain, --score
def test_cli_choices_explain_json(tiny_bert, bert_predictor):
    text = "I [MASK:liked|enjoyed|liked] it."
    done = run_cli("--predict", text, "--model", str(tiny_bert), "--json", "--explain", "--device", "cpu")
    assert done.returncode == 0, done.stderr
    (mask,) = json.loads(done.stdout)["masks"]
    expected = bert_predictor.predict(text).masks[0]
    assert [c["token"] for c in mask["candidates"]] == [c.token for c in expected.candidates]
    for c in mask["candidates"]:
        assert c["score"] == pytest.approx(math.exp(c["log_score"]))
    assert {w["word"] for w in mask["why"]} == {"I", "it"}
    for w in mask["why"]:
        assert set(w) == {"start", "end", "word", "influence"} and text[w["start"] : w["end"]] == w["word"]
    assert "forward passes" in json.loads(done.stdout)["note"]


def test_cli_score_json_and_table(tiny_bert):
    text = "The cat saw the dog."
    done = run_cli("--score", text, "--model", str(tiny_bert), "--json", "--device", "cpu")
    assert done.returncode == 0, done.stderr
    words = json.loads(done.stdout)["words"]
    assert [w["word"] for w in words] == ["The", "cat", "saw", "the", "dog"]
    assert all(set(w) == {"start", "end", "word", "log_score"} for w in words)
    table = run_cli("--score", text, "--model", str(tiny_bert))
    assert table.returncode == 0 and "cat" in table.stdout and "forward pass" in table.stdout


@pytest.mark.parametrize("text", ["I [MASK:] it.", "I [MASK:very good|fine] it.", "I [MASK:😀] it."])
def test_cli_bad_choices_exit_2_with_a_sentence(tiny_bert, text):
    done = run_cli("--predict", text, "--model", str(tiny_bert), "--json")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("bertmask-gui: ") and "Traceback" not in done.stderr
