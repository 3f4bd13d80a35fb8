"""Errors whose message is a sentence a writer can act on."""


class BertMaskError(Exception):
    """Base class: ``str(error)`` says what happened and what to do."""


class ModelNotFoundError(BertMaskError):
    """The model is not on disk (and we never download without being asked)."""


class ModelInvalidError(BertMaskError):
    """The folder exists but cannot be used as a fill-mask model."""


class PredictionError(BertMaskError):
    """A prediction could not be made for this text."""


class Superseded(Exception):
    """A newer request is waiting: this one's result would be thrown away unseen."""


def first_line(exc: BaseException, limit: int = 200) -> str:
    """The first line of an exception's message (its type name if it has none)."""
    text = str(exc).strip().splitlines()
    return text[0][:limit] if text else type(exc).__name__
