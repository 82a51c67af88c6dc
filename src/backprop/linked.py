"""Widgets whose every control works on a static website, with no kernel.

A static page has no kernel, so a Python callback (``interact``, ``observe``) never runs there.
Instead the figure is drawn for every position of the controls when the chapter executes;
the frames go into nested ``widgets.Stack``s, and each control's ``index`` is tied to its
stacks' ``selected_index`` with ``widgets.jslink``. The link runs in the browser, so the controls
work on the website, offline, and just as well in a live kernel.

Usage::

    widget = linked.figure(draw, controls=[linked.slider("weight scale", [0.5, 1, 2]),
                                          linked.toggle("activation", ["sigmoid", "tanh"])],
                           alt="The deltas of a 2-3-3-2 network")

``draw(*values)`` gets one option value per control and returns a matplotlib Figure, or a list of
panel Figures (side by side where the column has room, stacked on a phone: a figure too wide to
read at phone width is split into panels rather than shrunk); it may redraw the same figures each
time (much faster than a new figure per frame). Frames are drawn at twice their CSS size (sharp on
2x screens) and encoded as palette WebP that keeps only what differs from the first frame.

Every text is in the language being drawn (:mod:`backprop.lang`): the controls' descriptions and
option labels, the figure's texts and its alt text; ``draw`` and ``alt`` always get the English
option values and labels (a control keeps them as ``control.english``).
"""

import base64
import hashlib
import io
import math
from html import escape

import ipywidgets as widgets
import numpy as np
from IPython.display import HTML
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.text import Text
from PIL import Image

from backprop import lang


def _options(options):
    """Normalise options to a list of (label, value) pairs, the labels in English; a dict maps
    labels to values."""
    pairs = (
        list(options.items())
        if isinstance(options, dict)
        else [o if isinstance(o, tuple) else (_label(o), o) for o in options]
    )
    if not pairs:
        raise ValueError("a control needs at least one option, got none")
    return pairs


def _control(kind, description, options, index, **settings):
    """A selection widget of ``kind`` in the current language; ``control.english`` keeps its
    English (label, value) pairs for :func:`frames`, ``control.messages`` the messages its texts
    looked up (the figure it drives records them: :func:`figure`)."""
    english = _options(options)
    with lang.recording() as messages:
        control = kind(
            options=[(lang.translate(label), value) for label, value in english],
            index=index,
            description=lang.translate(description),
            **settings,
        )
    control.english, control.messages = english, messages
    return control


def _label(value):
    """A short label: 0.25 rather than 0.25000000000000006."""
    return f"{value:g}" if isinstance(value, float) else str(value)


def slider(description, options, index=0):
    """A slider over a list of option values (or a dict label -> value). Its width and layout
    come from the site's CSS (assets/course.css), not from an inline style it could not override."""
    return _control(
        widgets.SelectionSlider,
        description,
        options,
        index,
        continuous_update=True,
        style={"description_width": "initial"},
    )


def toggle(description, options, index=0):
    """Toggle buttons, one per option."""
    style = {"description_width": "initial", "button_width": "auto"}
    return _control(widgets.ToggleButtons, description, options, index, style=style)


def dropdown(description, options, index=0):
    """A drop-down list of options."""
    style = {"description_width": "initial"}
    return _control(widgets.Dropdown, description, options, index, style=style)


def play(description, options, interval=900, index=0):
    """A play button that steps a slider through the options, one per ``interval`` milliseconds.

    Returns the slider (what :func:`figure` links); the Play widget is attached to it as
    ``slider.player``, the names of its buttons as ``slider.names`` (:func:`button_names`), and
    :func:`figure` shows them side by side.
    """
    step = slider(description, options, index)
    with lang.recording() as messages:
        step.player = widgets.Play(value=index, min=0, max=len(step.options) - 1, interval=interval)
        step.names = button_names(play=f"play {description}", stop="stop", repeat="repeat")
    step.messages |= messages
    widgets.jslink((step.player, "value"), (step, "index"))
    return step


def button_names(**names):
    """A hidden widget holding the accessible names of a Play's buttons (key: the button), in the
    current language, as ``data-<key>`` attributes: ipywidgets draws the buttons as bare icons,
    and the site's script (``assets/widget-a11y.js``) names them from these."""
    data = " ".join(f'data-{key}="{escape(lang.translate(text))}"' for key, text in names.items())
    html = f'<span class="linked-play-names" {data}></span>'
    return widgets.HTML(html, layout={"display": "none"})


SCALE = 2  #: frames are drawn at SCALE times their CSS size: sharp on a 2x (HiDPI) screen
COLOURS = 32  #: palette size of a frame (16 loses the legends' light grey frame)


def render(fig, dpi):
    """The figure drawn at SCALE * dpi: (RGBA pixels of shape (h, w, 4), smallest text in CSS px).

    ``dpi`` is the figure's CSS pixels per inch: the <img> is shown at ``dpi`` and holds SCALE
    times as many pixels. The smallest text is that of the figure's visible, non-empty texts.
    """
    fig.set_dpi(SCALE * dpi)
    canvas = fig.canvas  # kept from frame to frame: its renderer caches the text layouts
    if not isinstance(canvas, FigureCanvasAgg):  # e.g. a bare matplotlib.figure.Figure
        canvas = FigureCanvasAgg(fig)
    with lang.translated(fig):
        canvas.draw()
    sizes = [t.get_fontsize() for t in fig.findobj(Text) if t.get_visible() and t.get_text()]
    return np.asarray(canvas.buffer_rgba()).copy(), min(sizes, default=0) * dpi / 72


def encode(pixels, colours=COLOURS):
    """RGBA pixels (h, w, 4) as lossless WebP bytes with a palette of ``colours``.

    Measured on the course's frames (``make bench``): a third of the bytes of a 64-colour PNG;
    method 2 compresses as well as method 6 in a fiftieth of the time, and quality (the effort)
    25 as well as 50, faster.
    """
    palette = Image.fromarray(pixels, "RGBA").quantize(colours, method=Image.Quantize.FASTOCTREE)
    exact = exact_ends(palette.getpalette(rawmode="RGBA"), np.asarray(palette), pixels)
    palette.putpalette(exact, rawmode="RGBA")
    buffer = io.BytesIO()
    palette.save(buffer, format="webp", lossless=True, method=2, quality=25)
    return buffer.getvalue()


def exact_ends(palette, indices, pixels):
    """The palette (a flat RGBA list) with the entries that most of the source's pure white and
    pure black pixels map to made exact. The octree averages each entry's pixels: white comes out
    as (244, 244, 244) or so in a frame of few white pixels, and a frame that erases a line of
    its base (shown under it) would leave a grey ghost of it. indices: (h, w) palette indices of
    pixels (h, w, 4)."""
    entries = np.asarray(palette, dtype=np.int64).reshape(-1, 4)
    words = np.ascontiguousarray(pixels).view(np.uint32)[..., 0]  # one word per RGBA pixel
    for value in (255, 0):
        word = np.array([value, value, value, 255], dtype=np.uint8).view(np.uint32)[0]
        mapped = indices[words == word]  # the palette entries of the exact white (black) pixels
        if mapped.size:
            entries[np.bincount(mapped).argmax(), :3] = value
    return entries.ravel().tolist()


MARGIN = 4  #: pixels kept around a change: a browser that shrinks a frame (a 1x screen) blends
#: each shown pixel from a few neighbours; without the margin the base's old text shows faintly
#: through the transparent pixels around the frame's new white


def changes(pixels, base):
    """RGBA pixels (h, w, 4): ``pixels`` within MARGIN pixels of where they differ from ``base``
    (both (h, w, 4)), transparent elsewhere. Shown over ``base``, they look like ``pixels``, also
    when the browser shrinks them."""
    if pixels.shape != base.shape:  # a figure of another size: all of it, opaque
        return pixels
    words, base_words = pixels.view(np.uint32), base.view(np.uint32)  # one word per pixel
    return np.where(grown(words != base_words, MARGIN), words, 0).view(np.uint8)


def grown(mask, margin):
    """The boolean mask (h, w, ...) grown by ``margin`` pixels along its rows and columns (at the
    edges it wraps around: a few more pixels kept, never fewer)."""
    for axis in (0, 1):
        spread = mask.copy()
        for shift in range(1, margin + 1):
            spread |= np.roll(mask, shift, axis) | np.roll(mask, -shift, axis)
        mask = spread
    return mask


def image(data, alt, size, min_font, style_class=""):
    """An <img> of WebP bytes shown at ``size`` = (width, height) CSS px, with its alt text and
    its smallest text in CSS px at that size (``data-min-font``, checked by the site tests)."""
    source = base64.b64encode(data).decode("ascii")
    return (
        f'<img src="data:image/webp;base64,{source}" alt="{escape(alt)}" width="{size[0]}" '
        f'height="{size[1]}" data-min-font="{min_font:.1f}" class="{style_class}">'
    )


def panels(figures):
    """A figure, or a list of panel figures, as a list of figures."""
    return list(figures) if isinstance(figures, (list, tuple)) else [figures]


def css_size(pixels):
    """(width, height) in CSS px of pixels drawn at SCALE: at least SCALE device pixels per px."""
    return pixels.shape[1] // SCALE, pixels.shape[0] // SCALE


def static(fig, alt, dpi=80):
    """A figure (or a list of panel figures, laid out side by side where there is room and
    stacked on a phone) shown as images with alt text: a still, with no controls to link, in the
    current language (:func:`backprop.lang.drawn`). Plain HTML, not a widget: a page of stills
    needs no widget manager (the site loads it only on pages with widgets)."""

    def still():
        drawn = [render(f, dpi) for f in panels(fig)]
        imgs = [image(encode(p), lang.translate(alt), css_size(p), font) for p, font in drawn]
        return HTML(f'<div class="linked-panels">{"".join(imgs)}</div>')

    return lang.drawn(still)


class Frames:
    """Frames of one linked figure that share what does not change: the first frame's pixels are
    the base, shown under every frame as a CSS background (one <style>), and each frame keeps
    only the pixels that differ from it (the rest transparent): about a third of the bytes."""

    def __init__(self, dpi):
        self.dpi, self.bases, self.name = dpi, [], ""

    def frame(self, figures, alt):
        """The HTML widget of one frame: ``figures`` (a figure or a list of panels) as <img>s."""
        drawn = [render(f, self.dpi) for f in panels(figures)]
        if not self.bases:
            self.bases = [pixels for pixels, _ in drawn]
            self.name = "linked-" + hashlib.sha1(self.bases[0].tobytes()).hexdigest()[:12]
        imgs = [
            image(encode(changes(p, base)), alt, css_size(p), font, f"{self.name}-{k}")
            for k, ((p, font), base) in enumerate(zip(drawn, self.bases))
        ]
        return widgets.HTML(f'<div class="linked-panels">{"".join(imgs)}</div>')

    def style(self):
        """A widget holding the <style> that puts each panel's base under its frames."""
        rules = [
            f".{self.name}-{k} {{ background-image: url(data:image/webp;base64,"
            f"{base64.b64encode(encode(base)).decode('ascii')}); }}"
            for k, base in enumerate(self.bases)
        ]
        return widgets.HTML(f"<style>{' '.join(rules)}</style>", layout={"display": "none"})


def frames(draw, controls, alt, dpi=72):
    """Nested Stacks holding ``draw(*values)`` for every combination of the controls' options,
    and the widget of the frames' shared base (see :class:`Frames`).

    The stack at depth k has one child per option of control k and follows its index.
    ``alt(*labels)`` (or a fixed string) gives each frame's alt text, translated. ``draw`` returns
    a figure or a list of panel figures (side by side where there is room, stacked on a phone).
    """
    labels = [[label for label, _ in c.english] for c in controls]  # controls made by this module
    values = [[value for _, value in c.english] for c in controls]  # keep their English options
    describe = alt if callable(alt) else (lambda *_: alt)
    shared = Frames(dpi)

    def build(depth, chosen):
        if depth == len(controls):
            picked = [values[k][i] for k, i in enumerate(chosen)]
            text = lang.translate(describe(*[labels[k][i] for k, i in enumerate(chosen)]))
            return shared.frame(draw(*picked), text)
        children = [build(depth + 1, chosen + (i,)) for i in range(len(values[depth]))]
        stack = widgets.Stack(children, selected_index=controls[depth].index)
        widgets.jslink((controls[depth], "index"), (stack, "selected_index"))
        return stack

    return build(0, ()), shared.style()


def figure(draw, controls, alt, dpi=72):
    """The controls above the figure they drive, all linked in the browser (see module docstring),
    in the current language (:func:`backprop.lang.drawn`: a VBox, or in another language than
    English a :class:`backprop.lang.Recorded` VBox, which displays the same).

    Frames: the product of the controls' option counts, each drawn once here.
    """

    def made():
        for control in controls:  # made before: their texts count as this output's too
            lang.note(control.messages)
        rows = [
            widgets.HBox([c.names, c.player, c]) if hasattr(c, "player") else c for c in controls
        ]
        stacks, style = frames(draw, controls, alt, dpi)
        box = widgets.VBox(rows + [style, stacks])
        box.add_class("linked-figure")
        return box

    return lang.drawn(made)


def frame_count(controls):
    """How many frames :func:`figure` embeds for these controls."""
    return math.prod(len(c.options) for c in controls)
