"""training.sgd_epoch, the one SGD loop: each index once per epoch in a shuffled order, in batches,
the update theta <- theta - eta/m * sum of the batch's gradients, and a loss that goes down."""

import numpy as np
import pytest

from backprop.training import sgd_epoch


@pytest.mark.parametrize("seed", range(4))
def test_a_quadratic_goes_down_every_epoch_towards_its_minimum(seed):
    # C(theta) = 1/2 sum_i ||theta - x_i||^2 over the columns x_i of points (3, 50); the gradient
    # of a batch is sum over its examples of (theta - x_i); the minimum is at the mean.
    rng = np.random.default_rng(seed)
    points, theta = rng.normal(size=(3, 50)), rng.normal(size=(3, 1)) + 1000  # far away

    def cost(t):
        return 0.5 * np.sum((t - points) ** 2)

    def gradients(batch):
        return [np.sum(theta - points[:, batch], axis=1, keepdims=True)]

    excess = [cost(theta) - cost(points.mean(axis=1, keepdims=True))]
    for _ in range(3):  # each epoch: 5 steps that shrink theta - mean by about 1 - eta
        sgd_epoch([theta], gradients, np.arange(50), batch_size=10, eta=0.3, rng=rng)
        excess.append(cost(theta) - cost(points.mean(axis=1, keepdims=True)))
    assert np.all(np.diff(excess) < 0), excess
    assert excess[-1] < 1e-3 * excess[0], excess


def record(batches):
    """A gradients function that records the batches it is asked for and returns zeros."""

    def gradients(batch):
        batches.append(batch)
        return [np.zeros(1)]

    return gradients


@pytest.mark.parametrize("n, batch_size", [(10, 3), (12, 4), (7, 7), (5, 50)])
def test_every_index_once_per_epoch_in_batches_of_the_size_asked(n, batch_size):
    indices = np.arange(100, 100 + n)  # e.g. the training half of a split
    rng = np.random.default_rng(0)
    orders = []
    for _ in range(3):
        batches = []
        sgd_epoch([np.zeros(1)], record(batches), indices, batch_size, 0.1, rng)
        assert [len(b) for b in batches[:-1]] == [batch_size] * (len(batches) - 1)
        assert 0 < len(batches[-1]) <= batch_size
        order = np.concatenate(batches)
        np.testing.assert_array_equal(np.sort(order), indices)
        orders.append(order)
    if n > 5:
        assert not np.array_equal(orders[0], orders[1])  # shuffled anew each epoch


def test_each_step_is_eta_over_its_batch_size_times_the_summed_gradient():
    # every example's gradient is 2 (w) and -1 (b), so a batch of m sums to 2m and -m and each
    # step moves by eta * 2 and eta * (-1), whether the batch is full (3) or the last one (1)
    w, b = np.ones((2, 3)), np.zeros((2, 1))
    w_id, b_id = id(w), id(b)
    batches = []

    def gradients(batch):
        batches.append(len(batch))
        return [np.full((2, 3), 2.0 * len(batch)), np.full((2, 1), -1.0 * len(batch))]

    sgd_epoch([w, b], gradients, np.arange(4), 3, 0.5, np.random.default_rng(0))
    assert batches == [3, 1]
    np.testing.assert_allclose(w, 1 - 2 * 0.5 * 2.0, rtol=0, atol=1e-15)  # two steps of eta * 2
    np.testing.assert_allclose(b, 2 * 0.5 * 1.0, rtol=0, atol=1e-15)
    assert (id(w), id(b)) == (w_id, b_id)  # updated in place


def test_the_order_is_drawn_from_the_rng():
    def order(seed):
        batches = []
        sgd_epoch(
            [np.zeros(1)], record(batches), np.arange(20), 5, 0.1, np.random.default_rng(seed)
        )
        return np.concatenate(batches)

    np.testing.assert_array_equal(order(3), order(3))
    assert not np.array_equal(order(3), order(4))
