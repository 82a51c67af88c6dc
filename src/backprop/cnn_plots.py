"""Figures of the chapter "CNN": pooling's upsample and the two cross-correlations of a conv
layer's backward pass, drawn as grids of numbers.

Plotting only: these classes take numbers (from :mod:`backprop.cnn`) and return matplotlib
figures. Each builds its figures once, two panels narrow enough to read at full size on a phone
(side by side on a wider screen), and every frame only updates their artists (texts, face and
edge colours), as :mod:`backprop.linked` recommends.
"""

import textwrap

import matplotlib
import numpy as np
from matplotlib.colors import Normalize
from matplotlib.patches import Rectangle

from backprop.plotting import TEXT_MIN_PX, panel, place

CMAP = matplotlib.colormaps["RdBu_r"]  # red positive, blue negative, white zero
HIGHLIGHT = "#ff7f00"  # the entries taking part in the current step
PADDING = "#d9d9d9"  # zero padding
EMPTY = "white"  # an entry not computed yet
# Sizes in points, which are CSS px at the widgets' 72 dpi; every panel at most PANEL_MAX_PX wide
CELL = 32  # a grid's cell
TITLE = 20  # the room above a grid for its title
NUMBERS = TEXT = TEXT_MIN_PX  # font sizes of the numbers in the cells and of every other text
CAPTION_CHARS = 52  # a caption's line, at most: about 310 points at TEXT


class NumberGrid:
    """An (rows, cols) grid of ``cell``-point cells with its title above, its top-left corner
    ``corner`` = (left, top) points from the top-left of ``fig``; each cell shows a number on a
    colour. Cell (i, j) is the unit square with its top-left corner at (j, -i), so the grid reads
    like the matrix it shows: row 0 on top.
    """

    def __init__(self, fig, shape, title, corner, cell=CELL):
        self.shape = rows, cols = shape
        self.ax = ax = place(fig, corner[0], corner[1] + TITLE, cols * cell, rows * cell)
        self.cells = np.empty(shape, dtype=object)
        self.texts = np.empty(shape, dtype=object)
        for i, j in np.ndindex(shape):
            square = Rectangle((j, -i - 1), 1, 1, ec="#666666", lw=0.5, clip_on=False)
            self.cells[i, j] = ax.add_patch(square)
            self.texts[i, j] = ax.text(
                j + 0.5, -i - 0.5, "", ha="center", va="center", fontsize=NUMBERS, zorder=4
            )
        ax.text(cols / 2, 0.15, title, ha="center", va="bottom", fontsize=TEXT)
        ax.set(xlim=(0, cols), ylim=(-rows, 0))
        ax.axis("off")

    def show(self, values, norm, shown=None, grey=None, highlight=None, fmt="{:.2g}"):
        """Colour each cell by its value on ``norm``; boolean masks (shape of the grid) pick the
        cells ``shown`` (the others are blank), painted ``grey`` (padding) or ``highlight``ed."""
        full = np.ones(self.shape, dtype=bool)
        shown = full if shown is None else shown
        grey = ~full if grey is None else grey
        highlight = ~full if highlight is None else highlight
        levels = np.asarray(norm(values))  # one call for the grid: a call per cell costs more
        colours, dark = CMAP(levels), shown & ~grey & (np.abs(levels - 0.5) > 0.35)
        for i, j in np.ndindex(self.shape):
            colour = PADDING if grey[i, j] else colours[i, j] if shown[i, j] else EMPTY
            self.cells[i, j].set_facecolor(colour)
            self.cells[i, j].set_edgecolor(HIGHLIGHT if highlight[i, j] else "#666666")
            self.cells[i, j].set_linewidth(2.5 if highlight[i, j] else 0.5)
            self.cells[i, j].set_zorder(3 if highlight[i, j] else 2)
            self.texts[i, j].set_text(fmt.format(values[i, j]) if shown[i, j] or grey[i, j] else "")
            self.texts[i, j].set_color("white" if dark[i, j] else "black")


def caption_below(fig, top):
    """An empty caption text, centred, its first line ``top`` points from the figure's top."""
    height = fig.get_size_inches()[1] * 72
    return fig.text(0.5, 1 - top / height, "", ha="center", va="top", fontsize=TEXT)


def wrapped(caption):
    """The caption with each of its lines wrapped to CAPTION_CHARS characters."""
    return "\n".join(textwrap.fill(line, CAPTION_CHARS) for line in caption.split("\n"))


def symmetric_norm(*arrays):
    """One colour scale centred on 0 for all the arrays: [-m, m] with m their largest |entry|."""
    m = max(float(np.max(np.abs(a))) for a in arrays)
    return Normalize(-max(m, 1e-12), max(m, 1e-12))


class PoolFigure:
    """Max or mean pooling, forward and backward, on one (H, W) map with size×size windows, in
    two panels. Forward: the input a^{l-1} with its windows (the maxima in bold) and the upstream
    delta^l, one number per window. Backward: upsample(delta^l) = dC/da^{l-1}, and the caption.
    """

    def __init__(self, shape, size):
        self.size = size
        out = (shape[0] // size, shape[1] // size)
        side, small = shape[1] * CELL, out[1] * CELL  # the grids' widths
        self.figures = [panel(small + side + 56, shape[0] * CELL + TITLE + 10), panel(320, 206)]
        forward, backward = self.figures
        self.a = NumberGrid(forward, shape, "input aˡ⁻¹", (8, 4))
        middle = 4 + (shape[0] - out[0]) * CELL / 2  # the delta centred beside the input
        self.delta = NumberGrid(forward, out, "upstream δˡ", (side + 48, middle))
        self.up = NumberGrid(
            backward,
            shape,
            "upsample(δˡ) = ∂C/∂aˡ⁻¹",
            ((320 - side) / 2, 4),
        )
        for k in range(1, out[1]):  # the windows' borders
            self.a.ax.plot([k * size] * 2, [0, -shape[0]], color="black", lw=2, zorder=5)
        for k in range(1, out[0]):
            self.a.ax.plot([0, shape[1]], [-k * size] * 2, color="black", lw=2, zorder=5)
        self.caption = caption_below(backward, shape[0] * CELL + TITLE + 14)

    def draw(self, a, delta, grad, window, receives, maxima, caption):
        """a, grad: (H, W); delta: (H/size, W/size); window: (i, j) of the highlighted window or
        None; receives: (H, W) bool, the entries the highlighted delta goes to; maxima: (H, W)
        bool, each window's maximum (max pooling) or all False. Returns the two panels."""
        norm = symmetric_norm(delta, grad)
        in_window = np.zeros(a.shape, dtype=bool)
        picked = np.zeros(delta.shape, dtype=bool)
        if window is not None:
            i, j = window
            k = self.size
            in_window[i * k : (i + 1) * k, j * k : (j + 1) * k] = True
            picked[i, j] = True
        self.a.show(a, symmetric_norm(a), highlight=in_window, fmt="{:.1f}")
        for text, bold in zip(self.a.texts.ravel(), maxima.ravel()):
            text.set_fontweight("bold" if bold else "normal")
        self.delta.show(delta, norm, highlight=picked)
        self.up.show(grad, norm, highlight=receives)
        self.caption.set_text(wrapped(caption))
        return self.figures


class StepFigure:
    """A valid cross-correlation ``out = x ⋆ k`` built one output entry per step, in two panels.

    First: x, with the window of the current step outlined and the entries that contribute
    (non-zero terms) highlighted, padding in grey, and the kernel k, its contributing entries
    highlighted. Second: out, filled up to the current step, and the step's sum as a caption.
    """

    def __init__(self, x_shape, k_shape, titles):
        out_shape = (x_shape[0] - k_shape[0] + 1, x_shape[1] - k_shape[1] + 1)
        x_side, k_side, out_side = (s[1] * CELL for s in (x_shape, k_shape, out_shape))
        self.figures = [
            panel(x_side + k_side + 40, x_shape[0] * CELL + TITLE + 10),
            panel(320, out_shape[0] * CELL + TITLE + 64),
        ]
        first, second = self.figures
        middle = 4 + (x_shape[0] - k_shape[0]) * CELL / 2  # the kernel centred beside x
        self.x = NumberGrid(first, x_shape, titles[0], (8, 4))
        self.k = NumberGrid(first, k_shape, titles[1], (x_side + 32, middle))
        self.out = NumberGrid(second, out_shape, titles[2], ((320 - out_side) / 2, 4))
        self.window = self.x.ax.add_patch(
            Rectangle(
                (0, 0), k_shape[1], k_shape[0], fill=False, ec="black", lw=2.5, ls="--", zorder=6
            )
        )
        self.caption = caption_below(second, out_shape[0] * CELL + TITLE + 14)

    def draw(self, x, k, out, step, x_used, k_used, padding, caption):
        """Show out[i, j] for the first ``step + 1`` positions (row-major), the current one
        outlined. x_used, k_used: bool masks of the contributing entries; padding: bool mask of
        x's zero padding. Returns the two panels."""
        i, j = np.unravel_index(step, out.shape)
        norm = symmetric_norm(x, k, out)
        self.x.show(x, norm, grey=padding, highlight=x_used, fmt="{:g}")
        self.k.show(k, norm, highlight=k_used, fmt="{:g}")
        done = np.arange(out.size).reshape(out.shape) <= step
        current = np.zeros(out.shape, dtype=bool)
        current[i, j] = True
        self.out.show(out, norm, shown=done, highlight=current, fmt="{:g}")
        self.window.set_xy((j, -i - self.k.shape[0]))  # the kernel's footprint on x at (i, j)
        self.caption.set_text(wrapped(caption))
        return self.figures


#: how the feature maps' title writes each activation
ACTIVATION_NAMES = {"tanh": "tanh", "sigmoid": "σ", "relu": "relu"}


class FeatureFigure:
    """What a small CNN computes on one image (side×side), in two panels. First: the image and
    the F learned filters (kernel×kernel). Second: the F feature maps f(z1) and the outputs (one
    bar per class). Each panel has a title line above."""

    def __init__(self, n_filters, kernel, side, n_out, activation):
        if n_filters > 8:  # two rows of four tiles fill a panel's width
            raise ValueError(f"at most 8 filters fit a phone-width panel, got {n_filters}")
        self.figures = [panel(320, 166), panel(320, 166)]
        first, second = self.figures
        cols = (n_filters + 1) // 2  # filters and maps in two rows
        self.image = self._show(place(first, 8, 40, 104, 104), (side, side), "gray_r", (0, 1))
        self.filters = self._tiles(first, 130, n_filters, cols, 40, kernel)
        self.maps = self._tiles(second, 8, n_filters, cols, 36, side - kernel + 1)
        for fig, left, width, title in (
            (first, 8, 104, "input image"),
            (first, 130, cols * 45 - 5, f"the {n_filters} filters"),
            (second, 8, cols * 41 - 5, f"feature maps {ACTIVATION_NAMES[activation]}(z¹)"),
            (second, 204, 110, "sigmoid outputs"),
        ):
            fig.text((left + width / 2) / 320, 1 - 34 / 166, title, ha="center", fontsize=TEXT)
        self.titles = [
            fig.text(0.5, 1 - 4 / 166, "", ha="center", va="top", fontsize=TEXT + 1)
            for fig in self.figures
        ]
        self.out = place(second, 204, 48, 110, 86)
        self.bars = self.out.bar(np.arange(n_out), np.zeros(n_out), color="#999999")
        self.out.set(ylim=(0, 1), xticks=np.arange(n_out), yticks=[0, 0.5, 1])
        self.out.set_xlabel("digit", fontsize=TEXT, labelpad=1)
        self.out.tick_params(labelsize=TEXT, pad=1.5)

    def _tiles(self, fig, left, n, cols, size, side):
        """n images of side×side, in rows of ``cols`` tiles of size points, from ``left``."""
        gap = size // 8
        top = 48 + (86 - 2 * size - gap) / 2  # centred on the outputs' axes
        return [
            self._show(
                place(
                    fig, left + k % cols * (size + gap), top + k // cols * (size + gap), size, size
                ),
                (side, side),
                CMAP,
                (-1, 1),
            )
            for k in range(n)
        ]

    @staticmethod
    def _show(ax, shape, cmap, clim):
        ax.set(xticks=[], yticks=[])  # a frame, no ticks
        return ax.imshow(np.zeros(shape), cmap=cmap, vmin=clim[0], vmax=clim[1])

    def draw(self, image, filters, maps, outputs, titles):
        """image: (H, W) in [0, 1]; filters: (F, k, k) and maps: (F, s, s), each set on one
        symmetric scale (the maps' at least [-1, 1]); outputs: (n_out,) in [0, 1], the largest in
        red; titles: the two panels' title lines. Returns the two panels."""
        self.image.set_data(image)
        for artists, arrays, least in ((self.filters, filters, 1e-12), (self.maps, maps, 1.0)):
            scale = max(float(np.abs(arrays).max()), least)
            for artist, x in zip(artists, arrays):
                artist.set_data(x)
                artist.set_clim(-scale, scale)
        for k, (bar, value) in enumerate(zip(self.bars, outputs)):
            bar.set_height(value)
            bar.set_color("#d62728" if k == np.argmax(outputs) else "#999999")
        for text, title in zip(self.titles, titles):
            text.set_text(title)
        return self.figures
