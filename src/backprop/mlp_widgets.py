"""Widgets of the chapter "MLP": compute (:mod:`backprop.vanishing`) + figures
(:mod:`backprop.mlp_plots`), linked for the static website by :mod:`backprop.linked`."""

from functools import lru_cache

import numpy as np

from backprop import datasets, learning_speed, linked, saturation_band, vanishing
from backprop.mlp_plots import BandFigure, ExplorerFigure, SpeedFigure

ACTIVATIONS = ["sigmoid", "tanh", "relu"]
DEPTHS = [2, 10]  # hidden layers
SCALES = [0.5, 1.0, np.sqrt(2.0), 2.0, 8.0, 32.0]  # W^l ~ scale * N(0, 1/n_{l-1})
INIT_LABELS = {1.0: "1 (Xavier)", np.sqrt(2.0): "√2 (He)"}  # the initialisations of "The cures"
SATURATED_LABEL = {
    "sigmoid": "saturated: σ′ < 1% of 1/4",
    "tanh": "saturated: tanh′ < 1% of 1",
    "relu": "dead: z ≤ 0 (ReLU′ = 0)",
}

SPEED_SIZES = [64, 30, 30, 30, 30, 10]  # 4 hidden layers on the 8x8 digits
SPEED_SCALES = [1.0, 4.0]
SPEED_SEEDS = range(8)  # the ensemble: seed s draws the initial parameters
ETAS = {"sigmoid": 1.0, "tanh": 0.02, "relu": 0.01}  # learning rates that train without diverging
SPEED_EPOCHS, SPEED_IMAGES, SPEED_BATCH = 10, 800, 10

BAND_WS = [2.0, 4.0, 8.0, 24.0]
BAND_BS = [-4.0, 0.0]


@lru_cache(maxsize=None)
def explorer_stats(depth, activation, scale, seed=0):
    """:func:`backprop.vanishing.layer_statistics` of the explorer's network (cached: drawn and
    described)."""
    return vanishing.layer_statistics(depth, activation, scale, seed=seed)


def scale_label(scale):
    """The slider's label of a weight scale: 0.5, or 1 (Xavier) where it is an initialisation."""
    return INIT_LABELS.get(scale, f"{scale:g}")


def explorer_frame(figure, depth, activation, scale, seed=0):
    """Draw one setting of the explorer on ``figure`` (an ExplorerFigure); returns its panels."""
    norms, mean_ratio, saturated = explorer_stats(depth, activation, scale, seed)
    title = (
        f"{activation}, {depth} hidden layers, weight scale {scale_label(scale)}\n"
        f"‖δ¹‖ / ‖δᴸ‖ = {norms[0] / norms[-1]:.1e}"
    )
    return figure.draw(norms, mean_ratio, saturated, title, SATURATED_LABEL[activation])


def explorer_alt(depth, activation, scale, seed=0):
    """The alt text of one explorer frame: what it shows, with its numbers. ``scale`` a number or
    its slider label."""
    scale = {scale_label(s): s for s in SCALES}.get(scale, scale)
    norms, mean_ratio, saturated = explorer_stats(int(depth), activation, float(scale), seed)
    flat = "inactive (z ≤ 0)" if activation == "relu" else "saturated"
    return (
        f"Log plot of the gradient size per layer of a {activation} network with {depth} hidden "
        f"layers and weight scale {scale_label(float(scale))}: layer 1 gets "
        f"{norms[0] / norms[-1]:.1e} times the "
        f"output layer's gradient. Beside it, per layer, the mean of f′ / max f′ (from "
        f"{mean_ratio.min():.2f} to {mean_ratio.max():.2f}) and bars of the {flat} fraction "
        f"(largest {saturated.max():.0%})."
    )


def explorer_widget(seed=0, dpi=80):
    """Vanishing-gradient explorer: ||delta^l|| per layer and saturation per layer, for every
    depth in DEPTHS, activation in ACTIVATIONS and weight scale in SCALES (all frames drawn
    here)."""
    figure = ExplorerFigure(max(DEPTHS) + 1)
    controls = [
        linked.slider("hidden layers", DEPTHS, index=DEPTHS.index(10)),
        linked.toggle("activation", ACTIVATIONS),
        linked.slider(
            "weight scale", [(scale_label(s), s) for s in SCALES], index=SCALES.index(1.0)
        ),
    ]
    return linked.figure(
        lambda *setting: explorer_frame(figure, *setting, seed=seed),
        controls,
        alt=lambda *labels: explorer_alt(*labels, seed=seed),
        dpi=dpi,
    )


def explorer_static(depth=10, activation="sigmoid", scale=1.0, dpi=80):
    """One explorer frame as a still image with alt text (the landing page's figure)."""
    figure = ExplorerFigure(depth + 1)
    return linked.static(
        explorer_frame(figure, depth, activation, scale),
        explorer_alt(depth, activation, scale),
        dpi=dpi,
    )


@lru_cache(maxsize=None)
def speed_ensemble(activation):
    """The :class:`backprop.learning_speed.TrainingHistory` of SPEED_SIZES for every scale in
    SPEED_SCALES and seed in SPEED_SEEDS, on the first SPEED_IMAGES digits (cached)."""
    images, labels = datasets.load_digits()
    return learning_speed.train(
        SPEED_SIZES,
        activation,
        SPEED_SCALES,
        SPEED_SEEDS,
        images[:SPEED_IMAGES],
        labels[:SPEED_IMAGES],
        SPEED_EPOCHS,
        SPEED_BATCH,
        ETAS[activation],
    )


def speed_example(activation, scale):
    """``(seed, grad_norms (epochs + 1, L), test_accuracy (epochs + 1,))`` of the run drawn as
    the example: :func:`backprop.learning_speed.example_run` of the ensemble at ``scale``."""
    h, i = speed_ensemble(activation), SPEED_SCALES.index(scale)
    j = learning_speed.example_run(h, i)
    return SPEED_SEEDS[j], h.grad_norms[:, i, j], h.test_accuracy[:, i, j]


def speed_widget(dpi=80):
    """Learning speed per layer: ||dC/db^l|| of every layer over the epochs of the example run
    (the ensemble's median), for every activation in ACTIVATIONS and scale in SPEED_SCALES."""
    figure = SpeedFigure(len(SPEED_SIZES) - 1, SPEED_EPOCHS)

    def draw(activation, scale):
        seed, norms, accuracy = speed_example(activation, scale)
        title = (
            f"{activation} (η = {ETAS[activation]:g}), weight scale {scale:g}, seed {seed}\n"
            f"test accuracy {accuracy[-1]:.0%} after {SPEED_EPOCHS} epochs"
        )
        return figure.draw(norms, accuracy, title)

    def alt(activation, scale):
        seed, _, accuracy = speed_example(activation, float(scale))
        return (
            f"Learning speed of each of the {len(SPEED_SIZES) - 1} layers of a {activation} "
            f"network (weight scale {scale}, seed {seed}, the median of {len(SPEED_SEEDS)} runs) "
            f"over {SPEED_EPOCHS} epochs on a log axis, and its test accuracy, which ends at "
            f"{accuracy[-1]:.0%}."
        )

    controls = [
        linked.toggle("activation", ACTIVATIONS),
        linked.slider("weight scale", SPEED_SCALES, index=SPEED_SCALES.index(1.0)),
    ]
    return linked.figure(draw, controls, alt=alt, dpi=dpi)


def band_widget(dpi=80):
    """The unsaturated band: |w sigma'(w a + b)| against a for every w in BAND_WS and b in BAND_BS,
    the band where it is >= 1 shaded; beside it the band's width against |w|."""
    a = np.linspace(-1.0, 2.0, 601)
    w_curve = np.geomspace(0.8, 40.0, 200)
    figure = BandFigure(a, w_curve, saturation_band.band_width(w_curve))

    def draw(w, b):
        lo, hi = saturation_band.band_interval(w, b)
        width = float(saturation_band.band_width(w))
        title = f"w = {w:g}, b = {b:g}\nband " + (
            f"a ∈ [{lo:.2f}, {hi:.2f}], width {width:.2f}" if width > 0 else "empty (|w| < 4)"
        )
        return figure.draw(saturation_band.band(a, w, b), (float(lo), float(hi)), width, w, title)

    def alt(w, b):
        width = float(saturation_band.band_width(float(w)))
        return (
            f"The factor |w σ'(w a + b)| against a for w = {w}, b = {b}: it peaks at |w|/4 = "
            f"{float(w) / 4:g} and is at least 1 on a band of width {width:.2f}; beside it, that "
            f"width "
            f"against |w|."
        )

    controls = [
        linked.slider("w", BAND_WS, index=BAND_WS.index(8.0)),
        linked.slider("b", BAND_BS, index=BAND_BS.index(-4.0)),
    ]
    return linked.figure(draw, controls, alt=alt, dpi=dpi)
