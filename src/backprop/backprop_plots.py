"""Figures of a small fully connected network's backward pass (chapter "Backpropagation").

Plotting only: these functions take numbers (deltas, weights, sigma'(z)) and return matplotlib
objects. The numbers come from :mod:`backprop.mlp`; the widgets that drive them from
:mod:`backprop.backprop_widgets`.
"""

import matplotlib
import numpy as np
from matplotlib.cm import ScalarMappable
from matplotlib.collections import LineCollection
from matplotlib.colors import SymLogNorm
from matplotlib.figure import Figure
from matplotlib.patches import Circle, Rectangle

from backprop.plotting import TEXT_MIN_PX, FrameCanvas, superscript

DELTA_NORM = SymLogNorm(linthresh=1e-4, vmin=-1.0, vmax=1.0, base=10)  # one scale for every frame
DELTA_CMAP = matplotlib.colormaps["RdBu_r"]
PRIME_CMAP = matplotlib.colormaps["Greens"]
PENDING = "#e6e6e6"  # a layer whose delta the backward pass has not reached yet
TEXT = TEXT_MIN_PX  # points, CSS px at the widget's 72 dpi: the smallest text


def _node_positions(sizes):
    """(x, y) of every unit: layer l at x = l, its units centred on y = 0."""
    return [[(l, (n - 1) / 2 - j) for j in range(n)] for l, n in enumerate(sizes)]


class DeltaFigure:
    """Two panels, redrawn for each step of the backward pass of a network with layer ``sizes``.

    Left: the network, each unit coloured by its delta once the backward pass has reached it.
    Right: the step's Hadamard product, one cell per unit: the back-propagated error, sigma'(z^l),
    and their elementwise product delta^l. Each panel is narrow enough (at most 331 CSS px at the
    widget's 72 dpi) to read on a phone; its smallest text is TEXT points.
    """

    def __init__(self, sizes):
        self.sizes = list(sizes)
        self.figures = [  # not pyplot's: never shown inline
            Figure(figsize=size, facecolor="white") for size in ((4.3, 3.3), (4.6, 3.3))
        ]
        self.net = self.figures[0].add_axes((0.02, 0.02, 0.96, 0.84))
        self.eq = self.figures[1].add_axes((0.01, 0.04, 0.74, 0.82))
        self._draw_network()
        self._draw_equation(max(self.sizes[1:]))
        bar = self.figures[1].colorbar(
            ScalarMappable(DELTA_NORM, DELTA_CMAP),
            cax=self.figures[1].add_axes((0.78, 0.06, 0.04, 0.84)),
            ticks=[-1, -1e-2, -1e-4, 0, 1e-4, 1e-2, 1],
        )
        bar.ax.set_yticklabels(
            ["−1", "−10⁻²", "−10⁻⁴", "0", "10⁻⁴", "10⁻²", "1"]
        )  # no mathtext: fast
        bar.set_label("δ (symmetric log scale)", fontsize=TEXT)
        bar.ax.tick_params(labelsize=TEXT)
        self.title = self.figures[0].suptitle("", fontsize=TEXT + 1)
        units = [unit for layer in self.units for unit in layer]
        FrameCanvas(self.figures[0], [*self.edges, *units, self.title])
        cells = [artist for column in self.cells + self.values for artist in column]
        FrameCanvas(self.figures[1], [*cells, *self.headers])

    def _draw_network(self):
        pos = _node_positions(self.sizes)
        self.edges = [
            LineCollection([[p, q] for q in pos[l + 1] for p in pos[l]], zorder=1)
            for l in range(len(self.sizes) - 1)
        ]  # edges[l-1]: W^l, from layer l-1 to l
        for e in self.edges:
            self.net.add_collection(e)
        self.units = [
            [self.net.add_patch(Circle(p, 0.22, ec="black", lw=0.8, zorder=2)) for p in layer]
            for layer in pos
        ]
        for l in range(len(self.sizes)):
            name = "input a⁰" if l == 0 else f"layer {l}"
            below = -max(self.sizes) / 2 - 0.15  # under the layer's units
            self.net.text(l, below, name, ha="center", va="top", fontsize=TEXT)
        self.net.set(
            xlim=(-0.5, len(self.sizes) - 0.5),
            ylim=(-max(self.sizes) / 2 - 0.6, max(self.sizes) / 2),
        )
        self.net.set_aspect("equal")
        self.net.axis("off")

    def _draw_equation(self, rows):
        self.cells, self.values = [], []
        for col in range(3):  # back-propagated error, sigma'(z), delta
            cells = [
                self.eq.add_patch(Rectangle((2 * col, -r - 1), 1.5, 0.9, ec="black", lw=0.6))
                for r in range(rows)
            ]
            self.cells.append(cells)
            self.values.append(
                [
                    self.eq.text(
                        2 * col + 0.75, -r - 0.55, "", ha="center", va="center", fontsize=TEXT
                    )
                    for r in range(rows)
                ]
            )
        self.eq.text(1.75, -rows / 2 - 0.5, "⊙", ha="center", va="center", fontsize=18)
        self.eq.text(3.75, -rows / 2 - 0.5, "=", ha="center", va="center", fontsize=18)
        self.headers = [
            self.eq.text(2 * c + 0.75, 0.15, "", ha="center", va="bottom", fontsize=TEXT)
            for c in range(3)
        ]
        self.eq.set(xlim=(-0.2, 5.7), ylim=(-rows - 0.3, 1.0))
        self.eq.axis("off")

    def draw(self, step, deltas, weights, error, f_prime):
        """Show the backward pass after it has computed delta^L, ..., delta^l with l = L - step.

        deltas[l-1]: delta^l, shape (n_l,) for one example (only layers >= l are shown);
        weights[l-1]: W^l, shape (n_l, n_{l-1}); error: the back-propagated error of layer l,
        (W^{l+1})^T delta^{l+1} or a^L - y, shape (n_l,); f_prime: sigma'(z^l), shape (n_l,).
        Returns the two panel figures.
        """
        L = len(self.sizes) - 1
        l = L - step
        self._colour_units(l, deltas)
        self._colour_edges(l, weights)
        self._fill_column(0, error, [DELTA_CMAP(DELTA_NORM(v)) for v in error])
        self._fill_column(1, f_prime, [PRIME_CMAP(0.15 + 2.4 * v) for v in f_prime])
        self._fill_column(2, deltas[l - 1], [DELTA_CMAP(DELTA_NORM(v)) for v in deltas[l - 1]])
        up, here = superscript(l + 1), superscript(l)  # Unicode, not mathtext: 10x faster to draw
        source = "aᴸ − y" if l == L else f"(W{up})ᵀ δ{up}"
        for text, head in zip(self.headers, [source, f"σ′(z{here})", f"δ{here}"]):
            text.set_text(head)
        equation = "(BP1)" if l == L else "(BP2)"
        self.title.set_text(f"Step {step + 1} of {L}: layer {l}, equation {equation}")
        return self.figures

    def _colour_units(self, l, deltas):
        for k, layer in enumerate(self.units):
            for j, unit in enumerate(layer):
                reached = k >= l and k > 0
                unit.set_facecolor(
                    DELTA_CMAP(DELTA_NORM(deltas[k - 1][j]))
                    if reached
                    else ("white" if k == 0 else PENDING)
                )
                unit.set_linewidth(2.2 if k == l else 0.8)

    def _colour_edges(self, l, weights):
        """Highlight W^{l+1}, the weights that carry delta^{l+1} back to layer l."""
        for k, edges in enumerate(self.edges, start=1):  # edges of W^k
            if k == l + 1:
                w = weights[k - 1].ravel()  # W^k[j, i], j-major: the segments' order
                edges.set_color(np.where(w > 0, "#b2182b", "#2166ac"))
                edges.set_linewidth(0.6 + 2.5 * np.abs(w) / max(np.abs(w).max(), 1e-12))
            else:
                edges.set_color("#cccccc")
                edges.set_linewidth(0.6)

    def _fill_column(self, col, numbers, colours):
        for r, (cell, text) in enumerate(zip(self.cells[col], self.values[col])):
            shown = r < len(numbers)
            cell.set_visible(shown)
            text.set_visible(shown)
            if shown:
                cell.set_facecolor(colours[r])
                text.set_text(f"{numbers[r]:.2g}")
                dark = sum(colours[r][:3]) < 1.2
                text.set_color("white" if dark else "black")  # readable on dark cells
