"""Figures of the chapter "The cures": per-layer signal and gradient sizes under the cures, and
the gradient through time of an LSTM beside a plain RNN's.

Plotting only: the classes take arrays and return matplotlib figures, drawn once and updated per
frame; the numbers come from :mod:`backprop.cures` and :mod:`backprop.lstm`, the widgets that
drive them from :mod:`backprop.cures_widgets`. Sizes in points (CSS px at 72 dpi), as in
:mod:`backprop.plotting`.
"""

import numpy as np
from matplotlib.ticker import FuncFormatter, NullLocator

from backprop.plotting import (
    TEXT_MIN_PX,
    FrameCanvas,
    panel,
    place,
    power_of_ten,
    superscript,
)

WIDTH, HEIGHT, LEFT, TOP = 320, 300, 56, 80  # a panel, the room left of and above its axes
TEXT = TEXT_MIN_PX
LOG_RANGE = (-12.0, 4.0)  # log10 of a gain shown; beyond, clipped to the axis
STEP = FuncFormatter(lambda x, _: f"{x + 1:g}")  # the code's row t is the notes' step t + 1
COLOURS = {"cell": "#1f77b4", "path": "#2ca02c", "rnn": "#d62728"}
GATE_COLOURS = {"i": "#9467bd", "f": "#2ca02c", "o": "#ff7f0e"}


def axes_panel():
    """A panel with one axes, room above it for two lines of title and two rows of legend:
    ``(fig, ax, title)``."""
    fig = panel(WIDTH, HEIGHT)
    ax = place(fig, LEFT, TOP, WIDTH - LEFT - 8, HEIGHT - TOP - 44)
    ax.tick_params(labelsize=TEXT)
    title = fig.text(0.5, 1 - 4 / HEIGHT, "", ha="center", va="top", fontsize=TEXT)
    return fig, ax, title


def legend_above(fig, handles, ncol):
    """The legend of a panel's axes, in the two rows between its title and its axes."""
    return fig.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, 1 - 36 / HEIGHT),
        ncol=ncol,
        fontsize=TEXT,
        frameon=False,
        handlelength=1.4,
        columnspacing=0.8,
        labelspacing=0.2,
    )


class ThroughTimeFigure:
    """Left: log10 of the gain of the last step's gradient back to each step t: the LSTM's
    ‖∂C/∂cᵗ‖ (every path), its cell path alone (the forget gates' product), and a plain RNN's
    ‖∂C/∂hᵗ‖. Right: the LSTM's gates at each step (the mean over units of i, f, o)."""

    def __init__(self, t_max):
        self.fig, self.ax, self.title = axes_panel()
        labels = {
            "cell": "LSTM ‖∂C/∂cᵗ‖",
            "path": "cell path alone",
            "rnn": "plain RNN ‖∂C/∂hᵗ‖",
        }
        style = {"cell": "o-", "path": "--", "rnn": "s-"}
        self.lines = {
            k: self.ax.plot([], [], style[k], color=COLOURS[k], ms=3, label=labels[k])[0]
            for k in labels
        }
        (self.clipped,) = self.ax.plot([], [], "X", color="black", ms=6, label="beyond the axis")
        self.ax.set(xlim=(-0.5, t_max - 0.5), ylim=(LOG_RANGE[0] - 0.5, LOG_RANGE[1] + 0.5))
        self.ax.axhline(0.0, color="black", lw=0.5)
        self.ax.set_xlabel("time step t", fontsize=TEXT, labelpad=2)
        self.ax.set_yticks(np.arange(LOG_RANGE[0], LOG_RANGE[1] + 1, 4))
        self.ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _: "10" + superscript(int(y))))
        self.ax.set_ylabel("gain from step T", fontsize=TEXT)
        self.ax.xaxis.set_major_formatter(STEP)
        legend_above(self.fig, [*self.lines.values(), self.clipped], ncol=2)
        self.gates_fig, self.gates_ax, self.gates_title = axes_panel()
        self.gates = {
            k: self.gates_ax.plot([], [], "-", color=c, label=label)[0]
            for (k, c), label in zip(GATE_COLOURS.items(), ["input i", "forget f", "output o"])
        }
        self.gates_ax.set(xlim=(-0.5, t_max - 0.5), ylim=(0.0, 1.0))
        self.gates_ax.set_xlabel("time step t", fontsize=TEXT, labelpad=2)
        self.gates_ax.set_ylabel("mean over the units", fontsize=TEXT)
        self.gates_ax.xaxis.set_major_formatter(STEP)
        legend_above(self.gates_fig, list(self.gates.values()), ncol=3)
        FrameCanvas(self.fig, [*self.lines.values(), self.clipped, self.title])
        FrameCanvas(self.gates_fig, [*self.gates.values(), self.gates_title])

    def draw(self, log_gains, gates, title, gates_title):
        """log_gains: dict cell, path, rnn of (T,) log10 gains (-inf where exactly 0); gates: dict
        i, f, o of (T,) means. Returns the two panels."""
        out_t, out_y = [], []
        for name, values in log_gains.items():
            shown = np.clip(np.where(np.isfinite(values), values, LOG_RANGE[0]), *LOG_RANGE)
            t = np.arange(len(values))
            self.lines[name].set_data(t, shown)
            out = (shown <= LOG_RANGE[0]) | (shown >= LOG_RANGE[1])
            out_t, out_y = [*out_t, *t[out]], [*out_y, *shown[out]]
        self.clipped.set_data(out_t, out_y)
        for name, values in gates.items():
            self.gates[name].set_data(np.arange(len(values)), values)
        self.title.set_text(title)
        self.gates_title.set_text(gates_title)
        return [self.fig, self.gates_fig]


GAIN_RANGE = (1e-16, 1e16)  # ‖δˡ‖ / ‖δᴸ‖ shown; beyond, clipped to the axis and marked
SIGNAL_RANGE = (1e-4, 1e16)  # RMS of aˡ shown


def log_layer_axes(ax, layers, value_range, ylabel):
    """A per-layer log axis: layers 1..L on x (every other one labelled), powers of ten on y."""
    ax.set_yscale("log")
    ax.set(xlim=(0.5, layers + 0.5), ylim=(value_range[0] / 5, value_range[1] * 5))
    ax.set_xticks(np.arange(1, layers + 1, 2 if layers < 12 else 4))
    ax.set_yticks(10.0 ** np.arange(np.log10(value_range[0]), np.log10(value_range[1]) + 1, 4))
    ax.yaxis.set_major_formatter(FuncFormatter(power_of_ten))
    ax.yaxis.set_minor_locator(NullLocator())
    ax.set_xlabel("layer l (last = output layer L)", fontsize=TEXT, labelpad=2)
    ax.set_ylabel(ylabel, fontsize=TEXT)


class ProfileFigure:
    """The cures explorer: per layer, the error's size relative to the output layer's,
    ‖δˡ‖ / ‖δᴸ‖ (left), and the forward signal, the RMS of aˡ (right), both on log axes: the
    median over seeds (dots) between the smallest and largest seed (thin lines)."""

    def __init__(self, layers):
        self.layers = layers
        self.panels = []
        self.lines = []
        for value_range, ylabel, colour in (
            (GAIN_RANGE, "‖δˡ‖ / ‖δᴸ‖", "#1f77b4"),
            (SIGNAL_RANGE, "RMS of aˡ", "#ff7f0e"),
        ):
            fig, ax, title = axes_panel()
            log_layer_axes(ax, layers, value_range, ylabel)
            ax.axhline(1.0, color="black", lw=0.5)
            median = ax.plot([], [], "o-", color=colour, ms=3, label="median of the seeds")[0]
            low, high = (ax.plot([], [], "-", color=colour, lw=0.8, alpha=0.6)[0] for _ in "lh")
            low.set_label("smallest and largest")
            (clipped,) = ax.plot([], [], "X", color="black", ms=6, label="beyond the axis")
            legend_above(fig, [median, low, clipped], ncol=2)
            FrameCanvas(fig, [median, low, high, clipped, title])
            self.panels.append((fig, title, value_range, (low, median, high), clipped))

    def draw(self, gain, signal, titles):
        """gain, signal: (3, L) arrays, rows (min, median, max) over seeds; titles: one per
        panel. Returns the two panels."""
        layers = np.arange(1, self.layers + 1)
        for (fig, title, value_range, lines, clipped), values, text in zip(
            self.panels, (gain, signal), titles
        ):
            shown = np.clip(values, *value_range)
            for line, row in zip(lines, shown):
                line.set_data(layers, row)
            out = (shown[1] <= value_range[0]) | (shown[1] >= value_range[1])
            clipped.set_data(layers[out], shown[1][out])
            title.set_text(text)
        return [panel[0] for panel in self.panels]
