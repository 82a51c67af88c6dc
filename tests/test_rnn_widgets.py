"""Tests of the chapter "RNN"'s widgets and figures: frame counts, finite values and no warnings at
the extremes of every control, and the plotted quantities against their definitions."""

import warnings

import numpy as np
import pytest

from backprop import linked, rnn_time, rnn_widgets
from backprop.plotting import PANEL_MAX_PX, TEXT_MIN_PX
from backprop.rnn_plots import GainFigure, UnrolledFigure, training_curves, unrolled_diagram

EXTREMES = [
    (T, rho, a)
    for T in sorted(set(rnn_widgets.LENGTHS.values()))
    for rho in (min(rnn_widgets.RADII), max(rnn_widgets.RADII))
    for a in rnn_widgets.ACTIVATIONS
]


def test_frame_counts_stay_small():
    per_unroller = rnn_widgets.STAGES * len(rnn_widgets.RADII) * len(rnn_widgets.ACTIVATIONS)
    per_gain = len(rnn_widgets.RADII) * len(rnn_widgets.ACTIVATIONS) * len(rnn_widgets.TRUNCATIONS)
    assert per_unroller <= 30 and per_gain <= 20  # the chapter's time budget


@pytest.mark.parametrize("T, rho, activation", EXTREMES)
def test_extreme_frames_are_finite_and_silent(T, rho, activation):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        norms = rnn_widgets.delta_norms(T, rho, activation)
        gain = rnn_time.log_gain(T, rho, activation)
        assert np.all(np.isfinite(norms)) and norms.shape == (T,)
        assert gain.shape == (T,) and gain[-1] == 0.0 and not np.any(np.isnan(gain))
        figure = UnrolledFigure(T)
        for stage in (0, rnn_widgets.STAGES - 1):
            figure.draw(T, norms, rnn_widgets.first_reached(stage, T), "t")
            for bar in figure.bars[:T]:
                assert np.isfinite(bar.get_height()) and bar.get_height() >= 0
        gains = GainFigure(T)
        for k in rnn_widgets.TRUNCATIONS.values():
            gains.draw(gain, np.log10(rho), np.log10(2 * rho), k, "t")
            y = gains.gain.get_ydata()
            assert len(y) > 0 and np.all(np.isfinite(y))
        assert len(linked.encode(linked.render(gains.fig, 72)[0])) > 1000


def test_backward_sweep_reaches_the_first_step_at_the_end():
    for T in rnn_widgets.LENGTHS.values():
        firsts = [rnn_widgets.first_reached(s, T) for s in range(rnn_widgets.STAGES)]
        assert firsts[-1] == 0 and firsts[0] < T and firsts == sorted(firsts, reverse=True)


def test_log_gain_is_the_last_losss_gradient_ratio():
    T, rho, activation = 8, 1.0, "tanh"
    ys, cache = rnn_time.example(T, rho, activation)
    direct = rnn_time.grad_norms_through_time(ys, cache)
    np.testing.assert_allclose(
        rnn_time.log_gain(T, rho, activation), direct - direct[-1], atol=1e-12
    )


def test_unrolled_diagram_labels_every_step_and_weight():
    texts = [t.get_text() for t in unrolled_diagram(4).axes[0].texts]
    assert [texts.count(w) for w in "UVW"] == [4, 4, 4]  # one arrow of each weight per step
    assert {"x¹", "h⁴", "ŷ³", "h⁰ = 0"} <= set(texts)  # steps 1..T, as in the notes


def test_every_figure_reads_at_full_size_on_a_phone():
    """Each figure at the 72 dpi the chapter shows it at: at most PANEL_MAX_PX CSS px wide (a
    390 px phone's figure card), its smallest text at least TEXT_MIN_PX."""
    T = rnn_widgets.LENGTHS["unroller"]
    unrolled = UnrolledFigure(T).draw(T, rnn_widgets.delta_norms(T, 2.0, "relu"), 0, "title")
    gains = GainFigure(T).draw(rnn_time.log_gain(T, 2.0, "relu"), 0.3, 0.5, 4, "title")
    rng = np.random.default_rng(0)
    runs = [(name, rng.random(100), rng.random(100)) for name in ("a", "b")]
    for figure in [unrolled, *gains, unrolled_diagram(5), *training_curves(runs, "title")]:
        pixels, font = linked.render(figure, 72)
        width = linked.css_size(pixels)[0]
        assert width <= PANEL_MAX_PX and font >= TEXT_MIN_PX, (width, font)
