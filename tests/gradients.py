"""The test suite's assertion for "this gradient matches finite differences": the package's one
rule, :func:`backprop.gradcheck.matches`, with a message that shows the sizes of the errors."""

import numpy as np

from backprop.gradcheck import matches, rel_error


def assert_gradient(analytic, numeric):
    """Fail unless ``gradcheck.matches(analytic, numeric)``; the message gives both errors."""
    assert analytic.shape == numeric.shape, (analytic.shape, numeric.shape)
    assert matches(analytic, numeric), (
        f"rel error {rel_error(analytic, numeric):.2e}, "
        f"max abs error {np.max(np.abs(analytic - numeric)):.2e}"
    )
