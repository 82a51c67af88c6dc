"""The checkers of the RNN chapter: a right answer passes, a typical wrong one fails with a
message naming what is wrong."""

import numpy as np

from backprop import rnn, rnn_exercises

ACTIVATIONS = ["sigmoid", "tanh", "relu"]

# --- chapter "RNN" ---------------------------------------------------------------------------


def rnn_problem():
    rng = np.random.default_rng(0)
    params = rnn.init_params(2, 3, 2, 0.9, rng)
    return rng.standard_normal((1, 2)), params, rng.random((1, 2)), np.ones(3)


def test_rnn_gradient_checker_passes_bptt_and_names_a_wrong_entry():
    xs, params, ys, h0 = rnn_problem()
    _, cache = rnn.forward(xs, **params, h0=h0)
    grads = rnn.bptt(ys, cache)[1]
    assert rnn_exercises.check_rnn_gradient(grads["W"], "W", xs, params, ys, h0=h0).ok
    cross = rnn.bptt(ys, cache, "cross_entropy")[1]["W"]  # the wrong loss: σ' left out
    verdict = rnn_exercises.check_rnn_gradient(cross, "W", xs, params, ys, h0=h0)
    assert not verdict.ok and verdict.quantity == "W"
    assert str(verdict).startswith("dC/dW is wrong: entry (") and "finite differences" in str(
        verdict
    )
    transposed = rnn_exercises.check_rnn_gradient(grads["U"].T, "U", xs, params, ys, h0=h0)
    assert not transposed.ok and "(transposed?)" in str(transposed)


def test_rnn_linear_gain_checker():
    assert rnn_exercises.check_rnn_linear_gain(0.9**20).ok
    one_more = rnn_exercises.check_rnn_linear_gain(0.9**21)
    assert not one_more.ok and "one Jacobian too many" in str(one_more)
    assert "log10" in str(rnn_exercises.check_rnn_linear_gain(20 * np.log10(0.9)))
    assert not rnn_exercises.check_rnn_linear_gain(0.9 * 20).ok


def test_rnn_clip_checker():
    def right(grads, max_norm):
        norm = np.sqrt(sum(np.sum(g**2) for g in grads.values()))
        return {k: g * min(1.0, max_norm / norm) for k, g in grads.items()}

    def per_array(grads, max_norm):  # the typical slip: each array clipped by its own norm
        return {k: g * min(1.0, max_norm / np.linalg.norm(g)) for k, g in grads.items()}

    assert rnn_exercises.check_rnn_clip(right).ok
    verdict = rnn_exercises.check_rnn_clip(per_array)
    assert not verdict.ok and "above the threshold" in str(verdict)
    assert "together" in str(verdict)
    always = rnn_exercises.check_rnn_clip(lambda g, m: {k: v * m / 10 for k, v in g.items()})
    assert not always.ok and "min(1, max_norm / ||g||)" in str(always)
    raises = rnn_exercises.check_rnn_clip(lambda g, m: g["missing"])
    assert not raises.ok and "clip raised KeyError" in str(raises)


# --- ex-bptt: BPTT from scratch -----------------------------------------------------------------


def package_bptt(xs, params, ys):
    return rnn.bptt(ys, rnn.forward(xs, **params)[1])[1]


def test_a_right_bptt_passes_and_one_without_the_recurrence_is_told_what_it_misses():
    assert rnn_exercises.check_bptt(package_bptt).ok

    def local(xs, params, ys):  # each step's own loss only: no W^T delta^{t+1}
        return rnn.bptt_truncated(ys, rnn.forward(xs, **params)[1], 1)[1]

    verdict = rnn_exercises.check_bptt(local)
    assert not verdict.ok and "W^⊤ δ^{t+1}" in str(verdict) and "T = 5" in str(verdict)


def test_a_wrong_bptt_is_named_by_its_first_wrong_gradient():
    def wrong_c(xs, params, ys):
        return package_bptt(xs, params, ys) | {"c": np.zeros(2)}

    verdict = rnn_exercises.check_bptt(wrong_c)
    assert not verdict.ok and "dC/dc is wrong" in str(verdict)
    missing = rnn_exercises.check_bptt(lambda *_: {"U": 0})
    assert "no W" in str(missing)
