"""The digits data set and the helpers that feed it to a network."""

from importlib import resources

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from backprop import datasets


@pytest.fixture(scope="module")
def digits():
    return datasets.load_digits()


def test_the_file_ships_inside_the_package_with_its_readme():
    data = resources.files("backprop") / "data"
    assert (data / "digits.csv.gz").is_file()
    readme = (data / "README.md").read_text(encoding="utf-8")
    for fact in ("CC BY 4.0", "Alpaydin", "Kaynak", "UCI", "10.24432/C50P49", "1797"):
        assert fact in readme


def test_shapes_and_types(digits):
    images, labels = digits
    assert images.shape == (1797, 8, 8) and images.dtype == np.float64
    assert labels.shape == (1797,) and np.issubdtype(labels.dtype, np.integer)


def test_pixels_are_counts_of_16_scaled_to_the_unit_interval(digits):
    images, _ = digits
    assert images.min() == 0.0 and images.max() == 1.0
    counts = images * 16
    np.testing.assert_array_equal(counts, np.round(counts))  # every pixel is k/16 for an integer k


def test_all_ten_digits_about_180_times_each(digits):
    _, labels = digits
    counts = np.bincount(labels, minlength=10)
    assert len(counts) == 10 and counts.sum() == 1797
    assert np.all((counts >= 170) & (counts <= 190))


def test_loading_twice_gives_the_same_arrays(digits):
    images, labels = datasets.load_digits()
    np.testing.assert_array_equal(images, digits[0])
    np.testing.assert_array_equal(labels, digits[1])


def test_labels_belong_to_their_images(digits):
    # A shifted column would pair images with the wrong labels; then the nearest class
    # mean (learned on one half) would do no better than chance (10%) on the other half.
    images, labels = digits
    x = images.reshape(len(images), -1)
    train, test = datasets.train_test_split(len(x), 0.5, np.random.default_rng(0))
    means = np.array([x[train][labels[train] == k].mean(axis=0) for k in range(10)])
    nearest = np.argmin(((x[test][:, None, :] - means[None]) ** 2).sum(axis=2), axis=1)
    assert np.mean(nearest == labels[test]) > 0.85


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(0, 9), min_size=1, max_size=40))
def test_one_hot_puts_a_single_one_in_each_column_at_the_label(labels):
    y = datasets.one_hot(np.array(labels), 10)
    assert y.shape == (10, len(labels)) and y.dtype == np.float64
    np.testing.assert_array_equal(y.sum(axis=0), 1.0)
    np.testing.assert_array_equal(y.argmax(axis=0), labels)
    assert set(np.unique(y)) <= {0.0, 1.0}


@pytest.mark.parametrize(
    "labels, message",
    [
        (np.array([0, 10]), "0..9"),
        (np.array([-1, 2]), "0..9"),
        (np.array([0.0, 1.0]), "integer"),
        (np.array([[0, 1]]), "1-d"),
    ],
)
def test_one_hot_rejects_bad_labels(labels, message):
    with pytest.raises(ValueError, match=message):
        datasets.one_hot(labels, 10)


@settings(max_examples=30, deadline=None)
@given(st.integers(2, 500), st.floats(0.05, 0.95), st.integers(0, 2**32 - 1))
def test_split_is_a_partition_of_the_indices(n, fraction, seed):
    n_test = round(fraction * n)
    assume(0 < n_test < n)  # the other cases: test_split_rejects_empty_sides
    train, test = datasets.train_test_split(n, fraction, np.random.default_rng(seed))
    assert len(test) == n_test and len(train) == n - n_test
    np.testing.assert_array_equal(np.sort(np.concatenate([train, test])), np.arange(n))


def test_split_is_deterministic_in_the_rng_and_random_across_seeds():
    a = datasets.train_test_split(1797, 0.2, np.random.default_rng(7))
    b = datasets.train_test_split(1797, 0.2, np.random.default_rng(7))
    c = datasets.train_test_split(1797, 0.2, np.random.default_rng(8))
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[1], c[1])
    assert not np.array_equal(np.sort(a[1]), np.arange(len(a[1])))  # shuffled, not the first rows


@pytest.mark.parametrize(
    "n, fraction, message",
    [
        (10, 0.0, "strictly between"),
        (10, 1.0, "strictly between"),
        (3, 0.1, "at least one"),
        (3, 0.9, "at least one"),
    ],
)
def test_split_rejects_empty_sides(n, fraction, message):
    with pytest.raises(ValueError, match=message):
        datasets.train_test_split(n, fraction, np.random.default_rng(0))
