"""Tests of the chapter "CNN"'s additions: the conv steppers' terms, the small CNN's backward pass
against finite differences, its training, and the widgets (frame counts, distinct frames, no warnings)."""

import base64
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop import cnn, cnn_widgets, datasets
from backprop.gradcheck import numerical_gradient
from gradients import assert_gradient


def leaf_images(widget):
    """The image bytes of every frame below a linked figure, in order."""
    if hasattr(widget, "children"):
        return [png for child in widget.children for png in leaf_images(child)]
    value = getattr(widget, "value", "")
    return (
        [base64.b64decode(value.split("base64,")[1].split('"')[0])]
        if "<img " in str(value)
        else []
    )


@pytest.mark.parametrize(
    "make, frames",
    [
        (cnn_widgets.pool_widget, 20),
        (cnn_widgets.input_gradient_widget, 16),
        (cnn_widgets.weight_gradient_widget, 9),
    ],
)
def test_widget_frames_are_all_there_all_different_and_warning_free(make, frames):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an overflow or a matplotlib warning in any frame fails
        images = leaf_images(make())
    assert len(images) == frames
    assert len(set(images)) == frames  # every position of every control shows a different figure
    assert all(img[8:12] == b"WEBP" and len(img) < 40_000 for img in images)


def test_features_widget_shows_every_epoch_and_image():
    images, labels = datasets.load_digits()
    history = cnn.train_small_cnn(
        images[:200], labels[:200], np.random.default_rng(0), epochs=2, filters=4
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        frames = leaf_images(
            cnn_widgets.features_widget(history, images, labels, epochs=(0, 2), n_images=3)
        )
    assert len(frames) == 6 and len(set(frames)) == 6


@settings(max_examples=25, deadline=None)
@given(
    ho=st.integers(1, 4),
    wo=st.integers(1, 4),
    kh=st.integers(1, 4),
    kw=st.integers(1, 4),
    seed=st.integers(0, 2**32 - 1),
)
def test_input_gradient_terms_sum_to_the_backward_pass(ho, wo, kh, kw, seed):
    rng = np.random.default_rng(seed)
    delta, W = rng.standard_normal((ho, wo)), rng.standard_normal((kh, kw))
    a = rng.standard_normal((1, ho + kh - 1, wo + kw - 1))
    grad_a, _, _ = cnn.conv2d_backward(
        delta[None], cnn.conv2d_forward(a, W[None, None], np.zeros(1))[1]
    )
    for m, n in np.ndindex(grad_a.shape[1:]):
        terms = cnn.input_gradient_terms(delta, W, m, n)
        assert len(terms) == len(set(terms))
        assert np.isclose(sum(delta[i, j] * W[u, v] for (i, j), (u, v) in terms), grad_a[0, m, n])


def test_input_gradient_terms_rejects_a_position_outside_the_input():
    with pytest.raises(ValueError, match="must lie in the input"):
        cnn.input_gradient_terms(np.ones((2, 2)), np.ones((3, 3)), 4, 0)


def test_steppers_show_what_the_package_computes():
    a, W, delta = cnn_widgets.conv_example()
    assert np.all(W != 0) and np.all(delta != 0)
    grad_a, grad_W, _ = cnn.conv2d_backward(
        delta[None], cnn.conv2d_forward(a[None], W[None, None], np.zeros(1))[1]
    )
    assert np.allclose(cnn.cross_correlate2d(cnn.pad_full(delta, 3, 3), cnn.rot180(W)), grad_a[0])
    assert np.allclose(cnn.cross_correlate2d(a, delta), grad_W[0, 0])


@pytest.mark.parametrize("mode, receivers", [("max", 1), ("mean", 4)])
def test_pool_parts_send_each_window_delta_where_the_rule_says(mode, receivers):
    a = cnn_widgets.POOL_INPUTS["a tie"]
    grad, receives, maxima = cnn_widgets.pool_parts(a, mode, (0, 0))
    assert receives.sum() == receivers and np.isfinite(grad).all()
    assert grad.sum() == pytest.approx(cnn_widgets.POOL_DELTA.sum())  # pooling loses no gradient
    if mode == "max":
        assert receives[0, 0] and not receives[1, 1]  # the tie goes to the first maximum
        assert maxima.sum() == 4
    else:
        assert not maxima.any()


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
@pytest.mark.parametrize("mode", ["max", "mean"])
def test_small_cnn_backward_matches_finite_differences(activation, mode):
    rng = np.random.default_rng(7)
    params = cnn.init_small_cnn(rng, filters=3, kernel=3, image=6, pool=2, n_out=4)
    params["b"] = (
        rng.standard_normal(3) * 0.1
    )  # ReLU: keep z1 away from 0 where it has no derivative
    images = rng.random((3, 6, 6))
    y = datasets.one_hot(np.array([0, 3, 1]), 4)
    cost = lambda: (
        0.5 * np.sum((cnn.small_cnn_forward(params, images, activation, mode=mode)[0] - y) ** 2)
    )
    cache = cnn.small_cnn_forward(params, images, activation, mode=mode)[1]
    grads, delta1 = cnn.small_cnn_backward(params, cache, y)
    assert delta1.shape == (3, 3, 4, 4)
    for name, param in params.items():
        assert_gradient(grads[name], numerical_gradient(lambda _: cost(), param, 1e-5))


def test_init_small_cnn_rejects_maps_that_do_not_divide_by_the_pool():
    with pytest.raises(ValueError, match="divide by pool=2"):
        cnn.init_small_cnn(np.random.default_rng(0), kernel=2, image=8)


def test_training_is_reproducible_and_learns():
    images, labels = datasets.load_digits()
    runs = [
        cnn.train_small_cnn(images, labels, np.random.default_rng(3), epochs=3, filters=4)
        for _ in range(2)
    ]
    assert len(runs[0]["snapshots"]) == 4 and len(runs[0]["test_accuracy"]) == 4
    assert runs[0]["test_accuracy"] == runs[1]["test_accuracy"]
    assert runs[0]["test_accuracy"][-1] > 0.8 > 0.3 > runs[0]["test_accuracy"][0]
    assert runs[0]["train_cost"][-1] < runs[0]["train_cost"][0]
