"""The checkers of the chapter "MLP" (deep networks): a right answer passes, a typical wrong one
fails with a message naming what is wrong."""

import numpy as np
import pytest

from backprop import activations as act
from backprop import mlp, mlp_exercises
from backprop.gradcheck import rel_error

ACTIVATIONS = ["sigmoid", "tanh", "relu"]

# --- the exercise checker --------------------------------------------------------------------


def test_numerical_backward_agrees_with_mlp_backward():
    rng = np.random.default_rng(0)
    weights, biases = mlp.init_network([3, 4, 4, 2], rng)
    x, y = rng.standard_normal((3, 3)), rng.uniform(size=(2, 3))
    zs, a = mlp.forward(weights, biases, x)
    for numeric, exact in zip(
        mlp_exercises.numerical_backward(weights, biases, x, y), mlp.backward(weights, zs, a, y)
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
    verdict = mlp_exercises.check_gradient(mlp.backward, sizes=sizes, activation=activation)
    assert verdict.ok and verdict.layer is None
    assert str(verdict).startswith("all layers match (max rel error")
    assert repr(verdict) == str(verdict)
    assert mlp_exercises.check_gradient(
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
    verdict = mlp_exercises.check_gradient(buggy(bug), sizes=sizes)
    assert not verdict.ok
    assert (verdict.layer, verdict.quantity) == (layer, quantity)
    assert str(verdict).startswith(f"layer {layer} {quantity} ")
    assert equation in str(verdict)


def test_checker_reports_the_relative_error_and_the_transpose():
    verdict = mlp_exercises.check_gradient(buggy("mean in BP3"), m=4)
    assert verdict.rel_error == pytest.approx(
        3 / 5
    )  # |s/4 - s| / (|s/4| + |s|) for a sum s over 4 columns
    assert "rel error 0.6 against mlp.backward" in str(verdict)
    assert "(transposed?)" in str(mlp_exercises.check_gradient(buggy("BP4 transposed")))


@pytest.mark.parametrize("layer", [1, 2, 3])
def test_checker_finds_a_bug_in_one_middle_layer(layer):
    verdict = mlp_exercises.check_gradient(buggy("no fprime in BP2", layer), sizes=(3, 4, 4, 4, 2))
    assert (verdict.layer, verdict.quantity) == (layer, "delta")
    assert f"delta^{layer} = ((W^{layer + 1})^T delta^{layer + 1})" in str(verdict)


def test_checker_reports_an_exception_with_its_line():
    verdict = mlp_exercises.check_gradient(
        buggy("W not transposed in BP2")
    )  # non-square W^3: matmul fails
    assert not verdict.ok and verdict.layer is None
    assert "backward raised ValueError" in str(verdict) and "@ deltas[l]" in str(verdict)


def test_checker_reports_a_wrong_return_structure():
    verdict = mlp_exercises.check_gradient(lambda *args: mlp.backward(*args)[:2])
    assert (
        not verdict.ok
        and "three lists of 3 arrays" in str(verdict)
        and "tuple of 2" in str(verdict)
    )


# --- chapter "MLP": the level scale for ReLU, the widest band --------------------------------


def test_level_scale_right_and_wrong():
    assert mlp_exercises.check_level_scale(np.sqrt(2)).ok
    low, high = mlp_exercises.check_level_scale(1.0), mlp_exercises.check_level_scale(2.0)
    assert not low.ok and "vanishes: try a larger scale" in str(low)
    assert not high.ok and "explodes: try a smaller scale" in str(high)


def test_widest_band_right_and_wrong():
    assert mlp_exercises.check_widest_band(6.9).ok and mlp_exercises.check_widest_band(-6.9).ok
    early, late = mlp_exercises.check_widest_band(4.5), mlp_exercises.check_widest_band(20.0)
    assert not early.ok and "wider at some larger |w|" in str(early)
    assert not late.ok and "wider at some smaller |w|" in str(late)
