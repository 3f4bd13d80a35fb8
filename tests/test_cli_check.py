"""``--check`` on the command line: the JSON contract of issue 19, a readable list,
and a sentence (exit 2), never a traceback, for text that cannot be checked."""

from __future__ import annotations

import json

from test_cli import run_cli

from bertmask_gui.cli import run_check


def test_check_json_contract(tiny_bert, bert_predictor):
    text = "we went two the house and saw a hapy dog ."
    done = run_cli("--check", text, "--model", str(tiny_bert), "--json", "--device", "cpu", "--unusual")
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert set(payload) == {"model", "engine", "flags", "forward_passes", "seconds"}
    assert payload["model"] == str(tiny_bert) and payload["forward_passes"] >= 1 and payload["seconds"] >= 0
    assert payload["flags"], "a non-word is always flagged"
    for flag in payload["flags"]:
        assert set(flag) == {"start", "end", "word", "kind", "suggestions", "margin"}
        assert text[flag["start"] : flag["end"]] == flag["word"]
        assert flag["kind"] in {"spelling", "confusion", "unusual"}
        scores = [s["log_score"] for s in flag["suggestions"]]
        assert all(set(s) == {"word", "log_score"} for s in flag["suggestions"])
        if flag["kind"] != "spelling":
            assert scores == sorted(scores, reverse=True)  # best first
    hapy = next(f for f in payload["flags"] if f["word"] == "hapy")
    assert hapy["kind"] == "spelling" and "happy" in [s["word"] for s in hapy["suggestions"]]
    expected = bert_predictor.check(text)
    assert [(f["start"], f["kind"]) for f in payload["flags"] if f["kind"] != "unusual"] == [
        (f.start, str(f.kind)) for f in expected.flags
    ]


def test_unusual_only_with_the_switch(tiny_bert):
    text = "we went to the house and it was a good day at home with the dog and the cat ."
    done = run_cli("--check", text, "--model", str(tiny_bert), "--json")
    assert done.returncode == 0, done.stderr
    assert all(f["kind"] != "unusual" for f in json.loads(done.stdout)["flags"])


def test_check_readable_list(tiny_bert):
    done = run_cli("--check", "we saw a hapy dog .", "--model", str(tiny_bert))
    assert done.returncode == 0, done.stderr
    assert "“hapy”  not a word  →" in done.stdout and "forward pass" in done.stdout


def test_bad_input_is_a_sentence_not_a_traceback(tiny_bert, capsys):
    for text in ("", "   ", "... !!! ???"):
        done = run_cli("--check", text, "--model", str(tiny_bert))
        assert done.returncode == 2 and "no words to check" in done.stderr and "Traceback" not in done.stderr
    assert run_check("word " * 220_000, str(tiny_bert), "cpu", True) == 2  # 1 MB: refused before loading
    assert "at most 100,000" in capsys.readouterr().err
    done = run_cli("--check", "some words", "--model", "/nonexistent/model")
    assert done.returncode == 2 and "Traceback" not in done.stderr
