"""A recurrent network on one sequence: the forward pass and backpropagation through time.

Notation of the notes, with the time index t on every vector::

    z^t  = U x^t + W h^{t-1} + b      (RNN-H)  the hidden pre-activation (weighted input)
    h^t  = f(z^t)                     (RNN-H)  f is tanh, sigmoid or relu
    o^t  = V h^t + c                  (RNN-O)
    ŷ^t  = sigmoid(o^t)               (RNN-YHAT)
    C    = sum_t C^t                  (RNN-LOSS)  C^t = 1/2 ||ŷ^t - y^t||^2  ("squared") or
                                        -sum_j [y log ŷ + (1-y) log(1-ŷ)]  ("cross_entropy")

The labels are the chapter's (book/rnn.md). The chapter's delta is δ^t = dC/dz^t, as in every
chapter; ``deltas`` (the notes' δ^t) holds dC/dh^t = the gradient at the hidden state.

Shapes: U is (n_h, n_x), W is (n_h, n_h), V is (n_y, n_h). A sequence stores time along
its first axis (``xs`` is (T, n_x), one step per row), so every per-step vector, and with
them the biases b (n_h,) and c (n_y,) and the initial state h0 (n_h,), is a 1-D array.
Python rows start at 0: ``xs[t]``, ``hs[t]`` and ``deltas[t]`` belong to the notes' step t + 1,
and h0 is the state before the first step (the notes' h^0).

The step functions, :func:`run_steps` and :func:`bptt_truncated` also take an ensemble of
independent networks: extra axes after time (``xs`` (T, B, n_x)) and before the parameters'
own axes (U (B, n_h, n_x), b (B, n_h)); :mod:`backprop.rnn_training` trains ensembles this way.
"""

import numpy as np

from backprop import activations as act
from backprop import gradcheck as gc
from backprop import validate
from backprop.memory import kept

PARAMS = ("U", "W", "V", "b", "c")
LOSSES = ("squared", "cross_entropy")


def check_sequence(xs, U, W, V, b, c, h0):
    """Raise ValueError unless the shapes agree and every value is finite; return float64 copies.

    xs (T, n_x), U (n_h, n_x), W (n_h, n_h), V (n_y, n_h), b (n_h,), c (n_y,), h0 (n_h,)
    or None (then zeros), with T, n_x, n_h, n_y >= 1. b, c and h0 may also be columns (n, 1),
    as in the notes; they are returned flat (their gradients get their shape back in bptt).
    """
    xs, U, V = (np.array(a, dtype=np.float64) for a in (xs, U, V))
    if xs.ndim != 2 or 0 in xs.shape:
        raise ValueError(
            f"xs must be (T, n_x) with T, n_x >= 1 (a step per row), got shape {xs.shape}"
        )
    if U.ndim != 2 or U.shape[0] == 0 or U.shape[1] != xs.shape[1]:
        raise ValueError(
            f"U must be (n_h, n_x) with n_x={xs.shape[1]}, n_h >= 1, got shape {U.shape}"
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


def matvec(A, v):
    """A v for a matrix A (..., m, n) and a vector v (..., n), over any leading ensemble axes.

    The steps' vectors are 1-D arrays: v[..., None] makes v a column, @ multiplies, and [..., 0]
    makes the result 1-D again. With one network it is just ``A @ v``.
    """
    return (A @ v[..., None])[..., 0]


def vecmat(v, A):
    """A^T v for a matrix A (..., m, n) and a vector v (..., m), over any leading ensemble axes.

    Computed as the row v^T times A, (v^T A)^T = A^T v: v[..., None, :] makes v a row, and
    [..., 0, :] makes the result 1-D again. With one network it is just ``A.T @ v``.
    """
    return (v[..., None, :] @ A)[..., 0, :]


def step_forward(x, h_prev, U, W, b, f):
    """One hidden step (RNN-H): z^t = U x^t + W h^{t-1} + b, h^t = f(z^t). Returns ``(h, z)``.

    x (n_x,), h_prev (n_h,), U (n_h, n_x), W (n_h, n_h), b (n_h,); h and z are (n_h,).
    """
    z = matvec(U, x) + matvec(W, h_prev) + b  # (RNN-H) z^t = U x^t + W h^{t-1} + b
    h = f(z)  # (RNN-H) h^t = f(z^t)
    return h, z


def step_output(h, V, c):
    """One output: o^t = V h^t + c (RNN-O), ŷ^t = sigmoid(o^t) (RNN-YHAT). ``(yhat, o)``, (n_y,)."""
    o = matvec(V, h) + c  # (RNN-O) o^t = V h^t + c
    yhat = act.sigmoid(o)  # (RNN-YHAT) ŷ^t = sigmoid(o^t)
    return yhat, o


def run_steps(xs, U, W, V, b, c, h0, f):
    """Equations (RNN-H)-(RNN-YHAT) for every step, unchecked. Returns ``(zs, hs, os, yhats)``.

    xs (T, n_x); zs and hs are (T, n_h), os and yhats (T, n_y); with an ensemble axis,
    xs (T, B, n_x) and parameters (B, ...) give (T, B, n) arrays.
    """
    h, zs, hs, os = h0, [], [], []
    for x in xs:
        h, z = step_forward(x, h, U, W, b, f)
        zs.append(z)
        hs.append(h)
        os.append(step_output(h, V, c)[1])
    os = np.array(os)
    return np.array(zs), np.array(hs), os, act.sigmoid(os)


def forward(xs, U, W, V, b, c, h0=None, activation="tanh"):
    """Forward pass over one sequence, equations (RNN-H)-(RNN-YHAT). Returns ``(yhats, cache)``.

    xs (T, n_x); U (n_h, n_x); W (n_h, n_h); V (n_y, n_h); b (n_h,); c (n_y,); h0 (n_h,),
    zeros if None. yhats is (T, n_y). ``cache`` is a dict of float64 copies of the inputs
    (keys xs, U, W, V, b, c, h0, activation) and of the steps: zs, hs, h_prevs (T, n_h), with
    h_prevs[t] = hs[t - 1] (h0 for t = 0), and os, yhats (T, n_y).
    """
    shapes = {"b": np.shape(b), "c": np.shape(c)}  # the gradients come back in these shapes
    xs, U, W, V, b, c, h0 = check_sequence(xs, U, W, V, b, c, h0)
    zs, hs, os, yhats = run_steps(xs, U, W, V, b, c, h0, act.get(activation)[0])
    h_prevs = np.concatenate([h0[None], hs[:-1]])
    cache = dict(xs=xs, U=U, W=W, V=V, b=b, c=c, h0=h0, activation=activation, shapes=shapes)
    cache.update(zs=zs, hs=hs, h_prevs=h_prevs, os=os, yhats=yhats)
    return yhats, cache


def in_callers_shapes(grads, cache):
    """The gradients of b and c in the shapes the caller gave them to forward ((n,) or (n, 1))."""
    shapes = cache.get("shapes", {})
    return {name: g.reshape(shapes[name]) if name in shapes else g for name, g in grads.items()}


def check_loss(loss):
    """Raise ValueError unless ``loss`` is "squared" or "cross_entropy"."""
    if loss not in LOSSES:
        raise ValueError(f"loss must be one of {LOSSES}, got {loss!r}")


def loss_terms(os, ys, loss="squared"):
    """C^t entry by entry, from the outputs o (not ŷ), shaped like os and ys.

    squared: 1/2 (ŷ - y)^2. cross_entropy: -[y log ŷ + (1-y) log(1-ŷ)] = softplus(o) - y o,
    softplus(o) = log(1 + e^o) = logaddexp(0, o): finite and exact even where ŷ rounds to 0 or 1.
    """
    check_loss(loss)
    if loss == "squared":
        return 0.5 * (act.sigmoid(os) - ys) ** 2  # (RNN-LOSS) 1/2 (ŷ - y)^2
    return np.logaddexp(0.0, os) - ys * os  # (RNN-LOSS) -y log σ(o) - (1-y) log(1-σ(o))


def output_delta(os, ys, loss="squared"):
    """dC^t/do^t, shaped like os: (ŷ - y) ⊙ sigmoid'(o) (squared) or ŷ - y (cross_entropy)."""
    check_loss(loss)
    if loss == "squared":
        return (act.sigmoid(os) - ys) * act.sigmoid_prime(os)  # dC^t/dŷ^t ⊙ σ'(o^t)
    return act.sigmoid(os) - ys  # σ' cancels: d softplus(o)/do - y = σ(o) - y


def check_targets(ys, cache):
    """Raise ValueError unless ys is finite and shaped like yhats (T, n_y); return float64."""
    ys = np.asarray(ys, dtype=np.float64)
    if ys.shape != cache["yhats"].shape:
        shape = cache["yhats"].shape
        raise ValueError(f"ys must be (T, n_y) = {shape} like yhats, got shape {ys.shape}")
    if not np.all(np.isfinite(ys)):
        raise ValueError("ys must be finite, got NaN or inf")
    return ys


def step_backward(dh, z, W, f_prime):
    """One hidden step backward. Returns ``(dz, dh_prev)``, both (n_h,).

    dh is the gradient at h^t; dz = dh ⊙ f'(z^t) is the gradient at z^t; dh_prev = W^⊤ dz is
    what flows on to h^{t-1} through step t: (dh^t/dh^{t-1})^⊤ dh, dh^t/dh^{t-1} = diag(f'(z^t)) W.
    """
    dz = dh * f_prime(z)  # δ^t = dC/dz^t = dC/dh^t ⊙ f'(z^t)
    dh_prev = vecmat(dz, W)  # (dh^t/dh^{t-1})^⊤ dC/dh^t = W^⊤ δ^t (vecmat: W^⊤ times a vector)
    return dz, dh_prev


def bptt(ys, cache, loss="squared"):
    """Backpropagation through time. Returns ``(loss, grads, deltas)``.

    loss: "squared" or "cross_entropy" (RNN-LOSS). grads has keys U, W, V, b, c, each shaped
    like its parameter. deltas is (T, n_h); in the notes' steps 1..T, row t - 1 holds the
    gradient at the hidden state dC/dh^t through all later steps (the notes' δ^t; deltas[-1] is
    dC/dh^T):
    dC/dh^T = V^⊤ dC^T/do^T, and dC/dh^t = V^⊤ dC^t/do^t + W^⊤ δ^{t+1} for t < T, where
    δ^{t+1} = dC/dh^{t+1} ⊙ f'(z^{t+1}) is the delta at z^{t+1}.
    :func:`full_grads` runs that recursion, one step back at a time.
    """
    ys = check_targets(ys, cache)
    dos = output_delta(cache["os"], ys, loss)  # dC^t/do^t for every step, (T, n_y)
    grads, deltas = full_grads(dos, cache)
    grads |= {"V": dos.T @ cache["hs"], "c": dos.sum(axis=0)}  # dC/dV = Σ_t dC^t/do^t (h^t)^⊤
    value = float(np.sum(loss_terms(cache["os"], ys, loss)))
    return value, in_callers_shapes(grads, cache), deltas


def full_grads(dos, cache):
    """dC/dU, dC/dW, dC/db of full BPTT from the output deltas dos = dC^t/do^t, (T, ..., n_y), in
    one sweep back through time. Returns ``(grads, deltas)``; deltas (T, ..., n_h), row r holding
    dC/dh^t of step t = r + 1. Any leading ensemble axes after T are kept (one sum per member).
    """
    _, f_prime = act.get(cache["activation"])
    zs, W = cache["zs"], cache["W"]
    deltas, dzs = np.zeros_like(zs), np.zeros_like(zs)
    dh_next = np.zeros_like(zs[0])  # W^⊤ δ^{t+1}, sent back to h^t; nothing after step T
    for r in reversed(range(len(zs))):  # row r is step t = r + 1
        deltas[r] = vecmat(dos[r], cache["V"]) + dh_next  # dC/dh^t = V^⊤ dC^t/do^t + W^⊤ δ^{t+1}
        dzs[r], dh_next = step_backward(deltas[r], zs[r], W, f_prime)  # δ^t, W^⊤ δ^t
    grads = {
        "U": outer_sum(dzs, cache["xs"]),  # dC/dU = Σ_t δ^t (x^t)^⊤
        "W": outer_sum(dzs, cache["h_prevs"]),  # dC/dW = Σ_t δ^t (h^{t-1})^⊤
        "b": dzs.sum(axis=0),  # dC/db = Σ_t δ^t
    }
    return grads, deltas


def grad_h0(deltas, cache):
    """dC/dh^0 = W^⊤ δ^1, δ^1 = dC/dh^1 ⊙ f'(z^1), shape (n_h,): the gradient at the initial state.

    dC/dh^1 is deltas[0] and z^1 is cache["zs"][0] (row 0 is step 1): h^0 reaches the loss only
    through z^1 = U x^1 + W h^0 + b.
    """
    _, f_prime = act.get(cache["activation"])
    return step_backward(deltas[0], cache["zs"][0], cache["W"], f_prime)[1]


def outer_sum(a, b):
    """Σ_r a[r] b[r]^⊤ over the first axis: a (R, ..., n), b (R, ..., m) -> (..., n, m).

    The axes between the first and the last (an ensemble's) are kept, one sum per member."""
    return np.einsum("r...i,r...j->...ij", a, b)


def within_reach(dz, j, k):
    """dz with the members whose truncation k (an int, or one per member, shape (B,)) is at most
    the lag j set to zero: their losses do not reach j steps back. dz: (R, ..., n)."""
    return dz * np.reshape(j < np.asarray(k), np.shape(k) + (1,))


def truncated_grads(dos, cache, k):
    """dC/dU, dC/dW, dC/db of truncated BPTT from the output deltas dos = dC^t/do^t, (T, ..., n_y).

    Lag j = 0, 1, ..., k-1 at once for every loss: row r of ``dh`` (step t = r + 1) is
    dC^{t+j}/dh^t, the gradient of the loss j steps later. k is an int, or one per ensemble
    member (shape (B,)).
    """
    _, f_prime = act.get(cache["activation"])
    xs, h_prevs, zs, W = (cache[key] for key in ("xs", "h_prevs", "zs", "W"))
    grads = {name: np.zeros_like(cache[name]) for name in ("U", "W", "b")}
    dh = vecmat(dos, cache["V"])  # lag 0: dC^t/dh^t = V^⊤ dC^t/do^t
    for j in range(min(int(np.max(k)), len(xs))):
        dz, dh_prev = step_backward(dh, zs[: len(dh)], W, f_prime)  # dC^{t+j}/dz^t, ../dh^{t-1}
        dz = within_reach(dz, j, k)  # zero where lag j >= k: C^{t+j} no longer reaches z^t
        grads["U"] += outer_sum(dz, xs[: len(dz)])  # Σ_t dC^{t+j}/dz^t (x^t)^⊤
        grads["W"] += outer_sum(dz, h_prevs[: len(dz)])  # Σ_t dC^{t+j}/dz^t (h^{t-1})^⊤
        grads["b"] += dz.sum(axis=0)  # Σ_t dC^{t+j}/dz^t
        dh = dh_prev[1:]  # row r (step t): dC^{t+j+1}/dh^t, the next lag
    return grads


def bptt_truncated(ys, cache, k, loss="squared"):
    """Truncated BPTT: each step's loss C^t reaches back through at most k steps.

    Returns ``(loss, grads)``. The gradient of C^t flows into z^t, z^{t-1}, ..., z^{t-k+1} and
    stops there (h^{t-k} is treated as a constant). k = 1 keeps only each step's own z^t; k >= T
    gives ``bptt``'s grads. dC/dV and dC/dc do not depend on k. Costs O(T k) work in k sweeps.
    """
    ys = check_targets(ys, cache)
    validate.positive_int("k (steps to reach back)", k)
    dos = output_delta(cache["os"], ys, loss)  # dC^t/do^t, (T, n_y)
    grads = truncated_grads(dos, cache, k)
    grads |= {"V": dos.T @ cache["hs"], "c": dos.sum(axis=0)}  # the output layer: no look-back
    value = float(np.sum(loss_terms(cache["os"], ys, loss)))
    return value, in_callers_shapes(grads, cache)


def sequence_loss(xs, params, ys, h0=None, activation="tanh", loss="squared"):
    """C (RNN-LOSS) of a fresh forward pass: params is a dict U, W, V, b, c (read as they are)."""
    _, cache = forward(xs, **params, h0=h0, activation=activation)
    return float(np.sum(loss_terms(cache["os"], check_targets(ys, cache), loss)))


def loss_from(h, t, ys, cache, loss="squared"):
    """The loss from row t on as a function of the state h = hs[t], the state of step t + 1.

    In the chapter's steps, with t' = t + 1: C^{t'} + ... + C^T (the earlier losses do not depend
    on h^{t'}), so its gradient with respect to h (n_h,) is dC/dh^{t'} = deltas[t], the
    definition bptt's recursion is checked against. t is a row, 0..T-1.
    """
    ys = check_targets(ys, cache)
    _, o = step_output(h, cache["V"], cache["c"])  # C^t depends on h^t through o^t only
    own = float(np.sum(loss_terms(o, ys[t], loss)))
    if t + 1 == len(ys):
        return own
    params = {name: cache[name] for name in PARAMS}  # the later steps start from h^t
    return own + sequence_loss(
        cache["xs"][t + 1 :], params, ys[t + 1 :], h, cache["activation"], loss
    )


@kept  # the same result in every edition's execution (backprop.memory)
def gradient_check(xs, params, ys, activation="tanh", loss="squared", eps=1e-5):
    """{parameter name: max relative error} of :func:`bptt`'s gradient against central
    differences of C. params: dict U, W, V, b, c (perturbed in place one entry at a time and
    restored); xs (T, n_x), ys (T, n_y)."""
    _, cache = forward(xs, **params, activation=activation)
    _, grads, _ = bptt(ys, cache, loss)
    of_params = lambda _: sequence_loss(xs, params, ys, None, activation, loss)  # noqa: E731
    return {
        name: gc.rel_error(grads[name], gc.numerical_gradient(of_params, params[name], eps))
        for name in PARAMS
    }


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
    return spectral_radius * G / np.max(np.abs(np.linalg.eigvals(G)))  # max |λ(W)| = radius


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
