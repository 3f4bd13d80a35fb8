"""Errors whose message is a sentence a writer can act on."""


class BertMaskError(Exception):
    """Base class: ``str(error)`` says what happened and what to do."""


class ModelNotFoundError(BertMaskError):
    """The model is not on disk (and we never download without being asked)."""


class ModelInvalidError(BertMaskError):
    """The folder exists but cannot be used as a fill-mask model."""


class PredictionError(BertMaskError):
    """A prediction could not be made for this text."""
