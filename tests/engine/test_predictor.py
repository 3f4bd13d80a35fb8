"""The engine against transformers' own fill-mask pipeline, on the same tiny models."""

from __future__ import annotations

import re
import unicodedata

import pytest

from bertmask_gui.engine.encoder import WINDOW_TOKENS
from bertmask_gui.engine.errors import ModelInvalidError, ModelNotFoundError
from bertmask_gui.engine.predictor import Predictor

from conftest import SEED_SENTENCE

PIPELINE_DEPTH = 80  # deep enough that unusable tokens can be dropped and 5 remain


def writer_can_use(tokenizer, token_id: int, token_str: str) -> bool:
    """The test's own statement of what a writer can use (independent of the engine)."""
    if token_id in tokenizer.all_special_ids:
        return False
    if re.fullmatch(r"\[unused\d+\]", tokenizer.convert_ids_to_tokens(token_id)):
        return False
    text = token_str.strip()
    return bool(text) and "\ufffd" not in text and all(unicodedata.category(c)[0] != "C" for c in text)


def pipeline_top(pipe, text: str, k: int) -> list[list[dict]]:
    """The pipeline's top-k per mask, with what a writer cannot use removed."""
    raw = pipe(text, top_k=PIPELINE_DEPTH)
    per_mask = raw if isinstance(raw[0], list) else [raw]
    return [
        [r for r in rows if writer_can_use(pipe.tokenizer, r["token"], r["token_str"])][:k]
        for rows in per_mask
    ]


@pytest.fixture(scope="module")
def pipelines(tiny_bert, tiny_roberta):
    from transformers import pipeline

    return {
        "bert": pipeline("fill-mask", model=str(tiny_bert), device="cpu"),
        "roberta": pipeline("fill-mask", model=str(tiny_roberta), device="cpu"),
    }


@pytest.fixture(params=["bert", "roberta"])
def engine_and_pipe(request, bert_predictor, roberta_predictor, pipelines):
    predictor = bert_predictor if request.param == "bert" else roberta_predictor
    return predictor, pipelines[request.param]


TEXTS = [
    SEED_SENTENCE,
    "[MASK] was quite interesting.",
    "I really [MASK] the [MASK]. It was quite interesting.",
    "The cat and the [MASK] play in the [mask] with [MASK] children.",
]


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("top_k", [1, 5, 12])
def test_equals_pipeline(engine_and_pipe, text, top_k):
    predictor, pipe = engine_and_pipe
    model_text = re.sub(r"\[mask\]", pipe.tokenizer.mask_token, text, flags=re.IGNORECASE)
    expected = pipeline_top(pipe, model_text, top_k)
    result = predictor.predict(text, top_k=top_k, mode="pieces")
    assert len(result.masks) == len(expected)
    for mask, want in zip(result.masks, expected):
        assert [c.token_id for c in mask.candidates] == [w["token"] for w in want]
        assert [c.token for c in mask.candidates] == [w["token_str"].strip() for w in want]
        for got, w in zip(mask.candidates, want):
            assert got.score == pytest.approx(w["score"], abs=1e-5)


def test_scores_are_descending_probabilities(bert_predictor):
    (mask,) = bert_predictor.predict(SEED_SENTENCE, top_k=10).masks
    scores = [c.score for c in mask.candidates]
    assert scores == sorted(scores, reverse=True)
    assert all(0 < s < 1 for s in scores)


def test_mask_offsets_are_character_offsets(bert_predictor):
    text = "Ünïcode 😀 first, then [MASK] and [mask]."
    result = bert_predictor.predict(text)
    assert [text[m.start : m.end] for m in result.masks] == ["[MASK]", "[mask]"]


def test_same_text_works_for_roberta_mask(roberta_predictor):
    result = roberta_predictor.predict(SEED_SENTENCE)
    assert len(result.masks) == 1 and len(result.masks[0].candidates) == 5
    # The model's own token is a mask too.
    assert len(roberta_predictor.predict("I really <mask> it.").masks) == 1


def test_never_proposes_special_or_placeholder_tokens(bert_predictor, roberta_predictor):
    for predictor in (bert_predictor, roberta_predictor):
        tokenizer = predictor.tokenizer
        (mask,) = predictor.predict(SEED_SENTENCE, top_k=50).masks
        assert len(mask.candidates) == 50
        for c in mask.candidates:
            assert c.token_id not in tokenizer.all_special_ids
            assert not re.fullmatch(r"\[unused\d+\]", c.token)
            assert c.token.strip() == c.token and c.token


def test_unusable_tokens_really_were_in_the_way(bert_predictor, pipelines):
    """The tiny model does rank unusable tokens high: the filter is doing work."""
    raw = pipelines["bert"](SEED_SENTENCE, top_k=PIPELINE_DEPTH)
    tokenizer = pipelines["bert"].tokenizer
    assert any(not writer_can_use(tokenizer, r["token"], r["token_str"]) for r in raw[:20])


def test_no_mask_gives_empty_result(bert_predictor):
    assert bert_predictor.predict("No mask here.").masks == ()
    assert bert_predictor.predict("").masks == ()


def test_no_mask_in_pieces_mode_reports_its_own_time_and_no_pass(bert_predictor):
    """The reported seconds are the call's own (at most the time around it), no pass run."""
    import time

    passes = bert_predictor.forward_passes
    before = time.perf_counter()
    found = bert_predictor.predict("No mask here.", mode="pieces")
    around = time.perf_counter() - before
    assert found.masks == () and 0 <= found.seconds <= around
    assert bert_predictor.forward_passes == passes


def test_lm_head_runs_only_at_mask_positions(bert_predictor, monkeypatch):
    seen = []
    head = bert_predictor.model.cls
    handle = head.register_forward_hook(lambda m, args, out: seen.append(tuple(out.shape)))
    try:
        bert_predictor.predict("I really [MASK] the [MASK]. It was quite interesting.", mode="pieces")
    finally:
        handle.remove()
    assert seen == [(1, 2, bert_predictor.model.config.vocab_size)]


@pytest.mark.parametrize("mode", ["pieces", "words"])
@pytest.mark.parametrize("where", ["start", "middle", "end"])
def test_mask_far_beyond_the_token_limit(bert_predictor, where, mode):
    filler = "The dog ran home and the cat sat in the house. " * 400  # ~5,000 tokens
    text = {
        "start": "[MASK] " + filler,
        "middle": filler + "I really [MASK] the movie. " + filler,
        "end": filler + "[MASK]",
    }[where]
    (mask,) = bert_predictor.predict(text, mode=mode).masks
    assert text[mask.start : mask.end] == "[MASK]"
    assert len(mask.candidates) == 5


@pytest.mark.parametrize("mode", ["pieces", "words"])
def test_many_masks_in_a_long_text(bert_predictor, mode):
    filler = "The dog ran home and the cat sat in the house. " * 60
    text = (filler + "[MASK] ") * 12
    result = bert_predictor.predict(text, mode=mode)
    assert len(result.masks) == 12 and all(len(m.candidates) == 5 for m in result.masks)


def test_window_matches_whole_text_when_context_is_local(bert_predictor):
    """A long text's window gives the same answer as that window typed alone."""
    sentence = "I really [MASK] the movie."
    long_text = "The dog ran home. " * 2000 + sentence
    # The window around a mask at the end is the text's last WINDOW_TOKENS tokens (less
    # [CLS] and [SEP]): found here with the tokenizer alone, not with the encoder.
    encoding = bert_predictor.tokenizer(long_text, add_special_tokens=False, return_offsets_mapping=True)
    first = encoding["offset_mapping"][-(WINDOW_TOKENS - 2)][0]
    window = long_text[first:]
    assert len(long_text) > 10 * len(window)
    at = window.index("[MASK]")
    for mode in ("pieces", "words"):
        far = bert_predictor.predict(long_text, top_k=10, mode=mode).masks[0]
        alone = bert_predictor.predict(window, top_k=10, mode=mode).masks[0]
        assert (far.start - first, far.end - first) == (alone.start, alone.end) == (at, at + len("[MASK]"))
        assert [c.token for c in far.candidates] == [c.token for c in alone.candidates]
        assert [c.score for c in far.candidates] == pytest.approx([c.score for c in alone.candidates], rel=1e-4)


# ---------------------------------------------------------------- loading errors
def test_missing_folder_is_a_sentence(tmp_path):
    with pytest.raises(ModelNotFoundError, match="does not exist"):
        Predictor.load(str(tmp_path / "nope"))


def test_hub_id_not_in_cache_says_offline():
    with pytest.raises(ModelNotFoundError, match="not available offline"):
        Predictor.load("bert-base-uncased")


def test_pickle_only_weights_are_refused(tiny_bert, tmp_path):
    import shutil

    folder = tmp_path / "pickle"
    shutil.copytree(tiny_bert, folder)
    (folder / "model.safetensors").rename(folder / "pytorch_model.bin")
    with pytest.raises(ModelInvalidError, match="pickle"):
        Predictor.load(str(folder))


def test_model_without_mlm_head_is_refused(tiny_bert, tmp_path):
    import json
    import shutil

    folder = tmp_path / "classifier"
    shutil.copytree(tiny_bert, folder)
    config = json.loads((folder / "config.json").read_text())
    config["architectures"] = ["BertForSequenceClassification"]
    (folder / "config.json").write_text(json.dumps(config))
    with pytest.raises(ModelInvalidError, match="cannot fill masks"):
        Predictor.load(str(folder))


def test_device_auto_is_cpu_here_and_forced_missing_cuda_falls_back(tiny_bert):
    import torch

    predictor = Predictor.load(str(tiny_bert), device="auto")
    assert predictor.device_name == ("cuda" if torch.cuda.is_available() else "cpu")
    if not torch.cuda.is_available():
        forced = Predictor.load(str(tiny_bert), device="cuda")
        assert forced.device_name == "cpu"
        assert "not available" in forced.notices[0]
    assert not predictor.model.training
