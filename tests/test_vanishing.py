"""Vanishing and exploding gradients: every quantity the MLP chapter plots or checks."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop import activations as act
from backprop import datasets, mlp, vanishing
from backprop.gradcheck import numerical_gradient, rel_error

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


# --- the band |w sigma'(w a + b)| >= 1 ----------------------------------------------------------


@settings(max_examples=20, deadline=None)
@given(st.floats(-3, 3), st.floats(-20, 20), st.floats(-5, 5))
def test_band_is_the_derivative_of_the_neuron_in_its_input(a, w, b):
    x = np.array([a])
    slope = numerical_gradient(lambda v: act.sigmoid(w * v[0] + b), x)[0]  # d sigma(w a + b) / da
    assert vanishing.band(a, w, b) == pytest.approx(abs(slope), rel=1e-6, abs=1e-9)


def scanned_width(w, b, step=1e-5):
    """Width of {a : band(a, w, b) >= 1} measured on a dense grid around the centre a = -b/w."""
    grid = -b / w + np.arange(-2.0, 2.0, step)
    return np.count_nonzero(vanishing.band(grid, w, b) >= 1.0) * step


@pytest.mark.parametrize("w", [4.2, 5.0, 6.9, 10.0, 50.0, -7.0])
@pytest.mark.parametrize("b", [0.0, 1.3, -4.0])
def test_band_width_matches_a_dense_scan(w, b):
    assert vanishing.band_width(w, b) == pytest.approx(scanned_width(w, b), abs=3e-5)
    lo, hi = vanishing.band_interval(w, b)
    assert hi - lo == pytest.approx(vanishing.band_width(w, b), rel=1e-12)
    np.testing.assert_allclose(
        vanishing.band(np.array([lo, hi]), w, b), 1.0, rtol=1e-9
    )  # ends: exactly 1


@pytest.mark.parametrize("w", [0.5, 3.0, 3.999, 4.0, -2.0])
def test_no_band_below_four(w):
    assert vanishing.band_width(w, 0.7) == 0.0
    assert vanishing.band(np.linspace(-50, 50, 100001), w, 0.7).max() <= abs(w) / 4 <= 1.0


def test_band_width_is_vectorised_peaks_near_6_9_and_warns_nothing():
    w = np.linspace(-100, 100, 20001)
    with np.errstate(all="raise"):
        widths = vanishing.band_width(w)
    assert widths.shape == w.shape and np.all(widths >= 0)
    assert abs(abs(w[widths.argmax()]) - 6.9) < 0.1 and 0.44 < widths.max() < 0.46


def test_band_interval_rejects_zero_weight():
    with pytest.raises(ValueError, match="non-zero"):
        vanishing.band_interval(0.0, 1.0)


# --- training on the digits ------------------------------------------------------------------


def mean_cost(weights, biases, x, y, activation):
    return mlp.cost(mlp.forward(weights, biases, x, activation)[1][-1], y) / x.shape[1]


def test_training_history_shapes_and_determinism(digits):
    images, labels = digits
    runs = [
        vanishing.train(
            [64, 12, 12, 10], "sigmoid", 1.0, images, labels, 3, 20, 3.0, np.random.default_rng(1)
        )
        for _ in range(2)
    ]
    h = runs[0]
    assert (
        h.grad_norms.shape == (4, 3)
        and h.test_accuracy.shape == (4,)
        and h.train_cost.shape == (4,)
    )
    assert len(h.train_idx) + len(h.test_idx) == 1797 and len(h.test_idx) == round(0.2 * 1797)
    for name in ("grad_norms", "test_accuracy", "train_cost", "train_idx", "test_idx"):
        np.testing.assert_array_equal(getattr(h, name), getattr(runs[1], name))
    for W, W2 in zip(h.weights, runs[1].weights):
        np.testing.assert_array_equal(W, W2)


def test_recorded_speeds_and_accuracy_are_those_of_the_returned_network(digits):
    images, labels = digits
    h = vanishing.train(
        [64, 9, 8, 10], "tanh", 1.0, images, labels, 2, 10, 0.3, np.random.default_rng(2)
    )
    x = images.reshape(-1, 64).T
    y = datasets.one_hot(labels, 10)
    x_train, y_train = x[:, h.train_idx], y[:, h.train_idx]
    biases = [b.copy() for b in h.biases]
    for l, b in enumerate(biases):  # ||dC/db^l|| of the mean cost, by finite differences
        slope = numerical_gradient(
            lambda _: mean_cost(h.weights, biases, x_train, y_train, "tanh"), b
        )
        assert h.grad_norms[-1, l] == pytest.approx(np.linalg.norm(slope), rel=1e-6)
    out = mlp.forward(h.weights, h.biases, x[:, h.test_idx], "tanh")[1][-1]
    assert h.test_accuracy[-1] == np.mean(out.argmax(axis=0) == labels[h.test_idx])
    assert h.train_cost[-1] == pytest.approx(
        mean_cost(h.weights, h.biases, x_train, y_train, "tanh"), rel=1e-12
    )


def test_one_full_batch_epoch_is_one_step_down_the_mean_gradient(digits):
    images, labels = digits
    before = vanishing.train(
        [64, 7, 10], "sigmoid", 1.0, images, labels, 0, 1, 1.0, np.random.default_rng(5)
    )
    n = len(before.train_idx)
    after = vanishing.train(
        [64, 7, 10], "sigmoid", 1.0, images, labels, 1, n, 0.5, np.random.default_rng(5)
    )
    x = images.reshape(-1, 64).T[:, before.train_idx]
    y = datasets.one_hot(labels, 10)[:, before.train_idx]
    for l in range(2):
        params = [p.copy() for p in before.weights]
        slope = numerical_gradient(
            lambda _: mean_cost(params, before.biases, x, y, "sigmoid"), params[l]
        )
        # dC/dW by central differences on a cost of ~1: agrees to ~1e-7 relative, not 1e-12
        assert rel_error(after.weights[l], before.weights[l] - 0.5 * slope) < 1e-7


def test_training_learns(digits):
    images, labels = digits
    h = vanishing.train(
        [64, 30, 10], "sigmoid", 1.0, images, labels, 8, 10, 3.0, np.random.default_rng(0)
    )
    assert h.test_accuracy[0] < 0.3 and h.test_accuracy[-1] > 0.85
    assert h.train_cost[-1] < 0.5 * h.train_cost[0]


@pytest.mark.parametrize("seed", range(3))
def test_in_a_deep_sigmoid_network_the_first_layer_learns_slowest(digits, seed):
    images, labels = digits
    h = vanishing.train(
        [64, 30, 30, 30, 10],
        "sigmoid",
        1.0,
        images,
        labels,
        0,
        10,
        3.0,
        np.random.default_rng(seed),
    )
    assert np.all(h.grad_norms[0, :-1] < 0.5 * h.grad_norms[0, 1:])  # slower at every layer down


@pytest.mark.parametrize(
    "change, message",
    [
        (dict(sizes=[63, 10]), "63 = sizes"),
        (dict(epochs=-1), "epochs"),
        (dict(batch_size=0), "batch_size"),
        (dict(eta=-1.0), "eta"),
        (dict(scale=np.nan), "scale"),
        (dict(activation="step"), "activation"),
        (dict(sizes=[64, 5, 9]), "labels must lie in 0..8"),
        (dict(test_fraction=1.0), "test_fraction"),
    ],
)
def test_train_rejects_bad_arguments(digits, change, message):
    images, labels = digits
    kwargs = dict(
        sizes=[64, 5, 10],
        activation="sigmoid",
        scale=1.0,
        images=images,
        labels=labels,
        epochs=1,
        batch_size=10,
        eta=1.0,
        rng=np.random.default_rng(0),
    )
    with pytest.raises(ValueError, match=message):
        vanishing.train(**{**kwargs, **change})


# --- the product of Jacobians ----------------------------------------------------------------

one_network = st.tuples(
    st.lists(st.integers(1, 5), min_size=2, max_size=5),
    st.sampled_from(ACTIVATIONS),
    st.integers(0, 2**32 - 1),
)


@settings(max_examples=15, deadline=None)
@given(one_network)
def test_jacobian_chain_is_the_derivative_of_the_output_in_the_input(case):
    sizes, activation, seed = case
    rng = np.random.default_rng(seed)
    weights, biases = mlp.init_network(sizes, rng)
    x = rng.standard_normal((sizes[0], 1))
    zs, _ = mlp.forward(weights, biases, x, activation)
    J = vanishing.jacobian_chain(weights, zs, activation)
    assert J.shape == (sizes[-1], sizes[0])
    G = rng.standard_normal((sizes[-1], 1))  # a random upstream gradient: loss = sum(a^L * G)
    numeric = numerical_gradient(
        lambda v: np.sum(mlp.forward(weights, biases, v, activation)[1][-1] * G), x
    )
    # relu: a kink within eps of some z is possible in principle, vanishingly rare at these seeds.
    # atol: entries can be ~1e-8 (a product of sigma' <= 1/4), below the ~1e-10 noise of central differences
    np.testing.assert_allclose(J.T @ G, numeric, rtol=1e-7, atol=1e-9)


def test_jacobian_chain_row_by_row():
    rng = np.random.default_rng(11)
    weights, biases = mlp.init_network([3, 4, 2], rng)
    x = rng.standard_normal((3, 1))
    J = vanishing.jacobian_chain(weights, mlp.forward(weights, biases, x)[0])
    for i in range(2):
        row = numerical_gradient(lambda v: mlp.forward(weights, biases, v)[1][-1][i, 0], x)
        assert rel_error(J[i], row[:, 0]) < 1e-7


@settings(max_examples=15, deadline=None)
@given(one_network)
def test_first_layer_gradient_via_jacobians_is_backpropagations(case):
    sizes, activation, seed = case
    rng = np.random.default_rng(seed)
    weights, biases = mlp.init_network(sizes, rng)
    x, y = rng.standard_normal((sizes[0], 1)), rng.uniform(size=(sizes[-1], 1))
    zs, a = mlp.forward(weights, biases, x, activation)
    via_chain = vanishing.grad_w1_via_jacobians(weights, zs, a, y, activation)
    assert rel_error(via_chain, mlp.backward(weights, zs, a, y, activation)[1][0]) < 1e-12
    numeric = numerical_gradient(
        lambda W: mlp.cost(mlp.forward([W] + weights[1:], biases, x, activation)[1][-1], y),
        weights[0],
    )
    # atol: as in test_jacobian_chain_is_the_derivative_of_the_output_in_the_input
    np.testing.assert_allclose(via_chain, numeric, rtol=1e-7, atol=1e-9)


def test_notes_three_layer_formula_in_columns():
    # The notes' x * f1' * W2 * f2' * W3 * f3', written in columns as in grad_w1_via_jacobians.
    rng = np.random.default_rng(4)
    weights, biases = mlp.init_network([3, 4, 5, 2], rng)
    x, y = rng.standard_normal((3, 1)), rng.uniform(size=(2, 1))
    zs, a = mlp.forward(weights, biases, x)
    f1, f2, f3 = (act.sigmoid_prime(z) for z in zs)
    by_hand = (f1 * (weights[1].T @ (f2 * (weights[2].T @ (f3 * (a[3] - y)))))) @ x.T
    assert rel_error(vanishing.grad_w1_via_jacobians(weights, zs, a, y), by_hand) < 1e-13


def test_jacobians_need_one_example():
    rng = np.random.default_rng(0)
    weights, biases = mlp.init_network([3, 4, 2], rng)
    x, y = rng.standard_normal((3, 2)), rng.uniform(size=(2, 2))
    zs, a = mlp.forward(weights, biases, x)
    with pytest.raises(ValueError, match=r"z\^1 must be \(4, 1\)"):
        vanishing.jacobian_chain(weights, zs)
    with pytest.raises(ValueError, match="one example"):
        vanishing.grad_w1_via_jacobians(weights, zs, a, y)
    with pytest.raises(ValueError, match="one z per weight"):
        vanishing.jacobian_chain(weights, zs[:1])
