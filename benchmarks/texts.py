"""The benchmark's texts: the seed sentence, a ~450-token paragraph, long documents."""

from __future__ import annotations

SEED = "I really [MASK] the movie. It was quite interesting."

_SENTENCES = (
    "The old house at the end of the street had been empty for years, and the children "
    "who walked past it on their way to school liked to invent stories about who had lived there.",
    "Some said a famous painter had worked in the attic until the light from the north windows "
    "was no longer good enough for his eyes.",
    "Others insisted that a sailor had come back from a long voyage with a chest full of maps, "
    "letters and strange coins that nobody in town could read.",
    "In the spring a young couple bought the place, repaired the roof, painted the shutters a "
    "bright blue and planted tomatoes in the garden behind the kitchen.",
    "For a while the neighbours watched them with suspicion, but the woman baked bread every "
    "Saturday and soon half the street was waiting at her door.",
    "Her husband taught music at the high school and in the evenings the sound of a piano "
    "drifted through the open windows into the warm summer air.",
    "By the autumn nobody remembered the stories any more, although the children still "
    "looked up at the attic windows whenever they passed.",
    "Years later one of them wrote a novel about the house, and the town was surprised to "
    "find itself described so exactly, down to the crack in the garden wall.",
)


def paragraph_words() -> list[str]:
    return " ".join(_SENTENCES).split()


def paragraph(tokenizer, tokens: int, masks: int = 1) -> str:
    """Natural text of about ``tokens`` tokens ([CLS]/[SEP] included), masks evenly spread."""
    pool = paragraph_words()
    words: list[str] = []
    while len(tokenizer(" ".join(words))["input_ids"]) < tokens - masks:
        words.append(pool[len(words) % len(pool)])
    while len(tokenizer(" ".join(words))["input_ids"]) > tokens - masks:
        words.pop()
    for i in range(masks, 0, -1):  # from the end, so earlier positions stay valid
        words.insert(len(words) * i // (masks + 1), "[MASK]")
    return " ".join(words)


def long_document(words: int, middle: str) -> str:
    """``words`` words of prose with ``middle`` (holding the mask) at its centre."""
    pool = paragraph_words()
    half = [pool[i % len(pool)] for i in range(words // 2)]
    return " ".join(half) + " " + middle + " " + " ".join(half)


FAST_AGREEMENT_TEXTS = (
    SEED,
    "The capital of France is [MASK].",
    "She poured a cup of [MASK] and sat by the window.",
    "He [MASK] the door and walked into the rain.",
    "The children were [MASK] because school was closed for the holidays.",
)
