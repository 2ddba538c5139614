"""The aggregate figures of the reports per period, suppressed, on a page and as CSV."""

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import access
from portal.imports import write_response
from portal.suppression import SECONDARY_MARKER, primary_marker, threshold_setting

from ..measurement import (
    Period,
    figure_tables,
    on_time_share,
    parse_period,
    report_figures,
    report_periods,
)
from ..models import TOPIC


def _period(request, periods):
    """The period asked for, else the latest year with reports (or this year)."""
    text = request.GET.get("period", "")
    if not text:
        return periods[0] if periods else Period.year(timezone.localdate().year)
    period = parse_period(text)
    if period is None:
        raise Http404
    return period


@access.topic_required(TOPIC)
def figures(request):
    periods = report_periods()
    period = _period(request, periods)
    if period not in periods:
        periods = [period, *periods]
    data = report_figures(period)
    tables = figure_tables(data) if data["total"] else []
    return render(
        request,
        "internships/figures.html",
        {
            "period": period,
            "periods": periods,
            "figures": data,
            "tables": tables,
            "on_time_share": on_time_share(tables) if tables else None,
            "primary_marker": primary_marker(),
            "threshold": threshold_setting(),
            "secondary_marker": SECONDARY_MARKER,
        },
    )


@access.topic_required(TOPIC)
def figures_csv(request):
    period = _period(request, report_periods())
    data = report_figures(period)
    tables = figure_tables(data) if data["total"] else []
    rows = (
        [str(table.caption), row, column, value]
        for table in tables
        for row, column, value in table.long_rows()
    )
    return write_response(
        [_("Table"), _("Row"), _("Column"), _("Value")],
        rows,
        file_format="csv",
        basename=f"{_('internship-figures')}-{period.key}",
        stamp=False,
    )
