"""Convolution and pooling layers: forward and backward passes (the contract of the chapter "CNN").

Conventions of this code (the chapter compares them with the notes' ``*`` and rot180):

- "Convolution" is the deep-learning one, a valid cross-correlation with stride 1 and no padding,
  written ⋆: (x ⋆ k)[i, j] = sum_{u,v} x[i+u, j+v] k[u, v], 0 <= i <= H-kh, 0 <= j <= W-kw.
  True convolution is x ⊛ k = x ⋆ rot180(k), rot180(k)[u, v] = k[kh-1-u, kw-1-v].
- delta = dC/dz of the layer's output. The backward passes return dC/da of the layer's input;
  the caller multiplies by sigma'(z^{l-1}) to get the previous layer's delta.
- Pooling windows are size×size and do not overlap. At a tie, max pooling sends the window's delta
  to its *first* maximum in row-major order (numpy's argmax rule), one valid subgradient.
- Shapes: ``a`` is one sample (C, H, W) or a batch (N, C, H, W); W is (F, C, kh, kw); b is (F,).
  Outputs keep the rank of ``a``; parameter gradients are summed over the batch; all float64.

The equations, as the functions' comments name them (the chapter's letters: example n of the
batch, filter q, input channel r)::

    z[n, q]     = sum_r a[n, r] ⋆ W[q, r] + b[q]                       (CONV-FP)
    dC/da[n, r] = sum_q pad_full(delta[n, q]) ⋆ rot180(W[q, r])         (CONV-BP-a)
    dC/dW[q, r] = sum_n a[n, r] ⋆ delta[n, q]                           (CONV-BP-W)
    dC/db[q]    = sum_{n,i,j} delta[n, q, i, j]                         (CONV-BP-b)
    out[n, c, i, j] = max or mean of window (i, j) of a[n, c]           (POOL-FP)
    dC/da = upsample(delta): all to the maximum, or delta/size² to each (POOL-BP)

The loop forms, which follow these equations one 2-D cross-correlation at a time, are in
:mod:`backprop.cnn_loops`; the small CNN of the chapter and its training in
:mod:`backprop.cnn_training`.
"""

import functools

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from backprop import validate

POOL_MODES = ("max", "mean")


# ---------------------------------------------------------------- checks and shapes


def as_batch(a, name="a"):
    """``a`` as a float64 batch (N, C, H, W), and whether it was given as one sample (C, H, W)."""
    a = np.asarray(a, dtype=np.float64)
    if a.ndim not in (3, 4):
        raise ValueError(f"{name} must be (C, H, W) or (N, C, H, W), got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be finite, got NaN or inf")
    return (a[None], True) if a.ndim == 3 else (a, False)


def restore_rank(x4, single):
    """(N, ...) -> (...) when the input was one sample (``single``), else x4 unchanged."""
    return x4[0] if single else x4


def check_conv(a, W, b):
    """Check a conv layer's input and parameters; return ``(a4, single, W, b)`` as float64."""
    a4, single = as_batch(a)
    W, b = np.asarray(W, dtype=np.float64), np.asarray(b, dtype=np.float64)
    C, H, Wd = a4.shape[1:]
    if W.ndim != 4 or W.shape[1] != C or min(W.shape) < 1:
        raise ValueError(
            f"W must be (F, C, kh, kw) with C={C} channels and F, kh, kw >= 1, got shape {W.shape}"
        )
    if b.shape != (W.shape[0],):
        raise ValueError(f"b must be (F,) with F={W.shape[0]} filters, got shape {b.shape}")
    if W.shape[2] > H or W.shape[3] > Wd:
        raise ValueError(f"kernel (kh, kw)={W.shape[2:]} must fit in the input (H, W)={(H, Wd)}")
    if not (np.all(np.isfinite(W)) and np.all(np.isfinite(b))):
        raise ValueError("W and b must be finite, got NaN or inf")
    return a4, single, W, b


def conv_output_shape(a4, W):
    """(N, F, H-kh+1, W-kw+1): the shape of z for a batch a4 (N, C, H, W) and W (F, C, kh, kw)."""
    return (a4.shape[0], W.shape[0], a4.shape[2] - W.shape[2] + 1, a4.shape[3] - W.shape[3] + 1)


def check_delta(delta, out_shape, single):
    """delta as a float64 batch (N, ...), after checking it has the output's shape and is finite.

    out_shape: the forward output's batch shape (N, ...); single: the forward got one sample.
    """
    delta = np.asarray(delta, dtype=np.float64)
    expected = out_shape[1:] if single else out_shape
    if delta.shape != expected:
        raise ValueError(f"delta must have the output's shape {expected}, got shape {delta.shape}")
    if not np.all(np.isfinite(delta)):
        raise ValueError("delta must be finite, got NaN or inf")
    return delta[None] if single else delta


def check_pool(a, size, mode):
    """Check a pooling layer's input (C, H, W) or (N, C, H, W); return ``(a4, single)``."""
    a4, single = as_batch(a)
    validate.positive_int("size", size)
    if mode not in POOL_MODES:
        raise ValueError(f"mode must be one of {POOL_MODES}, got {mode!r}")
    H, Wd = a4.shape[2:]
    if H % size or Wd % size:
        raise ValueError(f"H and W must divide by size={size}, got (H, W)={(H, Wd)}")
    return a4, single


# ---------------------------------------------------------------- the pieces of the formulas


def rot180(W):
    """rot180(W)[..., u, v] = W[..., kh-1-u, kw-1-v]: flip the last two axes (a view).

    W: (..., kh, kw), at least 2 axes -> the same shape.
    """
    W = np.asarray(W, dtype=np.float64)
    if W.ndim < 2:
        raise ValueError(f"rot180 needs at least 2 axes (..., kh, kw), got shape {W.shape}")
    return W[..., ::-1, ::-1]


def pad_full(delta, kh, kw):
    """Zero-pad the last two axes by kh-1 rows and kw-1 columns on each side.

    (..., Ho, Wo) -> (..., Ho+2(kh-1), Wo+2(kw-1)); a valid cross-correlation of the result
    with a kh×kw kernel is the *full* cross-correlation of delta, of shape (..., Ho+kh-1, Wo+kw-1).
    """
    delta = np.asarray(delta, dtype=np.float64)
    if delta.ndim < 2 or kh < 1 or kw < 1:
        raise ValueError(
            f"pad_full needs delta with at least 2 axes and kh, kw >= 1, "
            f"got shape {delta.shape} and (kh, kw)={(kh, kw)}"
        )
    return np.pad(delta, [(0, 0)] * (delta.ndim - 2) + [(kh - 1, kh - 1), (kw - 1, kw - 1)])


# ---------------------------------------------------------------- conv layer


def conv2d_forward(a, W, b):
    """(CONV-FP) z[n, q] = sum_r a[n, r] ⋆ W[q, r] + b[q]: valid cross-correlation, stride 1.

    a: (C, H, W) or (N, C, H, W); W: (F, C, kh, kw); b: (F,).
    Returns ``(z, cache)``, z: (F, H-kh+1, W-kw+1) or (N, F, H-kh+1, W-kw+1).
    """
    a4, single, W, b = check_conv(a, W, b)
    windows = sliding_window_view(a4, W.shape[2:], axis=(2, 3))  # (N, C, Ho, Wo, kh, kw)
    z = np.einsum("nchwuv,fcuv->nfhw", windows, W, optimize=True)  # (CONV-FP) sum_c a ⋆ W
    return restore_rank(z + b[:, None, None], single), (a4, W, single)


def conv2d_backward(delta, cache):
    """(CONV-BP-a, -W, -b). Returns ``(grad_a, grad_W, grad_b)``.

    delta = dC/dz, shaped like z. grad_a = dC/da like a (times sigma'(z^{l-1}) it is the previous
    layer's delta); grad_W: (F, C, kh, kw); grad_b: (F,); parameter gradients summed over the batch.
    """
    a4, W, single = cache
    d4 = check_delta(delta, conv_output_shape(a4, W), single)
    kh, kw = W.shape[2:]
    full = sliding_window_view(pad_full(d4, kh, kw), (kh, kw), axis=(2, 3))  # (N, F, H, W, kh, kw)
    grad_a = np.einsum("nfhwuv,fcuv->nchw", full, rot180(W), optimize=True)  # (CONV-BP-a)
    return (restore_rank(grad_a, single), *conv2d_parameter_backward(delta, cache))


def conv2d_parameter_backward(delta, cache):
    """(CONV-BP-W, -b) alone, for a first layer, whose dC/da nobody needs.

    delta = dC/dz, shaped like z. Returns ``(grad_W, grad_b)``: (F, C, kh, kw) and (F,), summed
    over the batch.
    """
    a4, W, single = cache
    d4 = check_delta(delta, conv_output_shape(a4, W), single)
    windows = sliding_window_view(a4, d4.shape[2:], axis=(2, 3))  # (N, C, kh, kw, Ho, Wo)
    grad_W = np.tensordot(d4, windows, axes=([0, 2, 3], [0, 4, 5]))  # (CONV-BP-W) a ⋆ delta
    grad_b = d4.sum(axis=(0, 2, 3))  # (CONV-BP-b) sum of delta over positions and the batch
    return grad_W, grad_b


# ---------------------------------------------------------------- pooling layer


def window_entries(a4, size):
    """Entry (u, v) of every size×size window at once, for (u, v) in row-major order.

    a4: (N, C, H, W) -> a list of size² strided views a4[:, :, u::size, v::size], each
    (N, C, H/size, W/size).
    """
    return [a4[:, :, u::size, v::size] for u, v in np.ndindex(size, size)]


def pool_forward(a, size, mode="max"):
    """(POOL-FP) max or mean over non-overlapping size×size windows.

    a: (C, H, W) or (N, C, H, W), H and W divisible by size; mode: "max" or "mean".
    Returns ``(out, cache)``, out: (C, H/size, W/size) or (N, C, H/size, W/size).
    """
    a4, single = check_pool(a, size, mode)
    entries = window_entries(a4, size)
    if mode == "max":
        out = functools.reduce(np.maximum, entries)  # (POOL-FP max) the window's largest entry
    else:
        out = sum(entries) / size**2  # (POOL-FP mean) the window's average
    return restore_rank(out, single), (a4, size, mode, single)


def pool_backward(delta, cache):
    """(POOL-BP) the notes' upsample: dC/da from delta = dC/dout. Returns grad_a, shaped like a.

    delta: shaped like the pooled output. max: each window's delta goes to its first maximum in
    row-major order, 0 elsewhere; mean: each entry of the window gets delta / size². The previous
    layer's delta is upsample(delta^l) ⊙ sigma'(z^{l-1}).
    """
    a4, size, mode, single = cache
    N, C, H, Wd = a4.shape
    d4 = check_delta(delta, (N, C, H // size, Wd // size), single)
    grad_a, entries = np.zeros_like(a4), window_entries(a4, size)
    out, taken = functools.reduce(np.maximum, entries), np.zeros(d4.shape, dtype=bool)
    for (u, v), entry in zip(np.ndindex(size, size), entries):
        if mode == "max":
            first = (entry == out) & ~taken  # the first maximum of its window, in row-major order
            grad_a[:, :, u::size, v::size] = d4 * first  # (POOL-BP max) all to the maximum
            taken |= first
        else:
            grad_a[:, :, u::size, v::size] = d4 / size**2  # (POOL-BP mean) shared equally
    return restore_rank(grad_a, single)
