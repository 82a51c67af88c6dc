"""Gradients through time (chapter "RNN"): how the gradient of a late loss grows or shrinks as
BPTT pushes it back through the steps, h^t -> h^{t-1} -> ..., one Jacobian per step.

Indices are the code's rows, 0..T-1 (the notes' steps 1..T); shapes as in :mod:`backprop.rnn`.
"""

import numpy as np

from backprop import activations as act
from backprop.rnn import check_targets, output_delta


def hidden_jacobians(cache):
    """dh^t/dh^{t-1} = diag(f'(z^t)) W for every step, shape (T, n_h, n_h)."""
    _, f_prime = act.get(cache["activation"])
    return f_prime(cache["zs"])[:, :, None] * cache["W"]  # row i of W scaled by f'(z^t_i)


def log_norms_through_time(jacobians, g):
    """log10 ||g_t|| for t = 0..T-1, where g_{T-1} = g and g_{t-1} = J_t^⊤ g_t (J_t = jacobians[t]).

    This is how a gradient g arriving at the last state grows or shrinks as it is pushed back
    through time: g_t = (J_{t+1} ... J_{T-1})^⊤ g. The vector is rescaled to unit norm after
    every step and the logs of the scales are added, so it neither overflows nor underflows
    for any T. An exactly zero gradient (a dead relu layer, a saturated output) gives -inf from
    that step back. jacobians (T, n, n), g (n,); returns (T,).
    """
    jacobians, g = np.asarray(jacobians, dtype=np.float64), np.array(g, dtype=np.float64)
    if jacobians.ndim != 3 or jacobians.shape[1:] != (g.size, g.size) or g.shape != (g.size,):
        raise ValueError(
            f"jacobians must be (T, n, n) and g (n,), got shapes {jacobians.shape} and {g.shape}"
        )
    if not (np.all(np.isfinite(jacobians)) and np.all(np.isfinite(g))):
        raise ValueError("jacobians and g must be finite, got NaN or inf")
    log_norms = np.full(len(jacobians), -np.inf)
    log_scale = 0.0  # log10 of the norm divided out so far
    for t in reversed(range(len(jacobians))):
        norm = np.linalg.norm(g)
        if norm == 0.0:
            break  # zero from here back: the entries stay -inf
        log_scale += np.log10(norm)
        log_norms[t] = log_scale  # log10 ||g_t||
        g = jacobians[t].T @ (g / norm)  # g_{t-1} = J_t^⊤ g_t, on the unit vector
    return log_norms


def grad_norms_through_time(ys, cache, loss="squared"):
    """log10 ||dL^{T-1}/dh^t|| for rows t = 0..T-1: the LAST step's loss only, pushed back.

    dL^{T-1}/dh^{T-1} = V^⊤ dL^{T-1}/do^{T-1}, then dL^{T-1}/dh^{t-1} = (diag(f'(z^t)) W)^⊤
    dL^{T-1}/dh^t, by ``log_norms_through_time``: finite for exploding and vanishing settings
    alike, -inf where the gradient is exactly zero. Returns (T,).
    """
    ys = check_targets(ys, cache)
    do = output_delta(cache["os"][-1], ys[-1], loss)  # dL^{T-1}/do^{T-1}
    return log_norms_through_time(hidden_jacobians(cache), cache["V"].T @ do)
