"""Checks of scalar arguments, shared by every module: each raises a ValueError that names the
argument, what it must be and what it got."""

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
