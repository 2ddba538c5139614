"""Small-count suppression: the one function every app uses for counts of persons it shows.

Pages, CSV and JSON exports and the monitoring PDF never show a count of persons below the
threshold (the setting SUPPRESSION_THRESHOLD, 5 by default): such a count is shown as "<5"
(primary suppression). Zero is suppressed too: "nobody" is as telling as "one person" when
the other cells of a row are known, and the issue asks for "counts below 5" without an
exception.

Where totals are shown, a suppressed cell could be worked out by subtraction: a row of
cells 3, 12 and 20 with its total 35 gives the 3 away. So more cells are hidden (secondary
suppression, shown as "x", never as "<5", which would be false) until no hidden value in
any row or column (totals included) can be computed exactly from what is shown there. The
check also uses what the markers say: "<5" means 0 to 4 and "x" means at least 5, so a row
of two "<5" cells with the total 8 (both must be 4) is caught as well.

Each row and column (and the row and column of totals) is checked on its own; an attack
that combines several rows and columns as a system of equations is not ruled out, nor one
that combines different tables. Tables of reports are small and coarse enough that this is
the accepted practice (the "no single line" rule of statistical offices), and the aggregate
tables in this portal never show the same breakdown twice.

Totals are computed from the true counts; a total below the threshold is shown as "<5".

This module knows nothing of models: it takes and returns plain mappings.
"""

from dataclasses import dataclass, field

DEFAULT_THRESHOLD = 5
# Below 3 the markers themselves give values away: "<2" is 0 or 1, and a hidden total ("x",
# so 2 or more) over two such cells says both are 1. From 3 on, a row or column whose values
# are all hidden never reveals one of them, so the secondary suppression always succeeds.
MINIMUM_THRESHOLD = 3
SECONDARY_MARKER = "x"

SHOWN = "shown"
PRIMARY = "primary"
SECONDARY = "secondary"

ROW_TOTALS = "rows"
COLUMN_TOTALS = "columns"


def threshold_setting():
    """The threshold from the settings (SUPPRESSION_THRESHOLD), or 5 without Django."""
    try:
        from django.conf import settings

        return int(getattr(settings, "SUPPRESSION_THRESHOLD", DEFAULT_THRESHOLD))
    except ImportError:  # pragma: no cover - the portal always has Django
        return DEFAULT_THRESHOLD


def primary_marker(threshold=None):
    return f"<{threshold_setting() if threshold is None else threshold}"


@dataclass(frozen=True)
class Cell:
    """A count with what may be shown of it. `str(cell)` is its display value."""

    value: int
    state: str
    threshold: int

    @property
    def is_suppressed(self):
        return self.state != SHOWN

    @property
    def is_secondary(self):
        return self.state == SECONDARY

    @property
    def display(self):
        if self.state == PRIMARY:
            return primary_marker(self.threshold)
        if self.state == SECONDARY:
            return SECONDARY_MARKER
        return str(self.value)

    def __str__(self):
        return self.display


def display(value, threshold=None):
    """What a CSV or JSON writer shows: a Cell's display value, or a lone count suppressed.

    A lone count has no total next to it, so only the threshold applies.
    """
    if isinstance(value, Cell):
        return value.display
    threshold = threshold_setting() if threshold is None else threshold
    return primary_marker(threshold) if value < threshold else str(value)


@dataclass
class SuppressedTable:
    """The display of a table: `cells[(row, column)]`, `row_totals[row]`,
    `column_totals[column]` and `grand_total` are Cells (the totals only where shown)."""

    rows: list
    columns: list
    threshold: int
    cells: dict = field(default_factory=dict)
    row_totals: dict = field(default_factory=dict)
    column_totals: dict = field(default_factory=dict)
    grand_total: Cell | None = None

    @property
    def has_row_totals(self):
        return bool(self.row_totals)

    @property
    def has_column_totals(self):
        return bool(self.column_totals)

    def row_cells(self, row):
        return [self.cells[row, column] for column in self.columns]

    def lines(self):
        """(row key, [cells], row total or None) for templates, in row order."""
        return [(row, self.row_cells(row), self.row_totals.get(row)) for row in self.rows]

    def total_line(self):
        """([column totals], grand total or None), or None when no column totals are shown."""
        if not self.column_totals:
            return None
        return [self.column_totals[column] for column in self.columns], self.grand_total

    def is_suppressed(self, row, column):
        return self.cells[row, column].is_suppressed

    @property
    def has_secondary(self):
        return any(cell.is_secondary for cell in self.all_cells())

    @property
    def has_suppressed(self):
        return any(cell.is_suppressed for cell in self.all_cells())

    def all_cells(self):
        yield from self.cells.values()
        yield from self.row_totals.values()
        yield from self.column_totals.values()
        if self.grand_total is not None:
            yield self.grand_total


def _totals_flags(totals):
    if totals is True:
        return True, True
    if not totals:
        return False, False
    if totals == ROW_TOTALS:
        return True, False
    if totals == COLUMN_TOTALS:
        return False, True
    raise ValueError(f"totals must be True, False, {ROW_TOTALS!r} or {COLUMN_TOTALS!r}")


def suppress_table(rows, *, columns=None, threshold=None, totals=True):
    """Suppress a table of counts `{row_key: {column_key: int}}`.

    `columns` fixes the columns and their order (default: every key met, in order of
    appearance); a missing cell counts 0. `totals`: True (row and column totals and the grand
    total), False, "rows" (only row totals) or "columns" (only column totals). Row order is
    the mapping's order.
    """
    threshold = threshold_setting() if threshold is None else int(threshold)
    if threshold < MINIMUM_THRESHOLD:
        raise ValueError(f"A suppression threshold below {MINIMUM_THRESHOLD} protects nobody.")
    row_keys = list(rows)
    if columns is None:
        columns = list(dict.fromkeys(key for row in rows.values() for key in row))
    columns = list(columns)
    with_row_totals, with_column_totals = _totals_flags(totals)

    values = {}
    for row in row_keys:
        for column in columns:
            count = rows[row].get(column, 0) or 0
            if count < 0:
                raise ValueError(f"A count cannot be negative: {row!r}, {column!r}: {count}")
            values["cell", row, column] = int(count)
    lines = []
    for row in row_keys if with_row_totals else ():
        members = [(("cell", row, column), 1) for column in columns]
        values["row", row] = sum(values[key] for key, _sign in members)
        lines.append([*members, (("row", row), -1)])
    for column in columns if with_column_totals else ():
        members = [(("cell", row, column), 1) for row in row_keys]
        values["column", column] = sum(values[key] for key, _sign in members)
        lines.append([*members, (("column", column), -1)])
    if with_row_totals and with_column_totals:
        values["grand",] = sum(values["row", row] for row in row_keys)
        lines.append([*((("row", row), 1) for row in row_keys), (("grand",), -1)])
        lines.append([*((("column", column), 1) for column in columns), (("grand",), -1)])

    states = {key: PRIMARY if value < threshold else SHOWN for key, value in values.items()}
    _suppress_secondary(values, states, lines, threshold)

    def cell(key):
        return Cell(values[key], states[key], threshold)

    table = SuppressedTable(rows=row_keys, columns=columns, threshold=threshold)
    table.cells = {
        (row, column): cell(("cell", row, column)) for row in row_keys for column in columns
    }
    if with_row_totals:
        table.row_totals = {row: cell(("row", row)) for row in row_keys}
    if with_column_totals:
        table.column_totals = {column: cell(("column", column)) for column in columns}
    if with_row_totals and with_column_totals:
        table.grand_total = cell(("grand",))
    return table


@dataclass
class SuppressedSeries:
    """A single series of counts: `items` as (key, Cell) in order, and the total (or None)."""

    items: list
    total: Cell | None
    threshold: int

    def __iter__(self):
        return iter(self.items)

    def __getitem__(self, key):
        return dict(self.items)[key]

    @property
    def has_secondary(self):
        cells = [cell for _key, cell in self.items] + ([self.total] if self.total else [])
        return any(cell.is_secondary for cell in cells)


COUNT = "count"


def suppress_counts(counts, *, total=True, threshold=None):
    """Suppress one series `{key: int}` (a one-column table), with its total if `total`."""
    table = suppress_table(
        {key: {COUNT: value} for key, value in counts.items()},
        columns=[COUNT],
        threshold=threshold,
        totals=COLUMN_TOTALS if total else False,
    )
    return SuppressedSeries(
        items=[(key, table.cells[key, COUNT]) for key in table.rows],
        total=table.column_totals.get(COUNT) if total else None,
        threshold=table.threshold,
    )


# The secondary suppression -------------------------------------------------------------


def _bounds(state, threshold):
    """What a reader knows of a hidden value from its marker: "<5" is 0..4, "x" is 5 or more."""
    return (0, threshold - 1) if state == PRIMARY else (threshold, None)


def derivable(line, values, states, threshold):
    """The hidden members of `line` whose value follows exactly from what the line shows.

    A line is a list of (key, sign) whose signed values add up to zero: the cells with +1 and
    their total with -1.
    """
    hidden = [(key, sign) for key, sign in line if states[key] != SHOWN]
    if not hidden:
        return []
    residual = -sum(sign * values[key] for key, sign in line if states[key] == SHOWN)
    # For every hidden x: sum(sign * x) == residual; each x lies within its marker's bounds.
    ranges = []
    for key, sign in hidden:
        low, high = _bounds(states[key], threshold)
        if sign > 0:
            ranges.append((low, high))
        else:
            ranges.append((None if high is None else -high, -low))
    exact = []
    for index, (key, _sign) in enumerate(hidden):
        others_low = _sum_low(r for i, r in enumerate(ranges) if i != index)
        others_high = _sum_high(r for i, r in enumerate(ranges) if i != index)
        own_low, own_high = ranges[index]
        # sign * x = residual - others
        low = _max(own_low, None if others_high is None else residual - others_high)
        high = _min(own_high, None if others_low is None else residual - others_low)
        if low is not None and high is not None and low == high:
            exact.append(key)
    return exact


def _sum_low(ranges):
    total = 0
    for low, _high in ranges:
        if low is None:
            return None
        total += low
    return total


def _sum_high(ranges):
    total = 0
    for _low, high in ranges:
        if high is None:
            return None
        total += high
    return total


def _max(a, b):
    return b if a is None else a if b is None else max(a, b)


def _min(a, b):
    return b if a is None else a if b is None else min(a, b)


def _suppress_secondary(values, states, lines, threshold):
    """Hide more members until no line gives a hidden value away (changes `states`).

    Each round hides one member of a line that gives a value away: the one that sits in the
    most such lines (one hidden cell can protect a row and a column at once), then the
    smallest (it loses the least), and a total only when its line has no shown cell left.
    """
    while True:
        leaking = [
            line
            for line in lines
            if derivable(line, values, states, threshold)
            and any(states[key] == SHOWN for key, _sign in line)
        ]
        if not leaking:
            return
        candidates = {}
        for line in leaking:
            shown = [key for key, _sign in line if states[key] == SHOWN]
            for key in [key for key in shown if key[0] == "cell"] or shown:
                candidates[key] = candidates.get(key, 0) + 1
        victim = min(candidates, key=lambda key: (-candidates[key], values[key]))
        states[victim] = SECONDARY
