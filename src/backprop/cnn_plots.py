"""Figures of the chapter "CNN": pooling's upsample and the two cross-correlations of a conv
layer's backward pass, drawn as grids of numbers.

Plotting only: these classes take numbers (from :mod:`backprop.cnn`) and return matplotlib
figures. Each builds ONE :class:`matplotlib.figure.Figure` and every frame only updates its
artists (texts, face and edge colours), as :mod:`backprop.linked` recommends.
"""

import matplotlib
import numpy as np
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

CMAP = matplotlib.colormaps["RdBu_r"]  # red positive, blue negative, white zero
HIGHLIGHT = "#ff7f00"  # the entries taking part in the current step
PADDING = "#d9d9d9"  # zero padding
EMPTY = "white"  # an entry not computed yet


class NumberGrid:
    """An (rows, cols) grid of cells in ``ax``, each showing a number on a colour.

    Cell (i, j) is the unit square with its top-left corner at (j, -i), so the grid reads like
    the matrix it shows: row 0 on top.
    """

    def __init__(self, ax, shape, title, frame=None, fontsize=11):
        self.ax, self.shape = ax, shape
        rows, cols = shape
        frame_rows, frame_cols = (
            frame or shape
        )  # the axes span a frame_rows × frame_cols box, grid centred
        self.cells = np.empty(shape, dtype=object)
        self.texts = np.empty(shape, dtype=object)
        for i, j in np.ndindex(shape):
            self.cells[i, j] = ax.add_patch(Rectangle((j, -i - 1), 1, 1, ec="#666666", lw=0.5))
            self.texts[i, j] = ax.text(
                j + 0.5, -i - 0.5, "", ha="center", va="center", fontsize=fontsize
            )
        top = (frame_rows - rows) / 2
        ax.text(cols / 2, top + 0.3, title, ha="center", va="bottom", fontsize=12)
        ax.set(
            xlim=(cols / 2 - frame_cols / 2 - 0.1, cols / 2 + frame_cols / 2 + 0.1),
            ylim=(-rows - top - 0.1, top + 1.2),
        )
        ax.set_aspect("equal")
        ax.axis("off")

    def show(self, values, norm, shown=None, grey=None, highlight=None, fmt="{:.2g}"):
        """Colour each cell by its value on ``norm``; boolean masks (shape of the grid) pick the
        cells ``shown`` (the others are blank), painted ``grey`` (padding) or ``highlight``ed."""
        full = np.ones(self.shape, dtype=bool)
        shown = full if shown is None else shown
        grey = ~full if grey is None else grey
        highlight = ~full if highlight is None else highlight
        for i, j in np.ndindex(self.shape):
            colour = PADDING if grey[i, j] else CMAP(norm(values[i, j])) if shown[i, j] else EMPTY
            self.cells[i, j].set_facecolor(colour)
            self.cells[i, j].set_edgecolor(HIGHLIGHT if highlight[i, j] else "#666666")
            self.cells[i, j].set_linewidth(2.5 if highlight[i, j] else 0.5)
            self.cells[i, j].set_zorder(3 if highlight[i, j] else 2)
            self.texts[i, j].set_text(fmt.format(values[i, j]) if shown[i, j] or grey[i, j] else "")
            self.texts[i, j].set_zorder(4)
            dark = shown[i, j] and not grey[i, j] and abs(norm(values[i, j]) - 0.5) > 0.35
            self.texts[i, j].set_color("white" if dark else "black")


def symmetric_norm(*arrays):
    """One colour scale centred on 0 for all the arrays: [-m, m] with m their largest |entry|."""
    m = max(float(np.max(np.abs(a))) for a in arrays)
    return Normalize(-max(m, 1e-12), max(m, 1e-12))


class PoolFigure:
    """Max or mean pooling, forward and backward, on one (H, W) map with size×size windows.

    Left: the input a^{l-1} with its windows (the maxima in bold); middle: the upstream delta^l,
    one number per window; right: upsample(delta^l) = dC/da^{l-1}.
    """

    def __init__(self, shape, size):
        self.size = size
        self.fig = Figure(figsize=(8, 3.3), facecolor="white")
        out = (shape[0] // size, shape[1] // size)
        axes = self.fig.subplots(
            1, 3, gridspec_kw={"width_ratios": [shape[1] + 1, out[1] + 2, shape[1] + 1]}
        )
        self.a = NumberGrid(
            axes[0], shape, "input $a^{l-1}$ (windows outlined)", (shape[0], shape[1] + 1)
        )
        self.delta = NumberGrid(axes[1], out, "upstream $\\delta^l$", (shape[0], out[1] + 2))
        self.up = NumberGrid(
            axes[2],
            shape,
            "upsample$(\\delta^l) = \\partial C/\\partial a^{l-1}$",
            (shape[0], shape[1] + 1),
        )
        for k in range(1, out[1]):
            axes[0].plot([k * size, k * size], [0, -shape[0]], color="black", lw=2, zorder=5)
        for k in range(1, out[0]):
            axes[0].plot([0, shape[1]], [-k * size, -k * size], color="black", lw=2, zorder=5)
        self.caption = self.fig.text(0.5, 0.02, "", ha="center", va="bottom", fontsize=11)
        self.fig.subplots_adjust(left=0.01, right=0.99, top=0.99, bottom=0.19, wspace=0.05)

    def draw(self, a, delta, grad, window, receives, maxima, caption):
        """a, grad: (H, W); delta: (H/size, W/size); window: (i, j) of the highlighted window or
        None; receives: (H, W) bool, the entries the highlighted delta goes to; maxima: (H, W)
        bool, each window's maximum (max pooling) or all False. Returns the figure."""
        norm = symmetric_norm(delta, grad)
        in_window = np.zeros(a.shape, dtype=bool)
        picked = np.zeros(delta.shape, dtype=bool)
        if window is not None:
            i, j = window
            in_window[i * self.size : (i + 1) * self.size, j * self.size : (j + 1) * self.size] = (
                True
            )
            picked[i, j] = True
        self.a.show(a, symmetric_norm(a), highlight=in_window, fmt="{:.1f}")
        for text, bold in zip(self.a.texts.ravel(), maxima.ravel()):
            text.set_fontweight("bold" if bold else "normal")
        self.delta.show(delta, norm, highlight=picked)
        self.up.show(grad, norm, highlight=receives)
        self.caption.set_text(caption)
        return self.fig


class StepFigure:
    """A valid cross-correlation ``out = x ⋆ k`` built one output entry per step.

    Left: x, with the window of the current step outlined and the entries that contribute
    (non-zero terms) highlighted, padding in grey; middle: the kernel k, its contributing
    entries highlighted; right: out, filled up to the current step.
    """

    def __init__(self, x_shape, k_shape, titles):
        out_shape = (x_shape[0] - k_shape[0] + 1, x_shape[1] - k_shape[1] + 1)
        self.fig = Figure(figsize=(8, 3.3), facecolor="white")
        shapes = (x_shape, k_shape, out_shape)
        axes = self.fig.subplots(1, 3, gridspec_kw={"width_ratios": [s[1] + 1.5 for s in shapes]})
        self.x, self.k, self.out = (
            NumberGrid(ax, shape, title, (x_shape[0], shape[1] + 1.5))
            for ax, shape, title in zip(axes, shapes, titles)
        )
        self.window = axes[0].add_patch(
            Rectangle(
                (0, 0), k_shape[1], k_shape[0], fill=False, ec="black", lw=2.5, ls="--", zorder=6
            )
        )
        self.caption = self.fig.text(0.5, 0.02, "", ha="center", va="bottom", fontsize=11)
        self.fig.subplots_adjust(left=0.01, right=0.99, top=0.99, bottom=0.19, wspace=0.05)

    def draw(self, x, k, out, step, x_used, k_used, padding, caption):
        """Show out[i, j] for the first ``step + 1`` positions (row-major), the current one
        outlined. x_used, k_used: bool masks of the contributing entries; padding: bool mask of
        x's zero padding. Returns the figure."""
        i, j = np.unravel_index(step, out.shape)
        norm = symmetric_norm(x, k, out)
        self.x.show(x, norm, grey=padding, highlight=x_used, fmt="{:g}")
        self.k.show(k, norm, highlight=k_used, fmt="{:g}")
        done = np.arange(out.size).reshape(out.shape) <= step
        current = np.zeros(out.shape, dtype=bool)
        current[i, j] = True
        self.out.show(out, norm, shown=done, highlight=current, fmt="{:g}")
        self.window.set_xy(
            (j, -i - self.k.shape[0])
        )  # the kernel's footprint on x at output (i, j)
        self.caption.set_text(caption)
        return self.fig


#: how the feature maps' title writes each activation
ACTIVATION_TEX = {"tanh": "\\tanh", "sigmoid": "\\sigma", "relu": "\\mathrm{relu}"}


class FeatureFigure:
    """What a small CNN computes on one image (side×side): the image, the F learned filters
    (kernel×kernel), the F feature maps f(z1) and the outputs (one bar per class)."""

    def __init__(self, n_filters, kernel, side, n_out, activation):
        self.fig = Figure(figsize=(8, 3.3), facecolor="white")
        cols = (n_filters + 1) // 2
        ratios = [2.4, 0.4] + [1] * cols + [0.4] + [1] * cols + [1.1, 3.0]
        grid = self.fig.add_gridspec(
            2,
            len(ratios),
            width_ratios=ratios,
            left=0.01,
            right=0.99,
            top=0.8,
            bottom=0.16,
            wspace=0.1,
            hspace=0.1,
        )
        self.image = self._panel(grid[:, 0], np.zeros((side, side)), "gray_r", (0, 1))
        maps_side = side - kernel + 1
        self.filters = [
            self._panel(grid[k // cols, 2 + k % cols], np.zeros((kernel, kernel)), CMAP, (-1, 1))
            for k in range(n_filters)
        ]
        self.maps = [
            self._panel(
                grid[k // cols, 3 + cols + k % cols], np.zeros((maps_side,) * 2), CMAP, (-1, 1)
            )
            for k in range(n_filters)
        ]
        for panels, title in (
            (self.filters, "filters $W_f$"),
            (self.maps, f"feature maps ${ACTIVATION_TEX[activation]}(z^1_f)$"),
            ([self.image], "input image"),
        ):
            left, right = (
                panels[0].axes.get_position(),
                panels[cols - 1 if len(panels) > 1 else 0].axes.get_position(),
            )
            self.fig.text(
                (left.x0 + right.x1) / 2, 0.83, title, ha="center", va="bottom", fontsize=10
            )
        self.out = self.fig.add_subplot(grid[:, -1])
        self.bars = self.out.bar(np.arange(n_out), np.zeros(n_out), color="#999999")
        self.out.set(ylim=(0, 1), xticks=np.arange(n_out))
        self.out.set_xlabel("digit", fontsize=9)
        self.out.set_ylabel("output (sigmoid)", fontsize=9)
        self.out.tick_params(labelsize=8)
        self.title = self.fig.suptitle("", fontsize=11)

    def _panel(self, cell, data, cmap, clim):
        ax = self.fig.add_subplot(cell)
        ax.set(xticks=[], yticks=[])  # a frame, no ticks
        return ax.imshow(data, cmap=cmap, vmin=clim[0], vmax=clim[1])

    def draw(self, image, filters, maps, outputs, title):
        """image: (H, W) in [0, 1]; filters: (F, k, k) and maps: (F, s, s), each set on one
        symmetric scale (the maps' at least [-1, 1]); outputs: (n_out,) in [0, 1], the largest in
        red. Returns the figure."""
        self.image.set_data(image)
        for artists, arrays, least in ((self.filters, filters, 1e-12), (self.maps, maps, 1.0)):
            scale = max(float(np.abs(arrays).max()), least)
            for artist, x in zip(artists, arrays):
                artist.set_data(x)
                artist.set_clim(-scale, scale)
        for k, (bar, value) in enumerate(zip(self.bars, outputs)):
            bar.set_height(value)
            bar.set_color("#d62728" if k == np.argmax(outputs) else "#999999")
        self.title.set_text(title)
        return self.fig
