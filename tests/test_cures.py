"""The cures for vanishing and exploding gradients: the switchable deep stack, its gradients, and
the per-layer statistics the chapter draws."""

import itertools

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from backprop import cures, mlp
from backprop.gradcheck import matches, numerical_gradient, rel_error

ACTIVATIONS = ["sigmoid", "tanh", "relu", "leaky_relu"]
KINKED = ("relu", "leaky_relu")
CURES = list(itertools.product(ACTIVATIONS, [False, True], [False, True]))


def small_network(depth, width, n_in, n_out, m, seed):
    """One network of :func:`cures.deep_stack` (He init, b ~ N(0, 1/4)) and a random upstream."""
    weights, biases, x, y = cures.deep_stack(depth, "he", [seed], width, n_in, n_out, m, 0.5)
    return [w[0] for w in weights], [b[0] for b in biases], x[0], y[0]


# --- gradients ----------------------------------------------------------------------------------


@pytest.mark.parametrize("activation, residual, norm", CURES)
@settings(max_examples=3, deadline=None)
@given(
    depth=st.integers(1, 4),
    width=st.integers(3, 5),
    n_in=st.integers(1, 4),
    m=st.integers(1, 3),
    seed=st.integers(0, 2**32 - 1),
)
def test_backward_matches_central_differences(
    activation, residual, norm, depth, width, n_in, m, seed
):
    weights, biases, x, y = small_network(depth, width, n_in, 2, m, seed)
    record = cures.forward(weights, biases, x, activation, residual, norm)
    if activation in KINKED:  # central differences across the kink at 0 measure no derivative
        assume(min(np.abs(zhat).min() for zhat in record["zhats"][:-1]) > 1e-3)
    _, grad_w, grad_b = cures.backward(weights, record, y)

    def cost(_):
        return mlp.cost(
            cures.forward(weights, biases, x, activation, residual, norm)["activations"][-1], y
        )

    for grads, params in ((grad_w, weights), (grad_b, biases)):
        for grad, param in zip(grads, params):
            numeric = numerical_gradient(cost, param, 1e-5)
            # rtol 1e-5: through up to 4 normed layers, central differences' truncation error
            # (eps^2 |C'''|/6) reaches 1e-7 relative; a wrong formula errs by order 1
            assert matches(grad, numeric, rtol=1e-5, atol=1e-7), rel_error(grad, numeric)


@pytest.mark.parametrize("activation, residual, norm", CURES[::3])
def test_gradient_check_names_every_parameter_and_is_small(activation, residual, norm):
    weights, biases, x, y = small_network(3, 4, 3, 2, 3, 7)
    errors = cures.gradient_check(weights, biases, x, y, activation, residual, norm)
    assert list(errors) == ["W^1", "b^1", "W^2", "b^2", "W^3", "b^3", "W^4", "b^4"]
    assert max(errors.values()) < 1e-5, errors


def test_without_cures_the_stack_is_mlp_with_a_linear_output():
    # No norm, no skip: hidden layers as mlp.forward; delta^L = a^L - y, then (BP2) as in mlp.
    weights, biases, x, y = small_network(4, 5, 3, 2, 6, 1)
    record = cures.forward(weights, biases, x, "tanh")
    zs, a = mlp.forward(weights[:-1], biases[:-1], x, "tanh")
    for got, expected in zip(record["activations"][1:-1], a[1:]):
        np.testing.assert_allclose(got, expected, rtol=1e-14)
    np.testing.assert_allclose(record["activations"][-1], record["zs"][-1])
    deltas, _, _ = cures.backward(weights, record, y)
    np.testing.assert_allclose(deltas[-1], record["activations"][-1] - y)


def test_residual_skips_only_square_hidden_layers():
    weights, biases, x, _ = small_network(3, 4, 3, 2, 2, 0)
    assert cures.forward(weights, biases, x, "relu", residual=True)["skips"] == [
        False,
        True,
        True,
        False,
    ]


def test_norm_makes_every_column_of_z_hat_mean_0_variance_1():
    weights, biases, x, _ = small_network(3, 6, 3, 2, 4, 2)
    zhats = cures.forward(weights, biases, x, "sigmoid", norm=True)["zhats"]
    for zhat in zhats[:-1]:
        np.testing.assert_allclose(zhat.mean(axis=0), 0, atol=1e-12)
        np.testing.assert_allclose(zhat.var(axis=0), 1, rtol=1e-3)


def test_a_stack_of_seeds_gives_each_seeds_own_pass():
    weights, biases, x, y = cures.deep_stack(3, "xavier", [4, 5], width=6, m=7)
    record = cures.forward(weights, biases, x, "tanh", True, True)
    deltas, _, _ = cures.backward(weights, record, y)
    alone = cures.deep_stack(3, "xavier", [5], width=6, m=7)
    deltas_5, _, _ = cures.backward(
        alone[0], cures.forward(*alone[:3], "tanh", True, True), alone[3]
    )
    for both, one in zip(deltas, deltas_5):
        np.testing.assert_allclose(both[1], one[0], rtol=1e-12, atol=1e-15)


# --- initialisation ----------------------------------------------------------------------------


def test_init_std_values():
    assert cures.init_std("naive", 30) == 1.0
    assert cures.init_std("xavier", 30) == pytest.approx(1 / np.sqrt(30))
    assert cures.init_std("he", 30) == pytest.approx(np.sqrt(2 / 30))


@pytest.mark.parametrize(
    "init, activation, low, high",
    [("he", "relu", 0.5, 2), ("xavier", "tanh", 0.1, 1), ("xavier", "relu", 0, 0.01)],
)
def test_the_init_matched_to_f_keeps_the_forward_signal(init, activation, low, high):
    # RMS of a^20 / RMS of a^1 (medians over seeds): He keeps relu's (INIT-VAR with E[a^2] =
    # Var(z)/2); tanh's shrinks slowly under Xavier (tanh(z) < z); Xavier halves relu's per layer.
    rms = cures.layer_profile(20, init, activation)["signal"][1, :-1]
    assert low < rms[-1] / rms[0] < high, rms


def test_with_layer_norm_the_init_does_not_matter():
    # LN(c z) = LN(z) up to eps: the weights' scale cancels (b = 0) in every hidden layer.
    he, xavier = (cures.layer_profile(8, init, "relu", norm=True) for init in ("he", "xavier"))
    np.testing.assert_allclose(he["signal"][:, :-1], xavier["signal"][:, :-1], rtol=1e-3)


# --- the chapter's claims, with margins ------------------------------------------------------


@pytest.mark.parametrize(
    "init, activation, residual, norm",
    [
        ("xavier", "tanh", False, False),
        ("he", "relu", False, False),
        ("he", "leaky_relu", False, False),
        ("he", "relu", True, True),
        ("naive", "tanh", True, True),
    ],
)
def test_cures_keep_the_gradient_ratio_within_ten(init, activation, residual, norm):
    ratio = np.median(cures.layer_profile(20, init, activation, residual, norm)["ratio"])
    assert 0.1 < ratio < 10, ratio


@pytest.mark.parametrize(
    "init, activation, vanishes",
    [("xavier", "sigmoid", True), ("naive", "relu", False), ("naive", "leaky_relu", False)],
)
def test_without_cures_the_gradient_vanishes_or_explodes(init, activation, vanishes):
    ratio = np.median(cures.layer_profile(20, init, activation)["ratio"])
    assert (ratio < 1e-4) if vanishes else (ratio > 1e4), ratio


def test_layer_profile_shapes_and_order():
    profile = cures.layer_profile(5, "he", "relu", seeds=range(4))
    assert profile["signal"].shape == profile["grad"].shape == (3, 6)
    assert profile["ratio"].shape == (4,)
    for name in ("signal", "grad"):
        low, median, high = profile[name]
        assert np.all(low <= median) and np.all(median <= high)


# --- dead units ----------------------------------------------------------------------------------


def test_dead_fraction_is_the_same_for_naive_and_he_without_biases():
    # relu(c z) = c relu(z): with b = 0, scaling the weights moves no unit across 0.
    naive = cures.dead_fraction(10, "naive")
    np.testing.assert_array_equal(naive, cures.dead_fraction(10, "he"))
    assert naive.shape == (8, 10)


def test_leaky_relu_counts_the_units_at_its_small_slope():
    # Layer 1 sees the same z^1 under both; deeper layers differ (leaky units pass 1%).
    relu = cures.dead_fraction(10, "he", bias_std=1.0)
    leaky = cures.dead_fraction(10, "he", "leaky_relu", bias_std=1.0)
    np.testing.assert_array_equal(relu[:, 0], leaky[:, 0])
    assert relu.mean() > cures.dead_fraction(10, "naive", bias_std=1.0).mean()


# --- bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: cures.init_std("glorot", 3), "init must be one of"),
        (lambda: cures.deep_stack(0, "he", [0]), "depth"),
        (lambda: cures.deep_stack(2, "he", []), "at least one seed"),
        (lambda: cures.deep_stack(2, "he", [0], bias_std=-1.0), "bias_std"),
        (lambda: cures.dead_fraction(2, "he", "tanh"), "'relu' or 'leaky_relu'"),
        (lambda: cures.layer_profile(2, "he", "softplus"), "activation"),
    ],
)
def test_bad_arguments_raise_value_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_backward_rejects_a_y_of_the_wrong_shape():
    weights, biases, x, y = small_network(2, 3, 3, 2, 4, 0)
    record = cures.forward(weights, biases, x, "relu")
    with pytest.raises(ValueError, match=r"y must be \(n_L, m\) = \(2, 4\), got shape \(2, 3\)"):
        cures.backward(weights, record, y[:, :3])
