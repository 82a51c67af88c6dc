"""The backprop chapter's widget network, as the chapter describes it (widget_state)."""

import re

import numpy as np
import pytest

from backprop import mlp
from backprop.activations import sigmoid_prime
from backprop.mlp_widgets import EXAMPLES, SCALES, deltas_widget, widget_state
from test_vanishing_widgets import images  # the <img>s of a linked figure's frames


@pytest.mark.parametrize("scale", SCALES)
def test_widget_state_is_the_forward_pass_of_the_scaled_network(scale):
    weights, biases = mlp.init_network([2, 3, 3, 2], np.random.default_rng(0))
    x = np.array([[1.0], [0.0]])
    zs, activations = mlp.forward([scale * W for W in weights], biases, x)
    for example in EXAMPLES:  # the input is the same for every target
        output, primes = widget_state(scale, example)
        np.testing.assert_array_equal(output, activations[-1].ravel())
        for p, z in zip(primes, zs):
            np.testing.assert_array_equal(p, sigmoid_prime(z).ravel())


def test_small_weights_keep_sigma_prime_near_its_top_and_large_ones_saturate():
    small = np.concatenate(widget_state(min(SCALES), next(iter(EXAMPLES)))[1])
    large = np.concatenate(widget_state(max(SCALES), next(iter(EXAMPLES)))[1])
    assert small.min() > 0.6 * 0.25 and large.min() < 1e-3


def test_deltas_widget_frames_are_two_panels_that_fit_a_phone_with_readable_text():
    """One frame per (step, scale, target); each frame two panels (network | Hadamard product),
    each at most 354 CSS px wide (a 390 px phone's column), smallest text at least 9 CSS px."""
    shown = images(deltas_widget())
    assert len(shown) == 3 * len(SCALES) * len(EXAMPLES)
    widths = [int(w) for f in shown for w in re.findall(r'<img [^>]*width="(\d+)"', f)]
    fonts = [float(m) for f in shown for m in re.findall(r'data-min-font="([\d.]+)"', f)]
    assert len(widths) == len(fonts) == 2 * len(shown)
    assert max(widths) <= 354 and min(fonts) >= 9
    assert len(set(shown)) == len(shown)  # every control changes the picture
