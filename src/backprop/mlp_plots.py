"""Figures of the chapter "MLP": vanishing and exploding gradients, learning speed, the band.

Plotting only: each class builds its panels once, two ``matplotlib.figure.Figure``s (never pyplot,
which would also show them inline) each narrow enough to read at phone width, shown side by side
where the column has room; its ``draw`` updates the artists for one frame and returns the panels.
The numbers come from :mod:`backprop.vanishing`; the widgets from :mod:`backprop.mlp_widgets`.
"""

import matplotlib
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.ticker import FuncFormatter

from backprop.plotting import TEXT_MIN_PX, FrameCanvas, plain_log_ticks

CLIP = (1e-12, 1e12)  # the explorer's log axis: values beyond are drawn at the edge and marked
SPEED_FLOOR, SPEED_CEILING = 1e-9, 1e2  # the learning-speed axis: no gradient (dead ReLU) sits at
# the floor, an exploding one at the ceiling, both marked
LAYER_COLOURS = matplotlib.colormaps["viridis"]
PANEL_SIZE = (4.05, 3.9)  # inches: 324 x 312 CSS px at the widgets' 80 dpi: two side by
# side in the desktop column's figure card (666 px), one at full size on a phone
TOP = 0.68  # the top of every panel's axes (of its height): titles and legends above it
FONT = TEXT_MIN_PX * 72 / 80  # points, the smallest text: TEXT_MIN_PX CSS px at 80 dpi


def clip_marked(values, lo, hi):
    """``(shown, above, below)``: values clipped to [lo, hi], and where they were > hi or < lo.

    For a log axis: a 0 (no gradient at all) counts as below. values: finite, any shape.
    """
    values = np.asarray(values, dtype=np.float64)
    if not np.all(np.isfinite(values)):
        raise ValueError(f"values must be finite, got {values}")
    return np.clip(values, lo, hi), values > hi, values < lo


def _panels():
    """Two white PANEL_SIZE figures, each with one axes at a fixed place (no layout per frame):
    ``(figures, axes)``, the axes' tops at TOP to leave room for the texts above them, their
    tick and axis labels FONT points."""
    figures = [Figure(figsize=PANEL_SIZE, facecolor="white") for _ in range(2)]
    axes = [fig.add_axes((0.2, 0.13, 0.76, TOP - 0.13)) for fig in figures]
    for ax in axes:
        ax.tick_params(labelsize=FONT)
        ax.xaxis.label.set_fontsize(FONT)
        ax.yaxis.label.set_fontsize(FONT)
    return figures, axes


def _top_legend(fig, below=0.0, ncol=2, **options):
    """A legend of ``fig``'s labelled artists above its axes, in FONT points, in ``ncol``
    columns, its top ``below`` points under the figure's top."""
    top = 0.995 - below / (PANEL_SIZE[1] * 72)
    where = {"loc": "upper center", "bbox_to_anchor": (0.55, top)}
    spacing = {"handlelength": 1.5, "handletextpad": 0.5, "columnspacing": 1.0}
    return fig.legend(**where, ncol=ncol, fontsize=FONT, frameon=False, **spacing, **options)


def _log_y(ax):
    """Log y axis, ticks labelled in plain text."""
    ax.set_yscale("log")
    plain_log_ticks(ax.yaxis, numticks=9)


def _marks(ax, colour="#d62728"):
    """Two empty marker lines on ``ax``: clipped above (triangle up) and below (triangle down)."""
    (up,) = ax.plot([], [], "^", color=colour, ms=8, label="clipped (beyond the axis)")
    (down,) = ax.plot([], [], "v", color=colour, ms=8)
    return up, down


class ExplorerFigure:
    """Left panel: ||delta^l|| per layer on a log axis, with the sigmoid bound
    ||delta^L|| (1/4)^(L-l). Right panel: how saturated each layer is (fraction of flat f',
    mean f' / max f')."""

    def __init__(self, max_layers):
        self.figures, (self.norm_ax, self.sat_ax) = _panels()
        layers = np.arange(1, max_layers + 1)
        ticks = layers[::2]  # every other layer labelled: fewer texts to draw per frame
        (self.line,) = self.norm_ax.plot([], [], "o-", color="#1f77b4", label="‖δˡ‖ measured")
        (self.bound,) = self.norm_ax.plot(
            [], [], "--", color="#7f7f7f", label="‖δᴸ‖ (1/4)ᴸ⁻ˡ: σ′ ≤ 1/4 alone"
        )
        self.up, self.down = _marks(self.norm_ax)
        _log_y(self.norm_ax)
        self.norm_ax.set(
            ylim=(CLIP[0] / 5, CLIP[1] * 5),
            xlim=(0.5, max_layers + 0.5),
            xticks=ticks,
            xlabel="layer l (last = output layer L)",
            ylabel="‖∂C/∂zˡ‖ (RMS per example)",
        )
        legend = [self.line, self.bound, self.up]
        _top_legend(self.figures[0], below=34, ncol=1, handles=legend, labelspacing=0.3)
        self.bars = self.sat_ax.bar(layers, np.zeros(max_layers), color="#ff7f0e")
        (self.ratio,) = self.sat_ax.plot([], [], "ks-", ms=4)
        self.sat_ax.set(
            ylim=(0, 1.05),
            xlim=(0.5, max_layers + 0.5),
            xticks=ticks,
            xlabel="layer l",
            ylabel="fraction (bars), ratio (squares)",
        )
        self.sat_legend = _top_legend(
            self.figures[1],
            ncol=1,
            handles=[self.bars, self.ratio],
            labels=["saturated", "mean f′ / max f′"],
        )
        self.title = self.figures[0].suptitle("", fontsize=FONT + 1)
        moving = [self.line, self.bound, self.up, self.down, self.title]
        FrameCanvas(self.figures[0], moving)
        FrameCanvas(self.figures[1], [*self.bars, self.ratio, self.sat_legend])

    def draw(self, norms, mean_ratio, saturated, title, saturated_label):
        """One frame: arrays of shape (L,) for layers 1..L. Returns the two panel figures."""
        layers = np.arange(1, len(norms) + 1)
        shown, above, below = clip_marked(norms, *CLIP)
        self.line.set_data(layers, shown)
        self.bound.set_data(layers, np.clip(norms[-1] * 0.25 ** (len(norms) - layers), *CLIP))
        self.up.set_data(layers[above], shown[above])
        self.down.set_data(layers[below], shown[below])
        for l, bar in enumerate(self.bars):
            bar.set_height(saturated[l] if l < len(norms) else 0.0)
        self.ratio.set_data(layers, mean_ratio)
        self.sat_legend.get_texts()[0].set_text(saturated_label)
        self.title.set_text(title)
        return self.figures


class SpeedFigure:
    """Left panel: each layer's learning speed ||dC/db^l|| over the epochs (log axis).
    Right panel: test accuracy over the epochs, under the frame's title."""

    def __init__(self, n_layers, epochs):
        self.figures, (self.speed_ax, self.acc_ax) = _panels()
        colours = [LAYER_COLOURS(k / max(n_layers - 1, 1)) for k in range(n_layers)]
        self.lines = [
            self.speed_ax.plot(
                [], [], color=c, label=f"layer {l}" + (" (output)" if l == n_layers else "")
            )[0]
            for l, c in enumerate(colours, start=1)
        ]
        self.up, self.down = _marks(self.speed_ax)
        self.up.set_label("beyond the axis")
        self.down.set_label(f"no gradient (0): at {SPEED_FLOOR:.0e}")
        _log_y(self.speed_ax)
        self.speed_ax.set(
            xlim=(0, epochs),
            ylim=(SPEED_FLOOR / 3, SPEED_CEILING * 3),
            xlabel="epoch",
            ylabel="‖∂C/∂bˡ‖ (mean cost per example)",
        )
        _top_legend(self.figures[0], handles=self.lines + [self.up, self.down], labelspacing=0.3)
        (self.accuracy,) = self.acc_ax.plot([], [], "o-", ms=3, color="#2ca02c")
        chance = [  # drawn over the accuracy, as in a full draw
            self.acc_ax.axhline(0.1, color="#7f7f7f", ls=":", lw=1),
            self.acc_ax.text(0.98 * epochs, 0.11, "chance", ha="right", va="bottom", fontsize=FONT),
        ]
        self.acc_ax.set(
            xlim=(0, epochs), ylim=(0, 1), xlabel="epoch", ylabel="test accuracy (fraction)"
        )
        self.title = self.figures[1].suptitle("", fontsize=FONT + 1)
        FrameCanvas(self.figures[0], [*self.lines, self.up, self.down])
        FrameCanvas(self.figures[1], [self.accuracy, self.title, *chance])

    def draw(self, grad_norms, test_accuracy, title):
        """One frame: grad_norms (epochs + 1, L), test_accuracy (epochs + 1,); returns the
        two panel figures."""
        epochs = np.arange(len(grad_norms))
        shown, above, below = clip_marked(grad_norms, SPEED_FLOOR, SPEED_CEILING)
        for line, column in zip(self.lines, shown.T):
            line.set_data(epochs, column)
        rows = np.nonzero(above)[0], np.nonzero(below)[0]  # boolean indexing is row-major too
        self.up.set_data(epochs[rows[0]], shown[above])
        self.down.set_data(epochs[rows[1]], shown[below])
        self.accuracy.set_data(epochs, test_accuracy)
        self.title.set_text(title)
        return self.figures


class BandFigure:
    """Left panel: |w sigma'(w a + b)| against a, the band where it is >= 1 shaded, a in [0, 1]
    marked. Right panel: the band's width against |w|, the current w marked, under the title."""

    def __init__(self, a, w_curve, width_curve):
        self.figures, (self.ax, self.width_ax) = _panels()
        self.a = a
        self.ax.axvspan(0, 1, color="#e8e8e8", zorder=0, label="σ's outputs: a ∈ (0, 1)")
        self.ax.axhline(1.0, color="#d62728", ls="--", lw=1, label="factor 1")
        self.band = self.ax.add_patch(
            Rectangle(
                (0, 0), 0, 1e3, color="#d62728", alpha=0.25, zorder=1, label="band: factor ≥ 1"
            )
        )
        (self.curve,) = self.ax.plot([], [], color="#1f77b4", lw=2, label="|w σ′(wa + b)|")
        self.ax.set(
            xlim=(a[0], a[-1]),
            xlabel="input activation a (dimensionless)",
            ylabel="factor on the gradient",
        )
        _top_legend(self.figures[0])
        self.width_ax.plot(w_curve, width_curve, color="#7f7f7f")
        (self.marker,) = self.width_ax.plot([], [], "o", color="#d62728", ms=7)
        self.width_ax.set_xscale("log")
        ticks = [1, 2, 4, 8, 16, 32]
        self.width_ax.set_xticks(ticks, [str(t) for t in ticks])
        self.width_ax.xaxis.set_minor_formatter(FuncFormatter(lambda *_: ""))
        self.width_ax.set(
            xlim=(w_curve[0], w_curve[-1]),
            ylim=(0, 0.5),
            xlabel="weight |w| (log scale)",
            ylabel="band width in a",
        )
        self.title = self.figures[1].suptitle("", fontsize=FONT + 1)
        FrameCanvas(self.figures[1], [self.marker, self.title])  # not left: its y axis moves

    def draw(self, factor, interval, width, w, title):
        """One frame: factor = |w sigma'(w a + b)| on self.a; interval = (lo, hi) of the band.
        Returns the two panel figures."""
        self.curve.set_data(self.a, factor)
        lo, hi = interval
        self.band.set_x(lo)
        self.band.set_width(hi - lo)
        self.band.set_visible(hi > lo)
        self.ax.set_ylim(0, max(1.5, 1.15 * factor.max()))
        self.marker.set_data([abs(w)], [width])
        self.title.set_text(title)
        return self.figures
