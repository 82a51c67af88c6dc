"""Checkers of the exercises of the chapter "Backpropagation": each takes the reader's answer
and returns a :class:`backprop.exercises.Verdict`."""

import numpy as np

from backprop import mlp
from backprop.activations import sigmoid_prime
from backprop.exercises import Verdict
from backprop.gradcheck import matches, numerical_gradient, rel_error


def exercise_network(sizes, seed, m):
    """The random network, batch and targets of a checker: (weights, biases, x, y)."""
    rng = np.random.default_rng(seed)
    weights, biases = mlp.init_network(list(sizes), rng)
    return weights, biases, rng.standard_normal((sizes[0], m)), rng.uniform(size=(sizes[-1], m))


def _looks_like(got, want, candidates):
    """The name of the first ``candidates`` entry (name, array) that ``got`` matches, else None."""
    return next(
        (name for name, c in candidates if matches(got, c) and not matches(got, want)), None
    )


def check_linear_output_delta(delta_out, sizes=(3, 4, 2), seed=0, m=3):
    """Check the reader's delta^L for a linear output layer (a^L = z^L); a :class:`Verdict`.

    ``delta_out(z, a, y) -> delta^L``: z = a = z^L and y of shape (n_L, m). Judged against
    central differences of the cost in b^L, one example at a time (delta^L = dC_x/db^L, BP3),
    with :func:`backprop.gradcheck.matches`.
    """
    weights, biases, x, y = exercise_network(sizes, seed, m)
    hidden = mlp.forward(weights[:-1], biases[:-1], x)[1][-1]

    def cost_of(i):  # C of example i, as a function of b^L
        return lambda b: mlp.cost(weights[-1] @ hidden[:, [i]] + b, y[:, [i]])

    fd = np.hstack([numerical_gradient(cost_of(i), biases[-1].copy()) for i in range(m)])
    z = weights[-1] @ hidden + biases[-1]  # z^L = a^L
    got = np.asarray(delta_out(z.copy(), z.copy(), y.copy()), dtype=np.float64)
    if got.shape != fd.shape:
        return Verdict(False, f"delta^L has shape {got.shape}, expected {fd.shape}")
    if matches(got, fd):
        return Verdict(True, f"right: delta^L = a^L - y (rel error {rel_error(got, fd):.1e})")
    slip = _looks_like(got, fd, [("sign", -fd), ("sigma", fd * sigmoid_prime(z))])
    message = {
        "sign": "has the wrong sign: dC/da^L = a^L - y (the square of y - a^L flips it)",
        "sigma": "multiplies by sigma'(z^L): a linear output's derivative is 1, not sigma'",
        None: "differs from finite differences of the cost in b^L",
    }[slip]
    return Verdict(
        False,
        f"delta^L {message} (rel error {rel_error(got, fd):.2g})",
        layer=len(weights),
        quantity="delta",
        rel_error=rel_error(got, fd),
    )


def check_batch_gradient(batch_grad_w, sizes=(2, 3, 3, 2), seed=0, m=4):
    """Check the reader's dC/dW^l of a batch (the cost summed over its columns); a Verdict.

    ``batch_grad_w(weights, biases, x, y) -> [dC/dW^1, ..., dC/dW^L]``, x of shape (n_0, m).
    Each is judged against central differences of the summed cost with
    :func:`backprop.gradcheck.matches`; the message names the first wrong layer.
    """
    weights, biases, x, y = exercise_network(sizes, seed, m)

    def cost(_):
        return mlp.cost(mlp.forward(weights, biases, x)[1][-1], y)

    got = batch_grad_w([W.copy() for W in weights], [b.copy() for b in biases], x.copy(), y.copy())
    for l, W in enumerate(weights, start=1):
        fd = numerical_gradient(cost, W)
        g = np.asarray(got[l - 1], dtype=np.float64) if len(got) >= l else np.zeros(0)
        if g.shape != fd.shape:
            return Verdict(
                False, f"dC/dW^{l} has shape {g.shape}, expected {fd.shape}", l, "grad_w"
            )
        if not matches(g, fd):
            slip = _looks_like(g, fd, [("mean", fd / m)])
            why = (
                "is the mean over the batch: the cost sums the examples, so does its gradient"
                if slip
                else "differs from finite differences of the batch's summed cost"
            )
            return Verdict(
                False,
                f"dC/dW^{l} {why} (rel error {rel_error(g, fd):.2g})",
                l,
                "grad_w",
                rel_error(g, fd),
            )
    return Verdict(True, "right: every dC/dW^l matches finite differences of the summed cost")
