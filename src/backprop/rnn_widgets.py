"""Widgets of the chapter "RNN": compute (:mod:`backprop.rnn`) + figures
(:mod:`backprop.rnn_plots`), linked for the static website by :mod:`backprop.linked`."""

import math

import numpy as np

from backprop import linked, rnn
from backprop.activations import MAX_PRIME
from backprop.rnn_plots import GainFigure, UnrolledFigure, unrolled_diagram
from backprop.rnn_time import T_MAX, example, log_gain

LENGTHS = {"unroller": 16, "gain": T_MAX}  # the sequence length of each widget (frames cost time)
RADII = [0.5, 2.0]  # spectral radii of W: below and above 1
ACTIVATIONS = ["tanh", "sigmoid", "relu"]
STAGES = 3  # positions of the play button: the backward sweep in three parts
TRUNCATIONS = {"none (full BPTT)": None, "τ = 4": 4}


def delta_norms(T, spectral_radius, activation):
    """||dC/dh^t|| for every step of the widgets' example (``bptt``'s deltas), (T,)."""
    ys, cache = example(T, spectral_radius, activation)
    return np.linalg.norm(rnn.bptt(ys, cache)[2], axis=1)


def first_reached(stage, T):
    """The earliest row whose dC/dh the backward sweep has computed at play position ``stage``
    (0..STAGES-1)."""
    return T - math.ceil((stage + 1) * T / STAGES)


def unrolled_graph(T=5):
    """The unrolled network of T steps, forward only (no deltas), with U, V, W on its arrows."""
    return unrolled_diagram(T)


def unroller_widget(dpi=72):
    """BPTT unroller on LENGTHS["unroller"] steps: the play button sweeps the backward pass from
    the last step to the first; toggles pick the spectral radius of W and the activation.

    Frames: STAGES x len(RADII) x len(ACTIVATIONS).
    """
    T = LENGTHS["unroller"]
    figure = UnrolledFigure(T)

    def draw(stage, rho, activation):
        first = first_reached(stage, T)
        title = f"BPTT, T = {T}, ρ(W) = {rho:g}, {activation}\n"
        title += f"∂C/∂hᵗ for t = {T} down to {first + 1}"
        return figure.draw(T, delta_norms(T, rho, activation), first, title)

    controls = [
        linked.play("backward sweep", {f"{s + 1}/{STAGES}": s for s in range(STAGES)}),
        linked.toggle("spectral radius ρ(W)", RADII),
        linked.toggle("activation", ACTIVATIONS),
    ]
    alt = (
        f"The RNN unrolled over {T} steps; backward sweep at part {{}}, spectral "
        "radius {}, {} units: each hidden state reached so far coloured by the norm of its "
        "gradient ∂C/∂hᵗ, and the norms as bars on a log axis."
    )
    return linked.figure(draw, controls, alt=lambda *labels: alt.format(*labels), dpi=dpi)


def gain_widget(dpi=72):
    """Gradient through time over LENGTHS["gain"] steps: the log gain of the last loss's gradient
    back to every earlier state, with the reference slopes; toggles for the spectral radius, the
    activation and the truncation. Frames: len(RADII) x len(ACTIVATIONS) x
    len(TRUNCATIONS)."""
    T = LENGTHS["gain"]
    figure = GainFigure(T)

    def draw(rho, activation, k):
        _, cache = example(T, rho, activation)
        top_singular = np.linalg.norm(cache["W"], 2)
        title = f"T = {T}, ρ(W) = {rho:g}, σ_max(W) = {top_singular:.2f}, {activation}"
        return figure.draw(
            log_gain(T, rho, activation),
            np.log10(rho * MAX_PRIME[activation]),
            np.log10(top_singular * MAX_PRIME[activation]),
            k,
            title,
        )

    controls = [
        linked.toggle("spectral radius ρ(W)", RADII),
        linked.toggle("activation", ACTIVATIONS),
        linked.toggle("truncation", TRUNCATIONS),
    ]
    alt = (
        f"Log10 of the gain of the last step's gradient back to step t over {T} steps, for "
        "spectral radius {}, {} units, truncation {}; dashed: the rate (rho max f') per "
        "step, dotted: the singular-value bound."
    )
    return linked.figure(draw, controls, alt=lambda *labels: alt.format(*labels), dpi=dpi)
