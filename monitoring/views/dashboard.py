"""The dashboard of the yearly figures, agenda progress, the desk funnel and the internship
reports: for the programme team (approved figures, optionally with submitted ones) and for
the public (approved figures only), with a CSV per chart."""

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from portal import access
from portal.cache import cache_public_page
from portal.imports import write_response
from portal.suppression import SECONDARY_MARKER, primary_marker, threshold_setting

from .. import charts, selectors


def _charts(selected):
    """The selected indicator's tables, each with its chart's SVG."""
    if selected is None:
        return []
    result = []
    for table in selected.tables:
        chart_id = f"chart-{table.key}"
        if table.dimension == "municipality":
            last = table.columns[-1] if table.columns else None
            items = [(label, cells[-1].number) for label, cells, _total in table.rows]
            svg = charts.bar_chart(
                items,
                title=_("%(caption)s, %(year)s") % {"caption": table.caption, "year": last},
                chart_id=chart_id,
                no_data=_("No data"),
            )
        else:
            svg = charts.line_chart(
                table.series(),
                columns=table.columns,
                title=table.caption,
                chart_id=chart_id,
                no_data=_("No data"),
            )
        result.append((table, svg))
    return result


def _render(request, *, public):
    filters = selectors.parse_filters(request.GET, team=not public)
    context = selectors.dashboard(filters=filters, public=public)
    context.update(
        public=public,
        charts=_charts(context["selected"]),
        csv_url_name="monitoring-public-chart-csv" if public else "monitoring-chart-csv",
        query=request.GET.urlencode(),
        threshold=threshold_setting(),
        primary_marker=primary_marker(),
        secondary_marker=SECONDARY_MARKER,
    )
    return render(request, "monitoring/dashboard.html", context)


def _chart_csv(request, code, *, public):
    filters = selectors.parse_filters(request.GET, team=not public)
    figures = selectors.chart_figures(code, filters=filters, public=public)
    if figures is None:
        raise Http404
    unit = figures.indicator.unit
    rows = (
        [str(table.caption), row, column, value, unit]
        for table in figures.tables
        for row, column, value in table.long_rows()
    )
    return write_response(
        [_("Table"), _("Row"), _("Year"), _("Value"), _("Unit")],
        rows,
        file_format="csv",
        basename=f"{_('figures')}-{code}",
    )


@access.public
@cache_public_page
def public_dashboard(request):
    return _render(request, public=True)


@access.public
def public_chart_csv(request, code):
    return _chart_csv(request, code, public=True)


@access.roles_required(access.PROGRAMME_TEAM)
def dashboard(request):
    return _render(request, public=False)


@access.roles_required(access.PROGRAMME_TEAM)
def chart_csv(request, code):
    return _chart_csv(request, code, public=False)
