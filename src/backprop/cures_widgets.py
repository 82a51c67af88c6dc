"""Widgets of the chapter "The cures": compute (:mod:`backprop.cures`, :mod:`backprop.lstm`,
:mod:`backprop.rnn_time`) + figures (:mod:`backprop.cures_plots`), linked for the static website
by :mod:`backprop.linked`."""

import functools

import numpy as np

from backprop import cures, linked, lstm, rnn_time
from backprop.cures_plots import ProfileFigure, ThroughTimeFigure

DEPTH = 20  # hidden layers of the explorer's networks (L = 21 layers with the output)
SEEDS = range(8)  # the ensemble: seed s draws one network and its batch
EXPLORER_ACTIVATIONS = ["tanh", "relu"]  # sigmoid and leaky ReLU: in the chapter's tables
SWITCH = {"off": False, "on": True}
INIT_NAMES = {"naive": "naive", "Xavier": "xavier", "He": "he"}  # the toggle's labels: values
T = rnn_time.T_MAX  # the same length as the RNN chapter's gain widget
FORGET_BIASES = [-2.0, 0.0, 1.0, 3.0, 5.0]  # b_f: the forget gates start near sigmoid(b_f)
RADII = [0.5, 2.0]  # the plain RNN's spectral radius, as in the RNN chapter's widgets


@functools.lru_cache(maxsize=None)
def lstm_example(forget_bias, seed=0):
    """An LSTM of rnn_time's example sizes (n_x = 2 inputs, n_h = 8 units, one sequence of T
    steps), its weights the same for every forget bias, and a loss at the last step only, with a
    random upstream gradient at h^T. Returns ``(dhs, cache)`` of :func:`backprop.lstm.forward`."""
    rng = np.random.default_rng(seed)
    params = lstm.init_params(rnn_time.N_X, rnn_time.N_H, rng, forget_bias=forget_bias)
    xs = rng.standard_normal((T, 1, rnn_time.N_X))
    zeros = np.zeros((1, rnn_time.N_H))
    _, cache = lstm.forward(params, xs, zeros, zeros)
    dhs = np.zeros((T, 1, rnn_time.N_H))
    dhs[-1] = rng.standard_normal(rnn_time.N_H)  # dC^T/dh^T; no other step has a loss
    return dhs, cache


def lstm_log_gains(forget_bias, rho):
    """log10 gains back from step T, each (T,): ``cell`` ‖∂C/∂c^t‖ / ‖∂C/∂c^T‖ (every path),
    ``path`` the cell path alone (the forget gates' products times ∂C/∂c^T), ``rnn`` the plain
    tanh RNN's ‖∂C^T/∂h^t‖ / ‖∂C^T/∂h^T‖ at spectral radius ``rho`` (:func:`rnn_time.log_gain`)."""
    dhs, cache = lstm_example(forget_bias)
    dcs = lstm.backward_with_cells(dhs, cache)[1]
    last = np.linalg.norm(dcs[-1])
    along = lstm.forget_gain(cache) * dcs[-1]  # (LSTM-CELL-PATH) diag(f^{t+1} ... f^T) dC/dc^T
    with np.errstate(divide="ignore"):  # an exactly zero gradient is -inf, drawn at the axis
        return {
            "cell": np.log10(np.linalg.norm(dcs, axis=(1, 2)) / last),
            "path": np.log10(np.linalg.norm(along, axis=(1, 2)) / last),
            "rnn": rnn_time.log_gain(T, rho, "tanh"),
        }


def gate_means(forget_bias):
    """The mean over the units of the gates i, f, o at every step, each (T,)."""
    cache = lstm_example(forget_bias)[1]
    return {k: cache[k].mean(axis=(1, 2)) for k in ("i", "f", "o")}


def lstm_widget(dpi=72):
    """The LSTM's gradient through time beside the plain RNN's: a slider for the forget gates'
    bias, a toggle for the RNN's spectral radius. Frames: len(FORGET_BIASES) x len(RADII)."""
    figure = ThroughTimeFigure(T)

    def draw(forget_bias, rho):
        gains, gates = lstm_log_gains(forget_bias, rho), gate_means(forget_bias)
        title = (
            f"T = {T}, forget bias {forget_bias:g}, RNN ρ(W) = {rho:g}\n"
            f"gain back to t = 1: LSTM 10^{gains['cell'][0]:.1f}, RNN 10^{gains['rnn'][0]:.1f}"
        )
        return figure.draw(gains, gates, title, f"mean forget gate {gates['f'].mean():.2f}")

    def alt(forget_bias, rho):
        forget_bias, rho = float(forget_bias), float(rho)
        gains, gates = lstm_log_gains(forget_bias, rho), gate_means(forget_bias)
        return (
            f"Log10 of the gain of the last step's gradient back to each of {T} steps: an LSTM "
            f"with forget-gate bias {forget_bias} (mean forget gate {gates['f'].mean():.2f}) "
            f"reaches step 1 with 10^{gains['cell'][0]:.1f}, a plain tanh RNN with spectral "
            f"radius {rho} with 10^{gains['rnn'][0]:.1f}; beside it, the LSTM's gates per step."
        )

    controls = [
        linked.slider("forget-gate bias", FORGET_BIASES, index=FORGET_BIASES.index(1.0)),
        linked.toggle("plain RNN ρ(W)", RADII),
    ]
    return linked.figure(draw, controls, alt=alt, dpi=dpi)


def profile(init, activation, residual, norm):
    """:func:`backprop.cures.layer_profile` of the explorer's networks (computed once: drawn
    and described, and shared with the chapter's tables)."""
    return cures.layer_profile(DEPTH, init, activation, residual, norm, seeds=SEEDS)


def setting(init, activation, residual, norm):
    """A setting in words: "He, relu, skips on, layer norm off"."""
    on, name = {True: "on", False: "off"}, {v: k for k, v in INIT_NAMES.items()}[init]
    return f"{name}, {activation}, skips {on[residual]}, layer norm {on[norm]}"


def explorer_widget(dpi=72):
    """The cures explorer: per-layer error and signal of DEPTH-layer networks over SEEDS, for
    every initialisation, activation, skip and norm setting. Frames: 3 x 2 x 2 x 2 = 24."""
    figure = ProfileFigure(DEPTH + 1)

    def draw(init, activation, residual, norm):
        stats = profile(init, activation, residual, norm)
        ratio = np.median(stats["ratio"])
        titles = (
            f"{setting(init, activation, residual, norm)}\n‖δ¹‖ / ‖δᴸ‖ = {ratio:.1e} (median)",
            f"forward signal, {len(SEEDS)} seeds\nRMS of a at layer {DEPTH}: "
            f"{stats['signal'][1, -2]:.1e}",
        )
        return figure.draw(stats["gain"], stats["signal"], titles)

    def alt(init, activation, residual, norm):
        init, residual, norm = INIT_NAMES[init], SWITCH[residual], SWITCH[norm]
        stats = profile(init, activation, residual, norm)
        return (
            f"Two log plots over the {DEPTH + 1} layers of networks with "
            f"{setting(init, activation, residual, norm)}, the median of "
            f"{len(SEEDS)} seeds: the error of layer 1 is {np.median(stats['ratio']):.1e} times "
            f"the output layer's, and the forward signal's RMS goes from "
            f"{stats['signal'][1, 0]:.1e} at layer 1 to {stats['signal'][1, -2]:.1e} at layer "
            f"{DEPTH}."
        )

    controls = [
        linked.toggle("initialisation", INIT_NAMES, index=list(INIT_NAMES).index("Xavier")),
        linked.toggle("activation", EXPLORER_ACTIVATIONS),
        linked.toggle("skip connections", SWITCH),
        linked.toggle("layer norm", SWITCH),
    ]
    return linked.figure(draw, controls, alt=alt, dpi=dpi)
