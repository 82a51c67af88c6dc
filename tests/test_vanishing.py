"""Vanishing and exploding gradients: every quantity the MLP chapter plots or checks."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop import activations as act
from backprop import datasets, mlp, vanishing
from backprop.gradcheck import rel_error

ACTIVATIONS = ["sigmoid", "tanh", "relu"]


@pytest.fixture(scope="module")
def digits():
    return datasets.load_digits()


# --- gradient norms per layer ---------------------------------------------------------------


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("scale", [0.1, 0.3, 1.0, 3.0, 10.0])
def test_norms_are_finite_and_positive_for_depths_1_to_10(activation, scale):
    for depth in range(1, 11):
        norms = vanishing.layer_gradient_norms(depth, activation, scale)
        assert norms.shape == (depth + 1,)
        assert np.all(np.isfinite(norms)) and np.all(norms > 0), (depth, norms)


def test_norm_is_the_rms_over_examples_of_each_examples_delta():
    # One example at a time through mlp.backward: sqrt(mean_x ||delta^l_x||^2).
    weights, biases, x, y = vanishing.deep_network(
        4, 1.0, np.random.default_rng(3), width=7, n_in=5, n_out=3, m=6
    )
    per_example = []
    for i in range(6):
        zs, a = mlp.forward(weights, biases, x[:, [i]], "tanh")
        per_example.append(
            [np.sum(d**2) for d in mlp.backward(weights, zs, a, y[:, [i]], "tanh")[0]]
        )
    expected = np.sqrt(np.mean(per_example, axis=0))
    got = vanishing.layer_gradient_norms(4, "tanh", 1.0, width=7, n_in=5, n_out=3, m=6, seed=3)
    assert rel_error(got, expected) < 1e-12


def test_norms_depend_on_the_seed_only():
    a = vanishing.layer_gradient_norms(5, "sigmoid", 1.0, seed=4)
    np.testing.assert_array_equal(a, vanishing.layer_gradient_norms(5, "sigmoid", 1.0, seed=4))
    assert not np.array_equal(a, vanishing.layer_gradient_norms(5, "sigmoid", 1.0, seed=5))


@pytest.mark.parametrize("seed", range(3))
def test_sigmoid_gradient_vanishes_and_large_relu_weights_explode(seed):
    sigmoid = vanishing.layer_gradient_norms(10, "sigmoid", 1.0, seed=seed)
    assert sigmoid[0] < 1e-4 * sigmoid[-1]  # ten layers of sigma' <= 1/4 (and ||W|| ~ 1)
    assert np.all(np.diff(np.log(sigmoid)) > 0)  # smaller at every step down
    relu = vanishing.layer_gradient_norms(10, "relu", 10.0, seed=seed)
    assert relu[0] > 1e4 * relu[-1]  # a gain of ~10/sqrt(2) per live layer


@settings(max_examples=20, deadline=None)
@given(st.integers(1, 6), st.floats(0.1, 10.0), st.integers(0, 2**32 - 1))
def test_sigmoid_deltas_obey_the_quarter_power_bound(depth, scale, seed):
    # ||delta^l_x|| <= (1/4)^(L-l) prod_{k>l} ||W^k||_2 ||delta^L_x|| for every example x:
    # (BP2) multiplies by (W^{k})^T (norm ||W^k||_2) and by sigma' (at most 1/4).
    rng = np.random.default_rng(seed)
    weights, biases, x, y = vanishing.deep_network(depth, scale, rng, width=6, n_in=4, n_out=3, m=5)
    zs, a = mlp.forward(weights, biases, x)
    deltas, _, _ = mlp.backward(weights, zs, a, y)
    L = len(weights)
    spectral = [np.linalg.norm(W, 2) for W in weights]
    for l in range(1, L):
        bound = (
            vanishing.sigmoid_bound(L - l)
            * np.prod(spectral[l:])
            * np.linalg.norm(deltas[-1], axis=0)
        )
        assert np.all(np.linalg.norm(deltas[l - 1], axis=0) <= bound * (1 + 1e-12))


# --- log_floor -------------------------------------------------------------------------------


def test_dead_relu_layers_get_zero_and_log_floor_makes_them_plottable():
    weights, biases, x, y = vanishing.deep_network(4, 1.0, np.random.default_rng(0))
    biases[1] -= 1e3  # every unit of layer 2 dead for every example: no error reaches layers 1, 2
    zs, a = mlp.forward(weights, biases, x, "relu")
    norms = np.array([np.linalg.norm(d) for d in mlp.backward(weights, zs, a, y, "relu")[0]])
    assert norms[0] == 0 and norms[1] == 0 and np.all(norms[2:] > 0)
    floored = vanishing.log_floor(norms)
    assert np.all(np.isfinite(np.log10(floored)))
    np.testing.assert_array_equal(floored[2:], norms[2:])
    np.testing.assert_array_equal(floored[:2], norms[2:].min() / 10)


def test_log_floor_with_a_given_floor_and_with_nothing_positive():
    np.testing.assert_array_equal(vanishing.log_floor([0.0, 2.0], floor=1e-20), [1e-20, 2.0])
    np.testing.assert_array_equal(vanishing.log_floor(np.zeros(3)), np.ones(3))


@pytest.mark.parametrize("values", [[1.0, np.nan], [1.0, np.inf], [1.0, -1.0]])
def test_log_floor_rejects_what_a_norm_cannot_be(values):
    with pytest.raises(ValueError, match="finite and >= 0"):
        vanishing.log_floor(values)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(depth=0, activation="sigmoid", scale=1.0), "depth"),
        (dict(depth=2, activation="sigmoid", scale=0.0), "scale"),
        (dict(depth=2, activation="sigmoid", scale=np.inf), "scale"),
        (dict(depth=2, activation="softplus", scale=1.0), "activation"),
        (dict(depth=2, activation="relu", scale=1.0, m=0), "m must"),
    ],
)
def test_layer_gradient_norms_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        vanishing.layer_gradient_norms(**kwargs)


# --- saturation ------------------------------------------------------------------------------


def test_saturation_of_sigmoid_at_the_centre_and_in_the_tails():
    zs = [np.zeros((3, 4)), np.full((2, 4), 20.0), np.array([[0.0, 0.0, -20.0, 20.0]])]
    mean_ratio, saturated = vanishing.saturation(zs, "sigmoid")
    np.testing.assert_allclose(
        mean_ratio, [1.0, 4 * act.sigmoid_prime(20.0), 0.5 + 2 * act.sigmoid_prime(20.0)]
    )
    np.testing.assert_array_equal(saturated, [0.0, 1.0, 0.5])


def test_saturation_threshold_for_tanh():
    # tanh'(z) = 1 - tanh(z)^2 is 0.0081 at z = 3.1 and 0.0120 at z = 2.9: the 1% line lies between.
    zs = [np.array([[2.9, -2.9, 3.1, -3.1, 10.0]])]
    _, saturated = vanishing.saturation(zs, "tanh", threshold=0.01)
    assert saturated[0] == pytest.approx(3 / 5)
    _, saturated = vanishing.saturation(zs, "tanh", threshold=0.005)
    assert saturated[0] == pytest.approx(1 / 5)


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 2**32 - 1), st.floats(0.001, 1.0))
def test_saturation_of_relu_is_the_dead_fraction(seed, threshold):
    z = np.random.default_rng(seed).standard_normal((6, 7))
    mean_ratio, saturated = vanishing.saturation([z], "relu", threshold)
    assert saturated[0] == np.mean(z <= 0) and mean_ratio[0] == np.mean(z > 0)


def test_saturation_grows_with_the_weight_scale():
    fractions = []
    for scale in (0.5, 2.0, 8.0):
        weights, biases, x, _ = vanishing.deep_network(5, scale, np.random.default_rng(0))
        zs, _ = mlp.forward(weights, biases, x, "tanh")
        fractions.append(vanishing.saturation(zs, "tanh")[1].mean())
    assert fractions[0] < fractions[1] < fractions[2]


def test_saturation_rejects_a_bad_threshold():
    with pytest.raises(ValueError, match="threshold"):
        vanishing.saturation([np.zeros((2, 2))], "sigmoid", threshold=0.0)


# --- (1/4)^k ---------------------------------------------------------------------------------


def test_sigmoid_bound_is_the_largest_product_of_sigma_primes():
    grid = np.linspace(-10, 10, 200001)
    peak = act.sigmoid_prime(grid).max()  # 1/4, found numerically
    k = np.arange(8)
    np.testing.assert_allclose(vanishing.sigmoid_bound(k), peak**k, rtol=1e-12)
    z = np.random.default_rng(0).standard_normal((1000, 7)) * 3
    products = np.cumprod(act.sigmoid_prime(z), axis=1)  # k = 1..7 sigmoid layers
    assert np.all(products <= vanishing.sigmoid_bound(k[1:]))
    assert vanishing.sigmoid_bound(3).shape == ()


@pytest.mark.parametrize("k", [-1, 1.5, [0, -2]])
def test_sigmoid_bound_rejects_non_counts(k):
    with pytest.raises(ValueError, match="non-negative integers"):
        vanishing.sigmoid_bound(k)


# --- statistics and bounds the chapter shows ----------------------------------------------


def test_layer_statistics_are_the_norms_and_the_saturation_of_one_pass():
    norms, mean_ratio, saturated = vanishing.layer_statistics(4, "tanh", 2.0, seed=3)
    np.testing.assert_array_equal(norms, vanishing.layer_gradient_norms(4, "tanh", 2.0, seed=3))
    weights, biases, x, _ = vanishing.deep_network(4, 2.0, np.random.default_rng(3))
    zs, _ = mlp.forward(weights, biases, x, "tanh")
    expected = vanishing.saturation(zs, "tanh")
    np.testing.assert_array_equal(mean_ratio, expected[0])
    np.testing.assert_array_equal(saturated, expected[1])


def test_delta_bounds_hold_and_are_tight_at_the_output():
    weights, biases, x, y = vanishing.deep_network(6, 3.0, np.random.default_rng(1), m=1)
    zs, a = mlp.forward(weights, biases, x)
    deltas, _, _ = mlp.backward(weights, zs, a, y)
    bounds = vanishing.delta_bounds(weights, deltas[-1])
    measured = np.array([np.linalg.norm(d) for d in deltas])
    assert np.all(measured <= bounds * (1 + 1e-12)) and bounds[-1] == pytest.approx(measured[-1])


def test_delta_bounds_equal_the_product_formula_on_a_tiny_case():
    weights = [np.diag([2.0, 1.0]), np.diag([3.0, 0.5])]  # spectral norms 2 and 3
    bounds = vanishing.delta_bounds(weights, np.array([[3.0], [4.0]]))  # ||delta^L|| = 5
    np.testing.assert_allclose(bounds, [0.25 * 3 * 5, 5.0])


def test_delta_bounds_rejects_a_batch():
    weights, _, _, _ = vanishing.deep_network(2, 1.0, np.random.default_rng(0))
    with pytest.raises(ValueError, match="one example"):
        vanishing.delta_bounds(weights, np.ones((10, 2)))


@pytest.mark.parametrize("depth, scale, seed", [(3, 0.5, 0), (6, 3.0, 1), (10, 1.0, 2)])
def test_bound_slack_multiplies_to_measured_over_bound(depth, scale, seed):
    weights, biases, x, y = vanishing.deep_network(depth, scale, np.random.default_rng(seed), m=1)
    zs, a = mlp.forward(weights, biases, x)
    deltas, _, _ = mlp.backward(weights, zs, a, y)
    slope, direction = vanishing.bound_slack(weights, zs, deltas)
    assert slope.shape == direction.shape == (depth,)
    assert np.all((0 < slope) & (slope <= 1)) and np.all((0 < direction) & (direction <= 1))
    measured = np.array([np.linalg.norm(d) for d in deltas])
    ratio = measured / vanishing.delta_bounds(weights, deltas[-1])
    np.testing.assert_allclose(np.cumprod((slope * direction)[::-1])[::-1], ratio[:-1], rtol=1e-12)


def test_bound_slack_is_one_where_the_bound_is_tight():
    # z = 0 gives sigma' = 1/4 exactly, and delta^2 along W^2's top singular vector: no slack.
    weights = [np.eye(2), np.diag([3.0, 1.0])]
    deltas = [np.zeros((2, 1)), np.array([[1.0], [0.0]])]
    slope, direction = vanishing.bound_slack(weights, [np.zeros((2, 1))] * 2, deltas)
    np.testing.assert_allclose([slope[0], direction[0]], [1.0, 1.0])


def test_bound_slack_rejects_a_batch():
    weights, biases, x, y = vanishing.deep_network(2, 1.0, np.random.default_rng(0), m=3)
    zs, a = mlp.forward(weights, biases, x)
    deltas, _, _ = mlp.backward(weights, zs, a, y)
    with pytest.raises(ValueError, match="one example"):
        vanishing.bound_slack(weights, zs, deltas)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_layer_gains_multiply_to_the_norm_ratio(activation):
    gains, estimate = vanishing.layer_gains(5, activation, 2.0, seed=3)
    norms = vanishing.layer_gradient_norms(5, activation, 2.0, seed=3)
    assert gains.shape == estimate.shape == (5,)
    assert np.prod(gains) == pytest.approx(norms[0] / norms[-1], rel=1e-12)


@pytest.mark.parametrize("seed", range(3))
def test_large_sigmoid_weights_explode_as_scale_times_rms_sigma_prime_says(seed):
    # One unit passes the error on only in a narrow band, but a layer's gain is about
    # scale * RMS sigma'(z), which grows with the scale: at 32 the gradient explodes.
    for scale, low, high in ((1.0, 0.1, 0.3), (32.0, 1.2, 3.0)):
        gains, estimate = vanishing.layer_gains(10, "sigmoid", scale, seed=seed)
        assert low < np.exp(np.mean(np.log(gains))) < high, (scale, gains)
        assert 0.7 < np.exp(np.mean(np.log(gains / estimate))) < 1.4, (scale, gains, estimate)
    assert np.prod(gains) > 10
