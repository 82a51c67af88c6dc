"""Checkers of the exercises of the chapter "CNN": each takes the reader's answer and returns a
:class:`backprop.exercises.Verdict`."""

import numpy as np

from backprop import cnn
from backprop.exercises import Verdict, as_expected, call
from backprop.gradcheck import matches, numerical_gradient, rel_error

# ---------------------------------------------------------------- chapter "CNN"


def check_mean_upsample(upsample, seed=0):
    """Exercise ex-kron: ``upsample(delta, s)`` -> dC/da of s×s mean pooling; returns a Verdict.

    delta: (Hp, Wp) -> (s·Hp, s·Wp). Checked for s = 2 and 3 against central differences of
    C = sum(delta ⊙ meanpool(a)); an answer off by a constant factor is told the factor.
    """
    rng = np.random.default_rng(seed)
    for s in (2, 3):
        a, delta = rng.standard_normal((1, 3 * s, 2 * s)), rng.standard_normal((3, 2))
        cost = lambda x: np.sum(delta * cnn.pool_forward(x, s, "mean")[0][0])  # noqa: E731
        numeric = numerical_gradient(cost, a, 1e-5)[0]
        got, failed = call(upsample, delta.copy(), s)
        what = f"upsample(delta, s={s})"
        failed = failed or as_expected(got, numeric, what)
        if failed:
            return failed
        got = np.asarray(got, dtype=np.float64)
        if not matches(got, numeric):
            factor = np.sum(got * numeric) / np.sum(numeric**2)  # least-squares factor
            hint = (
                f"it is {factor:.3g} times the gradient"
                if matches(got, factor * numeric)
                else (f"rel error {rel_error(got, numeric):.2g} against finite differences")
            )
            return Verdict(
                False,
                f"{what} is wrong: {hint}.\n  each of the s² = {s * s} entries of window (i, j) "
                f"gets delta[i, j] / s², here / {s * s}",
                quantity="upsample",
                rel_error=rel_error(got, numeric),
            )
    return Verdict(True, "right for s = 2 and s = 3: each entry of a window gets delta / s²")


TIE_WINDOW = np.array([[[0.9, 0.2], [0.3, 0.9]]])  # ex-tie's window: its maximum twice


def tie_derivatives(eps=1e-6):
    """Exercise ex-tie's four numbers for TIE_WINDOW: the derivatives of its max pooling with
    respect to the top-left entry from the right, from the left, centrally, and pool_backward's."""
    pooled = lambda x: cnn.pool_forward(x, 2, "max")[0].item()  # noqa: E731
    nudge = np.zeros_like(TIE_WINDOW)
    nudge[0, 0, 0] = eps
    right = (pooled(TIE_WINDOW + nudge) - pooled(TIE_WINDOW)) / eps
    left = (pooled(TIE_WINDOW) - pooled(TIE_WINDOW - nudge)) / eps
    central = (pooled(TIE_WINDOW + nudge) - pooled(TIE_WINDOW - nudge)) / (2 * eps)
    _, cache = cnn.pool_forward(TIE_WINDOW, 2, "max")
    package = cnn.pool_backward(np.ones((1, 1, 1)), cache)[0, 0, 0]
    return {"right": right, "left": left, "central": central, "package": package}


TIE_REASONS = {
    "right": "raising a[0,0] raises the maximum one for one",
    "left": "lowering a[0,0] leaves the other 0.9 as the maximum",
    "central": "the central difference averages the two one-sided slopes",
    "package": "pool_backward gives the whole delta to the first maximum, a[0,0]",
}


def check_tie(right, left, central, package):
    """Exercise ex-tie: the reader's four derivatives (see :func:`tie_derivatives`), each to
    within 1e-4; returns a Verdict naming each wrong one and why it has its value."""
    given = {"right": right, "left": left, "central": central, "package": package}
    truth = tie_derivatives()
    wrong = [k for k in truth if not abs(float(given[k]) - truth[k]) < 1e-4]
    if not wrong:
        return Verdict(True, "right: " + ", ".join(f"{k} {truth[k]:.3g}" for k in truth))
    lines = [f"{k} = {given[k]!r} is wrong: {TIE_REASONS[k]}" for k in wrong]
    if {"right", "left"} <= set(wrong) and np.isclose(
        [right, left], [truth["left"], truth["right"]]
    ).all():
        lines.append("(right and left are swapped)")
    return Verdict(False, "\n  ".join(lines), quantity=wrong[0])


def check_input_gradient(input_gradient, seed=0):
    """Exercise ex-filters: ``input_gradient(delta, W)`` -> dC/da of a conv layer; a Verdict.

    delta: (F, Ho, Wo) = dC/dz; W: (F, C, kh, kw); the answer (C, Ho+kh-1, Wo+kw-1). Checked
    against central differences of C = sum(delta ⊙ (a ⋆ W + b)), F = 3 filters, C = 2 channels;
    the two typical slips (one filter only, no rot180) are recognised and named.
    """
    rng = np.random.default_rng(seed)
    a, W, b = rng.standard_normal((2, 5, 4)), rng.standard_normal((3, 2, 3, 2)), np.zeros(3)
    delta = rng.standard_normal((3, 3, 3))
    cost = lambda x: np.sum(delta * cnn.conv2d_forward(x, W, b)[0])  # noqa: E731
    numeric = numerical_gradient(cost, a, 1e-5)
    got, failed = call(input_gradient, delta.copy(), W.copy())
    failed = failed or as_expected(got, numeric, "input_gradient(delta, W)")
    if failed:
        return failed
    got = np.asarray(got, dtype=np.float64)
    if matches(got, numeric):
        return Verdict(
            True,
            f"right (rel error {rel_error(got, numeric):.1e} against finite "
            "differences): every filter q adds pad(delta_q) ⋆ rot180(W_q,r)",
        )
    one_filter = numerical_gradient(
        lambda x: np.sum(delta[0] * cnn.conv2d_forward(x, W, b)[0][0]), a, 1e-5
    )
    unflipped = cnn.conv2d_backward(delta, cnn.conv2d_forward(a, cnn.rot180(W), b)[1])[0]
    hint = (
        "it is the contribution of filter 0 only: channel r feeds every filter, so sum over q"
        if matches(got, one_filter)
        else "it uses W where rot180(W) belongs"
        if matches(got, unflipped)
        else "check (CONV-BP-a): sum_q pad(delta_q) ⋆ rot180(W_q,r)"
    )
    return Verdict(
        False,
        f"input_gradient is wrong (rel error {rel_error(got, numeric):.2g} "
        f"against finite differences): {hint}",
        quantity="grad_a",
        rel_error=rel_error(got, numeric),
    )


def conv_cases(seed=0):
    """The layers :func:`check_conv_backward` runs a reader's backward pass on: (delta, a, W, b)
    with 2 channels of 5×4, 3 filters of 3×2; and 1 channel of 4×4, 2 filters of 2×2."""
    rng = np.random.default_rng(seed)
    cases = []
    for n_c, (M, N), F, (kh, kw) in [(2, (5, 4), 3, (3, 2)), (1, (4, 4), 2, (2, 2))]:
        a, W, b = (
            rng.standard_normal((n_c, M, N)),
            rng.standard_normal((F, n_c, kh, kw)),
            np.zeros(F),
        )
        delta = rng.standard_normal((F, M - kh + 1, N - kw + 1))
        cases.append((delta, a, W, b))
    return cases


def conv_numeric(delta, a, W, b):
    """dC/da, dC/dW, dC/db by central differences of C = sum(delta ⊙ (a ⋆ W + b))."""
    cost = lambda _: np.sum(delta * cnn.conv2d_forward(a, W, b)[0])  # noqa: E731
    return tuple(numerical_gradient(cost, p, 1e-5) for p in (a, W, b))


def check_conv_backward(conv_backward, seed=0):
    """Exercise ex-conv-backward: ``conv_backward(delta, a, W)`` -> (dC/da, dC/dW, dC/db) of a
    conv layer, written from scratch; a Verdict naming the first wrong one. delta (F, M_o, N_o),
    a (n_c, M, N), W (F, n_c, k_h, k_w); checked on both layers of :func:`conv_cases`."""
    for delta, a, W, b in conv_cases(seed):
        got, failed = call(conv_backward, delta.copy(), a.copy(), W.copy())
        if failed:
            return failed
        if not isinstance(got, tuple | list) or len(got) != 3:
            return Verdict(False, "conv_backward must return three arrays: dC/da, dC/dW, dC/db")
        for name, answer, numeric in zip(CONV_GRADIENTS, got, conv_numeric(delta, a, W, b)):
            wrong = as_expected(answer, numeric, name) or conv_gradient_wrong(name, answer, numeric)
            if wrong:
                return wrong
    return Verdict(True, "right on both layers: dC/da, dC/dW and dC/db match finite differences")


CONV_GRADIENTS = ("dC/da", "dC/dW", "dC/db")  #: what conv_backward returns, in order


def conv_gradient_wrong(name, answer, numeric):
    """None if ``answer`` (shaped like ``numeric``) matches it, else the Verdict (a weight
    gradient turned by 180 degrees is told so)."""
    answer = np.asarray(answer, dtype=np.float64)
    if matches(answer, numeric):
        return None
    flipped = name == "dC/dW" and matches(cnn.rot180(answer), numeric)
    hint = ": it is turned by 180 degrees; the gradient is a ⋆ δ, with no rot180" if flipped else ""
    return Verdict(
        False,
        f"{name} is wrong (rel error {rel_error(answer, numeric):.2g} against finite "
        f"differences){hint}",
        quantity=name,
        rel_error=rel_error(answer, numeric),
    )
