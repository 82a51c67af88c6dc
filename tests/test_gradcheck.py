"""Central differences, the relative error, and the course's one rule for "the gradient matches":
gradcheck.matches must pass the right gradient of a real loss and fail near misses."""

import numpy as np
import pytest

from backprop.gradcheck import matches, numerical_gradient, rel_error

SHAPES = [(1, 1, 1), (3, 4, 5), (4, 4, 2), (6, 2, 7)]  # (rows of W, columns of W, examples)


def loss_and_gradient(shape, seed):
    """A layer's loss L(W) = sum(G ⊙ tanh(W X)) with a random upstream gradient G, its analytic
    gradient dL/dW = (G ⊙ (1 - tanh²(W X))) Xᵀ, shape (n, k), and its central differences."""
    n, k, m = shape
    rng = np.random.default_rng(seed)
    w, x, g = rng.normal(size=(n, k)), rng.normal(size=(k, m)), rng.normal(size=(n, m))
    analytic = (g * (1 - np.tanh(w @ x) ** 2)) @ x.T  # dL/dW, the chain rule through tanh
    numeric = numerical_gradient(lambda v: np.sum(g * np.tanh(v @ x)), w, eps=1e-5)
    return analytic, numeric


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("shape", SHAPES)
def test_the_right_gradient_matches(shape, seed):
    analytic, numeric = loss_and_gradient(shape, seed)
    assert matches(analytic, numeric), rel_error(analytic, numeric)


@pytest.mark.parametrize("seed", range(4))
def test_a_transposed_gradient_does_not_match(seed):
    analytic, numeric = loss_and_gradient((4, 4, 3), seed)  # square: the shapes agree
    assert not matches(analytic.T, numeric)
    analytic, numeric = loss_and_gradient((3, 5, 2), seed)
    assert not matches(analytic.T, numeric)  # the shapes disagree


@pytest.mark.parametrize("shape", SHAPES[1:])
def test_a_slightly_wrong_gradient_does_not_match(shape):
    analytic, numeric = loss_and_gradient(shape, 0)
    big = np.argmax(np.abs(analytic))
    one_entry_off = analytic.copy()
    one_entry_off.flat[big] *= 1 + 1e-5
    assert not matches(one_entry_off, numeric)
    assert not matches(analytic * (1 + 1e-6), numeric)  # every entry 1e-6 too large


def test_small_entries_are_judged_in_absolute_terms():
    exact = np.array([1.0, 1e-6, 0.0])
    assert matches(exact, exact + [0.0, 5e-10, -5e-10])  # relative error 2e-4 on 1e-6: fine
    assert not matches(exact, exact + [0.0, 5e-9, 0.0])
    assert matches(np.zeros((2, 3)), np.zeros((2, 3)))


def test_gradcheck_leaves_x_unchanged_and_has_its_shape():
    x = np.arange(6.0).reshape(2, 3)
    before = x.copy()
    g = numerical_gradient(lambda v: np.sum(v**3), x)
    assert g.shape == x.shape and np.array_equal(x, before)
    assert rel_error(g, 3 * x**2) < 1e-8


def test_gradcheck_rejects_non_float_arrays():
    with pytest.raises(ValueError, match="float64"):
        numerical_gradient(lambda v: v.sum(), np.arange(3))


def test_rel_error():
    assert rel_error(np.array([1.0, 2.0]), np.array([1.0, 2.0])) == 0.0
    assert rel_error(np.array([1.0]), np.array([-1.0])) == 1.0
    assert rel_error(np.zeros(2), np.zeros(2)) == 0.0
    with pytest.raises(ValueError, match=r"\(2,\) and \(3,\)"):
        rel_error(np.zeros(2), np.zeros(3))
