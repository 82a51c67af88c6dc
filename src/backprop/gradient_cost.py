"""What a gradient costs: finite differences against backprop, counted and timed (chapter "Backprop
on a graph").

Finite differences move one parameter at a time and run the network forward twice for each
(``gradcheck.numerical_gradient``): 2 n_theta forward passes for n_theta parameters. Backprop runs
it forward once and backward once (``mlp.forward``, ``mlp.backward``) and gets every derivative.
:func:`time_gradients` measures both on networks of growing width, on the machine that runs it.
"""

import time

import numpy as np

from backprop import mlp
from backprop.gradcheck import numerical_gradient
from backprop.validate import positive_int

WIDTHS = (1, 2, 4, 8, 16)  #: hidden widths h of the timed networks [4, h, h, 1]


def cost_network(width, seed=0):
    """``(weights, biases, x, y)``: the network [4, width, width, 1] of ``mlp.init_network`` and
    one example (x of shape (4, 1), y of shape (1, 1)), drawn from ``default_rng(seed)``."""
    positive_int("width", width)
    rng = np.random.default_rng(seed)
    weights, biases = mlp.init_network([4, width, width, 1], rng)
    return weights, biases, rng.standard_normal((4, 1)), rng.random((1, 1))


def parameter_count(weights, biases):
    """n_theta: the number of entries of every W^l and b^l."""
    return sum(W.size + b.size for W, b in zip(weights, biases))


def forward_passes(n_params):
    """The forward passes each method runs for n_theta parameters: (finite differences: two per
    parameter, backprop: one, followed by one backward pass)."""
    positive_int("n_params", n_params)
    return 2 * n_params, 1


def backprop_gradient(weights, biases, x, y):
    """Every dC/dW^l and dC/db^l by one forward and one backward pass: (grad_w, grad_b)."""
    zs, activations = mlp.forward(weights, biases, x)
    _, grad_w, grad_b = mlp.backward(weights, zs, activations, y)
    return grad_w, grad_b


def fd_gradient(weights, biases, x, y):
    """Every dC/dW^l and dC/db^l by central differences: two forward passes per parameter."""

    def cost(_):  # reads the arrays being nudged through weights and biases
        return mlp.cost(mlp.forward(weights, biases, x)[1][-1], y)

    grad_w = [numerical_gradient(cost, W) for W in weights]
    return grad_w, [numerical_gradient(cost, b) for b in biases]


def seconds(run, least=0.01, repeats=3):
    """The time of one call of ``run()``, in seconds of this process's CPU time (other work on a
    busy machine does not count): the fastest of ``repeats`` batches of calls, each batch as many
    calls as take at least ``least`` seconds (a short call is timed many times over)."""
    calls, elapsed = 1, 0.0
    while True:  # find how many calls make a batch of at least `least` seconds
        start = time.process_time()
        for _ in range(calls):
            run()
        elapsed = time.process_time() - start
        if elapsed >= least:
            break
        calls *= 4
    batches = [elapsed]
    for _ in range(repeats - 1):
        start = time.process_time()
        for _ in range(calls):
            run()
        batches.append(time.process_time() - start)
    return min(batches) / calls


def time_gradients(widths=WIDTHS, seed=0, repeats=3):
    """Time both methods on the networks of :func:`cost_network`, one per width.

    Returns ``(n_params, fd_seconds, backprop_seconds)``, three arrays with one entry per width:
    the parameter count n_theta and the seconds of one whole gradient by each method.
    """
    n_params, fd, bp = [], [], []
    for width in widths:
        net = cost_network(width, seed)
        n_params.append(parameter_count(*net[:2]))
        fd.append(seconds(lambda: fd_gradient(*net), repeats=repeats))
        bp.append(seconds(lambda: backprop_gradient(*net), repeats=repeats))
    return np.array(n_params), np.array(fd), np.array(bp)
