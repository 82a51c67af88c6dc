"""The unsaturated band of one sigmoid unit (Nielsen, *Neural Networks and Deep Learning*, ch. 5).

The error passes a sigmoid unit with weight w on its input a and bias b multiplied by
|w sigma'(w a + b)|; it does not shrink only where that factor is >= 1, which needs |w| >= 4
(sigma' <= 1/4) and then holds on an interval of a whose width :func:`band_width` gives.
All functions are elementwise on numbers or broadcastable arrays. (The module is named for what
bounds the band: the saturated tails on either side of it.)
"""

import numpy as np

from backprop import activations as act


def band(a, w, b):
    """|w sigma'(w a + b)|: the factor one sigmoid neuron multiplies a gradient by.

    Elementwise with broadcasting; a, w, b are numbers or arrays. It is >= 1 (the
    gradient does not shrink) only on an interval of a, and only when |w| >= 4
    (Nielsen, ch. 5, problem): see :func:`band_width` and :func:`band_interval`.
    """
    a, w, b = (np.asarray(v, dtype=np.float64) for v in (a, w, b))
    return np.abs(w * act.sigmoid_prime(w * a + b))  # |w sigma'(w a + b)|


def _abs_w(w):
    """(|w|, |w| where |w| >= 4 else 4): the second keeps sqrt(1 - 4/|w|) real (the band has
    width 0 at |w| = 4)."""
    aw = np.abs(np.asarray(w, dtype=np.float64))
    return aw, np.where(aw >= 4.0, aw, 4.0)


def _band_z(w):
    """|w| and the half-width z* in z of the band sigma'(z) >= 1/|w| (0 where |w| < 4).

    sigma(1 - sigma) >= 1/|w| <=> sigma in [(1 - kappa)/2, (1 + kappa)/2], kappa = sqrt(1 - 4/|w|),
    <=> |z| <= z* = ln((1 + kappa)/(1 - kappa)) = ln(|w| (1 + kappa)^2 / 4).
    """
    aw, wide = _abs_w(w)
    kappa = np.sqrt(1.0 - 4.0 / wide)
    return aw, np.where(aw >= 4.0, np.log(wide * (1.0 + kappa) ** 2 / 4.0), 0.0)


def band_interval(w, b):
    """The interval ``(lo, hi)`` of a where |w sigma'(w a + b)| >= 1. Where |w| < 4 the band is
    empty, returned as the interval of width 0 at lo = hi = -b/w.

    z = w a + b lies in [-z*, z*] (see ``_band_z``), so a lies between
    (-z* - b)/w and (z* - b)/w. w must be non-zero; arrays broadcast.
    """
    aw, z_star = _band_z(w)
    if np.any(aw == 0):
        raise ValueError("w must be non-zero (the band of w = 0 is empty), got w = 0")
    w, b = np.asarray(w, dtype=np.float64), np.asarray(b, dtype=np.float64)
    ends = ((-z_star - b) / w, (z_star - b) / w)
    return np.minimum(*ends), np.maximum(*ends)


def band_width(w, b=0.0):
    """Width of the interval of a where |w sigma'(w a + b)| >= 1 (Nielsen, ch. 5).

    (2/|w|) ln(|w| (1 + sqrt(1 - 4/|w|))/2 - 1) for |w| >= 4, else 0. It does not depend
    on b, which only shifts the interval (:func:`band_interval`); it peaks near
    |w| ~ 6.9 at about 0.45, so a sigmoid neuron rarely avoids shrinking the gradient.
    """
    if not np.all(np.isfinite(np.asarray(b, dtype=np.float64))):
        raise ValueError(f"b must be finite, got {b!r}")
    aw, wide = _abs_w(w)
    inside = wide * (1.0 + np.sqrt(1.0 - 4.0 / wide)) / 2.0 - 1.0  # equals 1 at |w| = 4
    return np.where(aw >= 4.0, 2.0 / wide * np.log(inside), 0.0)
