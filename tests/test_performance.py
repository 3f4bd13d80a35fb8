"""Performance features, tested for behaviour (never for time): threads, fast mode,
the last layer computed only at masks, the startup trace. Timings live in benchmarks/."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import torch

from bertmask_gui.engine.device import configure_threads, physical_cores
from bertmask_gui.engine.fast import quantized_linear_count
from bertmask_gui.engine.predictor import Predictor

from conftest import ROOT, SEED_SENTENCE

# Two cores with two hyper-threads each, as Linux lists them.
HYPERTHREADED = "\n\n".join(
    f"processor\t: {cpu}\nphysical id\t: 0\nsiblings\t: 4\ncore id\t\t: {core}\ncpu cores\t: 2"
    for cpu, core in [(0, 0), (1, 1), (2, 0), (3, 1)]
)
ARM = "\n\n".join(f"processor\t: {cpu}\nBogoMIPS\t: 48.00" for cpu in range(4)) + "\n\nHardware\t: X"


def test_physical_cores_counts_cores_not_hyperthreads():
    assert physical_cores(HYPERTHREADED, allowed={0, 1, 2, 3}) == 2


def test_physical_cores_respects_the_affinity_mask():
    assert physical_cores(HYPERTHREADED, allowed={0, 2}) == 1  # both threads of core 0
    assert physical_cores(HYPERTHREADED, allowed={0, 1}) == 2


def test_physical_cores_without_core_ids_counts_processors():
    assert physical_cores(ARM, allowed={0, 1, 2, 3}) == 4
    assert physical_cores("", allowed={0, 1, 2}) == 3


def test_physical_cores_on_this_machine_is_sane():
    assert 1 <= physical_cores() <= (os.cpu_count() or 1)


def test_configure_threads_sets_physical_cores_unless_user_chose(monkeypatch):
    before = torch.get_num_threads()
    try:
        monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
        torch.set_num_threads(1 if physical_cores() > 1 else 2)
        assert configure_threads(torch.device("cpu")) == physical_cores()
        assert torch.get_num_threads() == physical_cores()
        torch.set_num_threads(1)
        monkeypatch.setenv("OMP_NUM_THREADS", "1")
        assert configure_threads(torch.device("cpu")) == 1  # the user's choice wins
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(before)


# ------------------------------------------------------------------ fast mode
@pytest.fixture(scope="module")
def fast_bert(tiny_bert):
    return Predictor.load(str(tiny_bert), device="cpu", fast=True)


def test_exact_mode_is_not_approximate(bert_predictor):
    assert bert_predictor.approximate is False
    assert quantized_linear_count(bert_predictor.model) == 0


def test_fast_mode_quantizes_every_linear_layer(fast_bert, bert_predictor):
    linear_in_exact = sum(isinstance(m, torch.nn.Linear) for m in bert_predictor.model.modules())
    assert fast_bert.approximate is True
    assert quantized_linear_count(fast_bert.model) == linear_in_exact > 0
    assert not any(type(m) is torch.nn.Linear for m in fast_bert.model.modules())


def test_fast_mode_gives_valid_ranked_probabilities(fast_bert):
    text = "I really [MASK] the [MASK]. It was quite interesting."
    result = fast_bert.predict_pieces(text, top_k=7)
    assert [text[m.start : m.end] for m in result.masks] == ["[MASK]", "[MASK]"]
    for mask in result.masks:
        scores = [c.score for c in mask.candidates]
        assert len(scores) == 7 and scores == sorted(scores, reverse=True)
        assert all(0 < s <= 1 for s in scores)
        assert all(c.token_id not in fast_bert.tokenizer.all_special_ids for c in mask.candidates)
    everything = fast_bert.predict_pieces(SEED_SENTENCE, top_k=len(fast_bert.tokenizer)).masks[0].candidates
    assert 0.9 < sum(c.score for c in everything) <= 1.0 + 1e-4  # a distribution (specials left out)


def test_fast_mode_close_to_exact_on_tiny_model(fast_bert, bert_predictor):
    """int8 changes probabilities a little, not wholesale (random weights: no rank claims)."""
    exact = {c.token_id: c.score for c in bert_predictor.predict_pieces(SEED_SENTENCE, top_k=50).masks[0].candidates}
    fast = fast_bert.predict_pieces(SEED_SENTENCE, top_k=50).masks[0].candidates
    shared = [c for c in fast if c.token_id in exact]
    assert len(shared) >= 25
    assert max(abs(c.score - exact[c.token_id]) for c in shared) < 0.05


def test_fast_mode_for_roberta_and_long_text(tiny_roberta):
    fast = Predictor.load(str(tiny_roberta), device="cpu", fast=True)
    assert fast.approximate and quantized_linear_count(fast.model) > 0
    filler = "The dog ran home and the cat sat in the house. " * 200
    result = fast.predict_pieces(filler + "I really [MASK] it. " + filler + "[MASK]")
    assert len(result.masks) == 2 and all(len(m.candidates) == 5 for m in result.masks)


def test_cli_fast_flag_marks_output_approximate(tiny_bert):
    done = subprocess.run(
        [sys.executable, "-m", "bertmask_gui", "--predict", SEED_SENTENCE, "--model", str(tiny_bert),
         "--device", "cpu", "--fast", "--json"],
        capture_output=True, text=True, cwd=ROOT, env=dict(os.environ), timeout=120,
    )
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert payload["approximate"] is True
    assert len(payload["masks"][0]["candidates"]) == 5


# ------------------------------------------------ last layer only at the masks
@pytest.mark.parametrize("which", ["bert", "roberta"])
def test_last_layer_runs_only_at_mask_rows(which, bert_predictor, roberta_predictor):
    predictor = bert_predictor if which == "bert" else roberta_predictor
    shapes = []
    last = predictor.model.base_model.encoder.layer[-1]
    handle = last.register_forward_hook(lambda m, a, out: shapes.append(tuple(out.shape)))
    try:
        predictor.predict_pieces("I really [MASK] the [MASK]. It was quite [MASK].")
    finally:
        handle.remove()
    assert shapes == [(1, 3, predictor.model.config.hidden_size)]


def test_several_windows_with_one_mask_each_take_the_shortcut_too(bert_predictor):
    filler = "The dog ran home and the cat sat in the house. " * 300
    shapes = []
    last = bert_predictor.model.base_model.encoder.layer[-1]
    handle = last.register_forward_hook(lambda m, a, out: shapes.append(tuple(out.shape)))
    try:
        result = bert_predictor.predict_pieces("[MASK] " + filler + "[MASK]")
    finally:
        handle.remove()
    # Two windows in one batch, one mask each: the last layer runs on the two mask rows
    # (rows asking different numbers of positions run it as written: test_runner.py).
    assert shapes == [(1, 2, bert_predictor.model.config.hidden_size)]
    assert len(result.masks) == 2 and all(len(m.candidates) == 5 for m in result.masks)


def test_rows_only_layer_equals_the_full_model(tiny_bert, bert_predictor):
    """The pruned last layer gives the full model's probabilities (batch of one)."""
    from transformers import AutoModelForMaskedLM

    full = AutoModelForMaskedLM.from_pretrained(str(tiny_bert)).eval()
    text = "The cat and the [MASK] play in the [MASK] with [MASK] children."
    ids = bert_predictor.tokenizer(text, return_tensors="pt")["input_ids"]
    positions = (ids[0] == bert_predictor.mask_token_id).nonzero().flatten()
    with torch.inference_mode():
        want = full(input_ids=ids).logits[0, positions].softmax(-1)
    result = bert_predictor.predict_pieces(text, top_k=20)
    assert len(result.masks) == 3
    for row, mask in zip(want, result.masks):
        for c in mask.candidates:
            assert c.score == pytest.approx(row[c.token_id].item(), abs=1e-6)


# ------------------------------------------------------------- startup trace
def test_startup_trace_prints_milestones_and_quits(tiny_bert, tmp_path):
    text_file = tmp_path / "seed.txt"
    text_file.write_text(SEED_SENTENCE, encoding="utf-8")
    env = dict(os.environ, BERTMASK_TRACE_STARTUP="1", QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, "-m", "bertmask_gui", "--model", str(tiny_bert), "--device", "cpu", str(text_file)],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    events = [line.split() for line in done.stderr.splitlines() if line.startswith("bertmask-trace ")]
    assert [e[1] for e in events] == ["window-shown", "model-loaded", "first-candidates"]
    stamps = [float(e[2]) for e in events]
    assert stamps == sorted(stamps)


def test_fast_window_says_approximate(qtbot, qt_app_identity, tiny_bert):
    from bertmask_gui.app import create_window

    window = create_window(model=str(tiny_bert), device="cpu", fast=True)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.worker.predictor is not None and window.session.ready, timeout=30000)
    assert "approximate" in window.status_line.device_label.text()
    assert window.worker.predictor.approximate
    window.close()


def test_fast_mode_reads_a_short_context(fast_bert, bert_predictor):
    from bertmask_gui.engine.fast import FAST_CONTEXT_TOKENS

    text = "The dog ran home and the cat sat in the house. " * 30 + "I really [MASK] it. " + "The end. " * 30
    lengths = {}
    for name, predictor in (("exact", bert_predictor), ("fast", fast_bert)):
        handle = predictor.model.base_model.register_forward_pre_hook(
            lambda m, args, kwargs, name=name: None
            if lengths.setdefault(name, (args[0] if args else kwargs["input_ids"]).shape[1])
            else None,
            with_kwargs=True,
        )
        try:
            (mask,) = predictor.predict_pieces(text).masks
        finally:
            handle.remove()
        assert text[mask.start : mask.end] == "[MASK]" and len(mask.candidates) == 5
    assert lengths["fast"] <= FAST_CONTEXT_TOKENS < lengths["exact"] <= 512


def test_regenerating_the_report_keeps_the_blocks_other_benchmarks_wrote(tmp_path):
    """bench.py rewrites docs/PERFORMANCE.md; bench_check.py's block in it must survive
    (a regeneration once dropped it), and a block already in the new text is not doubled."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from report import with_other_reports
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    block = "<!-- draft checker cost: begin -->\n| check | 2 |\n<!-- draft checker cost: end -->"
    path = tmp_path / "PERFORMANCE.md"
    path.write_text(f"# Old figures\n\n{block}\n", encoding="utf-8")
    assert with_other_reports("# New figures\n", path) == f"# New figures\n\n{block}\n"
    assert with_other_reports(f"# New\n\n{block}\n", path).count(block) == 1
    assert with_other_reports("# New\n", tmp_path / "absent.md") == "# New\n"


def test_regenerated_quality_reports_keep_their_hand_written_notes():
    """make quality rewrites docs/QUALITY.md and QUALITY_FACTS.md from its results (make bench
    docs/PERFORMANCE_ORT.md); the
    analysis written by hand (benchmarks/quality_notes_*.md) must come back each time (a
    rerun once dropped it), the checker's notes after the checker's section."""
    saved = list(sys.path)
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:  # the reports import their sections' modules as they write
        import bench_ort
        import quality_facts
        import quality_report

        results = json.loads((ROOT / "docs" / "quality.json").read_text(encoding="utf-8"))
        report = quality_report.markdown(results)
        facts = quality_facts.markdown(results["facts"])
        ort = bench_ort.render(json.loads((ROOT / "docs" / "performance_ort.json").read_text(encoding="utf-8")))
    finally:
        sys.path[:] = saved
    notes = {s: (ROOT / "benchmarks" / f"quality_notes_{s}.md").read_text(encoding="utf-8").strip() for s in ("check", "words", "facts")}
    assert notes["words"] in report and notes["facts"] in facts
    assert (ROOT / "benchmarks" / "notes_ort.md").read_text(encoding="utf-8").strip() in ort
    assert report.index("<!-- draft checker: end -->") < report.index(notes["check"]) < report.index("## g. Word lists")
