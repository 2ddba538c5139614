"""Charts drawn on the server as SVG: data in, SVG markup out, no JavaScript.

The dashboard and the monitoring PDF both use these functions. They are pure: they read no
database, settings or request, and return a string to put in a template with `|safe` (every
text in it is escaped here). Colours come from CSS classes (`chart__series--0` to `--7`, see
the "monitoring charts" block of static/css/portal.css), so the strict CSP holds and the PDF's
print CSS may restyle them.

Each chart has `role="img"`, a `<title>` referenced by `aria-labelledby`, and is meant to sit
beside its table, which is the text alternative: values that are not shown (suppressed small
counts, no data) are gaps in the chart, and their marker ("<5", "x") is in the table.
"""

from html import escape
from math import floor, log10

WIDTH = 640
HEIGHT = 320
MARGIN_LEFT = 64
MARGIN_RIGHT = 16
MARGIN_TOP = 16
MARGIN_BOTTOM = 40
LEGEND_LINE = 18
SERIES_CLASSES = 8


def nice_ticks(low, high, count=5):
    """Round axis values from `low` to `high` (about `count` of them), starting at or below
    `low` and ending at or above `high`."""
    if high <= low:
        high = low + 1
    raw = (high - low) / max(count - 1, 1)
    magnitude = 10 ** floor(log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    start = floor(low / step) * step
    ticks = []
    value = start
    while value < high + step * 0.999:
        ticks.append(round(value, 10))
        if value >= high:
            break
        value += step
    return ticks


def _label(value):
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", "\u202f")
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _open(chart_id, title, height, description=""):
    desc = f'<desc id="{chart_id}-desc">{escape(description)}</desc>' if description else ""
    described = f' aria-describedby="{chart_id}-desc"' if description else ""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
        f'aria-labelledby="{chart_id}-title"{described} id="{chart_id}">'
        f'<title id="{chart_id}-title">{escape(title)}</title>{desc}'
    )


def _y_axis(ticks, scale, plot_right):
    parts = []
    for tick in ticks:
        y = scale(tick)
        parts.append(
            f'<line class="chart__grid" x1="{MARGIN_LEFT}" x2="{plot_right}" '
            f'y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text class="chart__label chart__label--y" x="{MARGIN_LEFT - 6}" y="{y + 4:.1f}" '
            f'text-anchor="end">{escape(_label(tick))}</text>'
        )
    return "".join(parts)


def _legend(names, top):
    parts = []
    for index, name in enumerate(names):
        y = top + index * LEGEND_LINE
        css = f"chart__series--{index % SERIES_CLASSES}"
        parts.append(
            f'<rect class="chart__swatch {css}" x="{MARGIN_LEFT}" y="{y - 10}" '
            f'width="12" height="12"/>'
            f'<text class="chart__label" x="{MARGIN_LEFT + 18}" y="{y}">{escape(str(name))}</text>'
        )
    return "".join(parts)


def _empty(chart_id, title, message):
    return (
        _open(chart_id, title, 80)
        + f'<text class="chart__label" x="{MARGIN_LEFT}" y="40">{escape(message)}</text></svg>'
    )


def line_chart(series, *, columns, title, chart_id, no_data="No data", description=""):
    """A line chart over `columns` (years) with one line per series.

    `series`: [(name, [(column, number or None)])]. A None is a gap: the line stops and
    starts again, and a lone value between gaps is drawn as a dot. `no_data` is the text
    drawn when there is nothing to draw (pass it translated).
    """
    columns = list(columns)
    values = [v for _name, points in series for _c, v in points if v is not None]
    if not columns or not values:
        return _empty(chart_id, title, no_data)
    height = HEIGHT + LEGEND_LINE * len(series)
    plot_bottom = HEIGHT - MARGIN_BOTTOM
    plot_right = WIDTH - MARGIN_RIGHT
    ticks = nice_ticks(min(0, min(values)), max(values))
    low, high = ticks[0], ticks[-1]

    def y_of(value):
        return plot_bottom - (value - low) / (high - low) * (plot_bottom - MARGIN_TOP)

    step = (plot_right - MARGIN_LEFT - 40) / max(len(columns) - 1, 1)

    def x_of(index):
        return MARGIN_LEFT + 20 + index * step

    parts = [_open(chart_id, title, height, description), _y_axis(ticks, y_of, plot_right)]
    parts.append(
        f'<line class="chart__axis" x1="{MARGIN_LEFT}" x2="{plot_right}" '
        f'y1="{plot_bottom}" y2="{plot_bottom}"/>'
    )
    for index, column in enumerate(columns):
        parts.append(
            f'<text class="chart__label chart__label--x" x="{x_of(index):.1f}" '
            f'y="{plot_bottom + 20}" text-anchor="middle">{escape(str(column))}</text>'
        )
    for number, (_name, points) in enumerate(series):
        css = f"chart__series--{number % SERIES_CLASSES}"
        by_column = dict(points)
        runs, run = [], []
        for index, column in enumerate(columns):
            value = by_column.get(column)
            if value is None:
                if run:
                    runs.append(run)
                run = []
            else:
                run.append((x_of(index), y_of(value)))
        if run:
            runs.append(run)
        parts.append(f'<g class="chart__line {css}">')
        for run in runs:
            if len(run) > 1:
                path = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
                parts.append(f'<polyline fill="none" points="{path}"/>')
            for x, y in run:
                parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3"/>')
        parts.append("</g>")
    parts.append(_legend([name for name, _points in series], HEIGHT))
    parts.append("</svg>")
    return "".join(parts)


def bar_chart(items, *, title, chart_id, no_data="No data", description=""):
    """A horizontal bar chart with one bar per category.

    `items`: [(label, number or None)]; a None draws no bar (its marker is in the table).
    """
    values = [v for _label, v in items if v is not None]
    if not items or not values:
        return _empty(chart_id, title, no_data)
    bar, gap = 18, 8
    label_width = 200
    top = MARGIN_TOP
    height = top + len(items) * (bar + gap) + MARGIN_BOTTOM
    left = label_width + 8
    right = WIDTH - MARGIN_RIGHT - 60
    ticks = nice_ticks(min(0, min(values)), max(values))
    low, high = ticks[0], ticks[-1]

    def x_of(value):
        return left + (value - low) / (high - low) * (right - left)

    parts = [_open(chart_id, title, height, description)]
    bottom = top + len(items) * (bar + gap)
    for tick in ticks:
        x = x_of(tick)
        parts.append(
            f'<line class="chart__grid" x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{bottom}"/>'
            f'<text class="chart__label chart__label--x" x="{x:.1f}" y="{bottom + 16}" '
            f'text-anchor="middle">{escape(_label(tick))}</text>'
        )
    for index, (label, value) in enumerate(items):
        y = top + index * (bar + gap)
        parts.append(
            f'<text class="chart__label" x="{label_width}" y="{y + bar - 4}" '
            f'text-anchor="end">{escape(str(label))}</text>'
        )
        if value is None:
            continue
        x0, x1 = x_of(0 if low <= 0 else low), x_of(value)
        parts.append(
            f'<rect class="chart__bar chart__series--0" x="{min(x0, x1):.1f}" y="{y}" '
            f'width="{abs(x1 - x0):.1f}" height="{bar}"/>'
            f'<text class="chart__label chart__value" x="{max(x0, x1) + 4:.1f}" '
            f'y="{y + bar - 4}">{escape(_label(value))}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
