"""Markdown tables for the chapters' check tables: one helper renders them all."""

from IPython.display import Markdown


def table(header, rows):
    """A Markdown table: ``header`` is a list of column titles, ``rows`` a list of rows (lists of
    cells, already formatted as text). Raises ValueError if a row has another number of cells."""
    header = [str(h) for h in header]
    rows = [[str(cell) for cell in row] for row in rows]
    for row in rows:
        if len(row) != len(header):
            raise ValueError(f"each row needs {len(header)} cells like the header, got {row}")
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return Markdown("\n".join(lines))
