"""The checkers of the chapter "Backpropagation": a right answer passes, a typical wrong one
fails with a message naming what is wrong."""

import pytest

from backprop import activations as act
from backprop import backprop_exercises, mlp


def test_linear_output_delta_right_answer_passes():
    verdict = backprop_exercises.check_linear_output_delta(lambda z, a, y: a - y)
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
    verdict = backprop_exercises.check_linear_output_delta(answer)
    assert not verdict.ok and named in str(verdict), str(verdict)


def batch_grad_w(weights, biases, x, y, reduce=sum):
    """The notes' single-example (BP4), delta^l a^{l-1 T} per column, combined by ``reduce``."""
    zs, a = mlp.forward(weights, biases, x)
    deltas = mlp.backward(weights, zs, a, y)[0]
    m = x.shape[1]
    return [reduce(d[:, [i]] @ a_in[:, [i]].T for i in range(m)) for d, a_in in zip(deltas, a[:-1])]


def test_batch_gradient_right_answer_passes():
    assert backprop_exercises.check_batch_gradient(batch_grad_w).ok


def test_batch_gradient_mean_is_named():
    def mean(parts):
        parts = list(parts)
        return sum(parts) / len(parts)

    verdict = backprop_exercises.check_batch_gradient(
        lambda *args: batch_grad_w(*args, reduce=mean)
    )
    assert not verdict.ok and verdict.layer == 1 and "mean over the batch" in str(verdict)


def test_batch_gradient_one_example_only_fails_at_its_layer():
    verdict = backprop_exercises.check_batch_gradient(
        lambda *args: batch_grad_w(*args, reduce=lambda parts: next(iter(parts)))
    )
    assert not verdict.ok and "dC/dW^1 differs from finite differences" in str(verdict)
