"""Learning speed per layer (Nielsen, ch. 5): an ensemble of networks trained side by side.

The speed of learning of layer l is ||dC/db^l|| for the mean cost over the training split
((BP3): the batch's delta^l). :func:`train` trains one network for every (scale, seed) pair at
once: the parameters of all of them are stacked on a leading axis (S = scales x seeds), so one
call of :func:`backprop.mlp.forward` / :func:`backprop.mlp.backward` serves the whole ensemble.
Seed s draws the initial parameters (``mlp.init_network(sizes, default_rng(s), scale)``: the
same directions at every scale); ``data_seed`` draws the split and each network's own order of
the examples in every epoch. Layers are numbered 1 to L; arrays hold layer l at index l - 1.
"""

from dataclasses import dataclass

import numpy as np

from backprop import datasets, mlp, training, validate
from backprop.memory import kept


@dataclass
class TrainingHistory:
    """What :func:`train` records. Row 0 is before training, row e after epoch e.

    grad_norms: (epochs + 1, n_scales, n_seeds, L); [..., l-1] is ||dC/db^l|| for the mean
    cost over the evaluation batch (part of the training split): the speed of learning of layer l.
    A run whose parameters overflowed (diverged) has NaN entries from then on.
    test_accuracy, train_cost: (epochs + 1, n_scales, n_seeds); the fraction of the test split
    whose argmax a^L is the label, and the quadratic cost per example on the evaluation batch.
    weights, biases: the trained parameters, W^l of shape (n_scales, n_seeds, n_l, n_{l-1}).
    train_idx, test_idx: the split, indices into the images given to :func:`train`.
    """

    grad_norms: np.ndarray
    test_accuracy: np.ndarray
    train_cost: np.ndarray
    weights: list
    biases: list
    train_idx: np.ndarray
    test_idx: np.ndarray


def _columns(images, labels, sizes):
    """Images (N, ...) as columns x (n_0, N) and labels (N,) as targets y (n_L, N)."""
    images = np.asarray(images, dtype=np.float64)
    labels = np.asarray(labels)
    if images.ndim < 2 or images[0].size != sizes[0] or len(labels) != len(images):
        raise ValueError(
            f"need images of shape (N, ...) with {sizes[0]} = sizes[0] pixels each "
            f"and N labels, got images {images.shape} and labels {labels.shape}"
        )
    if not np.all(np.isfinite(images)):
        raise ValueError("images must be finite, got NaN or inf")
    return images.reshape(len(images), -1).T, datasets.one_hot(labels, sizes[-1])


def init_stack(sizes, scales, seeds):
    """``(weights, biases)`` of S = len(scales) * len(seeds) networks stacked on axis 0.

    Network (i, j), at stack index i * len(seeds) + j, is ``mlp.init_network(sizes,
    default_rng(seeds[j]), scales[i])``; W^l is (S, n_l, n_{l-1}), b^l is (S, n_l, 1).
    """
    for scale in scales:
        validate.positive("scale", scale)
    nets = [
        mlp.init_network(sizes, np.random.default_rng(seed), scale)
        for scale in scales
        for seed in seeds
    ]
    return [np.stack(layer) for layer in zip(*(w for w, _ in nets))], [
        np.stack(layer) for layer in zip(*(b for _, b in nets))
    ]


def _forward_stack(weights, biases, x, activation):
    """mlp.forward of every network of the stack on the shared columns x (n_0, m)."""
    x = np.repeat(x[None], len(weights[0]), axis=0)  # (S, n_0, m): a stacked matmul is fast
    return mlp.forward(weights, biases, x, activation)


def speeds(weights, biases, x, y, activation):
    """Per network of the stack, ``(speeds, cost)`` on the shared columns x (n_0, m), y (n_L, m):
    speeds (S, L) is ||dC/db^l|| of the mean cost (the speed of learning of layer l), cost (S,)
    the quadratic cost per example."""
    zs, activations = _forward_stack(weights, biases, x, activation)
    y_stack = np.broadcast_to(y, activations[-1].shape)
    _, _, grad_b = mlp.backward(weights, zs, activations, y_stack)
    m = x.shape[-1]
    norms = [np.linalg.norm(g, axis=(-2, -1)) / m for g in grad_b]  # ||1/m sum_x dC_x/db^l||
    return np.stack(norms, axis=-1), mlp.cost(activations[-1], y_stack) / m


def accuracy(weights, biases, x, labels, activation):
    """Per network of the stack, the fraction of the columns of x whose argmax a^L is the label;
    shape (S,)."""
    out = _forward_stack(weights, biases, x, activation)[1][-1]  # (S, n_L, m)
    right = np.mean(out.argmax(axis=-2) == labels, axis=-1)
    return np.where(np.isfinite(out).all(axis=(-2, -1)), right, np.nan)  # NaN: diverged


def _sgd_epoch(weights, biases, x, y, batch_size, eta, activation, rng):
    """One epoch of mini-batch SGD for every network of the stack, each in its own order."""
    n_nets, n = weights[0].shape[0], x.shape[1]
    orders = rng.permuted(np.tile(np.arange(n), (n_nets, 1)), axis=1)  # (S, n)

    def gradients(batch):  # [dC/dW^1, ..., dC/db^L] of each network on its batch, stacked
        picked = orders[:, batch]  # (S, B): the examples network s sees
        xb, yb = (np.swapaxes(v.T[picked], -1, -2) for v in (x, y))  # (S, n_0, B), (S, n_L, B)
        zs, activations = mlp.forward(weights, biases, xb, activation)
        _, grad_w, grad_b = mlp.backward(weights, zs, activations, yb)
        return grad_w + grad_b

    training.sgd_epoch(weights + biases, gradients, np.arange(n), batch_size, eta, rng)


@kept  # the same result in every edition's execution (backprop.memory)
def train(
    sizes,
    activation,
    scales,
    seeds,
    images,
    labels,
    epochs,
    batch_size,
    eta,
    data_seed=0,
    test_fraction=0.2,
    n_eval=200,
):
    """Mini-batch SGD on the quadratic cost for every (scale, seed); a :class:`TrainingHistory`.

    images: (N, ...) with sizes[0] pixels each; labels: (N,) integers in 0..sizes[-1]-1.
    The speeds and the cost are measured on the evaluation batch, the first ``n_eval`` examples
    of the training split. The same arguments give the same history.
    """
    validate.positive_int("epochs", epochs, minimum=0)
    validate.positive_int("batch_size", batch_size)
    validate.positive("eta", eta)
    weights, biases = init_stack(sizes, scales, seeds)
    x, y = _columns(images, labels, sizes)
    rng = np.random.default_rng(data_seed)
    train_idx, test_idx = datasets.train_test_split(x.shape[1], test_fraction, rng)
    x_train, y_train = x[:, train_idx], y[:, train_idx]
    x_eval, y_eval = x_train[:, :n_eval], y_train[:, :n_eval]
    x_test, labels_test = x[:, test_idx], y[:, test_idx].argmax(axis=0)
    rows = []
    for epoch in range(epochs + 1):  # row 0: before training
        with np.errstate(over="ignore", invalid="ignore"):  # a diverging network becomes NaN
            if epoch > 0:
                _sgd_epoch(weights, biases, x_train, y_train, batch_size, eta, activation, rng)
            norms, cost = speeds(weights, biases, x_eval, y_eval, activation)
            right = accuracy(weights, biases, x_test, labels_test, activation)
        rows.append((norms, right, cost))
    shape = (epochs + 1, len(scales), len(seeds))
    grad_norms, test_accuracy, train_cost = (
        np.array(column).reshape(shape + np.shape(column[0])[1:]) for column in zip(*rows)
    )
    unstack = [p.reshape((len(scales), len(seeds)) + p.shape[1:]) for p in weights + biases]
    L = len(weights)
    return TrainingHistory(
        grad_norms, test_accuracy, train_cost, unstack[:L], unstack[L:], train_idx, test_idx
    )


def example_run(history, i):
    """The run drawn as the example at scale index i: the index of the seed whose final test
    accuracy is the median of the runs that did not diverge (the lower one of an even count)."""
    final = history.test_accuracy[-1, i]  # (n_seeds,)
    finite = np.flatnonzero(np.isfinite(history.grad_norms[:, i]).all(axis=(0, -1)))
    if finite.size == 0:
        raise ValueError(f"every run at scale index {i} diverged: no example to draw")
    ranked = finite[np.argsort(final[finite], kind="stable")]
    return int(ranked[(len(ranked) - 1) // 2])


def ensemble_summary(history, i, learned=0.5):
    """What the ensemble at scale index i shows, over its n_seeds runs: a dict of
    ``ratio`` (n_seeds,): layer 1's speed over the output layer's before training;
    ``worst_ratio`` (n_seeds,): the largest of that ratio over the epochs;
    ``accuracy`` (n_seeds,): the final test accuracy (NaN if the run diverged);
    ``cost`` (n_seeds,): the final cost per example on the evaluation batch;
    ``died_at`` (n_seeds,): the first epoch from which the run is dead (every speed exactly 0)
    in every later epoch, -1 for a run not dead at the end;
    ``learned``, ``dead``, ``diverged``: how many runs end above ``learned`` accuracy, dead, or
    with non-finite parameters (a diverged run has NaN speeds: never counted as dead)."""
    norms = history.grad_norms[:, i]  # (epochs + 1, n_seeds, L)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = norms[..., 0] / norms[..., -1]  # speed of layer 1 / speed of layer L
    final = history.test_accuracy[-1, i]
    dead = np.all(norms == 0, axis=-1)  # (epochs + 1, n_seeds): no layer gets any gradient
    dead_since = np.logical_and.accumulate(dead[::-1], axis=0)[::-1]  # dead from epoch e on
    return {
        "ratio": ratios[0],
        "worst_ratio": np.fmax.reduce(ratios, axis=0),  # NaN entries (0/0, diverged) skipped
        "accuracy": final,
        "cost": history.train_cost[-1, i],
        "died_at": np.where(dead_since[-1], dead_since.argmax(axis=0), -1),
        "learned": int(np.sum(final > learned)),
        "dead": int(np.sum(dead_since[-1])),
        "diverged": int(np.sum(~np.isfinite(norms).all(axis=(0, -1)))),
    }
