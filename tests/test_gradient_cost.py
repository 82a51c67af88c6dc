"""backprop.gradient_cost: the two methods give the same gradient, finite differences run the
network forward twice per parameter, and the timing returns one positive time per network."""

import numpy as np
import pytest

from backprop import gradient_cost as gc
from backprop import mlp
from backprop.gradcheck import matches


@pytest.mark.parametrize("width", [1, 3])
def test_backprop_and_finite_differences_give_the_same_gradient(width):
    net = gc.cost_network(width, seed=width)
    for bp, fd in zip(gc.backprop_gradient(*net), gc.fd_gradient(*net)):
        for b, f in zip(bp, fd):
            assert b.shape == f.shape and matches(b, f)


@pytest.mark.parametrize("width", [1, 2, 5])
def test_parameter_count_is_every_entry_of_the_network_4_h_h_1(width):
    weights, biases, x, y = gc.cost_network(width)
    assert gc.parameter_count(weights, biases) == width**2 + 7 * width + 1
    assert x.shape == (4, 1) and y.shape == (1, 1)


def test_finite_differences_run_two_forward_passes_per_parameter(monkeypatch):
    calls = []
    forward = mlp.forward
    monkeypatch.setattr(mlp, "forward", lambda *a, **k: calls.append(1) or forward(*a, **k))
    net = gc.cost_network(2)
    n_params = gc.parameter_count(*net[:2])
    gc.fd_gradient(*net)
    assert len(calls) == gc.forward_passes(n_params)[0] == 2 * n_params
    calls.clear()
    gc.backprop_gradient(*net)
    assert len(calls) == gc.forward_passes(n_params)[1] == 1


def test_time_gradients_gives_one_positive_time_per_width():
    n_params, fd, bp = gc.time_gradients(widths=(1, 2), repeats=1)
    np.testing.assert_array_equal(n_params, [9, 19])
    assert fd.shape == bp.shape == (2,) and (fd > 0).all() and (bp > 0).all()


def test_seconds_times_one_call():
    assert 0 < gc.seconds(lambda: None, least=1e-4) < 1e-3


@pytest.mark.parametrize("bad", [0, -1, 1.5, True])
def test_bad_sizes_are_refused(bad):
    with pytest.raises(ValueError, match="width"):
        gc.cost_network(bad)
    with pytest.raises(ValueError, match="n_params"):
        gc.forward_passes(bad)
