"""Checkers of the exercises of the chapter "RNN": each takes the reader's answer and returns a
:class:`backprop.exercises.Verdict`."""

import numpy as np

from backprop import rnn, rnn_time, rnn_training
from backprop.exercises import Verdict, call
from backprop.gradcheck import matches, numerical_gradient, rel_error

# ---------------------------------------------------------------- chapter "RNN"


def check_rnn_gradient(answer, name, xs, params, ys, h0=None, activation="tanh", loss="squared"):
    """Check a reader's dC/d``name`` (name one of U, W, V, b, c) of an RNN on one sequence against
    central differences of C (:func:`backprop.rnn.sequence_loss`); returns a :class:`Verdict`
    naming the largest-error entry when it is wrong. xs (T, n_x), ys (T, n_y), params a dict."""
    params = {key: np.array(p, dtype=np.float64) for key, p in params.items()}  # perturbed copies
    numeric = numerical_gradient(
        lambda _: rnn.sequence_loss(xs, params, ys, h0, activation, loss), params[name], 1e-5
    )
    got = np.asarray(answer, dtype=np.float64)
    if got.shape != numeric.shape:
        hint = " (transposed?)" if got.shape == numeric.shape[::-1] else ""
        return Verdict(False, f"dC/d{name} has shape {got.shape}, expected {numeric.shape}{hint}")
    if matches(got, numeric):
        return Verdict(
            True,
            f"dC/d{name} matches finite differences (rel error {rel_error(got, numeric):.1e})",
            rel_error=rel_error(got, numeric),
        )
    where = np.unravel_index(np.argmax(np.abs(got - numeric)), got.shape)
    return Verdict(
        False,
        f"dC/d{name} is wrong: entry {tuple(int(i) for i in where)} is {got[where]:.6g}, finite "
        f"differences give {numeric[where]:.6g} (rel error {rel_error(got, numeric):.2g})",
        quantity=name,
        rel_error=rel_error(got, numeric),
    )


def check_rnn_linear_gain(answer, factor=0.9, steps=20):
    """Check the factor by which a gradient shrinks over ``steps`` steps of h^t = factor h^{t-1}
    (f linear, W = factor I), computed with :func:`backprop.rnn_time.log_norms_through_time`."""
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
        got, failed = call(user_clip, {name: g.copy() for name, g in grads.items()}, max_norm)
        if failed:
            return Verdict(False, f"clip {failed.message} ({label})")
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


PARAMETERS = ("U", "W", "V", "b", "c")  #: the RNN's parameters, in the order a verdict names them


def bptt_cases(seed=0):
    """The sequences :func:`check_bptt` runs a reader's BPTT on: (xs, params, ys) of T = 1 (no
    recurrence yet) and T = 5, with 2 inputs, 3 hidden units, 2 outputs."""
    rng = np.random.default_rng(seed)
    cases = []
    for T in (1, 5):
        params = rnn.init_params(2, 3, 2, spectral_radius=0.9, rng=rng)
        cases.append((rng.standard_normal((T, 2)), params, rng.standard_normal((T, 2))))
    return cases


def check_bptt(bptt, seed=0):
    """Exercise ex-bptt: ``bptt(xs, params, ys)`` -> {U, W, V, b, c: dC/d...} of a tanh RNN with
    the squared loss and h^0 = 0, written from scratch; a Verdict naming the first wrong gradient.

    Checked against central differences of :func:`backprop.rnn.sequence_loss` on
    :func:`bptt_cases`; an answer that forgets the W^⊤ δ^{t+1} a hidden state receives from the
    next step (right at T = 1, wrong later) is told so.
    """
    for xs, params, ys in bptt_cases(seed):
        got, failed = call(bptt, xs.copy(), {k: v.copy() for k, v in params.items()}, ys.copy())
        if failed:
            return failed
        missing = [name for name in PARAMETERS if not isinstance(got, dict) or name not in got]
        if missing:
            return Verdict(
                False, f"bptt must return a dict with the keys U, W, V, b, c: no {missing[0]}"
            )
        for name in PARAMETERS:
            verdict = check_rnn_gradient(got[name], name, xs, params, ys)
            if not verdict.ok:
                return forgot_recurrence(got[name], name, xs, params, ys) or verdict
    return Verdict(True, "right for T = 1 and T = 5: every gradient matches finite differences")


def forgot_recurrence(answer, name, xs, params, ys):
    """The Verdict for a dC/d``name`` that has only each step's own loss (truncated BPTT with
    k = 1: no W^⊤ δ^{t+1} from the next step), or None if ``answer`` is not that."""
    _, cache = rnn.forward(xs, **params)
    local = rnn.bptt_truncated(ys, cache, 1)[1][name]
    if np.shape(answer) != local.shape or not np.allclose(answer, local):
        return None
    return Verdict(
        False,
        f"dC/d{name} is wrong at T = {len(xs)}: it has only each step's own loss; dC/dh^t also "
        "receives W^⊤ δ^{t+1} from the next step",
        quantity=name,
    )
