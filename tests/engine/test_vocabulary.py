"""engine.vocabulary on both tiny tokenizers: WordPiece (BERT) and byte-level BPE (RoBERTa).

What the rankings rely on, stated with the tokenizer's own ids: the special tokens around
a text, the space marker, casing, which pieces start or continue a word, and the one
canonical spelling of a piece sequence (issue 23: these survived mutation before).
"""

from __future__ import annotations

import pytest

from bertmask_gui.engine.vocabulary import Vocabulary


def fresh(predictor) -> Vocabulary:
    """A Vocabulary made in the test itself (the predictors are session fixtures, made once)."""
    return Vocabulary(predictor.tokenizer, predictor.vocabulary.size)


def ids(tokenizer, text: str) -> tuple[int, ...]:
    return tuple(tokenizer(text, add_special_tokens=False)["input_ids"])


def token_id(tokenizer, token: str) -> int:
    found = tokenizer.convert_tokens_to_ids(token)
    assert found != tokenizer.unk_token_id, token
    return found


def test_wordpiece_vocabulary(bert_predictor):
    vocab, tok = fresh(bert_predictor), bert_predictor.tokenizer
    assert (vocab.prefix, vocab.suffix) == ([tok.cls_token_id], [tok.sep_token_id])
    assert vocab.marker is None and vocab.cased is False
    word, ending = token_id(tok, "good"), token_id(tok, "##able")
    assert vocab.start_after_space[word] and vocab.start_no_space[word] and not vocab.continuation[word]
    assert vocab.continuation[ending] and not vocab.start_after_space[ending] and not vocab.start_no_space[ending]
    for special in (tok.cls_token_id, tok.sep_token_id, tok.mask_token_id, tok.pad_token_id):
        assert not (vocab.start_after_space[special] or vocab.start_no_space[special] or vocab.continuation[special])
    assert vocab.start_after_space.dtype == vocab.start_no_space.dtype == vocab.continuation.dtype == torch_bool()
    assert vocab.allowed(0, True) is vocab.start_after_space and vocab.allowed(1, True) is vocab.continuation


def test_wordpiece_spelling_is_the_tokenizers_own_split(bert_predictor):
    vocab, tok = fresh(bert_predictor), bert_predictor.tokenizer
    unable = (token_id(tok, "un"), token_id(tok, "##able"))
    assert ids(tok, "unable") == unable
    assert vocab.spelling(unable, True) == vocab.spelling(unable, False) == "unable"
    the = (token_id(tok, "the"),)
    assert vocab.spelling(the, True) == "the"
    letters = tuple(token_id(tok, t) for t in ("t", "##h", "##e"))  # "the" is one piece, not three
    assert vocab.spelling(letters, True) is None
    two_words = (token_id(tok, "good"), token_id(tok, "day"))  # decodes to "good day": not one word
    assert vocab.spelling(two_words, True) is None


def test_bpe_vocabulary(roberta_predictor):
    vocab, tok = fresh(roberta_predictor), roberta_predictor.tokenizer
    assert (vocab.prefix, vocab.suffix) == ([tok.bos_token_id], [tok.eos_token_id])
    assert vocab.marker == "Ġ" and vocab.cased is True
    spaced, bare = token_id(tok, "Ġthe"), token_id(tok, "The")  # "The" began sentences: no space before
    assert vocab.start_after_space[spaced] and not vocab.start_no_space[spaced] and not vocab.continuation[spaced]
    assert vocab.start_no_space[bare] and vocab.continuation[bare] and not vocab.start_after_space[bare]
    assert not vocab.start_after_space[token_id(tok, "Ġ")]  # a lone space is no word
    assert vocab.allowed(0, True) is vocab.start_after_space and vocab.allowed(0, False) is vocab.start_no_space


def test_bpe_spelling_depends_on_the_space_before(roberta_predictor):
    vocab, tok = fresh(roberta_predictor), roberta_predictor.tokenizer
    spaced = ids(tok, " children")
    assert len(spaced) >= 1 and vocab.pieces("children", True) == spaced
    assert vocab.pieces("children", False) == ids(tok, "children") != spaced
    assert vocab.spelling(spaced, True) == "children"
    if len(spaced) > 1:  # a multi-piece word is spelled only where the tokenizer writes it so
        assert vocab.spelling(spaced, False) is None
    two_words = ids(tok, " the cat")
    assert len(two_words) == 2 and vocab.spelling(two_words, True) is None


def test_usable_text_refuses_specials_and_keeps_words(bert_predictor, roberta_predictor):
    for predictor in (bert_predictor, roberta_predictor):
        vocab, tok = fresh(predictor), predictor.tokenizer
        assert all(vocab.usable_text(i) is None for i in tok.all_special_ids)
    assert fresh(bert_predictor).usable_text(token_id(bert_predictor.tokenizer, "[unused3]")) is None
    assert fresh(bert_predictor).usable_text(token_id(bert_predictor.tokenizer, "good")) == "good"
    assert fresh(roberta_predictor).usable_text(token_id(roberta_predictor.tokenizer, "Ġthe")) == "the"


def torch_bool():
    import torch

    return torch.bool


@pytest.mark.parametrize("which", ["bert", "roberta"])
def test_pieces_round_trip_through_spelling(which, bert_predictor, roberta_predictor):
    predictor = bert_predictor if which == "bert" else roberta_predictor
    vocab = fresh(predictor)
    for word in ("movie", "interesting", "children", "unable"):
        pieces = vocab.pieces(word, True)
        assert vocab.spelling(pieces, True) == word, (word, pieces)
