"""The programme team's overview of the desk: figures, each with its table."""

from django.shortcuts import render
from django.utils.translation import gettext as _

from portal import access

from .. import selectors


@access.roles_required(access.DESK_ADVISOR, access.PROGRAMME_TEAM)
def overview(request):
    # Aggregated figures only, no candidate's personal data: nothing for the access log.
    figures = selectors.overview_figures()
    figures["room_tables"] = [
        (
            _("Open room per target sector, against the matches proposed on it"),
            figures["room_per_sector"],
            _("Sector"),
        ),
        (
            _("Open room per municipality, against the matches proposed on it"),
            figures["room_per_municipality"],
            _("Municipality"),
        ),
    ]
    return render(request, "lokaal/overview_figures.html", figures)
