"""Whole words: generation over 1-3 pieces, merging, PLL-word-l2r, selection mode."""

from __future__ import annotations

import math

import pytest
import torch

from bertmask_gui.engine.options import Filters
from bertmask_gui.engine.encoder import Context
from bertmask_gui.engine.masks import find_masks
from bertmask_gui.engine.rankings.lists import WORD_LABEL
from bertmask_gui.engine.rankings.words import generate

from conftest import SEED_SENTENCE
from scripted_lm import install

TEXTS = [
    SEED_SENTENCE,
    "[MASK] was quite interesting.",
    "I really [MASK] the [MASK]. It was quite interesting.",
    "The cat (and [MASK]) play, [MASK]!",
]


def ids(predictor, *tokens):
    return [predictor.tokenizer.convert_tokens_to_ids(t) for t in tokens]


def unable_rule(predictor):
    """Prefers ``un ##able`` when two masks are offered; a lone mask prefers ``good``."""
    un, able, good, mask = ids(predictor, "un", "##able", "good", "[MASK]")

    def rule(left, right):
        if left == un:
            return {able: 0.9}
        if right == mask:
            return {un: 0.8}
        return {good: 0.3, un: 0.05}

    return rule


def ending_first_rule(predictor):
    """The model is surest of ``##able`` (before a real word), then of ``un`` before it."""
    un, able, good, mask = ids(predictor, "un", "##able", "good", "[MASK]")

    def rule(left, right):
        if left == un:
            return {able: 0.9}
        if right == able:
            return {un: 0.7}
        if left == mask and right != mask:
            return {able: 0.95, good: 0.01}
        if right == mask:
            return {un: 0.3}
        return {good: 0.2}

    return rule


# ----------------------------------------------------------- multi-piece words
def test_multi_piece_word_the_model_prefers_comes_out_whole(bert_predictor, monkeypatch):
    install(monkeypatch, bert_predictor, unable_rule(bert_predictor))
    (mask,) = bert_predictor.predict("It was [MASK] to come.", top_k=5).masks
    words = [c.token for c in mask.candidates]
    assert words[0] == "unable", words
    best = mask.candidates[0]
    assert best.token_ids == tuple(ids(bert_predictor, "un", "##able"))
    # PLL-word-l2r: log P(un | 2 masks) + log P(##able | un, mask), as the rule says.
    assert best.log_score == pytest.approx(math.log(0.8) + math.log(0.9), abs=1e-3)
    assert words[1] == "good" and "un" in words
    # The shown number is the model's estimate exp(PLL-word-l2r), not a share of the list.
    assert mask.score_label == WORD_LABEL
    assert best.score == pytest.approx(0.8 * 0.9, abs=1e-3)
    assert all(c.score == pytest.approx(math.exp(c.log_score)) for c in mask.candidates)


def test_pieces_mode_shows_the_bare_pieces_whole_words_do_not(bert_predictor, monkeypatch):
    install(monkeypatch, bert_predictor, unable_rule(bert_predictor))
    text = "It was [MASK] to come."
    pieces = [c.token for c in bert_predictor.predict(text, top_k=3, mode="pieces").masks[0].candidates]
    assert "unable" not in pieces  # one mask, one token: the raw ranking cannot say it
    # A model whose best guess at the mask is a word's ending: pieces mode shows that
    # bare piece first, as the fill-mask pipeline does; whole words never start with one.
    able, good = ids(bert_predictor, "##able", "good")
    install(monkeypatch, bert_predictor, lambda left, right: {able: 0.6, good: 0.2})
    (raw,) = bert_predictor.predict(text, top_k=3, mode="pieces").masks
    assert (raw.candidates[0].token, raw.candidates[0].token_id) == ("##able", able)
    assert raw.candidates[0].score == pytest.approx(0.6, abs=1e-4)
    (whole,) = bert_predictor.predict(text, top_k=10, filters=Filters(top_k=10, fill_all=False)).masks
    assert whole.candidates and not any(c.token.startswith("##") or c.token_ids[0] == able for c in whole.candidates)


def test_one_request_costs_at_most_three_forward_passes(bert_predictor, monkeypatch):
    lm = install(monkeypatch, bert_predictor, unable_rule(bert_predictor))
    result = bert_predictor.predict("It was [MASK] to come, [MASK] said.", top_k=5, filters=Filters(fill_all=False))
    # Left to right, 1-3 pieces: the pass that fills a piece reads the next one's l2r
    # term, so a 3-piece word costs 3 passes and no scoring pass follows.
    assert result.forward_passes == lm.calls == 3
    lm.calls = 0
    right_to_left = install(monkeypatch, bert_predictor, ending_first_rule(bert_predictor))
    result = bert_predictor.predict("It was [MASK] to come.", top_k=5)
    assert result.masks[0].candidates[0].token == "unable"  # found from its first piece
    assert result.forward_passes == right_to_left.calls == 3
    assert bert_predictor.predict("It was [MASK].", mode="pieces").forward_passes == 1


@pytest.mark.parametrize("which", ["bert", "roberta"])
@pytest.mark.parametrize("text", TEXTS)
def test_no_bare_pieces_ever(bert_predictor, roberta_predictor, which, text):
    predictor = bert_predictor if which == "bert" else roberta_predictor
    result = predictor.predict(text, top_k=50, filters=Filters(top_k=50, match_case=False))
    for mask in result.masks:
        assert len(mask.candidates) == 50
        for c in mask.candidates:
            assert "##" not in c.token and "Ġ" not in c.token and "▁" not in c.token
            assert c.token == c.token.strip() and c.token
            assert not set(c.token_ids) & set(predictor.tokenizer.all_special_ids)
            first = predictor.tokenizer.convert_ids_to_tokens(c.token_ids[0])
            assert not first.startswith("##")  # a continuation never starts a word
        assert len({c.token for c in mask.candidates}) == 50  # each word once


def test_roberta_words_after_a_space_carry_the_space_marker(roberta_predictor):
    (mask,) = roberta_predictor.predict("I really [MASK] the movie.", top_k=30).masks
    for c in mask.candidates:
        assert roberta_predictor.tokenizer.convert_ids_to_tokens(c.token_ids[0]).startswith("Ġ")


def test_multi_piece_candidates_are_canonical(bert_predictor):
    kinds = bert_predictor.vocabulary
    ctx = _context(bert_predictor, "It was [MASK] to come.")
    (words,) = generate(bert_predictor.job(), [ctx], pool=40, beam=8)
    multi = [w for w in words if len(w.pieces) > 1]
    for w in multi:
        again = bert_predictor.tokenizer(w.text, add_special_tokens=False)["input_ids"]
        assert tuple(again) == w.pieces
        assert all(kinds.continuation[p] for p in w.pieces[1:])


def _context(predictor, text):
    ids_ = predictor.tokenizer(text.replace("[MASK]", predictor.mask_token))["input_ids"]
    return Context(tuple(ids_), ids_.index(predictor.mask_token_id), True)


def test_pll_word_l2r_matches_the_model_computed_by_hand(bert_predictor):
    """The score of ``unable`` equals log P(un|[M][M]) + log P(##able|un [M]) from the model."""
    un, able = ids(bert_predictor, "un", "##able")
    ctx = _context(bert_predictor, "It was [MASK] to come.")
    (words,) = generate(bert_predictor.job(), [ctx], extra=[[(un, able)]])
    unable = next(w for w in words if w.text == "unable")
    model, mask_id, pos = bert_predictor.model, bert_predictor.mask_token_id, ctx.pos
    base = list(ctx.ids)
    first = base[:pos] + [mask_id, mask_id] + base[pos + 1 :]
    second = base[:pos] + [un, mask_id] + base[pos + 1 :]
    with torch.inference_mode():
        # A separate model call without the engine's hook (full logits).
        from transformers import AutoModelForMaskedLM

        plain = AutoModelForMaskedLM.from_pretrained(bert_predictor.folder).eval()
        a = plain(input_ids=torch.tensor([first])).logits[0, pos].log_softmax(-1)[un]
        b = plain(input_ids=torch.tensor([second])).logits[0, pos + 1].log_softmax(-1)[able]
    assert unable.log_score == pytest.approx(float(a + b), abs=1e-4)
    del model


@pytest.mark.parametrize("where", ["start", "middle", "end"])
def test_whole_words_use_the_same_window_as_pieces(bert_predictor, monkeypatch, where):
    filler = "The dog ran home and the cat sat in the house. " * 400
    text = {"start": "[MASK] " + filler, "middle": filler + "I [MASK] it. " + filler, "end": filler + "[MASK]"}[where]
    lm = install(monkeypatch, bert_predictor, unable_rule(bert_predictor))
    bert_predictor.predict(text, mode="pieces")
    window = lm.rows_seen[0]
    lm.rows_seen.clear()
    (mask,) = bert_predictor.predict(text).masks
    assert text[mask.start : mask.end] == "[MASK]"
    assert mask.candidates[0].token.lower() == "unable"
    # Every row of the whole-word passes is the part of that window nearest the mask
    # (WORD_CONTEXT_TOKENS at most), with the mask widened to n pieces.
    from bertmask_gui.engine.encoder import WORD_CONTEXT_TOKENS

    pos = window.index(bert_predictor.mask_token_id)
    assert len(lm.rows_seen) > 3
    for row in lm.rows_seen:
        assert len(row) <= WORD_CONTEXT_TOKENS
        assert (row[0], row[-1]) == (window[0], window[-1])  # [CLS] ... [SEP]
        assert _is_focused_slice(row[1:-1], window, pos), row


def _is_focused_slice(body, window, pos) -> bool:
    """body == window[a:pos] + n pieces + window[pos+1:b] for some a, b and n in 1..3."""
    for n in (1, 2, 3):
        for a in range(1, pos + 1):
            left = window[a:pos]
            right = body[len(left) + n :]
            if body[: len(left)] == left and right == window[pos + 1 : pos + 1 + len(right)]:
                return len(right) <= len(window) - pos - 2
    return False


# -------------------------------------------------------------- selection mode
def love_rule(predictor):
    """Masked: ``hate`` > ``love`` > ``like``. With ``love`` in place: love, like, hardly hate."""
    love, hate, like = ids(predictor, "love", "hate", "like")

    def rule(left, right):
        return {hate: 0.5, love: 0.3, like: 0.1}

    return rule, (love, hate, like)


def test_selection_treats_the_span_as_the_mask_and_marks_the_original(bert_predictor, monkeypatch):
    text = "I really love the movie."
    lm = install(monkeypatch, bert_predictor, love_rule(bert_predictor)[0])
    result = bert_predictor.predict_span(text, 9, 13, filters=Filters(keep_meaning=False))
    (mask,) = result.masks
    assert (mask.start, mask.end, mask.original) == (9, 13, "love")
    assert [c.token for c in mask.candidates][:3] == ["hate", "love", "like"]
    assert [c.original for c in mask.candidates][:3] == [False, True, False]
    love = bert_predictor.tokenizer.convert_tokens_to_ids("love")
    assert lm.rows_seen and all(love not in row for row in lm.rows_seen[:3])  # the word is masked
    # At most 4 passes (pruning may end generation early), no keep-meaning pass.
    assert result.mode == "span" and result.forward_passes == lm.calls and 1 <= lm.calls <= 4


def test_meaning_keeping_ranking_keeps_the_sense(bert_predictor, monkeypatch):
    """With the original in place the model says love/like, not hate: hate drops."""
    love, hate, like = ids(bert_predictor, "love", "hate", "like")
    mask_id = bert_predictor.mask_token_id

    def rule(left, right):
        if left != mask_id and right != mask_id:
            return {hate: 0.5, love: 0.3, like: 0.1}
        return {}

    lm = install(monkeypatch, bert_predictor, rule)
    original = lm.probabilities

    def with_original_in_place(ids_, position):
        # A row holding the original word unmasked gets the in-place view.
        if mask_id not in ids_:
            probs = torch.full((lm.size,), 1e-6)
            probs[love], probs[like], probs[hate] = 0.6, 0.3, 1e-4
            return probs / probs.sum()
        return original(ids_, position)

    monkeypatch.setattr(lm, "probabilities", with_original_in_place)
    text = "I really love the movie."
    plain = bert_predictor.predict_span(text, 9, 13, filters=Filters(keep_meaning=False))
    kept = bert_predictor.predict_span(text, 9, 13)  # on by default
    assert [c.token for c in plain.masks[0].candidates][0] == "hate"
    ranked = [c.token for c in kept.masks[0].candidates]
    assert ranked[:2] == ["love", "like"] and ranked.index("hate") > 1
    # The in-place row rides in the first pass: no pass of its own.
    assert kept.forward_passes <= 4
    assert any(mask_id not in row for row in lm.rows_seen)


def test_hide_original_and_case_of_a_capitalised_selection(bert_predictor):
    text = "Love is all. I really love the movie."
    (mask,) = bert_predictor.predict_span(text, 0, 4, top_k=10, filters=Filters(top_k=10, hide_original=True)).masks
    assert all(c.token.lower() != "love" for c in mask.candidates)
    assert all(c.token[0].isupper() for c in mask.candidates if c.token[0].isalpha())
    assert text == "Love is all. I really love the movie."


def test_selection_trims_spaces_and_leaves_other_masks(bert_predictor):
    text = "The [MASK] saw a big  dog ."
    start = text.index(" big ")
    (mask,) = bert_predictor.predict_span(text, start, start + 5).masks
    assert text[mask.start : mask.end] == "big"
    assert mask.candidates


def test_cased_roberta_keeps_its_own_case(roberta_predictor):
    words = roberta_predictor.predict("[MASK] was quite interesting.", top_k=20, filters=Filters(top_k=20)).masks[0]
    raw = roberta_predictor.predict("[MASK] was quite interesting.", top_k=20, filters=Filters(top_k=20, match_case=False)).masks[0]
    assert [c.token for c in words.candidates] == [c.token for c in raw.candidates]


# ----------------------------------------------------------- the int8 draft
@pytest.fixture(scope="module")
def drafted_predictor(tiny_bert):
    from bertmask_gui.engine.predictor import Predictor

    predictor = Predictor.load(str(tiny_bert), device="cpu")
    assert predictor.prepare_draft() and predictor.prepare_draft()  # once; later calls keep it
    return predictor


@pytest.mark.parametrize("text", TEXTS)
def test_drafted_search_shows_only_exact_scores(drafted_predictor, text):
    """The draft only proposes multi-piece words: every shown score is the exact model's
    PLL-word-l2r, and the one-piece words are the exact search's own."""
    import dataclasses

    from bertmask_gui.engine.rankings.inplace import l2r_scores

    p = drafted_predictor
    exact_job = dataclasses.replace(p.job(), draft_runner=None)
    single = Filters(top_k=20, fill_all=False, match_case=False)
    drafted = p.predict(text, top_k=20, filters=single)
    saved, p.draft_runner = p.draft_runner, None
    try:
        exact = p.predict(text, top_k=20, filters=single)
    finally:
        p.draft_runner = saved
    encoded = p.encoder.contexts(text, find_masks(text, p.mask_token))
    for mask, ctx, reference in zip(drafted.masks, encoded.contexts, exact.masks):
        truth = l2r_scores(exact_job, [(ctx, c.token_ids) for c in mask.candidates])
        assert [c.log_score for c in mask.candidates] == pytest.approx(truth, abs=1e-5)
        ours, theirs = ([(c.token, round(c.log_score, 5)) for c in m.candidates if len(c.token_ids) == 1] for m in (mask, reference))
        shared = min(len(ours), len(theirs))
        assert shared >= 10 and ours[:shared] == theirs[:shared]


def test_draft_takes_the_multi_piece_passes(bert_predictor, monkeypatch):
    """The multi-piece search (its n-mask rows, the 2nd and 3rd pieces) runs on the draft;
    the exact model reads the one-piece row and rescores what the draft found, so the
    shown score is the exact one. Scripted: the draft believes ``##able`` after ``un``
    less (0.5) than the exact model does (0.9)."""
    from scripted_lm import ScriptedRunner

    exact = install(monkeypatch, bert_predictor, unable_rule(bert_predictor))
    un, able = ids(bert_predictor, "un", "##able")
    exact_rule = unable_rule(bert_predictor)
    draft = ScriptedRunner(bert_predictor, lambda left, right: {able: 0.5} if left == un else exact_rule(left, right))
    monkeypatch.setattr(bert_predictor, "draft_runner", draft)
    result = bert_predictor.predict("It was [MASK] to come.", filters=Filters(fill_all=False))
    best = result.masks[0].candidates[0]
    assert best.token == "unable"
    assert best.log_score == pytest.approx(math.log(0.8) + math.log(0.9), abs=1e-3)  # exact, not 0.8 * 0.5
    assert exact.calls == 2  # pass 1 and the drafted words' exact terms
    assert 2 <= draft.calls <= 3  # the n-mask rows, the 2nd and 3rd pieces
    mask = bert_predictor.mask_token_id
    assert [row.count(mask) for row in exact.rows_seen[:1]] == [1]  # pass 1: the one-piece row only
    assert any(row.count(mask) >= 2 for row in draft.rows_seen)
    assert result.forward_passes == exact.calls + draft.calls


def test_no_draft_on_fast_mode_or_a_scripted_runner(tiny_bert, drafted_predictor, monkeypatch):
    from bertmask_gui.engine.predictor import Predictor

    assert not Predictor.load(str(tiny_bert), device="cpu", fast=True).prepare_draft()  # int8 already
    assert drafted_predictor.job().drafting() is not None
    install(monkeypatch, drafted_predictor, unable_rule(drafted_predictor))
    assert drafted_predictor.job().drafting() is None


# ----------------------------------------------------------- the early list
def test_early_list_is_the_exact_one_piece_words_then_the_full_list_follows(bert_predictor, monkeypatch):
    install(monkeypatch, bert_predictor, unable_rule(bert_predictor))
    early = []
    final = bert_predictor.predict("It was [MASK] to come.", filters=Filters(fill_all=False), early=early.append)
    assert len(early) == 1 and early[0].preliminary and not final.preliminary
    first = early[0].masks[0].candidates
    assert first and all(len(c.token_ids) == 1 for c in first)
    assert "unable" not in [c.token for c in first] and final.masks[0].candidates[0].token == "unable"
    full = {c.token: c.log_score for c in final.masks[0].candidates}
    assert all(full[c.token] == pytest.approx(c.log_score) for c in first if c.token in full)  # same exact scores
    assert early[0].forward_passes == 1 < final.forward_passes


def test_no_early_list_when_nothing_longer_can_reach_the_list(bert_predictor, monkeypatch):
    good, mask = ids(bert_predictor, "good", "[MASK]")
    # Sure of "good" alone; next to another mask token (a longer word) sure of nothing.
    install(monkeypatch, bert_predictor, lambda left, right: {} if mask in (left, right) else {good: 0.9})
    early = []
    one = Filters(top_k=1, fill_all=False)
    result = bert_predictor.predict("It was [MASK] to come.", top_k=1, filters=one, early=early.append)
    assert early == [] and result.forward_passes == 1  # every longer word pruned after pass 1
    assert bert_predictor.predict("It was [MASK].", mode="pieces", early=early.append).masks and early == []


def test_selection_gives_an_early_list_too(bert_predictor):
    text = "The house was old."
    early = []
    final = bert_predictor.predict_span(text, 4, 9, early=early.append)
    assert len(early) == 1 and early[0].preliminary and early[0].masks[0].original == "house"
    assert not final.preliminary and final.masks[0].candidates


def test_the_draft_is_an_int8_copy_and_the_exact_model_is_untouched(tiny_bert):
    from bertmask_gui.engine.fast import quantized_linear_count
    from bertmask_gui.engine.predictor import Predictor

    p = Predictor.load(str(tiny_bert), device="cpu")
    before = [(c.token, c.score) for c in p.predict_pieces("The [MASK] sat.").masks[0].candidates]
    linears = quantized_linear_count(p.model)
    assert p.prepare_draft()
    assert quantized_linear_count(p.model) == linears == 0
    assert not any(hasattr(m, "qconfig") for m in p.model.modules())
    assert quantized_linear_count(p.draft_runner.model) > 0
    assert p.draft_runner.model.get_input_embeddings() is p.model.get_input_embeddings()  # shared, not copied
    assert [(c.token, c.score) for c in p.predict_pieces("The [MASK] sat.").masks[0].candidates] == before


@pytest.mark.parametrize("long_beam, expected", [(1, 1), (4, 3)])
def test_words_of_three_pieces_keep_long_word_beam_partial_words(bert_predictor, monkeypatch, long_beam, expected):
    """Tuning.long_word_beam: how many 3-piece words in the making get their next rows
    (2-piece words keep ``beam``). Scripted: three pieces can start a word, each 0.2."""
    import dataclasses

    mask = bert_predictor.mask_token_id
    starts = ids(bert_predictor, "un", "in", "big")
    (able,) = ids(bert_predictor, "##able")
    lm = install(monkeypatch, bert_predictor,
                 lambda left, right: {s: 0.2 for s in starts} if right == mask else ({able: 0.9} if left in starts else {}))
    monkeypatch.setattr(bert_predictor, "tuning", dataclasses.replace(bert_predictor.tuning, beam=4, long_word_beam=long_beam))
    text = "It was [MASK] to come."
    at = bert_predictor.tokenizer(text)["input_ids"].index(mask)
    bert_predictor.predict(text, top_k=50, filters=Filters(top_k=50, fill_all=False))
    three_piece_starts = {row[at] for row in lm.rows_seen if row[at] != mask and row[at + 1] == row[at + 2] == mask}
    two_piece_starts = {row[at] for row in lm.rows_seen if row[at] != mask and row[at + 1] == mask != row[at + 2]}
    assert len(three_piece_starts) == expected and three_piece_starts <= set(starts)
    assert set(starts) <= two_piece_starts  # beam 4 for 2-piece words whatever long_word_beam says
