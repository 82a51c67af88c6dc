"""How the chapters show their numbers: Markdown tables for the check tables (one helper renders
them all), and bounds rounded outwards for the prose (a largest error shown as "at most 6.2e-06"
must not be a 6.25e-06 rounded down)."""

import math

from IPython.display import Markdown

from backprop import lang


def table(header, rows):
    """A Markdown table: ``header`` is a list of column titles, ``rows`` a list of rows (lists of
    cells, already formatted as text), in the current language (:func:`backprop.lang.drawn`).
    Raises ValueError if a row has another number of cells."""
    header = [str(h) for h in header]
    rows = [[str(cell) for cell in row] for row in rows]
    for row in rows:
        if len(row) != len(header):
            raise ValueError(f"each row needs {len(header)} cells like the header, got {row}")
    return lang.drawn(lambda: Markdown(markdown(header, rows)))


def markdown(header, rows):
    """The Markdown text of the table, each cell in the current language."""
    lines = ["| " + " | ".join(map(lang.translate, header)) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(map(lang.translate, row)) + " |" for row in rows]
    return "\n".join(lines)


def round_up(x, digits=2):
    """``x`` rounded up to ``digits`` significant digits: an upper bound that stays one when shown
    with that many digits (6.125e-06 -> 6.2e-06). Raises ValueError unless x is
    finite and positive."""
    count = _in_steps(x, digits)
    return math.ceil(count) * _step(x, digits)


def round_down(x, digits=2):
    """``x`` rounded down to ``digits`` significant digits: a lower bound that stays one when
    shown (0.1598 -> 0.15). Raises ValueError unless x is finite and positive."""
    count = _in_steps(x, digits)
    return math.floor(count) * _step(x, digits)


def _in_steps(x, digits):
    """``x`` in units of its last shown digit; a count within rounding of a whole number is that
    number (6.1e-06 / 1e-07 is 60.99999999999999 in floating point, and stays 6.1e-06)."""
    count = x / _step(x, digits)
    return round(count) if abs(count - round(count)) < 1e-12 * count else count


def _step(x, digits):
    """The unit of the last of ``digits`` significant digits of ``x``."""
    if not (math.isfinite(x) and x > 0) or digits < 1:
        raise ValueError(f"need a finite x > 0 and digits >= 1, got x={x!r}, digits={digits!r}")
    return 10.0 ** (math.floor(math.log10(x)) - digits + 1)
