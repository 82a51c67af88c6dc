"""A recurrent network on one sequence: the forward pass and backpropagation through time.

Notation of the notes, with the time index t on every vector::

    z^t  = U x^t + W h^{t-1} + b      (R1)  the hidden pre-activation
    h^t  = f(z^t)                     (R2)  f is tanh, sigmoid or relu
    o^t  = V h^t + c                  (R3)
    ŷ^t  = sigmoid(o^t)               (R4)
    L    = sum_t L^t,  L^t = 1/2 ||ŷ^t - y^t||^2

Shapes: U is (n_h, n_x), W is (n_h, n_h), V is (n_y, n_h). A sequence stores time along
its first axis (``xs`` is (T, n_x), one step per row), so every per-step vector, and with
them the biases b (n_h,) and c (n_y,) and the initial state h0 (n_h,), is a 1-D array.
Python rows start at 0: ``xs[t]``, ``hs[t]`` and ``deltas[t]`` belong to step t, and the
state before step 0 is h0 (the notes count steps from 1; nothing else changes).
"""

import numpy as np

from backprop import activations as act
from backprop import gradcheck as gc
from backprop import validate

PARAMS = ("U", "W", "V", "b", "c")


def check_sequence(xs, U, W, V, b, c, h0):
    """Raise ValueError unless the shapes agree and every value is finite; return float64 copies.

    xs (T, n_x), U (n_h, n_x), W (n_h, n_h), V (n_y, n_h), b (n_h,), c (n_y,), h0 (n_h,)
    or None (then zeros), with T, n_x, n_h, n_y >= 1. b, c and h0 may also be columns (n, 1),
    as in the notes; they are returned flat (their gradients get their shape back in bptt).
    """
    xs, U, V = (np.array(a, dtype=np.float64) for a in (xs, U, V))
    if xs.ndim != 2 or 0 in xs.shape:
        raise ValueError(
            f"xs must be (T, n_x) with T, n_x >= 1, one time step per row; got shape {xs.shape}"
        )
    if U.ndim != 2 or U.shape[0] == 0 or U.shape[1] != xs.shape[1]:
        raise ValueError(
            f"U must be (n_h, n_x) with n_x={xs.shape[1]} and n_h >= 1, got shape {U.shape}"
        )
    n_h = U.shape[0]
    if V.ndim != 2 or V.shape[0] == 0 or V.shape[1] != n_h:
        raise ValueError(f"V must be (n_y, n_h) with n_h={n_h} and n_y >= 1, got shape {V.shape}")
    h0 = np.zeros(n_h) if h0 is None else h0
    rest = {"W": (W, (n_h, n_h)), "b": (b, (n_h,)), "c": (c, (V.shape[0],)), "h0": (h0, (n_h,))}
    arrays = {"xs": xs, "U": U, "V": V}
    for name, (a, shape) in rest.items():
        arrays[name] = np.array(a, dtype=np.float64)
        if len(shape) == 1 and arrays[name].shape == shape + (1,):
            arrays[name] = arrays[name].reshape(shape)  # a column vector, as in the notes
        if arrays[name].shape != shape:
            hint = " (a 1-D row: time runs along xs's first axis)" if len(shape) == 1 else ""
            raise ValueError(f"{name} must be {shape}{hint}, got shape {arrays[name].shape}")
    for name, a in arrays.items():
        if not np.all(np.isfinite(a)):
            raise ValueError(f"{name} must be finite, got NaN or inf")
    return [arrays[name] for name in ("xs", "U", "W", "V", "b", "c", "h0")]


def step_forward(x, h_prev, U, W, b, f):
    """One hidden step: z^t = U x^t + W h^{t-1} + b (R1), h^t = f(z^t) (R2). Returns ``(h, z)``.

    x (n_x,), h_prev (n_h,), U (n_h, n_x), W (n_h, n_h), b (n_h,); h and z are (n_h,).
    """
    z = U @ x + W @ h_prev + b  # (R1) z^t = U x^t + W h^{t-1} + b
    h = f(z)  # (R2) h^t = f(z^t)
    return h, z


def step_output(h, V, c):
    """One output: o^t = V h^t + c (R3), ŷ^t = sigmoid(o^t) (R4). Returns ``(yhat, o)``, both (n_y,)."""
    o = V @ h + c  # (R3) o^t = V h^t + c
    yhat = act.sigmoid(o)  # (R4) ŷ^t = sigmoid(o^t)
    return yhat, o


def forward(xs, U, W, V, b, c, h0=None, activation="tanh"):
    """Forward pass over one sequence, equations (R1)-(R4). Returns ``(yhats, cache)``.

    xs (T, n_x); U (n_h, n_x); W (n_h, n_h); V (n_y, n_h); b (n_h,); c (n_y,); h0 (n_h,),
    zeros if None. yhats is (T, n_y). ``cache`` is a dict of float64 copies of the inputs
    (keys xs, U, W, V, b, c, h0, activation) and of the steps: zs, hs, h_prevs (T, n_h), with
    h_prevs[t] = h^{t-1}, and os, yhats (T, n_y).
    """
    shapes = {"b": np.shape(b), "c": np.shape(c)}  # the gradients come back in these shapes
    xs, U, W, V, b, c, h0 = check_sequence(xs, U, W, V, b, c, h0)
    f, _ = act.get(activation)
    states, zs, os, yhats = [h0], [], [], []
    for x in xs:
        h, z = step_forward(x, states[-1], U, W, b, f)
        yhat, o = step_output(h, V, c)
        states.append(h)
        zs.append(z)
        os.append(o)
        yhats.append(yhat)
    yhats = np.array(yhats)
    cache = dict(
        xs=xs,
        U=U,
        W=W,
        V=V,
        b=b,
        c=c,
        h0=h0,
        activation=activation,
        shapes=shapes,
        zs=np.array(zs),
        hs=np.array(states[1:]),
        h_prevs=np.array(states[:-1]),
        os=np.array(os),
        yhats=yhats,
    )
    return yhats, cache


def as_given(grads, cache):
    """The gradients of b and c in the shapes the caller gave them to forward ((n,) or (n, 1))."""
    shapes = cache.get("shapes", {})
    return {name: g.reshape(shapes[name]) if name in shapes else g for name, g in grads.items()}


def loss(yhats, ys):
    """L = sum_t 1/2 ||ŷ^t - y^t||^2, summed over all steps and output units."""
    return 0.5 * float(np.sum((yhats - ys) ** 2))


def check_targets(ys, cache):
    """Raise ValueError unless ys is finite and shaped like the forward pass's yhats (T, n_y); return float64."""
    ys = np.asarray(ys, dtype=np.float64)
    if ys.shape != cache["yhats"].shape:
        raise ValueError(
            f"ys must be (T, n_y) = {cache['yhats'].shape} like yhats, got shape {ys.shape}"
        )
    if not np.all(np.isfinite(ys)):
        raise ValueError("ys must be finite, got NaN or inf")
    return ys


def step_output_backward(yhat, y, o):
    """dL^t/do^t = (ŷ^t - y^t) ⊙ sigmoid'(o^t): the output delta of step t, (n_y,)."""
    return (yhat - y) * act.sigmoid_prime(o)  # dL^t/do^t = dL^t/dŷ^t ⊙ sigmoid'(o^t)


def step_backward(dh, z, W, f_prime):
    """One hidden step backward. Returns ``(dz, dh_prev)``, both (n_h,).

    dh is the gradient at h^t; dz = dh ⊙ f'(z^t) is the gradient at z^t; dh_prev = W^T dz is
    what flows on to h^{t-1} through step t, (dh^t/dh^{t-1})^T dh with dh^t/dh^{t-1} = diag(f'(z^t)) W.
    """
    dz = dh * f_prime(z)  # dL/dz^t = dL/dh^t ⊙ f'(z^t)
    dh_prev = W.T @ dz  # (dh^t/dh^{t-1})^T dL/dh^t = W^T dL/dz^t: what step t sends to h^{t-1}
    return dz, dh_prev


def bptt(ys, cache):
    """Backpropagation through time. Returns ``(loss, grads, deltas)``.

    L = sum_t 1/2 ||ŷ^t - y^t||^2. grads has keys U, W, V, b, c, each shaped like its
    parameter. deltas is (T, n_h) with deltas[t] = δ^t = dL/dh^t through all later steps:
    δ^t = V^T dL^t/do^t + W^T (δ^{t+1} ⊙ f'(z^{t+1})), and δ^{T-1} = V^T dL^{T-1}/do^{T-1}.
    """
    ys = check_targets(ys, cache)
    _, f_prime = act.get(cache["activation"])
    xs, h_prevs, hs, zs, os, yhats = (
        cache[key] for key in ("xs", "h_prevs", "hs", "zs", "os", "yhats")
    )
    grads = {name: np.zeros_like(cache[name]) for name in PARAMS}
    deltas = np.zeros_like(hs)
    dh_next = np.zeros(hs.shape[1])  # what δ^{t+1} sends back to h^t; nothing after the last step
    for t in reversed(range(len(xs))):
        do = step_output_backward(yhats[t], ys[t], os[t])  # dL^t/do^t
        grads["V"] += np.outer(do, hs[t])  # dL/dV += (dL/do^t) (h^t)^T
        grads["c"] += do  # dL/dc += dL/do^t
        deltas[t] = cache["V"].T @ do + dh_next  # δ^t = V^T dL/do^t + (dh^{t+1}/dh^t)^T δ^{t+1}
        dz, dh_next = step_backward(deltas[t], zs[t], cache["W"], f_prime)  # dL/dz^t, W^T dL/dz^t
        grads["U"] += np.outer(dz, xs[t])  # dL/dU += (dL/dz^t) (x^t)^T
        grads["W"] += np.outer(dz, h_prevs[t])  # dL/dW += (dL/dz^t) (h^{t-1})^T
        grads["b"] += dz  # dL/db += dL/dz^t
    return loss(yhats, ys), as_given(grads, cache), deltas


def grad_h0(deltas, cache):
    """dL/dh0 = W^T (δ^0 ⊙ f'(z^0)), shape (n_h,): the gradient at the state h0 before step 0, from bptt's deltas."""
    _, f_prime = act.get(cache["activation"])
    _, dh0 = step_backward(deltas[0], cache["zs"][0], cache["W"], f_prime)  # (dh^0/dh0)^T δ^0
    return dh0


def notes_grad_V(ys, cache):
    """The notes' formula dL/dV = sum_t (∇L^t) (h^t)^T with ∇L^t = ŷ^t - y^t, shape (n_y, n_h).

    It leaves out the factor sigmoid'(o^t) of ŷ^t = sigmoid(o^t), so it is NOT the gradient;
    ``bptt`` computes the right one, sum_t ((ŷ^t - y^t) ⊙ sigmoid'(o^t)) (h^t)^T. (The notes'
    dL/dc = sum_t (∇L^t) sigmoid'(o^t) keeps the factor and is right.)
    """
    ys = check_targets(ys, cache)
    return (cache["yhats"] - ys).T @ cache["hs"]  # notes: dL/dV = sum_t (∇L^t) (h^t)^T


def bptt_truncated(ys, cache, k):
    """Truncated BPTT: each step's loss L^t reaches back through at most k steps. Returns ``(loss, grads)``.

    The gradient of L^t flows into z^t, z^{t-1}, ..., z^{t-k+1} and stops there (h^{t-k} is
    treated as a constant). k = 1 keeps only each step's own z^t; k >= T gives ``bptt``'s grads.
    dL/dV and dL/dc do not depend on k. Costs O(T k) steps instead of O(T).
    """
    ys = check_targets(ys, cache)
    validate.positive_int("k (steps to reach back)", k)
    _, f_prime = act.get(cache["activation"])
    xs, h_prevs, hs, zs, os, yhats = (
        cache[key] for key in ("xs", "h_prevs", "hs", "zs", "os", "yhats")
    )
    grads = {name: np.zeros_like(cache[name]) for name in PARAMS}
    for t in range(len(xs)):
        do = step_output_backward(yhats[t], ys[t], os[t])  # dL^t/do^t
        grads["V"] += np.outer(do, hs[t])  # dL/dV += (dL^t/do^t) (h^t)^T
        grads["c"] += do  # dL/dc += dL^t/do^t
        dh = cache["V"].T @ do  # dL^t/dh^t = V^T dL^t/do^t
        for s in range(t, max(t - k, -1), -1):  # s = t, t-1, ..., t-k+1 (not below 0)
            dz, dh = step_backward(dh, zs[s], cache["W"], f_prime)  # dL^t/dz^s, dL^t/dh^{s-1}
            grads["U"] += np.outer(dz, xs[s])  # dL/dU += (dL^t/dz^s) (x^s)^T
            grads["W"] += np.outer(dz, h_prevs[s])  # dL/dW += (dL^t/dz^s) (h^{s-1})^T
            grads["b"] += dz  # dL/db += dL^t/dz^s
    return loss(yhats, ys), as_given(grads, cache)


def hidden_jacobians(cache):
    """dh^t/dh^{t-1} = diag(f'(z^t)) W for every step, shape (T, n_h, n_h)."""
    _, f_prime = act.get(cache["activation"])
    return f_prime(cache["zs"])[:, :, None] * cache["W"]  # row i of W scaled by f'(z^t_i)


def log_norms_through_time(jacobians, g):
    """log10 ||g_t|| for t = 0..T-1, where g_{T-1} = g and g_{t-1} = J_t^T g_t (J_t = jacobians[t]).

    This is how a gradient g arriving at h^{T-1} grows or shrinks as it is pushed back
    through time: g_t = (J_{t+1} ... J_{T-1})^T g. The vector is rescaled to unit norm
    after every step and the logs of the scales are added, so it neither overflows nor
    underflows for any T. An exactly zero gradient (a dead relu layer, a saturated
    output) gives -inf from that step back. jacobians (T, n, n), g (n,); returns (T,).
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
        g = jacobians[t].T @ (g / norm)  # g_{t-1} = J_t^T g_t, on the unit vector
    return log_norms


def grad_norms_through_time(ys, cache):
    """log10 ||dL^{T-1}/dh^t|| for t = 0..T-1: the LAST step's loss only, pushed back through time.

    dL^{T-1}/dh^{T-1} = V^T dL^{T-1}/do^{T-1}, then dL^{T-1}/dh^{t-1} = (diag(f'(z^t)) W)^T dL^{T-1}/dh^t.
    Computed by ``log_norms_through_time``: finite for exploding and vanishing settings
    alike, -inf where the gradient is exactly zero. Returns (T,).
    """
    ys = check_targets(ys, cache)
    do = step_output_backward(cache["yhats"][-1], ys[-1], cache["os"][-1])  # dL^{T-1}/do^{T-1}
    return log_norms_through_time(hidden_jacobians(cache), cache["V"].T @ do)


def random_recurrent_matrix(n, spectral_radius, rng):
    """A random (n, n) matrix W with spectral radius max_i |λ_i(W)| = ``spectral_radius``.

    Spectral radius means the largest |eigenvalue| (not the largest singular value, which is
    at least as large): it sets how fast W^k grows or decays, ||W^k||^(1/k) -> spectral radius.
    W is a standard normal matrix divided by its own spectral radius and multiplied by the
    given one. ``rng`` is a ``numpy.random.Generator`` (``np.random.default_rng(seed)``).
    """
    validate.positive_int("n", n)
    if not (np.isfinite(spectral_radius) and spectral_radius >= 0):
        raise ValueError(f"spectral_radius must be finite and >= 0, got {spectral_radius!r}")
    G = rng.standard_normal((n, n))
    return (
        spectral_radius * G / np.max(np.abs(np.linalg.eigvals(G)))
    )  # max |λ(W)| = spectral_radius


def global_norm(grads):
    """||g|| = sqrt(sum over every array and entry of g^2) of a dict of arrays, taken after dividing
    by the largest |entry| so that huge gradients do not overflow. The arrays must be finite."""
    grads = [np.asarray(g, dtype=np.float64) for g in grads.values()]
    biggest = max((np.max(np.abs(g), initial=0.0) for g in grads), default=0.0)
    return (
        float(biggest * np.sqrt(sum(np.sum((g / biggest) ** 2) for g in grads)))
        if biggest > 0
        else 0.0
    )


def clip_by_norm(grads, max_norm):
    """Gradient clipping by the global norm. Returns ``(clipped, scale)``.

    ||g|| = sqrt(sum over every array and entry of g^2) (``global_norm``); scale = min(1, max_norm / ||g||);
    clipped is a new dict with every array multiplied by scale (so ||clipped|| <= max_norm
    and the direction is kept).
    """
    if not (np.isfinite(max_norm) and max_norm > 0):
        raise ValueError(f"max_norm must be finite and > 0, got {max_norm!r}")
    grads = {name: np.asarray(g, dtype=np.float64) for name, g in grads.items()}
    if not all(np.all(np.isfinite(g)) for g in grads.values()):
        raise ValueError("grads must be finite to be clipped, got NaN or inf")
    norm = global_norm(grads)
    scale = 1.0 if norm <= max_norm else max_norm / norm  # scale = min(1, max_norm / ||g||)
    return {name: g * scale for name, g in grads.items()}, scale


def loss_from(h, t, ys, cache):
    """L^t + L^{t+1} + ... + L^{T-1} as a function of the state h = h^t, everything else as in ``cache``.

    The losses before step t do not depend on h^t, so the gradient of this function of h (n_h,)
    is δ^t = dL/dh^t: the definition the recursion of ``bptt`` is checked against.
    """
    ys = check_targets(ys, cache)
    yhat, _ = step_output(h, cache["V"], cache["c"])  # L^t depends on h^t through o^t only
    rest = 0.0
    if t + 1 < len(ys):  # the later steps start from h^t
        params = {name: cache[name] for name in PARAMS}
        later, _ = forward(cache["xs"][t + 1 :], **params, h0=h, activation=cache["activation"])
        rest = loss(later, ys[t + 1 :])
    return 0.5 * float(np.sum((yhat - ys[t]) ** 2)) + rest


def delay_task(T, delay, rng):
    """One sequence of the task "repeat the input of ``delay`` steps ago". Returns ``(xs, ys)``, both (T, 1).

    x^t is a random bit ±1; the target is y^t = (x^{t-delay} + 1) / 2 in {0, 1} for t >= delay
    and 1/2 (nothing to recall yet) before. Solving it needs a memory of ``delay`` steps.
    """
    if not (isinstance(delay, (int, np.integer)) and 1 <= delay < T):
        raise ValueError(f"delay must be an integer with 1 <= delay < T = {T}, got {delay!r}")
    xs = rng.choice([-1.0, 1.0], size=(T, 1))
    ys = np.full((T, 1), 0.5)
    ys[delay:] = (xs[:-delay] + 1.0) / 2.0  # y^t = (x^{t-delay} + 1) / 2
    return xs, ys


def init_params(n_x, n_h, n_y, spectral_radius, rng):
    """Random parameters (dict U, W, V, b, c): U and V standard normal / sqrt(fan-in), W with the
    given spectral radius (``random_recurrent_matrix``), zero biases."""
    return {
        "U": rng.standard_normal((n_h, n_x)) / np.sqrt(n_x),
        "W": random_recurrent_matrix(n_h, spectral_radius, rng),
        "V": rng.standard_normal((n_y, n_h)) / np.sqrt(n_h),
        "b": np.zeros(n_h),
        "c": np.zeros(n_y),
    }


def train_delay_task(
    params, delay, steps, eta, rng, T=20, k=None, max_norm=None, activation="tanh"
):
    """Plain SGD on fresh ``delay_task`` sequences, one per step: θ <- θ - eta dL/dθ.

    The gradient is ``bptt`` (k None) or ``bptt_truncated`` with k, then clipped to ``max_norm``
    by ``clip_by_norm`` unless max_norm is None. Returns ``(params, losses, norms)``: the trained
    parameters (new arrays), and per step the mean loss L / T and the global gradient norm before clipping.
    """
    params = {name: np.array(p, dtype=np.float64) for name, p in params.items()}
    losses, norms = np.zeros(steps), np.zeros(steps)
    for i in range(steps):
        xs, ys = delay_task(T, delay, rng)
        _, cache = forward(xs, **params, activation=activation)
        losses[i], grads = bptt(ys, cache)[:2] if k is None else bptt_truncated(ys, cache, k)
        norms[i] = global_norm(grads)
        if max_norm is not None:
            grads, _ = clip_by_norm(grads, max_norm)
        for name in params:
            params[name] -= eta * grads[name]
        losses[i] /= T
    return params, losses, norms


def recall_accuracy(params, delay, rng, T=500, activation="tanh"):
    """Fraction of steps t >= delay of a fresh ``delay_task`` sequence where (ŷ^t > 1/2) equals the bit x^{t-delay}."""
    xs, ys = delay_task(T, delay, rng)
    yhats, _ = forward(xs, **params, activation=activation)
    return float(np.mean((yhats[delay:] > 0.5) == (ys[delay:] > 0.5)))


def gradient_check(xs, params, ys, activation="tanh", eps=1e-5):
    """Compare :func:`bptt` with central differences of L, parameter by parameter.

    params: dict U, W, V, b, c (perturbed in place one entry at a time and restored). Returns a
    dict name -> (largest |gradient entry|, rel_error of bptt's gradient against the numerical one).
    """

    def total_loss():
        return loss(forward(xs, **params, activation=activation)[0], ys)

    _, cache = forward(xs, **params, activation=activation)
    _, grads, _ = bptt(ys, cache)
    return {
        name: (
            float(np.abs(grads[name]).max()),
            gc.rel_error(
                grads[name], gc.numerical_gradient(lambda _: total_loss(), params[name], eps)
            ),
        )
        for name in PARAMS
    }
