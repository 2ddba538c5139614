"""The desk's imports, registered with the portal's import flow in LokaalConfig.ready()."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partners.models import Municipality
from portal import access
from portal.imports import Column, Importer

from .models import Case, EducationLevel, HeardVia, OriginSector, ShortageSubject, TargetSector
from .resources import CaseImportResource


def _labels(choices):
    return ", ".join(str(label) for label in choices.labels)


class DeskCaseImporter(Importer):
    key = "desk-cases"
    title = gettext_lazy("Import desk cases")
    resource_class = CaseImportResource
    access_rule = access.Rule([access.DESK_ADVISOR, access.PROGRAMME_TEAM], label="desk")
    required_columns = ("naam", "e-mail", "opleiding")
    done_url_name = "lokaal-case-list"

    def columns(self):
        municipalities = ", ".join(Municipality.objects.values_list("name", flat=True))
        subjects = ", ".join(ShortageSubject.objects.values_list("code", flat=True))
        yes_no = _("ja or nee; empty means nee.")
        return [
            Column("naam", _("The candidate's name."), required=True, example="Fatima el Amrani"),
            Column(
                "e-mail",
                _("The candidate's e-mail address; one open case per address."),
                required=True,
                example="f.elamrani@example.org",
            ),
            Column("telefoon", _("A telephone number."), example="06 12345678"),
            Column("postcode", _("A Dutch postcode."), example="2511 AB"),
            Column(
                "gemeente",
                _("One of: %(values)s.") % {"values": municipalities},
                example=municipalities.split(", ")[0],
            ),
            Column(
                "herkomstsector",
                _("One of: %(values)s. Empty means other.") % {"values": _labels(OriginSector)},
                example=str(OriginSector.GOVERNMENT_CARE.label),
            ),
            Column(
                "opleiding",
                _("One of: %(values)s.") % {"values": _labels(EducationLevel)},
                required=True,
                example=str(EducationLevel.HBO.label),
            ),
            Column("buitenlands_diploma", yes_no, example="nee"),
            Column(
                "doelsectoren",
                _("Codes separated by commas: %(values)s.")
                % {
                    "values": "; ".join(f"{code} = {label}" for code, label in TargetSector.choices)
                },
                example="po, vo",
            ),
            Column(
                "vakken",
                _("Subject codes or names separated by commas: %(values)s.") % {"values": subjects},
                example="wiskunde",
            ),
            Column("ander_vak", _("Another subject, in words.")),
            Column("uren_per_week", _("A whole number from 1 to 40."), example="24"),
            Column("gewenste_start", _("A date, as dd-mm-yyyy."), example="01-09-2026"),
            Column("statushouder", yes_no, example="nee"),
            Column("via", _("One of: %(values)s.") % {"values": _labels(HeardVia)}),
            Column("motivatie", _("Why the candidate wants to teach.")),
            Column(
                "status",
                _("One of: %(values)s. Empty means new.") % {"values": _labels(Case.Status)},
                example=str(Case.Status.CONTACTED.label),
            ),
            Column(
                "datum_aanmelding",
                _("The date the candidate registered, as dd-mm-yyyy. Empty means today."),
                example="15-01-2026",
            ),
            Column(
                "adviseur",
                _("The e-mail address of the desk advisor the case is assigned to."),
            ),
        ]
