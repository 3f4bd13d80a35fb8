"""Errors whose message is a sentence a writer can act on."""

import re


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


_TERMINAL_COLOURS = re.compile(r"\x1b\[[0-9;]*m")


def first_line(exc: BaseException, limit: int = 200) -> str:
    """The first line of an exception's message (its type name if it has none),
    without the terminal colour codes some libraries put in (torch.onnx does)."""
    text = _TERMINAL_COLOURS.sub("", str(exc)).strip().splitlines()
    return text[0][:limit] if text else type(exc).__name__


def root_cause(exc: BaseException) -> BaseException:
    """The innermost exception that ``exc`` was raised from: wrappers such as
    torch.onnx's TorchExportError say "step 1/3 failed", their cause says why."""
    seen = {id(exc)}
    while (inner := exc.__cause__ or exc.__context__) is not None and id(inner) not in seen:
        seen.add(id(inner))
        exc = inner
    return exc
