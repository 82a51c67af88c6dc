"""The MLP chapter's figures and widgets, and the compute they added to backprop.vanishing."""

import re

import numpy as np
import pytest

from backprop import linked, mlp, vanishing
from backprop import vanishing_widgets as vw
from backprop.gradcheck import numerical_gradient, rel_error
from backprop.vanishing_plots import (
    CLIP,
    SPEED_CEILING,
    SPEED_FLOOR,
    BandFigure,
    ExplorerFigure,
    SpeedFigure,
    clip_marked,
)


def images(widget):
    """The <img> HTML of every frame inside a linked figure, in order."""
    if hasattr(widget, "children"):
        return [img for child in widget.children for img in images(child)]
    value = getattr(widget, "value", None)
    return [value] if isinstance(value, str) and "<img " in value else []


@pytest.fixture(scope="module", params=["explorer_widget", "speed_widget", "band_widget"])
def built(request):
    return request.param, getattr(vw, request.param)()


EXPECTED_FRAMES = {
    "explorer_widget": len(vw.DEPTHS) * len(vw.ACTIVATIONS) * len(vw.SCALES),
    "speed_widget": len(vw.ACTIVATIONS) * len(vw.SPEED_SCALES),
    "band_widget": len(vw.BAND_WS) * len(vw.BAND_BS),
}


@pytest.mark.filterwarnings("error")
def test_every_combination_is_a_frame_with_its_own_alt_text(built):
    name, widget = built
    frames = images(widget)
    assert len(frames) == EXPECTED_FRAMES[name] <= 150
    alts = [re.search(r'alt="([^"]+)"', f).group(1) for f in frames]
    assert len(set(alts)) == len(alts)  # each frame says what it shows
    assert all("nan" not in a and "inf" not in a for a in alts)
    pixels = [re.search(r"base64,([^\"]+)", f).group(1) for f in frames]
    assert len(set(pixels)) == len(pixels)  # every control changes the picture


def test_the_explorer_covers_2_to_10_hidden_layers_and_three_activations():
    assert min(vw.DEPTHS) == 2 and max(vw.DEPTHS) == 10
    assert vw.ACTIVATIONS == ["sigmoid", "tanh", "relu"]
    assert min(vw.SCALES) < 1 < max(vw.SCALES)


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("activation", vw.ACTIVATIONS)
@pytest.mark.parametrize("scale", [min(vw.SCALES), max(vw.SCALES)])
def test_explorer_frames_at_the_slider_ends_are_finite_and_inside_the_axis(activation, scale):
    norms, mean_ratio, saturated = vanishing.layer_statistics(max(vw.DEPTHS), activation, scale)
    figure = ExplorerFigure(max(vw.DEPTHS) + 1)
    figure.draw(norms, mean_ratio, saturated, "title", "saturated")
    for line in (figure.line, figure.bound):
        y = np.asarray(line.get_ydata())
        assert (
            y.size == len(norms)
            and np.all(np.isfinite(y))
            and np.all((y >= CLIP[0]) & (y <= CLIP[1]))
        )
    assert np.all((mean_ratio >= 0) & (mean_ratio <= 1)) and np.all(
        (saturated >= 0) & (saturated <= 1)
    )
    assert len(linked.encode(linked.render(figure.fig, 72)[0])) > 1000


def test_explorer_marks_exploding_relu_at_the_top():
    norms, mean_ratio, saturated = vanishing.layer_statistics(10, "relu", 8.0)
    figure = ExplorerFigure(11)
    figure.draw(norms, mean_ratio, saturated, "title", "dead")
    assert norms.max() > CLIP[1] and len(figure.up.get_xdata()) == np.count_nonzero(norms > CLIP[1])


@pytest.mark.filterwarnings("error")
def test_speed_frames_of_a_dead_relu_network_are_finite_and_marked():
    h = vw.speed_history("relu", max(vw.SPEED_SCALES))
    assert np.all(np.isfinite(h.grad_norms)) and np.any(h.grad_norms == 0)  # it dies: no gradient
    figure = SpeedFigure(h.grad_norms.shape[1], vw.SPEED_EPOCHS)
    figure.draw(h.grad_norms, h.test_accuracy, "title")
    for line in figure.lines:
        y = np.asarray(line.get_ydata())
        assert np.all(np.isfinite(y)) and np.all((y >= SPEED_FLOOR) & (y <= SPEED_CEILING))
    assert len(figure.down.get_xdata()) == np.count_nonzero(h.grad_norms == 0)
    assert len(linked.encode(linked.render(figure.fig, 72)[0])) > 1000


def test_sigmoid_layer_1_learns_more_slowly_than_the_output_layer():
    speed = vw.speed_history("sigmoid", 1.0).grad_norms
    assert np.all(speed[:, 0] < 0.1 * speed[:, -1])


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("w", [min(vw.BAND_WS), max(vw.BAND_WS)])
@pytest.mark.parametrize("b", [min(vw.BAND_BS), max(vw.BAND_BS)])
def test_band_frames_at_the_slider_ends(w, b):
    a = np.linspace(-1, 2, 301)
    w_curve = np.geomspace(0.8, 40, 50)
    figure = BandFigure(a, w_curve, vanishing.band_width(w_curve))
    factor = vanishing.band(a, w, b)
    lo, hi = vanishing.band_interval(w, b)
    figure.draw(factor, (float(lo), float(hi)), float(vanishing.band_width(w)), w, "title")
    assert np.all(np.isfinite(factor)) and figure.band.get_visible() == (abs(w) > 4)
    assert figure.ax.get_ylim()[1] >= factor.max()


# --- compute added for the chapter -------------------------------------------------------------


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
@pytest.mark.parametrize("seed", [0, 1])
def test_the_product_of_jacobians_matches_finite_differences(activation, seed):
    rows = vanishing.jacobian_checks(activation=activation, seed=seed)
    assert len(rows) == 3 and all(err < 1e-6 for _, err in rows), rows


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
    assert rel_error(vanishing.jacobian_chain(weights, zs, "tanh"), fd) < 1e-7


# --- plotting helpers ----------------------------------------------------------------------------


def test_clip_marked_marks_zeros_and_huge_values():
    shown, above, below = clip_marked([0.0, 1.0, 1e20], 1e-3, 1e3)
    np.testing.assert_array_equal(shown, [1e-3, 1.0, 1e3])
    np.testing.assert_array_equal(above, [False, False, True])
    np.testing.assert_array_equal(below, [True, False, False])


def test_clip_marked_rejects_nan():
    with pytest.raises(ValueError, match="finite"):
        clip_marked([1.0, np.nan], 1e-3, 1e3)
