"""Numerical gradients: the check every formula of the course must pass."""

import numpy as np


def numerical_gradient(f, x, eps=1e-6):
    """Central differences of a scalar function ``f`` at the array ``x``.

    dC/dx_i ≈ (f(x + eps e_i) - f(x - eps e_i)) / (2 eps), for every entry i of x.
    ``x`` is perturbed in place, one entry at a time, and restored: it is
    unchanged on return. The result has the shape of ``x``.
    """
    if not isinstance(x, np.ndarray) or x.dtype != np.float64:
        raise ValueError(
            f"x must be a float64 numpy array, got {type(x).__name__} "
            f"of dtype {getattr(x, 'dtype', None)}"
        )
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        f_plus = float(f(x))
        x[i] = old - eps
        f_minus = float(f(x))
        x[i] = old  # restore the entry before the next one moves
        grad[i] = (f_plus - f_minus) / (2.0 * eps)
    return grad


def rel_error(a, b):
    """max_i |a_i - b_i| / max(|a_i| + |b_i|, 1e-12): the largest elementwise relative error.

    The floor 1e-12 keeps entries where both are (nearly) zero from dividing by zero:
    there the error is measured in absolute terms.
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"rel_error needs equal shapes, got {a.shape} and {b.shape}")
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), 1e-12)))
