"""Branch and bound in whole-word generation: the shown list is the same with and
without pruning (words.generate ``floors``), on many texts and filter settings."""

from __future__ import annotations

import itertools

import pytest

from bertmask_gui.engine.filters import sentence_initial
from bertmask_gui.engine.options import Filters
from bertmask_gui.engine.predictor import Predictor
from bertmask_gui.engine.rankings.lists import shown_floor, word_list
from bertmask_gui.engine.rankings.words import generate

from scripted_lm import install
from shared_models import PROSE_MLM_SMALL, needs_prose_mlm_small
from test_wholeword import unable_rule

WORDS = "the cat dog house really quite was is [MASK] , . and old new ran sat a".split()


def texts(count: int = 12) -> list[str]:
    """Deterministic varied texts with one or two masks."""
    out = []
    for i in range(count):
        words = [WORDS[(i * 7 + k * (i + 3)) % len(WORDS)] for k in range(6 + i % 5)]
        words = [w for w in words if w != "[MASK]"]
        words.insert(i % len(words), "[MASK]")
        if i % 3 == 0:
            words.insert(len(words) - 1, "[MASK]")
        out.append(" ".join(words) + ".")
    return out


FILTERS = [Filters(), Filters(hide_stop_words=True, hide_punctuation=True), Filters(top_k=1), Filters(top_k=12)]


def shown(predictor, text, filters, pruned, original=None, keep=False):
    encoded = predictor.encoder.contexts(text, _spans(predictor, text))
    job = predictor.job()
    lists = []
    for ctx, span in zip(encoded.contexts, encoded.model_spans) if original is None else [_selected(predictor, text, original)]:
        initial = sentence_initial(encoded.model_text, span.start)
        floors = [shown_floor(filters.top_k, filters, predictor.vocabulary.cased, original, initial)]
        originals = [predictor.vocabulary.pieces(original, ctx.after_space)] if keep else None
        (found,) = generate(job, [ctx], pool=40, floors=floors if pruned else None, originals=originals)
        lists.append([(c.token, round(c.log_score, 5)) for c in word_list(found, filters.top_k, filters, predictor.vocabulary.cased, original, initial)])
    return lists


def _selected(predictor, text, word):
    """The context and model span of ``word`` in ``text`` as the selection."""
    from bertmask_gui.engine.masks import Span

    start = text.index(word)
    encoded = predictor.encoder.contexts(text, [Span(start, start + len(word))])
    return encoded.contexts[0], encoded.model_spans[0]


def _spans(predictor, text):
    from bertmask_gui.engine.masks import find_masks

    return find_masks(text, predictor.mask_token)


def _check_same(predictor, count=12, filters_list=FILTERS):
    for text, filters in itertools.product(texts(count), filters_list):
        assert shown(predictor, text, filters, True) == shown(predictor, text, filters, False), (text, filters)
    for text in texts(count)[:4]:  # selection mode ranked by PLL (keep-meaning off): pruned too
        text = text.replace("[MASK]", "house")
        for filters in filters_list[:2]:
            args = (predictor, text, filters)
            assert shown(*args, True, "house") == shown(*args, False, "house"), text


def test_pruning_keeps_the_shown_list_tiny_model(bert_predictor):
    _check_same(bert_predictor)


def test_pruning_keeps_the_shown_list_scripted(bert_predictor, monkeypatch):
    """A runner that makes a multi-piece word win: pruning must not lose it."""
    install(monkeypatch, bert_predictor, unable_rule(bert_predictor))
    _check_same(bert_predictor, 6)
    with_pruning = bert_predictor.predict("It was [MASK] to come.", top_k=3)
    assert "unable" in [c.token for c in with_pruning.masks[0].candidates]


@needs_prose_mlm_small
def test_pruning_keeps_the_shown_list_real_model():
    predictor = Predictor.load(str(PROSE_MLM_SMALL), device="cpu")
    try:
        _check_same(predictor, 5, FILTERS[:2])  # ~1 min on 2 busy cores
    finally:
        predictor.close()


def test_the_default_prediction_costs_at_most_four_passes(bert_predictor):
    """Generation, beam and scoring: pruning may end it early, never add a pass."""
    result = bert_predictor.predict("I really [MASK] the movie. It was quite interesting.")
    assert 1 <= result.forward_passes <= 4


def _keep_meaning_unpruned(predictor, text, word, filters):
    """Selection mode's keep-meaning list computed without any pruning."""
    from bertmask_gui.engine.masks import Span
    from bertmask_gui.engine.rankings.lists import pool_size
    from bertmask_gui.engine.rankings.meaning import add_similarity, similarity_dots

    start = text.index(word)
    encoded = predictor.encoder.contexts(text, [Span(start, start + len(word))])
    ctx, span = encoded.contexts[0], encoded.model_spans[0]
    initial = sentence_initial(encoded.model_text, span.start)
    job = predictor.job()
    pieces = predictor.vocabulary.pieces(word, ctx.after_space)
    (found,) = generate(job, [ctx], pool=pool_size(filters.top_k), extra=[[pieces]], originals=[pieces])
    add_similarity(found, similarity_dots(job, pieces, job.tuning.meaning_temperature))
    cands = word_list(found, filters.top_k, filters, predictor.vocabulary.cased, word, initial, job.tuning)
    return [(c.token, round(c.log_score, 4)) for c in cands]


@pytest.mark.parametrize("scripted", [False, True])
def test_keep_meaning_pruning_keeps_the_shown_list(bert_predictor, monkeypatch, scripted):
    """The keep-meaning rank is pruned with the in-place row and the embedding bound
    (meaning.similarity_bounds): the selection's list is the unpruned one."""
    if scripted:
        install(monkeypatch, bert_predictor, unable_rule(bert_predictor))
    checked = 0
    for text in texts(8):
        text = text.replace("[MASK]", "house")
        for filters in FILTERS[:3]:
            start = text.index("house")
            shown = bert_predictor.predict_span(text, start, start + 5, top_k=filters.top_k, filters=filters)
            got = [(c.token, round(c.log_score, 4)) for c in shown.masks[0].candidates]
            assert got == _keep_meaning_unpruned(bert_predictor, text, "house", filters), (text, filters)
            checked += 1
    assert checked == 24


def _happy_alternatives(predictor, runner, table):
    """The selection list for "happy" in a short sentence with ``table`` as the scripted
    runner's embeddings (scaled so that one shared unit is 40 meaning temperatures apart),
    and the same list computed without pruning."""
    runner.embeddings = table * (40 * predictor.tuning.meaning_temperature / table.shape[1]) ** 0.5
    text = "it was a happy day ."
    start = text.index("happy")
    filters = Filters(top_k=3, hide_original=True)
    found = predictor.predict_span(text, start, start + 5, top_k=3, filters=filters)
    got = [(c.token, round(c.log_score, 4)) for c in found.masks[0].candidates]
    return got, _keep_meaning_unpruned(predictor, text, "happy", filters)


def test_keep_meaning_pruning_counts_the_embedding_term(bert_predictor, monkeypatch):
    """A two-piece word the model finds unlikely but whose embedding is the selected
    word's ("un ##able" for "happy", in a scripted table) is lifted to the top by the
    meaning term: the pruning bound adds that term, so the word is still found."""
    un, able, good, nice, mask, happy = (bert_predictor.tokenizer.convert_tokens_to_ids(t)
                                         for t in ("un", "##able", "good", "nice", "[MASK]", "happy"))

    def rule(left, right):
        if left == un:
            return {able: 0.5}
        if right == mask:
            return {un: 0.05}  # unlikely as a two-piece start: below every shown one-piece word
        return {good: 0.3, nice: 0.3}

    runner = install(monkeypatch, bert_predictor, rule)
    table = runner.embeddings.clone().zero_()
    table[[happy, un, able]] = 1.0  # "unable" means "happy" here; every other word means nothing
    got, unpruned = _happy_alternatives(bert_predictor, runner, table)
    assert got[0][0] == "unable"
    assert got == unpruned


def test_keep_meaning_floor_counts_the_embedding_term(bert_predictor, monkeypatch):
    """Words the model likes but whose meaning is far from the selected word's ("good",
    "nice", "great", "fine" far from "happy", in a scripted table) sink in the
    keep-meaning rank: the pruning floor ranks them with that term too, so it does not
    prune "un ##able", which the list shows first."""
    tok = bert_predictor.tokenizer
    un, able, mask, happy = (tok.convert_tokens_to_ids(t) for t in ("un", "##able", "[MASK]", "happy"))
    liked = [tok.convert_tokens_to_ids(t) for t in ("good", "nice", "great", "fine")]

    def rule(left, right):
        if left == un:
            return {able: 0.5}
        if right == mask:
            return {un: 0.05}
        return dict.fromkeys(liked, 0.2)

    runner = install(monkeypatch, bert_predictor, rule)
    table = runner.embeddings.clone().zero_()
    table[happy] = 1.0
    table[liked] = -1.0  # the liked words mean the opposite of "happy"
    got, unpruned = _happy_alternatives(bert_predictor, runner, table)
    assert got[0][0] == "unable" and not {"good", "nice", "great", "fine"} & {w for w, _ in got}
    assert got == unpruned
