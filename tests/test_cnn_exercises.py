"""The checkers of the CNN chapter: a right answer passes, a typical wrong one fails with a
message naming what is wrong."""

import re

import numpy as np
import pytest

from backprop import cnn, cnn_exercises, cnn_loops

ACTIVATIONS = ["sigmoid", "tanh", "relu"]

# --- chapter "CNN": the checkers of its exercises ----------------------------------------------


def kron_upsample(scale):
    """The mean-pool upsample with np.kron, each entry of a window getting delta * scale(s)."""
    return lambda delta, s: np.kron(delta, np.full((s, s), scale(s)))


def test_mean_upsample_checker_passes_the_kronecker_product():
    verdict = cnn_exercises.check_mean_upsample(kron_upsample(lambda s: 1 / s**2))
    assert verdict.ok and "s = 2 and s = 3" in str(verdict)


@pytest.mark.parametrize(
    "answer, expected",
    [
        (kron_upsample(lambda s: 1 / s), "it is 2 times the gradient"),  # divided by the side s
        (kron_upsample(lambda s: 1.0), "it is 4 times the gradient"),  # not divided at all
        (lambda d, s: np.kron(d, np.ones((s, 1))) / s, r"has shape \(6, 2\), expected \(6, 4\)"),
        (lambda d, s: d[5], "raised IndexError"),
    ],
)
def test_mean_upsample_checker_names_what_is_wrong(answer, expected):
    verdict = cnn_exercises.check_mean_upsample(answer)
    assert not verdict.ok
    assert re.search(expected, str(verdict)), str(verdict)


def test_tie_checker():
    truth = cnn_exercises.tie_derivatives()
    assert cnn_exercises.check_tie(**truth).ok
    assert cnn_exercises.check_tie(1.0, 0.0, 0.5, 1.0).ok
    swapped = cnn_exercises.check_tie(0.0, 1.0, 0.5, 1.0)
    assert not swapped.ok and "swapped" in str(swapped) and swapped.quantity == "right"
    central = cnn_exercises.check_tie(1.0, 0.0, 1.0, 1.0)
    assert not central.ok and "central = 1.0 is wrong: the central difference averages" in str(
        central
    )
    package = cnn_exercises.check_tie(1.0, 0.0, 0.5, 0.5)
    assert not package.ok and package.quantity == "package" and "first maximum" in str(package)


def input_gradient(delta, W, filters=None, flip=True):
    """(CONV-BP-a) with the 2-D operations: sum over ``filters`` (all by default) of
    pad(delta_q) ⋆ rot180(W_q,r), or ⋆ W_q,r if not ``flip``."""
    F, C, kh, kw = W.shape
    kernel = cnn.rot180(W) if flip else W
    return np.array(
        [
            sum(
                cnn_loops.cross_correlate2d(cnn.pad_full(delta[f], kh, kw), kernel[f, c])
                for f in (range(F) if filters is None else filters)
            )
            for c in range(C)
        ]
    )


def test_input_gradient_checker_passes_the_sum_over_filters():
    verdict = cnn_exercises.check_input_gradient(input_gradient)
    assert verdict.ok and str(verdict).startswith("right (rel error")


@pytest.mark.parametrize(
    "answer, expected",
    [
        (lambda d, W: input_gradient(d, W, filters=[0]), "filter 0 only: .* sum over q"),
        (lambda d, W: input_gradient(d, W, flip=False), r"uses W where rot180\(W\) belongs"),
        (lambda d, W: 2 * input_gradient(d, W), r"check \(CONV-BP-a\)"),
        (lambda d, W: input_gradient(d, W)[0], r"has shape \(5, 4\), expected \(2, 5, 4\)"),
        (lambda d, W: input_gradient(d, W) * np.nan, "NaN or inf"),
    ],
)
def test_input_gradient_checker_names_what_is_wrong(answer, expected):
    verdict = cnn_exercises.check_input_gradient(answer)
    assert not verdict.ok
    assert re.search(expected, str(verdict)), str(verdict)


# --- ex-conv-backward: the conv layer's backward pass from scratch ----------------------------


def package_conv_backward(delta, a, W):
    """The package's backward pass, as the reader's function is called."""
    return cnn.conv2d_backward(delta, cnn.conv2d_forward(a, W, np.zeros(W.shape[0]))[1])


def loop_conv_backward(delta, a, W):
    """An independent answer, entry by entry: every output position adds its delta times what it
    multiplied (the reader's loops)."""
    grad_a, grad_W = np.zeros_like(a), np.zeros_like(W)
    F, _, kh, kw = W.shape
    for q, i, j in np.ndindex(delta.shape):
        grad_a[:, i : i + kh, j : j + kw] += delta[q, i, j] * W[q]  # z_q[i,j] used a's window
        grad_W[q] += delta[q, i, j] * a[:, i : i + kh, j : j + kw]  # ... times W_q
    return grad_a, grad_W, delta.sum(axis=(1, 2))


@pytest.mark.parametrize("answer", [package_conv_backward, loop_conv_backward])
def test_a_right_conv_backward_passes(answer):
    verdict = cnn_exercises.check_conv_backward(answer)
    assert verdict.ok, verdict


def test_a_flipped_weight_gradient_is_named():
    def flipped(delta, a, W):
        grad_a, grad_W, grad_b = package_conv_backward(delta, a, W)
        return grad_a, cnn.rot180(grad_W), grad_b

    verdict = cnn_exercises.check_conv_backward(flipped)
    assert not verdict.ok and "dC/dW is wrong" in str(verdict) and "180 degrees" in str(verdict)


def test_a_bias_gradient_not_summed_over_positions_is_named_by_its_shape():
    verdict = cnn_exercises.check_conv_backward(
        lambda delta, a, W: (*package_conv_backward(delta, a, W)[:2], delta)
    )
    assert not verdict.ok and "dC/db has shape (3, 3, 3), expected (3,)" in str(verdict)


def test_a_wrong_input_gradient_and_a_wrong_return_are_named():
    def doubled(delta, a, W):
        grad_a, grad_W, grad_b = package_conv_backward(delta, a, W)
        return 2 * grad_a, grad_W, grad_b

    assert "dC/da is wrong" in str(cnn_exercises.check_conv_backward(doubled))
    assert "three arrays" in str(cnn_exercises.check_conv_backward(lambda *_: 1.0))
