"""The kernel-free widget helper and the chapter-one widget built with it."""

import base64
import io
import re
import warnings

import ipywidgets as widgets
import numpy as np
import pytest
from ipywidgets.widgets.widget import _instances
from ipywidgets.widgets.widget_link import Link
from matplotlib import rcParams
from matplotlib.figure import Figure
from PIL import Image

from backprop import linked, mlp
from backprop.backprop_widgets import EXAMPLES, SCALES, backward_steps, deltas_widget
from backprop.plotting import power_of_ten, superscript


class LineDrawer:
    """A figure reused across frames: draw(a, b) plots the line y = a x + b."""

    def __init__(self):
        self.fig = Figure(figsize=(2, 1.5))
        (self.line,) = self.fig.subplots().plot([0, 1], [0, 0])
        self.fig.axes[0].set_ylim(-5, 5)
        self.calls = []

    def __call__(self, a, b=0.0):
        self.calls.append((a, b))
        self.line.set_ydata([b, a + b])
        return self.fig


def stacks_under(widget):
    found = [widget] if isinstance(widget, widgets.Stack) else []
    for child in getattr(widget, "children", ()):
        found += stacks_under(child)
    return found


def links_of(target):
    """The jslinks whose target is this widget (ipywidgets keeps every live widget here)."""
    return [w for w in _instances.values() if isinstance(w, Link) and w.target[0] is target]


def test_one_frame_per_combination_and_each_stack_follows_its_control():
    draw = LineDrawer()
    a, b = linked.slider("a", [-1.0, 0.0, 2.0]), linked.toggle("b", {"low": -1.0, "high": 1.0})
    box = linked.figure(draw, [a, b], alt=lambda la, lb: f"a={la}, b={lb}")
    assert linked.frame_count([a, b]) == 6
    assert sorted(draw.calls) == sorted((x, y) for x in (-1.0, 0.0, 2.0) for y in (-1.0, 1.0))
    outer, *inner = stacks_under(box)
    assert len(outer.children) == 3 and all(len(s.children) == 2 for s in inner)
    assert [l.source[0] for l in links_of(outer)] == [a]
    assert all([l.source[0] for l in links_of(s)] == [b] for s in inner)
    assert "linked-figure" in box._dom_classes


def decode(html, n=0):
    """The n-th <img> of an HTML fragment: (PIL image, its attributes)."""
    tag = re.findall(r"<img [^>]*>", html)[n]
    attributes = dict(re.findall(r'([a-z-]+)="([^"]*)"', tag))
    data = attributes["src"].split("base64,")[1]
    return Image.open(io.BytesIO(base64.b64decode(data))), attributes


def test_frames_are_sharp_palette_webp_with_alt_text_size_and_smallest_font():
    draw = LineDrawer()
    box = linked.figure(
        draw, [linked.slider("a", [1.0, 2.0])], alt=lambda la: f"line of slope {la}", dpi=72
    )
    image, attributes = decode(stacks_under(box)[0].children[1].value)
    assert attributes["alt"] == "line of slope 2"
    assert image.format == "WEBP" and len(image.convert("RGB").getcolors(256)) <= linked.COLOURS
    assert (int(attributes["width"]), int(attributes["height"])) == (2 * 72, int(1.5 * 72))
    assert image.size == (2 * 2 * 72, 2 * int(1.5 * 72))  # drawn at twice its CSS size
    assert float(attributes["data-min-font"]) == rcParams["font.size"]  # ticks: 10 pt at 72 dpi
    draw.fig.text(0, 0, "a note", fontsize=6)  # 6 pt at 96 CSS px per inch: 8 CSS px
    assert 'data-min-font="8.0"' in linked.static(draw.fig, alt="x", dpi=96).data


def test_a_frame_over_its_base_shows_the_figure():
    """Each frame keeps only what differs from the first; over the base it is the whole figure."""
    draw = LineDrawer()
    box = linked.figure(draw, [linked.slider("a", [1.0, -3.0])], alt="x")
    style, stack = box.children[1], stacks_under(box)[0]
    base = Image.open(io.BytesIO(base64.b64decode(re.search(r"base64,([^)]*)", style.value)[1])))
    frame, attributes = decode(stack.children[1].value)
    assert attributes["class"] in style.value and style.layout.display == "none"
    shown = Image.alpha_composite(base.convert("RGBA"), frame.convert("RGBA"))
    expected = linked.render(draw(-3.0), 72)[0][..., :3]
    close = np.abs(np.asarray(shown.convert("RGB"), float) - expected).max(axis=-1) < 40
    assert close.mean() > 0.99  # the same picture, up to the palette
    alpha = np.asarray(frame.convert("RGBA"))[..., 3]
    assert 0 < (alpha > 0).mean() < 0.5  # only the line that moved is kept


def test_panels_are_separate_images_in_a_wrapping_row():
    first, second = Figure(figsize=(3, 2)), Figure(figsize=(2, 2))
    first.subplots().plot([0, 1]), second.subplots().plot([1, 0])
    html = linked.static([first, second], alt="two panels", dpi=50).data
    assert html.startswith('<div class="linked-panels">') and html.count("<img ") == 2
    assert [decode(html, n)[1]["width"] for n in (0, 1)] == ["150", "100"]


def test_a_dropdown_drives_its_stack_too():
    draw = LineDrawer()
    choice = linked.dropdown("a", {"up": 1.0, "flat": 0.0, "down": -1.0})
    stack = stacks_under(linked.figure(draw, [choice], alt="x"))[0]
    assert len(stack.children) == 3 and [l.source[0] for l in links_of(stack)] == [choice]
    assert sorted(draw.calls) == [(-1.0, 0.0), (0.0, 0.0), (1.0, 0.0)]


def test_different_values_give_different_frames():
    draw = LineDrawer()
    stack = stacks_under(linked.figure(draw, [linked.slider("a", [1.0, -1.0])], alt="x"))[0]
    assert stack.children[0].value != stack.children[1].value


def test_play_drives_its_slider():
    step = linked.play("step", ["a", "b", "c"])
    assert isinstance(step.player, widgets.Play) and step.player.max == 2
    assert [l.source[0] for l in links_of(step)] == [step.player]


def test_a_play_row_names_its_buttons_for_the_sites_script():
    """The site's script (assets/widget-a11y.js) names the Play's icon buttons from the hidden
    widget beside it in the figure's row."""
    step = linked.play('step "one"', [1.0, 2.0])
    row = linked.figure(LineDrawer(), [step], alt="x").children[0]
    assert row.children == (step.names, step.player, step)
    assert step.names.layout.display == "none"
    assert step.names.value == (
        '<span class="linked-play-names" data-play="play step &quot;one&quot;" '
        'data-stop="stop" data-repeat="repeat"></span>'
    )


def test_labels_of_floats_are_short_and_empty_options_are_refused():
    assert [label for label, _ in linked.slider("s", [0.1 + 0.2, 2.0]).options] == ["0.3", "2"]
    with pytest.raises(ValueError, match="at least one option"):
        linked.toggle("t", [])


def test_plain_text_powers():
    assert superscript(3) == "³" and superscript(12) == "¹²" and superscript(-4) == "⁻⁴"
    assert (
        power_of_ten(1e-12) == "10⁻¹²" and power_of_ten(1.0) == "10⁰" and power_of_ten(1e9) == "10⁹"
    )


def test_backward_steps_are_the_equations_parts():
    rng = np.random.default_rng(0)
    weights, biases = mlp.init_network([2, 3, 3, 2], rng)
    x, y = np.array([[1.0], [-1.0]]), np.array([[0.0], [1.0]])
    deltas, errors, primes = backward_steps(weights, biases, x, y)
    for l in range(3):  # BP1 and BP2: delta^l = error^l ⊙ sigma'(z^l)
        np.testing.assert_allclose(deltas[l], errors[l] * primes[l], rtol=1e-14)


def test_deltas_widget_frame_count_and_no_warnings_at_the_extremes():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise"):
            box = deltas_widget()
    frames = [w for w in stacks_under(box) if not isinstance(w.children[0], widgets.Stack)]
    assert sum(len(s.children) for s in frames) == 3 * len(SCALES) * len(EXAMPLES)


def test_a_figure_in_panels_keeps_a_base_per_panel():
    left, right = LineDrawer(), LineDrawer()
    box = linked.figure(
        lambda a: [left(a), right(-a)], [linked.slider("a", [1.0, 2.0])], alt="two panels"
    )
    style, stack = box.children[1], stacks_under(box)[0]
    frame = stack.children[1].value
    classes = [decode(frame, n)[1]["class"] for n in (0, 1)]
    assert frame.count("<img ") == 2 and classes[0] != classes[1]
    assert all(f".{c} " in style.value for c in classes)  # each panel over its own base


def test_a_frame_that_erases_a_line_shows_pure_white_where_it_was():
    """The diff frame's white pixels decode as exact white (no grey ghost over the base)."""
    fig = Figure(figsize=(3, 2))
    (line,) = fig.add_subplot().plot([0, 1], [0, 1])
    base, _ = linked.render(fig, 72)
    line.set_ydata([1, 0])
    pixels, _ = linked.render(fig, 72)
    diff = linked.changes(pixels, base)
    white = np.all(diff == 255, axis=-1)
    decoded = np.asarray(Image.open(io.BytesIO(linked.encode(diff))).convert("RGBA"))
    assert white.sum() > 100 and np.all(decoded[white] == 255)


def shrunk(rgba):
    """RGBA pixels (h, w, 4) shown at half size, as a 1x screen shows a frame: each pixel the
    alpha-weighted mean of a 2 x 2 block (float RGBA)."""
    h, w = rgba.shape[0] // 2 * 2, rgba.shape[1] // 2 * 2
    blocks = rgba[:h, :w].astype(float).reshape(h // 2, 2, w // 2, 2, 4)
    alpha = blocks[..., 3:] / 255
    colour = (blocks[..., :3] * alpha).sum(axis=(1, 3)) / np.maximum(alpha.sum(axis=(1, 3)), 1e-9)
    return np.concatenate([colour, alpha.mean(axis=(1, 3)) * 255], axis=-1)


def test_a_frame_over_its_base_shows_no_ghost_of_the_base_when_shrunk():
    """A 1x screen shrinks the 2x frames: the frame shown over its base must still look like the
    frame, with no faint trace of the base's text where the frame's text is gone."""
    fig = Figure(figsize=(3, 2), facecolor="white")
    title = fig.suptitle("sigmoid, weight scale 1.5")
    base, _ = linked.render(fig, 72)
    title.set_text("tanh, weight scale 1")
    pixels, _ = linked.render(fig, 72)

    def decoded(rgba):
        return np.asarray(Image.open(io.BytesIO(linked.encode(rgba))).convert("RGBA"))

    top, under = shrunk(decoded(linked.changes(pixels, base))), shrunk(decoded(base))
    alpha = top[..., 3:] / 255
    shown = top[..., :3] * alpha + under[..., :3] * (1 - alpha)
    error = np.abs(shown - shrunk(decoded(pixels))[..., :3]).max()
    assert error < 8, f"the base shows through by {error:.0f} levels of 255"
