"""The unsaturated band of one sigmoid unit: formula against a dense scan."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop import activations as act
from backprop import saturation_band
from backprop.gradcheck import numerical_gradient


@settings(max_examples=20, deadline=None)
@given(st.floats(-3, 3), st.floats(-20, 20), st.floats(-5, 5))
def test_band_is_the_derivative_of_the_neuron_in_its_input(a, w, b):
    x = np.array([a])
    slope = numerical_gradient(lambda v: act.sigmoid(w * v[0] + b), x)[0]  # d sigma(w a + b) / da
    assert saturation_band.band(a, w, b) == pytest.approx(abs(slope), rel=1e-6, abs=1e-9)


def scanned_width(w, b, step=1e-5):
    """Width of {a : band(a, w, b) >= 1} measured on a dense grid around the centre a = -b/w."""
    grid = -b / w + np.arange(-2.0, 2.0, step)
    return np.count_nonzero(saturation_band.band(grid, w, b) >= 1.0) * step


@pytest.mark.parametrize("w", [4.2, 5.0, 6.9, 10.0, 50.0, -7.0])
@pytest.mark.parametrize("b", [0.0, 1.3, -4.0])
def test_band_width_matches_a_dense_scan(w, b):
    assert saturation_band.band_width(w, b) == pytest.approx(scanned_width(w, b), abs=3e-5)
    lo, hi = saturation_band.band_interval(w, b)
    assert hi - lo == pytest.approx(saturation_band.band_width(w, b), rel=1e-12)
    np.testing.assert_allclose(
        saturation_band.band(np.array([lo, hi]), w, b), 1.0, rtol=1e-9
    )  # ends: exactly 1


@pytest.mark.parametrize("w", [0.5, 3.0, 3.999, 4.0, -2.0])
def test_no_band_below_four(w):
    assert saturation_band.band_width(w, 0.7) == 0.0
    assert saturation_band.band(np.linspace(-50, 50, 100001), w, 0.7).max() <= abs(w) / 4 <= 1.0


def test_band_width_is_vectorised_peaks_near_6_9_and_warns_nothing():
    w = np.linspace(-100, 100, 20001)
    with np.errstate(all="raise"):
        widths = saturation_band.band_width(w)
    assert widths.shape == w.shape and np.all(widths >= 0)
    assert abs(abs(w[widths.argmax()]) - 6.9) < 0.1 and 0.44 < widths.max() < 0.46


def test_band_interval_rejects_zero_weight():
    with pytest.raises(ValueError, match="non-zero"):
        saturation_band.band_interval(0.0, 1.0)
