"""The benchmark model: bert-base-uncased's shape and vocabulary, random weights.

Built once from ``../shared/models/bert-base-uncased/{config.json,vocab.txt}`` (a
synthetic 30,522-word vocabulary when that folder is absent), saved as safetensors in a
cache folder and reused. Its predictions are meaningless; its compute is the real model's.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "models" / "bert-base-uncased"
CACHE = Path(os.environ.get("BERTMASK_BENCH_CACHE", Path(tempfile.gettempdir()) / "bertmask-bench"))
VOCAB_SIZE = 30522
SEED = 1234


def _synthetic_vocab() -> list[str]:
    """30,522 entries shaped like bert-base-uncased's: specials, words, ##pieces."""
    specials = ["[PAD]"] + [f"[unused{i}]" for i in range(99)] + ["[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    chars = [chr(c) for c in range(33, 127)] + [chr(c) for c in range(0xA1, 0x250)]
    vocab = specials + chars + ["##" + c for c in chars]
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = (
        "i you he she it we they the a an and or but of to in on at for with is was are were be "
        "really quite very movie film book story it's that this enjoyed liked loved hated watched "
        "interesting boring good bad great day night dog cat house"
    ).split()
    vocab += [w for w in words if w not in vocab]
    n = 0
    while len(vocab) < VOCAB_SIZE:  # deterministic pseudo-words, then ##pieces
        a, b, c = letters[n % 26], letters[(n // 26) % 26], letters[(n // 676) % 26]
        vocab.append(("##" if n % 3 == 0 else "") + a + b + c + str(n // 17576 or ""))
        n += 1
    seen: set[str] = set()
    return [t for t in vocab if not (t in seen or seen.add(t))][:VOCAB_SIZE]


def benchmark_model(folder: Path | None = None, source: Path = SHARED) -> Path:
    """The model folder, built on first use; later calls reuse it.

    ``source``: a folder with bert-base-uncased's config.json and vocab.txt (synthetic if absent).
    """
    folder = folder or CACHE / ("bert-base-uncased-random" if source.is_dir() else "bert-base-synthetic")
    if (folder / "model.safetensors").is_file() and (folder / ".complete").is_file():
        return folder
    import torch
    from transformers import BertConfig, BertForMaskedLM, BertTokenizer

    folder.mkdir(parents=True, exist_ok=True)
    vocab_file = folder / "vocab.txt"
    if source.is_dir():
        config = json.loads((source / "config.json").read_text(encoding="utf-8"))
        vocab_file.write_text((source / "vocab.txt").read_text(encoding="utf-8"), encoding="utf-8")
    else:
        config = {"hidden_size": 768, "num_hidden_layers": 12, "num_attention_heads": 12,
                  "intermediate_size": 3072, "max_position_embeddings": 512, "vocab_size": VOCAB_SIZE,
                  "type_vocab_size": 2, "pad_token_id": 0, "hidden_act": "gelu"}
        vocab_file.write_text("\n".join(_synthetic_vocab()) + "\n", encoding="utf-8")
    # transformers 5.x: pass the vocab path positionally (``vocab_file=`` is ignored).
    tokenizer = BertTokenizer(str(vocab_file), do_lower_case=True)
    assert len(tokenizer) == VOCAB_SIZE, len(tokenizer)
    assert tokenizer.convert_ids_to_tokens(tokenizer.mask_token_id) == "[MASK]"
    keep = {k: v for k, v in config.items() if k not in ("architectures", "transformers_version")}
    torch.manual_seed(SEED)
    model = BertForMaskedLM(BertConfig(**keep)).eval()
    model.save_pretrained(folder, safe_serialization=True)
    tokenizer.save_pretrained(folder)
    (folder / ".complete").write_text("ok\n")
    return folder


if __name__ == "__main__":
    print(benchmark_model())
