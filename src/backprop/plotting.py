"""Helpers shared by the figures of every chapter (plotting only).

Tick labels and titles are written in plain Unicode (10⁻³, δ², W³) rather than matplotlib's
mathtext: parsing mathtext costs most of a frame's drawing time, and a widget draws many frames.
"""

import numpy as np
from matplotlib.ticker import FuncFormatter, LogLocator, NullLocator

SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def superscript(n):
    """The integer n in Unicode superscript digits: 12 -> '¹²', -3 -> '⁻³'."""
    return str(n).translate(SUPERSCRIPTS)


def power_of_ten(value, _position=None):
    """The tick label of a power of ten, in plain text: 1e-12 -> '10⁻¹²'."""
    return "10" + superscript(int(round(np.log10(value))))


def plain_log_ticks(axis, base=10.0, numticks="auto"):
    """Major ticks of a log axis at powers of ``base``, labelled 10ⁿ in plain text; no minor."""
    axis.set_major_locator(LogLocator(base=base, numticks=numticks))
    axis.set_major_formatter(FuncFormatter(power_of_ten))
    axis.set_minor_locator(NullLocator())
