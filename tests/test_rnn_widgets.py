"""Tests of the chapter "RNN"'s widgets and figures: frame counts, finite values and no warnings at
the extremes of every control, and the plotted quantities against their definitions."""

import warnings

import numpy as np
import pytest

from backprop import linked, rnn, rnn_widgets
from backprop.gradcheck import numerical_gradient
from backprop.rnn_plots import GainFigure, UnrolledFigure

EXTREMES = [
    (T, rho, a)
    for T in (min(rnn_widgets.LENGTHS), max(rnn_widgets.LENGTHS))
    for rho in (min(rnn_widgets.RADII), max(rnn_widgets.RADII))
    for a in rnn_widgets.ACTIVATIONS
]


def test_frame_counts_stay_small():
    per_unroller = (
        rnn_widgets.STAGES
        * len(rnn_widgets.LENGTHS)
        * len(rnn_widgets.RADII)
        * len(rnn_widgets.ACTIVATIONS)
    )
    per_gain = (
        len(rnn_widgets.LENGTHS)
        * len(rnn_widgets.RADII)
        * len(rnn_widgets.ACTIVATIONS)
        * len(rnn_widgets.TRUNCATIONS)
    )
    assert per_unroller <= 150 and per_gain <= 150


@pytest.mark.parametrize("T, rho, activation", EXTREMES)
def test_extreme_frames_are_finite_and_silent(T, rho, activation):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        norms = rnn_widgets.delta_norms(T, rho, activation)
        gain = rnn_widgets.log_gain(T, rho, activation)
        assert np.all(np.isfinite(norms)) and norms.shape == (T,)
        assert gain.shape == (T,) and gain[-1] == 0.0 and not np.any(np.isnan(gain))
        figure = UnrolledFigure(max(rnn_widgets.LENGTHS))
        for stage in (0, rnn_widgets.STAGES - 1):
            figure.draw(T, norms, rnn_widgets.first_reached(stage, T), "t")
            for bar in figure.bars[:T]:
                assert np.isfinite(bar.get_height()) and bar.get_height() >= 0
        gains = GainFigure(max(rnn_widgets.LENGTHS))
        for k in rnn_widgets.TRUNCATIONS.values():
            gains.draw(gain, np.log10(rho), np.log10(2 * rho), k, "t")
            y = gains.gain.get_ydata()
            assert len(y) > 0 and np.all(np.isfinite(y))
        assert len(linked.encode(linked.render(gains.fig, 72)[0])) > 1000


def test_backward_sweep_reaches_the_first_step_at_the_end():
    for T in rnn_widgets.LENGTHS:
        firsts = [rnn_widgets.first_reached(s, T) for s in range(rnn_widgets.STAGES)]
        assert firsts[-1] == 0 and firsts[0] < T and firsts == sorted(firsts, reverse=True)


def test_log_gain_is_the_last_losss_gradient_ratio():
    T, rho, activation = 8, 1.0, "tanh"
    ys, cache = rnn_widgets.example(T, rho, activation)
    direct = rnn.grad_norms_through_time(ys, cache)
    np.testing.assert_allclose(
        rnn_widgets.log_gain(T, rho, activation), direct - direct[-1], atol=1e-12
    )


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu"])
@pytest.mark.parametrize("T", [1, 2, 6])
def test_loss_from_has_gradient_delta(activation, T):
    rng = np.random.default_rng(T)
    params = rnn.init_params(2, 3, 2, 0.9, rng)
    xs, ys = rng.standard_normal((T, 2)), rng.random((T, 2))
    _, cache = rnn.forward(xs, **params, activation=activation)
    _, _, deltas = rnn.bptt(ys, cache)
    for t in range(T):
        numeric = numerical_gradient(
            lambda h: rnn.loss_from(h, t, ys, cache), cache["hs"][t].copy(), 1e-5
        )
        np.testing.assert_allclose(deltas[t], numeric, rtol=1e-6, atol=1e-9)


def test_gradient_check_rows_are_small():
    rng = np.random.default_rng(0)
    params = rnn.init_params(2, 3, 2, 0.9, rng)
    rows = rnn.gradient_check(rng.standard_normal((4, 2)), params, rng.random((4, 2)))
    assert set(rows) == set(rnn.PARAMS) and max(err for _, err in rows.values()) < 1e-6


def test_delay_task_and_bad_delay():
    xs, ys = rnn.delay_task(10, 3, np.random.default_rng(0))
    np.testing.assert_array_equal(ys[3:], (xs[:-3] + 1) / 2)
    assert np.all(ys[:3] == 0.5)
    with pytest.raises(ValueError, match="delay"):
        rnn.delay_task(5, 5, np.random.default_rng(0))


def test_training_with_clipping_keeps_finite_and_clips():
    rng = np.random.default_rng(0)
    start = rnn.init_params(1, 4, 1, 2.0, rng)
    trained, losses, norms = rnn.train_delay_task(start, 2, 20, 5.0, rng, T=10, max_norm=0.5)
    assert np.all(np.isfinite(losses)) and np.all(np.isfinite(norms))
    assert all(np.all(np.isfinite(p)) for p in trained.values())
    assert not np.shares_memory(trained["W"], start["W"])


def test_global_norm_does_not_overflow():
    assert rnn.global_norm({"a": np.array([3e200, 4e200])}) == pytest.approx(5e200)


def test_unrolled_diagram_labels_every_step_and_weight():
    from backprop.rnn_plots import unrolled_diagram

    texts = [t.get_text() for t in unrolled_diagram(4).axes[0].texts]
    assert [texts.count(w) for w in "UVW"] == [4, 4, 4]  # one arrow of each weight per step
    assert {"x⁰", "h³", "ŷ²", "h⁻¹ = 0"} <= set(texts)
