"""Gradients through time (chapter "RNN"): how the gradient of a late loss grows or shrinks as
BPTT pushes it back through the steps, h^t -> h^{t-1} -> ..., one Jacobian per step; and the
example network the widgets of both chapters draw (:func:`example`, :func:`log_gain`).

Arrays are indexed by the code's rows, 0..T-1: row t holds the notes' step t + 1 (steps run
1..T, as in the chapter); shapes as in :mod:`backprop.rnn`.
"""

import functools

import numpy as np

from backprop import activations as act
from backprop import rnn
from backprop.rnn import bptt, check_targets, output_delta
from backprop.validate import positive_int

T_MAX = 32  # the examples' inputs and targets are drawn for this many steps, then cut
N_X, N_H, N_Y = 2, 8, 1  # the examples' sizes: input, hidden state, output


def hidden_jacobians(cache):
    """J^s = dh^s/dh^{s-1} = diag(f'(z^s)) W for every step s = 1..T, shape (T, n_h, n_h).

    Row t is J^{t+1} = dh^{t+1}/dh^t (row 0 is J^1 = dh^1/dh^0).
    """
    _, f_prime = act.get(cache["activation"])
    return f_prime(cache["zs"])[:, :, None] * cache["W"]  # row i of W scaled by f'(z^t_i)


def log_norms_through_time(jacobians, g):
    """log10 ||g_t|| for the rows t = 0..T-1: g_{T-1} = g, g_{t-1} = J_t^⊤ g_t (J_t = jacobians[t]).

    Subscripts are rows. This is how a gradient g arriving at the last state grows or shrinks
    as it is pushed back through time: g_t = (J_{T-1} J_{T-2} ... J_{t+1})^⊤ g, the latest on
    the left. With the jacobians of :func:`hidden_jacobians` (row t is J^{t+1}) and
    g = dC^T/dh^T, row t is the gradient at the notes' h^{t+1}:
    (J^T J^{T-1} ... J^{t+2})^⊤ g, a product of T - 1 - t Jacobians.
    The vector is rescaled to unit norm after every step and the logs of the scales are added,
    so it neither overflows nor underflows for any T. An exactly zero gradient (a dead relu
    layer, a saturated output) gives -inf from that step back. jacobians (T, n, n), g (n,);
    returns (T,).
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
    """log10 ||dC^T/dh^s|| for the steps s = 1..T (row t is s = t + 1): the LAST loss only.

    In the notes' steps: dC^T/dh^T = V^⊤ dC^T/do^T, then dC^T/dh^{s-1} = (diag(f'(z^s)) W)^⊤
    dC^T/dh^s, by ``log_norms_through_time``: finite for exploding and vanishing settings
    alike, -inf where the gradient is exactly zero. Returns (T,).
    """
    ys = check_targets(ys, cache)
    do = output_delta(cache["os"][-1], ys[-1], loss)  # dC^T/do^T (the last row is step T)
    return log_norms_through_time(hidden_jacobians(cache), cache["V"].T @ do)


def late_share(ys, cache, reach, loss="squared"):
    """For every step t, the share of ||dC/dh^t|| that comes from the losses ``reach`` or more
    steps later (C^t' with t' >= t + reach), shape (T,): 0 where dC/dh^t is exactly zero.

    dC/dh^t sums one term per loss C^t', t' >= t: V^⊤ dC^t'/do^t' pushed back t' - t steps,
    (J^t' ... J^{t+1})^⊤ V^⊤ dC^t'/do^t' (by ``hidden_jacobians``); the terms of the losses less
    than ``reach`` steps later are summed here and taken from bptt's dC/dh^t.
    """
    positive_int("reach", reach)
    ys = check_targets(ys, cache)
    jacobians = hidden_jacobians(cache)  # row t is J^{t+1}
    term = output_delta(cache["os"], ys, loss) @ cache["V"]  # row t: V^⊤ dC^t/do^t, (T, n_h)
    near = term.copy()  # each step's own loss
    for _ in range(1, reach):  # each loss one step further back: row t from row t + 1
        pushed = np.einsum("tij,ti->tj", jacobians[1:], term[1:])  # J^{t+2 ⊤} (row t+1's term)
        term = np.concatenate([pushed, np.zeros_like(term[:1])])
        near += term
    full = bptt(ys, cache, loss)[2]  # dC/dh^t, every loss
    size = np.linalg.norm(full, axis=1)
    late = np.linalg.norm(full - near, axis=1)
    return np.divide(late, size, out=np.zeros_like(size), where=size > 0)


@functools.lru_cache(maxsize=None)
def example(T, spectral_radius, activation, seed=0):
    """The example the widgets draw (chapters "RNN" and "The cures"): n_x=2, n_h=8, n_y=1, W with
    the given spectral radius (the same direction for every radius), inputs and targets drawn
    once for T_MAX steps and cut to T <= T_MAX. Returns
    ``(ys, cache)``; the same arguments give the same (cached, not to be modified) objects."""
    rng = np.random.default_rng(seed)
    params = rnn.init_params(N_X, N_H, N_Y, spectral_radius, rng)
    xs, ys = rng.standard_normal((T_MAX, N_X)), rng.random((T_MAX, N_Y))
    _, cache = rnn.forward(xs[:T], **params, activation=activation)
    return ys[:T], cache


def log_gain(T, spectral_radius, activation):
    """log10 ||∂C^T/∂h^s|| - log10 ||∂C^T/∂h^T|| for s = 1..T, shape (T,); -inf where exactly zero.

    Entry t is step s = t + 1 (the code's rows 0..T-1 are the notes' steps 1..T). With one
    output, ∂C^T/∂h^T = V^⊤ (dC^T/do^T) points along V^⊤, so the ratio is the gain of
    (∂h^T/∂h^s)^⊤ on V^⊤, whatever the output's size (even where sigmoid'(o) underflows);
    entry 0 is the gain through all T - 1 Jacobians J^T ... J^2 back to h^1.
    """
    _, cache = example(T, spectral_radius, activation)
    g = cache["V"][0]
    return log_norms_through_time(hidden_jacobians(cache), g) - np.log10(np.linalg.norm(g))
