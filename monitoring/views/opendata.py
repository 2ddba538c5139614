"""Open data: a page that explains the datasets, and the approved aggregates as CSV and JSON
at stable addresses."""

import json

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from portal import access
from portal.cache import cache_public_page
from portal.imports import write_response
from portal.suppression import SECONDARY_MARKER, primary_marker, threshold_setting

from .. import opendata, selectors


@access.public
@cache_public_page
def index(request):
    indicators = selectors.indicators(public=True)
    years = sorted({g["year"] for g in selectors.value_groups()})
    return render(
        request,
        "monitoring/opendata.html",
        {
            "indicators": indicators,
            "first_year": years[0] if years else None,
            "last_year": years[-1] if years else None,
            "licence": opendata.LICENCE,
            "licence_url": opendata.LICENCE_URL,
            "threshold": threshold_setting(),
            "primary_marker": primary_marker(),
            "secondary_marker": SECONDARY_MARKER,
        },
    )


# The files are not cached pages: the cache keeps no headers, and they need theirs.
@access.public
def figures_csv(request):
    headers = [
        _("indicator"),
        _("year"),
        _("breakdown"),
        _("sector"),
        _("area or municipality"),
        _("value"),
        _("unit"),
    ]
    rows = (
        [
            row["indicator"],
            row["year"],
            row["breakdown"],
            row["sector"],
            row["area"],
            row["value"],
            row["unit"],
        ]
        for row in opendata.rows()
    )
    return write_response(headers, rows, file_format="csv", basename="cijfers", stamp=False)


def _json(data, filename):
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=1),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Access-Control-Allow-Origin"] = "*"
    return response


@access.public
def figures_json(request):
    data = opendata.metadata() | {"fields": list(opendata.FIELDS), "rows": list(opendata.rows())}
    return _json(data, "cijfers.json")


@access.public
def indicators_json(request):
    data = opendata.metadata() | {"indicators": opendata.indicator_definitions()}
    return _json(data, "indicatoren.json")
