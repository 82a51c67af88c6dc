"""Helpers shared by the figures of every chapter (plotting only).

Tick labels and titles are written in plain Unicode (10⁻³, δ², W³) rather than matplotlib's
mathtext: parsing mathtext costs most of a frame's drawing time, and a widget draws many frames.
Panels are laid out in points, which are CSS px at the widgets' 72 dpi: a panel at most
PANEL_MAX_PX wide shows at full size in a figure's card on a phone, two side by side on a desktop;
its smallest text is TEXT_MIN_PX.
"""

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, NullLocator

from backprop import lang

SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
#: CSS px: the widest panel shown at full size on a phone: a 390 px phone's column of 354 px, less
#: the border and padding of the figure's card (assets/course.css)
PANEL_MAX_PX = 336
#: CSS px: a figure's smallest text at its full size (issue 20: 12 on a desktop, where two panels
#: fit side by side at full size; at least 10 on a phone, where each shows at full size too)
TEXT_MIN_PX = 12


def superscript(n):
    """The integer n in Unicode superscript digits: 12 -> '¹²', -3 -> '⁻³'."""
    return str(n).translate(SUPERSCRIPTS)


def scientific(log10_value):
    """10 ** log10_value in plain text, from its log (no overflow): -16.6 -> '2.5×10⁻¹⁷'."""
    exponent = int(np.floor(log10_value))
    mantissa = 10.0 ** (log10_value - exponent)
    if round(mantissa, 1) >= 10.0:  # 9.96 would print as 10.0
        mantissa, exponent = mantissa / 10.0, exponent + 1
    return f"{mantissa:.1f}×10{superscript(exponent)}"


def power_of_ten(value, _position=None):
    """The tick label of a power of ten, in plain text: 1e-12 -> '10⁻¹²'."""
    return "10" + superscript(int(round(np.log10(value))))


def plain_log_ticks(axis, base=10.0, numticks="auto"):
    """Major ticks of a log axis at powers of ``base``, labelled 10ⁿ in plain text; no minor."""
    axis.set_major_locator(LogLocator(base=base, numticks=numticks))
    axis.set_major_formatter(FuncFormatter(power_of_ten))
    axis.set_minor_locator(NullLocator())


class FrameCanvas(FigureCanvasAgg):
    """The Agg canvas of a figure drawn frame after frame where only the ``moving`` artists
    change: the rest (axes, ticks, labels: most of the text, which is most of a frame's cost) is
    drawn once and its pixels kept; each later frame restores them and draws only the moving
    artists over them. Marks them animated, which a full draw leaves out. The frames (spines) of
    their axes move with them, so they stay over the curves as in a full draw."""

    def __init__(self, figure, moving):
        super().__init__(figure)
        shown = {a.axes for a in moving if a.axes and a.axes.axison}  # axis("off"): no frame
        spines = {s for axes in shown for s in axes.spines.values()}
        self.moving = sorted([*moving, *spines], key=lambda artist: artist.get_zorder())
        self.still = None  # (language, dpi, width, height) and the pixels of the still part then
        for artist in self.moving:
            artist.set_animated(True)

    def draw(self):
        size = (lang.current(), self.figure.dpi, *self.get_width_height())  # its texts' language
        if self.still is None or self.still[0] != size:
            super().draw()  # everything but the moving artists
            self.still = size, self.copy_from_bbox(self.figure.bbox)
        else:
            self.restore_region(self.still[1])
        renderer = self.get_renderer()
        for artist in self.moving:
            artist.draw(renderer)


def panel(width, height):
    """A white figure of width × height points (CSS px at 72 dpi); not pyplot's: never shown
    inline."""
    return Figure(figsize=(width / 72, height / 72), facecolor="white")


def place(fig, left, top, width, height):
    """An axes of width × height points in ``fig``, ``left``, ``top`` points from its top-left
    corner: a fixed place, so no layout runs per frame."""
    fig_width, fig_height = fig.get_size_inches() * 72
    rect = (
        left / fig_width,
        1 - (top + height) / fig_height,
        width / fig_width,
        height / fig_height,
    )
    return fig.add_axes(rect)
