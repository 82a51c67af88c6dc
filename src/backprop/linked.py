"""Widgets whose every control works on a static website, with no kernel.

A static page has no kernel, so a Python callback (``interact``, ``observe``) never runs there.
Instead the figure is drawn for every position of the controls when the chapter executes;
the frames go into nested ``widgets.Stack``s, and each control's ``index`` is tied to its stacks'
``selected_index`` with ``widgets.jslink``. The link runs in the browser, so the controls work on the
website, offline, and just as well in a live kernel.

Usage::

    widget = linked.figure(draw, controls=[linked.slider("weight scale", [0.5, 1, 2]),
                                          linked.toggle("activation", ["sigmoid", "tanh"])],
                           alt="The deltas of a 2-3-3-2 network")

``draw(*values)`` gets one option value per control and returns a matplotlib Figure; it may
redraw the same figure each time (much faster than a new figure per frame).
"""

import base64
import io
import math
from html import escape

import ipywidgets as widgets
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from PIL import Image


def _options(options):
    """Normalise options to a list of (label, value) pairs; a dict maps labels to values."""
    pairs = (
        list(options.items())
        if isinstance(options, dict)
        else [o if isinstance(o, tuple) else (_label(o), o) for o in options]
    )
    if not pairs:
        raise ValueError("a control needs at least one option, got none")
    return pairs


def _label(value):
    """A short label: 0.25 rather than 0.25000000000000006."""
    return f"{value:g}" if isinstance(value, float) else str(value)


def slider(description, options, index=0):
    """A slider over a list of option values (or a dict label -> value)."""
    return widgets.SelectionSlider(
        options=_options(options),
        index=index,
        description=description,
        continuous_update=True,
        style={"description_width": "initial"},
        layout=widgets.Layout(width="420px"),
    )


def toggle(description, options, index=0):
    """Toggle buttons, one per option."""
    return widgets.ToggleButtons(
        options=_options(options),
        index=index,
        description=description,
        style={"description_width": "initial", "button_width": "auto"},
    )


def dropdown(description, options, index=0):
    """A drop-down list of options."""
    return widgets.Dropdown(
        options=_options(options),
        index=index,
        description=description,
        style={"description_width": "initial"},
    )


def play(description, options, interval=900):
    """A play button that steps a slider through the options, one per ``interval`` milliseconds.

    Returns the slider (what :func:`figure` links); the Play widget is attached to it as
    ``slider.player`` and :func:`figure` shows the two side by side.
    """
    step = slider(description, options)
    step.player = widgets.Play(
        value=0,
        min=0,
        max=len(step.options) - 1,
        interval=interval,
        description=f"play {description}",
    )
    widgets.jslink((step.player, "value"), (step, "index"))
    return step


def png(fig, dpi=72, colours=64):
    """The figure as PNG bytes, reduced to a palette of ``colours`` colours (a third of the bytes,
    the same look for line plots and colour maps)."""
    fig.set_dpi(dpi)
    canvas = fig.canvas  # kept from frame to frame: its renderer caches the text layouts
    if not isinstance(canvas, FigureCanvasAgg):  # e.g. a bare matplotlib.figure.Figure
        canvas = FigureCanvasAgg(fig)
    canvas.draw()
    rgb = np.asarray(canvas.buffer_rgba())[..., :3]
    buffer = io.BytesIO()
    Image.fromarray(rgb).quantize(colours, method=Image.Quantize.FASTOCTREE).save(
        buffer, format="png"
    )
    return buffer.getvalue()


def image(png_bytes, alt):
    """An HTML widget showing PNG bytes as an <img> with alt text (embedded in the page)."""
    data = base64.b64encode(png_bytes).decode("ascii")
    return widgets.HTML(f'<img src="data:image/png;base64,{data}" alt="{escape(alt)}">')


def static(fig, alt, dpi=80):
    """A figure shown as an image with alt text: a still, with no controls to link."""
    return image(png(fig, dpi), alt)


def frames(draw, controls, alt, dpi=72):
    """Nested Stacks holding ``draw(*values)`` for every combination of the controls' options.

    The stack at depth k has one child per option of control k and follows its index.
    ``alt(*labels)`` (or a fixed string) gives each frame's alt text.
    """
    labels = [[label for label, _ in c.options] for c in controls]  # controls made by this module
    values = [[value for _, value in c.options] for c in controls]  # hold (label, value) pairs
    describe = alt if callable(alt) else (lambda *_: alt)

    def build(depth, chosen):
        if depth == len(controls):
            picked = [values[k][i] for k, i in enumerate(chosen)]
            text = describe(*[labels[k][i] for k, i in enumerate(chosen)])
            return static(draw(*picked), text, dpi)
        children = [build(depth + 1, chosen + (i,)) for i in range(len(values[depth]))]
        stack = widgets.Stack(children, selected_index=controls[depth].index)
        widgets.jslink((controls[depth], "index"), (stack, "selected_index"))
        return stack

    return build(0, ())


def figure(draw, controls, alt, dpi=72):
    """The controls above the figure they drive, all linked in the browser (see module docstring).

    Frames: the product of the controls' option counts, each drawn once here.
    """
    rows = [widgets.HBox([c.player, c]) if hasattr(c, "player") else c for c in controls]
    box = widgets.VBox(rows + [frames(draw, controls, alt, dpi)])
    box.add_class("linked-figure")
    return box


def frame_count(controls):
    """How many frames :func:`figure` embeds for these controls."""
    return math.prod(len(c.options) for c in controls)
