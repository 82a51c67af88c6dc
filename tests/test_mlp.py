import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop import mlp
from backprop.gradcheck import numerical_gradient
from gradients import assert_gradient

shapes = st.lists(st.integers(1, 5), min_size=2, max_size=5)


def network(sizes, m, seed):
    rng = np.random.default_rng(seed)
    weights, biases = mlp.init_network(sizes, rng)
    x = rng.standard_normal((sizes[0], m))
    y = rng.standard_normal((sizes[-1], m))  # random targets: a random upstream gradient a^L - y
    return weights, biases, x, y


@pytest.mark.parametrize("activation", ["sigmoid", "tanh"])
@settings(max_examples=20, deadline=None)
@given(sizes=shapes, m=st.integers(1, 4), seed=st.integers(0, 10_000))
def test_backward_matches_finite_differences(activation, sizes, m, seed):
    weights, biases, x, y = network(sizes, m, seed)
    zs, activations = mlp.forward(weights, biases, x, activation)
    deltas, grad_w, grad_b = mlp.backward(weights, zs, activations, y, activation)

    def cost(_):
        return mlp.cost(mlp.forward(weights, biases, x, activation)[1][-1], y)

    for l in range(len(weights)):
        assert grad_w[l].shape == weights[l].shape and grad_b[l].shape == biases[l].shape
        assert deltas[l].shape == (sizes[l + 1], m)
        assert_gradient(grad_w[l], numerical_gradient(cost, weights[l], 1e-5))
        assert_gradient(grad_b[l], numerical_gradient(cost, biases[l], 1e-5))


@settings(max_examples=15, deadline=None)
@given(sizes=shapes, seed=st.integers(0, 10_000))
def test_deltas_are_the_bias_gradients_of_one_example(sizes, seed):
    weights, biases, x, y = network(sizes, 1, seed)
    zs, activations = mlp.forward(weights, biases, x)
    deltas, _, _ = mlp.backward(weights, zs, activations, y)

    def cost(_):
        return mlp.cost(mlp.forward(weights, biases, x)[1][-1], y)

    for l in range(len(weights)):
        assert_gradient(deltas[l], numerical_gradient(cost, biases[l], 1e-5))


def test_relu_network_away_from_kinks():
    weights, biases, x, y = network([3, 4, 2], 3, seed=7)
    zs, activations = mlp.forward(weights, biases, x, "relu")
    assert min(np.abs(z).min() for z in zs) > 1e-3  # no unit sits at the kink
    _, grad_w, _ = mlp.backward(weights, zs, activations, y, "relu")

    def cost(_):
        return mlp.cost(mlp.forward(weights, biases, x, "relu")[1][-1], y)

    for l in range(2):
        assert_gradient(grad_w[l], numerical_gradient(cost, weights[l], 1e-5))


def test_batch_gradient_is_the_sum_of_the_examples():
    weights, biases, x, y = network([2, 3, 2], 5, seed=1)
    _, grad_w, grad_b = mlp.backward(weights, *mlp.forward(weights, biases, x), y)
    parts = [
        mlp.backward(weights, *mlp.forward(weights, biases, x[:, i : i + 1]), y[:, i : i + 1])
        for i in range(5)
    ]
    for l in range(2):
        np.testing.assert_allclose(grad_w[l], sum(p[1][l] for p in parts), rtol=1e-12)
        np.testing.assert_allclose(grad_b[l], sum(p[2][l] for p in parts), rtol=1e-12)


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_backward_uses_the_activation_of_the_forward_pass(activation):
    """Issue 12: forward(..., "tanh") then backward(...) without the activation used to apply
    sigmoid' silently. The activation travels with the forward pass's results."""
    weights, biases, x, y = network([3, 4, 2], 3, seed=5)
    zs, activations = mlp.forward(weights, biases, x, activation)
    _, grad_w, grad_b = mlp.backward(weights, zs, activations, y)  # activation not repeated

    def cost(_):
        return mlp.cost(mlp.forward(weights, biases, x, activation)[1][-1], y)

    for l in range(2):
        assert_gradient(grad_w[l], numerical_gradient(cost, weights[l], 1e-5))
        assert_gradient(grad_b[l], numerical_gradient(cost, biases[l], 1e-5))
    with pytest.raises(ValueError, match=f"forward pass used '{activation}', got 'sigmoid'"):
        mlp.backward(weights, zs, activations, y, "sigmoid")


def test_forward_follows_the_equations_by_hand():
    W1, b1 = np.array([[1.0, -2.0]]), np.array([[0.5]])
    x = np.array([[3.0], [1.0]])
    zs, activations = mlp.forward([W1], [b1], x)
    assert zs[0][0, 0] == 1.5  # 1*3 - 2*1 + 0.5
    assert activations[1][0, 0] == pytest.approx(1 / (1 + np.exp(-1.5)))
    assert activations[0] is not None and np.array_equal(activations[0], x)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh"])
def test_gradient_check_is_a_dict_of_small_errors(activation):
    weights, biases, x, y = network([2, 3, 3, 2], 4, seed=3)
    errors = mlp.gradient_check(weights, biases, x, y, activation, eps=1e-5)
    assert list(errors) == ["W^1", "b^1", "W^2", "b^2", "W^3", "b^3"]
    assert max(errors.values()) < 1e-4


def test_gradient_check_sees_a_wrong_backward(monkeypatch):
    weights, biases, x, y = network([2, 3, 2], 4, seed=3)
    monkeypatch.setattr(mlp.act, "get", lambda name: (np.tanh, lambda z: np.ones_like(z)))
    assert max(mlp.gradient_check(weights, biases, x, y).values()) > 1e-2


def test_plain_lists_of_zs_take_the_activation_given():
    weights, biases, x, y = network([3, 4, 2], 2, seed=1)
    zs, activations = mlp.forward(weights, biases, x, "tanh")
    got = mlp.backward(weights, list(zs), activations, y, "tanh")
    want = mlp.backward(weights, zs, activations, y)
    for g, w in zip(got, want):
        assert all(np.array_equal(a, b) for a, b in zip(g, w))


def test_inputs_are_not_modified():
    weights, biases, x, y = network([2, 3, 2], 2, seed=2)
    copies = [w.copy() for w in weights], [b.copy() for b in biases], x.copy()
    zs, activations = mlp.forward(weights, biases, x)
    mlp.backward(weights, zs, activations, y)
    assert all(np.array_equal(a, b) for a, b in zip(weights, copies[0]))
    assert all(np.array_equal(a, b) for a, b in zip(biases, copies[1]))
    assert np.array_equal(x, copies[2])


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda W, b, x: (W, b, x[:1]), r"W\^1 must be \(n_1, 1\), got shape \(3, 2\)"),
        (lambda W, b, x: (W, [b[0].ravel(), b[1]], x), r"b\^1 must be \(3, 1\), got shape \(3,\)"),
        (lambda W, b, x: (W, b[:1], x), "2 weights and 1 biases"),
        (lambda W, b, x: (W, b, x.ravel()), r"x must be \(n_0, m\).*got \(4,\)"),
        (lambda W, b, x: (W, b, np.full_like(x, np.nan)), "finite"),
        (lambda W, b, x: ([W[0], W[0]], b, x), r"W\^2 must be \(n_2, 3\), got shape \(3, 2\)"),
    ],
)
def test_bad_shapes_raise_naming_expected_and_given(change, message):
    weights, biases, x, _ = network([2, 3, 2], 2, seed=0)
    with pytest.raises(ValueError, match=message):
        mlp.forward(*change(weights, biases, x))


def test_bad_targets_and_activation_names():
    weights, biases, x, y = network([2, 3, 2], 2, seed=0)
    zs, activations = mlp.forward(weights, biases, x)
    with pytest.raises(ValueError, match=r"output's shape \(2, 2\), got \(2, 3\)"):
        mlp.backward(weights, zs, activations, np.zeros((2, 3)))
    with pytest.raises(ValueError, match="got 'softmax'"):
        mlp.forward(weights, biases, x, "softmax")
    with pytest.raises(ValueError, match="at least two"):
        mlp.init_network([3], np.random.default_rng(0))


def test_float64_even_from_integer_input():
    weights, biases = mlp.init_network([2, 2], np.random.default_rng(0))
    zs, activations = mlp.forward(weights, biases, np.array([[1], [2]]))
    assert zs[0].dtype == activations[-1].dtype == np.float64


@pytest.mark.parametrize("activation", ["sigmoid", "relu"])
def test_a_stack_of_networks_is_each_network_alone(activation):
    nets = [network([3, 4, 2], 5, seed) for seed in range(3)]
    weights = [np.stack(layer) for layer in zip(*(n[0] for n in nets))]
    biases = [np.stack(layer) for layer in zip(*(n[1] for n in nets))]
    x, y = np.stack([n[2] for n in nets]), np.stack([n[3] for n in nets])
    zs, activations = mlp.forward(weights, biases, x, activation)
    stacked = mlp.backward(weights, zs, activations, y)
    costs = mlp.cost(activations[-1], y)
    for s, (W, b, xs, ys) in enumerate(nets):
        alone_zs, alone_a = mlp.forward(W, b, xs, activation)
        assert costs[s] == pytest.approx(mlp.cost(alone_a[-1], ys), rel=1e-12)
        for got, want in zip(stacked, mlp.backward(W, alone_zs, alone_a, ys)):
            for g, w in zip(got, want):
                np.testing.assert_allclose(g[s], w, rtol=1e-12, atol=1e-15)


def test_a_stack_rejects_inputs_of_another_stack():
    weights, biases, x, _ = network([3, 4, 2], 5, 0)
    stacked_w = [np.stack([W, W]) for W in weights]
    stacked_b = [np.stack([b, b]) for b in biases]
    with pytest.raises(ValueError, match=r"x must be \(n_0, m\) or \(2, n_0, m\).*got \(3, 3, 5\)"):
        mlp.forward(stacked_w, stacked_b, np.stack([x, x, x]))
    with pytest.raises(ValueError, match=r"b\^1 must be \(2, 4, 1\)"):
        mlp.forward(stacked_w, biases, x)
