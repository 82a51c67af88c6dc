"""A small real data set for the course: handwritten digits, 8x8 pixels.

The file ``data/digits.csv.gz`` is the test set of the UCI *Optical Recognition of
Handwritten Digits* data set (Alpaydin & Kaynak 1998, CC BY 4.0), as scikit-learn
ships it; ``data/README.md`` states its source, licence and format. It is read with
``importlib.resources``, so it is found wherever the package is installed.

Shapes follow the course: one example per column, so a batch of images is fed to
:func:`backprop.mlp.forward` as ``images.reshape(m, 64).T``, shape (64, m), and its
targets are ``one_hot(labels, 10)``, shape (10, m).
"""

import gzip
from importlib import resources

import numpy as np

DIGITS_FILE = "digits.csv.gz"
N_DIGITS = 1797  # rows of the file
PIXEL_MAX = 16  # each pixel counts the "on" bits of a 4x4 block: 0..16


def load_digits():
    """The 1797 digits as ``(images, labels)``.

    images: float64, shape (1797, 8, 8), pixel / 16 so every value lies in [0, 1];
    labels: int64, shape (1797,), the digit 0..9 each image shows.
    """
    path = resources.files("backprop") / "data" / DIGITS_FILE
    with path.open("rb") as raw, gzip.open(raw, "rt") as text:
        table = np.loadtxt(text, delimiter=",", dtype=np.int64)
    if table.shape != (N_DIGITS, 65):
        raise ValueError(
            f"{DIGITS_FILE} must hold {N_DIGITS} rows of 64 pixels and a label, "
            f"got shape {table.shape}"
        )
    images = table[:, :64].reshape(N_DIGITS, 8, 8) / PIXEL_MAX
    labels = table[:, 64]
    return images, labels


def one_hot(labels, n_classes):
    """The targets y as columns: y[k, i] = 1 if labels[i] == k else 0.

    labels: integers in 0..n_classes-1, shape (m,). Returns float64 of shape (n_classes, m).
    """
    labels = np.asarray(labels)
    if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(
            f"labels must be a 1-d integer array, got dtype {labels.dtype} and shape {labels.shape}"
        )
    if labels.size and (labels.min() < 0 or labels.max() >= n_classes):
        raise ValueError(
            f"labels must lie in 0..{n_classes - 1}, "
            f"got values from {labels.min()} to {labels.max()}"
        )
    y = np.zeros((n_classes, labels.size))
    y[labels, np.arange(labels.size)] = 1.0
    return y


def train_test_split(n, test_fraction, rng):
    """A random split of the indices 0..n-1 into ``(train_idx, test_idx)``.

    round(test_fraction * n) indices go to the test set, the rest to the training set;
    both are int arrays, disjoint, together a permutation of 0..n-1, each non-empty.
    ``rng`` is a ``numpy.random.Generator``.
    """
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must lie strictly between 0 and 1, got {test_fraction}")
    n_test = int(round(test_fraction * n))
    if not 0 < n_test < n:
        raise ValueError(
            f"need at least one training and one test index, got n={n} "
            f"and test_fraction={test_fraction} ({n_test} test indices)"
        )
    order = rng.permutation(n)
    return order[n_test:], order[:n_test]
