"""Tests of backprop.cnn_widgets: what the widgets show is what the package computes (the conv
steppers, the pooling upsample, the small CNN's feature maps with the layers its training
recorded), and every widget's frames (count, all different, no warnings)."""

import base64
import re
import warnings

import numpy as np
import pytest

from backprop import activations as act
from backprop import cnn, cnn_loops, cnn_training, cnn_widgets, datasets
from backprop.plotting import PANEL_MAX_PX, TEXT_MIN_PX


def leaf_tags(widget):
    """The <img> tags of every frame below a linked figure (each panel of each frame), in order."""
    if hasattr(widget, "children"):
        return [tag for child in widget.children for tag in leaf_tags(child)]
    return re.findall(r"<img [^>]+>", str(getattr(widget, "value", "")))


def leaf_images(widget):
    """The image bytes of every panel of every frame below a linked figure, in order."""
    return [base64.b64decode(tag.split("base64,")[1].split('"')[0]) for tag in leaf_tags(widget)]


def assert_readable_on_a_phone(widget):
    """Every panel fits a phone's figure card at full size, its smallest text at least
    TEXT_MIN_PX."""
    for tag in leaf_tags(widget):
        width, font = (float(re.search(f'{k}="([0-9.]+)"', tag)[1]) for k in ("width", "min-font"))
        assert width <= PANEL_MAX_PX and font >= TEXT_MIN_PX, (width, font)


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
        widget = make()
    images = leaf_images(widget)
    assert len(images) == 2 * frames  # two panels a frame
    assert len(set(zip(images[::2], images[1::2]))) == frames  # every position of every control
    # shows a different frame (mean pooling's upsample, in the second panel, ignores the input)
    assert all(img[8:12] == b"WEBP" and len(img) < 40_000 for img in images)
    assert_readable_on_a_phone(widget)


@pytest.mark.parametrize("activation", ["sigmoid", "relu"])
def test_features_widget_draws_the_recorded_layers(activation):
    """Issue 12: the widget drew tanh feature maps whatever the network was trained with."""
    images, labels = datasets.load_digits()
    layers = {"activation": activation, "pool": 3, "mode": "mean"}
    history = cnn_training.train_small_cnn(
        images[:200], labels[:200], np.random.default_rng(0), epochs=2, filters=4, **layers
    )
    maps, out = cnn_widgets.feature_parts(history, 2, images[7])
    expected_out, cache = cnn_training.small_cnn_forward(history["params"], images[7:8], **layers)
    f, _ = act.get(activation)
    np.testing.assert_array_equal(maps, f(cache["z1"][0]))
    np.testing.assert_array_equal(out, expected_out[:, 0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        widget = cnn_widgets.features_widget(history, images, labels, n_images=2)
    panels = leaf_images(widget)
    assert len(panels) == 12 and len(set(zip(panels[::2], panels[1::2]))) == 6  # 3 epochs × 2
    assert_readable_on_a_phone(widget)


def test_steppers_show_what_the_package_computes():
    a, W, delta = cnn_widgets.conv_example()
    assert np.all(W != 0) and np.all(delta != 0)
    grad_a, grad_W, _ = cnn.conv2d_backward(
        delta[None], cnn.conv2d_forward(a[None], W[None, None], np.zeros(1))[1]
    )
    assert np.allclose(
        cnn_loops.cross_correlate2d(cnn.pad_full(delta, 3, 3), cnn.rot180(W)), grad_a[0]
    )
    assert np.allclose(cnn_loops.cross_correlate2d(a, delta), grad_W[0, 0])


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
