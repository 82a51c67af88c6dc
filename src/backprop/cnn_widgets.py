"""Widgets of the chapter "CNN": compute (:mod:`backprop.cnn`) + figures
(:mod:`backprop.cnn_plots`), linked for the static website by :mod:`backprop.linked`."""

import numpy as np

from backprop import cnn, cnn_loops, cnn_training, linked
from backprop.cnn_plots import FeatureFigure, PoolFigure, StepFigure

POOL_SIZE = 2
#: 4×4 inputs of a pooling layer; the second has a tie in its top-left window
POOL_INPUTS = {
    "distinct values": np.array(
        [[0.3, 0.9, 0.1, 0.4], [0.5, 0.2, 0.8, 0.6], [0.7, 0.1, 0.2, 0.3], [0.4, 0.6, 0.9, 0.5]]
    ),
    "a tie": np.array(
        [[0.9, 0.2, 0.1, 0.4], [0.3, 0.9, 0.8, 0.6], [0.7, 0.1, 0.2, 0.3], [0.4, 0.6, 0.9, 0.5]]
    ),
}
POOL_DELTA = np.array([[0.8, -0.4], [0.2, 1.0]])  # the upstream delta^l, one entry per window


def pool_parts(a, mode, window):
    """What :class:`PoolFigure` shows for input a (H, W), ``mode`` and the highlighted window.

    Returns ``(grad, receives, maxima)``: grad = upsample(POOL_DELTA), the entries that window's
    delta goes to, and the entries that receive any delta under max pooling (all False for mean).
    """
    _, cache = cnn.pool_forward(a[None], POOL_SIZE, mode)
    grad = (
        cnn.pool_backward(POOL_DELTA[None], cache)[0] + 0.0
    )  # (POOL-BP) the upsample (+0.0: no "-0")
    one_window = np.zeros_like(POOL_DELTA)
    if window is not None:
        one_window[window] = 1.0
    receives = cnn.pool_backward(one_window[None], cache)[0] != 0
    maxima = cnn.pool_backward(np.ones_like(POOL_DELTA)[None], cache)[0] != 0
    return grad, receives, maxima & (mode == "max")


def pool_caption(a, mode, window, receives):
    """One sentence on where the highlighted window's delta goes."""
    n = POOL_SIZE**2
    if window is None and mode == "max":
        return "max pooling: each δ goes whole to its window's maximum (bold); the others get 0"
    if window is None:
        return f"mean pooling: each δ is divided by {n} and copied to all {n} entries of its window"
    d = POOL_DELTA[window]
    if mode == "mean":
        return (
            f"window {window}: δ = {d:g} is shared equally: "
            f"{d:g}/{n} = {d / n:g} to each of its {n} entries"
        )
    ((u, v),) = np.argwhere(receives)
    (i, j), k = window, POOL_SIZE
    block = a[i * k : (i + 1) * k, j * k : (j + 1) * k]
    tie = (
        " (a tie: the first maximum in row-major order wins)"
        if np.sum(block == block.max()) > 1
        else ""
    )
    return (
        f"window {window}: δ = {d:g} goes whole to the maximum a[{u},{v}] = {a[u, v]:g}; "
        f"the other {n - 1} entries get 0{tie}"
    )


def pool_widget(dpi=72):
    """The pooling upsample: toggles pick max or mean pooling and the input; a slider highlights
    one window and where its delta goes. Frames: 2 modes × 5 windows × 2 inputs = 20."""
    figure = PoolFigure((4, 4), POOL_SIZE)

    def draw(mode, window, name):
        a = POOL_INPUTS[name]
        grad, receives, maxima = pool_parts(a, mode, window)
        return figure.draw(
            a, POOL_DELTA, grad, window, receives, maxima, pool_caption(a, mode, window, receives)
        )

    windows = {"all": None, **{f"({i}, {j})": (i, j) for i, j in np.ndindex(POOL_DELTA.shape)}}
    controls = [
        linked.toggle("pooling", ["max", "mean"]),
        linked.slider("window", windows),
        linked.toggle("input", list(POOL_INPUTS)),
    ]
    alt = (
        "{} pooling of a 4×4 input ({}), window {} highlighted: the input, the 2×2 upstream delta, "
        "and its upsample showing which input entries receive each delta."
    )
    return linked.figure(
        draw, controls, alt=lambda mode, window, a: alt.format(mode, a, window), dpi=dpi
    )


def conv_example(seed=0):
    """Small integers for the conv steppers: a (4, 4) in 0..3; W (3, 3) and delta (2, 2) = dC/dz
    for z = a ⋆ W in {-2, -1, 1, 2} (no zeros: every term of the sums shows)."""
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 4, (4, 4)).astype(np.float64)
    W = rng.choice([-2.0, -1.0, 1.0, 2.0], (3, 3))
    delta = rng.choice([-2.0, -1.0, 1.0, 2.0], (2, 2))
    return a, W, delta


def terms_caption(target, pairs, values):
    """Two lines: 'target = x·y + ...' with the symbols, then with the numbers, then the sum."""
    symbols = " + ".join(f"{x}·{y}" for x, y in pairs)
    numbers = " + ".join(f"({x:g})·({y:g})" for x, y in values)
    return f"{target} = {symbols}\n= {numbers} = {sum(x * y for x, y in values):g}"


def input_gradient_widget(dpi=72):
    """(CONV-BP-a) step by step: dC/da = pad_full(delta) ⋆ rot180(W), one entry of dC/da per step
    (play button), the contributing entries of delta and W highlighted. Frames: 16."""
    a, W, delta = conv_example()
    kh, kw = W.shape
    padded, flipped = cnn.pad_full(delta, kh, kw), cnn.rot180(W)
    grad_a = cnn_loops.cross_correlate2d(padded, flipped)  # (CONV-BP-a)
    padding = cnn.pad_full(np.ones_like(delta), kh, kw) == 0
    figure = StepFigure(
        padded.shape,
        W.shape,
        ["zero-padded δˡ", "rot180(Wˡ)", "∂C/∂aˡ⁻¹"],
    )

    def draw(step):
        m, n = np.unravel_index(step, grad_a.shape)
        terms = cnn_loops.input_gradient_terms(delta, W, m, n)
        x_used, k_used = np.zeros(padded.shape, dtype=bool), np.zeros(W.shape, dtype=bool)
        for (i, j), (u, v) in terms:
            x_used[i + kh - 1, j + kw - 1] = k_used[kh - 1 - u, kw - 1 - v] = True
        caption = terms_caption(
            f"∂C/∂a[{m},{n}]",
            [(f"δ[{i},{j}]", f"W[{u},{v}]") for (i, j), (u, v) in terms],
            [(delta[i, j], W[u, v]) for (i, j), (u, v) in terms],
        )
        return figure.draw(padded, flipped, grad_a, step, x_used, k_used, padding, caption)

    steps = {f"a[{m},{n}]": s for s, (m, n) in enumerate(np.ndindex(grad_a.shape))}
    alt = (
        "Step {}: the kernel rot180(W) over the zero-padded delta gives one entry of dC/da; "
        "contributing entries highlighted."
    )
    return linked.figure(draw, [linked.play("entry", steps)], alt=alt.format, dpi=dpi)


def weight_gradient_widget(dpi=72):
    """(CONV-BP-W) step by step: dC/dW = a ⋆ delta, one entry per step (play button), the window
    of a that meets delta highlighted. Frames: 9."""
    a, W, delta = conv_example()
    grad_W = cnn_loops.cross_correlate2d(a, delta)  # (CONV-BP-W)
    figure = StepFigure(a.shape, delta.shape, ["input aˡ⁻¹", "δˡ", "∂C/∂Wˡ"])

    def draw(step):
        u, v = np.unravel_index(step, grad_W.shape)
        x_used = np.zeros(a.shape, dtype=bool)
        x_used[u : u + delta.shape[0], v : v + delta.shape[1]] = True
        pairs = [(f"a[{u + i},{v + j}]", f"δ[{i},{j}]") for i, j in np.ndindex(delta.shape)]
        values = [(a[u + i, v + j], delta[i, j]) for i, j in np.ndindex(delta.shape)]
        return figure.draw(
            a,
            delta,
            grad_W,
            step,
            x_used,
            np.ones(delta.shape, dtype=bool),
            np.zeros(a.shape, dtype=bool),
            terms_caption(f"∂C/∂W[{u},{v}]", pairs, values),
        )

    steps = {f"W[{u},{v}]": s for s, (u, v) in enumerate(np.ndindex(grad_W.shape))}
    alt = (
        "Step {}: delta slides over the input a; the highlighted window times delta, summed, "
        "gives one entry of dC/dW."
    )
    return linked.figure(draw, [linked.play("entry", steps)], alt=alt.format, dpi=dpi)


def feature_parts(history, epoch, image):
    """The feature maps f(z1) (F, s, s) and the outputs (n_out,) of the network of ``history``
    (from :func:`backprop.cnn_training.train_small_cnn`) after ``epoch`` epochs, on one image
    (H, W), computed with the layers the history recorded."""
    params = history["snapshots"][epoch]
    out, cache = cnn_training.small_cnn_forward(params, image[None], **history["layers"])
    return cache["a1"][0], out[:, 0]


def features_widget(history, images, labels, epochs=None, n_images=5, dpi=72):
    """The trained small CNN of the chapter (``history`` from
    :func:`backprop.cnn_training.train_small_cnn`, drawn with the layers it records): a slider
    picks the epoch (every snapshot unless ``epochs`` is given), a toggle one of the first
    ``n_images`` test images. Frames: len(epochs) × n_images."""
    epochs = range(len(history["snapshots"])) if epochs is None else epochs
    F, _, k, _ = history["snapshots"][0]["W"].shape
    activation, side = history["layers"]["activation"], images.shape[1]
    n_out = history["snapshots"][0]["V"].shape[0]
    figure = FeatureFigure(F, k, side, n_out, activation)
    picks = history["test_idx"][:n_images]

    def draw(epoch, index):
        maps, out = feature_parts(history, epoch, images[index])
        titles = (
            f"epoch {epoch}: test accuracy {history['test_accuracy'][epoch]:.1%}",
            f"this digit is a {labels[index]}; the network says {int(np.argmax(out))}",
        )
        return figure.draw(images[index], history["snapshots"][epoch]["W"][:, 0], maps, out, titles)

    controls = [
        linked.slider("epoch", list(epochs), index=len(epochs) - 1),
        linked.toggle(
            "test image", {f"#{i + 1} (digit {labels[j]})": j for i, j in enumerate(picks)}
        ),
    ]
    alt = (
        f"After {{}} epochs, test image {{}}: the {side}×{side} input digit, the learned {k}×{k} "
        f"filters, the feature maps {activation}(z1) they produce, and the {n_out} sigmoid "
        "outputs with the largest in red."
    )
    return linked.figure(draw, controls, alt=alt.format, dpi=dpi)
