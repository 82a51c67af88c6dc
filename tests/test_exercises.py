"""What the checkers share: a reader's exception is reported with its line, a wrong shape or a
non-finite answer is named."""

import numpy as np

from backprop.exercises import Verdict, as_expected, call


def test_call_returns_the_result_or_the_line_that_raised():
    assert call(lambda x: 2 * x, 3) == (6, None)

    def broken(x):
        return x["missing"]

    result, verdict = call(broken, {})
    assert result is None and isinstance(verdict, Verdict) and not verdict.ok
    assert "raised KeyError: 'missing'" in str(verdict) and 'return x["missing"]' in str(verdict)


def test_as_expected_names_a_wrong_shape_and_non_finite_entries():
    want = np.zeros((2, 3))
    assert as_expected(np.ones((2, 3)), want, "grad") is None
    assert "grad has shape (3, 2), expected (2, 3)" in str(
        as_expected(np.ones((3, 2)), want, "grad")
    )
    assert "NaN or inf" in str(as_expected(np.full((2, 3), np.nan), want, "grad"))
    assert "is not an array of numbers" in str(as_expected([[1.0], [1.0, 2.0]], want, "grad"))
    assert "is not an array of numbers: None" in str(as_expected(None, want, "grad"))
