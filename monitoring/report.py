"""The biennial monitoring report: its content for a two-year period, rendered to PDF.

`gather(start_year, end_year)` reads everything the report shows (a fixed number of queries
per part, whatever the number of organisations); `render(start_year, end_year, language)`
turns it into a PDF with WeasyPrint from `templates/pdf/monitor.html`. The Celery task (via
`services.monitor_generate`) and the `generate_monitor` command both call `render`, so the
PDF is the same whoever makes it.

The report is meant for publication: it shows approved figures only, and every count of
persons passes through `portal.suppression`. A part without data says "no data"; it never
fails the report.

WeasyPrint fetches nothing from the network: the `url_fetcher` serves `/static/` from disk
(the CSS and the vendored font) and refuses everything else.
"""

import datetime
import mimetypes
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from portal.suppression import SECONDARY_MARKER, primary_marker, threshold_setting

from . import agenda_selectors, charts, selectors
from .models import Activity, Indicator, ReportingRound

# The address the HTML is rendered at: relative and /static/ links resolve against it, and
# the fetcher knows it, so nothing ever leaves the process.
BASE_URL = "https://monitor.invalid/"
TEMPLATE = "pdf/monitor.html"


class FetchRefused(ValueError):
    """A resource the report may not load (anything but a static file)."""


def url_fetcher(url, timeout=10, ssl_context=None, **kwargs):
    """Serve `/static/...` from the static directories on disk; refuse everything else."""
    parts = urlsplit(url)
    base = urlsplit(BASE_URL)
    if (parts.scheme, parts.netloc) != (base.scheme, base.netloc):
        raise FetchRefused(f"The monitor loads no external resources: {url}")
    if not parts.path.startswith(settings.STATIC_URL):
        raise FetchRefused(f"The monitor loads static files only: {url}")
    relative = unquote(parts.path[len(settings.STATIC_URL) :])
    if ".." in relative.split("/"):
        raise FetchRefused(f"Not a static file: {url}")
    path = finders.find(relative)
    if path is None:
        candidate = settings.STATIC_ROOT / relative
        path = str(candidate) if candidate.is_file() else None
    if path is None:
        raise FetchRefused(f"No such static file: {url}")
    mime_type, _encoding = mimetypes.guess_type(path)
    with open(path, "rb") as file:
        return {"string": file.read(), "mime_type": mime_type, "redirected_url": url}


# Gathering the content ------------------------------------------------------------------


@dataclass
class IndicatorSection:
    indicator: Indicator
    tables: list  # monitoring.selectors.Table: per sector, per area (suppressed as shown)
    previous: str | None  # the previous period's value as shown; None: no data or hidden
    current: str | None
    change: str | None  # the change as shown, or None when it cannot be shown
    change_percent: str | None
    chart: str  # SVG markup, or "" when there is nothing to draw
    # Whether there is one line of yearly totals to compare the periods by (areas of several
    # sectors, say, have none: they are not added up).
    comparable: bool = True

    @property
    def has_data(self):
        return bool(self.tables)


def _format(value, decimals):
    quantum = Decimal(1).scaleb(-decimals)
    return number_format(Decimal(value).quantize(quantum, rounding=ROUND_HALF_UP), decimals)


# A period's value that cannot be shown: a year's count in it is hidden, which the period's
# value would give away.
HIDDEN = SECONDARY_MARKER


def _period_value(indicator, totals, years):
    """The indicator's value over `years` from the dashboard's yearly totals ({year: Shown}):
    the sum, the mean, or the last year's, by its aggregation. None when no year has a
    value; HIDDEN when a year's value is hidden."""
    shown = [totals[year] for year in years if year in totals and totals[year].text]
    if not shown:
        return None
    if any(cell.number is None for cell in shown):
        return HIDDEN
    values = [Decimal(str(cell.number)) for cell in shown]
    if indicator.aggregation == Indicator.Aggregation.SUM:
        return sum(values, Decimal(0))
    if indicator.aggregation == Indicator.Aggregation.AVERAGE:
        return sum(values, Decimal(0)) / len(values)
    return values[-1]


# The chart classes' colours for print, put inside each SVG: WeasyPrint styles an inline SVG
# from the SVG's own stylesheet, not from the page's.
CHART_STYLE = (
    "<style>.chart__grid{stroke:#d5dbe2;stroke-width:1}"
    ".chart__label{font-family:'DejaVu Sans',sans-serif;font-size:11px;fill:#333}"
    ".chart__bar,.chart__series--0{fill:#00457c}.chart__value{fill:#1a1a1a}"
    ".chart__series--1{fill:#e17000}.chart__series--2{fill:#39870c}"
    ".chart__series--3{fill:#a90061}</style>"
)


def _print_chart(svg):
    """`svg` with CHART_STYLE after its opening tag."""
    head, separator, rest = svg.partition(">")
    return f"{head}{separator}{CHART_STYLE}{rest}" if separator else svg


def _chart(indicator, rows):
    """The indicator's chart as SVG (the dashboard's chart functions); "" without values."""
    points = [(str(year), float(value)) for year, value in rows if value is not None]
    if not points:
        return ""
    return _print_chart(
        charts.bar_chart(
            points,
            title=f"{indicator.name} ({indicator.unit})",
            chart_id=f"chart-{indicator.code}",
            no_data=_("no data"),
        )
    )


def _shown(value, decimals):
    return value if value in (None, HIDDEN) else _format(value, decimals)


def indicator_sections(start_year, end_year):
    """Per public indicator: the dashboard's tables (monitoring.selectors: per sector and per
    area, suppressed) over the previous and this period, each period's value and the
    change, and the chart of the yearly totals (hidden counts are gaps). Two queries."""
    previous_years = [year - 2 for year in range(start_year, end_year + 1)]
    current_years = list(range(start_year, end_year + 1))
    years = previous_years + current_years
    # A source's printed total (sum_of) is not a figure: the dashboard shows it beside the
    # computed total; the report computes its totals from the rows.
    indicators = [i for i in selectors.indicators(public=True) if not i.sum_of]
    groups = selectors.per_indicator(
        selectors.value_groups(indicator_ids=[indicator.pk for indicator in indicators])
    )
    sections = []
    for indicator in indicators:
        figures = selectors.indicator_figures(
            indicator, groups.get(indicator.pk, []), years=set(years), municipalities=False
        )
        decimals = indicator.decimals
        if indicator.aggregation == Indicator.Aggregation.AVERAGE:
            decimals = max(decimals, 1)
        previous = _period_value(indicator, figures.totals, previous_years)
        current = _period_value(indicator, figures.totals, current_years)
        change = change_percent = None
        if previous not in (None, HIDDEN) and current not in (None, HIDDEN):
            difference = current - previous
            change = f"{'+' if difference > 0 else ''}{_format(difference, decimals)}"
            if previous:
                percent = round(100 * difference / abs(previous))
                change_percent = f"{'+' if percent > 0 else ''}{percent}%"
        chart_rows = [
            (year, figures.totals[year].number if year in figures.totals else None)
            for year in years
        ]
        sections.append(
            IndicatorSection(
                indicator=indicator,
                tables=figures.tables,
                previous=_shown(previous, decimals),
                current=_shown(current, decimals),
                change=change,
                change_percent=change_percent,
                chart=_chart(indicator, chart_rows),
                comparable=bool(figures.totals),
            )
        )
    return sections


def agenda_sections(start_year, end_year):
    """The public agendas that run during the period, each with its programme lines, their
    activities and each activity's latest update (monitoring.agenda_selectors)."""
    # The monitor is published: only the agendas shown on the public agenda page.
    agendas = agenda_selectors.public_agendas().filter(
        start_year__lte=end_year, end_year__gte=start_year
    )
    return [
        {
            "agenda": agenda,
            "lines": [
                {"line": line, "activities": line.activity_list}
                for line in agenda_selectors.agenda_tree(agenda)
            ],
        }
        for agenda in agendas
    ]


def status_summary(agendas):
    """Activities per status over every agenda of the report, in the status machine's order."""
    counts = {}
    for agenda in agendas:
        for line in agenda["lines"]:
            for activity in line["activities"]:
                counts[activity.status] = counts.get(activity.status, 0) + 1
    return [(label, counts.get(value, 0)) for value, label in Activity.Status.choices]


def completeness(start_year, end_year):
    """Per reporting round in the period: the organisations asked, those that submitted
    everything asked of them, and the share (monitoring.services.figures). Organisations are
    not persons: no suppression."""
    from .services.figures import round_completeness

    result = []
    for reporting_round in ReportingRound.objects.filter(
        year__range=(start_year, end_year)
    ).order_by("year"):
        state = round_completeness(reporting_round)
        asked, done = len(state["rows"]), state["complete"]
        result.append(
            {
                "year": reporting_round.year,
                "asked": asked,
                "submitted": done,
                "percent": round(100 * done / asked) if asked else None,
            }
        )
    return result


def desk_funnel(start_year, end_year):
    """The desk's funnel over the twelve months up to the end of the period, suppressed
    (monitoring.selectors, as on the dashboard); None when the desk had no cases then."""
    today = min(datetime.date(end_year, 12, 31), timezone.localdate())
    funnel = selectors.desk_funnel(today=today)
    if not funnel["rows"] or not funnel["rows"][0][1].value:
        return None
    funnel["chart_svg"] = _print_chart(
        charts.bar_chart(
            funnel["chart"], title=_("The regional desk's funnel"), chart_id="chart-desk-funnel"
        )
    )
    return funnel


def internship_figures(start_year, end_year):
    """The equal-internship tables of the period as the internship pages show them
    (suppressed); None when no report came in during the period."""
    from internships import selectors as internships

    period = internships.Period(start_year, end_year)
    figures = internships.report_figures(period)
    if not figures["total"]:
        return None
    return {"period": period, "tables": internships.figure_tables(figures)}


def sources():
    """The sources named by the public indicators, in order, without repeats."""
    named = (
        Indicator.objects.filter(is_public=True).exclude(source="").values_list("source", flat=True)
    )
    return list(dict.fromkeys(named))


def gather(start_year, end_year, *, progress=None):
    """Everything the report shows for the period `start_year`-`end_year`."""
    step = progress or (lambda percent: None)
    agendas = agenda_sections(start_year, end_year)
    step(20)
    indicators = indicator_sections(start_year, end_year)
    step(35)
    context = {
        "start_year": start_year,
        "end_year": end_year,
        "period": f"{start_year}-{end_year}",
        "previous_period": f"{start_year - 2}-{end_year - 2}",
        "generated_at": timezone.now(),
        "language": translation.get_language(),
        "agendas": agendas,
        "status_summary": status_summary(agendas),
        "activity_count": sum(len(line["activities"]) for a in agendas for line in a["lines"]),
        "indicators": indicators,
        "indicators_with_data": sum(1 for section in indicators if section.has_data),
        "completeness": completeness(start_year, end_year),
        "desk": desk_funnel(start_year, end_year),
        "internships": internship_figures(start_year, end_year),
        "sources": sources(),
        "threshold": threshold_setting(),
        "primary_marker": primary_marker(),
    }
    step(45)
    return context


# Rendering ------------------------------------------------------------------------------


@dataclass
class Rendered:
    pdf: bytes
    pages: int


def render_html(context):
    return render_to_string(TEMPLATE, context)


def render(start_year, end_year, language=None, *, progress=None):
    """The report of the period as a PDF, in `language` (default: the site's)."""
    from weasyprint import HTML

    step = progress or (lambda percent: None)
    with translation.override(language or settings.LANGUAGE_CODE):
        context = gather(start_year, end_year, progress=step)
        html = render_html(context)
    step(55)
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=url_fetcher).render()
    step(80)
    pdf = document.write_pdf()
    step(90)
    return Rendered(pdf=pdf, pages=len(document.pages))
