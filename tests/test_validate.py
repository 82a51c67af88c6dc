"""The shared checks of arguments: what they accept, and a ValueError naming the argument, the
rule and the value (an array: its shape) for everything else."""

import numpy as np
import pytest

from backprop import validate


@pytest.mark.parametrize("value", [1, 7, np.int64(3), np.int32(1)])
def test_positive_int_accepts_integers_from_one(value):
    validate.positive_int("n", value)


@pytest.mark.parametrize("value", [0, -2, 1.0, 2.5, True, "3", None, np.float64(2.0)])
def test_positive_int_names_the_argument_the_rule_and_the_value(value):
    with pytest.raises(ValueError) as error:
        validate.positive_int("batch_size", value)
    assert str(error.value) == f"batch_size must be an integer >= 1, got {value!r}"


def test_positive_int_takes_another_minimum():
    validate.positive_int("epochs", 0, minimum=0)
    with pytest.raises(ValueError, match="epochs must be an integer >= 0, got -1"):
        validate.positive_int("epochs", -1, minimum=0)
    with pytest.raises(ValueError, match=">= 2, got 1"):
        validate.positive_int("k", 1, minimum=2)


@pytest.mark.parametrize("value", [1e-300, 0.1, 3, np.float64(2.5), np.int64(4)])
def test_positive_accepts_finite_positive_numbers(value):
    validate.positive("eta", value)


@pytest.mark.parametrize("value", [0, 0.0, -0.5, np.nan, np.inf, -np.inf, True, "0.1", None])
def test_positive_names_the_argument_the_rule_and_the_value(value):
    with pytest.raises(ValueError) as error:
        validate.positive("eta", value)
    assert str(error.value) == f"eta must be a finite number > 0, got {value!r}"


def test_array_returns_a_float64_copy():
    given = np.arange(6, dtype=np.int32).reshape(2, 3)
    value = validate.array("x", given, (2, 3), "(N, D)")
    assert value.dtype == np.float64
    value[0, 0] = 9.0
    assert given[0, 0] == 0
    np.testing.assert_array_equal(validate.array("b", [1, 2], [2], "(H,)"), [1.0, 2.0])


@pytest.mark.parametrize(
    "value, message",
    [
        (np.zeros((3, 2)), "x must be (N, D) = (2, 3), got shape (3, 2)"),
        (np.zeros(6), "x must be (N, D) = (2, 3), got shape (6,)"),
        (5.0, "x must be (N, D) = (2, 3), got shape ()"),
        (np.full((2, 3), np.nan), "x must be finite, got NaN or inf"),
        (np.full((2, 3), -np.inf), "x must be finite, got NaN or inf"),
    ],
)
def test_array_names_the_expected_and_the_given_shape(value, message):
    with pytest.raises(ValueError) as error:
        validate.array("x", value, (2, 3), "(N, D)")
    assert str(error.value) == message
