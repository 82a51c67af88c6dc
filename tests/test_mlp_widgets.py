"""The MLP chapter's figures and widgets, and the compute they added to backprop.vanishing."""

import re

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from backprop import linked, saturation_band, vanishing
from backprop import mlp_widgets as vw
from backprop.mlp_plots import (
    CLIP,
    SPEED_CEILING,
    SPEED_FLOOR,
    BandFigure,
    ExplorerFigure,
    SpeedFigure,
    clip_marked,
)
from backprop.plotting import PANEL_MAX_PX, TEXT_MIN_PX


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
    assert all(len(linked.encode(linked.render(f, 80)[0])) > 1000 for f in figure.figures)


def test_explorer_marks_exploding_relu_at_the_top():
    norms, mean_ratio, saturated = vanishing.layer_statistics(10, "relu", 8.0)
    figure = ExplorerFigure(11)
    figure.draw(norms, mean_ratio, saturated, "title", "dead")
    assert norms.max() > CLIP[1] and len(figure.up.get_xdata()) == np.count_nonzero(norms > CLIP[1])


@pytest.mark.filterwarnings("error")
def test_speed_frames_of_a_dead_relu_network_are_finite_and_marked():
    _, norms, accuracy = vw.speed_example("relu", max(vw.SPEED_SCALES))
    assert np.all(np.isfinite(norms)) and np.any(norms == 0)  # it dies: no gradient
    figure = SpeedFigure(norms.shape[1], vw.SPEED_EPOCHS)
    figure.draw(norms, accuracy, "title")
    for line in figure.lines:
        y = np.asarray(line.get_ydata())
        assert np.all(np.isfinite(y)) and np.all((y >= SPEED_FLOOR) & (y <= SPEED_CEILING))
    assert len(figure.down.get_xdata()) == np.count_nonzero(norms == 0)
    assert all(len(linked.encode(linked.render(f, 80)[0])) > 1000 for f in figure.figures)


@pytest.mark.parametrize("activation", vw.ACTIVATIONS)
@pytest.mark.parametrize("scale", vw.SPEED_SCALES)
def test_speed_examples_are_finite_median_runs_of_the_ensemble(activation, scale):
    seed, norms, accuracy = vw.speed_example(activation, scale)
    h, i = vw.speed_ensemble(activation), vw.SPEED_SCALES.index(scale)
    assert np.all(np.isfinite(norms)) and np.all(np.isfinite(accuracy))
    finite = np.sort(h.test_accuracy[-1, i][np.isfinite(h.test_accuracy[-1, i])])
    assert accuracy[-1] == finite[(len(finite) - 1) // 2] and seed in vw.SPEED_SEEDS


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("w", [min(vw.BAND_WS), max(vw.BAND_WS)])
@pytest.mark.parametrize("b", [min(vw.BAND_BS), max(vw.BAND_BS)])
def test_band_frames_at_the_slider_ends(w, b):
    a = np.linspace(-1, 2, 301)
    w_curve = np.geomspace(0.8, 40, 50)
    figure = BandFigure(a, w_curve, saturation_band.band_width(w_curve))
    factor = saturation_band.band(a, w, b)
    lo, hi = saturation_band.band_interval(w, b)
    figure.draw(factor, (float(lo), float(hi)), float(saturation_band.band_width(w)), w, "title")
    assert np.all(np.isfinite(factor)) and figure.band.get_visible() == (abs(w) > 4)
    assert figure.ax.get_ylim()[1] >= factor.max()


DESKTOP_PX = 684 - 18  # a cell's output area in the column of a 1280 px screen, less its card's
# border and padding (assets/course.css)
GAP_PX = 16  # between panels side by side (assets/course.css)


def check_panels(html, count):
    """``count`` panels per frame, each at most PANEL_MAX_PX wide (full size on a phone), side by
    side within DESKTOP_PX, smallest text at least TEXT_MIN_PX."""
    widths = [[int(w) for w in re.findall(r'<img [^>]*width="(\d+)"', f)] for f in html]
    fonts = [float(m) for f in html for m in re.findall(r'data-min-font="([\d.]+)"', f)]
    assert {len(w) for w in widths} == {count} and len(fonts) == count * len(html)
    assert max(map(max, widths)) <= PANEL_MAX_PX and max(map(sum, widths)) <= DESKTOP_PX - GAP_PX
    assert min(fonts) >= TEXT_MIN_PX


def test_frames_are_panels_that_fit_a_phone_with_text_of_at_least_12_css_px(built):
    check_panels(images(built[1]), 2)  # each widget, built once for the module


def test_the_landing_pages_still_is_two_readable_panels():
    check_panels([vw.explorer_static().data], 2)


# --- plotting helpers ----------------------------------------------------------------------------


def test_clip_marked_marks_zeros_and_huge_values():
    shown, above, below = clip_marked([0.0, 1.0, 1e20], 1e-3, 1e3)
    np.testing.assert_array_equal(shown, [1e-3, 1.0, 1e3])
    np.testing.assert_array_equal(above, [False, False, True])
    np.testing.assert_array_equal(below, [True, False, False])


def test_clip_marked_rejects_nan():
    with pytest.raises(ValueError, match="finite"):
        clip_marked([1.0, np.nan], 1e-3, 1e3)


def full_drawing(figures, dpi):
    """The pixels of each panel drawn whole by a plain Agg canvas (no kept still part)."""
    for fig in figures:
        for artist in fig.canvas.moving:
            artist.set_animated(False)
        FigureCanvasAgg(fig)
    return [linked.render(fig, dpi)[0] for fig in figures]


def test_explorer_and_speed_frames_drawn_after_others_are_their_full_drawings():
    explorer, fresh = ExplorerFigure(11), ExplorerFigure(11)
    for setting in [(10, "relu", 8.0), (10, "tanh", 2.0)]:
        shown = [linked.render(f, 80)[0] for f in vw.explorer_frame(explorer, *setting)]
    for a, b in zip(shown, full_drawing(vw.explorer_frame(fresh, *setting), 80)):
        np.testing.assert_array_equal(a, b)
    speed, fresh = SpeedFigure(5, vw.SPEED_EPOCHS), SpeedFigure(5, vw.SPEED_EPOCHS)
    for setting in [("relu", 4.0), ("sigmoid", 1.0)]:
        _, norms, accuracy = vw.speed_example(*setting)
        shown = [linked.render(f, 80)[0] for f in speed.draw(norms, accuracy, str(setting))]
    for a, b in zip(shown, full_drawing(fresh.draw(norms, accuracy, str(setting)), 80)):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("activation", vw.ACTIVATIONS)
def test_explorer_alt_text_gives_the_frames_numbers(activation):
    norms, mean_ratio, saturated = vw.explorer_stats(10, activation, 1.0)
    text = vw.explorer_alt(10, activation, 1.0)
    assert f"{norms[0] / norms[-1]:.1e} times" in text
    assert f"from {mean_ratio.min():.2f} to {mean_ratio.max():.2f}" in text
    assert f"(largest {saturated.max():.0%})" in text
    assert ("inactive (z ≤ 0)" in text) == (activation == "relu")
