"""Whatever the writer types or pastes: predictions or one clear sentence, never a crash.

Which texts may be refused (a BertMaskError, one sentence)? None that an editor can hold:
every text here, and every text the hypothesis test makes, gets one answer per mask (for
the first MAX_MASKS). Refusals are for what no text causes on these models (a model that
fails, a cancelled request), so an engine that refused long, non-ASCII or odd texts fails.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bertmask_gui.engine.masks import find_masks
from bertmask_gui.engine.options import MAX_MASKS

WEIRD_TEXTS = [
    "",
    "no mask at all",
    "[MASK]",
    "[MASK][MASK][MASK]",
    " ".join(["[MASK]"] * 50),
    "I [mask] it and I [ MASK ] it and I [Mask] it.",
    "un[MASK]able",
    "😀 [MASK] 🎉🎉 and 👩‍👩‍👧 [MASK]",
    "東京は[MASK]です。日本語の文章。",
    "שלום [MASK] עולם",
    "مرحبا [MASK] بالعالم",
    "cafe\u0301 [MASK] nai\u0308ve",
    "line one\r\nline [MASK] two\r\n",
    "tabs\tand\u00a0nbsp [MASK]\u2028next",
    "[MASK]" + "x" * 5000,  # one huge unknown 'word' next to the mask
    "<s> </s> [CLS] [SEP] [PAD] [MASK] <pad>",
]


@pytest.mark.parametrize("text", WEIRD_TEXTS, ids=range(len(WEIRD_TEXTS)))
@pytest.mark.parametrize("which", ["bert", "roberta"])
def test_weird_text_gets_one_answer_per_mask(which, text, bert_predictor, roberta_predictor):
    predictor = bert_predictor if which == "bert" else roberta_predictor
    result = predictor.predict(text, top_k=5)
    spans = find_masks(text, predictor.mask_token)
    assert [(m.start, m.end) for m in result.masks] == [(s.start, s.end) for s in spans]
    for mask in result.masks:
        assert len(mask.candidates) == 5


def test_five_megabyte_paste_with_masks(bert_predictor):
    text = ("The dog ran home and the cat sat in the house. " * 2000 + "I really [MASK] it. ") * 55
    assert len(text) > 5_000_000
    result = bert_predictor.predict(text)
    assert len(result.masks) == 55 and all(m.candidates for m in result.masks)
    assert all(text[m.start : m.end] == "[MASK]" for m in result.masks)


def test_too_many_masks_are_capped_with_a_sentence(bert_predictor):
    text = "word [MASK] " * (MAX_MASKS + 20)
    result = bert_predictor.predict(text)
    assert len(result.masks) == MAX_MASKS
    assert f"{MAX_MASKS + 20} masks" in result.note


_alphabet = st.characters(
    blacklist_categories=("Cs",),  # lone surrogates cannot come from the editor
    blacklist_characters="\x00",
)
_chunks = st.lists(
    st.one_of(st.text(_alphabet, max_size=12), st.sampled_from(["[MASK]", "[mask]", "[ MASK ]", " ", "\n"])),
    max_size=12,
)


@pytest.mark.timeout(600)  # 300 examples: ~15 s alone, minutes on a machine shared with other jobs
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chunks=_chunks)
def test_any_text_gets_one_answer_per_mask(bert_predictor, chunks):
    text = "".join(chunks)
    spans = find_masks(text)
    result = bert_predictor.predict(text, top_k=3)
    assert [(m.start, m.end) for m in result.masks] == [(s.start, s.end) for s in spans[:MAX_MASKS]]
    assert all(len(m.candidates) == 3 for m in result.masks)
