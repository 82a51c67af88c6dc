"""Checkers of the exercises of the chapter on the cures for vanishing gradients: each takes the
reader's answer and returns a :class:`backprop.exercises.Verdict`.

- :func:`check_layer_norm_backward`: layer norm's backward pass written from scratch
  (:mod:`backprop.normalization`); a wrong answer is told which output is wrong first and, where
  the checker recognises it, the slip (a path through the mean or the variance left out, the
  batch's axis, 1/(D-1), gamma or eps left out).
- :func:`check_he_variance`: the standard deviation of the weights that keeps Var(z^l) level
  through depth, compared with the formula and measured through a deep stack.

Longer than the design's ~300 lines because each checker keeps the recognisers of its slips
(:data:`SLIPS` and :func:`layer_norm_slips`, :func:`std_slip`) beside it.
"""

import functools

import numpy as np

from backprop import mlp, normalization, validate
from backprop.exercises import Verdict, as_expected, call
from backprop.gradcheck import matches, numerical_gradient, rel_error

# ---------------------------------------------------------------- layer norm's backward pass

OUTPUTS = ("dx", "dgamma", "dbeta")  #: what layer_norm_backward returns, in order


def layer_norm_cases(seed=0):
    """The cases :func:`check_layer_norm_backward` runs a reader's answer on:
    ``(label, dy, x, gamma, eps)``, dy a random upstream gradient shaped like x.

    x (4, 5), eps = 1e-5: N != D, so a transposed answer shows, and so does one normalised over
    the batch's axis; x (3, 6) whose second row is nearly constant (spread 1e-3, var ~1e-6) with
    eps = 1e-3: sigma is eps's there, so an answer that leaves eps out, or uses another eps than
    the one it is given, is wrong by far; x (3, 1): D = 1, x̂ = 0 whatever x, so dx = 0.
    """
    rng = np.random.default_rng(seed)
    spread = 2.0 * rng.standard_normal((4, 5)) + 1.0
    flat = rng.standard_normal((3, 6))
    flat[1] = 0.7 + 1e-3 * rng.standard_normal(6)
    single = rng.standard_normal((3, 1))
    cases = []
    for label, x, eps in (
        ("x of shape (4, 5)", spread, 1e-5),
        ("x of shape (3, 6) with a nearly constant row, eps = 1e-3", flat, 1e-3),
        ("x of shape (3, 1), D = 1", single, 1e-5),
    ):
        gamma, dy = rng.uniform(0.5, 2.0, x.shape[1]), rng.standard_normal(x.shape)
        cases.append((label, dy, x, gamma, eps))
    return cases


def layer_norm_reference(dy, x, gamma, eps):
    """``(dx, dgamma, dbeta)`` from :func:`backprop.normalization.layer_norm_backward`."""
    _, cache = normalization.layer_norm_forward(x, gamma, np.zeros_like(gamma), eps)
    return normalization.layer_norm_backward(dy, cache)


def layer_norm_numeric(dy, x, gamma, eps):
    """dC/dx, dC/dgamma, dC/dbeta by central differences of C = sum(dy ⊙ layer_norm(x))."""
    x, gamma, beta = x.copy(), gamma.copy(), np.zeros_like(gamma)  # perturbed in place
    cost = lambda _: np.sum(dy * normalization.layer_norm_forward(x, gamma, beta, eps)[0])  # noqa: E731
    return tuple(numerical_gradient(cost, p, 1e-5) for p in (x, gamma, beta))


SLIPS = {  # the slip's name: what the verdict says of an output that matches it
    "no mean path": "it leaves out the path through the mean: every x_k moves mu, which moves "
    "every x̂_j (the term -mean_j dC/dx̂_j of (NORM-BP-X))",
    "no variance path": "it leaves out the path through the variance: every x_k moves sigma, "
    "dsigma/dx_k = x̂_k / D (the term -x̂_k mean_j(dC/dx̂_j x̂_j) of (NORM-BP-X))",
    "own path only": "it has only x_k's own path: x̂_j also depends on x_k through the mean and "
    "through the variance (the two other terms of (NORM-BP-X))",
    "batch axis": "it normalises over the batch, down each column (batch norm's axis 0); layer "
    "norm normalises each row over its D features (axis 1)",
    "unbiased": "it divides the variance by D - 1; layer norm's is biased, (1/D) sum_k "
    "(x_k - mu)^2, as numpy's x.var() (ddof=0), not torch.var's default (ddof=1)",
    "unbiased forward": "its x̂ and sigma divide the variance by D - 1; layer norm's is biased, "
    "(1/D) sum_k (x_k - mu)^2, as numpy's x.var() (ddof=0), not torch.var's default (ddof=1)",
    "no gamma": "it leaves out gamma: dC/dx̂ = dy ⊙ gamma (NORM-BP-XHAT)",
    "no eps": "it leaves eps out of sigma = sqrt(var + eps)",
    "fixed eps": "it uses eps = 1e-5, not the eps it is given",
    "x for x̂": "it uses x where x̂ belongs: dC/dgamma = sum_n dy ⊙ x̂ (NORM-BP-GAMMA)",
    "mean over rows": "it is the mean over the rows: every row adds its share, so it is the sum "
    "over n (NORM-BP-BETA, NORM-BP-GAMMA)",
}


def _unbiased(dy, x, gamma, eps):
    """Two answers with var = sum_k (x_k - mu)^2 / (D - 1), D >= 2: the exact gradients of that
    layer norm, and (NORM-BP-X) as written (1/D) on its x̂ and sigma."""
    D = x.shape[1]
    centred = x - x.mean(axis=1, keepdims=True)
    sigma = np.sqrt((centred**2).sum(axis=1, keepdims=True) / (D - 1) + eps)
    cache = {"xhat": centred / sigma, "sigma": sigma, "gamma": gamma, "axis": 1}
    as_written = normalization.normalize_backward(dy, cache, 1)
    coupling = (dy * gamma * cache["xhat"]).mean(axis=1, keepdims=True) / (D - 1)  # D/(D-1) - 1
    exact = (as_written[0] - cache["xhat"] * coupling / sigma, *as_written[1:])
    return exact, as_written


def layer_norm_slips(dy, x, gamma, eps):
    """{slip: (dx, dgamma, dbeta)} of the answers :data:`SLIPS` describes, on one case (a slip
    that cannot happen on it, such as the batch's axis with one row, is left out)."""
    N, D = x.shape
    _, cache = normalization.layer_norm_forward(x, gamma, np.zeros(D), eps)
    right = normalization.layer_norm_backward(dy, cache)
    xhat, sigma, dxhat = cache["xhat"], cache["sigma"], dy * gamma
    mean_term = dxhat.mean(axis=1, keepdims=True) / sigma  # what each path adds to the right dx
    variance_term = xhat * (dxhat * xhat).mean(axis=1, keepdims=True) / sigma
    slips = {
        "no mean path": (right[0] + mean_term, *right[1:]),
        "no variance path": (right[0] + variance_term, *right[1:]),
        "own path only": (dxhat / sigma, *right[1:]),
        "no gamma": (layer_norm_reference(dy, x, np.ones(D), eps)[0], *right[1:]),
        "fixed eps": layer_norm_reference(dy, x, gamma, 1e-5),
        "x for x̂": (right[0], (dy * x).sum(axis=0), right[2]),
        "mean over rows": (right[0], (dy * xhat).mean(axis=0), dy.mean(axis=0)),
    }
    if N >= 2:
        _, batch = normalization.batch_norm_forward(x, gamma, np.zeros(D), eps)
        slips["batch axis"] = normalization.batch_norm_backward(dy, batch)
    if D >= 2:
        slips["unbiased"], slips["unbiased forward"] = _unbiased(dy, x, gamma, eps)
        with np.errstate(divide="ignore", invalid="ignore"):  # a constant row: 0 / 0
            _, no_eps = normalization.normalize_forward(x, gamma, np.zeros(D), 0.0, 1)
            slips["no eps"] = normalization.normalize_backward(dy, no_eps, 1)
    return slips


def check_layer_norm_backward(layer_norm_backward, seed=0):
    """Exercise: ``layer_norm_backward(dy, x, gamma, eps)`` -> ``(dx, dgamma, dbeta)`` of layer
    norm, written from scratch; a Verdict naming the first wrong output and, where it can tell,
    the slip.

    x (N, D), one example a row, normalised over its D features as
    :func:`backprop.normalization.layer_norm_forward` does (biased variance, eps inside the
    square root); gamma (D,); eps > 0; dy = dC/dy (N, D). The reader returns dx (N, D), dgamma
    and dbeta (D,) (beta is not needed: y depends on it, no gradient does). Checked on the three
    cases of :func:`layer_norm_cases` against :func:`backprop.normalization.layer_norm_backward`
    (:func:`backprop.gradcheck.matches`), with the error against central differences beside it;
    a wrong output that matches one of :func:`layer_norm_slips` is told its slip (:data:`SLIPS`).
    """
    worst = 0.0
    for label, dy, x, gamma, eps in layer_norm_cases(seed):
        got, failed = call(layer_norm_backward, dy.copy(), x.copy(), gamma.copy(), eps)
        if failed:
            return failed
        if not isinstance(got, tuple | list) or len(got) != 3:
            return Verdict(False, "layer_norm_backward must return three arrays: dx, dgamma, dbeta")
        right, numeric = (
            layer_norm_reference(dy, x, gamma, eps),
            layer_norm_numeric(dy, x, gamma, eps),
        )
        for name, answer, truth, fd in zip(OUTPUTS, got, right, numeric):
            wrong = shape_wrong(name, answer, truth) or output_wrong(
                name, answer, truth, fd, label, lambda: layer_norm_slips(dy, x, gamma, eps)
            )
            if wrong:
                return wrong
            worst = max(worst, rel_error(np.asarray(answer, dtype=np.float64), fd))
    return Verdict(
        True,
        "right on all three cases (a nearly constant row and D = 1 among them): dx, dgamma and "
        f"dbeta match normalization.layer_norm_backward (rel error {worst:.1e} against finite "
        "differences)",
    )


def shape_wrong(name, answer, truth):
    """:func:`backprop.exercises.as_expected`'s Verdict, with a hint for a transposed dx and a
    dgamma or dbeta not summed over the rows; None if ``answer`` is shaped like ``truth``."""
    wrong = as_expected(answer, truth, name)
    if wrong is None or "has shape" not in wrong.message:
        return wrong
    shape = np.shape(answer)
    if name == "dx" and shape == truth.shape[::-1]:
        wrong.message += " (transposed?)"
    elif name != "dx" and len(shape) == 2 and shape[1:] == truth.shape:
        wrong.message += ": sum over the rows, every row uses the same gamma and beta"
    wrong.quantity = name
    return wrong


def output_wrong(name, answer, truth, fd, label, slips):
    """None if ``answer`` matches ``truth``, else the Verdict naming ``name`` on the case
    ``label``, with the slip it matches among ``slips()`` (else the equation to check)."""
    answer = np.asarray(answer, dtype=np.float64)
    if matches(answer, truth):
        return None
    index = OUTPUTS.index(name)
    candidates = {slip: outputs[index] for slip, outputs in slips().items()}
    slip = next(
        (
            slip
            for slip, output in candidates.items()
            if np.isfinite(output).all() and not matches(output, truth) and matches(answer, output)
        ),
        None,
    )
    if slip:
        hint = SLIPS[slip]
    elif name == "dx" and truth.shape[1] == 1:
        hint = "with D = 1, x̂ = 0 whatever x, so dx = 0"
    else:
        hint = {
            "dx": "check (NORM-BP-X): dC/dx_k = (dC/dx̂_k - mean_j dC/dx̂_j "
            "- x̂_k mean_j(dC/dx̂_j x̂_j)) / sigma",
            "dgamma": "check (NORM-BP-GAMMA): dC/dgamma = sum_n dy ⊙ x̂",
            "dbeta": "check (NORM-BP-BETA): dC/dbeta = sum_n dy",
        }[name]
    return Verdict(
        False,
        f"{name} is wrong for {label} (rel error {rel_error(answer, truth):.2g} against "
        f"normalization.layer_norm_backward, {rel_error(answer, fd):.2g} against finite "
        f"differences): {hint}",
        quantity=name,
        rel_error=rel_error(answer, truth),
    )


# ---------------------------------------------------------------- initialisation: Var(z) level

GAIN = {"tanh": 1.0, "relu": 2.0}  #: n_in Var(W) that keeps Var(z^l) level, per activation
DEPTH, WIDTH, N_IN, EXAMPLES = 30, 256, 64, 32  # the stack check_he_variance measures
BAND = 10.0  #: Var(z^L) / Var(z^1) within a factor BAND of 1: the signal stays


def variance_preserving_std(n_in, activation):
    """The standard deviation of W^l's entries that keeps Var(z^l) level through depth::

        z^l_j = sum_k W^l_jk a^{l-1}_k   (b^l = 0)   n_{l-1} = n_in terms
        Var(z^l) = n_in Var(W) E[(a^{l-1})^2]    (W independent of a, E[W] = 0)
        tanh:  tanh(z) ≈ z near 0,  E[(a^{l-1})^2] ≈ Var(z^{l-1})      => Var(W) = 1/n_in
        relu:  z symmetric, half set to 0,  E[(a^{l-1})^2] = Var(z^{l-1})/2  => Var(W) = 2/n_in

    so std = sqrt(GAIN[activation] / n_in): LeCun's (Xavier's for n_in = n_out) for tanh,
    He's for ReLU.
    """
    if activation not in GAIN:
        raise ValueError(f"activation must be one of {sorted(GAIN)}, got {activation!r}")
    return np.sqrt(GAIN[activation] / n_in)


@functools.lru_cache(maxsize=4)
def standard_draws(depth, seed):
    """The N(0, 1) weights of :func:`variance_ratio`'s stack and its input x = 0.1 N(0, 1),
    (N_IN, EXAMPLES), drawn once per (depth, seed): the checker measures several stds on them.
    Read-only: callers scale them into new arrays."""
    rng = np.random.default_rng(seed)
    sizes = [N_IN] + [WIDTH] * depth
    normals = [rng.standard_normal((n, n_prev)) for n_prev, n in zip(sizes[:-1], sizes[1:])]
    return normals, 0.1 * rng.standard_normal((N_IN, EXAMPLES))


def variance_ratio(std_in, std, activation, depth=DEPTH, seed=0):
    """Var(z^depth) / Var(z^1) of a random batch through a stack of ``depth`` layers.

    Layer 1 takes N_IN inputs with weights std_in N(0, 1), the others WIDTH units with weights
    std N(0, 1), all biases 0; x is 0.1 N(0, 1), (N_IN, EXAMPLES): small, so that tanh's first
    units work near 0, where the derivation's tanh(z) ≈ z holds (from Var(z^1) ≈ 1, tanh's
    curvature shrinks Var(z) slowly, about as 1/(2l), even at std = 1/sqrt(n_in): the ratio is
    then about 0.02). Var(z^l) is measured as the mean of (z^l)^2 over units and examples
    (E[z] = 0). A signal that overflows has ratio inf, one that underflows 0.
    """
    normals, x = standard_draws(depth, seed)
    weights = [(std_in if l == 0 else std) * w for l, w in enumerate(normals)]
    biases = [np.zeros((len(w), 1)) for w in weights]
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        zs, _ = mlp.forward(weights, biases, x, activation)
        first, last = np.mean(zs[0] ** 2), np.mean(zs[-1] ** 2)
        ratio = last / first
    if np.isnan(ratio) or np.isinf(last):
        return 0.0 if last == 0 else np.inf
    return float(ratio)


def trend(ratio, activation):
    """What Var(z^L) / Var(z^1) = ``ratio`` says of the signal, in words."""
    if ratio < 1 / BAND:
        return "vanishes"
    if ratio > BAND:
        if activation == "relu":
            return "explodes"
        return (
            "grows from its small start until tanh bends enough to stop it, where tanh(z) ≈ z "
            "no longer holds"
        )
    return f"stays within a factor {BAND:g}"


def std_slip(got, other, n_in, activation):
    """Why ``got`` = weight_std(n_in, activation) is wrong (``other`` is its value at the other
    fan-in the checker asks): a recognised slip, else the derivation's condition."""
    right = variance_preserving_std(n_in, activation)
    close = lambda a, b: np.isclose(a, b, rtol=1e-6)  # noqa: E731
    if close(got, right**2):
        return "it is Var(W); weight_std returns its square root, the standard deviation"
    if close(got, other):
        return (
            "it does not depend on n_in: z_j sums n_in terms W_jk a_k, so Var(W) must shrink "
            "as 1/n_in"
        )
    if activation == "tanh" and close(got, np.sqrt(2 / n_in)):
        return (
            "sqrt(2/n_in) is He's, for ReLU: near 0 tanh(z) ≈ z, so E[(a^{l-1})^2] ≈ "
            "Var(z^{l-1}) and Var(W) = 1/n_in"
        )
    if activation == "relu" and close(got, np.sqrt(1 / n_in)):
        return (
            "1/sqrt(n_in) is for tanh: ReLU sets the negative half of z to 0, so "
            "E[(a^{l-1})^2] = Var(z^{l-1})/2 and Var(W) = 2/n_in"
        )
    if activation == "relu" and close(got, np.sqrt(1 / (2 * n_in))):
        return "the 2 is upside down: ReLU halves E[(a^{l-1})^2], so Var(W) doubles, 2/n_in"
    if close(got, np.sqrt(3) * right):
        return (
            "it is sqrt(3) times the std: the bound of the uniform distribution with that "
            "variance; weight_std returns the standard deviation"
        )
    return (
        f"in Var(z^l) = n_in Var(W) E[(a^{{l-1}})^2], put E[(a^{{l-1}})^2] for {activation} near "
        "z = 0 in terms of Var(z^{l-1}) and choose Var(W) so that Var(z^l) = Var(z^{l-1}); "
        "the std is its square root"
    )


def check_he_variance(weight_std, depth=DEPTH, seed=0):
    """Exercise: ``weight_std(n_in, activation)`` -> the standard deviation of a layer's weights
    (n_in inputs, ``activation`` "tanh" or "relu") that keeps Var(z^l) level through depth, from
    Var(z^l) = n_{l-1} Var(W) E[(a^{l-1})^2] (:func:`variance_preserving_std` derives it).

    Asked for n_in = N_IN and WIDTH, tanh then ReLU; an answer is right within a relative 1e-6.
    Each activation's stds are also measured (:func:`variance_ratio`): a batch through ``depth``
    layers, Var(z^depth) / Var(z^1) reported with what it means (:func:`trend`). A wrong std is
    told its slip (:func:`std_slip`: the variance for the std, no 1/n_in, He's for tanh, LeCun's
    or 1/(2 n_in) for ReLU, the uniform bound) and what it does to the signal.
    """
    validate.positive_int("depth", depth, minimum=2)
    stds = {}
    for activation in GAIN:
        for n_in in (N_IN, WIDTH):
            stds[activation, n_in], failed = asked_std(weight_std, n_in, activation)
            if failed:
                return failed
        for n_in, other in ((N_IN, WIDTH), (WIDTH, N_IN)):
            got, right = stds[activation, n_in], variance_preserving_std(n_in, activation)
            if not np.isclose(got, right, rtol=1e-6):
                ratio = variance_ratio(
                    stds[activation, N_IN], stds[activation, WIDTH], activation, depth, seed
                )
                return Verdict(
                    False,
                    f"weight_std({n_in}, {activation!r}) = {got:.3g}, expected {right:.3g}: "
                    f"{std_slip(got, stds[activation, other], n_in, activation)}.\n  "
                    f"through {depth} layers Var(z^{depth}) / Var(z^1) = {ratio:.2g}: the "
                    f"signal {trend(ratio, activation)}",
                    quantity=activation,
                    rel_error=abs(got / right - 1),
                )
    tanh, relu = (
        variance_ratio(stds[a, N_IN], stds[a, WIDTH], a, depth, seed) for a in ("tanh", "relu")
    )
    return Verdict(
        True,
        f"right: std = sqrt(1/n_in) for tanh, sqrt(2/n_in) for ReLU. Through {depth} layers "
        f"Var(z^{depth}) / Var(z^1) = {tanh:.2g} with tanh: the signal {trend(tanh, 'tanh')}; "
        f"{relu:.2g} with ReLU: it {trend(relu, 'relu')}",
    )


def asked_std(weight_std, n_in, activation):
    """``(std, None)`` from the reader's ``weight_std(n_in, activation)``, or ``(None,
    Verdict)`` when it raised or did not return one positive number."""
    got, failed = call(weight_std, n_in, activation)
    if failed:
        return None, failed
    try:
        value = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        value = np.array(np.nan)
    if isinstance(got, bool | str) or value.shape != () or not (np.isfinite(value) and value > 0):
        return None, Verdict(
            False,
            f"weight_std({n_in}, {activation!r}) must return one positive number, got {got!r}",
            quantity=activation,
        )
    return float(value), None
