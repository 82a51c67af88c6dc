"""The cures for vanishing and exploding gradients: initialisation, activations, residual
connections and layer normalisation, switchable in one deep stack.

The stack: input a^0 = x (n_0, m), one example per column; hidden layers l = 1..L-1 of f, and a
linear output layer L (a^L = z^L, so delta^L = a^L - y carries no f' and the ratio
||delta^1|| / ||delta^L|| measures the hidden layers alone)::

    z^l = W^l a^{l-1} + b^l                                     (FP1)
    ẑ^l = LN(z^l), over the n_l units of each column (norm)     (CURE-NORM)  gamma = 1, beta = 0
    a^l = f(ẑ^l)                                                (FP2)        ẑ^l = z^l without norm
    a^l = a^{l-1} + f(ẑ^l)    (residual, when n_{l-1} = n_l)    (RES-A)
    a^L = z^L = W^L a^{L-1} + b^L                               (OUT)        linear output
    C   = 1/2 sum ||a^L - y||^2, summed over the batch          (cost)

Backward, from dC/da^L = a^L - y, with da = dC/da^l::

    delta^L = a^L - y                                           (BP1-LIN)
    dC/dẑ^l = da ⊙ f'(ẑ^l)                                      (BP2-F)
    delta^l = dC/dz^l = LN's backward of dC/dẑ^l                (NORM-BP-X)  = dC/dẑ^l without norm
    dC/da^{l-1} = (W^l)^T delta^l  (+ da through the skip)      (BP2-W), (RES-BP)

(RES-BP): d a^l / d a^{l-1} = I + diag(f'(ẑ^l)) W^l (without norm), so the error reaches layer
l-1 undiminished by the identity whatever f' and W do. Initialisation (:func:`init_std`) keeps
Var(z^l) constant with depth: z^l_j = sum_k W_jk a^{l-1}_k over n_{l-1} independent terms, so

    Var(z^l) = n_{l-1} Var(W) E[(a^{l-1})^2]                    (INIT-VAR)

E[a^2] ~ Var(z) for tanh near 0 (Xavier: Var(W) = 1/n_{l-1}), E[a^2] = Var(z)/2 for ReLU (only
half the units pass: He, Var(W) = 2/n_{l-1}). The same argument run backwards on (BP2) gives
Var(delta^{l-1}) = n_l Var(W) E[f'^2] Var(delta^l): what keeps the signal keeps the error.

Layers are numbered as in the notes; an array with one entry per layer holds layer l at index
l - 1. Every function also takes a stack of S networks (seeds on a leading axis), as
:func:`backprop.mlp.check_network` describes.
"""

import functools

import numpy as np

from backprop import activations as act
from backprop import mlp, normalization, validate
from backprop.gradcheck import numerical_gradient, rel_error

INITS = ("naive", "xavier", "he")


def init_std(init, n_in):
    """The standard deviation of W^l's entries, for a layer with n_in = n_{l-1} inputs.

    naive: 1 (W ~ N(0, 1), what a first attempt writes): Var(z^l) grows n_in-fold per layer.
    xavier: 1/sqrt(n_in), Var(W) = 1/n_in: (INIT-VAR) with E[a^2] ~ Var(z) (tanh, linear).
    We take LeCun's form 1/n_in, the one (INIT-VAR) derives; Glorot's 2/(n_in + n_out) is 1 over
    the mean of the two fans, a compromise between the forward condition (1/n_in) and the backward
    one (1/n_out), and the same for the stack's square layers.
    he: sqrt(2/n_in), Var(W) = 2/n_in: (INIT-VAR) with E[a^2] = Var(z)/2 (ReLU).
    """
    if init not in INITS:
        raise ValueError(f"init must be one of {INITS}, got {init!r}")
    validate.positive_int("n_in", n_in)
    return {"naive": 1.0, "xavier": 1.0 / np.sqrt(n_in), "he": np.sqrt(2.0 / n_in)}[init]


def deep_stack(depth, init, seeds, width=30, n_in=64, n_out=10, m=100, bias_std=0.0):
    """Random networks, one per seed, on a leading axis: ``(weights, biases, x, y)``.

    Sizes [n_in, width (depth times), n_out], L = depth + 1 layers, as
    :func:`backprop.vanishing.deep_network`. Seed s draws, with ``default_rng(s)``:
    W^l ~ init_std * N(0, 1), b^l ~ bias_std * N(0, 1) (0 by default: (INIT-VAR) assumes it),
    x ~ N(0, 1) and y ~ U(0, 1). Shapes: weights[l-1] (S, n_l, n_{l-1}), biases[l-1]
    (S, n_l, 1), x (S, n_in, m), y (S, n_out, m), S = len(seeds).
    """
    for name, value in (("depth", depth), ("width", width), ("n_in", n_in), ("n_out", n_out)):
        validate.positive_int(name, value)
    validate.positive_int("m", m)
    if bias_std != 0:
        validate.positive("bias_std", bias_std)
    normals = standard_draws(depth, tuple(seeds), width, n_in, n_out, m)
    if not normals[0]:
        raise ValueError(f"seeds must name at least one seed, got {list(seeds)}")
    weights = [init_std(init, W.shape[-1]) * W for W in normals[0]]  # W^l ~ init_std N(0, 1)
    biases = [bias_std * b for b in normals[1]]  # b^l ~ bias_std N(0, 1)
    return weights, biases, normals[2].copy(), normals[3].copy()


@functools.lru_cache(maxsize=8)
def standard_draws(depth, seeds, width, n_in, n_out, m):
    """:func:`deep_stack`'s draws before scaling: N(0, 1) weights and biases, x, y, stacked over
    seeds. Kept (a few MB): every init and cure of one widget draws the same networks."""
    sizes = [n_in] + [width] * depth + [n_out]
    draws = []
    for seed in seeds:
        rng = np.random.default_rng(seed)
        weights = [rng.standard_normal((n, p)) for p, n in zip(sizes, sizes[1:])]
        biases = [rng.standard_normal((n, 1)) for n in sizes[1:]]
        draws.append(
            (weights, biases, rng.standard_normal((n_in, m)), rng.uniform(size=(n_out, m)))
        )
    if not draws:
        return [], [], None, None
    weights, biases, x, y = zip(*draws)
    weights = [np.stack(w) for w in zip(*weights)]
    return weights, [np.stack(b) for b in zip(*biases)], np.stack(x), np.stack(y)


def layer_norm_columns(z):
    """(CURE-NORM): layer norm of each column of z (..., n, m) over its n units. Returns
    ``(ẑ, cache)``, ẑ of z's shape; :func:`backprop.normalization.layer_norm_forward` with
    gamma = 1, beta = 0 on the rows z^T (one row per example, and per network of a stack)."""
    n, m = z.shape[-2:]
    rows = np.swapaxes(z, -1, -2).reshape(-1, n)  # (S m, n): one example per row
    out, cache = normalization.layer_norm_forward(rows, np.ones(n), np.zeros(n))
    return np.swapaxes(out.reshape(z.shape[:-2] + (m, n)), -1, -2), cache


def layer_norm_columns_backward(dzhat, cache):
    """(NORM-BP-X) for :func:`layer_norm_columns`: dC/dz from dC/dẑ, both (..., n, m)."""
    n, m = dzhat.shape[-2:]
    rows = np.swapaxes(dzhat, -1, -2).reshape(-1, n)
    dz, _, _ = normalization.layer_norm_backward(rows, cache)
    return np.swapaxes(dz.reshape(dzhat.shape[:-2] + (m, n)), -1, -2)


def forward(weights, biases, x, activation, residual=False, norm=False):
    """Forward pass of the stack (module docstring). Returns a dict, the input of :func:`backward`:

    zs[l-1] = z^l, zhats[l-1] = ẑ^l (z^l without norm; the output's is z^L), caches[l-1]
    (layer norm's, or None), skips[l-1] (True where (RES-A) applies), activations[l] = a^l
    (activations[0] = x), and activation, norm. Shapes as :func:`backprop.mlp.forward`'s,
    (n_l, m), with a leading axis S for a stack.
    """
    mlp.check_network(weights, biases, x)
    f, _ = act.get(activation)
    a = np.asarray(x, dtype=np.float64)
    out = {"zs": [], "zhats": [], "caches": [], "skips": [], "activations": [a]}
    out.update(activation=activation, norm=norm)
    L = len(weights)
    for l, (W, b) in enumerate(zip(weights, biases), start=1):
        z = W @ a + b  # (FP1) z^l = W^l a^{l-1} + b^l
        hidden = l < L
        zhat, cache = layer_norm_columns(z) if norm and hidden else (z, None)  # (CURE-NORM)
        skip = residual and hidden and z.shape == a.shape
        if hidden:
            a = a + f(zhat) if skip else f(zhat)  # (RES-A) a^{l-1} + f(ẑ^l), else (FP2) f(ẑ^l)
        else:
            a = z  # (OUT) a^L = z^L
        for key, value in zip(("zs", "zhats", "caches", "skips"), (z, zhat, cache, skip)):
            out[key].append(value)
        out["activations"].append(a)
    return out


def backward(weights, record, y):
    """Backward pass for the quadratic cost. Returns ``(deltas, grad_w, grad_b)``.

    record: :func:`forward`'s result; y (n_L, m) (or (S, n_L, m)). deltas[l-1] = delta^l =
    dC/dz^l (before the norm), (n_l, m); grad_w[l-1] = dC/dW^l (n_l, n_{l-1}); grad_b[l-1] =
    dC/db^l (n_l, 1); summed over the batch's columns, as the cost is.
    """
    _, f_prime = act.get(record["activation"])
    activations = record["activations"]
    y = validate.array("y", y, activations[-1].shape, "(n_L, m)")
    L = len(weights)
    deltas = [None] * L
    deltas[L - 1] = activations[L] - y  # (BP1-LIN) delta^L = a^L - y
    da = weights[L - 1].mT @ deltas[L - 1]  # (BP2-W) dC/da^{L-1} = (W^L)^T delta^L
    for l in range(L - 1, 0, -1):  # hidden layers L-1, ..., 1; weights[l-1] is W^l
        dzhat = da * f_prime(record["zhats"][l - 1])  # (BP2-F) dC/dẑ^l = da ⊙ f'(ẑ^l)
        cache = record["caches"][l - 1]
        deltas[l - 1] = dzhat if cache is None else layer_norm_columns_backward(dzhat, cache)
        through_w = weights[l - 1].mT @ deltas[l - 1]  # (BP2-W) (W^l)^T delta^l
        da = da + through_w if record["skips"][l - 1] else through_w  # (RES-BP) I + ... W
    grad_b = [d.sum(axis=-1, keepdims=True) for d in deltas]  # (BP3) dC/db^l = sum delta^l
    grad_w = [d @ a.mT for d, a in zip(deltas, activations[:-1])]  # (BP4) delta^l (a^{l-1})^T
    return deltas, grad_w, grad_b


def gradient_check(weights, biases, x, y, activation, residual=False, norm=False, eps=1e-6):
    """:func:`backward` against central differences of the cost, parameter by parameter.

    One network (no stack axis). Returns ``{"W^1": rel_error, "b^1": ..., "b^L": ...}``, the
    largest relative error of each parameter's gradient, as :func:`backprop.mlp.gradient_check`.
    """
    record = forward(weights, biases, x, activation, residual, norm)
    _, grad_w, grad_b = backward(weights, record, y)

    def cost(_):
        return mlp.cost(
            forward(weights, biases, x, activation, residual, norm)["activations"][-1], y
        )

    errors = {}
    for l in range(1, len(weights) + 1):
        for name, param, grad in (("W", weights, grad_w), ("b", biases, grad_b)):
            errors[f"{name}^{l}"] = rel_error(
                grad[l - 1], numerical_gradient(cost, param[l - 1], eps)
            )
    return errors


def rms(values):
    """sqrt(mean(values^2)) over each network's last two axes: (..., n, m) -> (...)."""
    return np.sqrt(np.mean(np.square(values), axis=(-2, -1)))


def layer_profile(
    depth, init, activation, residual=False, norm=False, seeds=range(8), width=30, m=50, **kw
):
    """Per-layer forward signal and error of :func:`deep_stack`'s networks, one pass per seed.

    Returns a dict; "signal", "grad" and "gain" are (3, L) arrays, rows (min, median, max) over
    seeds:
    signal[:, l-1] = RMS of a^l over units and examples (the forward signal);
    grad[:, l-1] = ||delta^l||_F / sqrt(m), :func:`backprop.vanishing.layer_gradient_norms`'s
    measure; gain[:, l-1] = ||delta^l|| / ||delta^L||, each seed's divided by its own output
    layer's (1 at layer L). "ratio" (S,): ||delta^1||_F / ||delta^L||_F per seed (< 1 vanishes,
    > 1 explodes).
    kw: n_in, n_out, bias_std of :func:`deep_stack`. The seeds run side by side on one axis.
    m = 50, half of vanishing's batch: an RMS over 30 units x 50 examples is already steady, and
    the 48 settings of init x activation x residual x norm (depth 20, 8 seeds) take ~0.5 s.
    Each setting is computed once (the chapter's tables and its explorer share it): the arrays
    are read-only.
    """
    key = (bool(residual), bool(norm), tuple(seeds), width, m, tuple(sorted(kw.items())))
    return computed_profile(depth, init, activation, *key)


@functools.lru_cache(maxsize=128)
def computed_profile(depth, init, activation, residual, norm, seeds, width, m, kw):
    """:func:`layer_profile` with its arguments normalised (kw: sorted (name, value) pairs)."""
    weights, biases, x, y = deep_stack(depth, init, seeds, width, m=m, **dict(kw))
    record = forward(weights, biases, x, activation, residual, norm)
    deltas, _, _ = backward(weights, record, y)
    signal = np.stack([rms(a) for a in record["activations"][1:]], axis=-1)  # (S, L)
    grad = np.stack([rms(d) * np.sqrt(d.shape[-2]) for d in deltas], axis=-1)  # ||delta||_F/sqrt(m)
    gain = grad / grad[:, -1:]  # ||delta^l|| / ||delta^L|| per seed: the output layer at 1
    spread = {
        name: np.stack([v.min(axis=0), np.median(v, axis=0), v.max(axis=0)])
        for name, v in (("signal", signal), ("grad", grad), ("gain", gain))
    }
    profile = {**spread, "ratio": gain[:, 0]}
    for values in profile.values():
        values.flags.writeable = False  # shared by every caller of the cache
    return profile


def dead_fraction(depth, init, activation="relu", seeds=range(8), residual=False, norm=False, **kw):
    """The fraction of each hidden layer's units that are dead, per seed: shape (S, depth).

    Unit j of layer l is dead when ẑ^l_j <= 0 for every example of the batch: f' sits at its
    small slope for all of them. For relu that slope is 0: the unit outputs 0 and passes no
    error back, whatever the example. For leaky_relu it is 0.01: the same units are counted,
    but they are never dead in the sense of a zero gradient, they pass 1% of the error.
    activation: "relu" or "leaky_relu"; kw: width, n_in, n_out, m, bias_std of :func:`deep_stack`.
    """
    if activation not in ("relu", "leaky_relu"):
        raise ValueError(f"activation must be 'relu' or 'leaky_relu', got {activation!r}")
    weights, biases, x, _ = deep_stack(depth, init, seeds, **kw)
    record = forward(weights, biases, x, activation, residual, norm)
    dead = [np.all(zhat <= 0, axis=-1) for zhat in record["zhats"][:-1]]  # (S, n_l) per layer
    return np.stack([d.mean(axis=-1) for d in dead], axis=-1)
