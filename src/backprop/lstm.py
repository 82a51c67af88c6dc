"""An LSTM layer over a batch of sequences: the forward pass and backpropagation through time.

Layout and gate order are torch.nn.LSTM's (one layer, batch_first=False): ``xs`` is (T, N, D),
time first, one example per row, so a weight matrix multiplies from the right transposed
(x W_ih^T). The four gates are the 4H rows of W_ih (4H, D), W_hh (4H, H), b_ih and b_hh (4H,),
in blocks of H: input i, forget f, candidate g, output o. Every equation below is row by row::

    z^t = W_ih x^t + b_ih + W_hh h^{t-1} + b_hh       (LSTM-Z)  the 4H weighted inputs
    i^t, f^t, o^t = sigmoid(z_i^t, z_f^t, z_o^t)      (LSTM-GATES)  each in (0, 1)
    g^t = tanh(z_g^t)                                 (LSTM-G)  the candidate, in (-1, 1)
    c^t = f^t ⊙ c^{t-1} + i^t ⊙ g^t                   (LSTM-C)  the cell state: a sum
    h^t = o^t ⊙ tanh(c^t)                             (LSTM-H)

The loss C is whatever the caller computes from the states h^t; ``backward`` takes its upstream
gradient dhs (T, N, H), row t the part of dC/dh^t that does not pass through later steps (the
loss at step t). BPTT, with δ^t = dC/dz^t (4H blocks) and nothing after step T::

    dC/dh^t = dhs^t + W_hh^T δ^{t+1}                                  (LSTM-BP-H)
    dC/dc^t = dC/dh^t ⊙ o^t ⊙ (1 - tanh^2(c^t)) + f^{t+1} ⊙ dC/dc^{t+1}  (LSTM-BP-C)
    δ_i = dC/dc^t ⊙ g^t ⊙ i^t (1 - i^t),  δ_f = dC/dc^t ⊙ c^{t-1} ⊙ f^t (1 - f^t),
    δ_g = dC/dc^t ⊙ i^t ⊙ (1 - (g^t)^2),  δ_o = dC/dh^t ⊙ tanh(c^t) ⊙ o^t (1 - o^t)  (LSTM-BP-Z)
    dC/dW_ih = sum_t δ^t (x^t)^T,  dC/dW_hh = sum_t δ^t (h^{t-1})^T,
    dC/db_ih = dC/db_hh = sum_t δ^t                                   (LSTM-BP-W)
    dC/dx^t = W_ih^T δ^t,  dC/dh^0 = W_hh^T δ^1,  dC/dc^0 = f^1 ⊙ dC/dc^1   (LSTM-BP-IN)

The parameter gradients are summed over the batch as well. The second term of (LSTM-BP-C) is the
additive path: along the cell states alone dc^t/dc^{t-1} = diag(f^t), with no weight matrix and
no sigmoid' <= 1/4 in it, so the gradient there shrinks only as fast as the forget gates are
below 1 (:func:`forget_gain`, :func:`cell_gradient_norms`).

Steps run 1..T in the maths, 0..T-1 in the code: xs[t], hs[t], cs[t] and the gates' row t belong
to step t + 1; h0 and c0 are h^0 and c^0. Everything is float64.

An ensemble of B networks (``lstm_training``) adds a leading member axis to every array: W_ih
(B, 4H, D), ..., b_hh (B, 4H), xs (T, B, N, D), h0 and c0 (B, N, H). :func:`step_forward`,
:func:`run_forward`, :func:`step_backward` and :func:`backward_with_cells` take either (the
matrices are transposed on their last two axes, the biases broadcast over the rows N); the
checked :func:`forward` and :func:`backward` take one network.
"""

import numpy as np

from backprop import activations as act
from backprop import gradcheck as gc
from backprop import validate

PARAMS = ("W_ih", "W_hh", "b_ih", "b_hh")
GATES = ("i", "f", "g", "o")  # torch.nn.LSTM's order of the 4H rows


def check_params(params):
    """The four parameters as float64 copies, and H. W_hh (4H, H) sets H; W_ih is (4H, D)."""
    if not isinstance(params, dict) or set(params) != set(PARAMS):
        got = sorted(params) if isinstance(params, dict) else type(params).__name__
        raise ValueError(f"params must be a dict with the keys {list(PARAMS)}, got {got}")
    W_hh = np.asarray(params["W_hh"])
    if W_hh.ndim != 2 or W_hh.shape[1] < 1 or W_hh.shape[0] != 4 * W_hh.shape[1]:
        raise ValueError(f"W_hh must be (4H, H) with H >= 1, got shape {W_hh.shape}")
    H = W_hh.shape[1]
    W_ih = np.asarray(params["W_ih"])
    D = W_ih.shape[1] if W_ih.ndim == 2 else -1
    if D < 1:
        raise ValueError(f"W_ih must be (4H, D) with H={H}, D >= 1, got shape {W_ih.shape}")
    meanings = {"W_ih": ((4 * H, D), "(4H, D)"), "W_hh": ((4 * H, H), "(4H, H)")}
    meanings |= {b: ((4 * H,), "(4H,)") for b in ("b_ih", "b_hh")}
    return {name: validate.array(name, params[name], *meanings[name]) for name in PARAMS}, H


def check_inputs(params, xs, h0, c0):
    """Check the shapes of forward's arguments; return float64 copies ``(params, xs, h0, c0)``.

    xs (T, N, D) with T, N >= 1; h0, c0 (N, H); params as in the module's docstring.
    """
    params, H = check_params(params)
    xs = np.array(xs, dtype=np.float64)
    D = params["W_ih"].shape[1]
    if xs.ndim != 3 or min(xs.shape) < 1 or xs.shape[2] != D:
        raise ValueError(f"xs must be (T, N, D) with D={D}, T, N >= 1, got shape {xs.shape}")
    xs = validate.array("xs", xs, xs.shape, "(T, N, D)")
    h0 = validate.array("h0", h0, (xs.shape[1], H), "(N, H)")
    c0 = validate.array("c0", c0, (xs.shape[1], H), "(N, H)")
    return params, xs, h0, c0


def init_params(D, H, rng, forget_bias=1.0):
    """Random parameters (dict W_ih (4H, D), W_hh (4H, H), b_ih, b_hh (4H,)).

    Weights uniform on (-1/sqrt(H), 1/sqrt(H)), as torch.nn.LSTM draws them; biases zero, but
    b_ih's forget block is ``forget_bias`` (1 keeps f^t = sigmoid(1) ~ 0.73 at the start, the
    additive path open; torch's own biases are uniform). ``rng``: np.random.default_rng(seed).
    """
    validate.positive_int("D", D)
    validate.positive_int("H", H)
    if not np.isfinite(forget_bias):
        raise ValueError(f"forget_bias must be finite, got {forget_bias!r}")
    k = 1.0 / np.sqrt(H)
    b_ih = np.zeros(4 * H)
    b_ih[H : 2 * H] = forget_bias  # the f block: rows H..2H-1
    return {
        "W_ih": rng.uniform(-k, k, (4 * H, D)),
        "W_hh": rng.uniform(-k, k, (4 * H, H)),
        "b_ih": b_ih,
        "b_hh": np.zeros(4 * H),
    }


def transposed(A):
    """A^T over the last two axes: (..., m, n) -> (..., n, m), so x @ transposed(W) is x W^T for
    one network and for every member of an ensemble (a leading axis) alike."""
    return np.swapaxes(A, -1, -2)


def split_gates(z):
    """The four H-wide blocks i, f, g, o of the last axis of z (..., 4H), as a dict of views."""
    H = z.shape[-1] // 4
    return {gate: z[..., k * H : (k + 1) * H] for k, gate in enumerate(GATES)}


def step_forward(x, h_prev, c_prev, params):
    """One step, (LSTM-Z)-(LSTM-H). x (N, D), h_prev, c_prev (N, H).

    Returns ``(h, c, gates)``: h, c (N, H); gates a dict i, f, g, o of (N, H) activations. With
    an ensemble's member axis: x (B, N, D), h_prev, c_prev (B, N, H), params (B, ...).
    """
    W_ih, W_hh, b_ih, b_hh = (params[name] for name in PARAMS)
    b = np.expand_dims(b_ih + b_hh, -2)  # (1, 4H), or (B, 1, 4H): one row, broadcast over N
    z = x @ transposed(W_ih) + h_prev @ transposed(W_hh) + b  # (LSTM-Z) W_ih x + W_hh h + b
    gates = split_gates(act.sigmoid(z))  # (LSTM-GATES) i, f, o (one call: the g block unused)
    gates["g"] = act.tanh(split_gates(z)["g"])  # (LSTM-G)
    c = gates["f"] * c_prev + gates["i"] * gates["g"]  # (LSTM-C) c^t = f ⊙ c^{t-1} + i ⊙ g
    h = gates["o"] * np.tanh(c)  # (LSTM-H) h^t = o ⊙ tanh(c^t)
    return h, c, gates


def forward(params, xs, h0, c0):
    """Forward pass over T steps, (LSTM-Z)-(LSTM-H). Returns ``(hs, cache)``.

    params: dict W_ih (4H, D), W_hh (4H, H), b_ih, b_hh (4H,); xs (T, N, D); h0, c0 (N, H).
    hs is (T, N, H). ``cache`` is a dict of float64 copies of the inputs (keys W_ih, W_hh, b_ih,
    b_hh, xs, h0, c0) and of the steps, each (T, N, H): hs, cs, the gates i, f, g, o, and
    h_prevs, c_prevs (row t holds h^t, c^t: h0 and c0 in row 0).
    """
    return run_forward(*check_inputs(params, xs, h0, c0))


def run_forward(params, xs, h0, c0):
    """:func:`forward` unchecked, for one network or an ensemble (leading member axis: params
    (B, ...), xs (T, B, N, D), h0, c0 (B, N, H); then hs and the cache's steps are (T, B, N, H))."""
    h, c, steps = h0, c0, {k: [] for k in ("hs", "cs", *GATES)}
    for x in xs:
        h, c, gates = step_forward(x, h, c, params)
        for key, value in {"hs": h, "cs": c, **gates}.items():
            steps[key].append(value)
    cache = {**params, "xs": xs, "h0": h0, "c0": c0}
    cache |= {key: np.array(rows) for key, rows in steps.items()}
    cache["h_prevs"] = np.concatenate([h0[None], cache["hs"][:-1]])
    cache["c_prevs"] = np.concatenate([c0[None], cache["cs"][:-1]])
    return cache["hs"], cache


def check_upstream(dhs, cache):
    """dhs as float64, after checking it is finite and shaped like hs (T, N, H)."""
    return validate.array("dhs", dhs, cache["hs"].shape, "(T, N, H), like hs")


def step_backward(dh, dc_next, t, cache):
    """One step back, row t (step s = t + 1). dh = dC/dh^s in full; dc_next = f^{s+1} ⊙ dC/dc^{s+1}.

    Returns ``(dz, dc)``: dz = δ^s = dC/dz^s (N, 4H), dc = dC/dc^s (N, H).
    """
    i, f, g, o = (cache[k][t] for k in GATES)
    tanh_c = np.tanh(cache["cs"][t])
    dc = dh * o * (1.0 - tanh_c**2) + dc_next  # (LSTM-BP-C) through h^s, plus the additive path
    d_i = dc * g * i * (1.0 - i)  # (LSTM-BP-Z) δ_i: dc/di = g, sigmoid' = i (1 - i)
    d_f = dc * cache["c_prevs"][t] * f * (1.0 - f)  # (LSTM-BP-Z) δ_f: dc/df = c^{s-1}
    d_g = dc * i * (1.0 - g**2)  # (LSTM-BP-Z) δ_g: dc/dg = i, tanh' = 1 - g^2
    d_o = dh * tanh_c * o * (1.0 - o)  # (LSTM-BP-Z) δ_o: dh/do = tanh(c^s)
    return np.concatenate([d_i, d_f, d_g, d_o], axis=-1), dc


def backward_with_cells(dhs, cache):
    """BPTT, (LSTM-BP-H)-(LSTM-BP-IN). Returns ``(grads, dcs)``: grads as :func:`backward`'s,
    dcs (T, N, H) with row t = dC/dc^{t+1}, the gradient at each cell state through all paths.
    A cache of :func:`run_forward` over an ensemble gives every gradient per member."""
    dhs = check_upstream(dhs, cache)
    grads = {name: np.zeros_like(cache[name]) for name in PARAMS}
    grads["xs"], dcs = np.zeros_like(cache["xs"]), np.zeros_like(cache["cs"])
    dh_next, dc_next = np.zeros_like(cache["h0"]), np.zeros_like(cache["c0"])
    for t in reversed(range(len(dhs))):  # row t is step s = t + 1
        dh = dhs[t] + dh_next  # (LSTM-BP-H) dC/dh^s = dhs^s + W_hh^T δ^{s+1}
        dz, dcs[t] = step_backward(dh, dc_next, t, cache)
        grads["W_ih"] += transposed(dz) @ cache["xs"][t]  # (LSTM-BP-W) dC/dW_ih += δ^s (x^s)^T
        grads["W_hh"] += transposed(dz) @ cache["h_prevs"][t]  # (LSTM-BP-W) += δ^s (h^{s-1})^T
        grads["b_ih"] += dz.sum(axis=-2)  # (LSTM-BP-W) dC/db += δ^s, over the batch
        grads["xs"][t] = dz @ cache["W_ih"]  # (LSTM-BP-IN) dC/dx^s = W_ih^T δ^s
        dh_next = dz @ cache["W_hh"]  # W_hh^T δ^s, sent back to h^{s-1}
        dc_next = cache["f"][t] * dcs[t]  # f^s ⊙ dC/dc^s: the additive path to c^{s-1}
    grads["b_hh"] = grads["b_ih"].copy()  # (LSTM-BP-W) the two biases enter z^t alike
    grads["h0"], grads["c0"] = dh_next, dc_next  # (LSTM-BP-IN) W_hh^T δ^1, f^1 ⊙ dC/dc^1
    return grads, dcs


def backward(dhs, cache):
    """BPTT through :func:`forward`'s steps. Returns ``grads``.

    dhs (T, N, H): the upstream gradient at each h^t (the loss's own dependence on it, not through
    later steps). grads: dict W_ih, W_hh, b_ih, b_hh (summed over the batch), xs (T, N, D), h0 and
    c0 (N, H), each shaped like what it is the gradient of.
    """
    return backward_with_cells(dhs, cache)[0]


def cell_gradient_norms(dhs, cache):
    """||dC/dc^t|| over the batch and units (Frobenius) for every step, shape (T,); row t is
    step t + 1. With dhs zero but at the last row, this is how the gradient of the last loss
    fares as BPTT carries it back along the cell states."""
    dcs = backward_with_cells(dhs, cache)[1]
    return np.sqrt(np.sum(dcs**2, axis=(1, 2)))


def forget_gain(cache):
    """The additive path's own gain from each cell state to the last, shape (T, N, H).

    Row t (step s = t + 1): f^{s+1} ⊙ f^{s+2} ⊙ ... ⊙ f^T = the product of the diagonals of
    dc^{s'}/dc^{s'-1} = diag(f^{s'}) along the cell path alone; the last row is ones. Where W_hh
    is zero and only the last step has a loss, dC/dc^s is exactly this gain ⊙ dC/dc^T.
    """
    f = cache["f"]
    later = np.concatenate([f[1:], np.ones_like(f[:1])])  # row t: f^{s+1} (ones after T)
    return np.cumprod(later[::-1], axis=0)[::-1]  # products from the end back to row t


def gradient_check(params, xs, h0, c0, dhs, eps=1e-5):
    """{name: max relative error} of :func:`backward`'s gradients (W_ih, W_hh, b_ih, b_hh, xs,
    h0, c0) against central differences of C = sum_t <dhs^t, h^t>; shapes as in :func:`forward`,
    dhs (T, N, H). The arguments are copied first: the caller's arrays are left alone."""
    params, xs, h0, c0 = check_inputs(params, xs, h0, c0)
    grads = backward(dhs, forward(params, xs, h0, c0)[1])
    inputs = {**params, "xs": xs, "h0": h0, "c0": c0}  # perturbed in place, one entry at a time

    def loss(_):
        hs, _ = forward({k: inputs[k] for k in PARAMS}, inputs["xs"], inputs["h0"], inputs["c0"])
        return np.sum(hs * dhs)

    return {
        name: gc.rel_error(grads[name], gc.numerical_gradient(loss, inputs[name], eps))
        for name in inputs
    }
