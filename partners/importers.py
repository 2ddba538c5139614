"""The partners' imports, registered with the portal's import flow in PartnersConfig.ready()."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal import access
from portal.imports import Column, Importer

from .models import Agreement, Municipality, Organisation, Sector, Signature
from .resources import OrganisationResource, SignatureResource


def _labels(choices):
    return ", ".join(str(label) for label in choices.labels)


class OrganisationImporter(Importer):
    key = "organisations"
    title = gettext_lazy("Import organisations")
    resource_class = OrganisationResource
    access_rule = access.Rule([access.PROGRAMME_TEAM])
    required_columns = ("naam",)
    done_url_name = "partners-organisation-list"

    def columns(self):
        municipalities = ", ".join(Municipality.objects.values_list("name", flat=True))
        return [
            Column(
                "naam",
                _("The organisation's name. A name already in the registry updates it."),
                required=True,
                example="Stichting Voorbeeldscholen",
            ),
            Column(
                "soort",
                _("One of: %(values)s.") % {"values": _labels(Organisation.Kind)},
                example=str(Organisation.Kind.SCHOOL_BOARD.label),
            ),
            Column(
                "sectoren",
                _("Codes separated by commas: %(values)s.")
                % {"values": "; ".join(f"{code} = {label}" for code, label in Sector.Code.choices)},
                example="po, vo",
            ),
            Column(
                "gemeente",
                _("One of: %(values)s.") % {"values": municipalities},
                example=municipalities.split(", ")[0],
            ),
            Column(
                "bestuur",
                _("For a school location: the name or board number of its school board."),
            ),
            Column(
                "bestuursnummer",
                _("For a school board: the five-digit number DUO gives it."),
                example="41234",
            ),
            Column("brin", _("Four characters, or six for a location, e.g. 12AB.")),
            Column("website", _("A web address."), example="www.example.org"),
            Column("actief", _("ja or nee; empty means ja."), example="ja"),
        ]


class SignatureImporter(Importer):
    key = "signatures"
    title = gettext_lazy("Import signatures")
    resource_class = SignatureResource
    access_rule = access.Rule([access.PROGRAMME_TEAM])
    required_columns = ("organisatie", "overeenkomst")
    done_url_name = "partners-agreement-list"

    def columns(self):
        slugs = ", ".join(Agreement.objects.values_list("slug", flat=True))
        return [
            Column(
                "organisatie",
                _("The name of an organisation in the registry."),
                required=True,
                example="Stichting Voorbeeldscholen",
            ),
            Column(
                "overeenkomst",
                _("The agreement's short name: %(values)s.") % {"values": slugs},
                required=True,
                example=slugs.split(", ")[0],
            ),
            Column(
                "status",
                _("One of: %(values)s.") % {"values": _labels(Signature.Status)},
                example=str(Signature.Status.SIGNED.label),
            ),
            Column("datum", _("The date of signing, as dd-mm-yyyy."), example="03-02-2014"),
            Column("ondertekend_door", _("Who signed."), example="J. de Vries, bestuurder"),
        ]
