"""The exercise checkers: a right answer passes, a typical wrong one fails with a message naming
what is wrong."""

import re

import numpy as np
import pytest

from backprop import activations as act
from backprop import cnn, cnn_loops, exercises, mlp, rnn
from backprop.gradcheck import rel_error

ACTIVATIONS = ["sigmoid", "tanh", "relu"]

# --- the exercise checker --------------------------------------------------------------------


def test_numerical_backward_agrees_with_mlp_backward():
    rng = np.random.default_rng(0)
    weights, biases = mlp.init_network([3, 4, 4, 2], rng)
    x, y = rng.standard_normal((3, 3)), rng.uniform(size=(2, 3))
    zs, a = mlp.forward(weights, biases, x)
    for numeric, exact in zip(
        exercises.numerical_backward(weights, biases, x, y), mlp.backward(weights, zs, a, y)
    ):
        for n_l, e_l in zip(numeric, exact):
            assert n_l.shape == e_l.shape
            assert rel_error(n_l, e_l) < 1e-5  # entries as small as 1e-6: central-difference noise


def buggy(bug, layer=None):
    """mlp.backward's equations with one deliberate bug (layer: where a per-layer bug strikes)."""

    def backward(weights, zs, activations, y, activation="sigmoid"):
        _, fp = act.get(activation)
        L = len(weights)
        deltas = [None] * L
        deltas[L - 1] = (activations[L] - y) * (1.0 if bug == "no fprime in BP1" else fp(zs[L - 1]))
        for l in range(L - 1, 0, -1):  # computes delta^l, layer l
            W = weights[l] if bug == "W not transposed in BP2" else weights[l].T
            z = zs[l] if bug == "z of the next layer in BP2" else zs[l - 1]
            deltas[l - 1] = (W @ deltas[l]) * (
                1.0 if bug == "no fprime in BP2" and layer in (None, l) else fp(z)
            )
        grad_b = [
            d.mean(axis=1, keepdims=True) if bug == "mean in BP3" else d.sum(axis=1, keepdims=True)
            for d in deltas
        ]
        a_in = activations[1:] if bug == "a of the same layer in BP4" else activations[:-1]
        grad_w = [a @ d.T if bug == "BP4 transposed" else d @ a.T for d, a in zip(deltas, a_in)]
        return deltas, grad_w, grad_b

    return backward


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("sizes", [(4, 5, 5, 3), (5, 5, 5, 5), (2, 3)])
def test_checker_passes_a_right_backward(activation, sizes):
    verdict = exercises.check_gradient(mlp.backward, sizes=sizes, activation=activation)
    assert verdict.ok and verdict.layer is None
    assert str(verdict).startswith("all layers match (max rel error")
    assert repr(verdict) == str(verdict)
    assert exercises.check_gradient(
        buggy(None), sizes=sizes, activation=activation
    ).ok  # the bug-free copy


@pytest.mark.parametrize(
    "bug, sizes, layer, quantity, equation",
    [
        ("no fprime in BP1", (4, 5, 5, 3), 3, "delta", "(BP1)"),
        ("no fprime in BP2", (4, 5, 5, 3), 2, "delta", "(BP2)"),
        ("W not transposed in BP2", (5, 5, 5, 5), 2, "delta", "(BP2)"),
        ("z of the next layer in BP2", (5, 5, 5, 5), 2, "delta", "(BP2)"),
        ("mean in BP3", (4, 5, 5, 3), 3, "grad_b", "(BP3)"),
        ("a of the same layer in BP4", (5, 5, 5, 5), 3, "grad_w", "(BP4)"),
        ("a of the same layer in BP4", (4, 5, 5, 3), 3, "grad_w", "(BP4)"),
        ("BP4 transposed", (4, 5, 5, 3), 3, "grad_w", "(BP4)"),
    ],
)
def test_checker_names_the_layer_and_quantity_of_a_bug(bug, sizes, layer, quantity, equation):
    verdict = exercises.check_gradient(buggy(bug), sizes=sizes)
    assert not verdict.ok
    assert (verdict.layer, verdict.quantity) == (layer, quantity)
    assert str(verdict).startswith(f"layer {layer} {quantity} ")
    assert equation in str(verdict)


def test_checker_reports_the_relative_error_and_the_transpose():
    verdict = exercises.check_gradient(buggy("mean in BP3"), m=4)
    assert verdict.rel_error == pytest.approx(
        3 / 5
    )  # |s/4 - s| / (|s/4| + |s|) for a sum s over 4 columns
    assert "rel error 0.6 against mlp.backward" in str(verdict)
    assert "(transposed?)" in str(exercises.check_gradient(buggy("BP4 transposed")))


@pytest.mark.parametrize("layer", [1, 2, 3])
def test_checker_finds_a_bug_in_one_middle_layer(layer):
    verdict = exercises.check_gradient(buggy("no fprime in BP2", layer), sizes=(3, 4, 4, 4, 2))
    assert (verdict.layer, verdict.quantity) == (layer, "delta")
    assert f"delta^{layer} = ((W^{layer + 1})^T delta^{layer + 1})" in str(verdict)


def test_checker_reports_an_exception_with_its_line():
    verdict = exercises.check_gradient(
        buggy("W not transposed in BP2")
    )  # non-square W^3: matmul fails
    assert not verdict.ok and verdict.layer is None
    assert "backward raised ValueError" in str(verdict) and "@ deltas[l]" in str(verdict)


def test_checker_reports_a_wrong_return_structure():
    verdict = exercises.check_gradient(lambda *args: mlp.backward(*args)[:2])
    assert (
        not verdict.ok
        and "three lists of 3 arrays" in str(verdict)
        and "tuple of 2" in str(verdict)
    )


# --- chapter "Backpropagation": delta of a linear output, the batch gradient ------------------


def test_linear_output_delta_right_answer_passes():
    verdict = exercises.check_linear_output_delta(lambda z, a, y: a - y)
    assert verdict.ok and "right" in str(verdict)


@pytest.mark.parametrize(
    "answer, named",
    [
        (lambda z, a, y: y - a, "wrong sign"),
        (lambda z, a, y: (a - y) * act.sigmoid_prime(z), "multiplies by sigma'"),
        (lambda z, a, y: (a - y) * 2.0, "differs from finite differences"),
        (lambda z, a, y: (a - y)[:, 0], "shape (2,), expected (2, 3)"),
    ],
)
def test_linear_output_delta_wrong_answers_are_named(answer, named):
    verdict = exercises.check_linear_output_delta(answer)
    assert not verdict.ok and named in str(verdict), str(verdict)


def batch_grad_w(weights, biases, x, y, reduce=sum):
    """The notes' single-example (BP4), delta^l a^{l-1 T} per column, combined by ``reduce``."""
    zs, a = mlp.forward(weights, biases, x)
    deltas = mlp.backward(weights, zs, a, y)[0]
    m = x.shape[1]
    return [reduce(d[:, [i]] @ a_in[:, [i]].T for i in range(m)) for d, a_in in zip(deltas, a[:-1])]


def test_batch_gradient_right_answer_passes():
    assert exercises.check_batch_gradient(batch_grad_w).ok


def test_batch_gradient_mean_is_named():
    def mean(parts):
        parts = list(parts)
        return sum(parts) / len(parts)

    verdict = exercises.check_batch_gradient(lambda *args: batch_grad_w(*args, reduce=mean))
    assert not verdict.ok and verdict.layer == 1 and "mean over the batch" in str(verdict)


def test_batch_gradient_one_example_only_fails_at_its_layer():
    verdict = exercises.check_batch_gradient(
        lambda *args: batch_grad_w(*args, reduce=lambda parts: next(iter(parts)))
    )
    assert not verdict.ok and "dC/dW^1 differs from finite differences" in str(verdict)


# --- chapter "MLP": the level scale for ReLU, the widest band --------------------------------


def test_level_scale_right_and_wrong():
    assert exercises.check_level_scale(np.sqrt(2)).ok
    low, high = exercises.check_level_scale(1.0), exercises.check_level_scale(2.0)
    assert not low.ok and "vanishes: try a larger scale" in str(low)
    assert not high.ok and "explodes: try a smaller scale" in str(high)


def test_widest_band_right_and_wrong():
    assert exercises.check_widest_band(6.9).ok and exercises.check_widest_band(-6.9).ok
    early, late = exercises.check_widest_band(4.5), exercises.check_widest_band(20.0)
    assert not early.ok and "wider at some larger |w|" in str(early)
    assert not late.ok and "wider at some smaller |w|" in str(late)


# --- chapter "RNN" ---------------------------------------------------------------------------


def rnn_problem():
    rng = np.random.default_rng(0)
    params = rnn.init_params(2, 3, 2, 0.9, rng)
    return rng.standard_normal((1, 2)), params, rng.random((1, 2)), np.ones(3)


def test_rnn_gradient_checker_passes_bptt_and_names_a_wrong_entry():
    xs, params, ys, h0 = rnn_problem()
    _, cache = rnn.forward(xs, **params, h0=h0)
    grads = rnn.bptt(ys, cache)[1]
    assert exercises.check_rnn_gradient(grads["W"], "W", xs, params, ys, h0=h0).ok
    cross = rnn.bptt(ys, cache, "cross_entropy")[1]["W"]  # the wrong loss: σ' left out
    verdict = exercises.check_rnn_gradient(cross, "W", xs, params, ys, h0=h0)
    assert not verdict.ok and verdict.quantity == "W"
    assert str(verdict).startswith("dL/dW is wrong: entry (") and "finite differences" in str(
        verdict
    )
    transposed = exercises.check_rnn_gradient(grads["U"].T, "U", xs, params, ys, h0=h0)
    assert not transposed.ok and "(transposed?)" in str(transposed)


def test_rnn_linear_gain_checker():
    assert exercises.check_rnn_linear_gain(0.9**20).ok
    one_more = exercises.check_rnn_linear_gain(0.9**21)
    assert not one_more.ok and "one Jacobian too many" in str(one_more)
    assert "log10" in str(exercises.check_rnn_linear_gain(20 * np.log10(0.9)))
    assert not exercises.check_rnn_linear_gain(0.9 * 20).ok


def test_rnn_clip_checker():
    def right(grads, max_norm):
        norm = np.sqrt(sum(np.sum(g**2) for g in grads.values()))
        return {k: g * min(1.0, max_norm / norm) for k, g in grads.items()}

    def per_array(grads, max_norm):  # the typical slip: each array clipped by its own norm
        return {k: g * min(1.0, max_norm / np.linalg.norm(g)) for k, g in grads.items()}

    assert exercises.check_rnn_clip(right).ok
    verdict = exercises.check_rnn_clip(per_array)
    assert not verdict.ok and "above the threshold" in str(verdict)
    assert "together" in str(verdict)
    always = exercises.check_rnn_clip(lambda g, m: {k: v * m / 10 for k, v in g.items()})
    assert not always.ok and "min(1, max_norm / ||g||)" in str(always)
    raises = exercises.check_rnn_clip(lambda g, m: g["missing"])
    assert not raises.ok and "clip raised KeyError" in str(raises)


# --- chapter "CNN": the checkers of its exercises ----------------------------------------------


def kron_upsample(scale):
    """The mean-pool upsample with np.kron, each entry of a window getting delta * scale(s)."""
    return lambda delta, s: np.kron(delta, np.full((s, s), scale(s)))


def test_mean_upsample_checker_passes_the_kronecker_product():
    verdict = exercises.check_mean_upsample(kron_upsample(lambda s: 1 / s**2))
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
    verdict = exercises.check_mean_upsample(answer)
    assert not verdict.ok
    assert re.search(expected, str(verdict)), str(verdict)


def test_tie_checker():
    truth = exercises.tie_derivatives()
    assert exercises.check_tie(**truth).ok
    assert exercises.check_tie(1.0, 0.0, 0.5, 1.0).ok
    swapped = exercises.check_tie(0.0, 1.0, 0.5, 1.0)
    assert not swapped.ok and "swapped" in str(swapped) and swapped.quantity == "right"
    central = exercises.check_tie(1.0, 0.0, 1.0, 1.0)
    assert not central.ok and "central = 1.0 is wrong: the central difference averages" in str(
        central
    )
    package = exercises.check_tie(1.0, 0.0, 0.5, 0.5)
    assert not package.ok and package.quantity == "package" and "first maximum" in str(package)


def input_gradient(delta, W, filters=None, flip=True):
    """(conv-bp-a) with the 2-D operations: sum over ``filters`` (all by default) of
    pad(delta_f) ⋆ rot180(W_f,c), or ⋆ W_f,c if not ``flip``."""
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
    verdict = exercises.check_input_gradient(input_gradient)
    assert verdict.ok and str(verdict).startswith("right (rel error")


@pytest.mark.parametrize(
    "answer, expected",
    [
        (lambda d, W: input_gradient(d, W, filters=[0]), "filter 0 only: .* sum over f"),
        (lambda d, W: input_gradient(d, W, flip=False), r"uses W where rot180\(W\) belongs"),
        (lambda d, W: 2 * input_gradient(d, W), r"check \(conv-bp-a\)"),
        (lambda d, W: input_gradient(d, W)[0], r"has shape \(5, 4\), expected \(2, 5, 4\)"),
        (lambda d, W: input_gradient(d, W) * np.nan, "NaN or inf"),
    ],
)
def test_input_gradient_checker_names_what_is_wrong(answer, expected):
    verdict = exercises.check_input_gradient(answer)
    assert not verdict.ok
    assert re.search(expected, str(verdict)), str(verdict)
