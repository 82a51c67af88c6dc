"""tables.table: the one helper that renders the chapters' Markdown tables."""

import pytest
from IPython.display import Markdown

from backprop.tables import table


def test_a_header_a_rule_and_one_line_per_row():
    shown = table(["layer", "‖δ‖"], [[1, "2.0e-03"], [2, "5.1e-01"]])
    assert isinstance(shown, Markdown)
    assert shown.data.splitlines() == [
        "| layer | ‖δ‖ |",
        "|---|---|",
        "| 1 | 2.0e-03 |",
        "| 2 | 5.1e-01 |",
    ]


def test_cells_are_shown_as_text_as_given():
    shown = table(["a", "b", "c"], [[0.1 + 0.2, None, "$W^1$"]])
    assert shown.data.splitlines()[-1] == "| 0.30000000000000004 | None | $W^1$ |"


def test_no_rows_gives_the_header_alone():
    assert table(["x"], []).data == "| x |\n|---|"


@pytest.mark.parametrize("row", [["1"], ["1", "2", "3"]])
def test_a_row_of_another_width_is_refused_with_the_row(row):
    with pytest.raises(ValueError, match=r"each row needs 2 cells like the header, got \["):
        table(["a", "b"], [["x", "y"], row])
