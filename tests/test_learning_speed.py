"""The ensemble trainer of the MLP chapter's learning-speed lesson, and the lesson itself."""

import numpy as np
import pytest

from backprop import datasets, learning_speed, mlp
from backprop.gradcheck import numerical_gradient, rel_error

SIZES = [64, 30, 30, 30, 30, 10]  # the chapter's network


@pytest.fixture(scope="module")
def digits():
    return datasets.load_digits()


def mean_cost(weights, biases, x, y, activation):
    return mlp.cost(mlp.forward(weights, biases, x, activation)[1][-1], y) / x.shape[1]


def run(h, i, j):
    """The parameters of run (scale i, seed j) of a history, as plain lists."""
    return [W[i, j] for W in h.weights], [b[i, j] for b in h.biases]


def test_history_shapes_and_determinism(digits):
    images, labels = digits
    runs = [
        learning_speed.train(
            [64, 12, 12, 10], "sigmoid", [1.0, 2.0], [3, 4, 5], images, labels, 2, 20, 3.0
        )
        for _ in range(2)
    ]
    h = runs[0]
    assert h.grad_norms.shape == (3, 2, 3, 3)
    assert h.test_accuracy.shape == h.train_cost.shape == (3, 2, 3)
    assert h.weights[0].shape == (2, 3, 12, 64) and h.biases[2].shape == (2, 3, 10, 1)
    assert len(h.train_idx) + len(h.test_idx) == 1797 and len(h.test_idx) == round(0.2 * 1797)
    for name in ("grad_norms", "test_accuracy", "train_cost", "train_idx", "test_idx"):
        np.testing.assert_array_equal(getattr(h, name), getattr(runs[1], name))


def test_each_run_starts_from_its_seeds_network(digits):
    images, labels = digits
    h = learning_speed.train([64, 7, 10], "tanh", [0.5, 2.0], [1, 2], images, labels, 0, 10, 1.0)
    for i, scale in enumerate([0.5, 2.0]):
        for j, seed in enumerate([1, 2]):
            weights, biases = mlp.init_network([64, 7, 10], np.random.default_rng(seed), scale)
            got = run(h, i, j)
            assert all(np.array_equal(a, b) for a, b in zip(got[0] + got[1], weights + biases))


def test_recorded_speeds_and_accuracy_are_those_of_the_returned_networks(digits):
    images, labels = digits
    h = learning_speed.train(
        [64, 9, 8, 10], "tanh", [1.0], [2, 3], images, labels, 2, 10, 0.3, n_eval=50
    )
    x, y = images.reshape(-1, 64).T, datasets.one_hot(labels, 10)
    x_eval, y_eval = x[:, h.train_idx[:50]], y[:, h.train_idx[:50]]
    for j in range(2):
        weights, biases = run(h, 0, j)
        for l, b in enumerate(biases):  # ||dC/db^l|| of the mean cost, by finite differences
            slope = numerical_gradient(
                lambda _: mean_cost(weights, biases, x_eval, y_eval, "tanh"), b
            )
            assert h.grad_norms[-1, 0, j, l] == pytest.approx(np.linalg.norm(slope), rel=1e-6)
        out = mlp.forward(weights, biases, x[:, h.test_idx], "tanh")[1][-1]
        assert h.test_accuracy[-1, 0, j] == np.mean(out.argmax(axis=0) == labels[h.test_idx])
        assert h.train_cost[-1, 0, j] == pytest.approx(
            mean_cost(weights, biases, x_eval, y_eval, "tanh"), rel=1e-12
        )


def test_one_full_batch_epoch_is_one_step_down_the_mean_gradient(digits):
    images, labels = digits
    args = ([64, 7, 10], "sigmoid", [1.0], [5], images, labels)
    before = learning_speed.train(*args, 0, 1, 1.0)
    n = len(before.train_idx)
    after = learning_speed.train(*args, 1, n, 0.5)
    x = images.reshape(-1, 64).T[:, before.train_idx]
    y = datasets.one_hot(labels, 10)[:, before.train_idx]
    weights, biases = run(before, 0, 0)
    for l in range(2):
        params = [p.copy() for p in weights]
        slope = numerical_gradient(lambda _: mean_cost(params, biases, x, y, "sigmoid"), params[l])
        # dC/dW by central differences on a cost of ~1: agrees to ~1e-7 relative, not 1e-12
        assert rel_error(after.weights[l][0, 0], weights[l] - 0.5 * slope) < 1e-7


def test_a_diverging_run_is_nan_and_never_the_example(digits):
    images, labels = digits
    h = learning_speed.train(
        [64, 8, 10], "relu", [1.0, 30.0], [0, 1], images[:200], labels[:200], 2, 10, 50.0
    )
    summary = learning_speed.ensemble_summary(h, 1)
    assert summary["diverged"] + summary["dead"] == 2  # absurd eta and scale: nothing survives
    if summary["diverged"] == 2:
        with pytest.raises(ValueError, match="diverged"):
            learning_speed.example_run(h, 1)


def test_summary_counts_dead_and_diverged_apart_and_when_a_run_died():
    # 4 rows (before training, epochs 1-3), 1 scale, 4 seeds, 2 layers
    norms = np.ones((4, 1, 4, 2))
    norms[1:, 0, 1] = 0.0  # seed 1: dead from epoch 1 on
    norms[1, 0, 2], norms[3, 0, 2] = 0.0, 0.0  # seed 2: dead at epoch 1, revived, dead at 3
    norms[2:, 0, 3] = np.nan  # seed 3: diverged at epoch 2
    norms[1, 0, 0, 1] = 0.0  # seed 0: the output layer gets no gradient once: not dead
    accuracy = np.full((4, 1, 4), 0.6)
    cost = np.arange(16.0).reshape(4, 1, 4)
    h = learning_speed.TrainingHistory(norms, accuracy, cost, [], [], None, None)
    s = learning_speed.ensemble_summary(h, 0)
    assert s["died_at"].tolist() == [-1, 1, 3, -1]
    assert (s["dead"], s["diverged"], s["learned"]) == (2, 1, 4)
    assert s["cost"].tolist() == [12.0, 13.0, 14.0, 15.0]


# --- the chapter's lesson, on a few seeds (the chapter asserts it on 8) ----------------------


@pytest.fixture(scope="module")
def lesson(digits):
    images, labels = digits
    etas = {"sigmoid": 1.0, "tanh": 0.02, "relu": 0.01}
    return {
        a: learning_speed.train(
            SIZES, a, [1.0, 4.0], [0, 1, 2], images[:800], labels[:800], 10, 10, etas[a]
        )
        for a in etas
    }


def test_sigmoid_at_scale_1_first_layer_learns_100_times_slower_and_nothing_is_learned(lesson):
    s = learning_speed.ensemble_summary(lesson["sigmoid"], 0)
    assert np.all(s["worst_ratio"] < 1e-2), s["worst_ratio"]  # measured up to ~4e-3
    assert np.all(s["accuracy"] < 0.3) and s["learned"] == 0, s["accuracy"]
    assert np.all(np.abs(s["cost"] - 0.45) < 0.02), s["cost"]  # the constant output 0.1


def test_larger_weights_let_sigmoid_learn_and_tanh_learns_at_scale_1(lesson):
    s4 = learning_speed.ensemble_summary(lesson["sigmoid"], 1)
    assert np.median(s4["ratio"]) > 0.02 and s4["learned"] >= 2, s4
    t1 = learning_speed.ensemble_summary(lesson["tanh"], 0)
    assert np.median(t1["ratio"]) > 0.03 and np.all(t1["accuracy"] > 0.3), t1


def test_relu_at_scale_4_explodes_then_dies(lesson):
    s = learning_speed.ensemble_summary(lesson["relu"], 1)
    assert np.all(s["ratio"] > 10), s["ratio"]  # layer 1 starts ~60x faster than the output
    assert s["dead"] + s["diverged"] == 3 and s["learned"] == 0, s
    assert s["dead"] == 3 and np.all(s["died_at"] == 1), s  # every run dead after epoch 1


def test_example_run_is_the_median_run(lesson):
    h = lesson["tanh"]
    j = learning_speed.example_run(h, 0)
    assert h.test_accuracy[-1, 0, j] == np.sort(h.test_accuracy[-1, 0])[1]


@pytest.mark.parametrize(
    "change, message",
    [
        (dict(sizes=[63, 10]), "63 = sizes"),
        (dict(epochs=-1), "epochs"),
        (dict(batch_size=0), "batch_size"),
        (dict(eta=-1.0), "eta"),
        (dict(scales=[np.nan]), "scale"),
        (dict(activation="step"), "activation"),
        (dict(sizes=[64, 5, 9]), "labels must lie in 0..8"),
        (dict(test_fraction=1.0), "test_fraction"),
    ],
)
def test_train_rejects_bad_arguments(digits, change, message):
    images, labels = digits
    kwargs = dict(
        sizes=[64, 5, 10],
        activation="sigmoid",
        scales=[1.0],
        seeds=[0],
        images=images,
        labels=labels,
        epochs=1,
        batch_size=10,
        eta=1.0,
    )
    with pytest.raises(ValueError, match=message):
        learning_speed.train(**{**kwargs, **change})
