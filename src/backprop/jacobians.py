"""The gradient of a deep network as a product of Jacobians (the notes' section "MLP").

The notes write a network as F = f3(f2(f1(x W1) W2) W3) (row vectors) and its gradient as a
product with one factor f' per layer. In the course's column form (z^l = W^l a^{l-1} + b^l, see
:mod:`backprop.mlp`) the Jacobian of the output is::

    d a^L / d a^0 = diag(f'(z^L)) W^L ... diag(f'(z^1)) W^1        (chain rule)

Layers are numbered 1 (first hidden) to L (output); lists hold layer l at index l - 1.
"""

import numpy as np

from backprop import activations as act
from backprop import mlp
from backprop.gradcheck import numerical_gradient, rel_error
from backprop.memory import kept


def jacobian_chain(weights, zs, activation="sigmoid"):
    """d a^L / d a^0 for ONE example: diag(f'(z^L)) W^L ... diag(f'(z^1)) W^1, shape (n_L, n_0).

    weights[l-1] = W^l, shape (n_l, n_{l-1}); zs[l-1] = z^l of that example, shape (n_l, 1).
    Each layer contributes d a^l / d a^{l-1} = diag(f'(z^l)) W^l (from FP1 and FP2).
    """
    _, f_prime = act.get(activation)
    if len(weights) == 0 or len(zs) != len(weights):
        raise ValueError(
            f"need one z per weight matrix (at least one), "
            f"got {len(weights)} weights and {len(zs)} zs"
        )
    for l, (W, z) in enumerate(zip(weights, zs), start=1):
        if np.shape(z) != (np.shape(W)[0], 1):
            raise ValueError(
                f"z^{l} must be ({np.shape(W)[0]}, 1), one example, got shape {np.shape(z)}"
            )
    J = np.eye(np.shape(weights[0])[1])  # d a^0 / d a^0
    for W, z in zip(weights, zs):
        # d a^l / d a^0 = diag(f'(z^l)) W^l (d a^{l-1} / d a^0). The column f'(z^l), (n_l, 1),
        # times the matrix W @ J broadcasts along the rows: row j is scaled by f'(z^l_j), which
        # is diag(f'(z^l)) @ (W @ J) without building the diagonal matrix.
        J = f_prime(z) * (W @ J)
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


def row_forward(row_weights, x_row, activation="sigmoid"):
    """The notes' row form F = f_L(... f_2(f_1(x W_1) W_2) ... W_L), no biases; shape (1, n_L).

    row_weights[l-1] = W_l, shape (n_{l-1}, n_l) (the course's (W^l)^T); x_row: shape (1, n_0).
    Returns the list of rows [x, a_1, ..., a_L] and of the z_l = a_{l-1} W_l.
    """
    f, _ = act.get(activation)
    rows, zs = [np.asarray(x_row, dtype=np.float64)], []
    for W in row_weights:
        zs.append(rows[-1] @ W)  # z_l = a_{l-1} W_l (a row)
        rows.append(f(zs[-1]))  # a_l = f_l(z_l)
    return rows, zs


def row_grad_w1(row_weights, x_row, y_row, activation="sigmoid"):
    """dC/dW_1 in the notes' row form, C = 1/2 ||F - y||^2; shape (n_0, n_1).

    The notes' x * f'_1 * W_2 * f'_2 * ... * W_L * f'_L read exactly, in their order and with
    their row-form W_l (shape (n_{l-1}, n_l)) untransposed: each f'_l is diag(f'(z_l)), each W_l a
    matrix product, the cost's gradient (F - y)^T closes the product on the right, and x enters
    as an outer product: dC/dW_1 = x^T (diag(f'_1) W_2 diag(f'_2) ... W_L diag(f'_L) (F - y)^T)^T.
    """
    _, f_prime = act.get(activation)
    rows, zs = row_forward(row_weights, x_row, activation)
    product = f_prime(zs[-1]).T * (rows[-1] - y_row).T  # diag(f'_L) (F - y)^T, (n_L, 1)
    for W, z in zip(row_weights[:0:-1], zs[-2::-1]):  # W_l, z_{l-1} for l = L, ..., 2
        product = f_prime(z).T * (W @ product)  # diag(f'_{l-1}) W_l (...), (n_{l-1}, 1)
    return x_row.T @ product.T  # dC/dW_1 = x^T (...)^T, the outer product with x


def row_form_error(weights, x, y, activation="sigmoid"):
    """rel_error of :func:`row_grad_w1` against central differences, for the row-form network
    W_l = (W^l)^T (weights[l-1] = W^l, shape (n_l, n_{l-1})); x: (n_0, 1), y: (n_L, 1)."""
    row_weights = [W.T.copy() for W in weights]  # the notes' W_l, biases left out

    def row_cost(_):
        return mlp.cost(row_forward(row_weights, x.T, activation)[0][-1], y.T)

    grad = row_grad_w1(row_weights, x.T, y.T, activation)
    return rel_error(grad, numerical_gradient(row_cost, row_weights[0]))


@kept  # the same result in every edition's execution (backprop.memory)
def jacobian_checks(sizes=(4, 5, 5, 3), activation="sigmoid", seed=0):
    """The product of Jacobians against finite differences, on one random example.

    Returns rows ``(what, rel_error)``: d a^L / d a^0 from :func:`jacobian_chain` against
    central differences of the forward pass (one output at a time); dC/dW^1 from
    :func:`grad_w1_via_jacobians` against central differences of the cost and against
    :func:`backprop.mlp.backward` (BP1-BP4); the notes' row form (:func:`row_form_error`).
    Network: ``mlp.init_network(sizes, default_rng(seed))``, x ~ N(0, 1) of shape (n_0, 1),
    y ~ U(0, 1) of shape (n_L, 1).
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
        (
            "∂C/∂W₁, the notes' row form (no biases), vs finite differences",
            row_form_error(weights, x, y, activation),
        ),
    ]
