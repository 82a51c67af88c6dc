"""Tests of backprop.cnn: conv and pooling layers against finite differences, the loop forms
against the vectorised ones, small cases worked by hand, the max-pool tie rule, the notes'
rot180 formulas, and every ValueError."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop import activations as act
from backprop import cnn, cnn_loops
from backprop.gradcheck import numerical_gradient
from gradients import assert_gradient

# The loss sum(out * G) is linear in each of a, W, b (and piecewise linear for pooling), so the
# central difference is exact for any step; a step of 1e-3 keeps the rounding error
# (~1e-16 |loss| / step) far below the 1e-7 bound even for small gradient entries.
EPS = 1e-3
SEEDS = st.integers(0, 2**32 - 1)
BATCH = st.sampled_from([None, 1, 3])  # None: one sample (C, H, W); else N samples


def batch_shape(n, *rest):
    return rest if n is None else (n, *rest)


def random_conv(rng, n, C, F, kh, kw, dh, dw):
    """a (C, H, W) or (n, C, H, W) with H = kh + dh, W = kw + dw; W (F, C, kh, kw); b (F,)."""
    a = rng.standard_normal(batch_shape(n, C, kh + dh, kw + dw))
    return a, rng.standard_normal((F, C, kh, kw)), rng.standard_normal(F)


def distinct_values(rng, shape):
    """Entries 0.1 apart in random order: no ties, no window's maximum changes under a step EPS."""
    size = int(np.prod(shape))
    return (rng.permutation(size).reshape(shape) - size / 2) * 0.1


conv_cases = given(
    n=BATCH,
    C=st.integers(1, 3),
    F=st.integers(1, 3),
    kh=st.integers(1, 3),
    kw=st.integers(1, 3),
    dh=st.integers(0, 3),
    dw=st.integers(0, 3),
    seed=SEEDS,
)
pool_cases = given(
    n=BATCH,
    C=st.integers(1, 2),
    size=st.integers(1, 3),
    ho=st.integers(1, 3),
    wo=st.integers(1, 3),
    seed=SEEDS,
)


# ---------------------------------------------------------------- conv: by hand


def test_rot180_and_pad_full_by_hand():
    W = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    np.testing.assert_array_equal(cnn.rot180(W), [[6, 5, 4], [3, 2, 1]])
    np.testing.assert_array_equal(
        cnn.pad_full(np.array([[7.0]]), 2, 3), [[0, 0, 0, 0, 0], [0, 0, 7, 0, 0], [0, 0, 0, 0, 0]]
    )


@pytest.mark.parametrize("forward", [cnn.conv2d_forward, cnn_loops.conv2d_forward_loops])
def test_conv_forward_by_hand(forward):
    a = np.arange(9.0).reshape(1, 3, 3)  # a[i, j] = 3 i + j
    W = np.array([[[[1.0, 0.0], [0.0, -1.0]]]])  # z[i, j] = a[i, j] - a[i+1, j+1] = -4
    z, _ = forward(a, W, np.array([0.5]))
    np.testing.assert_array_equal(z, np.full((1, 2, 2), -3.5))


@pytest.mark.parametrize("forward", [cnn.conv2d_forward, cnn_loops.conv2d_forward_loops])
def test_conv_forward_1x1_kernel_mixes_channels(forward):
    rng = np.random.default_rng(3)
    a, W, b = random_conv(rng, 2, 3, 4, 1, 1, 4, 5)
    z, _ = forward(a, W, b)
    expected = np.einsum("fc,nchw->nfhw", W[:, :, 0, 0], a) + b[:, None, None]
    np.testing.assert_allclose(z, expected, rtol=1e-12)


# ---------------------------------------------------------------- conv: gradients


CONV_FORMS = [
    (cnn.conv2d_forward, cnn.conv2d_backward),
    (cnn_loops.conv2d_forward_loops, cnn_loops.conv2d_backward_loops),
]
POOL_FORMS = [
    (cnn.pool_forward, cnn.pool_backward),
    (cnn_loops.pool_forward_loops, cnn_loops.pool_backward_loops),
]


@settings(max_examples=30, deadline=None)
@conv_cases
@pytest.mark.parametrize("forward, backward", CONV_FORMS)
def test_conv_gradients_match_finite_differences(forward, backward, n, C, F, kh, kw, dh, dw, seed):
    rng = np.random.default_rng(seed)
    a, W, b = random_conv(rng, n, C, F, kh, kw, dh, dw)
    z, cache = forward(a, W, b)
    G = rng.standard_normal(z.shape)  # random upstream gradient: loss = sum(z * G), delta = G
    grad_a, grad_W, grad_b = backward(G, cache)
    assert (grad_a.shape, grad_W.shape, grad_b.shape) == (a.shape, W.shape, b.shape)
    num_a = numerical_gradient(lambda x: np.sum(forward(x, W, b)[0] * G), a, EPS)
    num_W = numerical_gradient(lambda x: np.sum(forward(a, x, b)[0] * G), W, EPS)
    num_b = numerical_gradient(lambda x: np.sum(forward(a, W, x)[0] * G), b, EPS)
    assert_gradient(grad_a, num_a)
    assert_gradient(grad_W, num_W)
    assert_gradient(grad_b, num_b)


@settings(max_examples=10, deadline=None)
@conv_cases
def test_conv2d_parameter_backward_is_the_parameter_part_of_conv2d_backward(
    n, C, F, kh, kw, dh, dw, seed
):
    rng = np.random.default_rng(seed)
    a, W, b = random_conv(rng, n, C, F, kh, kw, dh, dw)
    z, cache = cnn.conv2d_forward(a, W, b)
    G = rng.standard_normal(z.shape)
    _, grad_W, grad_b = cnn_loops.conv2d_backward_loops(
        G, cnn_loops.conv2d_forward_loops(a, W, b)[1]
    )
    for got, expected in zip(cnn.conv2d_parameter_backward(G, cache), (grad_W, grad_b)):
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


@settings(max_examples=30, deadline=None)
@conv_cases
def test_conv_loops_equal_vectorised(n, C, F, kh, kw, dh, dw, seed):
    rng = np.random.default_rng(seed)
    a, W, b = random_conv(rng, n, C, F, kh, kw, dh, dw)
    z, cache = cnn.conv2d_forward(a, W, b)
    z_loops, cache_loops = cnn_loops.conv2d_forward_loops(a, W, b)
    np.testing.assert_allclose(z_loops, z, rtol=1e-12, atol=1e-12)
    G = rng.standard_normal(z.shape)
    for loops, vectorised in zip(
        cnn_loops.conv2d_backward_loops(G, cache_loops), cnn.conv2d_backward(G, cache)
    ):
        np.testing.assert_allclose(loops, vectorised, rtol=1e-12, atol=1e-12)


def test_conv_then_sigmoid_then_maxpool_chain_rule():
    """delta^{l-1} = upsample(delta^l) ⊙ sigma'(z^{l-1}) and the conv layer's gradients, chained."""
    rng = np.random.default_rng(4)
    a, W, b = (
        rng.standard_normal((2, 2, 6, 6)),
        0.3 * rng.standard_normal((3, 2, 3, 3)),
        0.1 * rng.standard_normal(3),
    )
    G = rng.standard_normal(
        (2, 3, 2, 2)
    )  # z: (2, 3, 4, 4), pooled: (2, 3, 2, 2); W small: sigmoid not saturated

    def loss(a, W, b):
        z, _ = cnn.conv2d_forward(a, W, b)
        return np.sum(cnn.pool_forward(act.sigmoid(z), 2)[0] * G)

    z, conv_cache = cnn.conv2d_forward(a, W, b)
    _, pool_cache = cnn.pool_forward(act.sigmoid(z), 2)
    delta = cnn.pool_backward(G, pool_cache) * act.sigmoid_prime(
        z
    )  # upsample(delta^l) ⊙ sigma'(z^{l-1})
    grad_a, grad_W, grad_b = cnn.conv2d_backward(delta, conv_cache)
    # sigmoid is not linear: the step trades rounding (~1e-16 |loss| / step) against truncation
    # (~step^2); gradcheck.matches judges the small entries in absolute terms.
    assert_gradient(grad_a, numerical_gradient(lambda x: loss(x, W, b), a, 1e-5))
    assert_gradient(grad_W, numerical_gradient(lambda x: loss(a, x, b), W, 1e-5))
    assert_gradient(grad_b, numerical_gradient(lambda x: loss(a, W, x), b, 1e-5))


# ---------------------------------------------------------------- pooling


@pytest.mark.parametrize("forward", [cnn.pool_forward, cnn_loops.pool_forward_loops])
def test_pool_forward_by_hand(forward):
    a = np.arange(16.0).reshape(1, 4, 4)
    np.testing.assert_array_equal(forward(a, 2, "max")[0], [[[5, 7], [13, 15]]])
    np.testing.assert_array_equal(forward(a, 2, "mean")[0], [[[2.5, 4.5], [10.5, 12.5]]])


@pytest.mark.parametrize("backward", [cnn.pool_backward, cnn_loops.pool_backward_loops])
def test_mean_pool_backward_shares_delta_equally(backward):
    _, cache = cnn.pool_forward(np.zeros((1, 2, 4)), 2, "mean")
    grad = backward(np.array([[[4.0, -8.0]]]), cache)
    np.testing.assert_array_equal(grad, [[[1, 1, -2, -2], [1, 1, -2, -2]]])


@pytest.mark.parametrize("backward", [cnn.pool_backward, cnn_loops.pool_backward_loops])
@pytest.mark.parametrize(
    "window, expected",
    [
        ([[1.0, 3.0], [3.0, 2.0]], [[0, 5], [0, 0]]),  # two maxima: the first in row-major order
        ([[0.0, 1.0], [4.0, 4.0]], [[0, 0], [5, 0]]),  # tie on the second row
        ([[7.0, 7.0], [7.0, 7.0]], [[5, 0], [0, 0]]),  # all equal: the top-left entry
    ],
)
def test_max_pool_tie_rule_first_maximum_in_row_major_order(backward, window, expected):
    _, cache = cnn.pool_forward(np.array([window]), 2, "max")
    np.testing.assert_array_equal(backward(np.array([[[5.0]]]), cache), [expected])


def test_max_pool_at_a_tie_finite_differences_split_the_gradient():
    """Why the gradient check must avoid ties: at a tie the max is not differentiable."""
    a = np.array([[[3.0, 3.0], [0.0, 1.0]]])
    _, cache = cnn.pool_forward(a, 2, "max")
    numerical = numerical_gradient(lambda x: np.sum(cnn.pool_forward(x, 2, "max")[0]), a)
    np.testing.assert_allclose(numerical, [[[0.5, 0.5], [0, 0]]], atol=1e-9)
    np.testing.assert_array_equal(cnn.pool_backward(np.ones((1, 1, 1)), cache), [[[1, 0], [0, 0]]])


@settings(max_examples=30, deadline=None)
@pool_cases
@pytest.mark.parametrize("mode", ["max", "mean"])
@pytest.mark.parametrize("forward, backward", POOL_FORMS)
def test_pool_gradients_match_finite_differences(forward, backward, mode, n, C, size, ho, wo, seed):
    rng = np.random.default_rng(seed)
    a = distinct_values(rng, batch_shape(n, C, ho * size, wo * size))
    out, cache = forward(a, size, mode)
    assert out.shape == batch_shape(n, C, ho, wo)
    G = rng.standard_normal(out.shape)
    num_a = numerical_gradient(lambda x: np.sum(forward(x, size, mode)[0] * G), a, EPS)
    assert_gradient(backward(G, cache), num_a)


@settings(max_examples=30, deadline=None)
@pool_cases
@pytest.mark.parametrize("mode", ["max", "mean"])
def test_pool_loops_equal_vectorised_with_many_ties(mode, n, C, size, ho, wo, seed):
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 3, batch_shape(n, C, ho * size, wo * size)).astype(
        np.float64
    )  # ties everywhere
    out, cache = cnn.pool_forward(a, size, mode)
    out_loops, cache_loops = cnn_loops.pool_forward_loops(a, size, mode)
    np.testing.assert_allclose(out_loops, out, rtol=1e-12)
    G = rng.standard_normal(out.shape)
    np.testing.assert_allclose(
        cnn_loops.pool_backward_loops(G, cache_loops), cnn.pool_backward(G, cache), rtol=1e-12
    )


# ---------------------------------------------------------------- dtypes and inputs left alone


def test_outputs_are_float64_whatever_the_input_dtype():
    a = np.arange(32, dtype=np.int64).reshape(2, 1, 4, 4)
    W, b = np.ones((2, 1, 3, 3), dtype=np.float32), [0, 1]
    for forward, backward in [
        (cnn.conv2d_forward, cnn.conv2d_backward),
        (cnn_loops.conv2d_forward_loops, cnn_loops.conv2d_backward_loops),
    ]:
        z, cache = forward(a, W, b)
        assert z.dtype == np.float64
        assert all(g.dtype == np.float64 for g in backward(np.ones(z.shape, dtype=np.int32), cache))
    for forward, backward in [
        (cnn.pool_forward, cnn.pool_backward),
        (cnn_loops.pool_forward_loops, cnn_loops.pool_backward_loops),
    ]:
        out, cache = forward(a, 2, "max")
        assert out.dtype == np.float64
        assert backward(np.ones(out.shape, dtype=np.float32), cache).dtype == np.float64


@pytest.mark.parametrize("single", [True, False])
def test_inputs_are_not_modified(single):
    rng = np.random.default_rng(7)
    a, W, b = random_conv(rng, None if single else 2, 2, 3, 2, 2, 2, 2)  # H = W = 4
    G = rng.standard_normal(batch_shape(None if single else 2, 3, 3, 3))
    P = rng.standard_normal(batch_shape(None if single else 2, 2, 2, 2))
    originals = [x.copy() for x in (a, W, b, G, P)]
    for forward, backward in [
        (cnn.conv2d_forward, cnn.conv2d_backward),
        (cnn_loops.conv2d_forward_loops, cnn_loops.conv2d_backward_loops),
    ]:
        backward(G, forward(a, W, b)[1])
    for forward, backward in [
        (cnn.pool_forward, cnn.pool_backward),
        (cnn_loops.pool_forward_loops, cnn_loops.pool_backward_loops),
    ]:
        for mode in ("max", "mean"):
            backward(P, forward(a, 2, mode)[1])
    cnn_loops.weight_gradient_readings(a, G)
    for x, original in zip((a, W, b, G, P), originals):
        np.testing.assert_array_equal(x, original)


# ---------------------------------------------------------------- bad input

A = np.zeros((2, 5, 5))  # one sample, C = 2
W3 = np.zeros((4, 2, 3, 3))
B4 = np.zeros(4)
NAN = np.full((2, 5, 5), np.nan)


@pytest.mark.parametrize("forward", [cnn.conv2d_forward, cnn_loops.conv2d_forward_loops])
@pytest.mark.parametrize(
    "a, W, b, message",
    [
        (np.zeros((5, 5)), W3, B4, r"a must be \(C, H, W\) or \(N, C, H, W\), got shape \(5, 5\)"),
        (np.zeros((1, 1, 2, 5, 5)), W3, B4, r"a must be .*got shape \(1, 1, 2, 5, 5\)"),
        (
            A,
            np.zeros((4, 3, 3, 3)),
            B4,
            r"W must be \(F, C, kh, kw\) with C=2 channels.*got shape \(4, 3, 3, 3\)",
        ),
        (A, np.zeros((4, 2, 3)), B4, r"W must be \(F, C, kh, kw\) with C=2.*got shape \(4, 2, 3\)"),
        (A, np.zeros((4, 2, 0, 3)), B4, r"kh, kw >= 1, got shape \(4, 2, 0, 3\)"),
        (A, W3, np.zeros((4, 1)), r"b must be \(F,\) with F=4 filters, got shape \(4, 1\)"),
        (
            A,
            np.zeros((4, 2, 6, 3)),
            B4,
            r"kernel \(kh, kw\)=\(6, 3\) must fit in the input \(H, W\)=\(5, 5\)",
        ),
        (NAN, W3, B4, "a must be finite, got NaN or inf"),
        (A, np.full((4, 2, 3, 3), np.inf), B4, "W and b must be finite"),
        (A, W3, np.full(4, np.nan), "W and b must be finite"),
    ],
)
def test_conv_forward_rejects_bad_input(forward, a, W, b, message):
    with pytest.raises(ValueError, match=message):
        forward(a, W, b)


@pytest.mark.parametrize(
    "forward, backward",
    [
        (cnn.conv2d_forward, cnn.conv2d_backward),
        (cnn_loops.conv2d_forward_loops, cnn_loops.conv2d_backward_loops),
    ],
)
@pytest.mark.parametrize(
    "delta, message",
    [
        (
            np.zeros((4, 3, 2)),
            r"delta must have the output's shape \(4, 3, 3\), got shape \(4, 3, 2\)",
        ),
        (
            np.zeros((1, 4, 3, 3)),
            r"delta must have the output's shape \(4, 3, 3\), got shape \(1, 4, 3, 3\)",
        ),
        (np.full((4, 3, 3), np.nan), "delta must be finite, got NaN or inf"),
    ],
)
def test_conv_backward_rejects_bad_delta(forward, backward, delta, message):
    _, cache = forward(A, W3, B4)
    with pytest.raises(ValueError, match=message):
        backward(delta, cache)


@pytest.mark.parametrize("forward", [cnn.pool_forward, cnn_loops.pool_forward_loops])
@pytest.mark.parametrize(
    "a, size, mode, message",
    [
        (np.zeros((2, 5, 4)), 2, "max", r"H and W must divide by size=2, got \(H, W\)=\(5, 4\)"),
        (np.zeros((2, 4, 6)), 4, "mean", r"H and W must divide by size=4, got \(H, W\)=\(4, 6\)"),
        (A, 0, "max", "size must be an integer >= 1, got 0"),
        (A, 2.0, "max", "size must be an integer >= 1, got 2.0"),
        (A, True, "max", "size must be an integer >= 1, got True"),
        (A, 5, "min", r"mode must be one of \('max', 'mean'\), got 'min'"),
        (
            np.zeros((4, 4)),
            2,
            "max",
            r"a must be \(C, H, W\) or \(N, C, H, W\), got shape \(4, 4\)",
        ),
        (NAN, 5, "max", "a must be finite, got NaN or inf"),
    ],
)
def test_pool_forward_rejects_bad_input(forward, a, size, mode, message):
    with pytest.raises(ValueError, match=message):
        forward(a, size, mode)


@pytest.mark.parametrize("backward", [cnn.pool_backward, cnn_loops.pool_backward_loops])
def test_pool_backward_rejects_bad_delta(backward):
    _, cache = cnn.pool_forward(np.zeros((3, 2, 4, 4)), 2)
    with pytest.raises(
        ValueError,
        match=r"delta must have the output's shape \(3, 2, 2, 2\), got shape \(2, 2, 2\)",
    ):
        backward(np.zeros((2, 2, 2)), cache)
    with pytest.raises(ValueError, match="delta must be finite"):
        backward(np.full((3, 2, 2, 2), np.inf), cache)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: cnn.rot180(np.zeros(3)), r"at least 2 axes \(\.\.\., kh, kw\), got shape \(3,\)"),
        (lambda: cnn.pad_full(np.zeros(3), 2, 2), r"got shape \(3,\) and \(kh, kw\)=\(2, 2\)"),
        (
            lambda: cnn.pad_full(np.zeros((3, 3)), 0, 2),
            r"kh, kw >= 1, got shape \(3, 3\) and \(kh, kw\)=\(0, 2\)",
        ),
    ],
)
def test_helpers_reject_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()
