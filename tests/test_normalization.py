"""Tests of backprop.normalization: layer norm and batch norm against central differences with a
random upstream gradient, their identities, the three-term Jacobian, nearly constant rows, and
bad input named by its shape."""

import re
import warnings

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from backprop import gradcheck as gc
from backprop import normalization as nm
from gradients import assert_gradient

EPS = 1e-5  # central-difference step; see gradients.assert_gradient
LAYER = (nm.layer_norm_forward, nm.layer_norm_backward, 1)  # forward, backward, normalised axis
BATCH = (nm.batch_norm_forward, nm.batch_norm_backward, 0)


def spread_out(rng, N, D, axis):
    """x (N, D) whose groups along ``axis`` have a standard deviation in [0.5, 2] (or a single
    entry), offsets in [-3, 3]: var >> eps, so the differences' error stays ~1e-10."""
    x = rng.standard_normal((N, D))
    centred = x - x.mean(axis=axis, keepdims=True)
    std = centred.std(axis=axis, keepdims=True)
    scale = rng.uniform(0.5, 2.0, std.shape) / np.where(std > 0, std, 1.0)
    return centred * scale + rng.uniform(-3.0, 3.0, std.shape)


def check_against_differences(forward, backward, axis, N, D, seed):
    rng = np.random.default_rng(seed)
    x, gamma, beta = spread_out(rng, N, D, axis), rng.standard_normal(D), rng.standard_normal(D)
    y, cache = forward(x, gamma, beta)
    dy = rng.standard_normal(y.shape)  # random upstream gradient: C = sum(y ⊙ dy)
    dx, dgamma, dbeta = backward(dy, cache)
    assert (dx.shape, dgamma.shape, dbeta.shape) == ((N, D), (D,), (D,))
    for analytic, value in ((dx, x), (dgamma, gamma), (dbeta, beta)):
        numeric = gc.numerical_gradient(
            lambda _: np.sum(forward(x, gamma, beta)[0] * dy), value, EPS
        )
        assert_gradient(analytic, numeric)


@settings(max_examples=15, deadline=None)
@given(N=st.integers(1, 4), D=st.integers(1, 6), seed=st.integers(0, 2**32 - 1))
@example(N=1, D=1, seed=0)
@example(N=3, D=2, seed=1)
def test_layer_norm_backward_matches_finite_differences(N, D, seed):
    check_against_differences(*LAYER, N, D, seed)


@settings(max_examples=15, deadline=None)
@given(N=st.integers(2, 6), D=st.integers(1, 4), seed=st.integers(0, 2**32 - 1))
@example(N=2, D=1, seed=0)
def test_batch_norm_backward_matches_finite_differences(N, D, seed):
    check_against_differences(*BATCH, N, D, seed)


@pytest.mark.parametrize("forward, backward, axis", [LAYER, BATCH], ids=["layer", "batch"])
def test_identities_mean_0_var_1_and_dx_summing_to_0(forward, backward, axis):
    rng = np.random.default_rng(2)
    x = 3.0 * rng.standard_normal((5, 7)) + 2.0
    D, eps = x.shape[1], 1e-5
    y, cache = forward(x, np.ones(D), np.zeros(D), eps)
    np.testing.assert_allclose(y, cache["xhat"], rtol=0, atol=0)  # gamma 1, beta 0: y is x̂
    np.testing.assert_allclose(y.mean(axis=axis), 0.0, atol=1e-15)
    var = x.var(axis=axis)
    np.testing.assert_allclose(y.var(axis=axis), var / (var + eps), rtol=1e-13)  # 1 - eps/var
    np.testing.assert_allclose(y.var(axis=axis), 1.0, rtol=1e-5)
    gamma, beta = rng.standard_normal(D), rng.standard_normal(D)
    _, cache = forward(x, gamma, beta, eps)
    dx, _, _ = backward(rng.standard_normal(x.shape), cache)
    np.testing.assert_allclose(dx.sum(axis=axis), 0.0, atol=1e-13)  # a shift moves no x̂
    np.testing.assert_allclose(forward(x, gamma, beta)[0], gamma * cache["xhat"] + beta, rtol=1e-15)


def test_layer_norm_is_the_definition_torch_writes():
    # torch.nn.functional.layer_norm(x, (D,), gamma, beta, eps): biased variance, eps inside.
    rng = np.random.default_rng(3)
    x, gamma, beta, eps = (
        rng.standard_normal((4, 6)),
        rng.standard_normal(6),
        rng.standard_normal(6),
        0.1,
    )
    mu = x.sum(axis=1, keepdims=True) / 6
    var = ((x - mu) ** 2).sum(axis=1, keepdims=True) / 6
    expected = (x - mu) / np.sqrt(var + eps) * gamma + beta
    np.testing.assert_allclose(nm.layer_norm_forward(x, gamma, beta, eps)[0], expected, rtol=1e-14)
    # batch norm is the same on the transpose: each feature normalised over the N examples
    y_t = nm.batch_norm_forward(x.T, np.ones(4), np.zeros(4), eps)[0]
    np.testing.assert_allclose(y_t.T * gamma + beta, expected, rtol=1e-13)


@pytest.mark.parametrize("forward, backward, axis", [LAYER, BATCH], ids=["layer", "batch"])
def test_the_three_terms_are_the_jacobian_of_x_hat(forward, backward, axis):
    # (NORM-JAC) dx̂_j/dx_k = (delta_jk - 1/M - x̂_j x̂_k / M) / sigma, built as a matrix per group
    # and checked against differences; then dx = J^T dC/dx̂ is (NORM-BP-X).
    rng = np.random.default_rng(4)
    x = spread_out(rng, 4, 5, axis)
    M = x.shape[axis]
    _, cache = forward(x, np.ones(5), np.zeros(5))
    dy = rng.standard_normal(x.shape)
    dx, _, _ = backward(dy, cache)
    xhat, sigma = np.moveaxis(cache["xhat"], axis, -1), np.moveaxis(cache["sigma"], axis, -1)
    x_g, dy_g, dx_g = (np.moveaxis(a, axis, -1) for a in (x, dy, dx))
    for n in range(x_g.shape[0]):  # one group: a row (layer norm) or a column (batch norm)
        J = (np.eye(M) - 1 / M - np.outer(xhat[n], xhat[n]) / M) / sigma[n]  # (NORM-JAC)
        for j in range(M):
            row = x_g[n].copy()

            def xhat_j(v, j=j):
                centred = v - v.mean()
                return centred[j] / np.sqrt(centred.var() + 1e-5)

            assert_gradient(J[j], gc.numerical_gradient(xhat_j, row, EPS))
        np.testing.assert_allclose(dx_g[n], J.T @ dy_g[n], rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("forward, backward, axis", [LAYER, BATCH], ids=["layer", "batch"])
@pytest.mark.parametrize("offset", [0.0, 7.0, -1e3, 1e8])
def test_nearly_constant_groups_stay_finite(forward, backward, axis, offset):
    rng = np.random.default_rng(5)
    x = offset + np.zeros((4, 3))
    if axis == 1:
        x[1:] += np.array([1e-9, 1e-12, 1e-15])[:, None] * rng.standard_normal((3, 3))
    else:
        x[:, 1:] += np.array([1e-9, 1e-12])[None, :] * rng.standard_normal((4, 2))
    gamma, beta, dy = rng.standard_normal(3), rng.standard_normal(3), rng.standard_normal(x.shape)
    with warnings.catch_warnings(), np.errstate(all="raise", under="ignore"):
        warnings.simplefilter("error")
        y, cache = forward(x, gamma, beta)
        dx, dgamma, dbeta = backward(dy, cache)
    for a in (y, dx, dgamma, dbeta):
        assert np.all(np.isfinite(a))
    assert np.all(np.abs(cache["xhat"]) < 1e-3)  # var << eps: x̂ near 0, y near beta
    np.testing.assert_allclose(y, np.broadcast_to(beta, y.shape), atol=1e-3 * np.max(np.abs(gamma)))
    assert np.max(np.abs(dx)) <= 3 * np.max(np.abs(dy * gamma)) / np.sqrt(
        1e-5
    )  # sigma >= sqrt(eps)


@pytest.mark.parametrize("forward, backward, axis", [LAYER, BATCH], ids=["layer", "batch"])
def test_nearly_constant_groups_match_finite_differences_with_a_gentle_eps(forward, backward, axis):
    # var << eps there, and with eps = 1e-5 central differences would meet x̂'s cubic term
    # (x - mu) |x - mu|^2 / (2 M eps^1.5): eps = 1 leaves the regime and the differences clean.
    rng = np.random.default_rng(8)
    x, gamma, beta = 7.0 + 1e-9 * rng.standard_normal((4, 3)), rng.standard_normal(3), np.ones(3)
    dy = rng.standard_normal(x.shape)
    dx, _, _ = backward(dy, forward(x, gamma, beta, 1.0)[1])
    numeric = gc.numerical_gradient(lambda v: np.sum(forward(v, gamma, beta, 1.0)[0] * dy), x, EPS)
    assert_gradient(dx, numeric)


def test_batch_norm_couples_the_examples_layer_norm_does_not():
    # The one difference: a change in example 0 moves the other examples' outputs under batch
    # norm (they share its mean and variance), never under layer norm.
    rng = np.random.default_rng(6)
    x, gamma, beta = rng.standard_normal((4, 3)), np.ones(3), np.zeros(3)
    moved = x.copy()
    moved[0] += rng.standard_normal(3)
    for forward, coupled in ((nm.layer_norm_forward, False), (nm.batch_norm_forward, True)):
        others = forward(moved, gamma, beta)[0][1:] - forward(x, gamma, beta)[0][1:]
        assert (np.max(np.abs(others)) > 1e-3) == coupled


def test_inputs_are_not_modified_and_outputs_are_float64():
    x, gamma, beta = np.arange(12).reshape(4, 3), np.ones(3, dtype=np.float32), [0, 1, 2]
    dy = np.ones((4, 3), dtype=np.int32)
    originals = [np.array(a, copy=True) for a in (x, gamma, beta, dy)]
    for forward, backward, _ in (LAYER, BATCH):
        y, cache = forward(x, gamma, beta)
        assert y.dtype == np.float64
        assert all(g.dtype == np.float64 for g in backward(dy, cache))
    for a, original in zip((x, gamma, beta, dy), originals):
        np.testing.assert_array_equal(a, original)


# ---------------------------------------------------------------- bad input

X, G = np.zeros((4, 3)), np.ones(3)


@pytest.mark.parametrize("forward", [nm.layer_norm_forward, nm.batch_norm_forward])
@pytest.mark.parametrize(
    "x, gamma, beta, eps, message",
    [
        (np.zeros(3), G, G, 1e-5, "x must be (N, D) with N >= {n}, D >= 1, got shape (3,)"),
        (
            np.zeros((4, 3, 1)),
            G,
            G,
            1e-5,
            "x must be (N, D) with N >= {n}, D >= 1, got shape (4, 3, 1)",
        ),
        (
            np.zeros((4, 0)),
            G[:0],
            G[:0],
            1e-5,
            "x must be (N, D) with N >= {n}, D >= 1, got shape (4, 0)",
        ),
        (X, np.ones(4), G, 1e-5, "gamma must be (D,) = (3,), got shape (4,)"),
        (X, G, np.ones((3, 1)), 1e-5, "beta must be (D,) = (3,), got shape (3, 1)"),
        (X, G, G, 0.0, "eps must be a finite number > 0, got 0.0"),
        (X, G, G, -1e-5, "eps must be a finite number > 0, got -1e-05"),
        (np.full((4, 3), np.nan), G, G, 1e-5, "x must be finite, got NaN or inf"),
        (X, np.full(3, np.inf), G, 1e-5, "gamma must be finite, got NaN or inf"),
    ],
)
def test_forward_names_the_expected_and_the_given_shapes(forward, x, gamma, beta, eps, message):
    n = 2 if forward is nm.batch_norm_forward else 1
    with pytest.raises(ValueError, match=re.escape(message.format(n=n))):
        forward(x, gamma, beta, eps)


def test_batch_norm_needs_two_rows_layer_norm_one():
    assert np.all(nm.layer_norm_forward(np.ones((1, 3)), G, G)[0] == 1.0)
    with pytest.raises(ValueError, match=re.escape("N >= 2, D >= 1, got shape (1, 3)")):
        nm.batch_norm_forward(np.ones((1, 3)), G, G)


@pytest.mark.parametrize("forward, backward, axis", [LAYER, BATCH], ids=["layer", "batch"])
def test_backward_names_the_output_shape_and_its_own_cache(forward, backward, axis):
    _, cache = forward(X, G, G)
    with pytest.raises(ValueError, match=re.escape("dy must be (N, D) = (4, 3), got shape (3, 4)")):
        backward(np.zeros((3, 4)), cache)
    with pytest.raises(ValueError, match="dy must be finite, got NaN or inf"):
        backward(np.full((4, 3), np.nan), cache)
    other = nm.batch_norm_forward if axis == 1 else nm.layer_norm_forward
    with pytest.raises(ValueError, match="backward needs its own forward's cache"):
        backward(np.zeros((4, 3)), other(X, G, G)[1])
