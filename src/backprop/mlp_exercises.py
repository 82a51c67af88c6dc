"""Checkers of the exercises of the chapter "MLP" (deep networks): each takes the reader's answer
and returns a :class:`backprop.exercises.Verdict`."""

import numpy as np

from backprop import mlp, saturation_band, vanishing
from backprop.backprop_exercises import exercise_network
from backprop.exercises import Verdict, call
from backprop.gradcheck import numerical_gradient, rel_error


def numerical_backward(weights, biases, x, y, activation="sigmoid"):
    """``(deltas, grad_w, grad_b)`` by central differences, shaped like mlp.backward's.

    grad_w[l-1] = dC/dW^l and grad_b[l-1] = dC/db^l of the batch cost C = sum_x C_x;
    deltas[l-1][:, i] = dC_i/db^l for example i alone, which is delta^l of that example
    because z^l = W^l a^{l-1} + b^l moves one-for-one with b^l (BP3 read backwards).
    """
    weights = [np.array(W, dtype=np.float64) for W in weights]  # copies: perturbed in place
    biases = [np.array(b, dtype=np.float64) for b in biases]

    def cost_of(cols):
        return lambda _: mlp.cost(
            mlp.forward(weights, biases, x[:, cols], activation)[1][-1], y[:, cols]
        )

    grad_w = [numerical_gradient(cost_of(slice(None)), W) for W in weights]
    grad_b = [numerical_gradient(cost_of(slice(None)), b) for b in biases]
    deltas = [
        np.hstack([numerical_gradient(cost_of([i]), b) for i in range(x.shape[1])]) for b in biases
    ]
    return deltas, grad_w, grad_b


QUANTITIES = (
    "delta",
    "grad_b",
    "grad_w",
)  # checked in this order within a layer: the gradients come from delta
POSITION = {
    "delta": 0,
    "grad_w": 1,
    "grad_b": 2,
}  # where each sits in backward's (deltas, grad_w, grad_b)
HINTS = {
    "delta_out": "(BP1) delta^{l} = (a^{l} - y) ⊙ f'(z^{l})",
    "delta": "(BP2) delta^{l} = ((W^{up})^T delta^{up}) ⊙ f'(z^{l})",
    "grad_b": "(BP3) dC/db^{l} = delta^{l} summed over the batch's columns, shape (n_{l}, 1)",
    "grad_w": "(BP4) dC/dW^{l} = delta^{l} (a^{down})^T, shape (n_{l}, n_{down})",
}


def _compare(got, ref, fd, tol):
    """(e_ref, e_fd, text) for one array; text is "" if right, else says what is wrong.

    Wrong means another shape, a non-finite entry, or a rel_error against mlp.backward's
    ``ref`` above tol. The error against finite differences ``fd`` is reported beside it,
    as the independent check of mlp.backward itself, but not judged: central differences
    carry ~1e-10 of noise, a large relative error on the tiniest entries of a right answer.
    """
    got = np.asarray(got, dtype=np.float64)  # None becomes a NaN of shape ()
    if got.shape != ref.shape:
        hint = " (transposed?)" if got.shape == ref.shape[::-1] else ""
        return np.inf, np.inf, f"has shape {got.shape}, expected {ref.shape}{hint}"
    e_ref, e_fd = rel_error(got, ref), rel_error(got, fd)
    text = f"rel error {e_ref:.2g} against mlp.backward, {e_fd:.2g} against finite differences"
    wrong = not np.isfinite(got).all() or e_ref > tol
    return e_ref, e_fd, "is wrong: " + text if wrong else ""


def _verdict(got, ref, fd, tol):
    """The Verdict naming the first wrong (layer, quantity), layers L..1 in QUANTITIES order."""
    L = len(ref[0])
    findings = [
        (
            l,
            q,
            *_compare(
                got[POSITION[q]][l - 1], ref[POSITION[q]][l - 1], fd[POSITION[q]][l - 1], tol
            ),
        )
        for l in range(L, 0, -1)
        for q in QUANTITIES
    ]
    wrong = [f for f in findings if f[4]]
    if not wrong:
        return Verdict(
            True,
            f"all layers match (max rel error {max(f[2] for f in findings):.1e} against "
            f"mlp.backward, {max(f[3] for f in findings):.1e} against finite differences)",
            rel_error=max(f[2] for f in findings),
        )
    l, q, e_ref, _, text = wrong[0]
    hint = HINTS["delta_out" if (q, l) == ("delta", L) else q].format(l=l, up=l + 1, down=l - 1)
    message = f"layer {l} {q} {text}.\n  check {hint}"
    if len(wrong) > 1:
        message += "\n  also wrong: " + ", ".join(f"layer {w[0]} {w[1]}" for w in wrong[1:])
    return Verdict(False, message, l, q, e_ref)


def _describe(got):
    """What a backward returned, e.g. 'tuple of 3: list of 2, list of 3, list of 3'."""
    if not isinstance(got, (tuple, list)):
        return type(got).__name__
    parts = [
        f"{type(g).__name__} of {len(g)}" if isinstance(g, (tuple, list)) else type(g).__name__
        for g in got
    ]
    return f"{type(got).__name__} of {len(got)}: " + ", ".join(parts)


def check_gradient(user_backward, sizes=(4, 5, 5, 3), activation="sigmoid", seed=0, m=3, tol=1e-6):
    """Check a reader's backward pass, layer by layer; returns a :class:`Verdict`.

    ``user_backward(weights, zs, activations, y, activation) -> (deltas, grad_w, grad_b)``
    has the signature of :func:`backprop.mlp.backward`. On a random network of ``sizes``
    (batch of m columns, seed), every delta^l, dC/db^l and dC/dW^l it returns is compared,
    going from layer L down to 1, with mlp.backward and with :func:`numerical_backward`
    (both errors are reported); a quantity is wrong if its shape differs or its rel_error
    against mlp.backward exceeds ``tol``. The message names the first wrong layer and
    quantity (the cause: later ones usually inherit it) and the equation to check; an
    exception raised by ``user_backward`` is reported with its line, not raised.
    """
    weights, biases, x, y = exercise_network(sizes, seed, m)
    zs, activations = mlp.forward(weights, biases, x, activation)
    ref = mlp.backward(weights, zs, activations, y, activation)
    fd = numerical_backward(weights, biases, x, y, activation)
    copies = [[W.copy() for W in weights], [z.copy() for z in zs], [a.copy() for a in activations]]
    got, failed = call(user_backward, *copies, y.copy(), activation)
    if failed:
        return Verdict(False, "backward " + failed.message)
    L = len(weights)
    if not (
        isinstance(got, (tuple, list))
        and len(got) == 3
        and all(isinstance(g, (tuple, list)) and len(g) == L for g in got)
    ):
        return Verdict(
            False,
            f"backward must return (deltas, grad_w, grad_b), three lists of {L} arrays "
            f"(one per layer), got {_describe(got)}",
        )
    return _verdict(got, ref, fd, tol)


def check_level_scale(scale, depth=10, band=4.0):
    """Check the reader's weight scale for a ReLU network of ``depth`` hidden layers; a Verdict.

    Right when ||delta^1|| / ||delta^L|| of :func:`backprop.vanishing.layer_gradient_norms`
    lies within a factor ``band`` of 1: the gradient neither vanishes nor explodes.
    """
    norms = vanishing.layer_gradient_norms(depth, "relu", float(scale))
    ratio = norms[0] / norms[-1]
    if 1 / band <= ratio <= band:
        return Verdict(True, f"right: at scale {scale:g} layer 1 gets {ratio:.2g} of layer L's")
    trend = "vanishes: try a larger scale" if ratio < 1 else "explodes: try a smaller scale"
    return Verdict(
        False,
        f"at scale {scale:g} layer 1 gets {ratio:.2g} times layer L's gradient: it {trend}",
        quantity="scale",
        rel_error=abs(np.log(ratio)),
    )


def check_widest_band(w, tol=0.995):
    """Check the reader's |w| of the widest unsaturated band; a :class:`Verdict`.

    Right when the band at |w| is at least ``tol`` of the widest on a grid of |w| in [4, 40]
    (spacing 1e-3, :func:`backprop.saturation_band.band_width`).
    """
    grid = np.linspace(4.0, 40.0, 36001)
    widths = saturation_band.band_width(grid)
    got, best = float(saturation_band.band_width(abs(w))), float(widths.max())
    if got >= tol * best:
        return Verdict(True, f"right: the band at |w| = {abs(w):g} has width {got:.4f}")
    side = "larger" if abs(w) < grid[widths.argmax()] else "smaller"
    return Verdict(
        False,
        f"the band at |w| = {abs(w):g} has width {got:.3f}; it is wider at some {side} |w|",
        quantity="w",
        rel_error=1 - got / best,
    )
