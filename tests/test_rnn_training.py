"""Tests of backprop.rnn_training: clipping, the ensemble step against bptt, and the chapter's two
training lessons (truncation, clipping) on a few seeds."""

import warnings

import numpy as np
import pytest

from backprop import rnn, rnn_training
from backprop.gradcheck import rel_error


def test_clip_by_norm_below_the_threshold_copies():
    grads = {"a": np.array([3.0]), "b": np.array([[4.0, 0.0]])}  # global norm 5
    clipped, scale = rnn_training.clip_by_norm(grads, 5.0)
    assert scale == 1.0
    for name in grads:
        np.testing.assert_array_equal(clipped[name], grads[name])
        assert clipped[name] is not grads[name]


@pytest.mark.parametrize("size", [1.0, 1e200])
def test_clip_by_norm_above_the_threshold_rescales(size):
    grads = {
        "a": np.array([3.0 * size]),
        "b": np.array([[4.0 * size, 0.0]]),
    }  # global norm 5 * size
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        clipped, scale = rnn_training.clip_by_norm(grads, 2.0)
    assert scale == pytest.approx(2.0 / (5.0 * size), rel=1e-15)
    np.testing.assert_allclose(clipped["a"], [1.2], rtol=1e-15)  # (3, 4) / 5 * 2
    np.testing.assert_allclose(clipped["b"], [[1.6, 0.0]], rtol=1e-15)
    np.testing.assert_array_equal(grads["a"], [3.0 * size])


def test_clip_by_norm_of_zero_gradients():
    clipped, scale = rnn_training.clip_by_norm({"a": np.zeros(3)}, 1.0)
    assert scale == 1.0
    np.testing.assert_array_equal(clipped["a"], np.zeros(3))


def test_clip_by_norm_per_member_clips_each_to_its_threshold():
    rng = np.random.default_rng(1)
    grads = {"U": rng.standard_normal((4, 3, 2)), "b": rng.standard_normal((4, 3))}
    max_norm = np.array([0.1, 1.0, np.inf, 100.0])
    clipped, scale = rnn_training.clip_by_norm(grads, max_norm, members=1)
    norms = rnn_training.global_norm(grads, members=1)
    after = rnn_training.global_norm(clipped, members=1)
    np.testing.assert_allclose(after, np.minimum(norms, max_norm), rtol=1e-14)
    for m in range(4):  # each member alone, as a single network
        one, s = rnn_training.clip_by_norm({k: g[m] for k, g in grads.items()}, max_norm[m])
        assert s == pytest.approx(scale[m], rel=1e-15)
        for k in grads:
            np.testing.assert_allclose(clipped[k][m], one[k], rtol=1e-15)


def test_global_norm_does_not_overflow():
    assert rnn_training.global_norm({"a": np.array([3e200, 4e200])}) == pytest.approx(5e200)


@pytest.mark.parametrize(
    "max_norm, message",
    [(0.0, "got 0.0"), (-1.0, "got -1.0"), (np.nan, "got nan")],
)
def test_clip_by_norm_rejects_a_bad_threshold(max_norm, message):
    with pytest.raises(ValueError, match="max_norm must be > 0.*" + message):
        rnn_training.clip_by_norm({"a": np.ones(2)}, max_norm)


def test_clip_by_norm_rejects_non_finite_grads():
    with pytest.raises(ValueError, match="grads must be finite"):
        rnn_training.clip_by_norm({"a": np.array([1.0, np.nan])}, 1.0)


def test_delay_task_and_bad_delay():
    xs, ys = rnn_training.delay_task(10, 3, np.random.default_rng(0))
    np.testing.assert_array_equal(ys[3:], (xs[:-3] + 1) / 2)
    assert np.all(ys[:3] == 0.5) and xs.shape == (10, 1)
    xs, ys = rnn_training.delay_task(10, 3, np.random.default_rng(0), members=4)
    assert xs.shape == ys.shape == (10, 4, 1)
    with pytest.raises(ValueError, match="delay"):
        rnn_training.delay_task(5, 5, np.random.default_rng(0))


@pytest.mark.parametrize("loss", rnn.LOSSES)
@pytest.mark.parametrize("k", [1, 3, 9])
def test_ensemble_step_is_bptt_of_each_member(loss, k):
    params = rnn_training.init_ensemble([0, 1, 2], 1, 5, 1, 0.9)
    xs, ys = rnn_training.delay_task(9, 3, np.random.default_rng(k), members=3)
    losses, grads = rnn_training.ensemble_step(params, xs, ys, k, loss, "tanh")
    for m in range(3):
        _, cache = rnn.forward(xs[:, m], **{n: p[m] for n, p in params.items()})
        value, expected = rnn.bptt_truncated(ys[:, m], cache, k, loss)
        assert losses[m] == pytest.approx(value, rel=1e-13)
        for name in rnn.PARAMS:
            assert rel_error(grads[name][m], expected[name]) < 1e-12


def lessons(seeds):
    """The chapter's settings on a few seeds: recall accuracy per setting, and the largest norms."""
    settings = {
        "full": (12, 0.2, np.inf),
        "k=5": (5, 0.2, np.inf),
        "k=2": (2, 0.2, np.inf),
        "plain": (12, 2.0, np.inf),
        "clipped": (12, 2.0, 0.15),
    }
    start = rnn_training.init_ensemble(list(seeds) * len(settings), 1, 8, 1, 0.5)
    k, eta, max_norm = (np.repeat(c, len(seeds)) for c in zip(*settings.values()))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        trained, losses, norms = rnn_training.train_ensemble(
            start, 4, 300, eta, np.random.default_rng(0), 12, k, max_norm
        )
    assert np.all(np.isfinite(losses)) and np.all(np.isfinite(norms))
    accuracy = rnn_training.recall_accuracy(trained, 4, np.random.default_rng(1))
    return dict(zip(settings, np.split(accuracy, len(settings))))


def test_the_chapters_lessons_hold_on_a_few_seeds():
    # Truncation: k = 2 < delay + 1 cannot learn, k = 5 and full BPTT do. Clipping: at eta = 2
    # the unclipped runs fail, the clipped ones learn. A clip_by_norm that returned its input, or
    # a truncation that reached back too far or not at all, breaks one of these.
    accuracy = lessons([2, 3, 4, 5])
    assert np.all(accuracy["full"] > 0.95) and np.all(accuracy["k=5"] > 0.95), accuracy
    assert np.all(accuracy["k=2"] < 0.8) and np.all(accuracy["plain"] < 0.8), accuracy
    assert np.all(accuracy["clipped"] > 0.95), accuracy


def test_training_keeps_the_start_and_stays_finite_at_a_huge_rate():
    start = rnn_training.init_ensemble([0, 1], 1, 4, 1, 2.0)
    trained, losses, norms = rnn_training.train_ensemble(
        start, 2, 20, 50.0, np.random.default_rng(0), T=10
    )
    assert np.all(np.isfinite(losses)) and np.all(np.isfinite(norms))
    assert all(np.all(np.isfinite(p)) for p in trained.values())
    assert not np.shares_memory(trained["W"], start["W"])
