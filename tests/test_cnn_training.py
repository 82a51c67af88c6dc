"""Tests of backprop.cnn_training: the small CNN's backward pass against finite differences for
every activation, pool size and mode; training uses (and records) the layers it was given; and
the chapter's lesson (every run learns the digits) on a few seeds."""

import numpy as np
import pytest

from backprop import cnn_training, datasets
from backprop.gradcheck import numerical_gradient
from gradients import assert_gradient

#: the chapter's run (book/cnn.md, "A small CNN, trained end to end") and its lesson's bounds
CHAPTER_RUN = {"epochs": 3, "batch_size": 20, "eta": 2.0, "activation": "tanh", "filters": 8}
LEARNED, CHANCE_BOUND = 0.85, 0.25


@pytest.fixture(scope="module")
def digits():
    return datasets.load_digits()


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
@pytest.mark.parametrize("pool, mode", [(2, "max"), (2, "mean"), (4, "max"), (4, "mean")])
def test_small_cnn_backward_matches_finite_differences(activation, pool, mode):
    rng = np.random.default_rng(7)
    params = cnn_training.init_small_cnn(rng, filters=3, kernel=3, image=6, pool=pool, n_out=4)
    params["b"] = rng.standard_normal(3) * 0.1  # ReLU: keep z1 away from 0 (no derivative there)
    images = rng.random((3, 6, 6))
    y = datasets.one_hot(np.array([0, 3, 1]), 4)
    layers = {"activation": activation, "pool": pool, "mode": mode}

    def cost(_):
        return 0.5 * np.sum((cnn_training.small_cnn_forward(params, images, **layers)[0] - y) ** 2)

    cache = cnn_training.small_cnn_forward(params, images, **layers)[1]
    grads, delta1 = cnn_training.small_cnn_backward(params, cache, y)
    assert delta1.shape == (3, 3, 4, 4)
    for name, param in params.items():
        assert_gradient(grads[name], numerical_gradient(cost, param, 1e-5))


def test_init_small_cnn_rejects_maps_that_do_not_divide_by_the_pool():
    with pytest.raises(ValueError, match="divide by pool=2"):
        cnn_training.init_small_cnn(np.random.default_rng(0), kernel=2, image=8)


def test_training_uses_and_records_the_pool_mode_and_activation_it_was_given(digits):
    """Issue 12: train_small_cnn(pool=3) built a 3×3-pooled network but trained and evaluated it
    with 2×2 max pooling (a shape error), and could not be given mean pooling at all.

    One epoch with one batch is one gradient step: it must be the step of the layers given."""
    images, labels = digits[0][:100], digits[1][:100]
    layers = {"activation": "sigmoid", "pool": 3, "mode": "mean"}
    history = cnn_training.train_small_cnn(
        images,
        labels,
        np.random.default_rng(0),
        epochs=1,
        batch_size=80,
        eta=3.0,
        filters=2,
        **layers,
    )
    assert history["layers"] == layers
    before, after = history["snapshots"]
    train = np.setdiff1d(np.arange(100), history["test_idx"])
    _, cache = cnn_training.small_cnn_forward(before, images[train], **layers)
    grads, _ = cnn_training.small_cnn_backward(before, cache, datasets.one_hot(labels[train], 10))
    for name in before:
        np.testing.assert_allclose(after[name], before[name] - 3.0 / 80 * grads[name], atol=1e-12)
    test = history["test_idx"]
    assert history["test_accuracy"][1] == cnn_training.accuracy(
        after, images[test], labels[test], layers
    )


def test_small_cnn_forward_has_no_default_layers():
    params = cnn_training.init_small_cnn(np.random.default_rng(0))
    with pytest.raises(TypeError):
        cnn_training.small_cnn_forward(params, np.zeros((1, 8, 8)), "tanh")


def test_training_is_reproducible(digits):
    runs = [
        cnn_training.train_small_cnn(*digits, np.random.default_rng(3), epochs=1, filters=4)
        for _ in range(2)
    ]
    assert len(runs[0]["snapshots"]) == 2 and len(runs[0]["test_accuracy"]) == 2
    assert runs[0]["test_accuracy"] == runs[1]["test_accuracy"]
    assert runs[0]["test_accuracy"][1] > runs[0]["test_accuracy"][0]


@pytest.mark.parametrize("seed", [0, 5, 11])
def test_the_chapters_lesson_every_run_learns_the_digits(digits, seed):
    """The chapter's ensemble claim, seed by seed: near chance before training, at least
    LEARNED after CHAPTER_RUN's epochs (16 seeds tried: all end between 0.91 and 0.98)."""
    history = cnn_training.train_small_cnn(*digits, np.random.default_rng(seed), **CHAPTER_RUN)
    assert history["test_accuracy"][0] < CHANCE_BOUND
    assert history["test_accuracy"][-1] >= LEARNED
