"""Checks of arguments, shared by every module: each raises a ValueError that names the
argument, what it must be and what it got (a scalar's value, an array's shape)."""

import numpy as np


def positive_int(name, value, minimum=1):
    """Raise ValueError unless ``value`` is an integer >= ``minimum`` (a bool is not an integer)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")


def positive(name, value):
    """Raise ValueError unless ``value`` is a finite real number > 0 (a bool or a string is not)."""
    real = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
    if not (real and np.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")


def array(name, value, shape, letters):
    """``value`` as a float64 copy, after checking that its shape is ``shape`` and every entry is
    finite. ``letters`` spells the shape as the docstrings do, e.g. "(N, H)": the ValueError reads
    "h0 must be (N, H) = (5, 2), got shape (4, 2)"."""
    value = np.array(value, dtype=np.float64)
    if value.shape != tuple(shape):
        raise ValueError(f"{name} must be {letters} = {tuple(shape)}, got shape {value.shape}")
    if not np.all(np.isfinite(value)):
        raise ValueError(f"{name} must be finite, got NaN or inf")
    return value
