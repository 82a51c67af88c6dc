"""Layer normalisation and batch normalisation (training mode): forward and backward passes.

x is (N, D): N examples, one per row, D features. Both normalise x along one axis, then scale
and shift each feature with gamma, beta (D,). M is the number of entries normalised together:
D for layer norm (each row on its own), N for batch norm (each column over the batch)::

    mu  = (1/M) sum_k x_k                         (NORM-MEAN)  along the normalised axis
    var = (1/M) sum_k (x_k - mu)^2                (NORM-VAR)   biased: divided by M, not M - 1
    x̂_k = (x_k - mu) / sigma,  sigma = sqrt(var + eps)           (NORM-XHAT)
    y   = gamma ⊙ x̂ + beta                        (NORM-Y)     gamma, beta per feature

Layer norm is torch.nn.functional.layer_norm(x, (D,), gamma, beta, eps); batch norm is
torch.nn.functional.batch_norm(x, None, None, gamma, beta, training=True, eps=eps), with no
running averages kept. eps > 0 inside the square root keeps sigma >= sqrt(eps): a constant or
nearly constant row (layer norm) or column (batch norm) stays finite, x̂ near 0.

Backward, from dy = dC/dy (N, D); sums over the rows, means along the normalised axis::

    dC/dbeta  = sum_n dy                          (NORM-BP-BETA)
    dC/dgamma = sum_n dy ⊙ x̂                      (NORM-BP-GAMMA)
    dC/dx̂     = dy ⊙ gamma                        (NORM-BP-XHAT)
    dx̂_j/dx_k = (delta_jk - 1/M - x̂_j x̂_k / M) / sigma             (NORM-JAC)  three terms
    dC/dx_k   = (dC/dx̂_k - mean_j dC/dx̂_j - x̂_k mean_j (dC/dx̂_j x̂_j)) / sigma   (NORM-BP-X)

(NORM-JAC)'s three terms are x_k's own path, its path through mu, and its path through var
(dsigma/dx_k = x̂_k / M); (NORM-BP-X) is sum_j dC/dx̂_j dx̂_j/dx_k. Consequences:
dC/dx sums to 0 along the normalised axis (shifting all M entries by one amount changes no x̂).
The difference between the two: layer norm couples the features of one example, batch norm
couples the examples of a batch, so one example's gradient depends on the others in its batch.
"""

import numpy as np

from backprop import validate

LAYER, BATCH = 1, 0  # the axis each normalises along: layer norm the features, batch norm the rows
NAMES = {LAYER: "layer norm", BATCH: "batch norm"}


def check_forward(x, gamma, beta, eps, min_rows=1):
    """x (N, D), gamma and beta (D,) as float64 copies, after checking shapes, finiteness, eps."""
    x = np.array(x, dtype=np.float64)
    if x.ndim != 2 or x.shape[0] < min_rows or x.shape[1] < 1:
        raise ValueError(f"x must be (N, D) with N >= {min_rows}, D >= 1, got shape {x.shape}")
    x = validate.array("x", x, x.shape, "(N, D)")
    gamma = validate.array("gamma", gamma, (x.shape[1],), "(D,)")
    beta = validate.array("beta", beta, (x.shape[1],), "(D,)")
    validate.positive("eps", eps)
    return x, gamma, beta


def normalize_forward(x, gamma, beta, eps, axis):
    """(NORM-MEAN)-(NORM-Y) along ``axis`` (LAYER = 1 or BATCH = 0). Returns ``(y, cache)``.

    x (N, D), gamma and beta (D,); y (N, D). cache: dict xhat (N, D), mean, var, sigma (each
    (N, 1) for layer norm, (1, D) for batch norm), gamma, axis.
    """
    mu = x.mean(axis=axis, keepdims=True)  # (NORM-MEAN) mu = (1/M) sum_k x_k
    var = ((x - mu) ** 2).mean(axis=axis, keepdims=True)  # (NORM-VAR) (1/M) sum_k (x_k - mu)^2
    sigma = np.sqrt(var + eps)  # (NORM-XHAT) sigma = sqrt(var + eps) >= sqrt(eps)
    xhat = (x - mu) / sigma  # (NORM-XHAT) x̂ = (x - mu) / sigma
    y = gamma * xhat + beta  # (NORM-Y) y = gamma ⊙ x̂ + beta
    return y, {"xhat": xhat, "mean": mu, "var": var, "sigma": sigma, "gamma": gamma, "axis": axis}


def normalize_backward(dy, cache, axis):
    """(NORM-BP-BETA)-(NORM-BP-X) along ``axis``. Returns ``(dx, dgamma, dbeta)``.

    dy (N, D) = dC/dy; dx (N, D), dgamma and dbeta (D,). ValueError if the cache was made by
    the other normalisation's forward (normalised along the other axis).
    """
    if cache["axis"] != axis:
        raise ValueError(
            f"{NAMES[axis]}'s backward needs its own forward's cache, got {NAMES[cache['axis']]}'s"
        )
    dy = validate.array("dy", dy, cache["xhat"].shape, "(N, D)")
    xhat, sigma = cache["xhat"], cache["sigma"]
    dbeta = dy.sum(axis=0)  # (NORM-BP-BETA) sum_n dy
    dgamma = (dy * xhat).sum(axis=0)  # (NORM-BP-GAMMA) sum_n dy ⊙ x̂
    dxhat = dy * cache["gamma"]  # (NORM-BP-XHAT) dC/dx̂ = dy ⊙ gamma
    own = dxhat  # (NORM-JAC) delta_jk: x_k's own path
    via_mean = dxhat.mean(axis=axis, keepdims=True)  # (NORM-JAC) -1/M: through mu
    via_var = xhat * (dxhat * xhat).mean(axis=axis, keepdims=True)  # (NORM-JAC) -x̂_j x̂_k/M
    dx = (own - via_mean - via_var) / sigma  # (NORM-BP-X) the three terms over sigma
    return dx, dgamma, dbeta


def layer_norm_forward(x, gamma, beta, eps=1e-5):
    """Layer norm, (NORM-MEAN)-(NORM-Y) over the D features of each row. Returns ``(y, cache)``.

    x (N, D), gamma and beta (D,), eps > 0; y (N, D), as torch.nn.functional.layer_norm(x, (D,),
    gamma, beta, eps). cache: dict xhat (N, D), mean, var, sigma (N, 1), gamma (D,), axis = 1.
    """
    x, gamma, beta = check_forward(x, gamma, beta, eps)
    return normalize_forward(x, gamma, beta, eps, LAYER)


def layer_norm_backward(dy, cache):
    """Layer norm's backward, (NORM-BP-BETA)-(NORM-BP-X) with M = D. Returns
    ``(dx, dgamma, dbeta)``: dx (N, D), each row summing to 0; dgamma, dbeta (D,). dy (N, D)."""
    return normalize_backward(dy, cache, LAYER)


def batch_norm_forward(x, gamma, beta, eps=1e-5):
    """Batch norm in training mode, (NORM-MEAN)-(NORM-Y) over the N rows of each feature.

    x (N, D) with N >= 2 (one row has nothing to normalise against: torch refuses it too),
    gamma and beta (D,), eps > 0. Returns ``(y, cache)``: y (N, D); cache as
    :func:`layer_norm_forward`'s, with mean, var, sigma (1, D) and axis = 0.
    """
    x, gamma, beta = check_forward(x, gamma, beta, eps, min_rows=2)
    return normalize_forward(x, gamma, beta, eps, BATCH)


def batch_norm_backward(dy, cache):
    """Batch norm's backward, (NORM-BP-BETA)-(NORM-BP-X) with M = N. Returns
    ``(dx, dgamma, dbeta)``: dx (N, D), each column summing to 0; dgamma, dbeta (D,). dy (N, D)."""
    return normalize_backward(dy, cache, BATCH)
