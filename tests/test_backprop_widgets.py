"""The backprop chapter's widget network, as the chapter describes it (widget_state)."""

import re

import numpy as np
import pytest

from backprop import linked, mlp
from backprop.activations import sigmoid_prime
from backprop.backprop_plots import DeltaFigure
from backprop.backprop_widgets import (
    EXAMPLES,
    SCALES,
    backward_steps,
    columns,
    deltas_widget,
    step_alt,
    widget_network,
    widget_state,
    widget_steps,
)
from test_mlp_widgets import (
    check_panels,
    full_drawing,
    images,
)  # helpers of the figures' tests


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
    """One frame per (step, scale, target); each frame two panels (network | Hadamard product)
    that fit a phone at full size and sit side by side on a desktop, text at least TEXT_MIN_PX."""
    shown = images(deltas_widget())
    assert len(shown) == 3 * len(SCALES) * len(EXAMPLES)
    check_panels(shown, 2)
    assert len(set(shown)) == len(shown)  # every control changes the picture


def test_a_deltas_frame_drawn_after_another_is_its_full_drawing():
    weights0, biases = mlp.init_network([2, 3, 3, 2], np.random.default_rng(0))
    x, y = columns(EXAMPLES["y=(1, 0): far"])

    def draw(figure, step, scale):
        weights = [scale * W for W in weights0]
        deltas, errors, primes = backward_steps(weights, biases, x, y)
        return figure.draw(step, deltas, weights, errors[2 - step], primes[2 - step])

    figure = DeltaFigure([2, 3, 3, 2])
    for step, scale in [(0, 1.0), (2, 8.0)]:
        shown = [linked.render(f, 72)[0] for f in draw(figure, step, scale)]
    for a, b in zip(shown, full_drawing(draw(DeltaFigure([2, 3, 3, 2]), 2, 8.0), 72)):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("scale", SCALES)
def test_widget_steps_are_the_backward_pass_of_the_widget_network(scale):
    weights, biases = widget_network(scale)
    for example in EXAMPLES:
        deltas, errors, primes = widget_steps(scale, example)
        x, y = columns(EXAMPLES[example])
        zs, activations = mlp.forward(weights, biases, x)
        expected = mlp.backward(weights, zs, activations, y)[0]
        for d, e in zip(deltas, expected):
            np.testing.assert_array_equal(d, e.ravel())
        np.testing.assert_allclose(errors[-1], (activations[-1] - y).ravel())


def test_a_step_alt_text_gives_the_norms_and_slopes_the_frame_shows():
    example = "y=(1, 0): far"
    deltas, errors, primes = widget_steps(8.0, example)
    text = step_alt((2, 3, 3, 2), "δ² (layer 2)", "8", example, 1)
    numbers = [
        float(n)
        for n in re.findall(r"[0-9]+(?:\.[0-9]+)?(?:e[-+][0-9]+)?", text.split("layer 2,")[1])
    ]
    expected = [
        np.linalg.norm(errors[1]),
        primes[1].min(),
        primes[1].max(),
        np.linalg.norm(deltas[1]),
    ]
    np.testing.assert_allclose(numbers, expected, rtol=0.05)
    assert "σ′(z²)" in text and "δ² of norm" in text
