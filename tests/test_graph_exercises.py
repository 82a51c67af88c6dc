"""backprop.graph_exercises: the example graphs' numbers, and each checker accepting the right
answer and naming the classic slips."""

import numpy as np
import pytest

from backprop import graph_exercises as ge
from backprop import mlp
from backprop.gradcheck import matches, numerical_gradient


def test_the_gate_graph_is_cs231n_s_example():
    alpha, beta, gamma, mu, C = ge.gate_graph()
    assert (mu.data, C.data) == (3.0, -12.0)
    assert (alpha.grad, beta.grad, gamma.grad, mu.grad) == (-4.0, -4.0, 3.0, -4.0)


def test_the_fan_out_graph_adds_beta_s_two_paths():
    alpha, beta, gamma, mu, nu, C = ge.fan_out_graph()
    C.backward()
    assert (alpha.grad, beta.grad, gamma.grad) == (nu.data, nu.data + mu.data, 0.0)


def test_pencil_numbers_are_the_gradient_of_the_cost():
    weights, biases, x, y = ge.pencil_network()
    n = ge.pencil_numbers()

    def cost(_):
        return mlp.cost(mlp.forward(weights, biases, x)[1][-1], y)

    assert matches(n["dW1"], numerical_gradient(cost, weights[0]))
    assert matches(n["dW2"], numerical_gradient(cost, weights[1]))
    assert matches(n["db1"], numerical_gradient(cost, biases[0]).ravel())
    assert matches(n["delta2"], numerical_gradient(cost, biases[1]).ravel())  # (BP3)
    np.testing.assert_allclose(n["z1"], [0.0, 1.0])  # the numbers chosen for pencil and paper


def right(n):
    return {
        "forward": (n["z1"], n["a1"], n["z2"], n["a2"], n["C"]),
        "output": (n["delta2"],),
        "hidden": (n["delta1"],),
        "gradients": (n["dW2"], n["db2"], n["dW1"], n["db1"]),
    }


CHECKERS = {
    "forward": ge.check_pencil_forward,
    "output": ge.check_pencil_output_delta,
    "hidden": ge.check_pencil_hidden_delta,
    "gradients": ge.check_pencil_gradients,
}


@pytest.mark.parametrize("step", CHECKERS)
def test_each_pencil_checker_takes_the_right_numbers_rounded_to_4_digits(step):
    answers = right(ge.pencil_numbers())[step]
    rounded = [np.round(np.asarray(a, dtype=float), 4) for a in answers]
    assert CHECKERS[step](*answers).ok and CHECKERS[step](*rounded).ok


@pytest.mark.parametrize("step", CHECKERS)
def test_each_pencil_checker_refuses_a_number_off_by_two_percent(step):
    answers = [np.array(a, dtype=float) for a in right(ge.pencil_numbers())[step]]
    answers[-1] = answers[-1] * 1.02
    verdict = CHECKERS[step](*answers)
    assert not verdict.ok and "is not right" in verdict.message


def test_the_slips_are_named():
    n = ge.pencil_numbers()
    assert "factor 1/2" in ge.check_pencil_forward(*right(n)["forward"][:4], 2 * n["C"]).message
    assert "sign" in ge.check_pencil_output_delta(-n["delta2"]).message
    assert "sigma'(z^2)" in ge.check_pencil_output_delta(n["a2"] - 1).message
    assert "slope" in ge.check_pencil_hidden_delta([n["delta2"][0], -n["delta2"][0]]).message
    verdict = ge.check_pencil_gradients(n["dW2"], n["db2"], n["dW1"].T, n["db1"])
    assert "transposed" in verdict.message and verdict.quantity == "dW1[1,2]"
    assert "swaps" in ge.check_gate_pass(3, -12, -4, -4, -4, -4).message
    assert "times 1" in ge.check_gate_pass(3, -12, -4, 3, 1, -4).message
    assert "both paths" in ge.check_fan_out(5, 3, 0).message
    assert "routes" in ge.check_fan_out(5, 8, 3).message
    assert ge.check_gate_pass(3, -12, -4, 3, -4, -4).ok and ge.check_fan_out(5, 8, 0).ok


def test_a_wrong_size_or_a_non_number_is_reported():
    n = ge.pencil_numbers()
    assert (
        "4 numbers, got 3"
        in ge.check_pencil_gradients(n["dW2"], n["db2"], [1, 2, 3], n["db1"]).message
    )
    assert "must be numbers" in ge.check_pencil_output_delta("x").message
