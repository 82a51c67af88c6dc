"""Vanishing and exploding gradients in a deep fully connected network: per-layer statistics.

The recursion (BP2) delta^l = ((W^{l+1})^T delta^{l+1}) ⊙ f'(z^l) multiplies the
error by one such factor per layer on its way down. A sigmoid has f' <= 1/4, so k
sigmoid layers multiply it by at most (1/4)^k times the norms of their weights
(:func:`delta_bounds`, :func:`bound_slack`): at the standard scale the gradient vanishes.
Large weights push most z into the flat tails, where f' ~ 0 (saturation), yet a layer
multiplies the error by about scale * RMS f'(z) (:func:`layer_gains`), which keeps growing
with the scale for the sigmoid too: large enough weights make the gradient explode, with
sigmoid units as with tanh and ReLU.

Layers are numbered as in the notes, 1 (first hidden) to L (output); an array with
one entry per layer holds layer l at index l - 1.
"""

import numpy as np

from backprop import activations as act
from backprop import mlp, validate


def deep_network(depth, scale, rng, width=30, n_in=64, n_out=10, m=100):
    """A random network with ``depth`` hidden layers, a batch, targets: ``(weights, biases, x, y)``.

    Sizes [n_in, width, ..., width, n_out] (L = depth + 1 layers), parameters from
    :func:`backprop.mlp.init_network`: W^l ~ scale * N(0, 1/n_{l-1}), b^l ~ N(0, 1).
    x ~ N(0, 1), shape (n_in, m); y ~ U(0, 1), shape (n_out, m).
    """
    for name, value in (
        ("depth", depth),
        ("width", width),
        ("n_in", n_in),
        ("n_out", n_out),
        ("m", m),
    ):
        validate.positive_int(name, value)
    validate.positive("scale", scale)
    weights, biases = mlp.init_network([n_in] + [width] * depth + [n_out], rng, scale)
    x = rng.standard_normal((n_in, m))
    y = rng.uniform(size=(n_out, m))
    return weights, biases, x, y


def layer_gradient_norms(depth, activation, scale, width=30, n_in=64, n_out=10, m=100, seed=0):
    """The size of delta^l in every layer of a random deep network, shape (depth + 1,).

    Entry l-1 is ||delta^l||_F / sqrt(m) = sqrt(1/m sum_x ||delta^l_x||^2), the root mean
    square over the batch of one example's ||dC_x/dz^l|| (no cancellation between
    examples, and independent of m); the last entry is the output layer L = depth + 1.
    The network is :func:`deep_network` with ``rng = np.random.default_rng(seed)``.

    An entry is exactly 0 when no error reaches layer l (every unit of a ReLU layer dead
    for every example). It is returned as 0, the true value; before a log axis pass the
    array through :func:`log_floor`, which never gives 0, NaN or inf.
    """
    return layer_statistics(depth, activation, scale, width, n_in, n_out, m, seed)[0]


def layer_statistics(depth, activation, scale, width=30, n_in=64, n_out=10, m=100, seed=0):
    """``(norms, mean_ratio, saturated)`` of one random deep network, each of shape (depth + 1,).

    norms: ||delta^l||_F / sqrt(m), as :func:`layer_gradient_norms` returns them;
    mean_ratio, saturated: :func:`saturation` of the same forward pass (threshold 0.01).
    One forward and one backward pass of :func:`deep_network` (``default_rng(seed)``).
    """
    weights, biases, x, y = deep_network(
        depth, scale, np.random.default_rng(seed), width, n_in, n_out, m
    )
    zs, activations = mlp.forward(weights, biases, x, activation)
    deltas, _, _ = mlp.backward(weights, zs, activations, y, activation)
    norms = np.array([np.linalg.norm(d) / np.sqrt(m) for d in deltas])  # ||delta^l||_F / sqrt(m)
    return (norms, *saturation(zs, activation))


def log_floor(values, floor=None):
    """``values`` with every 0 replaced by ``floor``, for a log axis: all entries finite and > 0.

    ``floor`` defaults to a tenth of the smallest positive entry (1.0 if none is positive),
    so a layer that gets no gradient sits one decade below the smallest that does. The
    floored entries are those where ``values == 0``: mark them on the plot (e.g. "no gradient").
    values: finite, >= 0, any shape.
    """
    values = np.asarray(values, dtype=np.float64)
    if not np.all(np.isfinite(values)) or np.any(values < 0):
        raise ValueError(
            f"values must be finite and >= 0, got min {np.min(values)} and max {np.max(values)}"
        )
    positive = values[values > 0]
    if floor is None:
        floor = positive.min() / 10.0 if positive.size else 1.0
    validate.positive("floor", floor)
    return np.where(values > 0, values, floor)


def saturation(zs, activation, threshold=0.01):
    """How flat f' is in each layer: ``(mean_ratio, saturated)``, each of shape (L,).

    zs[l-1] = z^l of shape (n_l, m), as :func:`backprop.mlp.forward` returns it.
    mean_ratio[l-1] = mean over units and examples of f'(z^l) / max f', in [0, 1]
    (max f' = 1/4 for sigmoid, 1 for tanh and relu): 1 means every unit passes the error
    at full strength. saturated[l-1] = fraction of the entries of z^l (units x examples)
    with f'(z) < threshold * max f': sigmoid |z| > ~6.0 and tanh |z| > ~3.0 at 0.01; for
    relu f' is 0 or 1, so it is the fraction of dead entries (z <= 0) for any threshold in (0, 1].
    """
    _, f_prime = act.get(activation)
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"threshold must lie in (0, 1], got {threshold}")
    ratios = [f_prime(z) / act.MAX_PRIME[activation] for z in zs]  # f'(z^l) / max f'
    mean_ratio = np.array([r.mean() for r in ratios])
    saturated = np.array([np.mean(r < threshold) for r in ratios])
    return mean_ratio, saturated


def sigmoid_bound(k):
    """(1/4)^k: the largest product of k sigmoid derivatives, since sigma'(z) <= 1/4.

    So for each example, by (BP2), ||delta^{L-k}|| <= (1/4)^k prod_{l>L-k} ||W^l||_2 ||delta^L||:
    the sigma' factors alone bring at most (1/4)^k. ``k``: a non-negative integer or an
    array of them (e.g. ``np.arange(L)``); the result has its shape.
    """
    k = np.asarray(k)
    if not np.issubdtype(k.dtype, np.integer) or np.any(k < 0):
        raise ValueError(f"k must be non-negative integers, got {k!r}")
    return 0.25 ** k.astype(np.float64)  # prod_{i=1}^{k} max sigma' = (1/4)^k


def delta_bounds(weights, delta_out):
    """The bound on ||delta^l|| that sigma' <= 1/4 gives, for ONE example; shape (L,).

    Entry l-1 is (1/4)^(L-l) prod_{k>l} ||W^k||_2 ||delta^L||: each step of (BP2) multiplies
    the error by (W^k)^T (at most its spectral norm) and then by sigma' <= 1/4.
    weights[l-1] = W^l; delta_out = delta^L of one example, shape (n_L, 1).
    """
    delta_out = np.asarray(delta_out, dtype=np.float64)
    if delta_out.shape != (np.shape(weights[-1])[0], 1):
        raise ValueError(
            f"delta_out must be delta^L of one example, shape ({np.shape(weights[-1])[0]}, 1), "
            f"got {delta_out.shape}"
        )
    spectral = np.array([np.linalg.norm(W, 2) for W in weights])  # ||W^k||_2, k = 1..L
    L = len(weights)
    above = np.array([np.prod(spectral[l:]) for l in range(1, L + 1)])  # prod_{k>l} ||W^k||_2
    return sigmoid_bound(L - np.arange(1, L + 1)) * above * np.linalg.norm(delta_out)


def bound_slack(weights, zs, deltas):
    """Why :func:`delta_bounds` is loose: ``(slope, direction)`` of each step, shapes (L - 1,).

    One sigmoid network, ONE example (zs[l-1] = z^l and deltas[l-1] = delta^l of shape (n_l, 1)).
    Step l (entry l-1, l = 1..L-1) takes delta^{l+1} to delta^l = sigma'(z^l) ⊙ v with
    v = (W^{l+1})^T delta^{l+1}; the bound charges it 1/4 ||W^{l+1}||_2 ||delta^{l+1}||, so

        ||delta^l|| / (1/4 ||W^{l+1}||_2 ||delta^{l+1}||) = slope[l-1] * direction[l-1],
        slope     = ||sigma'(z^l) ⊙ v|| / (1/4 ||v||)            (sigma' below its maximum 1/4)
        direction = ||v|| / (||W^{l+1}||_2 ||delta^{l+1}||)      (delta not W's worst direction)

    both in [0, 1], and measured / bound at layer l is the product of both over the steps k >= l.
    """
    if any(np.shape(d)[1:] != (1,) for d in deltas):
        raise ValueError(
            f"deltas must be of one example, shapes (n_l, 1), got {[np.shape(d) for d in deltas]}"
        )
    slope, direction = [], []
    for l in range(1, len(weights)):
        W, d_above = weights[l], deltas[l]  # W^{l+1}, delta^{l+1}
        v = W.T @ d_above  # (W^{l+1})^T delta^{l+1}
        slope.append(np.linalg.norm(act.sigmoid_prime(zs[l - 1]) * v) / (0.25 * np.linalg.norm(v)))
        direction.append(np.linalg.norm(v) / (np.linalg.norm(W, 2) * np.linalg.norm(d_above)))
    return np.array(slope), np.array(direction)


def layer_gains(depth, activation, scale, width=30, m=100, seed=0):
    """``(gains, estimate)`` of :func:`deep_network` (``default_rng(seed)``), shapes (depth,).

    gains[l-1] = ||delta^l||_F / ||delta^{l+1}||_F, the factor by which step l of (BP2) changes
    the error's size, so prod(gains) = ||delta^1|| / ||delta^L||. estimate[l-1] =
    scale * RMS f'(z^l) (root mean square over layer l's units and examples): unit j of layer l
    gets (W^{l+1})^T delta^{l+1} summed over the units above, of size about
    scale ||delta^{l+1}|| / sqrt(n_l) when W^{l+1} ~ scale N(0, 1/n_l) is independent of
    delta^{l+1}, so ||delta^l||^2 ~ scale^2 mean_j f'(z_j)^2 ||delta^{l+1}||^2. An estimate,
    not a bound: the page compares it with ``gains``.
    """
    weights, biases, x, y = deep_network(depth, scale, np.random.default_rng(seed), width, m=m)
    zs, activations = mlp.forward(weights, biases, x, activation)
    deltas, _, _ = mlp.backward(weights, zs, activations, y, activation)
    _, f_prime = act.get(activation)
    norms = np.array([np.linalg.norm(d) for d in deltas])
    estimate = np.array([scale * np.sqrt(np.mean(f_prime(z) ** 2)) for z in zs[:-1]])
    return norms[:-1] / norms[1:], estimate
