"""tables.table: the one helper that renders the chapters' Markdown tables; round_up and
round_down: the bounds the prose states, rounded outwards."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from IPython.display import Markdown

from backprop.tables import round_down, round_up, table


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


@pytest.mark.parametrize(
    ("x", "up", "down"),
    [
        (6.125e-06, "6.2e-06", "6.1e-06"),
        (0.1598, "1.6e-01", "1.5e-01"),
        (6.1e-06, "6.1e-06", "6.1e-06"),
    ],
)
def test_bounds_round_outwards_and_keep_a_shown_value(x, up, down):
    assert f"{round_up(x):.1e}" == up
    assert f"{round_down(x):.1e}" == down


@given(
    st.floats(min_value=1e-300, max_value=1e300, allow_nan=False, allow_infinity=False),
    st.integers(1, 6),
)
def test_a_rounded_bound_shown_with_its_digits_still_bounds(x, digits):
    shown_up = float(f"{round_up(x, digits):.{digits - 1}e}")
    shown_down = float(f"{round_down(x, digits):.{digits - 1}e}")
    assert shown_down <= x * (1 + 1e-12) and shown_up >= x * (1 - 1e-12)
    assert math.isclose(shown_up, round_up(x, digits), rel_tol=1e-12)
    assert shown_up - shown_down <= 10.0 ** (math.floor(math.log10(x)) - digits + 1) * 1.000001


@pytest.mark.parametrize("x", [0.0, -1.0, math.inf, math.nan])
def test_a_bound_of_no_positive_number_is_refused(x):
    with pytest.raises(ValueError, match="finite x > 0"):
        round_up(x)
    with pytest.raises(ValueError, match="finite x > 0"):
        round_down(x)
