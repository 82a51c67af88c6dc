"""The example graphs of the chapter "Backprop on a graph", and the checkers of its exercises: each
checker takes the reader's numbers and returns a :class:`backprop.exercises.Verdict`.

The graphs, in the chapter's letters (alpha, beta, gamma the inputs, mu and nu the nodes between):

* :func:`gate_graph`: CS231n's ``(x + y) z`` as C = mu gamma, mu = alpha + beta, at (-2, 5, -4);
* :func:`fan_out_graph`: C = mu nu, mu = alpha + beta, nu = max(beta, gamma): beta fans out;
* :func:`pencil_network`: a 2-2-1 sigmoid network with numbers chosen for pencil and paper.

A reader's number is right when it is within 0.5% of the exact one (or 1e-4 of it: three
significant digits of a hand computation, rounded as it goes).
"""

import math

import numpy as np

from backprop import mlp
from backprop.exercises import Verdict
from backprop.graph import Value

REL_TOL, ABS_TOL = 5e-3, 1e-4  #: how close a hand-computed number must be

#: the 2-2-1 network of pencil and paper: x, W^1, b^1, W^2, b^2 and the target y
PENCIL = {
    "x": [[1.0], [2.0]],
    "W1": [[0.5, -0.25], [-1.0, 1.0]],
    "b1": [[0.0], [0.0]],
    "W2": [[1.0, -1.0]],
    "b2": [[0.5]],
    "y": [[1.0]],
}


def gate_graph(alpha=-2.0, beta=5.0, gamma=-4.0):
    """CS231n's graph: returns the Values (alpha, beta, gamma, mu, C) of C = (alpha + beta) gamma,
    after ``C.backward()``."""
    a, b, g = Value(alpha, label="α"), Value(beta, label="β"), Value(gamma, label="γ")
    mu = a + b  # add distributes
    mu.label = "μ"
    C = mu * g  # multiply swaps
    C.label = "C"
    C.backward()
    return a, b, g, mu, C


def fan_out_graph(alpha=-2.0, beta=5.0, gamma=3.0):
    """The widget's graph: returns the Values (alpha, beta, gamma, mu, nu, C) of
    C = mu nu with mu = alpha + beta and nu = max(beta, gamma), before any backward pass.
    beta feeds both mu and nu: dC/dbeta is the sum of two paths' terms."""
    a, b, g = Value(alpha, label="α"), Value(beta, label="β"), Value(gamma, label="γ")
    mu = a + b
    nu = b.max(g)  # max routes
    C = mu * nu
    for node, name in ((mu, "μ"), (nu, "ν"), (C, "C")):
        node.label = name
    return a, b, g, mu, nu, C


def pencil_network():
    """The pencil-and-paper network as ``mlp`` arrays: ``(weights, biases, x, y)``."""
    arrays = {name: np.array(value) for name, value in PENCIL.items()}
    return [arrays["W1"], arrays["W2"]], [arrays["b1"], arrays["b2"]], arrays["x"], arrays["y"]


def pencil_numbers():
    """Every number of the pencil network's forward and backward pass, from ``mlp``: a dict of
    arrays z1, a1 (2,), z2, a2, C (1,), delta2 (1,), delta1 (2,), dW2 (1, 2), db2 (1,),
    dW1 (2, 2), db1 (2,)."""
    weights, biases, x, y = pencil_network()
    zs, activations = mlp.forward(weights, biases, x)
    deltas, grad_w, grad_b = mlp.backward(weights, zs, activations, y)
    return {
        "z1": zs[0].ravel(),
        "a1": activations[1].ravel(),
        "z2": zs[1].ravel(),
        "a2": activations[2].ravel(),
        "C": np.array([mlp.cost(activations[2], y)]),
        "delta2": deltas[1].ravel(),
        "delta1": deltas[0].ravel(),
        "dW2": grad_w[1],
        "db2": grad_b[1].ravel(),
        "dW1": grad_w[0],
        "db1": grad_b[0].ravel(),
    }


def close(got, want):
    """A hand-computed number matches: within REL_TOL of ``want`` or ABS_TOL of it."""
    return math.isclose(got, want, rel_tol=REL_TOL, abs_tol=ABS_TOL)


def _entries(name, value, shape):
    """The reader's ``value`` as (entry name, float) pairs, or a Verdict if it has another size.
    Entry names carry subscripts: dW1 of shape (2, 2) gives dW1[1,1], dW1[1,2], ...; a single
    number keeps its name."""
    try:
        got = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return Verdict(False, f"{name} must be numbers, got {value!r}")
    if got.size != math.prod(shape):
        return Verdict(False, f"{name} must hold {math.prod(shape)} numbers, got {got.size}")
    got = got.reshape(shape)
    if got.size == 1:
        return [(name, float(got.ravel()[0]))]
    return [
        (f"{name}[{','.join(str(i + 1) for i in index)}]", float(got[index]))
        for index in np.ndindex(shape)
    ]


def judge(answers, expected, slips, done):
    """The Verdict on the reader's ``answers`` ({name: value}) against ``expected`` ({name:
    array}), entry by entry in order: the first wrong entry is named, with the slip it matches
    (``slips``: {name: [(wrong array, why)]}); all right, the message ``done``."""
    for name, want in expected.items():
        got = _entries(name, answers[name], want.shape)
        if isinstance(got, Verdict):
            return got
        wrong = [_entries(name, value, want.shape) for value, _ in slips.get(name, [])]
        for k, ((entry, g), w) in enumerate(zip(got, want.ravel())):
            if close(g, w):
                continue
            why = next(
                (
                    why
                    for (value, why), bad in zip(slips.get(name, []), wrong)
                    if close(g, bad[k][1])
                ),
                "",
            )
            error = abs(g - w) / max(abs(g) + abs(w), 1e-12)
            message = f"{entry} = {g:.4g} is not right{': ' + why if why else ''}"
            return Verdict(False, message, quantity=entry, rel_error=error)
    return Verdict(True, done)


def check_gate_pass(mu, C, dC_dmu, dC_dgamma, dC_dalpha, dC_dbeta):
    """CS231n's pass by hand (:func:`gate_graph`): the forward values mu, C, then the gradients
    dC/dmu, dC/dgamma, dC/dalpha, dC/dbeta. A :class:`Verdict`."""
    a, b, g, m, c = gate_graph()
    expected = {
        k: np.array([v])
        for k, v in [
            ("mu", m.data),
            ("C", c.data),
            ("dC/dmu", m.grad),
            ("dC/dgamma", g.grad),
            ("dC/dalpha", a.grad),
            ("dC/dbeta", b.grad),
        ]
    }
    slips = {
        "dC/dgamma": [
            (np.array([g.data]), "multiply swaps: gamma's gradient is the other factor, mu")
        ],
        "dC/dalpha": [(np.array([1.0]), "add passes on the gradient it receives, dC/dmu, times 1")],
        "dC/dbeta": [(np.array([1.0]), "add passes on the gradient it receives, dC/dmu, times 1")],
    }
    answers = dict(zip(expected, (mu, C, dC_dmu, dC_dgamma, dC_dalpha, dC_dbeta)))
    return judge(answers, expected, slips, "right: the forward values and all four gradients")


def check_fan_out(dC_dalpha, dC_dbeta, dC_dgamma):
    """The gradients of the inputs of :func:`fan_out_graph`. A :class:`Verdict`."""
    a, b, g, mu, nu, C = fan_out_graph()
    C.backward()
    expected = {
        "dC/dalpha": np.array([a.grad]),
        "dC/dbeta": np.array([b.grad]),
        "dC/dgamma": np.array([g.grad]),
    }
    one_path = "beta feeds mu and nu: add the terms of both paths"
    slips = {
        "dC/dbeta": [(np.array([nu.data]), one_path), (np.array([mu.data]), one_path)],
        "dC/dgamma": [
            (
                np.array([mu.data]),
                "max routes the whole gradient to the larger input, beta; gamma gets 0",
            )
        ],
    }
    answers = dict(zip(expected, (dC_dalpha, dC_dbeta, dC_dgamma)))
    return judge(answers, expected, slips, "right: beta's gradient is the sum over its two paths")


def check_pencil_forward(z1, a1, z2, a2, C):
    """The pencil network's forward pass: z^1, a^1 (two numbers each), z^2, a^2 and C."""
    n = pencil_numbers()
    expected = {k: n[k] for k in ("z1", "a1", "z2", "a2", "C")}
    slips = {"C": [(2 * n["C"], "the quadratic cost has a factor 1/2")]}
    answers = dict(zip(expected, (z1, a1, z2, a2, C)))
    return judge(answers, expected, slips, "right: every number of the forward pass")


def check_pencil_output_delta(delta2):
    """delta^2 = dC/dz^2 of the pencil network, one number."""
    n = pencil_numbers()
    error = n["a2"] - 1.0  # a^2 - y
    slips = {
        "delta2": [
            (-n["delta2"], "the sign: dC/da^2 = a^2 - y"),
            (error, "the output's slope sigma'(z^2) is missing"),
        ]
    }
    return judge(
        {"delta2": delta2}, {"delta2": n["delta2"]}, slips, "right: delta^2 = (a^2 - y) sigma'(z^2)"
    )


def check_pencil_hidden_delta(delta1):
    """delta^1 = dC/dz^1 of the pencil network, two numbers."""
    n = pencil_numbers()
    weights, _, _, _ = pencil_network()
    back = (weights[1].T @ n["delta2"].reshape(1, 1)).ravel()  # (W^2)^T delta^2, no slope yet
    slips = {"delta1": [(back, "each hidden unit's slope sigma'(z^1_j) is missing")]}
    return judge(
        {"delta1": delta1},
        {"delta1": n["delta1"]},
        slips,
        "right: delta^1 = (W^2)^T delta^2 ⊙ sigma'(z^1)",
    )


def check_pencil_gradients(dW2, db2, dW1, db1):
    """The pencil network's gradients: dC/dW^2 (1 x 2), dC/db^2, dC/dW^1 (2 x 2), dC/db^1."""
    n = pencil_numbers()
    expected = {k: n[k] for k in ("dW2", "db2", "dW1", "db1")}
    slips = {"dW1": [(n["dW1"].T, "transposed: dC/dW^1_jk = delta^1_j x_k, row j for unit j")]}
    answers = dict(zip(expected, (dW2, db2, dW1, db1)))
    return judge(answers, expected, slips, "right: every gradient of the network")
