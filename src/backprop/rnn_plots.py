"""Figures of a recurrent network through time (chapter "RNN").

Plotting only: these functions take numbers (norms of deltas, log gains, training curves) and
return matplotlib objects. The numbers come from :mod:`backprop.rnn`; the widgets that drive
them from :mod:`backprop.rnn_widgets`. Each class builds one figure and only updates its
artists per frame.
"""

import textwrap

import matplotlib
import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.colors import LogNorm
from matplotlib.ticker import FuncFormatter, MaxNLocator

from backprop.plotting import (
    TEXT_MIN_PX,
    panel,
    place,
    plain_log_ticks,
    scientific,
    superscript,
)

DELTA_RANGE = (1e-6, 1e3)  # ||dC/dh^t|| shown on this log range; values outside clipped, marked
DELTA_NORM = LogNorm(*DELTA_RANGE)
DELTA_CMAP = matplotlib.colormaps["viridis"]
PENDING = "#e6e6e6"  # a step the backward pass has not reached yet
GAIN_RANGE = (-12.0, 12.0)  # log10 of the gain through time shown; beyond, clipped and marked
ROWS = {"x": 0.0, "h": 1.0, "y": 2.0}  # heights of the inputs, hidden states and outputs
STEP = FuncFormatter(lambda x, _: f"{x + 1:g}")  # the code's row t is the notes' step t + 1
# Sizes in points, CSS px at the widgets' 72 dpi: each panel narrow enough to read at full size in
# a phone's figure card (PANEL_MAX_PX)
WIDTH, LEFT = 320, 56  # a panel's width; the room left of its axes for tick labels and label
KEY_WIDTH, KEY_HEIGHT, KEY_TOP = 216, 176, 38  # a legend's panel, beside its plot in a
# desktop's column (about 666 CSS px), its legend level with the plot's axes
TEXT = TICKS = TEXT_MIN_PX  # font sizes of labels and titles, of tick labels and legends


class UnrolledFigure:
    """The network unrolled over up to ``t_max`` steps (top) and ||dC/dh^t|| per step (bottom), one
    panel narrow enough for a phone (the diagram does not split).

    Top: a column per step t with x^t -> h^t -> ŷ^t (weights U and V) and h^{t-1} -> h^t
    (weight W); each h^t is coloured by ||dC/dh^t|| once the backward pass has reached it, in the
    colour of its bar below. Bottom: ||dC/dh^t|| on a log axis, one bar per step reached.
    """

    def __init__(self, t_max):
        self.fig = panel(WIDTH, 262)
        self.graph = place(self.fig, LEFT, 36, WIDTH - LEFT - 8, 72)
        self.bars_ax = place(self.fig, LEFT, 118, WIDTH - LEFT - 8, 110)
        self.edges = LineCollection([], colors="#999999", linewidths=0.8, zorder=1)
        self.graph.add_collection(self.edges)
        self.nodes = {
            row: self.graph.scatter(
                np.zeros(t_max),
                np.full(t_max, y),
                marker="s",
                zorder=2,
                edgecolors="black",
                linewidths=0.6,
            )
            for row, y in ROWS.items()
        }
        for row, y in ROWS.items():
            label = {"x": "xᵗ", "h": "hᵗ", "y": "ŷᵗ"}[row]
            self.graph.text(
                -0.03,
                y,
                label,
                ha="right",
                va="center",
                fontsize=TEXT,
                transform=self.graph.get_yaxis_transform(),
            )
        self.graph.set_ylim(-0.4, 2.4)
        self.graph.axis("off")
        self.bars = self.bars_ax.bar(
            np.arange(t_max), np.ones(t_max), bottom=DELTA_RANGE[0], width=0.7, color=PENDING
        )
        (self.clipped,) = self.bars_ax.plot([], [], "v", color="#d62728", ms=6)
        self.bars_ax.set(yscale="log", ylim=DELTA_RANGE)
        self.bars_ax.set_xlabel("time step t", fontsize=TEXT, labelpad=2)
        self.bars_ax.set_ylabel("‖∂C/∂hᵗ‖", fontsize=TEXT)
        self.bars_ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # whole steps only
        self.bars_ax.xaxis.set_major_formatter(STEP)
        plain_log_ticks(self.bars_ax.yaxis, base=1000.0)
        self.bars_ax.tick_params(labelsize=TICKS)
        self.title = self.fig.text(0.5, 1 - 4 / 262, "", ha="center", va="top", fontsize=TEXT)

    def draw(self, T, norms, first, title=""):
        """Show T steps. norms (T,) are ||dC/dh^t|| (finite, >= 0); steps t >= first are coloured
        (the backward pass has reached them). Returns the figure."""
        t = np.arange(T)
        side = 0.55 * self.graph.bbox.width / self.fig.dpi * 72 / (T + 0.5)  # a node, in points
        for row, y in ROWS.items():
            nodes = self.nodes[row]
            nodes.set_offsets(np.column_stack([t, np.full(T, y)]))
            nodes.set_sizes(np.full(T, side**2))
            nodes.set_facecolor(
                "white" if row != "h" else [self._colour(norms, s, first) for s in t]
            )
        up = [[(s, ROWS["x"]), (s, ROWS["h"])] for s in t] + [
            [(s, ROWS["h"]), (s, ROWS["y"])] for s in t
        ]
        across = [[(s - 1, ROWS["h"]), (s, ROWS["h"])] for s in t]  # h^{t-1} -> h^t through W
        self.edges.set_segments(up + across)
        self.graph.set_xlim(-1.0, T - 0.5)
        self.bars_ax.set_xlim(-1.0, T - 0.5)
        self._draw_bars(T, norms, first)
        self.title.set_text(title)
        return self.fig

    def _colour(self, norms, s, first):
        return PENDING if s < first else DELTA_CMAP(DELTA_NORM(np.clip(norms[s], *DELTA_RANGE)))

    def _draw_bars(self, T, norms, first):
        low, high = DELTA_RANGE
        shown = np.zeros(len(self.bars), dtype=bool)
        shown[first:T] = True
        heights = np.full(len(self.bars), low)
        heights[:T] = np.clip(norms, low, high)
        for s, bar in enumerate(self.bars):
            bar.set_visible(bool(shown[s]))
            bar.set_height(heights[s] - low)
            bar.set_facecolor(DELTA_CMAP(DELTA_NORM(heights[s])))
        out = shown[:T] & ((heights[:T] >= high) | (heights[:T] <= low))
        self.clipped.set_data(
            np.flatnonzero(out), np.where(heights[:T][out] >= high, high * 0.6, low * 1.7)
        )


class GainFigure:
    """log10 of the gain ||∂C^T/∂h^t|| / ||∂C^T/∂h^T|| against t, with reference slopes; two
    panels: the plot, and its legend (beside it where the column has room, below it on a phone).

    The measured gain (dots), the rate (ρ max f')^{T-t} (dashed) and the bound
    (σ_max(W) max f')^{T-t} (dotted); steps the truncation cuts off shaded. Data arrive in the
    code's rows 0..T-1; the axis shows the notes' steps 1..T.
    """

    def __init__(self, t_max):
        self.fig = panel(WIDTH, 262)
        self.ax = place(self.fig, LEFT, 42, WIDTH - LEFT - 8, 176)
        self.cut = self.ax.axvspan(
            -0.5, -0.5, color="#dddddd", zorder=0, label="cut off by truncation"
        )
        (self.rate,) = self.ax.plot([], [], "--", color="#ff7f0e", label="rate (ρ max f′)ᵀ⁻ᵗ")
        (self.bound,) = self.ax.plot(
            [], [], ":", color="#2ca02c", lw=2, label="bound (σₘₐₓ(W) max f′)ᵀ⁻ᵗ"
        )
        (self.gain,) = self.ax.plot([], [], "o-", color="#1f77b4", ms=4, label="measured gain")
        (self.clipped,) = self.ax.plot(
            [], [], "X", color="#d62728", ms=8, label="clipped to the axis"
        )
        self.note = self.fig.text(0.5, 1 - 21 / 262, "", ha="center", va="top", fontsize=TEXT)
        self.ax.axhline(0.0, color="black", lw=0.5)
        self.ax.set(ylim=(GAIN_RANGE[0] - 0.5, GAIN_RANGE[1] + 0.5))
        self.ax.set_xlabel("time step t", fontsize=TEXT, labelpad=2)
        self.ax.set_ylabel("log₁₀ ‖∂Cᵀ/∂hᵗ‖ / ‖∂Cᵀ/∂hᵀ‖", fontsize=TEXT)
        self.ax.xaxis.set_major_formatter(STEP)
        self.ax.tick_params(labelsize=TICKS)
        self.key = panel(KEY_WIDTH, KEY_HEIGHT)  # the legend's panel: the same in every frame
        self.key.legend(
            handles=[self.gain, self.rate, self.bound, self.cut, self.clipped],
            loc="upper left",
            bbox_to_anchor=(0.0, 1 - KEY_TOP / KEY_HEIGHT),
            fontsize=TICKS,
            frameon=False,
            handlelength=1.6,
            title="T − t steps back",
            title_fontsize=TICKS,
            alignment="left",
        )
        self.title = self.fig.text(0.5, 1 - 4 / 262, "", ha="center", va="top", fontsize=TEXT)
        self.t_max = t_max

    def draw(self, log_gain, log_rate, log_bound, k, title=""):
        """log_gain (T,): measured log10 gains (-inf where exactly zero); log_rate, log_bound:
        log10 of ρ max f' and σ_max max f' (per step); k: truncation length (None: full BPTT).
        Returns the two panels (the plot, its legend)."""
        T = len(log_gain)
        t = np.arange(T)
        kept = t >= (0 if k is None else T - k)  # the steps the gradient of C^{T-1} still reaches
        low, high = GAIN_RANGE
        shown = np.clip(np.where(np.isfinite(log_gain), log_gain, low), low, high)
        self.gain.set_data(t[kept], shown[kept])
        out = kept & ((shown <= low) | (shown >= high))
        self.clipped.set_data(t[out], shown[out])
        steps_back = T - 1 - t
        self.rate.set_data(t, np.clip(steps_back * log_rate, low, high))
        self.bound.set_data(t, np.clip(steps_back * log_bound, low, high))
        self.cut.set_x(-0.5)
        self.cut.set_width(0.0 if k is None else max(T - k, 0))
        self.ax.set_xlim(-0.5, max(T - 0.5, 1.5))
        first = scientific(log_gain[0]) if np.isfinite(log_gain[0]) else "exactly 0"
        self.note.set_text(  # the measured value, also where the plot clips it to the axis
            f"gain at t=1: {first}" if kept[0] else f"steps t ≤ {T - k} get no gradient from Lᵀ"
        )
        self.title.set_text(title)
        return [self.fig, self.key]


def training_curves(runs, title, window=50):
    """Two panels for SGD runs: mean loss per step (a moving average over ``window`` steps) under
    the title, and the gradient norm before clipping (log axis). runs: list of
    (label, losses (n,), norms (n,)). Returns the two figures."""
    figures = [panel(WIDTH, 262), panel(WIDTH, 262)]
    loss_ax, norm_ax = (place(fig, LEFT, 40, WIDTH - LEFT - 8, 180) for fig in figures)
    kernel = np.ones(window) / window
    for label, losses, norms in runs:
        steps = np.arange(window, len(losses) + 1)
        loss_ax.plot(steps, np.convolve(losses, kernel, mode="valid"), label=label)
        norm_ax.plot(np.arange(1, len(norms) + 1), np.maximum(norms, 1e-12), lw=0.7, label=label)
    norm_ax.set_yscale("log")
    plain_log_ticks(norm_ax.yaxis)
    for ax, ylabel in ((loss_ax, f"loss C/T (mean of {window} steps)"), (norm_ax, "‖∇C‖")):
        ax.set_xlabel("SGD step", fontsize=TEXT, labelpad=2)
        ax.set_ylabel(ylabel, fontsize=TEXT)
        ax.tick_params(labelsize=TICKS)
    loss_ax.legend(fontsize=TICKS)
    for fig, text in zip(figures, [title, "the gradient's norm as computed, before clipping"]):
        fig.text(0.5, 1 - 4 / 262, textwrap.fill(text, 52), ha="center", va="top", fontsize=TEXT)
    return figures


def unrolled_diagram(T=5):
    """The network unrolled over T steps, forward only: a column per step t with x^t -> h^t -> ŷ^t,
    the input weights U, the output weights V and the recurrent weights W (the same at every step)
    labelled on the arrows, from the initial state h^0 (steps numbered 1..T, as in the notes).
    Returns the Figure, one panel of WIDTH points."""
    fig = panel(WIDTH, 190)
    ax = place(fig, 4, 22, WIDTH - 8, 164)
    box = {"boxstyle": "round,pad=0.3", "fc": "#eef3fb", "ec": "#1f77b4"}
    arrow = {"arrowstyle": "-|>", "color": "#444444", "lw": 1.2, "shrinkA": 10, "shrinkB": 10}
    node = lambda x, y, text: ax.text(x, y, text, ha="center", va="center", fontsize=13, bbox=box)  # noqa: E731
    link = lambda a, b, label, dx=0.0, dy=0.0: (  # noqa: E731
        ax.annotate("", xy=b, xytext=a, arrowprops=arrow),
        ax.text(
            (a[0] + b[0]) / 2 + dx, (a[1] + b[1]) / 2 + dy, label, fontsize=TEXT, color="#d62728"
        ),
    )
    node(-1.05, ROWS["h"], "h⁰ = 0")
    for t in range(T):
        step = superscript(t + 1)  # the notes count steps from 1
        node(t, ROWS["x"], f"x{step}")
        node(t, ROWS["h"], f"h{step}")
        node(t, ROWS["y"], f"ŷ{step}")
        link((t, ROWS["x"]), (t, ROWS["h"]), "U", dx=0.08)
        link((t, ROWS["h"]), (t, ROWS["y"]), "V", dx=0.08)
        start = t - 1 if t else -0.75  # from the edge of h⁰'s wider box
        link((start, ROWS["h"]), (t, ROWS["h"]), "W", dx=-0.1, dy=0.1)
    fig.text(
        0.5,
        1 - 4 / 190,
        "the same U, W, V at every step",
        ha="center",
        va="top",
        fontsize=TEXT,
        color="#555555",
    )
    ax.set(xlim=(-1.5, T - 0.5), ylim=(-0.3, 2.3))
    ax.axis("off")
    return fig
