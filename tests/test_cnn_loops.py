"""Tests of backprop.cnn_loops beyond what tests/test_cnn.py checks of both forms: the 2-D
cross-correlation and convolution against numpy, the notes' rot180 formulas read both ways
against finite differences, and the helpers' ValueErrors."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop import cnn, cnn_loops
from backprop.gradcheck import numerical_gradient, rel_error
from gradients import assert_gradient
from test_cnn import EPS, conv_cases, random_conv

A = np.zeros((2, 5, 5))  # one sample, C = 2


def test_cross_correlate2d_matches_numpy_correlate_on_rows():
    rng = np.random.default_rng(0)
    x, k = rng.standard_normal(9), rng.standard_normal(4)
    np.testing.assert_allclose(
        cnn_loops.cross_correlate2d(x[None], k[None])[0], np.correlate(x, k, "valid"), rtol=1e-12
    )


def test_cross_correlate2d_of_outer_products_is_outer_product_of_1d_correlations():
    rng = np.random.default_rng(1)
    p, q, r, s = (rng.standard_normal(m) for m in (6, 5, 3, 2))
    expected = np.outer(np.correlate(p, r, "valid"), np.correlate(q, s, "valid"))
    np.testing.assert_allclose(
        cnn_loops.cross_correlate2d(np.outer(p, q), np.outer(r, s)), expected, rtol=1e-12
    )


def test_convolve2d_is_true_convolution_and_commutes():
    rng = np.random.default_rng(2)
    x, k = rng.standard_normal(8), rng.standard_normal(3)
    expected = np.convolve(x, k, "valid")  # numpy's convolve flips the kernel
    np.testing.assert_allclose(cnn_loops.convolve2d(x[None], k[None])[0], expected, rtol=1e-12)
    np.testing.assert_allclose(cnn_loops.convolve2d(k[None], x[None])[0], expected, rtol=1e-12)


# ---------------------------------------------------------------- the notes' rot180 formulas


def true_convolution_forward(a, W_true, b):
    """z = a ⊛ W' + b (flipped kernel) = a ⋆ rot180(W') + b."""
    return cnn.conv2d_forward(a, cnn.rot180(W_true), b)[0]


@settings(max_examples=15, deadline=None)
@conv_cases
def test_notes_weight_gradient_is_right_only_for_a_true_convolution_forward(
    n, C, F, kh, kw, dh, dw, seed
):
    rng = np.random.default_rng(seed)
    a, W, b = random_conv(rng, n, C, F, kh, kw, dh, dw)
    G = rng.standard_normal(cnn.conv2d_forward(a, W, b)[0].shape)
    num_W = numerical_gradient(lambda x: np.sum(cnn.conv2d_forward(a, x, b)[0] * G), W, EPS)
    num_W_true = numerical_gradient(lambda x: np.sum(true_convolution_forward(a, x, b) * G), W, EPS)
    readings = cnn_loops.weight_gradient_readings(a, G)
    assert_gradient(readings["a ⋆ delta"], num_W)
    assert_gradient(readings["delta ⊛ rot180(a)"], num_W_true)
    assert_gradient(readings["delta ⊛ rot180(a)"], cnn.rot180(num_W))
    a4, G4 = (a[None], G[None]) if n is None else (a, G)
    a_conv_delta = np.zeros_like(W)  # the cross-correlation reading equals rot180(a ⊛ delta)
    for m, f, c in np.ndindex(a4.shape[0], F, C):
        a_conv_delta[f, c] += cnn_loops.convolve2d(a4[m, c], G4[m, f])
    np.testing.assert_allclose(
        readings["rot180(a) ⋆ delta"], cnn.rot180(a_conv_delta), rtol=1e-12, atol=1e-12
    )


def test_notes_weight_gradient_differs_from_the_gradient_of_this_module():
    rng = np.random.default_rng(5)
    a, W, b = random_conv(rng, 2, 2, 3, 3, 2, 3, 4)
    z, cache = cnn.conv2d_forward(a, W, b)
    G = rng.standard_normal(z.shape)
    grad_W = cnn.conv2d_backward(G, cache)[1]
    readings = cnn_loops.weight_gradient_readings(a, G)
    assert rel_error(readings["delta ⊛ rot180(a)"], grad_W) > 0.1
    assert rel_error(readings["rot180(a) ⋆ delta"], grad_W) > 0.1
    assert rel_error(readings["rot180(a) ⋆ delta"], cnn.rot180(grad_W)) > 0.1


def test_notes_delta_formula_holds_for_a_true_convolution_forward_too():
    """With z = a ⊛ W' + b, dC/da = full(delta) ⊛ rot180(W'): the notes' formula with * = ⊛."""
    rng = np.random.default_rng(6)
    a, W_true, b = random_conv(rng, None, 2, 3, 3, 2, 2, 3)
    G = rng.standard_normal(true_convolution_forward(a, W_true, b).shape)
    expected = np.zeros_like(a)
    for f, c in np.ndindex(3, 2):
        expected[c] += cnn_loops.convolve2d(cnn.pad_full(G[f], 3, 2), cnn.rot180(W_true[f, c]))
    num_a = numerical_gradient(lambda x: np.sum(true_convolution_forward(x, W_true, b) * G), a, EPS)
    assert_gradient(expected, num_a)


@pytest.mark.parametrize(
    "call, message",
    [
        (
            lambda: cnn_loops.cross_correlate2d(np.zeros((3, 3)), np.zeros((4, 1))),
            r"got x \(3, 3\) and k \(4, 1\)",
        ),
        (
            lambda: cnn_loops.cross_correlate2d(np.zeros((1, 3, 3)), np.zeros((2, 2))),
            r"got x \(1, 3, 3\) and k \(2, 2\)",
        ),
        (
            lambda: cnn_loops.convolve2d(np.zeros((4, 2)), np.zeros((2, 4))),
            r"got x \(4, 2\) and k \(2, 4\)",
        ),
        (
            lambda: cnn_loops.weight_gradient_readings(A, np.zeros((1, 4, 3, 3))),
            r"delta must have the rank and N of a \(2, 5, 5\).*got shape \(1, 4, 3, 3\)",
        ),
        (
            lambda: cnn_loops.weight_gradient_readings(A, np.zeros((4, 6, 3))),
            r"Ho <= H and Wo <= W, got shape \(4, 6, 3\)",
        ),
        (
            lambda: cnn_loops.weight_gradient_readings(A, np.zeros((2, 3))),
            r"delta must be \(C, H, W\) or \(N, C, H, W\)",
        ),
    ],
)
def test_helpers_reject_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@settings(max_examples=25, deadline=None)
@given(
    ho=st.integers(1, 4),
    wo=st.integers(1, 4),
    kh=st.integers(1, 4),
    kw=st.integers(1, 4),
    seed=st.integers(0, 2**32 - 1),
)
def test_input_gradient_terms_sum_to_the_backward_pass(ho, wo, kh, kw, seed):
    rng = np.random.default_rng(seed)
    delta, W = rng.standard_normal((ho, wo)), rng.standard_normal((kh, kw))
    a = rng.standard_normal((1, ho + kh - 1, wo + kw - 1))
    grad_a, _, _ = cnn.conv2d_backward(
        delta[None], cnn.conv2d_forward(a, W[None, None], np.zeros(1))[1]
    )
    for m, n in np.ndindex(grad_a.shape[1:]):
        terms = cnn_loops.input_gradient_terms(delta, W, m, n)
        assert len(terms) == len(set(terms))
        assert np.isclose(sum(delta[i, j] * W[u, v] for (i, j), (u, v) in terms), grad_a[0, m, n])


def test_input_gradient_terms_rejects_a_position_outside_the_input():
    with pytest.raises(ValueError, match="must lie in the input"):
        cnn_loops.input_gradient_terms(np.ones((2, 2)), np.ones((3, 3)), 4, 0)
