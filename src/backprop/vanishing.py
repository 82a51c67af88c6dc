"""Vanishing and exploding gradients in a deep fully connected network.

The notes write a network as F = f3(f2(f1(x W1) W2) W3) (row vectors) and its
gradient as a product, one factor f' per layer. In the course's column form
(z^l = W^l a^{l-1} + b^l, see :mod:`backprop.mlp`) the Jacobian of the output is::

    d a^L / d a^0 = diag(f'(z^L)) W^L ... diag(f'(z^1)) W^1        (chain rule)

and the recursion (BP2) delta^l = ((W^{l+1})^T delta^{l+1}) ⊙ f'(z^l) multiplies the
error by one such factor per layer on its way down. A sigmoid has f' <= 1/4, so k
sigmoid layers multiply it by at most (1/4)^k times the norms of their weights; large
weights push z into the flat tails, where f' ~ 0 (saturation). Either way the first
layers learn slowly: the gradient vanishes. Weights large enough (ReLU) make it explode.

Layers are numbered as in the notes, 1 (first hidden) to L (output); an array with
one entry per layer holds layer l at index l - 1.
"""

from dataclasses import dataclass

import numpy as np

from backprop import activations as act
from backprop import datasets, mlp, training, validate
from backprop.gradcheck import numerical_gradient, rel_error


def deep_network(depth, scale, rng, width=30, n_in=64, n_out=10, m=100):
    """A random network with ``depth`` hidden layers, a batch and targets: ``(weights, biases, x, y)``.

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


def band(a, w, b):
    """|w sigma'(w a + b)|: the factor one sigmoid neuron multiplies a gradient by.

    Elementwise with broadcasting; a, w, b are numbers or arrays. It is >= 1 (the
    gradient does not shrink) only on an interval of a, and only when |w| >= 4
    (Nielsen, ch. 5, problem): see :func:`band_width` and :func:`band_interval`.
    """
    a, w, b = (np.asarray(v, dtype=np.float64) for v in (a, w, b))
    return np.abs(w * act.sigmoid_prime(w * a + b))  # |w sigma'(w a + b)|


def _abs_w(w):
    """(|w|, |w| where |w| >= 4 else 4): the second keeps sqrt(1 - 4/|w|) real, the band having width 0 at |w| = 4."""
    aw = np.abs(np.asarray(w, dtype=np.float64))
    return aw, np.where(aw >= 4.0, aw, 4.0)


def _band_z(w):
    """|w| and the half-width z* in z of the band sigma'(z) >= 1/|w| (0 where |w| < 4).

    sigma(1 - sigma) >= 1/|w| <=> sigma in [(1 - r)/2, (1 + r)/2], r = sqrt(1 - 4/|w|),
    <=> |z| <= z* = ln((1 + r)/(1 - r)) = ln(|w| (1 + r)^2 / 4).
    """
    aw, wide = _abs_w(w)
    r = np.sqrt(1.0 - 4.0 / wide)
    return aw, np.where(aw >= 4.0, np.log(wide * (1.0 + r) ** 2 / 4.0), 0.0)


def band_interval(w, b):
    """The interval ``(lo, hi)`` of a where |w sigma'(w a + b)| >= 1; lo = hi = -b/w if |w| < 4.

    z = w a + b lies in [-z*, z*] (see ``_band_z``), so a lies between
    (-z* - b)/w and (z* - b)/w. w must be non-zero; arrays broadcast.
    """
    aw, z_star = _band_z(w)
    if np.any(aw == 0):
        raise ValueError("w must be non-zero (the band of w = 0 is empty), got w = 0")
    w, b = np.asarray(w, dtype=np.float64), np.asarray(b, dtype=np.float64)
    ends = ((-z_star - b) / w, (z_star - b) / w)
    return np.minimum(*ends), np.maximum(*ends)


def band_width(w, b=0.0):
    """Width of the interval of a where |w sigma'(w a + b)| >= 1 (Nielsen, ch. 5).

    (2/|w|) ln(|w| (1 + sqrt(1 - 4/|w|))/2 - 1) for |w| >= 4, else 0. It does not depend
    on b, which only shifts the interval (:func:`band_interval`); it peaks near
    |w| ~ 6.9 at about 0.45, so a sigmoid neuron rarely avoids shrinking the gradient.
    """
    if not np.all(np.isfinite(np.asarray(b, dtype=np.float64))):
        raise ValueError(f"b must be finite, got {b!r}")
    aw, wide = _abs_w(w)
    inside = wide * (1.0 + np.sqrt(1.0 - 4.0 / wide)) / 2.0 - 1.0  # equals 1 at |w| = 4
    return np.where(aw >= 4.0, 2.0 / wide * np.log(inside), 0.0)


@dataclass
class TrainingHistory:
    """What :func:`train` records. Row 0 is before training, row e after epoch e.

    grad_norms: (epochs + 1, L); column l-1 is ||dC/db^l|| for the mean cost over the
    evaluation batch (the whole training split): Nielsen's speed of learning of layer l.
    test_accuracy: (epochs + 1,); fraction of the test split whose argmax a^L is the label.
    train_cost: (epochs + 1,); the quadratic cost per example, mean over the training split.
    weights, biases: the trained parameters, shaped as for :func:`backprop.mlp.forward`.
    train_idx, test_idx: the split, indices into the images given to :func:`train`.
    """

    grad_norms: np.ndarray
    test_accuracy: np.ndarray
    train_cost: np.ndarray
    weights: list
    biases: list
    train_idx: np.ndarray
    test_idx: np.ndarray


def _columns(images, labels, sizes):
    """Images (N, ...) as columns x (n_0, N) and labels (N,) as targets y (n_L, N)."""
    images = np.asarray(images, dtype=np.float64)
    labels = np.asarray(labels)
    if images.ndim < 2 or images[0].size != sizes[0] or len(labels) != len(images):
        raise ValueError(
            f"need images of shape (N, ...) with {sizes[0]} = sizes[0] pixels each "
            f"and N labels, got images {images.shape} and labels {labels.shape}"
        )
    if not np.all(np.isfinite(images)):
        raise ValueError("images must be finite, got NaN or inf")
    return images.reshape(len(images), -1).T, datasets.one_hot(labels, sizes[-1])


def _measure(weights, biases, x, y, activation):
    """(||dC/db^l|| of the mean cost for every layer, cost per example, accuracy) on columns x, y."""
    zs, activations = mlp.forward(weights, biases, x, activation)
    _, _, grad_b = mlp.backward(weights, zs, activations, y, activation)
    m = x.shape[1]
    norms = [np.linalg.norm(g) / m for g in grad_b]  # ||1/m sum_x dC_x/db^l||
    accuracy = np.mean(activations[-1].argmax(axis=0) == y.argmax(axis=0))
    return norms, mlp.cost(activations[-1], y) / m, accuracy


def _sgd_epoch(weights, biases, x, y, batch_size, eta, activation, rng):
    """One pass of mini-batch SGD over the shuffled columns of x, updating in place."""

    def gradients(batch):  # [dC/dW^1, ..., dC/dW^L, dC/db^1, ..., dC/db^L] on the batch
        zs, activations = mlp.forward(weights, biases, x[:, batch], activation)
        _, grad_w, grad_b = mlp.backward(weights, zs, activations, y[:, batch], activation)
        return grad_w + grad_b

    training.sgd_epoch(weights + biases, gradients, x.shape[1], batch_size, eta, rng)


def train(
    sizes, activation, scale, images, labels, epochs, batch_size, eta, rng, test_fraction=0.2
):
    """Mini-batch SGD on the quadratic cost; returns a :class:`TrainingHistory`.

    images: (N, ...) with sizes[0] pixels each; labels: (N,) integers in 0..sizes[-1]-1.
    ``rng`` (a ``numpy.random.Generator``) draws, in this order, the parameters
    (:func:`backprop.mlp.init_network` with ``scale``), the train/test split
    (``test_fraction`` of N to test) and each epoch's shuffle: the same seed, the same history.
    """
    validate.positive_int("epochs", epochs, minimum=0)
    validate.positive_int("batch_size", batch_size)
    validate.positive("eta", eta)
    validate.positive("scale", scale)
    weights, biases = mlp.init_network(sizes, rng, scale)
    x, y = _columns(images, labels, sizes)
    train_idx, test_idx = datasets.train_test_split(x.shape[1], test_fraction, rng)
    x_train, y_train, x_test, y_test = (
        x[:, train_idx],
        y[:, train_idx],
        x[:, test_idx],
        y[:, test_idx],
    )
    rows = []
    for epoch in range(epochs + 1):  # row 0: before training
        if epoch > 0:
            _sgd_epoch(weights, biases, x_train, y_train, batch_size, eta, activation, rng)
        norms, cost, _ = _measure(weights, biases, x_train, y_train, activation)
        rows.append((norms, cost, _measure(weights, biases, x_test, y_test, activation)[2]))
    grad_norms, train_cost, test_accuracy = (np.array(column) for column in zip(*rows))
    return TrainingHistory(
        grad_norms, test_accuracy, train_cost, weights, biases, train_idx, test_idx
    )


def jacobian_chain(weights, zs, activation="sigmoid"):
    """d a^L / d a^0 for ONE example: diag(f'(z^L)) W^L ... diag(f'(z^1)) W^1, shape (n_L, n_0).

    weights[l-1] = W^l, shape (n_l, n_{l-1}); zs[l-1] = z^l of that example, shape (n_l, 1).
    Each layer contributes d a^l / d a^{l-1} = diag(f'(z^l)) W^l (from FP1 and FP2).
    """
    _, f_prime = act.get(activation)
    if len(weights) == 0 or len(zs) != len(weights):
        raise ValueError(
            f"need one z per weight matrix (at least one), got {len(weights)} weights and {len(zs)} zs"
        )
    for l, (W, z) in enumerate(zip(weights, zs), start=1):
        if np.shape(z) != (np.shape(W)[0], 1):
            raise ValueError(
                f"z^{l} must be ({np.shape(W)[0]}, 1), one example, got shape {np.shape(z)}"
            )
    J = np.eye(np.shape(weights[0])[1])  # d a^0 / d a^0
    for W, z in zip(weights, zs):
        J = f_prime(z) * (W @ J)  # d a^l / d a^0 = diag(f'(z^l)) W^l (d a^{l-1} / d a^0)
    return J


def grad_w1_via_jacobians(weights, zs, activations, y, activation="sigmoid"):
    """dC/dW^1 for ONE example, from the product of Jacobians; shape (n_1, n_0).

    delta^1 = diag(f'(z^1)) (d a^L / d a^1)^T (a^L - y), d a^L / d a^1 from
    :func:`jacobian_chain` over layers 2..L, then dC/dW^1 = delta^1 (a^0)^T (BP4).
    Written out for L = 3 this is the notes' dF/dW1 = x * f1' * W2 * f2' * W3 * f3'
    transposed into columns: [f1' ⊙ (W^2)^T (f2' ⊙ (W^3)^T (f3' ⊙ (a^3 - y)))] x^T, where
    the notes' row-vector W_k is our (W^k)^T and their F is our a^L.
    """
    _, f_prime = act.get(activation)
    y = np.asarray(y, dtype=np.float64)
    if y.shape != activations[-1].shape or y.shape[1:] != (1,):
        raise ValueError(
            f"y must be one example of the output's shape {activations[-1].shape}, got {y.shape}"
        )
    if len(weights) > 1:
        upper = jacobian_chain(weights[1:], zs[1:], activation)  # d a^L / d a^1, (n_L, n_1)
    else:
        upper = np.eye(zs[0].shape[0])  # L = 1: a^L is a^1
    delta1 = f_prime(zs[0]) * (
        upper.T @ (activations[-1] - y)
    )  # delta^1 = f'(z^1) ⊙ (d a^L/d a^1)^T ∇_a C
    return delta1 @ activations[0].T  # (BP4) dC/dW^1 = delta^1 (a^0)^T


def jacobian_checks(sizes=(4, 5, 5, 3), activation="sigmoid", seed=0):
    """The product of Jacobians against finite differences, on one random example.

    Returns rows ``(what, rel_error)``: d a^L / d a^0 from :func:`jacobian_chain` against
    central differences of the forward pass (one output at a time); dC/dW^1 from
    :func:`grad_w1_via_jacobians` against central differences of the cost and against
    :func:`backprop.mlp.backward` (BP1-BP4). Network: ``mlp.init_network(sizes, default_rng(seed))``,
    x ~ N(0, 1) of shape (n_0, 1), y ~ U(0, 1) of shape (n_L, 1).
    """
    rng = np.random.default_rng(seed)
    weights, biases = mlp.init_network(list(sizes), rng)
    x, y = rng.standard_normal((sizes[0], 1)), rng.uniform(size=(sizes[-1], 1))
    zs, activations = mlp.forward(weights, biases, x, activation)

    def output(i):  # a^L_i as a function of the input a^0
        return lambda v: mlp.forward(weights, biases, v, activation)[1][-1][i, 0]

    fd_jacobian = np.vstack([numerical_gradient(output(i), x).T for i in range(sizes[-1])])
    fd_w1 = numerical_gradient(
        lambda _: mlp.cost(mlp.forward(weights, biases, x, activation)[1][-1], y), weights[0]
    )
    product_w1 = grad_w1_via_jacobians(weights, zs, activations, y, activation)
    backprop_w1 = mlp.backward(weights, zs, activations, y, activation)[1][0]
    return [
        (
            "∂aᴸ/∂a⁰ = Jᴸ⋯J¹ vs finite differences",
            rel_error(jacobian_chain(weights, zs, activation), fd_jacobian),
        ),
        ("∂C/∂W¹ from the product vs finite differences", rel_error(product_w1, fd_w1)),
        ("∂C/∂W¹ from the product vs mlp.backward", rel_error(product_w1, backprop_w1)),
    ]


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
