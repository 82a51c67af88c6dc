"""Figures of the chapter "Backprop on a graph" (plotting only: texts and numbers in, figures out).

:class:`GraphFigure` draws a small computational graph, one box per node holding its value and
its gradient, redrawn for each step of a pass; :func:`cost_figure` plots the time of a whole
gradient by finite differences and by backprop against the number of parameters. The numbers
come from :mod:`backprop.graph` and :mod:`backprop.gradient_cost`; the widget that drives
:class:`GraphFigure` from :mod:`backprop.graph_widgets`.
"""

import numpy as np
from matplotlib.patches import FancyBboxPatch

from backprop.plotting import TEXT_MIN_PX, panel, place, plain_log_ticks

BOX_W, BOX_H = 104, 58  #: a node's box, in points (CSS px at 72 dpi): three lines of text
TEXT = TEXT_MIN_PX  #: points: the smallest text, CSS px at the widget's 72 dpi
PENDING = "#eeeeee"  #: a node the forward pass has not reached yet
ACTIVE = "#fff2b3"  #: the node of the current step
HOT = "#d95f02"  #: the edges that carry a gradient in this step
FD_COLOUR, BP_COLOUR = "#d95f02", "#1b9e77"


class GraphFigure:
    """A graph of nodes laid out at ``positions`` ({name: (x, y)} in points, y down, in a panel of
    ``size`` = (width, height) points), with an edge from each input to the node that uses it
    (``edges``: (input, node) pairs). :meth:`draw` fills in one step; every artist is made once.
    A box shows its node's value, then its gradient on two lines: "∂C/∂β =" over "3 + 5 = 8"
    (a fan-out's sum fits the box at the smallest text); the subtitle wraps at the panel's edge."""

    def __init__(self, positions, edges, size=(336, 330)):
        self.fig = panel(*size)
        ax = place(self.fig, 0, 0, *size)
        ax.set(xlim=(0, size[0]), ylim=(size[1], 0))
        ax.axis("off")
        self.edges, self.edge_labels = {}, {}
        for start, end in edges:  # from the top of the input's box to the bottom of its user's
            (x0, y0), (x1, y1) = positions[start], positions[end]
            y0, y1 = y0 - BOX_H / 2, y1 + BOX_H / 2
            (self.edges[start, end],) = ax.plot([x0, x1], [y0, y1], lw=1, color="grey", zorder=1)
            self.edge_labels[start, end] = ax.text(
                0.5 * (x0 + x1),
                0.5 * (y0 + y1),
                "",
                fontsize=TEXT,
                ha="center",
                va="center",
                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none"},
                zorder=2,
            )
        self.boxes, self.values, self.grads, self.sums = {}, {}, {}, {}
        for name, (x, y) in positions.items():
            self.boxes[name] = ax.add_patch(
                FancyBboxPatch(
                    (x - BOX_W / 2, y - BOX_H / 2),
                    BOX_W,
                    BOX_H,
                    boxstyle="round,pad=0,rounding_size=6",
                    ec="black",
                    lw=0.8,
                    zorder=3,
                )
            )
            line = {"ha": "center", "va": "center", "fontsize": TEXT, "zorder": 4}
            self.values[name] = ax.text(x, y - 16, "", weight="bold", **line)
            self.grads[name] = ax.text(x, y + 1, "", **line)
            self.sums[name] = ax.text(x, y + 17, "", **line)
        self.title = ax.text(4, 4, "", fontsize=TEXT + 1, va="top", weight="bold")
        self.subtitle = ax.text(4, 24, "", fontsize=TEXT, va="top", wrap=True)

    def draw(self, title, subtitle, values, grads, active=None, hot=(), edge_labels=None):
        """One step: ``values`` and ``grads`` map each node to its text, None while unknown;
        ``active`` is the node of this step (shaded), ``hot`` the edges that carry a gradient in
        it; ``edge_labels`` maps an edge to its text (a local derivative), None for none."""
        self.title.set_text(title)
        self.subtitle.set_text(subtitle)
        for name, box in self.boxes.items():
            known = values[name] is not None
            box.set_facecolor(ACTIVE if name == active else ("white" if known else PENDING))
            box.set_linewidth(2.0 if name == active else 0.8)
            self.values[name].set_text(values[name] if known else f"{name} = ?")
            known = grads[name] is not None  # "∂C/∂β = 3 + 5 = 8": its name, then its sum
            head, _, sum_ = (grads[name] if known else f"∂C/∂{name} = ?").partition(" = ")
            self.grads[name].set_text(f"{head} =")
            self.sums[name].set_text(sum_)
            for text in (self.grads[name], self.sums[name]):
                text.set_color("black" if known else "grey")
        labels = edge_labels or {}
        for edge, line in self.edges.items():
            line.set_color(HOT if edge in hot else "grey")
            line.set_linewidth(2.5 if edge in hot else 1.0)
            self.edge_labels[edge].set_text(labels.get(edge) or "")
            self.edge_labels[edge].set_color(HOT if edge in hot else "black")
            self.edge_labels[edge].set_visible(bool(labels.get(edge)))
        return self.fig


def cost_figure(n_params, fd_seconds, bp_seconds):
    """Seconds of one whole gradient against the number of parameters n_theta, log-log: by finite
    differences (two forward passes per parameter) and by backprop (one forward and one backward
    pass). Each argument has one entry per network. A panel of 330 x 250 points."""
    fig = panel(330, 250)
    ax = place(fig, 56, 12, 262, 180)
    ax.loglog(n_params, fd_seconds, "o-", color=FD_COLOUR, label="finite differences")
    ax.loglog(n_params, bp_seconds, "s-", color=BP_COLOUR, label="backprop")
    plain_log_ticks(ax.xaxis)
    plain_log_ticks(ax.yaxis)
    times = np.concatenate([fd_seconds, bp_seconds])  # whole decades: a labelled tick at each end
    ax.set_ylim(
        10.0 ** np.floor(np.log10(times.min() / 1.5)), 10.0 ** np.ceil(np.log10(times.max() * 1.5))
    )
    ax.set_xlabel("number of parameters", fontsize=TEXT)
    ax.set_ylabel("seconds per whole gradient", fontsize=TEXT)
    ax.tick_params(labelsize=TEXT)
    ax.legend(fontsize=TEXT, loc="upper left", frameon=False)
    ax.grid(True, which="major", color="#dddddd", lw=0.6)
    return fig
