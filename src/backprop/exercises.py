"""Checkers for the exercises: the reader calls one with an answer and is told it is right, or
what is wrong and where.

One section per chapter. Each checker returns a :class:`Verdict`, which prints as its message.
"""

import traceback
from dataclasses import dataclass

import numpy as np

from backprop import mlp, rnn, rnn_time, rnn_training
from backprop.gradcheck import matches, numerical_gradient, rel_error


@dataclass
class Verdict:
    """The answer of a checker; it prints (and displays) as its message.

    ok: the answer is right; message: what is right or wrong and where; layer and quantity name
    the first wrong place where a checker can tell (else None); rel_error: its largest relative
    error.
    """

    ok: bool
    message: str
    layer: int | None = None
    quantity: str | None = None
    rel_error: float = 0.0

    def __str__(self):
        return self.message

    __repr__ = __str__


# ---------------------------------------------------------------- chapter "Backpropagation"


# ---------------------------------------------------------------- chapter "MLP"


def numerical_backward(weights, biases, x, y, activation="sigmoid"):
    """``(deltas, grad_w, grad_b)`` by central differences, shaped like :func:`backprop.mlp.backward`'s.

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
    """A short description of what a backward returned, e.g. 'tuple of 3: list of 2, list of 3, list of 3'."""
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
    rng = np.random.default_rng(seed)
    weights, biases = mlp.init_network(list(sizes), rng)
    x, y = rng.standard_normal((sizes[0], m)), rng.uniform(size=(sizes[-1], m))
    zs, activations = mlp.forward(weights, biases, x, activation)
    ref = mlp.backward(weights, zs, activations, y, activation)
    fd = numerical_backward(weights, biases, x, y, activation)
    try:
        got = user_backward(
            [W.copy() for W in weights],
            [z.copy() for z in zs],
            [a.copy() for a in activations],
            y.copy(),
            activation,
        )
    except Exception as error:  # a reader's bug: report it instead of raising
        frame = traceback.extract_tb(error.__traceback__)[-1]
        return Verdict(
            False,
            f"backward raised {type(error).__name__}: {error}\n"
            f"  at line {frame.lineno}: {frame.line}",
        )
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


# ---------------------------------------------------------------- chapter "CNN"


# ---------------------------------------------------------------- chapter "RNN"


def check_rnn_gradient(answer, name, xs, params, ys, h0=None, activation="tanh", loss="squared"):
    """Check a reader's dL/d``name`` (name one of U, W, V, b, c) of an RNN on one sequence against
    central differences of L (:func:`backprop.rnn.sequence_loss`); returns a :class:`Verdict`
    naming the largest-error entry when it is wrong. xs (T, n_x), ys (T, n_y), params a dict."""
    params = {key: np.array(p, dtype=np.float64) for key, p in params.items()}  # perturbed copies
    numeric = numerical_gradient(
        lambda _: rnn.sequence_loss(xs, params, ys, h0, activation, loss), params[name], 1e-5
    )
    got = np.asarray(answer, dtype=np.float64)
    if got.shape != numeric.shape:
        hint = " (transposed?)" if got.shape == numeric.shape[::-1] else ""
        return Verdict(False, f"dL/d{name} has shape {got.shape}, expected {numeric.shape}{hint}")
    if matches(got, numeric):
        return Verdict(
            True,
            f"dL/d{name} matches finite differences (rel error {rel_error(got, numeric):.1e})",
            rel_error=rel_error(got, numeric),
        )
    where = np.unravel_index(np.argmax(np.abs(got - numeric)), got.shape)
    return Verdict(
        False,
        f"dL/d{name} is wrong: entry {tuple(int(i) for i in where)} is {got[where]:.6g}, finite "
        f"differences give {numeric[where]:.6g} (rel error {rel_error(got, numeric):.2g})",
        quantity=name,
        rel_error=rel_error(got, numeric),
    )


def check_rnn_linear_gain(answer, factor=0.9, steps=20):
    """Check the factor by which a gradient shrinks over ``steps`` steps of h^t = factor h^{t-1}
    (f linear, W = factor I), computed here with :func:`backprop.rnn_time.log_norms_through_time`."""
    jacobians = np.repeat(factor * np.eye(2)[None], steps + 1, axis=0)
    log_gain = rnn_time.log_norms_through_time(jacobians, np.array([1.0, 0.0]))[
        0
    ]  # back `steps` steps
    right = 10.0**log_gain
    if np.isclose(answer, right, rtol=1e-6):
        return Verdict(True, f"right: the gradient is multiplied by {right:.4g}")
    for wrong, why in ((right * factor, "one Jacobian too many"), (right / factor, "one too few")):
        if np.isclose(answer, wrong, rtol=1e-6):
            return Verdict(
                False,
                f"{answer:.4g} is off by a factor {factor}: {why}; between "
                f"h^T and h^(T-{steps}) there are {steps} Jacobians",
            )
    if np.isclose(answer, log_gain, rtol=1e-6):
        return Verdict(False, f"{answer:.4g} is the log10 of the factor, not the factor")
    return Verdict(
        False,
        f"{answer!r} is not the factor: (dh^T/dh^(T-{steps}))^⊤ is a product "
        f"of {steps} Jacobians diag(f') W",
    )


def check_rnn_clip(user_clip, max_norm=1.0, seed=0):
    """Check a reader's ``user_clip(grads, max_norm) -> clipped`` (a dict like grads) against
    global-norm clipping (:func:`backprop.rnn_training.clip_by_norm`): a gradient above the
    threshold comes back with norm max_norm and the same direction, one below it unchanged."""
    rng = np.random.default_rng(seed)
    big = {"U": 3.0 * rng.standard_normal((3, 2)), "W": rng.standard_normal((3, 3))}
    small = {name: g * 0.1 * max_norm / rnn_training.global_norm(big) for name, g in big.items()}
    for label, grads in (("above the threshold", big), ("below the threshold", small)):
        try:
            got = user_clip({name: g.copy() for name, g in grads.items()}, max_norm)
        except Exception as error:  # a reader's bug: report it instead of raising
            return Verdict(False, f"clip raised {type(error).__name__}: {error} ({label})")
        right, _ = rnn_training.clip_by_norm(grads, max_norm)
        for name in grads:
            g = np.asarray(got.get(name) if isinstance(got, dict) else None, dtype=np.float64)
            if g.shape != right[name].shape or not np.allclose(g, right[name], rtol=1e-12):
                norms = {key: rnn_training.global_norm({key: got[key]}) for key in got}
                hint = (
                    f"each array has norm {max_norm}: clip by the norm of all of them together"
                    if np.allclose(list(norms.values()), max_norm)
                    else "scale every array by min(1, max_norm / ||g||), ||g|| over all arrays"
                )
                return Verdict(False, f"{label}: {name} is wrong; {hint}", quantity=name)
    return Verdict(True, "right: the global norm is clipped and the direction kept")
