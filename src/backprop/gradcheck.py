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


def matches(analytic, numeric, rtol=1e-7, atol=1e-9, floor=1e-2):
    """The course's one rule for "this gradient matches central differences": equal shapes,
    ``rel_error < rtol`` on the entries with |a| + |n| >= ``floor``, and an absolute error below
    ``atol`` on the smaller ones.

    Why two parts: with eps = 1e-5, central differences of the course's losses carry an absolute
    error of up to ~1e-10 (round-off ulp(L)/eps, plus truncation eps^2 |L'''|/6). That is a 1e-7
    relative error only for entries of 1e-3 or more, and random parameters put some gradient
    entries below that (products of small factors), so small entries are judged in absolute terms.
    """
    analytic = np.asarray(analytic, dtype=np.float64)
    numeric = np.asarray(numeric, dtype=np.float64)
    if analytic.shape != numeric.shape:
        return False
    big = np.abs(analytic) + np.abs(numeric) >= floor
    big_ok = not big.any() or rel_error(analytic[big], numeric[big]) < rtol
    return bool(big_ok and np.max(np.abs(analytic - numeric)[~big], initial=0.0) < atol)
