"""Widgets of the chapter "Backpropagation": compute (:mod:`backprop.mlp`) + figures
(:mod:`backprop.backprop_plots`), linked for the static website by :mod:`backprop.linked`."""

import numpy as np

from backprop import linked, mlp
from backprop.activations import sigmoid_prime
from backprop.backprop_plots import DeltaFigure
from backprop.plotting import superscript

#: (input x, target y) pairs the reader can pick, for a network with 2 inputs and 2 outputs. The
#: input is fixed; the targets go from far from the network's output at weight scale 1 to close
#: to it (the chapter shows that output, from :func:`widget_state`).
EXAMPLES = {
    "y=(1, 0): far": ([1.0, 0.0], [1.0, 0.0]),
    "y=(0, 1)": ([1.0, 0.0], [0.0, 1.0]),
    "y=(0.2, 0.5): close": ([1.0, 0.0], [0.2, 0.5]),
}
SCALES = [0.25, 1.0, 8.0]


def backward_steps(weights, biases, x, y):
    """Per step of the backward pass (output layer first), what :class:`DeltaFigure` shows.

    x, y: shape (n_0, 1) and (n_L, 1). Returns ``(deltas, errors, primes)``: deltas[l-1] is
    delta^l, errors[l-1] the error fed into layer l ((W^{l+1})^T delta^{l+1}, or a^L - y for
    l = L), primes[l-1] = sigma'(z^l); each of shape (n_l,).
    """
    zs, activations = mlp.forward(weights, biases, x)
    deltas, _, _ = mlp.backward(weights, zs, activations, y)
    errors = [weights[l].T @ deltas[l] for l in range(1, len(weights))]  # (BP2) before the ⊙
    errors.append(activations[-1] - y)  # (BP1) nabla_a C
    primes = [sigmoid_prime(z) for z in zs]
    return [d.ravel() for d in deltas], [e.ravel() for e in errors], [p.ravel() for p in primes]


def columns(example):
    """An (x, y) pair of EXAMPLES as columns of shape (n_0, 1) and (n_L, 1)."""
    return tuple(np.array(v, dtype=np.float64).reshape(-1, 1) for v in example)


def widget_network(scale, sizes=(2, 3, 3, 2), seed=0):
    """``(weights, biases)`` of the widget's network: W^l = scale * W0^l and b^l, with W0^l and b^l
    from ``mlp.init_network(sizes, default_rng(seed))``: W0^l ~ N(0, 1/n_{l-1}), b^l ~ N(0, 1)."""
    weights0, biases = mlp.init_network(list(sizes), np.random.default_rng(seed))
    return [scale * W for W in weights0], biases


def widget_state(scale, example, sizes=(2, 3, 3, 2), seed=0):
    """``(a^L, primes)`` of the widget's network (:func:`widget_network`) on ``EXAMPLES[example]``:
    its output a^L, shape (n_L,), and sigma'(z^l) of every layer, one array of shape (n_l,) each."""
    weights, biases = widget_network(scale, sizes, seed)
    x, _ = columns(EXAMPLES[example])
    zs, activations = mlp.forward(weights, biases, x)
    return activations[-1].ravel(), [sigmoid_prime(z).ravel() for z in zs]


def widget_steps(scale, example, sizes=(2, 3, 3, 2), seed=0):
    """:func:`backward_steps` ``(deltas, errors, primes)`` of the widget's network
    (:func:`widget_network`) on ``EXAMPLES[example]``: what its frames show."""
    return backward_steps(*widget_network(scale, sizes, seed), *columns(EXAMPLES[example]))


def step_alt(sizes, step_label, scale, example, step, seed=0):
    """The alt text of one frame of :func:`deltas_widget`, with the numbers the frame shows."""
    deltas, errors, primes = widget_steps(float(scale), example, sizes, seed)
    l = len(sizes) - 1 - step
    norm = np.linalg.norm
    return (
        f"Backward pass of a {'-'.join(map(str, sizes))}-network at step {step_label}, weight "
        f"scale {scale}, target {example}: each unit coloured by its delta. The step's Hadamard "
        f"product: the error reaching layer {l}, of norm {norm(errors[l - 1]):.2g}, times "
        f"σ′(z{superscript(l)}) between {primes[l - 1].min():.2g} and {primes[l - 1].max():.2g} "
        f"gives δ{superscript(l)} of norm {norm(deltas[l - 1]):.2g}."
    )


def deltas_widget(sizes=(2, 3, 3, 2), seed=0, dpi=72):
    """Watch the deltas: a play button steps the backward pass from the output layer to layer 1;
    sliders pick the weight scale (W^l = scale * W0^l) and the target y for the input x = (1, 0).

    Frames: (L steps) x len(SCALES) x len(EXAMPLES), all computed here.
    """
    figure = DeltaFigure(sizes)

    def draw(step, scale, example):
        weights, biases = widget_network(scale, sizes, seed)  # example: an (x, y) pair
        deltas, errors, primes = backward_steps(weights, biases, *columns(example))
        l = len(weights) - step
        return figure.draw(step, deltas, weights, errors[l - 1], primes[l - 1])

    L = len(sizes) - 1
    steps = {f"δ{superscript(L - s)} (layer {L - s})": s for s in range(L)}  # label: step
    controls = [
        linked.play("backward step", steps),
        linked.slider("weight scale", SCALES, index=SCALES.index(1.0)),
        linked.toggle("target y (input fixed at x = (1, 0))", EXAMPLES),
    ]

    def alt(step, scale, example):  # the controls' English labels
        return step_alt(sizes, step, scale, example, steps[step], seed)

    return linked.figure(draw, controls, alt=alt, dpi=dpi)
