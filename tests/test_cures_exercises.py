"""The checkers of the chapter on the cures for vanishing gradients: a right answer passes, a
typical wrong one fails with a message naming the slip, a raising or misshapen one is reported."""

import re

import numpy as np
import pytest

from backprop import cures_exercises, normalization
from gradients import assert_gradient

# --- layer norm's backward pass, from scratch --------------------------------------------------


def layer_norm_backward(
    dy, x, gamma, eps, axis=1, ddof=0, mean_path=True, var_path=True, use_gamma=True, eps_used=None
):
    """An independent answer as a reader writes it, with switches for the typical slips: the
    axis normalised over, the variance's divisor (M - ddof, also in the backward pass), a path
    left out, gamma left out, another eps than the one given."""
    eps = eps if eps_used is None else eps_used
    M = x.shape[axis]
    centred = x - x.mean(axis=axis, keepdims=True)
    sigma = np.sqrt((centred**2).sum(axis=axis, keepdims=True) / (M - ddof) + eps)
    xhat = centred / sigma
    dxhat = dy * gamma if use_gamma else dy
    dx = dxhat
    if mean_path:
        dx = dx - dxhat.sum(axis=axis, keepdims=True) / M
    if var_path:
        dx = dx - xhat * (dxhat * xhat).sum(axis=axis, keepdims=True) / (M - ddof)
    return dx / sigma, (dy * xhat).sum(axis=0), dy.sum(axis=0)


def package_layer_norm_backward(dy, x, gamma, eps):
    _, cache = normalization.layer_norm_forward(x, gamma, np.zeros_like(gamma), eps)
    return normalization.layer_norm_backward(dy, cache)


@pytest.mark.parametrize("answer", [layer_norm_backward, package_layer_norm_backward])
def test_a_right_layer_norm_backward_passes(answer):
    verdict = cures_exercises.check_layer_norm_backward(answer)
    assert verdict.ok, verdict
    assert "D = 1" in str(verdict) and "finite differences" in str(verdict)


def test_the_reference_matches_finite_differences_on_every_case():
    for _, dy, x, gamma, eps in cures_exercises.layer_norm_cases():
        reference = cures_exercises.layer_norm_reference(dy, x, gamma, eps)
        for analytic, numeric in zip(
            reference, cures_exercises.layer_norm_numeric(dy, x, gamma, eps)
        ):
            assert_gradient(analytic, numeric)


def unbiased_forward(dy, x, gamma, eps):
    """np.var(ddof=1) in the forward pass (torch.var's default), (NORM-BP-X) as written."""
    mu, var = x.mean(axis=1, keepdims=True), x.var(axis=1, ddof=1, keepdims=True)
    sigma = np.sqrt(var + eps)
    xhat, dxhat = (x - mu) / sigma, dy * gamma
    dx = dxhat - dxhat.mean(1, keepdims=True) - xhat * (dxhat * xhat).mean(1, keepdims=True)
    return dx / sigma, (dy * xhat).sum(axis=0), dy.sum(axis=0)


def with_output(index, value):
    """The right answer with output ``index`` replaced by ``value(dy, x, gamma, eps)``."""

    def answer(dy, x, gamma, eps):
        outputs = list(layer_norm_backward(dy, x, gamma, eps))
        outputs[index] = value(dy, x, gamma, eps)
        return tuple(outputs)

    return answer


def slip(**switches):
    return lambda dy, x, gamma, eps: layer_norm_backward(dy, x, gamma, eps, **switches)


def xhat_of(x, eps):
    return (x - x.mean(1, keepdims=True)) / np.sqrt(x.var(1, keepdims=True) + eps)


@pytest.mark.parametrize(
    "answer, expected",
    [
        (slip(mean_path=False), "^dx is wrong .*path through the mean"),
        (slip(var_path=False), "^dx is wrong .*path through the variance"),
        (slip(mean_path=False, var_path=False), "^dx is wrong .*only x_k's own path"),
        (slip(axis=0), r"^dx is wrong .*over the batch.*\(axis 1\)"),
        (slip(ddof=1), "^dx is wrong .*divides the variance by D - 1"),
        (unbiased_forward, "^dx is wrong .*x̂ and sigma divide the variance by D - 1"),
        (slip(use_gamma=False), "^dx is wrong .*leaves out gamma"),
        (slip(eps_used=0.0), "^dx is wrong .*leaves eps out"),
        (slip(eps_used=1e-5), r"^dx is wrong for x of shape \(3, 6\) with a nearly constant row"),
        (slip(eps_used=1e-5), "uses eps = 1e-5, not the eps it is given"),
        (with_output(1, lambda dy, x, g, e: (dy * x).sum(0)), "^dgamma is wrong .*uses x where"),
        (with_output(2, lambda dy, x, g, e: dy.mean(0)), "^dbeta is wrong .*mean over the rows"),
        (with_output(2, lambda dy, x, g, e: 2 * dy.sum(0)), r"^dbeta is wrong .*\(NORM-BP-BETA\)"),
        (
            with_output(0, lambda dy, x, g, e: dy * g / np.sqrt(x.var(1, keepdims=True) + e) * 2),
            r"^dx is wrong .*check \(NORM-BP-X\)",
        ),
        (
            with_output(0, lambda dy, x, g, e: np.zeros_like(x)),  # right for D = 1 only
            r"^dx is wrong for x of shape \(4, 5\) .*check \(NORM-BP-X\)",
        ),
    ],
)
def test_a_typical_slip_is_named(answer, expected):
    verdict = cures_exercises.check_layer_norm_backward(answer)
    assert not verdict.ok
    assert re.search(expected, str(verdict)), str(verdict)
    assert "finite differences" in str(verdict) and verdict.quantity in cures_exercises.OUTPUTS


def test_a_wrong_dx_with_one_feature_is_told_it_must_be_0():
    def wrong_only_for_one_feature(dy, x, gamma, eps):
        dx, dgamma, dbeta = layer_norm_backward(dy, x, gamma, eps)
        return (dx + 1.0 if x.shape[1] == 1 else dx), dgamma, dbeta

    verdict = cures_exercises.check_layer_norm_backward(wrong_only_for_one_feature)
    assert not verdict.ok and "D = 1, x̂ = 0 whatever x, so dx = 0" in str(verdict)


@pytest.mark.parametrize(
    "answer, expected",
    [
        (with_output(0, lambda dy, x, g, e: dy.T), r"dx has shape \(5, 4\), expected \(4, 5\) \("),
        (
            with_output(1, lambda dy, x, g, e: dy * xhat_of(x, e)),
            r"dgamma has shape \(4, 5\), expected \(5,\): sum over the rows",
        ),
        (with_output(2, lambda dy, x, g, e: dy.sum()), r"dbeta has shape \(\), expected \(5,\)$"),
        (with_output(0, lambda dy, x, g, e: None), "dx is not an array of numbers: None"),
        (with_output(0, lambda dy, x, g, e: dy * np.nan), "dx has NaN or inf entries"),
        (lambda dy, x, g, e: layer_norm_backward(dy, x, g, e)[:2], "must return three arrays"),
        (lambda dy, x, g, e: dy, "must return three arrays"),
        (lambda dy, x, g, e: x.mean(axis=2), "raised .*Error"),
    ],
)
def test_a_misshapen_or_raising_answer_is_reported(answer, expected):
    verdict = cures_exercises.check_layer_norm_backward(answer)
    assert not verdict.ok
    assert re.search(expected, str(verdict)), str(verdict)


def test_the_reader_gets_copies():
    def overwrites(dy, x, gamma, eps):
        outputs = layer_norm_backward(dy, x, gamma, eps)
        dy[:], x[:], gamma[:] = 0.0, 0.0, 0.0
        return outputs

    assert cures_exercises.check_layer_norm_backward(overwrites).ok


# --- initialisation: the std that keeps Var(z) level -------------------------------------------


def he(n_in, activation):
    return np.sqrt((2.0 if activation == "relu" else 1.0) / n_in)


def test_the_right_std_passes_and_keeps_the_signal():
    verdict = cures_exercises.check_he_variance(he)
    assert verdict.ok, verdict
    assert str(verdict).count("stays within a factor 10") == 2  # tanh's and ReLU's


@pytest.mark.parametrize(
    "answer, expected",
    [
        (lambda n, a: np.sqrt(2 / n), r"weight_std\(64, 'tanh'\) = .*He's, for ReLU.*grows"),
        (lambda n, a: np.sqrt(1 / n), r"weight_std\(64, 'relu'\) = .*is for tanh.*vanishes"),
        (lambda n, a: he(n, a) ** 2, "it is Var\\(W\\); .* square root.*vanishes"),
        (lambda n, a: 0.125, r"weight_std\(256, 'tanh'\) = .*does not depend on n_in"),
        (
            lambda n, a: np.sqrt(1 / (2 * n)) if a == "relu" else he(n, a),
            r"'relu'.* the 2 is upside down.*vanishes",
        ),
        (lambda n, a: np.sqrt(3) * he(n, a), "uniform distribution"),
        (lambda n, a: 3 * he(n, a) if a == "relu" else he(n, a), "'relu'.*put E.*explodes"),
    ],
)
def test_a_wrong_std_is_told_its_slip_and_what_it_does(answer, expected):
    verdict = cures_exercises.check_he_variance(answer)
    assert not verdict.ok and verdict.quantity in ("tanh", "relu")
    assert re.search(expected, str(verdict), re.DOTALL), str(verdict)
    assert "Var(z^30) / Var(z^1)" in str(verdict)


@pytest.mark.parametrize(
    "answer, expected",
    [
        (lambda n, a: {"tanh": 1.0}[a] / np.sqrt(n), "raised KeyError: 'relu'"),
        (lambda n, a: None, "must return one positive number, got None"),
        (lambda n, a: -he(n, a), "must return one positive number"),
        (lambda n, a: [he(n, a)], "must return one positive number"),
        (lambda n, a: "0.1", "must return one positive number, got '0.1'"),
    ],
)
def test_a_raising_or_non_number_answer_is_reported(answer, expected):
    verdict = cures_exercises.check_he_variance(answer)
    assert not verdict.ok and re.search(expected, str(verdict)), str(verdict)


def test_the_measurement_survives_overflow_and_underflow():
    assert cures_exercises.variance_ratio(1e-200, 1e-200, "relu", depth=3) == 0.0
    assert cures_exercises.variance_ratio(1e150, 1e150, "relu", depth=3) == np.inf
    with pytest.raises(ValueError, match="activation must be one of"):
        cures_exercises.variance_preserving_std(10, "sigmoid")
    with pytest.raises(ValueError, match="depth must be an integer >= 2"):
        cures_exercises.check_he_variance(he, depth=1)
