"""Training recurrent networks (chapter "RNN"): the delay task, gradient clipping, and plain SGD
on an ensemble of networks at once.

An ensemble is B independent networks, one per seed (or per setting), stored with a leading
member axis: U (B, n_h, n_x), W (B, n_h, n_h), V (B, n_y, n_h), b (B, n_h), c (B, n_y). Each
member reads its own sequences: xs (T, B, n_x). Training B members costs about as much as one,
because every step is one numpy operation over the member axis (:func:`backprop.rnn.run_steps`,
:func:`backprop.rnn.truncated_grads`).
"""

import numpy as np

from backprop import activations as act
from backprop import rnn
from backprop.memory import kept


def per_member(value, like):
    """``value`` (a scalar, or one entry per member: (B,)) reshaped to broadcast with ``like``."""
    value = np.asarray(value, dtype=np.float64)
    return value.reshape(value.shape + (1,) * (np.ndim(like) - value.ndim))


def global_norm(grads, members=0):
    """||g|| = sqrt(sum over every array and entry of g^2) of a dict of arrays, per member.

    members: the number of leading member axes kept (0: one network, a float; 1: shape (B,)).
    Taken after dividing by the largest |entry|, so huge gradients do not overflow.
    """
    grads = [np.asarray(g, dtype=np.float64) for g in grads.values()]
    own = lambda g: tuple(range(members, g.ndim))  # noqa: E731  the axes of one member's array
    biggest = np.max([np.max(np.abs(g), axis=own(g), initial=0.0) for g in grads], axis=0)
    unit = np.where(biggest > 0, biggest, 1.0)
    total = sum(np.sum((g / per_member(unit, g)) ** 2, axis=own(g)) for g in grads)
    norm = biggest * np.sqrt(total)  # ||g|| = biggest * ||g / biggest||
    return float(norm) if members == 0 else norm


def clip_by_norm(grads, max_norm, members=0):
    """Gradient clipping by the global norm. Returns ``(clipped, scale)``.

    scale = min(1, max_norm / ||g||) with ||g|| = ``global_norm`` (per member); clipped is a new
    dict with every array multiplied by scale, so ||clipped|| <= max_norm and the direction is
    kept. max_norm > 0, a number or one per member; inf clips nothing.
    """
    limit = np.asarray(max_norm, dtype=np.float64)
    if np.isnan(limit).any() or np.any(limit <= 0):
        raise ValueError(f"max_norm must be > 0 (inf: no clipping), got {max_norm!r}")
    grads = {name: np.asarray(g, dtype=np.float64) for name, g in grads.items()}
    if not all(np.all(np.isfinite(g)) for g in grads.values()):
        raise ValueError("grads must be finite to be clipped, got NaN or inf")
    norm = global_norm(grads, members)
    scale = np.where(norm > limit, limit / np.maximum(norm, 1e-300), 1.0)  # min(1, m/||g||)
    clipped = {name: g * per_member(scale, g) for name, g in grads.items()}
    return clipped, float(scale) if members == 0 else scale


def delay_task(T, delay, rng, members=None):
    """Sequences of the task "repeat the input of ``delay`` steps ago". Returns ``(xs, ys)``.

    x^t is a random bit ±1; the target is y^t = (x^{t-delay} + 1) / 2 in {0, 1} for t >= delay
    and 1/2 (nothing to recall yet) before. Shapes (T, 1), or (T, members, 1) for an ensemble.
    """
    if not (isinstance(delay, (int, np.integer)) and 1 <= delay < T):
        raise ValueError(f"delay must be an integer with 1 <= delay < T = {T}, got {delay!r}")
    xs = rng.choice([-1.0, 1.0], size=(T, 1) if members is None else (T, members, 1))
    ys = np.full(xs.shape, 0.5)
    ys[delay:] = (xs[:-delay] + 1.0) / 2.0  # y^t = (x^{t-delay} + 1) / 2
    return xs, ys


def init_ensemble(seeds, n_x, n_h, n_y, spectral_radius):
    """One network per seed (``rnn.init_params`` with ``np.random.default_rng(seed)``), stacked
    along a leading member axis: a dict U (B, n_h, n_x), ..., c (B, n_y) with B = len(seeds)."""
    nets = [
        rnn.init_params(n_x, n_h, n_y, spectral_radius, np.random.default_rng(s)) for s in seeds
    ]
    return {name: np.stack([net[name] for net in nets]) for name in rnn.PARAMS}


def ensemble_step(params, xs, ys, k, loss, activation, last_only=False):
    """Loss (B,) and gradients (dict, shaped like params) of every member on its own sequence.

    xs (T, B, n_x), ys (T, B, n_y); k: steps to reach back, a number or one per member (>= T:
    full BPTT, equal to ``rnn.bptt``'s gradient). last_only: the loss of the last step alone
    (:func:`scored`).
    """
    f, _ = act.get(activation)
    h0 = np.zeros(params["b"].shape)
    zs, hs, os, _ = rnn.run_steps(xs, **params, h0=h0, f=f)
    h_prevs = np.concatenate([h0[None], hs[:-1]])
    cache = dict(params, xs=xs, zs=zs, hs=hs, h_prevs=h_prevs, activation=activation)
    dos = scored(rnn.output_delta(os, ys, loss), last_only)  # dC^t/do^t, (T, B, n_y)
    if np.all(np.asarray(k) >= len(xs)):  # full BPTT: one sweep back, O(T)
        grads = rnn.full_grads(dos, cache)[0]
    else:  # every loss reaching back k steps: k sweeps, O(T k)
        grads = rnn.truncated_grads(dos, cache, k)
    grads["V"] = np.einsum("t...i,t...j->...ij", dos, hs)  # dC/dV = Σ_t dC^t/do^t (h^t)^⊤
    grads["c"] = dos.sum(axis=0)  # dC/dc = Σ_t dC^t/do^t
    return scored(rnn.loss_terms(os, ys, loss), last_only).sum(axis=(0, 2)), grads


def scored(per_step, last_only):
    """per_step (T, ...), a loss or its gradient per step: as it is, or with every step but the
    last set to zero when ``last_only`` (a task scored at its end: C = C^T)."""
    if not last_only:
        return per_step
    out = np.zeros_like(per_step)
    out[-1] = per_step[-1]  # C = C^T: the earlier steps' outputs are not scored
    return out


@kept  # the same result in every edition's execution (backprop.memory)
def train_ensemble(
    params, delay, steps, eta, rng, T=20, k=None, max_norm=None, loss="squared", activation="tanh"
):
    """Plain SGD on fresh ``delay_task`` sequences, one per step and member: θ <- θ - eta dC/dθ.

    params: an ensemble (``init_ensemble``). eta, k (steps to reach back; None or >= T: full
    BPTT) and max_norm (None or inf: no clipping) are numbers or one per member. Returns
    ``(params, losses, norms)``: the trained parameters (new arrays), and per step and member,
    (steps, B), the loss L / T and the global gradient norm before clipping.
    """
    params = {name: np.array(p, dtype=np.float64) for name, p in params.items()}
    members = len(params["b"])
    k = T if k is None else np.asarray(k)
    max_norm = np.inf if max_norm is None else max_norm
    losses, norms = np.zeros((steps, members)), np.zeros((steps, members))
    for i in range(steps):
        xs, ys = delay_task(T, delay, rng, members)
        losses[i], grads = ensemble_step(params, xs, ys, k, loss, activation)
        norms[i] = global_norm(grads, members=1)
        grads, _ = clip_by_norm(grads, max_norm * np.ones(members), members=1)
        for name in params:
            params[name] -= per_member(eta, params[name]) * grads[name]  # θ <- θ - eta dC/dθ
    return params, losses / T, norms


def recall_accuracy(params, delay, rng, T=500, activation="tanh"):
    """Per member (B,): the fraction of steps t >= delay of a fresh ``delay_task`` sequence where
    (ŷ^t > 1/2) equals the bit x^{t-delay}."""
    xs, ys = delay_task(T, delay, rng, len(params["b"]))
    h0 = np.zeros(params["b"].shape)
    yhats = rnn.run_steps(xs, **params, h0=h0, f=act.get(activation)[0])[3]
    return np.mean((yhats[delay:] > 0.5) == (ys[delay:] > 0.5), axis=(0, 2))
