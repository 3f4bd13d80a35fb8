"""Tiny fill-mask models built on the spot, so tests never need the Hub.

They are saved with ``save_pretrained`` (safetensors) and loaded back through the
app's real loading code, exactly like a model folder a user would pick.
"""

from __future__ import annotations

from pathlib import Path

WORDS = (
    "i you he she it we they the a an and or but of to in on at for with is was "
    "are were be been really quite very movie film book story song it's that this "
    "enjoyed liked loved hated enjoy like love hate watched saw read interesting "
    "boring good bad great fine nice day night dog cat house car tree water fire "
    "run walk talk play happy sad big small old new first last one two three "
    "un able believe think know said says go went come came make made time year "
    "people way thing man woman child world life hand part place case week "
    "company system program question work government number point home"
).split()
PIECES = "##s ##ed ##ing ##ly ##er ##est ##able ##ness ##ful ##y ##e ##a ##o".split()
PUNCTUATION = list(".,;:!?'\"()-")
SPECIALS = ["[PAD]"] + [f"[unused{i}]" for i in range(5)] + ["[UNK]", "[CLS]", "[SEP]", "[MASK]"]
LETTERS = list("abcdefghijklmnopqrstuvwxyz0123456789")

ROBERTA_CORPUS = [
    "I really loved the movie. It was quite interesting.",
    "She read a good book and he watched a boring film.",
    "They went home at night, and we came back in the day.",
    "The cat and the dog play with the children in the house.",
    "People think the world is big, but life is small and happy.",
] * 4


def bert_vocab() -> list[str]:
    vocab = SPECIALS + PUNCTUATION + LETTERS + [f"##{c}" for c in LETTERS] + WORDS + PIECES
    seen: set[str] = set()
    return [t for t in vocab if not (t in seen or seen.add(t))]


def _tiny_config_kwargs(vocab_size: int) -> dict:
    return dict(
        vocab_size=vocab_size,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=512,
    )


def build_tiny_bert(folder: Path, seed: int = 0) -> Path:
    import torch
    from transformers import BertConfig, BertForMaskedLM, BertTokenizer

    folder.mkdir(parents=True, exist_ok=True)
    vocab_file = folder / "vocab.txt"
    vocab_file.write_text("\n".join(bert_vocab()) + "\n", encoding="utf-8")
    # transformers 5.x: the first positional argument is the vocab (path or dict);
    # the old ``vocab_file=`` keyword is silently ignored.
    tokenizer = BertTokenizer(str(vocab_file))
    assert len(tokenizer) == len(bert_vocab()), len(tokenizer)
    assert tokenizer.mask_token_id == bert_vocab().index("[MASK]")

    torch.manual_seed(seed)
    config = BertConfig(**_tiny_config_kwargs(len(tokenizer)), pad_token_id=0)
    model = BertForMaskedLM(config).eval()
    model.save_pretrained(folder, safe_serialization=True)
    tokenizer.save_pretrained(folder)
    return folder


def build_tiny_roberta(folder: Path, seed: int = 0) -> Path:
    import torch
    from tokenizers import ByteLevelBPETokenizer
    from transformers import RobertaConfig, RobertaForMaskedLM, RobertaTokenizer

    folder.mkdir(parents=True, exist_ok=True)
    specials = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]
    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(ROBERTA_CORPUS, vocab_size=400, min_frequency=1, special_tokens=specials)
    bpe.save_model(str(folder))
    tokenizer = RobertaTokenizer(str(folder / "vocab.json"), str(folder / "merges.txt"))
    assert len(tokenizer) == bpe.get_vocab_size(), (len(tokenizer), bpe.get_vocab_size())
    assert tokenizer.mask_token == "<mask>" and tokenizer.mask_token_id == 4

    torch.manual_seed(seed)
    config = RobertaConfig(
        **_tiny_config_kwargs(len(tokenizer)),
        pad_token_id=1,
        bos_token_id=0,
        eos_token_id=2,
    )
    config.max_position_embeddings = 514  # RoBERTa offsets positions by pad_id + 1
    model = RobertaForMaskedLM(config).eval()
    model.save_pretrained(folder, safe_serialization=True)
    tokenizer.save_pretrained(folder)
    return folder


def build_tiny_distilbert(folder: Path, seed: int = 0) -> Path:
    """DistilBERT's shape (its own layer and head modules) on the tiny BERT vocabulary."""
    import torch
    from transformers import BertTokenizer, DistilBertConfig, DistilBertForMaskedLM

    folder.mkdir(parents=True, exist_ok=True)
    vocab_file = folder / "vocab.txt"
    vocab_file.write_text("\n".join(bert_vocab()) + "\n", encoding="utf-8")
    tokenizer = BertTokenizer(str(vocab_file))
    assert len(tokenizer) == len(bert_vocab()), len(tokenizer)
    torch.manual_seed(seed)
    config = DistilBertConfig(
        vocab_size=len(tokenizer), dim=32, n_layers=2, n_heads=2, hidden_dim=64, max_position_embeddings=512, pad_token_id=0
    )
    model = DistilBertForMaskedLM(config).eval()
    model.save_pretrained(folder, safe_serialization=True)
    tokenizer.save_pretrained(folder)
    return folder
