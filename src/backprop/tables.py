"""Markdown tables for the chapters' check tables: one helper renders them all."""

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
