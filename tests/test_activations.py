import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from backprop import activations as act
from backprop.gradcheck import numerical_gradient

finite = arrays(np.float64, st.integers(1, 6), elements=st.floats(-30, 30))


def test_sigmoid_is_stable_at_the_extremes():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise"):
            s = act.sigmoid(np.array([-800.0, -40.0, 0.0, 40.0, 800.0]))
    assert s[0] == 0.0 and s[-1] == 1.0 and s[2] == 0.5
    assert np.all(np.diff(s) >= 0)


def test_sigmoid_matches_the_textbook_form_where_that_is_safe():
    z = np.linspace(-20, 20, 81)
    np.testing.assert_allclose(act.sigmoid(z), 1 / (1 + np.exp(-z)), rtol=1e-14)


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "leaky_relu"])
@settings(max_examples=25, deadline=None)
@given(z=finite)
def test_derivatives_match_central_differences(name, z):
    f, f_prime = act.get(name)
    if name in ("relu", "leaky_relu"):
        z = np.where(np.abs(z) < 1e-3, 0.5, z)  # stay away from the kink at 0
    numeric = numerical_gradient(lambda v: np.sum(f(v)), z.copy())
    assert np.allclose(f_prime(z), numeric, rtol=1e-6, atol=1e-9)


def test_sigmoid_prime_peaks_at_one_quarter():
    z = np.linspace(-5, 5, 1001)
    assert act.sigmoid_prime(z).max() == pytest.approx(0.25)
    assert act.sigmoid_prime(np.array(0.0)) == 0.25


def test_leaky_relu_has_slope_one_hundredth_below_zero():
    z = np.array([-200.0, -1.0, 0.0, 3.0])
    np.testing.assert_array_equal(act.leaky_relu(z), [-2.0, -0.01, 0.0, 3.0])
    np.testing.assert_array_equal(act.leaky_relu_prime(z), [0.01, 0.01, 0.01, 1.0])


def test_max_prime_is_the_largest_derivative_of_every_activation():
    z = np.linspace(-10, 10, 20001)
    assert set(act.MAX_PRIME) == set(act.ACTIVATIONS)
    for name, (_, f_prime) in act.ACTIVATIONS.items():
        assert f_prime(z).max() == pytest.approx(act.MAX_PRIME[name]), name


def test_outputs_are_float64():
    for f, f_prime in act.ACTIVATIONS.values():
        assert f(np.array([1, 2])).dtype == np.float64
        assert f_prime(np.array([1, 2])).dtype == np.float64


def test_unknown_activation_names_the_choices():
    with pytest.raises(ValueError, match="sigmoid.*got 'softplus'"):
        act.get("softplus")
