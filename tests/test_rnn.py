"""Tests of backprop.rnn and backprop.rnn_time: BPTT for both losses against central differences,
the notes' V and c formulas, truncation, the through-time norms, extreme settings and bad input."""

import math
import warnings

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from backprop import activations as act
from backprop import gradcheck as gc
from backprop import rnn, rnn_time, rnn_training
from gradients import assert_gradient

ACTIVATIONS = ["tanh", "sigmoid", "relu"]
EPS = 1e-5  # central-difference step; see gradients.assert_gradient


def make_problem(rng, n_x, n_h, n_y, T):
    """Well-scaled random inputs, parameters (dict), a nonzero h0 and targets in (0, 1)."""
    xs = rng.standard_normal((T, n_x))
    params = {
        "U": rng.standard_normal((n_h, n_x)) / np.sqrt(n_x),
        "W": rng.standard_normal((n_h, n_h)) / np.sqrt(n_h),
        "V": rng.standard_normal((n_y, n_h)) / np.sqrt(n_h),
        "b": 0.5 * rng.standard_normal(n_h),
        "c": 0.5 * rng.standard_normal(n_y),
    }
    h0 = rng.standard_normal(n_h)
    ys = rng.uniform(0.0, 1.0, (T, n_y))
    return xs, params, h0, ys


def total_loss(xs, params, h0, ys, activation, loss="squared"):
    """L computed by a fresh forward pass (reads the arrays as they are now)."""
    _, cache = rnn.forward(xs, **params, h0=h0, activation=activation)
    o, y = cache["os"], ys
    if loss == "squared":
        return 0.5 * np.sum((act.sigmoid(o) - y) ** 2)
    return -np.sum(y * np.log(act.sigmoid(o)) + (1 - y) * np.log(act.sigmoid(-o)))  # 1-σ(o)=σ(-o)


@settings(max_examples=30, deadline=None)
@given(
    n_x=st.integers(1, 4),
    n_h=st.integers(1, 4),
    n_y=st.integers(1, 3),
    T=st.integers(1, 6),
    activation=st.sampled_from(ACTIVATIONS),
    loss=st.sampled_from(rnn.LOSSES),
    seed=st.integers(0, 2**32 - 1),
)
@example(n_x=2, n_h=3, n_y=2, T=1, activation="tanh", loss="squared", seed=0)
@example(n_x=2, n_h=3, n_y=2, T=1, activation="sigmoid", loss="cross_entropy", seed=1)
@example(n_x=2, n_h=3, n_y=2, T=1, activation="relu", loss="squared", seed=2)
def test_bptt_matches_finite_differences(n_x, n_h, n_y, T, activation, loss, seed):
    xs, params, h0, ys = make_problem(np.random.default_rng(seed), n_x, n_h, n_y, T)
    _, cache = rnn.forward(xs, **params, h0=h0, activation=activation)
    value, grads, deltas = rnn.bptt(ys, cache, loss)
    assert set(grads) == {"U", "W", "V", "b", "c"}
    assert value == pytest.approx(total_loss(xs, params, h0, ys, activation, loss), rel=1e-12)
    for name, p in params.items():
        assert grads[name].shape == p.shape
        numeric = gc.numerical_gradient(
            lambda _: total_loss(xs, params, h0, ys, activation, loss), p, eps=EPS
        )
        assert_gradient(grads[name], numeric)
    numeric_h0 = gc.numerical_gradient(
        lambda h: total_loss(xs, params, h, ys, activation, loss), h0, eps=EPS
    )
    assert_gradient(rnn.grad_h0(deltas, cache), numeric_h0)


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("T", [1, 2, 5])
def test_deltas_are_dL_dh_through_all_later_steps(activation, T):
    # Perturbing h^t changes L^t through o^t and the later losses through a forward pass that
    # starts from h^t (forward's h0 is the hook); the earlier losses do not depend on it.
    xs, params, h0, ys = make_problem(np.random.default_rng(T), 3, 4, 2, T)
    _, cache = rnn.forward(xs, **params, h0=h0, activation=activation)
    _, _, deltas = rnn.bptt(ys, cache)
    assert deltas.shape == (T, 4)
    for t in range(T):

        def loss_from(h, t=t):
            own = 0.5 * np.sum((act.sigmoid(params["V"] @ h + params["c"]) - ys[t]) ** 2)
            later = (
                total_loss(xs[t + 1 :], params, h, ys[t + 1 :], activation) if t + 1 < T else 0.0
            )
            return own + later

        numeric = gc.numerical_gradient(loss_from, cache["hs"][t].copy(), eps=EPS)
        assert_gradient(deltas[t], numeric)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_docstring_recursions_in_the_notes_steps(activation):
    # Row t is step t + 1: deltas[-1] = δ^T = V^⊤ dL^T/do^T, deltas[t] = δ^{t+1} =
    # V^⊤ dL^{t+1}/do^{t+1} + W^⊤ (δ^{t+2} ⊙ f'(z^{t+2})), grad_h0 = W^⊤ (δ^1 ⊙ f'(z^1)), and the
    # last loss's gradient at h^{t+1} is (J^T ... J^{t+2})^⊤ dL^T/dh^T, the latest on the left.
    xs, params, h0, ys = make_problem(np.random.default_rng(11), 2, 4, 2, 6)
    _, cache = rnn.forward(xs, **params, h0=h0, activation=activation)
    _, _, deltas = rnn.bptt(ys, cache)
    _, f_prime = act.get(activation)
    dos = rnn.output_delta(cache["os"], ys)
    V, W, zs = params["V"], params["W"], cache["zs"]
    np.testing.assert_allclose(deltas[-1], V.T @ dos[-1], rtol=1e-14)
    for t in range(len(xs) - 1):
        later = W.T @ (deltas[t + 1] * f_prime(zs[t + 1]))
        np.testing.assert_allclose(deltas[t], V.T @ dos[t] + later, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(
        rnn.grad_h0(deltas, cache), W.T @ (deltas[0] * f_prime(zs[0])), rtol=1e-14
    )
    J = rnn_time.hidden_jacobians(cache)  # row t is J^{t+1}
    g = V.T @ dos[-1]
    for t in range(len(xs)):
        product = np.eye(4)
        for Js in J[t + 1 :][::-1]:  # J^T J^{T-1} ... J^{t+2}, multiplied left to right
            product = product @ Js
        with np.errstate(divide="ignore"):  # a dead relu layer: both sides are -inf
            expected = np.log10(np.linalg.norm(product.T @ g))
        np.testing.assert_allclose(rnn_time.log_norms_through_time(J, g)[t], expected, rtol=1e-12)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_hidden_jacobians_match_finite_differences(activation):
    xs, params, h0, _ = make_problem(np.random.default_rng(7), 3, 4, 2, 4)
    _, cache = rnn.forward(xs, **params, h0=h0, activation=activation)
    jacobians = rnn_time.hidden_jacobians(cache)
    assert jacobians.shape == (4, 4, 4)
    for t in range(4):
        h_prev = cache["h_prevs"][t].copy()
        for i in range(4):  # row i: the gradient of h^t_i with respect to h^{t-1}

            def h_i(h, t=t, i=i):
                return rnn.forward(xs[t : t + 1], **params, h0=h, activation=activation)[1]["hs"][
                    0, i
                ]

            assert_gradient(jacobians[t, i], gc.numerical_gradient(h_i, h_prev, eps=EPS))


def test_forward_follows_the_equations_by_hand():
    # n_x = n_h = n_y = 1, worked with math's scalar functions.
    xs = np.array([[1.0], [-2.0]])
    U, W, V, b, c = (
        np.array([[0.5]]),
        np.array([[-1.5]]),
        np.array([[2.0]]),
        np.array([0.1]),
        np.array([-0.3]),
    )
    h1 = math.tanh(0.5 * 1.0 - 1.5 * 0.0 + 0.1)
    h2 = math.tanh(0.5 * -2.0 - 1.5 * h1 + 0.1)
    expected = [1.0 / (1.0 + math.exp(-(2.0 * h + -0.3))) for h in (h1, h2)]
    yhats, cache = rnn.forward(xs, U, W, V, b, c)
    assert yhats.shape == (2, 1)
    np.testing.assert_allclose(yhats[:, 0], expected, rtol=1e-14)
    np.testing.assert_allclose(cache["hs"][:, 0], [h1, h2], rtol=1e-14)
    np.testing.assert_array_equal(cache["h_prevs"], [[0.0], cache["hs"][0]])  # h^{t-1} per row
    yhats_zero, _ = rnn.forward(xs, U, W, V, b, c, h0=np.zeros(1))
    np.testing.assert_array_equal(yhats, yhats_zero)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_the_notes_V_formula_fits_cross_entropy_and_their_c_formula_the_squared_loss(activation):
    # The notes: dL/dc = Σ_t (∇L^t) σ'(o^t), dL/dV = Σ_t (∇L^t) (h^t)^⊤, with ∇L^t = ŷ^t - y^t.
    xs, params, h0, ys = make_problem(np.random.default_rng(3), 3, 4, 2, 5)
    _, cache = rnn.forward(xs, **params, h0=h0, activation=activation)
    grad_L = cache["yhats"] - ys
    notes = {
        "c": (grad_L * act.sigmoid_prime(cache["os"])).sum(axis=0),
        "V": grad_L.T @ cache["hs"],
    }
    right = {"squared": "c", "cross_entropy": "V"}
    for loss, name in right.items():
        for p in "cV":
            numeric = gc.numerical_gradient(
                lambda _: total_loss(xs, params, h0, ys, activation, loss), params[p], eps=EPS
            )
            if p == name:
                assert_gradient(notes[p], numeric)
            else:  # σ' <= 1/4 missing or applied once too often: off by a factor of 4 or more
                assert gc.rel_error(notes[p], numeric) > 0.3


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("loss", rnn.LOSSES)
def test_saturated_outputs_give_a_finite_loss_and_the_right_gradient(activation, loss):
    # |o| ~ 40: ŷ rounds to 0 or 1, log(1 - ŷ) would be -inf; the loss is computed from o.
    xs, params, h0, ys = make_problem(np.random.default_rng(8), 2, 3, 2, 4)
    params["V"] = 40.0 * np.sign(params["V"])
    params["c"] = np.array([40.0, -40.0])
    ys = np.round(ys)  # 0/1 targets: some steps right and saturated, some wrong and saturated
    with warnings.catch_warnings(), np.errstate(all="raise", under="ignore"):
        warnings.simplefilter("error")
        _, cache = rnn.forward(xs, **params, h0=h0, activation=activation)
        value, grads, _ = rnn.bptt(ys, cache, loss)
    assert np.max(np.abs(cache["os"])) > 30 and np.isfinite(value)
    if loss == "cross_entropy":  # a wrong, saturated output costs about |o|: finite
        assert value > 30
    for name, p in params.items():
        numeric = gc.numerical_gradient(
            lambda _: rnn.sequence_loss(xs, params, ys, h0, activation, loss), p, eps=EPS
        )
        assert_gradient(grads[name], numeric)


def test_loss_terms_and_output_delta_at_the_saturated_extremes():
    o, y = np.array([40.0, -40.0, 800.0, 0.0]), np.array([0.0, 1.0, 1.0, 0.5])
    with warnings.catch_warnings(), np.errstate(all="raise", under="ignore"):
        warnings.simplefilter("error")
        terms = rnn.loss_terms(o, y, "cross_entropy")
        delta = rnn.output_delta(o, y, "cross_entropy")
    np.testing.assert_allclose(terms, [40.0, 40.0, 0.0, np.log(2.0)], rtol=1e-15, atol=1e-300)
    np.testing.assert_allclose(delta, [1.0, -1.0, 0.0, 0.0], atol=1e-15)


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("T", [1, 4])
def test_truncated_with_k_at_least_T_equals_bptt(activation, T):
    xs, params, h0, ys = make_problem(np.random.default_rng(11), 2, 3, 2, T)
    _, cache = rnn.forward(xs, **params, h0=h0, activation=activation)
    loss, grads, _ = rnn.bptt(ys, cache)
    for k in (T, T + 3):
        loss_k, grads_k = rnn.bptt_truncated(ys, cache, k)
        assert loss_k == loss
        for name in grads:
            np.testing.assert_allclose(grads_k[name], grads[name], rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("k", [1, 2, 3])
def test_truncated_matches_finite_differences_of_the_frozen_loss(activation, k):
    # Truncation treats h^{t-k} as a constant for L^t: L^t is then a function of the parameters
    # through the last k steps only, run from the frozen state with forward's h0.
    T, loss = 5, rnn.LOSSES[k % 2]
    xs, params, h0, ys = make_problem(np.random.default_rng(k), 2, 3, 2, T)
    _, cache = rnn.forward(xs, **params, h0=h0, activation=activation)
    frozen = cache["h_prevs"].copy()

    def truncated_loss(_):
        starts = [max(0, t - k + 1) for t in range(T)]
        outputs = [  # o^t from the frozen state h^{t-k} (or h0), through steps s..t
            rnn.forward(xs[s : t + 1], **params, h0=frozen[s], activation=activation)[1]["os"][-1]
            for t, s in enumerate(starts)
        ]
        return np.sum(rnn.loss_terms(np.array(outputs), ys, loss))

    _, grads_k = rnn.bptt_truncated(ys, cache, k, loss)
    for name, p in params.items():
        assert_gradient(grads_k[name], gc.numerical_gradient(truncated_loss, p, eps=EPS))


def test_truncated_with_small_k_differs_from_bptt():
    xs, params, h0, ys = make_problem(np.random.default_rng(5), 3, 4, 2, 6)
    _, cache = rnn.forward(xs, **params, h0=h0)
    _, grads, _ = rnn.bptt(ys, cache)
    _, grads_1 = rnn.bptt_truncated(ys, cache, 1)
    for name in ("U", "W", "b"):
        assert gc.rel_error(grads_1[name], grads[name]) > 1e-3
    for name in ("V", "c"):  # the output layer does not look back in time
        np.testing.assert_allclose(grads_1[name], grads[name], rtol=1e-12)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_grad_norms_through_time_are_the_last_losss_deltas(activation):
    # With y^t = ŷ^t for every step but the last, L = L^{T-1} + const near the forward's values,
    # so bptt's deltas are exactly dL^{T-1}/dh^t.
    xs, params, h0, ys = make_problem(np.random.default_rng(2), 3, 5, 2, 8)
    yhats, cache = rnn.forward(xs, **params, h0=h0, activation=activation)
    ys[:-1] = yhats[:-1]
    _, _, deltas = rnn.bptt(ys, cache)
    expected = np.log10(np.linalg.norm(deltas, axis=1))
    np.testing.assert_allclose(
        rnn_time.grad_norms_through_time(ys, cache), expected, rtol=0, atol=1e-12
    )


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("reach", [1, 2, 3, 8])
def test_late_share_is_the_part_of_the_later_losses(activation, reach):
    # The part of dC/dh^t that the losses C^t' with t' >= t + reach send back is bptt's delta
    # with every earlier loss switched off (a target equal to its output sends back nothing).
    xs, params, h0, ys = make_problem(np.random.default_rng(3), 2, 4, 1, 7)
    yhats, cache = rnn.forward(xs, **params, h0=h0, activation=activation)
    full = rnn.bptt(ys, cache)[2]
    shares = rnn_time.late_share(ys, cache, reach)
    for t in range(len(ys)):
        quiet = ys.copy()
        quiet[: t + reach] = yhats[: t + reach]
        late = rnn.bptt(quiet, cache)[2][t]
        expected = np.linalg.norm(late) / np.linalg.norm(full[t])
        assert shares[t] == pytest.approx(expected, rel=1e-9, abs=1e-12), (t, shares, expected)


@pytest.mark.parametrize("reach", [0, -1, 1.5])
def test_late_share_refuses_a_reach_that_is_no_positive_integer(reach):
    xs, params, h0, ys = make_problem(np.random.default_rng(4), 2, 3, 1, 4)
    _, cache = rnn.forward(xs, **params, h0=h0)
    with pytest.raises(ValueError, match="reach"):
        rnn_time.late_share(ys, cache, reach)


def test_log_norms_through_time_against_direct_products():
    rng = np.random.default_rng(4)
    jacobians, g = rng.standard_normal((6, 3, 3)), rng.standard_normal(3)
    expected, v = [], g
    for J in jacobians[::-1]:  # g_t, then g_{t-1} = J_t^T g_t
        expected.append(np.log10(np.linalg.norm(v)))
        v = J.T @ v
    np.testing.assert_allclose(
        rnn_time.log_norms_through_time(jacobians, g), expected[::-1], rtol=1e-13
    )


@pytest.mark.parametrize("factor", [10.0, 0.1])
def test_log_norms_through_time_stay_finite_where_the_product_does_not(factor):
    # J_t = factor * I for T = 400 steps: the gradient is factor^(T-1-t) g, whose norm
    # 10^{±399} is far outside float64; its log10 is log10 ||g|| ± (T-1-t).
    T, g = 400, np.array([3.0, 4.0])
    jacobians = np.broadcast_to(factor * np.eye(2), (T, 2, 2))
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        log_norms = rnn_time.log_norms_through_time(jacobians, g)
    steps_back = np.arange(T)[::-1]
    np.testing.assert_allclose(log_norms, np.log10(5.0) + np.log10(factor) * steps_back, rtol=1e-12)


def test_log_norms_through_time_give_minus_inf_after_an_exact_zero():
    jacobians = np.stack([np.eye(2), np.zeros((2, 2)), np.eye(2)])
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        log_norms = rnn_time.log_norms_through_time(jacobians, np.array([0.0, 2.0]))
    np.testing.assert_array_equal(log_norms, [-np.inf, np.log10(2.0), np.log10(2.0)])


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("rho", [0.1, 3.0])
def test_extreme_settings_are_finite_without_warnings(activation, rho):
    T, n_h = 100, 8
    rng = np.random.default_rng(0)
    xs, params, _, ys = make_problem(rng, 3, n_h, 2, T)
    params["W"] = rnn.random_recurrent_matrix(n_h, rho, rng)
    exploding_relu = activation == "relu" and rho == 3.0
    # relu with rho = 3 makes h^t grow to ~1e34; the output sigmoid saturates and
    # activations.sigmoid's exp(-|o|) underflows to 0 (numpy's default ignores underflow:
    # it is the correct rounding of a vanished value). Everything else runs with all="raise".
    with (
        warnings.catch_warnings(),
        np.errstate(all="raise", under="ignore" if exploding_relu else "raise"),
    ):
        warnings.simplefilter("error")
        _, cache = rnn.forward(xs, **params, activation=activation)
        loss, grads, deltas = rnn.bptt(ys, cache)
        _, grads_5 = rnn.bptt_truncated(ys, cache, 5)
        clipped, _ = rnn_training.clip_by_norm(grads, 1.0)
        jacobians = rnn_time.hidden_jacobians(cache)
        pushed = rnn_time.log_norms_through_time(jacobians, rng.standard_normal(n_h))
        last = rnn_time.grad_norms_through_time(ys, cache)
    arrays = [
        cache["hs"],
        deltas,
        jacobians,
        pushed,
        *grads.values(),
        *grads_5.values(),
        *clipped.values(),
    ]
    assert np.isfinite(loss) and all(np.all(np.isfinite(a)) for a in arrays)
    assert not np.any(np.isnan(last))
    if exploding_relu:  # the last output saturated: dL^{T-1}/dh^t is exactly 0, log10 is -inf
        assert np.all(last == -np.inf)
        assert pushed[0] - pushed[-1] > 10  # a unit gradient pushed back grows by > 1e10
    else:
        assert np.all(np.isfinite(last))
    if rho == 0.1:  # |f'| <= 1 and W^k ~ 0.1^k: the gradient vanishes through time
        assert last[0] - last[-1] < -50


@pytest.mark.parametrize("n", [1, 5, 20])
@pytest.mark.parametrize("rho", [0.0, 0.5, 3.0])
def test_random_recurrent_matrix_has_the_spectral_radius(n, rho):
    W = rnn.random_recurrent_matrix(n, rho, np.random.default_rng(n))
    assert W.shape == (n, n)
    assert np.max(np.abs(np.linalg.eigvals(W))) == pytest.approx(rho, rel=1e-10, abs=1e-15)
    np.testing.assert_array_equal(W, rnn.random_recurrent_matrix(n, rho, np.random.default_rng(n)))


def bad_calls():
    """(description, call, message fragment) for every ValueError of the module."""
    rng = np.random.default_rng(0)
    xs, p, h0, ys = make_problem(rng, 3, 4, 2, 5)
    _, cache = rnn.forward(xs, **p, h0=h0)

    def fwd(**changes):
        args = dict(xs=xs, **p, h0=h0) | changes
        return lambda: rnn.forward(**args)

    nan_at = lambda a: np.where(np.arange(a.size).reshape(a.shape) == 0, np.nan, a)  # noqa: E731
    return [
        ("xs 1-D", fwd(xs=xs[0]), r"xs must be \(T, n_x\).*got shape \(3,\)"),
        ("xs empty", fwd(xs=xs[:0]), r"xs must be \(T, n_x\).*got shape \(0, 3\)"),
        (
            "U columns",
            fwd(U=p["U"][:, :2]),
            r"U must be \(n_h, n_x\) with n_x=3.*got shape \(4, 2\)",
        ),
        (
            "V columns",
            fwd(V=p["V"][:, :3]),
            r"V must be \(n_y, n_h\) with n_h=4.*got shape \(2, 3\)",
        ),
        ("W shape", fwd(W=p["W"][:3]), r"W must be \(4, 4\).*got shape \(3, 4\)"),
        ("b row", fwd(b=p["b"][None, :]), r"b must be \(4,\).*got shape \(1, 4\)"),
        ("c 2-D", fwd(c=np.zeros((2, 2))), r"c must be \(2,\).*got shape \(2, 2\)"),
        ("h0 size", fwd(h0=h0[:3]), r"h0 must be \(4,\).*got shape \(3,\)"),
        ("xs NaN", fwd(xs=nan_at(xs)), "xs must be finite"),
        ("U inf", fwd(U=np.full_like(p["U"], np.inf)), "U must be finite"),
        ("W NaN", fwd(W=nan_at(p["W"])), "W must be finite"),
        ("V NaN", fwd(V=nan_at(p["V"])), "V must be finite"),
        ("b NaN", fwd(b=nan_at(p["b"])), "b must be finite"),
        ("c NaN", fwd(c=nan_at(p["c"])), "c must be finite"),
        ("h0 NaN", fwd(h0=nan_at(h0)), "h0 must be finite"),
        ("activation", fwd(activation="softplus"), "activation must be one of"),
        (
            "ys shape",
            lambda: rnn.bptt(ys[:4], cache),
            r"ys must be \(T, n_y\) = \(5, 2\).*got shape \(4, 2\)",
        ),
        ("ys NaN", lambda: rnn.bptt(nan_at(ys), cache), "ys must be finite"),
        ("ys truncated", lambda: rnn.bptt_truncated(ys.T, cache, 2), r"got shape \(2, 5\)"),
        ("loss name", lambda: rnn.bptt(ys, cache, "hinge"), "loss must be one of"),
        ("loss truncated", lambda: rnn.bptt_truncated(ys, cache, 2, "l1"), "loss must be one of"),
        ("ys norms", lambda: rnn_time.grad_norms_through_time(ys[0], cache), r"got shape \(2,\)"),
        (
            "k zero",
            lambda: rnn.bptt_truncated(ys, cache, 0),
            "k .steps to reach back. must be an integer >= 1, got 0",
        ),
        (
            "k float",
            lambda: rnn.bptt_truncated(ys, cache, 1.5),
            "k .steps to reach back. must be an integer >= 1, got 1.5",
        ),
        (
            "k bool",
            lambda: rnn.bptt_truncated(ys, cache, True),
            "k .steps to reach back. must be an integer >= 1, got True",
        ),
        (
            "jacobians",
            lambda: rnn_time.log_norms_through_time(np.zeros((3, 4, 4)), np.ones(3)),
            r"jacobians must be \(T, n, n\) and g \(n,\), got shapes \(3, 4, 4\) and \(3,\)",
        ),
        (
            "g 2-D",
            lambda: rnn_time.log_norms_through_time(np.zeros((3, 4, 4)), np.ones((2, 2))),
            r"and \(2, 2\)",
        ),
        (
            "jacobians NaN",
            lambda: rnn_time.log_norms_through_time(np.full((2, 1, 1), np.nan), np.ones(1)),
            "must be finite",
        ),
        (
            "n zero",
            lambda: rnn.random_recurrent_matrix(0, 1.0, rng),
            "n must be an integer >= 1, got 0",
        ),
        (
            "n float",
            lambda: rnn.random_recurrent_matrix(2.0, 1.0, rng),
            "n must be an integer >= 1, got 2.0",
        ),
        (
            "rho negative",
            lambda: rnn.random_recurrent_matrix(2, -1.0, rng),
            "spectral_radius must be.*got -1.0",
        ),
        (
            "rho NaN",
            lambda: rnn.random_recurrent_matrix(2, np.nan, rng),
            "spectral_radius must be.*got nan",
        ),
    ]


@pytest.mark.parametrize("description, call, message", bad_calls(), ids=[c[0] for c in bad_calls()])
def test_bad_input_raises_value_error_naming_it(description, call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_inputs_and_cache_are_left_unmodified():
    rng = np.random.default_rng(9)
    xs, params, h0, ys = make_problem(rng, 3, 4, 2, 5)
    inputs = [xs, h0, ys, *params.values()]
    before = [a.copy() for a in inputs]
    _, cache = rnn.forward(xs, **params, h0=h0, activation="relu")
    cache_before = {key: np.copy(value) for key, value in cache.items()}
    _, grads, deltas = rnn.bptt(ys, cache)
    grads_before = {name: g.copy() for name, g in grads.items()}
    rnn.bptt_truncated(ys, cache, 2)
    rnn.grad_h0(deltas, cache)
    rnn.bptt(ys, cache, "cross_entropy")
    jacobians = rnn_time.hidden_jacobians(cache)
    g = rng.standard_normal(4)
    g_before, jacobians_before = g.copy(), jacobians.copy()
    rnn_time.log_norms_through_time(jacobians, g)
    rnn_time.grad_norms_through_time(ys, cache)
    rnn_training.clip_by_norm(grads, 1e-3)
    for a, a_before in zip(inputs + [g, jacobians], before + [g_before, jacobians_before]):
        np.testing.assert_array_equal(a, a_before)
    for key, value in cache_before.items():
        np.testing.assert_array_equal(cache[key], value)
    for name, value in grads_before.items():
        np.testing.assert_array_equal(grads[name], value)
    params["U"][0, 0] += 1.0  # the cache holds copies: changing an input later leaves it alone
    assert cache["U"][0, 0] == cache_before["U"][0, 0]


def test_column_vectors_as_in_the_notes_give_the_same_gradients_in_their_shape():
    xs, p, h0, ys = make_problem(np.random.default_rng(5), 3, 4, 2, 5)
    columns = p | {"b": p["b"][:, None], "c": p["c"][:, None]}
    loss, grads, deltas = rnn.bptt(ys, rnn.forward(xs, **p, h0=h0)[1])
    loss_c, grads_c, deltas_c = rnn.bptt(ys, rnn.forward(xs, **columns, h0=h0[:, None])[1])
    assert loss_c == loss and np.array_equal(deltas_c, deltas)
    for name in rnn.PARAMS:
        assert grads_c[name].shape == columns[name].shape
        np.testing.assert_array_equal(grads_c[name].ravel(), grads[name].ravel())


@pytest.mark.parametrize("T, activation", [(1, "tanh"), (5, "relu")])
def test_loss_from_has_gradient_delta(T, activation):
    rng = np.random.default_rng(T)
    params = rnn.init_params(2, 3, 2, 0.9, rng)
    xs, ys = rng.standard_normal((T, 2)), rng.random((T, 2))
    _, cache = rnn.forward(xs, **params, activation=activation)
    for loss in rnn.LOSSES:
        _, _, deltas = rnn.bptt(ys, cache, loss)
        for t in range(T):
            numeric = gc.numerical_gradient(
                lambda h: rnn.loss_from(h, t, ys, cache, loss), cache["hs"][t].copy(), EPS
            )
            assert_gradient(deltas[t], numeric)


def test_gradient_check_returns_the_error_per_parameter():
    rng = np.random.default_rng(0)
    params = rnn.init_params(2, 3, 2, 0.9, rng)
    xs, ys = rng.standard_normal((4, 2)), rng.random((4, 2))
    for loss in rnn.LOSSES:
        errors = rnn.gradient_check(xs, params, ys, loss=loss)
        assert list(errors) == list(rnn.PARAMS)
        assert all(isinstance(e, float) and e < 1e-6 for e in errors.values())


def test_outer_sum_is_a_sum_of_outer_products_per_member():
    rng = np.random.default_rng(3)
    a, b = rng.standard_normal((5, 2, 3)), rng.standard_normal((5, 2, 4))  # R=5, B=2
    got = rnn.outer_sum(a, b)
    assert got.shape == (2, 3, 4)
    for m in range(2):
        assert np.allclose(got[m], sum(np.outer(a[r, m], b[r, m]) for r in range(5)))
    assert np.allclose(rnn.outer_sum(a[:, 0], b[:, 0]), got[0])  # no ensemble axis


def test_within_reach_zeroes_the_members_whose_truncation_is_passed():
    dz = np.ones((4, 3, 2))  # R=4 rows, B=3 members, n=2
    kept = rnn.within_reach(dz, 2, np.array([1, 3, 5]))
    assert np.all(kept[:, 0] == 0) and np.all(kept[:, 1:] == 1)
    assert np.all(rnn.within_reach(dz[:, 0], 2, 3) == 1) and np.all(
        rnn.within_reach(dz[:, 0], 2, 2) == 0
    )
