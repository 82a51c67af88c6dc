"""Tests of the chapter "The cures"'s widgets and figures: frame counts, finite values and no
warnings at the ends of every control, the plotted quantities against their definitions, and
panels that read at full size on a phone."""

import warnings

import numpy as np
import pytest

from backprop import cures_widgets, linked, lstm, rnn_time
from backprop.cures_plots import ProfileFigure, ThroughTimeFigure
from backprop.plotting import PANEL_MAX_PX, TEXT_MIN_PX

ENDS = [
    (b, rho)
    for b in (min(cures_widgets.FORGET_BIASES), max(cures_widgets.FORGET_BIASES))
    for rho in cures_widgets.RADII
]


def test_the_widgets_have_few_frames():
    assert len(cures_widgets.FORGET_BIASES) * len(cures_widgets.RADII) <= 12
    explorer = len(cures_widgets.INIT_NAMES) * len(cures_widgets.EXPLORER_ACTIVATIONS) * 4
    assert explorer <= 24  # the chapter's time budget (8 s): four switches


SETTINGS = [  # the explorer's extremes: the largest and smallest numbers it draws
    ("naive", "relu", True, False),
    ("xavier", "relu", False, False),
    ("he", "relu", True, True),
    ("naive", "tanh", False, True),
]


@pytest.mark.parametrize("init, activation, residual, norm", SETTINGS)
def test_explorer_frames_at_the_ends_are_finite_and_silent(init, activation, residual, norm):
    layers = cures_widgets.DEPTH + 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        stats = cures_widgets.profile(init, activation, residual, norm)
        figure = ProfileFigure(layers)
        panels = figure.draw(stats["gain"], stats["signal"], ("a\nb", "c\nd"))
        for name in ("gain", "signal"):
            values = stats[name]
            assert values.shape == (3, layers) and np.all(np.isfinite(values) & (values > 0))
            assert np.all(values[0] <= values[1]) and np.all(
                values[1] <= values[2]
            )  # min, median, max
        assert np.allclose(stats["gain"][:, -1], 1.0)  # the output layer against itself
        for _, _, _, lines, _ in figure.panels:
            assert all(len(line.get_ydata()) == layers for line in lines)
        assert all(len(linked.encode(linked.render(p, 72)[0])) > 1000 for p in panels)


@pytest.mark.parametrize("forget_bias, rho", ENDS)
def test_lstm_frames_at_the_ends_are_finite_and_silent(forget_bias, rho):
    T = cures_widgets.T
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gains = cures_widgets.lstm_log_gains(forget_bias, rho)
        gates = cures_widgets.gate_means(forget_bias)
        figure = ThroughTimeFigure(T)
        panels = figure.draw(gains, gates, "title\nline", "gates")
        for name, values in gains.items():
            assert values.shape == (T,) and np.all(np.isfinite(values)), name
            assert values[-1] == pytest.approx(0.0, abs=1e-12), name  # the gain from T to T
            y = figure.lines[name].get_ydata()
            assert len(y) == T and np.all(np.isfinite(y))
        assert all(np.all((g > 0) & (g < 1)) for g in gates.values())
        assert all(len(linked.encode(linked.render(p, 72)[0])) > 1000 for p in panels)


def test_the_cell_path_is_the_forget_gates_product():
    """The dashed line is log10 of ‖(f^{t+1} ⊙ ... ⊙ f^T) ⊙ ∂C/∂c^T‖ / ‖∂C/∂c^T‖, recomputed here
    from the gates one step at a time; with W_hh = 0 it is the whole gradient (lstm's test)."""
    dhs, cache = cures_widgets.lstm_example(1.0)
    dcs = lstm.backward_with_cells(dhs, cache)[1]
    g, expected = dcs[-1].copy(), []
    for t in reversed(range(cures_widgets.T)):
        expected.append(np.log10(np.linalg.norm(g) / np.linalg.norm(dcs[-1])))
        g = g * cache["f"][t]  # one more forget gate, f^{t+1}, on the way to step t
    np.testing.assert_allclose(
        cures_widgets.lstm_log_gains(1.0, 0.5)["path"], expected[::-1], atol=1e-12
    )


def test_open_forget_gates_carry_the_gradient_further_than_closed_ones():
    gains = [cures_widgets.lstm_log_gains(b, 0.5)["cell"][0] for b in cures_widgets.FORGET_BIASES]
    assert gains == sorted(gains)  # a larger forget bias, a larger gain back to step 1
    assert cures_widgets.lstm_log_gains(1.0, 0.5)["rnn"][0] == rnn_time.log_gain(32, 0.5, "tanh")[0]


def test_every_panel_reads_at_full_size_on_a_phone():
    gains = cures_widgets.lstm_log_gains(-2.0, 2.0)
    panels = ThroughTimeFigure(cures_widgets.T).draw(
        gains, cures_widgets.gate_means(-2.0), "title\nline", "gates"
    )
    stats = cures_widgets.profile("naive", "relu", True, False)
    panels += ProfileFigure(cures_widgets.DEPTH + 1).draw(stats["gain"], stats["signal"], "ab")
    for figure in panels:
        pixels, font = linked.render(figure, 72)
        width = linked.css_size(pixels)[0]
        assert width <= PANEL_MAX_PX and font >= TEXT_MIN_PX, (width, font)
