"""portal.suppression: small counts hidden, and nothing hidden that a shown total gives away."""

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from portal import suppression
from portal.suppression import display, suppress_counts, suppress_table


def shown(table):
    """The table as a reader sees it: {(row, column): text}, totals under "total"."""
    out = {(row, column): str(cell) for (row, column), cell in table.cells.items()}
    out.update({(row, "total"): str(cell) for row, cell in table.row_totals.items()})
    out.update({("total", column): str(cell) for column, cell in table.column_totals.items()})
    if table.grand_total is not None:
        out["total", "total"] = str(table.grand_total)
    return out


def test_a_count_below_five_is_shown_as_less_than_five():
    table = suppress_table({"a": {"x": 3, "y": 3}, "b": {"x": 10, "y": 12}}, totals=False)
    assert shown(table) == {("a", "x"): "<5", ("a", "y"): "<5", ("b", "x"): "10", ("b", "y"): "12"}


def test_zero_is_suppressed_like_any_small_count():
    assert display(0) == "<5"
    series = suppress_counts({"a": 0, "b": 7}, total=False)
    assert [str(cell) for _key, cell in series] == ["<5", "7"]


def test_the_threshold_is_a_parameter_and_a_setting(settings):
    assert display(6, threshold=10) == "<10"
    settings.SUPPRESSION_THRESHOLD = 3
    assert display(4) == "4"
    assert display(2) == "<3"


def test_a_single_suppressed_cell_in_a_row_with_its_total_hides_the_smallest_other_cell():
    table = suppress_table({"a": {"x": 3, "y": 12, "z": 20}}, totals="rows")
    assert [str(cell) for cell in table.row_cells("a")] == ["<5", "x", "20"]
    assert str(table.row_totals["a"]) == "35"
    assert table.cells["a", "y"].is_secondary
    assert table.has_secondary


def test_a_secondary_cell_is_never_shown_as_less_than_five():
    table = suppress_table({"a": {"x": 2, "y": 40, "z": 50}, "b": {"x": 30, "y": 30, "z": 30}})
    for cell in table.all_cells():
        if cell.is_secondary:
            assert cell.value >= 5
            assert str(cell) == "x"


def test_totals_come_from_the_real_counts_and_a_small_total_is_suppressed():
    table = suppress_table({"a": {"x": 1, "y": 2}, "b": {"x": 20, "y": 30}})
    assert table.row_totals["a"].value == 3
    assert str(table.row_totals["a"]) == "<5"
    assert str(table.grand_total) == "53"
    # 53 - 50 would give the "<5" row total away: the row totals are a line of their own.
    assert str(table.row_totals["b"]) == "x"


def test_two_small_cells_whose_total_leaves_one_answer_are_protected():
    # 4 + 4 = 8: both "<5" cells must be 4, so a further cell (or the total) is hidden.
    series = suppress_counts({"a": 4, "b": 4})
    assert str(series.total) == "x"


def test_a_single_series_hides_a_second_count_next_to_a_lone_small_one():
    series = suppress_counts({"a": 2, "b": 9, "c": 30})
    assert [str(cell) for _key, cell in series] == ["<5", "x", "30"]
    assert str(series.total) == "41"
    assert series["a"].value == 2


def test_a_row_without_other_cells_to_hide_hides_its_total():
    # 0 and 5 with the total 5: "x" is at least 5, so the "<5" must be 0; only hiding the
    # total protects it.
    table = suppress_table({"a": {"x": 0, "y": 5}}, totals="rows")
    assert str(table.row_totals["a"]) == "x"


def test_an_empty_table_has_suppressed_zero_totals():
    table = suppress_table({}, columns=["x", "y"])
    assert table.rows == []
    assert [str(cell) for cell in table.column_totals.values()] == ["<5", "<5"]
    assert str(table.grand_total) == "<5"


def test_missing_cells_count_zero_and_columns_keep_their_order():
    table = suppress_table({"a": {"y": 7}}, columns=["x", "y"], totals=False)
    assert table.columns == ["x", "y"]
    assert table.cells["a", "x"].value == 0


def test_a_threshold_that_cannot_protect_is_refused():
    # With 2, "<2" says 1 or 0, and a hidden total of "x" (2 or more) over two such cells
    # says both are 1.
    with pytest.raises(ValueError):
        suppress_table({"a": {"x": 1}}, threshold=2)


def test_negative_counts_are_refused():
    with pytest.raises(ValueError):
        suppress_table({"a": {"x": -1}})


def test_display_of_a_cell_and_of_a_lone_count():
    table = suppress_table({"a": {"x": 3, "y": 12, "z": 20}}, totals="rows")
    assert display(table.cells["a", "y"]) == "x"
    assert display(12) == "12"
    assert display(4) == "<5"


# The property: no line gives a hidden value away ---------------------------------------


def _lines(table):
    """Every row and column of the table with its total, as (cell, sign) lists."""
    lines = []
    if table.row_totals:
        lines += [
            [*((c, 1) for c in table.row_cells(r)), (table.row_totals[r], -1)] for r in table.rows
        ]
    if table.column_totals:
        lines += [
            [*((table.cells[r, c], 1) for r in table.rows), (table.column_totals[c], -1)]
            for c in table.columns
        ]
    if table.grand_total is not None:
        lines.append([*((t, 1) for t in table.row_totals.values()), (table.grand_total, -1)])
        lines.append([*((t, 1) for t in table.column_totals.values()), (table.grand_total, -1)])
    return lines


def _fits(cell, value, threshold):
    """Whether `value` agrees with what the reader sees of `cell`."""
    if cell.state == suppression.PRIMARY:
        return 0 <= value < threshold
    if cell.state == suppression.SECONDARY:
        return value >= threshold
    return value == cell.value


def _has_alternative(line, index, threshold):
    """Whether the hidden member `index` could differ by one while the line still adds up:
    another hidden member absorbs the difference. (Each value's possible set in one line is
    an interval, so when it is not a single value, a neighbour of the true value fits.)"""
    cell, sign = line[index]
    for delta in (1, -1):
        if not _fits(cell, cell.value + delta, threshold):
            continue
        for other_index, (other, other_sign) in enumerate(line):
            if other_index == index or not other.is_suppressed:
                continue
            # sign * delta + other_sign * change == 0
            change = -sign * delta * other_sign
            if _fits(other, other.value + change, threshold):
                return True
    return False


tables = st.integers(min_value=1, max_value=6).flatmap(
    lambda n_columns: st.lists(
        st.lists(
            st.one_of(st.integers(0, 6), st.integers(0, 60)),
            min_size=n_columns,
            max_size=n_columns,
        ),
        min_size=1,
        max_size=6,
    )
)


@hypothesis_settings(max_examples=400, deadline=None)
@given(
    grid=tables,
    totals=st.sampled_from([True, "rows", "columns", False]),
    threshold=st.integers(3, 6),
)
def test_no_suppressed_value_can_be_computed_from_one_row_or_column(grid, totals, threshold):
    rows = {f"r{i}": {f"c{j}": value for j, value in enumerate(row)} for i, row in enumerate(grid)}
    columns = [f"c{j}" for j in range(len(grid[0]))] if grid else ["c0"]
    table = suppress_table(rows, columns=columns, totals=totals, threshold=threshold)

    for cell in table.all_cells():
        assert (cell.state == suppression.PRIMARY) == (cell.value < threshold)
        assert str(cell) == (
            f"<{threshold}"
            if cell.state == suppression.PRIMARY
            else "x"
            if cell.is_secondary
            else str(cell.value)
        )
    for row in table.rows:
        if table.row_totals:
            assert table.row_totals[row].value == sum(rows[row].values())
    for line in _lines(table):
        for index, (cell, _sign) in enumerate(line):
            if cell.is_suppressed:
                assert _has_alternative(line, index, threshold), (line, index)


def test_the_template_filter_shows_a_lone_count_or_a_cell():
    from django.template import Context, Template

    table = suppress_table({"a": {"x": 3, "y": 12, "z": 20}}, totals="rows")
    rendered = Template(
        "{% load suppression %}{{ a|suppressed }} {{ b|suppressed }} {{ c|suppressed }}"
    ).render(Context({"a": 2, "b": 7, "c": table.cells["a", "y"]}))
    assert rendered == "&lt;5 7 x"
