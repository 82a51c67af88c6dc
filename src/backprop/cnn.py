"""Convolution and pooling layers: forward pass, backward pass, and where the notes' rot180 comes from.

Convention. In deep learning "convolution" ``*`` means *cross-correlation*, written ⋆ here:
the kernel slides over the input without being flipped. For a 2-D input x and kernel k::

    (x ⋆ k)[i, j] = sum_{u,v} x[i+u, j+v] k[u, v]              (valid: 0 <= i <= H-kh, 0 <= j <= W-kw)

True (flipped) convolution, written ⊛, is x ⊛ k = x ⋆ rot180(k). A conv layer with C input
channels and F filters, stride 1, no padding, computes for each filter f::

    z[f] = sum_c a[c] ⋆ W[f, c] + b[f]                          (CONV-FP)

Its backward pass, with delta = dC/dz (the notes' delta^l)::

    dC/da[c]   = sum_f pad_full(delta[f]) ⋆ rot180(W[f, c])     (CONV-BP-a)
    dC/dW[f,c] = a[c] ⋆ delta[f]                                (CONV-BP-W)
    dC/db[f]   = sum_{u,v} delta[f, u, v]                       (CONV-BP-b)

The rot180 in (CONV-BP-a) is the chain rule, not a convention: input pixel a[c, m, n] met
weight W[f, c, u, v] at output (m-u, n-v), so dC/da[c, m, n] = sum_{f,u,v} delta[f, m-u, n-v]
W[f, c, u, v]; sliding the kernel over the zero-padded delta (pad_full) with the index u
running backwards is a cross-correlation with rot180(W). The previous layer's delta is
(CONV-BP-a) ⊙ sigma'(z^{l-1}), the notes' delta^{l-1} = delta^l * rot180(W^l) ⊙ sigma'(z^{l-1}).

The notes' weight gradient dC/dW^l = delta^l * rot180(a^{l-1}) is *not* (CONV-BP-W) under
either reading of ``*`` (checked numerically in the tests; :func:`weight_gradient_readings`
lets a page show it):

- ``*`` = true convolution: delta ⊛ rot180(a) = rot180(a ⋆ delta) = rot180(dC/dW) for this
  module's cross-correlation forward. It is exactly dC/dW' for a *true-convolution* forward
  z = a ⊛ W' + b (the convention of signal processing and of UFLDL). Under that forward the
  notes' delta formula holds too, read with ⊛: dC/da = pad_full(delta) ⊛ rot180(W'). So the
  notes are consistent if ``*`` is true convolution everywhere, forward included; with ⋆
  everywhere (this module) their delta formula holds, as (CONV-BP-a), and their weight
  formula does not.
- ``*`` = cross-correlation: the only kh×kw cross-correlation of the two, rot180(a) ⋆ delta,
  equals rot180(a ⊛ delta) = rot180(a ⋆ rot180(delta)), which is neither dC/dW nor its rot180
  (unless delta is symmetric under rot180).

With the deep-learning forward (CONV-FP) the weight gradient is a ⋆ delta = a ⊛ rot180(delta).

Pooling: non-overlapping size×size windows. Max pooling passes each window's delta to the
window's maximum and 0 to the rest; mean pooling shares it equally among the size² entries
(the notes' "upsample"). Tie rule for max pooling: when a window holds its maximum more than
once, the whole delta goes to the *first* maximum in row-major order (numpy's argmax rule).
That is one valid subgradient; the pooled output is not differentiable at a tie, so finite
differences agree with pool_backward only away from ties.

Shapes: ``a`` is one sample (C, H, W) or a batch (N, C, H, W); outputs have the same rank as
``a``; the gradients are summed over the batch. The ``*_loops`` functions mirror the
formulas line by line (for reading); the others compute the same with
``sliding_window_view`` and ``einsum`` (for running); the tests check they agree.
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from backprop import activations as act
from backprop import datasets, mlp, training, validate

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


def as_given(x4, single):
    """Drop the batch axis again when the input was one sample."""
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
    """delta as a float64 batch, after checking it has the forward output's shape and is finite."""
    delta = np.asarray(delta, dtype=np.float64)
    expected = out_shape[1:] if single else out_shape
    if delta.shape != expected:
        raise ValueError(f"delta must have the output's shape {expected}, got shape {delta.shape}")
    if not np.all(np.isfinite(delta)):
        raise ValueError("delta must be finite, got NaN or inf")
    return delta[None] if single else delta


def check_pool(a, size, mode):
    """Check a pooling layer's input; return ``(a4, single)``."""
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
    """rot180(W)[..., u, v] = W[..., kh-1-u, kw-1-v]: flip the last two axes (a view)."""
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
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.sum(
                x[i : i + kh, j : j + kw] * k
            )  # (x ⋆ k)[i,j] = sum_uv x[i+u, j+v] k[u,v]
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


# ---------------------------------------------------------------- loop forms: the formulas as written


def conv2d_forward_loops(a, W, b):
    """(CONV-FP) z[n, f] = sum_c a[n, c] ⋆ W[f, c] + b[f], one 2-D cross-correlation at a time.

    a: (C, H, W) or (N, C, H, W); W: (F, C, kh, kw); b: (F,).
    Returns ``(z, cache)``, z: (F, H-kh+1, W-kw+1) or (N, F, H-kh+1, W-kw+1).
    """
    a4, single, W, b = check_conv(a, W, b)
    z = np.zeros(conv_output_shape(a4, W))
    for n in range(a4.shape[0]):
        for f in range(W.shape[0]):
            z[n, f] = b[f]
            for c in range(a4.shape[1]):
                z[n, f] += cross_correlate2d(a4[n, c], W[f, c])  # (CONV-FP) z = a ⋆ W + b
    return as_given(z, single), (a4, W, single)


def conv2d_backward_loops(delta, cache):
    """(CONV-BP-a, -W, -b) with loops. Returns ``(grad_a, grad_W, grad_b)``.

    delta = dC/dz, shaped like z. grad_a = dC/da like a; grad_W: (F, C, kh, kw); grad_b: (F,);
    the parameter gradients are summed over the batch.
    """
    a4, W, single = cache
    d4 = check_delta(delta, conv_output_shape(a4, W), single)
    kh, kw = W.shape[2:]
    grad_a, grad_W = np.zeros_like(a4), np.zeros_like(W)
    for n, f, c in np.ndindex(a4.shape[0], W.shape[0], a4.shape[1]):
        grad_a[n, c] += cross_correlate2d(
            pad_full(d4[n, f], kh, kw), rot180(W[f, c])
        )  # (CONV-BP-a) full delta ⋆ rot180(W)
        grad_W[f, c] += cross_correlate2d(a4[n, c], d4[n, f])  # (CONV-BP-W) dC/dW = a ⋆ delta
    grad_b = d4.sum(axis=(0, 2, 3))  # (CONV-BP-b) dC/db_f = sum_{n,u,v} delta[n, f, u, v]
    return as_given(grad_a, single), grad_W, grad_b


def pool_forward_loops(a, size, mode="max"):
    """(POOL-FP) out[n, c, i, j] = max or mean of the size×size window (i, j) of a[n, c], with loops.

    a: (C, H, W) or (N, C, H, W), H and W divisible by size.
    Returns ``(out, cache)``, out: (C, H/size, W/size) or (N, C, H/size, W/size).
    """
    a4, single = check_pool(a, size, mode)
    N, C, H, Wd = a4.shape
    out = np.zeros((N, C, H // size, Wd // size))
    reduce = np.max if mode == "max" else np.mean
    for n, c, i, j in np.ndindex(out.shape):
        out[n, c, i, j] = reduce(
            a4[n, c, i * size : (i + 1) * size, j * size : (j + 1) * size]
        )  # (POOL-FP)
    return as_given(out, single), (a4, size, mode, single)


def pool_backward_loops(delta, cache):
    """(POOL-BP) the notes' upsample, one window at a time. Returns grad_a, shaped like a.

    max: the window's delta goes to its first maximum (row-major), 0 elsewhere;
    mean: each of the size² entries gets delta / size².
    """
    a4, size, mode, single = cache
    out_shape = a4.shape[:2] + (a4.shape[2] // size, a4.shape[3] // size)
    d4 = check_delta(delta, out_shape, single)
    grad_a = np.zeros_like(a4)
    for n, c, i, j in np.ndindex(d4.shape):
        rows, cols = slice(i * size, (i + 1) * size), slice(j * size, (j + 1) * size)
        if mode == "max":
            u, v = np.unravel_index(np.argmax(a4[n, c, rows, cols]), (size, size))  # first maximum
            grad_a[n, c, i * size + u, j * size + v] = d4[
                n, c, i, j
            ]  # (POOL-BP max) all to the maximum
        else:
            grad_a[n, c, rows, cols] = d4[n, c, i, j] / size**2  # (POOL-BP mean) shared equally
    return as_given(grad_a, single)


# ---------------------------------------------------------------- vectorised forms: the contract


def conv2d_forward(a, W, b):
    """(CONV-FP) z[n, f] = sum_c a[n, c] ⋆ W[f, c] + b[f]: valid cross-correlation, stride 1.

    a: (C, H, W) or (N, C, H, W); W: (F, C, kh, kw); b: (F,).
    Returns ``(z, cache)``, z: (F, H-kh+1, W-kw+1) or (N, F, H-kh+1, W-kw+1).
    """
    a4, single, W, b = check_conv(a, W, b)
    windows = sliding_window_view(a4, W.shape[2:], axis=(2, 3))  # (N, C, Ho, Wo, kh, kw)
    z = np.einsum("nchwuv,fcuv->nfhw", windows, W, optimize=True) + b[:, None, None]  # (CONV-FP)
    return as_given(z, single), (a4, W, single)


def conv2d_backward(delta, cache):
    """(CONV-BP-a, -W, -b). Returns ``(grad_a, grad_W, grad_b)``.

    delta = dC/dz, shaped like z. grad_a = dC/da like a (times sigma'(z^{l-1}) it is the previous
    layer's delta); grad_W: (F, C, kh, kw); grad_b: (F,); parameter gradients summed over the batch.
    """
    a4, W, single = cache
    d4 = check_delta(delta, conv_output_shape(a4, W), single)
    kh, kw = W.shape[2:]
    padded = sliding_window_view(
        pad_full(d4, kh, kw), (kh, kw), axis=(2, 3)
    )  # (N, F, H, W, kh, kw)
    grad_a = np.einsum(
        "nfhwuv,fcuv->nchw", padded, rot180(W), optimize=True
    )  # (CONV-BP-a) full delta ⋆ rot180(W)
    windows = sliding_window_view(a4, d4.shape[2:], axis=(2, 3))  # (N, C, kh, kw, Ho, Wo)
    grad_W = np.einsum("ncuvhw,nfhw->fcuv", windows, d4, optimize=True)  # (CONV-BP-W) a ⋆ delta
    grad_b = d4.sum(axis=(0, 2, 3))  # (CONV-BP-b) sum of delta over positions (and the batch)
    return as_given(grad_a, single), grad_W, grad_b


def pool_windows(a4, size):
    """(N, C, H, W) -> (N, C, H/size, W/size, size²): each window's entries in row-major order."""
    N, C, H, Wd = a4.shape
    blocks = a4.reshape(N, C, H // size, size, Wd // size, size).transpose(0, 1, 2, 4, 3, 5)
    return blocks.reshape(N, C, H // size, Wd // size, size * size)


def pool_forward(a, size, mode="max"):
    """(POOL-FP) max or mean over non-overlapping size×size windows.

    a: (C, H, W) or (N, C, H, W), H and W divisible by size; mode: "max" or "mean".
    Returns ``(out, cache)``, out: (C, H/size, W/size) or (N, C, H/size, W/size).
    """
    a4, single = check_pool(a, size, mode)
    windows = pool_windows(a4, size)
    out = windows.max(axis=-1) if mode == "max" else windows.mean(axis=-1)  # (POOL-FP)
    return as_given(out, single), (a4, size, mode, single)


def pool_backward(delta, cache):
    """(POOL-BP) the notes' upsample: dC/da from delta = dC/dout. Returns grad_a, shaped like a.

    max: each window's delta goes to its first maximum in row-major order, 0 elsewhere;
    mean: each entry of the window gets delta / size². The previous layer's delta is
    upsample(delta^l) ⊙ sigma'(z^{l-1}).
    """
    a4, size, mode, single = cache
    N, C, H, Wd = a4.shape
    d4 = check_delta(delta, (N, C, H // size, Wd // size), single)
    if mode == "max":
        first_max = pool_windows(a4, size).argmax(axis=-1)  # argmax returns the first maximum
        share = (
            np.arange(size * size) == first_max[..., None]
        )  # (POOL-BP max) 1 at the maximum, else 0
    else:
        share = np.full(size * size, 1.0 / size**2)  # (POOL-BP mean) 1/size² everywhere
    g = (d4[..., None] * share).reshape(N, C, H // size, Wd // size, size, size)
    return as_given(g.transpose(0, 1, 2, 4, 3, 5).reshape(N, C, H, Wd), single)


# ---------------------------------------------------------------- the notes' weight gradient, read two ways


def weight_gradient_readings(a, delta):
    """The notes' dC/dW = delta * rot180(a), read two ways, next to the right formula.

    a: (C, H, W) or (N, C, H, W); delta: (F, Ho, Wo) or (N, F, Ho, Wo), same rank, Ho <= H, Wo <= W.
    Returns a dict of (F, C, kh, kw) arrays (kh = H-Ho+1, kw = W-Wo+1), summed over the batch:

    - "a ⋆ delta": (CONV-BP-W), dC/dW for the cross-correlation forward of this module;
    - "delta ⊛ rot180(a)": the notes with * = true convolution; equals rot180(dC/dW), and dC/dW'
      for the true-convolution forward z = a ⊛ W' + b;
    - "rot180(a) ⋆ delta": the notes with * = cross-correlation; equals rot180(a ⊛ delta), neither.
    """
    a4, single = as_batch(a)
    d4, d_single = as_batch(delta, name="delta")
    if (
        single != d_single
        or d4.shape[0] != a4.shape[0]
        or any(np.greater(d4.shape[2:], a4.shape[2:]))
    ):
        raise ValueError(
            f"delta must have the rank and N of a {np.shape(a)}, with Ho <= H and Wo <= W, "
            f"got shape {np.shape(delta)}"
        )
    formulas = {
        "a ⋆ delta": lambda x, d: cross_correlate2d(x, d),  # (CONV-BP-W)
        "delta ⊛ rot180(a)": lambda x, d: convolve2d(d, rot180(x)),  # notes, * = true convolution
        "rot180(a) ⋆ delta": lambda x, d: cross_correlate2d(
            rot180(x), d
        ),  # notes, * = cross-correlation
    }
    kh, kw = a4.shape[2] - d4.shape[2] + 1, a4.shape[3] - d4.shape[3] + 1
    readings = {name: np.zeros((d4.shape[1], a4.shape[1], kh, kw)) for name in formulas}
    for name, formula in formulas.items():
        for n, f, c in np.ndindex(a4.shape[0], d4.shape[1], a4.shape[1]):
            readings[name][f, c] += formula(a4[n, c], d4[n, f])
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
    return [
        ((m - u, n - v), (u, v))
        for u in range(kh)
        for v in range(kw)
        if 0 <= m - u < Ho and 0 <= n - v < Wo
    ]


# ---------------------------------------------------------------- a small CNN, trained end to end


def init_small_cnn(rng, filters=6, kernel=3, image=8, pool=2, n_out=10):
    """Parameters of conv (filters kernel×kernel) -> activation -> pool -> fully connected.

    Returns a dict: "W" (F, 1, k, k) ~ N(0, 1/k²), "b" (F,) zeros, and the fully connected layer
    "V" (n_out, F·p·p) ~ N(0, 1/(F·p·p)), "c" (n_out, 1) zeros, with p = (image-k+1)/pool.
    """
    side = image - kernel + 1
    if side < 1 or side % pool:
        raise ValueError(
            f"image - kernel + 1 must be positive and divide by pool={pool}, "
            f"got image={image}, kernel={kernel}"
        )
    n_flat = filters * (side // pool) ** 2
    return {
        "W": rng.standard_normal((filters, 1, kernel, kernel)) / kernel,
        "b": np.zeros(filters),
        "V": rng.standard_normal((n_out, n_flat)) / np.sqrt(n_flat),
        "c": np.zeros((n_out, 1)),
    }


def small_cnn_forward(params, images, activation="sigmoid", pool=2, mode="max"):
    """Forward pass of the small CNN on images (N, H, W). Returns ``(out, cache)``.

    z1 = a0 ⋆ W + b (CONV-FP), a1 = f(z1), p = pool(a1), x = p flattened to columns (F·p·p, N),
    out = sigmoid(V x + c), shape (n_out, N): the fully connected layer is :func:`backprop.mlp.forward`.
    """
    f, _ = act.get(activation)
    images = np.asarray(images, dtype=np.float64)
    z1, conv_cache = conv2d_forward(images[:, None], params["W"], params["b"])  # (CONV-FP)
    p, pool_cache = pool_forward(f(z1), pool, mode)  # (POOL-FP) of a1 = f(z1)
    x = p.reshape(len(images), -1).T  # one example per column
    zs, activations = mlp.forward([params["V"]], [params["c"]], x)  # (FP1), (FP2)
    return activations[-1], (z1, conv_cache, pool_cache, p.shape, zs, activations, activation)


def small_cnn_backward(params, cache, y):
    """Gradients of the quadratic cost C = 1/2 sum ||y - out||² (summed over the batch).

    y: (n_out, N). Returns a dict of gradients shaped like ``params``, and delta1 = dC/dz1.
    """
    z1, conv_cache, pool_cache, pool_shape, zs, activations, activation = cache
    _, f_prime = act.get(activation)
    deltas, grad_V, grad_c = mlp.backward([params["V"]], zs, activations, y)  # (BP1), (BP3), (BP4)
    grad_x = params["V"].T @ deltas[0]  # (BP2) before the ⊙: the pooling layer has no sigma
    delta_pool = grad_x.T.reshape(pool_shape)  # dC/dp, shaped like the pooled maps
    delta1 = pool_backward(delta_pool, pool_cache) * f_prime(
        z1
    )  # (POOL-BP) upsample(delta) ⊙ sigma'(z1)
    _, grad_W, grad_b = conv2d_backward(delta1, conv_cache)  # (CONV-BP-W), (CONV-BP-b)
    return {"W": grad_W, "b": grad_b, "V": grad_V[0], "c": grad_c[0]}, delta1


def sgd_epoch(params, images, y, train_idx, batch_size, eta, activation, rng):
    """One pass of mini-batch SGD over the shuffled train_idx, updating ``params`` in place."""

    def gradients(batch):  # dC/dtheta on the batch, in the order of params
        _, cache = small_cnn_forward(params, images[batch], activation)
        grads, _ = small_cnn_backward(params, cache, y[:, batch])
        return [grads[name] for name in params]

    training.sgd_epoch(list(params.values()), gradients, train_idx, batch_size, eta, rng)


def train_small_cnn(
    images,
    labels,
    rng,
    epochs=15,
    batch_size=20,
    eta=2.0,
    activation="tanh",
    test_fraction=0.2,
    **shape,
):
    """Mini-batch SGD on the quadratic cost of the small CNN (:func:`small_cnn_backward`).

    images: (N, H, W); labels: (N,) integers 0..9. ``rng`` draws, in this order, the parameters
    (:func:`init_small_cnn` with ``shape``), the train/test split and each epoch's shuffle.
    Returns a dict: "params" (trained), "snapshots" (a copy of params before each epoch and after
    the last), "test_accuracy" and "train_cost" (per example) per snapshot, "test_idx".
    """
    images = np.asarray(images, dtype=np.float64)
    params = init_small_cnn(rng, image=images.shape[1], **shape)
    train_idx, test_idx = datasets.train_test_split(len(images), test_fraction, rng)
    y = datasets.one_hot(labels, params["V"].shape[0])
    history = {"snapshots": [], "test_accuracy": [], "train_cost": [], "test_idx": test_idx}
    for epoch in range(epochs + 1):  # snapshot 0: before training
        if epoch > 0:
            sgd_epoch(params, images, y, train_idx, batch_size, eta, activation, rng)
        history["snapshots"].append({k: v.copy() for k, v in params.items()})
        out_train, _ = small_cnn_forward(params, images[train_idx], activation)
        history["train_cost"].append(mlp.cost(out_train, y[:, train_idx]) / len(train_idx))
        out_test, _ = small_cnn_forward(params, images[test_idx], activation)
        history["test_accuracy"].append(float(np.mean(out_test.argmax(axis=0) == labels[test_idx])))
    history["params"] = params
    return history
