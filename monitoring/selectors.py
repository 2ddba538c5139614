"""The dashboard's reads: yearly figures per year, sector, municipality and area, agenda
progress, the desk funnel and the internship-report counts.

Every figure is read in one grouped query (whatever the number of organisations, indicators
and years) and turned into tables in Python, so the dashboard, the chart CSVs, the open data
and the monitoring PDF show the same numbers, suppressed the same way.

How values add up follows the indicator's `aggregation`:
- across organisations (or sectors) in one year, "sum" and "latest" add up, "average" takes
  the mean of the values;
- over the years, "sum" adds up, "average" takes the mean of all values and "latest" takes
  the last year's value (a stock such as the number of partners is not added over years).

Totals are always computed from the rows. Area values (figures from a public source about a
region) stand apart from organisations' values; where a region and its parts are both given
(`AREA_PARTS`: Haaglanden is 's-Gravenhage plus Haaglanden excl. Den Haag), the parts are
shown with their computed total, and a note says where the source's own figure for the region
differs from that total.

Counts of persons (`Indicator.counts_persons`) go through `portal.suppression` in every
table: below the threshold as "<5", secondary suppression ("x") where a total would give a
hidden count away.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

import internships.selectors
import lokaal.selectors
import partners.selectors
from portal.suppression import suppress_counts, suppress_table

from .models import Activity, FigureValue, Indicator

# A region and the areas it consists of: the region's total is computed from its parts.
AREA_PARTS = {"Haaglanden": ("'s-Gravenhage", "Haaglanden excl. Den Haag")}

PUBLIC_STATUSES = (FigureValue.Status.APPROVED,)
TEAM_STATUSES = (FigureValue.Status.APPROVED, FigureValue.Status.SUBMITTED)


@dataclass(frozen=True)
class Shown:
    """One cell as shown: `text` (a number, "<5", "x" or empty) and `number` for charts
    (None where nothing is shown)."""

    text: str
    number: float | None = None

    def __str__(self):
        return self.text


EMPTY = Shown("")


@dataclass
class Table:
    """A table of an indicator: rows over the years, optional row totals and a total line."""

    key: str
    caption: str
    row_heading: str
    columns: list
    rows: list = field(default_factory=list)  # (label, [Shown], Shown or None)
    row_keys: list = field(default_factory=list)  # the rows' keys (a sector code, an area)
    footer: tuple | None = None  # (label, [Shown], Shown or None)
    total_label: str = ""
    notes: list = field(default_factory=list)
    suppressed: bool = False
    dimension: str = ""  # sector, municipality or area: what the rows are
    sector: str = ""  # the sector of an area table ("" for every sector)

    @property
    def has_row_totals(self):
        return any(total is not None for _label, _cells, total in self.rows)

    def series(self):
        """(label, [(column, number or None)]) per row, the total line last: a chart's data."""
        lines = [
            (label, list(zip(self.columns, [c.number for c in cells], strict=True)))
            for label, cells, _t in self.rows
        ]
        if self.footer and len(self.rows) > 1:  # one row's total line would cover it
            label, cells, _total = self.footer
            lines.append((label, list(zip(self.columns, [c.number for c in cells], strict=True))))
        return lines

    def long_rows(self):
        """(row label, column, shown text) of every cell and total: a CSV's rows."""
        for _key, label, column, cell in self.keyed_rows():
            yield str(label), str(column), cell.text

    def keyed_rows(self):
        """(row key, row label, column, Shown) of every cell and total; the total line's key
        is None and a row total's column is the total label."""
        total = self.total_label or _("Total")
        lines = list(zip(self.row_keys, self.rows, strict=True))
        if self.footer:
            lines.append((None, self.footer))
        for key, (label, cells, row_total) in lines:
            for column, cell in zip(self.columns, cells, strict=True):
                yield key, label, column, cell
            if row_total is not None:
                yield key, label, total, row_total


@dataclass
class IndicatorFigures:
    """An indicator's tables: per sector (organisations' values), per municipality and per
    area (public-source values, per sector)."""

    indicator: Indicator
    years: list
    by_sector: Table | None = None
    by_municipality: Table | None = None
    by_area: list = field(default_factory=list)
    totals: dict = field(default_factory=dict)  # {year: Shown}: the overview's line

    @property
    def tables(self):
        return [t for t in (self.by_sector, self.by_municipality, *self.by_area) if t]

    @property
    def has_data(self):
        return bool(self.tables)


# Reading ---------------------------------------------------------------------------------


def indicators(*, public=True):
    """The indicators the dashboard shows, in order (one query)."""
    queryset = Indicator.objects.all()
    return list(queryset.filter(is_public=True) if public else queryset)


def value_groups(*, statuses=PUBLIC_STATUSES, indicator_ids=None):
    """Every value summed per indicator, year, sector, area and municipality (one query).

    Each row: indicator_id, year, sector, area ("" for an organisation's value), municipality
    (None for an area's value or an organisation without one), total and n (the number of
    values, for averages).
    """
    queryset = FigureValue.objects.filter(status__in=statuses)
    if indicator_ids is not None:
        queryset = queryset.filter(indicator_id__in=indicator_ids)
    return list(
        queryset.order_by()
        .values("indicator_id", "year", "sector", "area", "organisation__municipality__name")
        .annotate(total=Sum("value"), n=Count("pk"))
    )


# Combining -------------------------------------------------------------------------------


class _Acc:
    """A running sum and count of values, with the year each came from (for "latest")."""

    __slots__ = ("by_year",)

    def __init__(self):
        self.by_year = {}

    def add(self, year, total, n):
        old_total, old_n = self.by_year.get(year, (Decimal(0), 0))
        self.by_year[year] = (old_total + total, old_n + n)

    def merge(self, other):
        for year, (total, n) in other.by_year.items():
            self.add(year, total, n)


def _in_year(acc, year, aggregation):
    if year not in acc.by_year:
        return None
    total, n = acc.by_year[year]
    if aggregation == Indicator.Aggregation.AVERAGE:
        return total / n
    return total


def _over_years(acc, aggregation):
    if not acc.by_year:
        return None
    if aggregation == Indicator.Aggregation.LATEST:
        return _in_year(acc, max(acc.by_year), aggregation)
    total = sum(t for t, _n in acc.by_year.values())
    if aggregation == Indicator.Aggregation.AVERAGE:
        return total / sum(n for _t, n in acc.by_year.values())
    return total


def _format(value, decimals):
    quantum = Decimal(1).scaleb(-decimals)
    rounded = Decimal(value).quantize(quantum, rounding=ROUND_HALF_UP)
    return Shown(number_format(rounded, decimal_pos=decimals), float(rounded))


def _suppresses(indicator):
    # A mean of counts is not a count of persons: only sums and latest values are suppressed.
    return indicator.counts_persons and indicator.aggregation != Indicator.Aggregation.AVERAGE


def _count(value):
    return int(Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def build_table(
    indicator,
    key,
    caption,
    row_heading,
    data,
    years,
    *,
    labels=None,
    column_totals=True,
    whole=None,
):
    """A Table of `data` ({row: _Acc}) over `years`, aggregated and suppressed as the
    indicator says. Row totals over the years for sums only; the total line when
    `column_totals`. `whole`: (label, {year: source value}) of a region whose parts the rows
    are: the total line is labelled with it and a note says where the source differs."""
    aggregation = indicator.aggregation
    labels = labels or {}
    row_totals = aggregation == Indicator.Aggregation.SUM
    table = Table(key=key, caption=caption, row_heading=row_heading, columns=list(years))
    table.total_label = _("Average") if aggregation == Indicator.Aggregation.AVERAGE else _("Total")
    column_acc = _Acc()
    for acc in data.values():
        column_acc.merge(acc)

    if _suppresses(indicator):
        counts = {
            row: {year: _count(_in_year(acc, year, aggregation) or 0) for year in years}
            for row, acc in data.items()
        }
        flag = {(True, True): True, (True, False): "rows", (False, True): "columns"}.get(
            (row_totals, column_totals), False
        )
        suppressed = suppress_table(counts, columns=list(years), totals=flag)

        def shown(cell):
            return Shown(cell.display, None if cell.is_suppressed else float(cell.value))

        for row in suppressed.rows:
            cells = [shown(c) for c in suppressed.row_cells(row)]
            total = shown(suppressed.row_totals[row]) if row_totals else None
            table.rows.append((labels.get(row, row), cells, total))
            table.row_keys.append(row)
        if column_totals:
            footer = suppressed.total_line()
            table.footer = (
                whole[0] if whole else table.total_label,
                [shown(c) for c in footer[0]],
                shown(footer[1]) if footer[1] is not None else None,
            )
        table.suppressed = suppressed.has_suppressed
    else:
        decimals = (
            indicator.decimals
            if aggregation != Indicator.Aggregation.AVERAGE
            else max(indicator.decimals, 1)
        )

        def shown(value):
            return EMPTY if value is None else _format(value, decimals)

        for row, acc in data.items():
            cells = [shown(_in_year(acc, year, aggregation)) for year in years]
            total = shown(_over_years(acc, aggregation)) if row_totals else None
            table.rows.append((labels.get(row, row), cells, total))
            table.row_keys.append(row)
        if column_totals:
            table.footer = (
                whole[0] if whole else table.total_label,
                [shown(_in_year(column_acc, year, aggregation)) for year in years],
                shown(_over_years(column_acc, aggregation)) if row_totals else None,
            )

    if whole:
        label, printed = whole
        for year in years:
            computed = _in_year(column_acc, year, aggregation)
            source = printed.get(year)
            if source is None or computed is None or source == computed:
                continue
            if _suppresses(indicator):
                table.notes.append(
                    _(
                        "%(year)s: the source's own figure for %(area)s differs from the sum "
                        "of its parts; the computed total is shown."
                    )
                    % {"year": year, "area": label}
                )
            else:
                table.notes.append(
                    _(
                        "%(year)s: the source gives %(source)s for %(area)s, its parts add up "
                        "to %(computed)s; the computed total is shown."
                    )
                    % {
                        "year": year,
                        "area": label,
                        "source": _format(source, indicator.decimals).text,
                        "computed": _format(computed, indicator.decimals).text,
                    }
                )
    return table


def per_indicator(groups):
    """`value_groups(...)` rows by indicator id, so that each indicator reads only its own."""
    result = {}
    for group in groups:
        result.setdefault(group["indicator_id"], []).append(group)
    return result


def indicator_figures(
    indicator, groups, *, sector=None, years=None, area_parts=None, municipalities=True
):
    """The tables of `indicator` from `value_groups(...)` rows (no query): all of them, or
    the indicator's own from `per_indicator`.

    `sector` limits every table to one sector; `years` (a collection) to those years.
    `municipalities=False` leaves the table per municipality out (the overview needs only
    the totals).
    """
    area_parts = AREA_PARTS if area_parts is None else area_parts
    rows = [
        g
        for g in groups
        if g["indicator_id"] == indicator.pk
        and (sector is None or g["sector"] == sector)
        and (years is None or g["year"] in years)
    ]
    all_years = sorted({g["year"] for g in rows})
    figures = IndicatorFigures(indicator=indicator, years=all_years)
    if not rows:
        return figures

    per_sector, per_municipality, per_area = {}, {}, {}
    for g in rows:
        if g["area"]:
            target = per_area.setdefault(g["sector"], {}).setdefault(g["area"], _Acc())
        else:
            per_sector.setdefault(g["sector"], _Acc()).add(g["year"], g["total"], g["n"])
            target = per_municipality.setdefault(g["organisation__municipality__name"], _Acc())
        target.add(g["year"], g["total"], g["n"])

    org_years = sorted({g["year"] for g in rows if not g["area"]})
    if per_sector:
        sector_labels = {"": _("All sectors")}
        figures.by_sector = build_table(
            indicator,
            f"{indicator.code}-sector",
            _("%(indicator)s per sector") % {"indicator": indicator.name},
            _("Sector"),
            dict(sorted(per_sector.items())),
            org_years,
            labels={key: sector_labels.get(key, key.upper()) for key in per_sector},
        )
        figures.by_sector.dimension = "sector"
    if per_sector and municipalities:
        figures.by_municipality = build_table(
            indicator,
            f"{indicator.code}-municipality",
            _("%(indicator)s per municipality") % {"indicator": indicator.name},
            _("Municipality"),
            dict(
                sorted(per_municipality.items(), key=lambda item: (item[0] is None, item[0] or ""))
            ),
            org_years,
            labels={None: _("Municipality unknown")},
        )
        figures.by_municipality.dimension = "municipality"
    if per_sector:
        figures.totals = dict(zip(org_years, figures.by_sector.footer[1], strict=True))

    for area_sector, areas in sorted(per_area.items()):
        # The overview's line comes from a region's computed total only when it is one sector's
        # (or the page is limited to one): the sectors' regions are not added up.
        totals = figures.totals if len(per_area) == 1 else {}
        figures.by_area.extend(
            _area_tables(indicator, area_sector, areas, all_years, area_parts, totals)
        )
    return figures


def _area_tables(indicator, sector, areas, years, area_parts, totals):
    """One table per region with its parts, one of the other areas (no total line: they
    overlap or lie apart, such as the G5 cities)."""
    sector_text = f" ({sector.upper()})" if sector else ""
    tables, in_groups = [], set()
    for whole, parts in area_parts.items():
        # Only with every part: a region's total from some of its parts would be wrong.
        present = [part for part in parts if part in areas]
        if len(present) < len(parts):
            continue
        in_groups.update(present)
        in_groups.add(whole)
        printed = {}
        if whole in areas:
            printed = {year: _in_year(areas[whole], year, indicator.aggregation) for year in years}
        table = build_table(
            indicator,
            f"{indicator.code}-area-{sector or 'all'}-{whole}",
            _("%(indicator)s in %(area)s and its parts%(sector)s")
            % {"indicator": indicator.name, "area": whole, "sector": sector_text},
            _("Area"),
            {part: areas[part] for part in present},
            years,
            whole=(whole, printed),
        )
        tables.append(table)
        if not totals and table.footer:
            totals.update(zip(years, table.footer[1], strict=True))
    others = {area: acc for area, acc in sorted(areas.items()) if area not in in_groups}
    if others:
        tables.append(
            build_table(
                indicator,
                f"{indicator.code}-area-{sector or 'all'}",
                _("%(indicator)s per area%(sector)s")
                % {"indicator": indicator.name, "sector": sector_text},
                _("Area"),
                others,
                years,
                column_totals=False,
            )
        )
    if not totals and len(tables) == 1 and len(tables[0].rows) == 1:
        # A single area (such as a labour-market region): its line is the overview's.
        totals.update(zip(years, tables[0].rows[0][1], strict=True))
    for table in tables:
        table.dimension, table.sector = "area", sector
    return tables


# The dashboard ---------------------------------------------------------------------------


def agenda_progress(*, public=True):
    """Per agenda: activities per status and their mean progress (one query)."""
    queryset = Activity.objects.all()
    if public:
        queryset = queryset.filter(line__agenda__is_public=True)
    agendas = {}
    for row in (
        queryset.order_by()
        .values("line__agenda_id", "line__agenda__name", "line__agenda__position", "status")
        .annotate(n=Count("pk"), progress=Sum("progress"))
    ):
        agenda = agendas.setdefault(
            row["line__agenda_id"],
            {
                "name": row["line__agenda__name"],
                "position": row["line__agenda__position"],
                "counts": {},
                "activities": 0,
                "progress_sum": 0,
            },
        )
        agenda["counts"][row["status"]] = row["n"]
        agenda["activities"] += row["n"]
        agenda["progress_sum"] += row["progress"] or 0
    result = []
    for agenda in sorted(agendas.values(), key=lambda a: (a["position"], a["name"])):
        result.append(
            {
                "name": agenda["name"],
                "activities": agenda["activities"],
                "statuses": [
                    (status, label, agenda["counts"].get(status, 0))
                    for status, label in Activity.Status.choices
                ],
                "progress": round(agenda["progress_sum"] / agenda["activities"]),
            }
        )
    return result


def desk_funnel(*, today=None):
    """The desk's funnel (two queries through lokaal.selectors), counts suppressed."""
    funnel = lokaal.selectors.desk_funnel(today=today)
    counts = {"intake": funnel["intake"]}
    counts.update({status: n for status, _label, n in funnel["stages"]})
    series = suppress_counts(counts, total=False)
    labels = {"intake": _("Received")} | {s: label for s, label, _n in funnel["stages"]}
    return {
        "period_start": funnel["period_start"],
        "today": funnel["today"],
        "rows": [(labels[key], cell) for key, cell in series],
        "chart": [
            (labels[key], None if cell.is_suppressed else cell.value) for key, cell in series
        ],
    }


def internship_figures(*, today=None):
    """The internship reports of the last two years (six queries through
    internships.selectors), as the internship figures page shows them: suppressed."""
    today = today or timezone.localdate()
    period = internships.selectors.Period.biennium(today.year - 1)
    figures = internships.selectors.report_figures(period)
    return {
        "period": period,
        "total": figures["total"],
        "tables": internships.selectors.figure_tables(figures) if figures["total"] else [],
    }


@dataclass
class Filters:
    indicator: str = ""
    sector: str = ""
    year_from: int | None = None
    year_to: int | None = None
    include_submitted: bool = False

    def years(self):
        if self.year_from is None and self.year_to is None:
            return None
        return range(self.year_from or 0, (self.year_to or 9999) + 1)


def parse_filters(params, *, team=False):
    """The dashboard's filters from GET parameters; anything unreadable is ignored."""

    def year(name):
        try:
            value = int(params.get(name, ""))
        except ValueError:
            return None
        return value if 1900 <= value <= 2100 else None

    return Filters(
        indicator=params.get("indicator", "")[:60],
        sector=params.get("sector", "")[:16],
        year_from=year("from"),
        year_to=year("to"),
        include_submitted=team and params.get("include") == "submitted",
    )


def source_totals(indicator_list, groups):
    """Totals as sources printed them, next to the totals computed from their rows.

    An indicator with `sum_of` holds a source's printed total of other indicators (e.g. the
    "totaal" row of a table of subjects). It is never shown as a figure of its own: for each
    area, sector and year it has, this gives the total computed from the rows it claims to add
    up, the printed total and the difference, which the dashboard notes. Uses the groups the
    dashboard has read already (no query).
    """
    by_code = {indicator.code: indicator for indicator in indicator_list}
    sums = {}
    for group in groups:
        key = (group["indicator_id"], group["area"], group["sector"], group["year"])
        sums[key] = sums.get(key, 0) + group["total"]
    result = []
    for indicator in indicator_list:
        if not indicator.sum_of:
            continue
        members = [by_code[code] for code in indicator.sum_of if code in by_code]
        for (_indicator, area, sector, year), printed in sorted(
            ((k, v) for k, v in sums.items() if k[0] == indicator.pk), key=lambda kv: kv[0][1:]
        ):
            parts = [sums.get((m.pk, area, sector, year)) for m in members]
            if any(part is None for part in parts):
                continue  # a row is missing: nothing to compare
            computed = sum(parts)
            result.append(
                {
                    "indicator": indicator,
                    "area": area,
                    "sector": sector,
                    "year": year,
                    "computed": _format(computed, indicator.decimals),
                    "printed": _format(printed, indicator.decimals),
                    "difference": _format(printed - computed, indicator.decimals)
                    if printed != computed
                    else None,
                }
            )
    return result


def dashboard(*, filters, public=True, today=None):
    """Everything the dashboard shows, in a fixed number of queries (see the benchmark)."""
    statuses = TEAM_STATUSES if filters.include_submitted and not public else PUBLIC_STATUSES
    all_indicators = indicators(public=public)
    groups = value_groups(statuses=statuses, indicator_ids=[i.pk for i in all_indicators])
    printed_totals = source_totals(all_indicators, groups)
    # A printed total is shown only beside the computed one, never as a figure of its own.
    indicator_list = [indicator for indicator in all_indicators if not indicator.sum_of]
    all_years = sorted({g["year"] for g in groups})
    sectors = sorted({g["sector"] for g in groups if g["sector"]})
    years = filters.years()
    sector = filters.sector if filters.sector in sectors else None
    own = per_indicator(groups)
    chosen = filters.indicator
    overview = []
    for indicator in indicator_list:
        figures = indicator_figures(
            indicator,
            own.get(indicator.pk, []),
            sector=sector,
            years=years,
            municipalities=indicator.code == chosen,
        )
        if not chosen and figures.has_data:
            # No indicator asked for: the first with data is shown in full.
            chosen = indicator.code
            figures = indicator_figures(indicator, own[indicator.pk], sector=sector, years=years)
        overview.append(figures)
    shown_years = sorted({y for f in overview for y in f.years})
    selected = next((f for f in overview if f.indicator.code == chosen and f.has_data), None)
    if selected is None:
        # An unknown indicator, or one without data under these filters: the first with data.
        first = next((f for f in overview if f.has_data), None)
        if first is not None:
            selected = indicator_figures(
                first.indicator, own[first.indicator.pk], sector=sector, years=years
            )
    return {
        "filters": filters,
        "indicators": indicator_list,
        "sectors": sectors,
        "all_years": all_years,
        "years": shown_years,
        # (indicator, cells per year, whether it has figures but no single line: areas per
        # sector that are not added up).
        "overview": [
            (
                f.indicator,
                [f.totals.get(year, EMPTY) for year in shown_years],
                f.has_data and not f.totals,
            )
            for f in overview
        ],
        "selected": selected,
        "agendas": agenda_progress(public=public),
        "desk": desk_funnel(today=today),
        "internships": internship_figures(today=today),
        "partner_counts": registry_partner_counts(),
        "source_totals": printed_totals,
        "statuses": statuses,
    }


PARTNER_INDICATORS = {"boards": "partner-besturen", "locations": "partner-vestigingen"}


def registry_partner_counts():
    """Per sector, the partner boards and locations the registry holds, synced from DUO's
    register, beside the latest approved figure of the indicators partner-besturen and
    partner-vestigingen (seed 004 printed DUO's 2025 counts)."""
    printed = {}
    values = FigureValue.objects.filter(
        indicator__code__in=PARTNER_INDICATORS.values(),
        organisation=None,
        status__in=PUBLIC_STATUSES,
    ).values_list("indicator__code", "sector", "year", "value", "source_note")
    for code, sector, year, value, note in values.order_by("year"):
        printed[(code, sector)] = (year, _count(value), note)
    rows = []
    for counts in partners.selectors.register_partner_counts():
        row = {"sector": counts["sector"], "label": counts["label"]}
        for key, code in PARTNER_INDICATORS.items():
            year, value, note = printed.get((code, counts["sector"]), (None, None, ""))
            row[key] = {"registry": counts[key], "printed": value, "year": year, "source": note}
        rows.append(row)
    return rows


def chart_figures(code, *, filters, public=True):
    """One indicator's tables for its CSV (two queries), or None for an unknown code."""
    indicator = Indicator.objects.filter(code=code)
    if public:
        indicator = indicator.filter(is_public=True)
    indicator = indicator.first()
    if indicator is None:
        return None
    statuses = TEAM_STATUSES if filters.include_submitted and not public else PUBLIC_STATUSES
    groups = value_groups(statuses=statuses, indicator_ids=[indicator.pk])
    sectors = {g["sector"] for g in groups}
    sector = filters.sector if filters.sector in sectors else None
    return indicator_figures(indicator, groups, sector=sector, years=filters.years())


def open_data_tables():
    """Every table of the public indicators' approved values, as the public dashboard shows it
    without filters: (indicator, table). Two queries. A source's printed total (`sum_of`) is
    not a figure of its own here either."""
    indicator_list = [i for i in indicators(public=True) if not i.sum_of]
    groups = value_groups(indicator_ids=[i.pk for i in indicator_list])
    own = per_indicator(groups)
    for indicator in indicator_list:
        for table in indicator_figures(indicator, own.get(indicator.pk, [])).tables:
            yield indicator, table
