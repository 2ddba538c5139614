"""The yearly-figures upload, registered with the portal's import flow in MonitoringConfig.ready().

Imported figures are saved as submitted, not as drafts: a partner who uploads the file has
finished their figures, and a separate "submit" step after the upload is easily forgotten,
which would leave the round's completeness view showing drafts the programme team cannot
approve. The preview is the moment to check; a correction is simply uploaded again (a
changed figure goes back to submitted, an unchanged one stays as it is).
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partners.models import Sector
from portal import access
from portal.imports import Column, Importer

from .models import TOPIC, Indicator, ReportingRound
from .resources import FigureResource, FigureScope


def open_rounds(today=None):
    """The reporting rounds open today, newest first."""
    today = today or timezone.localdate()
    return ReportingRound.objects.filter(opens_on__lte=today, closes_on__gte=today)


def submitter_organisation_ids(user):
    """The organisations `user` reports figures for; None for the programme team (any)."""
    if access.PROGRAMME_TEAM in access.roles_of(user):
        return None
    return frozenset(
        organisation_id
        for organisation_id, member in access.memberships_of(user).items()
        if TOPIC in member.topics
    )


class FigureImporter(Importer):
    key = "monitoring-figures"
    title = gettext_lazy("Upload yearly figures")
    resource_class = FigureResource
    access_rule = access.Rule(
        [access.PROGRAMME_TEAM, *access.PARTNER_ROLES], topic=TOPIC, label="figures submitters"
    )
    required_columns = ("organisatie", "indicator", "jaar", "waarde")
    done_url_name = "monitoring-my-figures"

    def scope(self, user):
        """The open rounds, and the organisations where `user` holds the submitter topic."""
        return FigureScope(
            rounds={round_.year: round_ for round_ in open_rounds()},
            organisation_ids=submitter_organisation_ids(user),
        )

    def columns(self):
        rounds = list(open_rounds())
        years = ", ".join(str(r.year) for r in rounds) or _("(no round is open)")
        codes = ", ".join(
            Indicator.objects.exclude(reporting_kinds=[]).values_list("code", flat=True)
        )
        return [
            Column(
                "organisatie",
                _("The organisation's name, board number or BRIN."),
                required=True,
                example="41234",
            ),
            Column(
                "indicator",
                _("The indicator's code: %(codes)s.") % {"codes": codes},
                required=True,
                example=codes.split(", ")[0] if codes else "",
            ),
            Column(
                "jaar",
                _("The year of the open round: %(years)s.") % {"years": years},
                required=True,
                example=str(rounds[0].year) if rounds else "",
            ),
            Column(
                "sector",
                _("Optional: one of %(codes)s; empty when the figure covers every sector.")
                % {"codes": ", ".join(Sector.Code.values)},
                example="po",
            ),
            Column(
                "waarde",
                _("A number; a decimal comma is fine."),
                required=True,
                example="12",
            ),
            Column(
                "toelichting",
                _(
                    "A comment; required when the value changed by more than half "
                    "against last year."
                ),
            ),
        ]
