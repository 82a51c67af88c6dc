"""Tests of backprop.lstm: BPTT against central differences with a random upstream gradient, the
gate order, the cell state's additive path, extreme inputs, and shapes checked by name."""

import math
import re
import warnings

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from backprop import gradcheck as gc
from backprop import lstm
from gradients import assert_gradient

EPS = 1e-5  # central-difference step; see gradients.assert_gradient
INPUTS = ("xs", "h0", "c0")


def make_problem(rng, T, N, D, H):
    """Parameters with nonzero biases in both vectors, xs, h0, c0, and an upstream gradient dhs."""
    params = lstm.init_params(D, H, rng)
    params["b_ih"] += rng.uniform(-0.5, 0.5, 4 * H)
    params["b_hh"] += rng.uniform(-0.5, 0.5, 4 * H)
    xs, h0, c0 = (
        rng.standard_normal((T, N, D)),
        rng.standard_normal((N, H)),
        rng.standard_normal((N, H)),
    )
    return params, xs, h0, c0, rng.standard_normal((T, N, H))


def loss(params, xs, h0, c0, dhs):
    """C = sum_t <dhs^t, h^t>: its gradient at h^t, other than through later steps, is dhs^t."""
    return np.sum(lstm.forward(params, xs, h0, c0)[0] * dhs)


@settings(max_examples=12, deadline=None)
@given(
    T=st.integers(1, 4),
    N=st.integers(1, 3),
    D=st.integers(1, 3),
    H=st.integers(1, 3),
    seed=st.integers(0, 2**32 - 1),
)
@example(T=1, N=1, D=1, H=1, seed=0)
@example(T=4, N=3, D=2, H=3, seed=1)
def test_backward_matches_finite_differences(T, N, D, H, seed):
    params, xs, h0, c0, dhs = make_problem(np.random.default_rng(seed), T, N, D, H)
    hs, cache = lstm.forward(params, xs, h0, c0)
    assert hs.shape == (T, N, H)
    grads = lstm.backward(dhs, cache)
    assert set(grads) == set(lstm.PARAMS) | set(INPUTS)
    inputs = {**params, "xs": xs, "h0": h0, "c0": c0}  # perturbed in place by numerical_gradient
    for name, value in inputs.items():
        numeric = gc.numerical_gradient(
            lambda _: loss({k: inputs[k] for k in lstm.PARAMS}, xs, h0, c0, dhs), value, eps=EPS
        )
        assert_gradient(grads[name], numeric)


def test_gradient_check_reports_every_gradient_and_leaves_its_arguments_alone():
    params, xs, h0, c0, dhs = make_problem(np.random.default_rng(5), 3, 2, 2, 3)
    originals = [a.copy() for a in (*params.values(), xs, h0, c0, dhs)]
    errors = lstm.gradient_check(params, xs, h0, c0, dhs)
    assert set(errors) == set(lstm.PARAMS) | set(INPUTS)
    assert max(errors.values()) < 1e-6
    for a, original in zip((*params.values(), xs, h0, c0, dhs), originals):
        np.testing.assert_array_equal(a, original)


def test_one_step_by_hand_in_torchs_gate_order():
    # Weights zero: z^1 is the biases' sum, blocks i, f, g, o in that order (torch.nn.LSTM's).
    H, z = 1, {"i": 0.3, "f": -1.2, "g": 0.7, "o": 2.0}
    params = {"W_ih": np.zeros((4, 1)), "W_hh": np.zeros((4, 1))}
    params["b_ih"] = np.array([z[k] for k in lstm.GATES])
    params["b_hh"] = np.array([0.1, -0.1, 0.2, -0.2])
    z = {k: v + d for (k, v), d in zip(z.items(), params["b_hh"])}
    sig = {k: 1.0 / (1.0 + math.exp(-z[k])) for k in "ifo"}
    c = sig["f"] * 0.5 + sig["i"] * math.tanh(z["g"])  # c^0 = 0.5
    hs, cache = lstm.forward(params, np.ones((1, 1, 1)), np.zeros((1, H)), np.full((1, H), 0.5))
    assert cache["cs"][0, 0, 0] == pytest.approx(c, rel=1e-14)
    assert hs[0, 0, 0] == pytest.approx(sig["o"] * math.tanh(c), rel=1e-14)
    assert cache["f"][0, 0, 0] == pytest.approx(sig["f"], rel=1e-14)


def test_the_cache_holds_each_steps_states_and_gates():
    params, xs, h0, c0, _ = make_problem(np.random.default_rng(2), 4, 2, 3, 2)
    hs, cache = lstm.forward(params, xs, h0, c0)
    for key in ("hs", "cs", "h_prevs", "c_prevs", *lstm.GATES):
        assert cache[key].shape == (4, 2, 2), key
    np.testing.assert_array_equal(cache["h_prevs"][1:], hs[:-1])
    np.testing.assert_array_equal(cache["c_prevs"][0], c0)
    np.testing.assert_allclose(hs, cache["o"] * np.tanh(cache["cs"]), rtol=1e-15)  # (LSTM-H)
    f, i, g = cache["f"], cache["i"], cache["g"]
    np.testing.assert_allclose(cache["cs"], f * cache["c_prevs"] + i * g, rtol=1e-14)  # (LSTM-C)


def test_on_the_additive_path_alone_dC_dc_is_the_forget_gain():
    # W_hh = 0: c^t reaches the last loss only along the cell states, dc^t/dc^{t-1} = diag(f^t).
    params, xs, h0, c0, dhs = make_problem(np.random.default_rng(4), 6, 2, 3, 4)
    params["W_hh"][:] = 0.0
    dhs[:-1] = 0.0  # only the last step has a loss
    _, cache = lstm.forward(params, xs, h0, c0)
    grads, dcs = lstm.backward_with_cells(dhs, cache)
    gain = lstm.forget_gain(cache)
    np.testing.assert_array_equal(gain[-1], 1.0)
    np.testing.assert_allclose(dcs, gain * dcs[-1], rtol=1e-13)
    np.testing.assert_allclose(grads["c0"], cache["f"][0] * dcs[0], rtol=1e-15)
    norms = lstm.cell_gradient_norms(dhs, cache)
    np.testing.assert_allclose(norms, np.linalg.norm(dcs.reshape(6, -1), axis=1), rtol=1e-14)


def test_cell_gradients_match_finite_differences_in_the_cell_state():
    # dcs[t] = dC/dc^{t+1}: perturb c^{t+1} by running the later steps from it.
    params, xs, h0, c0, dhs = make_problem(np.random.default_rng(6), 4, 2, 2, 3)
    hs, cache = lstm.forward(params, xs, h0, c0)
    dcs = lstm.backward_with_cells(dhs, cache)[1]
    for t in range(3):  # c^{t+1} with h^{t+1} held: the loss of steps t+2.. (h^{t+1}'s own
        # dependence on c^{t+1} is through o ⊙ tanh(c), added by hand)
        def later(c, t=t):
            h = cache["o"][t] * np.tanh(c)
            return np.sum(h * dhs[t]) + loss(params, xs[t + 1 :], h, c, dhs[t + 1 :])

        assert_gradient(dcs[t], gc.numerical_gradient(later, cache["cs"][t].copy(), eps=EPS))


def test_init_params_shapes_forget_bias_and_seed():
    params = lstm.init_params(3, 5, np.random.default_rng(0), forget_bias=2.0)
    assert {k: v.shape for k, v in params.items()} == {
        "W_ih": (20, 3),
        "W_hh": (20, 5),
        "b_ih": (20,),
        "b_hh": (20,),
    }
    np.testing.assert_array_equal(params["b_ih"], np.repeat([0.0, 2.0, 0.0, 0.0], 5))
    assert np.max(np.abs(params["W_hh"])) <= 1 / math.sqrt(5)
    again = lstm.init_params(3, 5, np.random.default_rng(0), forget_bias=2.0)
    for name in lstm.PARAMS:
        np.testing.assert_array_equal(params[name], again[name])


def test_extreme_inputs_stay_finite_without_warnings():
    params, xs, h0, c0, dhs = make_problem(np.random.default_rng(3), 5, 2, 3, 2)
    with warnings.catch_warnings(), np.errstate(all="raise", under="ignore"):
        warnings.simplefilter("error")
        hs, cache = lstm.forward(params, 1e4 * xs, h0, 1e3 * c0)  # saturated gates
        grads = lstm.backward(dhs, cache)
    assert np.all(np.abs(hs) <= 1.0)
    assert all(np.all(np.isfinite(g)) for g in grads.values())


def test_integer_inputs_give_float64():
    params = {
        k: v.astype(np.int64) for k, v in lstm.init_params(2, 2, np.random.default_rng(1)).items()
    }
    hs, cache = lstm.forward(params, np.ones((2, 1, 2), dtype=np.int32), [[0, 1]], [[1, 0]])
    assert hs.dtype == np.float64
    assert all(g.dtype == np.float64 for g in lstm.backward(np.ones((2, 1, 2)), cache).values())


# ---------------------------------------------------------------- bad input

P = lstm.init_params(3, 2, np.random.default_rng(0))  # D = 3, H = 2
X, S = np.zeros((4, 5, 3)), np.zeros((5, 2))  # T = 4, N = 5
MISSING = "the keys ['W_ih', 'W_hh', 'b_ih', 'b_hh'], got ['W_hh', 'W_ih', 'b_ih']"


def forward_with(**changed):
    """forward on the good arguments P, X, S, S with some of them (a parameter or xs, h0, c0)
    replaced; "params" replaces the whole dict."""
    params = changed.pop("params", {**P, **{k: v for k, v in changed.items() if k in P}})
    inputs = {"xs": X, "h0": S, "c0": S} | {k: v for k, v in changed.items() if k not in P}
    return lstm.forward(params, **inputs)


@pytest.mark.parametrize(
    "changed, message",
    [
        ({"W_hh": np.zeros((8, 3))}, "W_hh must be (4H, H) with H >= 1, got shape (8, 3)"),
        ({"W_hh": np.zeros(8)}, "W_hh must be (4H, H) with H >= 1, got shape (8,)"),
        (
            {"W_ih": np.zeros((8, 3, 1))},
            "W_ih must be (4H, D) with H=2, D >= 1, got shape (8, 3, 1)",
        ),
        ({"W_ih": np.zeros((6, 3))}, "W_ih must be (4H, D) = (8, 3), got shape (6, 3)"),
        ({"b_ih": np.zeros((8, 1))}, "b_ih must be (4H,) = (8,), got shape (8, 1)"),
        ({"b_hh": np.zeros(6)}, "b_hh must be (4H,) = (8,), got shape (6,)"),
        ({"xs": np.zeros((5, 3))}, "xs must be (T, N, D) with D=3, T, N >= 1, got shape (5, 3)"),
        (
            {"xs": np.zeros((4, 5, 2))},
            "xs must be (T, N, D) with D=3, T, N >= 1, got shape (4, 5, 2)",
        ),
        (
            {"xs": np.zeros((0, 5, 3))},
            "xs must be (T, N, D) with D=3, T, N >= 1, got shape (0, 5, 3)",
        ),
        ({"h0": np.zeros((4, 2))}, "h0 must be (N, H) = (5, 2), got shape (4, 2)"),
        ({"c0": np.zeros((5, 3))}, "c0 must be (N, H) = (5, 2), got shape (5, 3)"),
        ({"c0": np.zeros(2)}, "c0 must be (N, H) = (5, 2), got shape (2,)"),
        (
            {"params": {k: P[k] for k in ("W_ih", "W_hh", "b_ih")}},
            f"params must be a dict with {MISSING}",
        ),
        ({"W_hh": np.full((8, 2), np.nan)}, "W_hh must be finite, got NaN or inf"),
        ({"xs": np.full((4, 5, 3), np.inf)}, "xs must be finite, got NaN or inf"),
    ],
    ids=lambda v: "" if isinstance(v, str) else "-".join(v),
)
def test_forward_names_the_expected_and_the_given_shapes(changed, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        forward_with(**changed)


def test_backward_names_the_shape_of_hs():
    _, cache = lstm.forward(P, X, S, S)
    with pytest.raises(
        ValueError,
        match=re.escape("dhs must be (T, N, H), like hs = (4, 5, 2), got shape (4, 2, 5)"),
    ):
        lstm.backward(np.zeros((4, 2, 5)), cache)
    with pytest.raises(ValueError, match="dhs must be finite"):
        lstm.backward(np.full((4, 5, 2), np.nan), cache)


@pytest.mark.parametrize(
    "D, H, forget_bias, message",
    [
        (0, 2, 1.0, "D must be an integer >= 1, got 0"),
        (3, 2.0, 1.0, "H must be an integer >= 1, got 2.0"),
        (3, 2, np.inf, "forget_bias must be finite, got inf"),
    ],
)
def test_init_params_rejects_bad_sizes(D, H, forget_bias, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        lstm.init_params(D, H, np.random.default_rng(0), forget_bias)
