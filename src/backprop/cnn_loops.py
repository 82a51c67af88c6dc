"""The conv and pooling layers of :mod:`backprop.cnn` written as the formulas read: loops over
samples, filters and channels around one 2-D cross-correlation at a time (for reading; the
vectorised forms of :mod:`backprop.cnn` are for running). Same conventions, shapes, caches and
errors as :mod:`backprop.cnn`; the tests check both forms against finite differences.
"""

import numpy as np

from backprop.cnn import (
    as_batch,
    check_conv,
    check_delta,
    check_pool,
    conv_output_shape,
    pad_full,
    restore_rank,
    rot180,
)


def cross_correlate2d(x, k):
    """Valid 2-D cross-correlation (x ⋆ k)[i, j] = sum_{u,v} x[i+u, j+v] k[u, v], with loops.

    x: (H, W), k: (kh, kw) with kh <= H, kw <= W -> (H-kh+1, W-kw+1).
    """
    x, k = np.asarray(x, dtype=np.float64), np.asarray(k, dtype=np.float64)
    if x.ndim != 2 or k.ndim != 2 or k.shape[0] > x.shape[0] or k.shape[1] > x.shape[1]:
        raise ValueError(
            f"cross_correlate2d needs 2-D x and a 2-D kernel k that fits in it, "
            f"got x {x.shape} and k {k.shape}"
        )
    kh, kw = k.shape
    out = np.zeros((x.shape[0] - kh + 1, x.shape[1] - kw + 1))
    for i, j in np.ndindex(out.shape):
        out[i, j] = np.sum(x[i : i + kh, j : j + kw] * k)  # (x ⋆ k)[i,j] = sum_uv x[i+u,j+v] k[u,v]
    return out


def convolve2d(x, k):
    """Valid 2-D true convolution x ⊛ k = x ⋆ rot180(k), with loops.

    True convolution commutes, so either array may be the larger one: x ⊛ k = k ⊛ x, the
    positions where the smaller lies wholly inside the larger. (H, W) and (kh, kw) ->
    (abs(H-kh)+1, abs(W-kw)+1); one array must fit inside the other.
    """
    x, k = np.asarray(x, dtype=np.float64), np.asarray(k, dtype=np.float64)
    if x.ndim == 2 and k.ndim == 2 and k.shape[0] >= x.shape[0] and k.shape[1] >= x.shape[1]:
        x, k = k, x  # x ⊛ k = k ⊛ x: slide the smaller one
    return cross_correlate2d(x, rot180(k))  # x ⊛ k = x ⋆ rot180(k)


def conv2d_forward_loops(a, W, b):
    """(CONV-FP) z[n, q] = sum_r a[n, r] ⋆ W[q, r] + b[q], one 2-D cross-correlation at a time.

    Filter q, input channel r, example n of a batch. a: (n_c, M, N) or (batch, n_c, M, N);
    W: (F, n_c, kh, kw); b: (F,). Returns ``(z, cache)``, z: (F, M-kh+1, N-kw+1) or
    (batch, F, M-kh+1, N-kw+1).
    """
    a4, single, W, b = check_conv(a, W, b)
    z = np.zeros(conv_output_shape(a4, W))
    for n, q in np.ndindex(a4.shape[0], W.shape[0]):
        z[n, q] = b[q]
        for r in range(a4.shape[1]):
            z[n, q] += cross_correlate2d(a4[n, r], W[q, r])  # (CONV-FP) z = a ⋆ W + b
    return restore_rank(z, single), (a4, W, single)


def conv2d_backward_loops(delta, cache):
    """(CONV-BP-a, -W, -b) with loops. Returns ``(grad_a, grad_W, grad_b)``.

    delta = dC/dz, shaped like z. grad_a = dC/da like a; grad_W: (F, n_c, kh, kw); grad_b: (F,);
    the parameter gradients are summed over the batch. Filter q, input channel r, example n.
    """
    a4, W, single = cache
    d4 = check_delta(delta, conv_output_shape(a4, W), single)
    kh, kw = W.shape[2:]
    grad_a, grad_W = np.zeros_like(a4), np.zeros_like(W)
    for n, q, r in np.ndindex(a4.shape[0], W.shape[0], a4.shape[1]):
        full = pad_full(d4[n, q], kh, kw)
        grad_a[n, r] += cross_correlate2d(full, rot180(W[q, r]))  # (CONV-BP-a) full δ ⋆ rot180(W)
        grad_W[q, r] += cross_correlate2d(a4[n, r], d4[n, q])  # (CONV-BP-W) dC/dW = a ⋆ delta
    grad_b = d4.sum(axis=(0, 2, 3))  # (CONV-BP-b) dC/db_q = sum_{n,i,j} delta[n, q, i, j]
    return restore_rank(grad_a, single), grad_W, grad_b


def pool_forward_loops(a, size, mode="max"):
    """(POOL-FP) out[n, c, i, j] = max or mean of the size×size window (i, j) of a[n, c].

    a: (C, H, W) or (N, C, H, W), H and W divisible by size.
    Returns ``(out, cache)``, out: (C, H/size, W/size) or (N, C, H/size, W/size).
    """
    a4, single = check_pool(a, size, mode)
    N, C, H, Wd = a4.shape
    out = np.zeros((N, C, H // size, Wd // size))
    reduce = np.max if mode == "max" else np.mean
    for n, c, i, j in np.ndindex(out.shape):
        window = a4[n, c, i * size : (i + 1) * size, j * size : (j + 1) * size]
        out[n, c, i, j] = reduce(window)  # (POOL-FP)
    return restore_rank(out, single), (a4, size, mode, single)


def pool_backward_loops(delta, cache):
    """(POOL-BP) the notes' upsample, one window at a time. Returns grad_a, shaped like a.

    max: the window's delta goes to its first maximum (row-major), 0 elsewhere;
    mean: each of the size² entries gets delta / size².
    """
    a4, size, mode, single = cache
    out_shape = a4.shape[:2] + (a4.shape[2] // size, a4.shape[3] // size)
    d4 = check_delta(delta, out_shape, single)
    grad_a = np.zeros_like(a4)
    for n, r, i, j in np.ndindex(d4.shape):  # example n, channel r, window (i, j)
        rows, cols = slice(i * size, (i + 1) * size), slice(j * size, (j + 1) * size)
        if mode == "max":
            u, v = np.unravel_index(np.argmax(a4[n, r, rows, cols]), (size, size))  # first max
            grad_a[n, r, i * size + u, j * size + v] = d4[n, r, i, j]  # (POOL-BP max) all to it
        else:
            grad_a[n, r, rows, cols] = d4[n, r, i, j] / size**2  # (POOL-BP mean) shared equally
    return restore_rank(grad_a, single)


def weight_gradient_readings(a, delta):
    """The notes' dC/dW = delta * rot180(a), read two ways, next to the right formula.

    a: (C, H, W) or (N, C, H, W); delta: (F, Ho, Wo) or (N, F, Ho, Wo), same rank, Ho <= H and
    Wo <= W. Returns a dict of (F, C, kh, kw) arrays (kh = H-Ho+1, kw = W-Wo+1), summed over
    the batch, each computed from its own formula with the 2-D operations above:

    - "a ⋆ delta": (CONV-BP-W), dC/dW for the cross-correlation forward (CONV-FP);
    - "delta ⊛ rot180(a)": the notes with * = true convolution; equals rot180(dC/dW), and dC/dW'
      for the true-convolution forward z = a ⊛ W' + b;
    - "rot180(a) ⋆ delta": the notes with * = cross-correlation; equals rot180(a ⊛ delta), neither.
    """
    a4, single = as_batch(a)
    d4, d_single = as_batch(delta, name="delta")
    if (
        single != d_single
        or d4.shape[0] != a4.shape[0]
        or np.any(np.greater(d4.shape[2:], a4.shape[2:]))
    ):
        raise ValueError(
            f"delta must have the rank and N of a {np.shape(a)}, with Ho <= H and Wo <= W, "
            f"got shape {np.shape(delta)}"
        )
    formulas = {
        "a ⋆ delta": lambda x, d: cross_correlate2d(x, d),  # (CONV-BP-W)
        "delta ⊛ rot180(a)": lambda x, d: convolve2d(d, rot180(x)),  # notes, * = ⊛
        "rot180(a) ⋆ delta": lambda x, d: cross_correlate2d(rot180(x), d),  # notes, * = ⋆
    }
    kh, kw = a4.shape[2] - d4.shape[2] + 1, a4.shape[3] - d4.shape[3] + 1
    readings = {name: np.zeros((d4.shape[1], a4.shape[1], kh, kw)) for name in formulas}
    for name, formula in formulas.items():
        for n, q, r in np.ndindex(a4.shape[0], d4.shape[1], a4.shape[1]):
            readings[name][q, r] += formula(a4[n, r], d4[n, q])  # filter q, channel r
    return readings


def input_gradient_terms(delta, W, m, n):
    """The non-zero terms of (CONV-BP-a) at input position (m, n), one channel and one filter.

    dC/da[m, n] = sum_{u,v} delta[m-u, n-v] W[u, v], over the (u, v) with 0 <= m-u < Ho and
    0 <= n-v < Wo (the other entries of pad_full(delta) are zeros). delta: (Ho, Wo); W: (kh, kw).
    Returns a list of ((m-u, n-v), (u, v)) index pairs, u and v ascending.
    """
    delta, W = np.asarray(delta), np.asarray(W)
    if delta.ndim != 2 or W.ndim != 2:
        raise ValueError(f"delta and W must be 2-D, got shapes {delta.shape} and {W.shape}")
    (Ho, Wo), (kh, kw) = delta.shape, W.shape
    if not (0 <= m < Ho + kh - 1 and 0 <= n < Wo + kw - 1):
        raise ValueError(
            f"(m, n) must lie in the input (H, W)={(Ho + kh - 1, Wo + kw - 1)}, got {(m, n)}"
        )
    terms = [((m - u, n - v), (u, v)) for u, v in np.ndindex(kh, kw)]
    return [(d, w) for d, w in terms if 0 <= d[0] < Ho and 0 <= d[1] < Wo]
