"""What every exercise checker shares: the reader calls a checker with an answer and is told it
is right, or what is wrong and where.

The checkers live beside their chapter's modules, one module per chapter
(:mod:`backprop.backprop_exercises`, :mod:`backprop.mlp_exercises`, :mod:`backprop.cnn_exercises`,
:mod:`backprop.rnn_exercises`, :mod:`backprop.cures_exercises`); each returns a
:class:`Verdict`, which prints as its message.
"""

import traceback
from dataclasses import dataclass

import numpy as np

from backprop import lang


@dataclass
class Verdict:
    """The answer of a checker; it prints (and displays) as its message.

    ok: the answer is right; message: what is right or wrong and where; layer and quantity name
    the first wrong place where a checker can tell (else None); rel_error: its largest relative
    error.
    """

    ok: bool
    message: str
    layer: int | None = None
    quantity: str | None = None
    rel_error: float = 0.0

    def __str__(self):
        return self.message

    __repr__ = __str__

    def _repr_mimebundle_(self, include=None, exclude=None):
        """Displayed, the message in the current language (:func:`backprop.lang.drawn`)."""
        return lang.text_bundle(self.message)


def call(answer, *args):
    """``(result, None)``, or ``(None, Verdict)`` saying where the reader's function raised."""
    try:
        return answer(*args), None
    except Exception as error:  # a reader's bug: report it instead of raising
        frame = traceback.extract_tb(error.__traceback__)[-1]
        text = f"raised {type(error).__name__}: {error}\n  at line {frame.lineno}: {frame.line}"
        return None, Verdict(False, text)


def as_expected(got, expected, what):
    """None if got has expected's shape and finite entries, else the Verdict saying what it has."""
    if got is None:  # np.asarray(None, float) is a NaN of shape ()
        return Verdict(False, f"{what} is not an array of numbers: None")
    try:
        got = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return Verdict(False, f"{what} is not an array of numbers: {type(got).__name__}")
    if got.shape != expected.shape:
        return Verdict(False, f"{what} has shape {got.shape}, expected {expected.shape}")
    if not np.isfinite(got).all():
        return Verdict(False, f"{what} has NaN or inf entries")
    return None
