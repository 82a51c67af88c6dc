"""The gradient as a product of Jacobians, against finite differences and the backward pass."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop import activations as act
from backprop import jacobians, mlp
from backprop.gradcheck import numerical_gradient, rel_error
from gradients import assert_gradient

ACTIVATIONS = ["sigmoid", "tanh", "relu"]

one_network = st.tuples(
    st.lists(st.integers(1, 5), min_size=2, max_size=5),
    st.sampled_from(ACTIVATIONS),
    st.integers(0, 2**32 - 1),
)


def one_example(case):
    """(activation, rng, weights, biases, x): a random network of one_network and one input."""
    sizes, activation, seed = case
    rng = np.random.default_rng(seed)
    weights, biases = mlp.init_network(sizes, rng)
    return activation, rng, weights, biases, rng.standard_normal((sizes[0], 1))


@settings(max_examples=15, deadline=None)
@given(one_network)
def test_jacobian_chain_is_the_derivative_of_the_output_in_the_input(case):
    activation, rng, weights, biases, x = one_example(case)
    zs, _ = mlp.forward(weights, biases, x, activation)
    J = jacobians.jacobian_chain(weights, zs, activation)
    assert J.shape == (weights[-1].shape[0], x.shape[0])
    G = rng.standard_normal((J.shape[0], 1))  # a random upstream gradient: loss = sum(a^L * G)
    numeric = numerical_gradient(
        lambda v: np.sum(mlp.forward(weights, biases, v, activation)[1][-1] * G), x
    )
    # relu: a kink within eps of some z is possible in principle, vanishingly rare at these seeds.
    assert_gradient(J.T @ G, numeric)


def test_jacobian_chain_row_by_row():
    rng = np.random.default_rng(11)
    weights, biases = mlp.init_network([3, 4, 2], rng)
    x = rng.standard_normal((3, 1))
    J = jacobians.jacobian_chain(weights, mlp.forward(weights, biases, x)[0])
    for i in range(2):
        row = numerical_gradient(lambda v: mlp.forward(weights, biases, v)[1][-1][i, 0], x)
        assert_gradient(J[i], row[:, 0])


@settings(max_examples=15, deadline=None)
@given(one_network)
def test_first_layer_gradient_via_jacobians_is_backpropagations(case):
    activation, rng, weights, biases, x = one_example(case)
    y = rng.uniform(size=(weights[-1].shape[0], 1))
    zs, a = mlp.forward(weights, biases, x, activation)
    via_chain = jacobians.grad_w1_via_jacobians(weights, zs, a, y, activation)
    assert rel_error(via_chain, mlp.backward(weights, zs, a, y, activation)[1][0]) < 1e-12
    numeric = numerical_gradient(
        lambda W: mlp.cost(mlp.forward([W] + weights[1:], biases, x, activation)[1][-1], y),
        weights[0],
    )
    assert_gradient(via_chain, numeric)


def test_notes_three_layer_formula_in_columns():
    # The notes' x * f1' * W2 * f2' * W3 * f3', written in columns as in grad_w1_via_jacobians.
    rng = np.random.default_rng(4)
    weights, biases = mlp.init_network([3, 4, 5, 2], rng)
    x, y = rng.standard_normal((3, 1)), rng.uniform(size=(2, 1))
    zs, a = mlp.forward(weights, biases, x)
    f1, f2, f3 = (act.sigmoid_prime(z) for z in zs)
    by_hand = (f1 * (weights[1].T @ (f2 * (weights[2].T @ (f3 * (a[3] - y)))))) @ x.T
    assert rel_error(jacobians.grad_w1_via_jacobians(weights, zs, a, y), by_hand) < 1e-13


def test_jacobians_need_one_example():
    rng = np.random.default_rng(0)
    weights, biases = mlp.init_network([3, 4, 2], rng)
    x, y = rng.standard_normal((3, 2)), rng.uniform(size=(2, 2))
    zs, a = mlp.forward(weights, biases, x)
    with pytest.raises(ValueError, match=r"z\^1 must be \(4, 1\)"):
        jacobians.jacobian_chain(weights, zs)
    with pytest.raises(ValueError, match="one example"):
        jacobians.grad_w1_via_jacobians(weights, zs, a, y)
    with pytest.raises(ValueError, match="one z per weight"):
        jacobians.jacobian_chain(weights, zs[:1])


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
@pytest.mark.parametrize("seed", [0, 1])
def test_the_product_of_jacobians_matches_finite_differences(activation, seed):
    rows = jacobians.jacobian_checks(activation=activation, seed=seed)
    assert len(rows) == 4 and all(err < 1e-6 for _, err in rows), rows


def test_jacobian_of_one_layer_by_finite_differences():
    # (layer-jacobian): d a^1 / d a^0 = diag(f'(z^1)) W^1, column by column
    rng = np.random.default_rng(5)
    weights, biases = mlp.init_network([3, 4], rng)
    x = rng.standard_normal((3, 1))
    zs, _ = mlp.forward(weights, biases, x, "tanh")
    fd = np.vstack(
        [
            numerical_gradient(
                lambda v, i=i: mlp.forward(weights, biases, v, "tanh")[1][-1][i, 0], x
            ).T
            for i in range(4)
        ]
    )
    assert rel_error(jacobians.jacobian_chain(weights, zs, "tanh"), fd) < 1e-7


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_row_form_gradient_matches_finite_differences_and_the_column_form(activation, seed):
    rng = np.random.default_rng(seed)
    weights, _ = mlp.init_network([3, 4, 5, 2], rng)
    x, y = rng.standard_normal((3, 1)), rng.uniform(size=(2, 1))
    row_weights = [W.T.copy() for W in weights]
    row = jacobians.row_grad_w1(row_weights, x.T, y.T, activation)

    def cost(_):
        return mlp.cost(jacobians.row_forward(row_weights, x.T, activation)[0][-1], y.T)

    assert_gradient(row, numerical_gradient(cost, row_weights[0]))
    zero = [np.zeros((W.shape[0], 1)) for W in weights]
    zs, a = mlp.forward(weights, zero, x, activation)
    assert rel_error(row.T, mlp.backward(weights, zs, a, y)[1][0]) < 1e-12  # W_1 = (W^1)^T
