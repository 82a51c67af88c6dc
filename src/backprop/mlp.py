"""A fully connected network: the forward pass and the four equations of backpropagation.

Notation of the course (and of the notes): column vectors, one example per column.
Layer ``l`` runs from 1 (the first hidden layer) to ``L`` (the output layer)::

    z^l = W^l a^{l-1} + b^l          (FP1)
    a^l = sigma(z^l)                 (FP2)
    C   = 1/2 sum_j (y_j - a^L_j)^2  (cost, summed over the batch's columns too)

Python lists start at 0, so ``weights[l - 1]`` is W^l, ``zs[l - 1]`` is z^l and
``activations[l]`` is a^l (``activations[0]`` is the input a^0 = x).

:func:`forward` returns its ``zs`` as a :class:`Layers` list that records the activation used;
:func:`backward` takes it from there, so the backward pass cannot use another activation's f'.
"""

import numpy as np

from backprop import activations as act
from backprop.gradcheck import numerical_gradient, rel_error
from backprop.memory import kept


class Layers(list):
    """A list of per-layer arrays (the ``zs`` of :func:`forward`) that records ``activation``,
    the name of the activation that produced them."""

    def __init__(self, arrays, activation):
        super().__init__(arrays)
        self.activation = activation


def check_network(weights, biases, x):
    """Raise ValueError unless the shapes chain: W^l is (n_l, n_{l-1}), b^l (n_l, 1), x (n_0, m).

    A stack of S networks (an ensemble) adds a leading axis to every W^l and b^l, and x is
    (n_0, m), shared, or (S, n_0, m).
    """
    if len(weights) == 0 or len(weights) != len(biases):
        raise ValueError(
            f"need as many biases as weights (at least one), "
            f"got {len(weights)} weights and {len(biases)} biases"
        )
    stack, x = np.shape(weights[0])[:-2], np.asarray(x)
    if x.shape[:-2] not in ((), stack) or x.ndim < 2:
        shared = "" if not stack else f" or ({', '.join(map(str, stack))}, n_0, m)"
        raise ValueError(f"x must be (n_0, m){shared}, one example per column; got {x.shape}")
    n_prev = x.shape[-2]
    for l, (W, b) in enumerate(zip(weights, biases), start=1):
        W, b = np.asarray(W), np.asarray(b)
        if W.shape[:-2] != stack or W.ndim < 2 or W.shape[-1] != n_prev:
            expected = ", ".join([*map(str, stack), f"n_{l}", str(n_prev)])
            raise ValueError(f"W^{l} must be ({expected}), got shape {W.shape}")
        if b.shape != W.shape[:-1] + (1,):
            raise ValueError(f"b^{l} must be {W.shape[:-1] + (1,)}, got shape {b.shape}")
        n_prev = W.shape[-2]
    if not np.all(np.isfinite(x)):
        raise ValueError("x must be finite, got NaN or inf")


def forward(weights, biases, x, activation="sigmoid"):
    """Forward pass. Returns ``(zs, activations)``.

    weights[l-1]: W^l, shape (n_l, n_{l-1}); biases[l-1]: b^l, shape (n_l, 1);
    x: shape (n_0, m), one example per column.
    zs[l-1]: z^l, shape (n_l, m); activations[l]: a^l, shape (n_l, m), activations[0] = x.
    ``zs`` is a :class:`Layers` list: ``zs.activation`` is ``activation``, for :func:`backward`.
    """
    check_network(weights, biases, x)
    f, _ = act.get(activation)
    a = np.asarray(x, dtype=np.float64)
    zs, activations = [], [a]
    for W, b in zip(weights, biases):
        z = W @ a + b  # (FP1) z^l = W^l a^{l-1} + b^l
        a = f(z)  # (FP2) a^l = sigma(z^l)
        zs.append(z)
        activations.append(a)
    return Layers(zs, activation), activations


def cost(a_out, y):
    """Quadratic cost C = 1/2 sum ||y - a^L||^2 over all output units and examples.

    a_out: (n_L, m), y: (n_L, m); a float. For a stack of networks, a_out is (S, n_L, m) and
    the result an array of S costs.
    """
    total = 0.5 * np.sum((np.asarray(y) - a_out) ** 2, axis=(-2, -1))  # 1/2 sum ||y - a^L||^2
    return float(total) if np.ndim(total) == 0 else total


def forward_activation(zs, activation=None):
    """The activation of a forward pass: the one ``zs`` records (from :func:`forward`), else
    ``activation``, else "sigmoid" (the course's default, for a plain list of z's).

    Raises ValueError if an explicit ``activation`` contradicts the recorded one.
    """
    recorded = getattr(zs, "activation", None)
    if recorded is not None and activation is not None and activation != recorded:
        raise ValueError(
            f"the forward pass used '{recorded}', got '{activation}' for the backward pass"
        )
    return recorded or activation or "sigmoid"


def backward(weights, zs, activations, y, activation=None):
    """Backward pass for the quadratic cost. Returns ``(deltas, grad_w, grad_b)``.

    zs, activations: as :func:`forward` returns them; the activation is the one the forward
    pass recorded in ``zs`` (``activation`` may repeat it; a different one raises ValueError).
    deltas[l-1] = delta^l = dC/dz^l, shape (n_l, m);
    grad_w[l-1] = dC/dW^l, shape (n_l, n_{l-1}); grad_b[l-1] = dC/db^l, shape (n_l, 1).
    The gradients are summed over the batch's m columns, as the cost is. A stack of networks
    (see :func:`check_network`) gives every array a leading axis S; y is then (S, n_L, m).
    """
    _, f_prime = act.get(forward_activation(zs, activation))
    y = np.asarray(y, dtype=np.float64)
    if y.shape != activations[-1].shape:
        raise ValueError(f"y must have the output's shape {activations[-1].shape}, got {y.shape}")
    L = len(weights)
    deltas = [None] * L
    grad_a = activations[L] - y  # nabla_a C = a^L - y for the quadratic cost
    deltas[L - 1] = grad_a * f_prime(zs[L - 1])  # (BP1) delta^L = nabla_a C ⊙ sigma'(z^L)
    for l in range(L - 1, 0, -1):  # layers L-1, ..., 1 (weights[l] is W^{l+1})
        deltas[l - 1] = (weights[l].mT @ deltas[l]) * f_prime(zs[l - 1])  # (BP2)
    grad_b = [d.sum(axis=-1, keepdims=True) for d in deltas]  # (BP3) dC/db^l_j = delta^l_j
    grad_w = [d @ a.mT for d, a in zip(deltas, activations[:-1])]  # (BP4) delta^l (a^{l-1})^T
    return deltas, grad_w, grad_b


def init_network(sizes, rng, scale=1.0):
    """Random W^l ~ scale * N(0, 1/n_{l-1}) and b^l ~ N(0, 1) for layer sizes [n_0, ..., n_L].

    ``rng`` is a ``numpy.random.Generator`` (``np.random.default_rng(seed)``).
    """
    if len(sizes) < 2 or any(int(n) < 1 for n in sizes):
        raise ValueError(f"sizes must list at least two positive layer sizes, got {sizes}")
    weights = [
        scale * rng.standard_normal((n, n_prev)) / np.sqrt(n_prev)
        for n_prev, n in zip(sizes[:-1], sizes[1:])
    ]
    biases = [rng.standard_normal((n, 1)) for n in sizes[1:]]
    return weights, biases


@kept  # the same result in every edition's execution (backprop.memory)
def gradient_check(weights, biases, x, y, activation="sigmoid", eps=1e-6):
    """Compare :func:`backward` with central differences of :func:`cost`, parameter by parameter.

    Returns a dict ``{"W^1": rel_error, "b^1": rel_error, ..., "b^L": rel_error}``: the largest
    relative error of each parameter's gradient (W^l: (n_l, n_{l-1}), b^l: (n_l, 1)).
    """

    def cost_of_params(_):
        return cost(forward(weights, biases, x, activation)[1][-1], y)

    _, grad_w, grad_b = backward(weights, *forward(weights, biases, x, activation), y)
    errors = {}
    for l in range(1, len(weights) + 1):
        for name, param, grad in (("W", weights, grad_w), ("b", biases, grad_b)):
            numeric = numerical_gradient(cost_of_params, param[l - 1], eps)
            errors[f"{name}^{l}"] = rel_error(grad[l - 1], numeric)
    return errors
