"""Import and export of desk cases (django-import-export), with Dutch column names.

The import takes the case lists the separate desks kept before the regional desk: every row
is a new case, created with its first status through the workflow and then moved along the
pipeline to the status the file gives. An e-mail address that already has an open case (in
the desk or earlier in the file) is refused on its row. The export writes the same columns,
so an export imports back (into a desk that does not hold those cases).
"""

import datetime
import re

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from import_export import fields, resources

from partners.models import Municipality
from portal import workflow
from portal.imports import ImportResourceMixin, cell_text, choice_lookup, parse_bool, parse_date

from . import services
from .models import (
    MAX_HOURS_PER_WEEK,
    Case,
    EducationLevel,
    HeardVia,
    OriginSector,
    ShortageSubject,
    TargetSector,
)

LIST_SEPARATORS = re.compile(r"\s*[,;/+]\s*")
POSTCODE = re.compile(r"^(\d{4})\s?([A-Za-z]{2})$")


def _date_text(value):
    return value.strftime("%d-%m-%Y") if value else ""


class CaseColumns(resources.ModelResource):
    """The columns the case-list import and export share, in the template's order."""

    name = fields.Field(column_name="naam")
    email = fields.Field(column_name="e-mail")
    phone = fields.Field(column_name="telefoon")
    postcode = fields.Field(column_name="postcode")
    municipality = fields.Field(column_name="gemeente")
    origin_sector = fields.Field(column_name="herkomstsector")
    education_level = fields.Field(column_name="opleiding")
    foreign_diploma = fields.Field(column_name="buitenlands_diploma")
    target_sectors = fields.Field(column_name="doelsectoren")
    subjects = fields.Field(column_name="vakken")
    other_subject = fields.Field(column_name="ander_vak")
    hours_per_week = fields.Field(column_name="uren_per_week")
    wished_start = fields.Field(column_name="gewenste_start")
    is_status_holder = fields.Field(column_name="statushouder")
    heard_via = fields.Field(column_name="via")
    motivation = fields.Field(column_name="motivatie")
    status = fields.Field(column_name="status")
    created_at = fields.Field(column_name="datum_aanmelding")
    assigned_to = fields.Field(column_name="adviseur")

    class Meta:
        model = Case
        fields = (
            "name",
            "email",
            "phone",
            "postcode",
            "municipality",
            "origin_sector",
            "education_level",
            "foreign_diploma",
            "target_sectors",
            "subjects",
            "other_subject",
            "hours_per_week",
            "wished_start",
            "is_status_holder",
            "heard_via",
            "motivation",
            "status",
            "created_at",
            "assigned_to",
        )


class CaseExportResource(CaseColumns):
    reference = fields.Field(column_name="referentie")
    first_response_due = fields.Field(column_name="reactie_uiterlijk")
    first_response_at = fields.Field(column_name="eerste_reactie")
    advised_route = fields.Field(column_name="traject")
    programme_year = fields.Field(column_name="programmajaar")

    class Meta:
        model = Case
        fields = (
            "reference",
            *CaseColumns._meta.fields,
            "first_response_due",
            "first_response_at",
            "advised_route",
            "programme_year",
        )
        export_order = fields

    PERSONAL_FIELDS = ("name", "email", "phone", "postcode", "motivation")

    def __init__(self, *, personal=False, **kwargs):
        super().__init__(**kwargs)
        self.personal = personal

    def get_export_fields(self, selected_fields=None):
        export_fields = super().get_export_fields(selected_fields)
        if self.personal:
            return export_fields
        return [f for f in export_fields if self.get_field_name(f) not in self.PERSONAL_FIELDS]

    def get_export_queryset(self, request=None):
        # No prefetch_related: the subjects are loaded once in before_export.
        return Case.objects.select_related("municipality", "assigned_to", "advised_route").order_by(
            "created_at", "pk"
        )

    def before_export(self, queryset, **kwargs):
        """Subject names per case in one query; choice labels once."""
        self.subject_names = {}
        pairs = Case.subjects.through.objects.filter(case_id__in=queryset.values("pk"))
        for case_id, name in pairs.values_list("case_id", "shortagesubject__name").order_by(
            "shortagesubject__position", "shortagesubject__code"
        ):
            self.subject_names.setdefault(case_id, []).append(name)
        self.labels = {
            choices: {value: str(label) for value, label in choices.choices}
            for choices in (OriginSector, EducationLevel, HeardVia, Case.Status)
        }
        self.yes_no = {True: _("yes"), False: _("no")}

    def _label(self, choices, value):
        return self.labels[choices].get(value, value) if value else ""

    def dehydrate_reference(self, case):
        return case.reference

    def dehydrate_name(self, case):
        return case.name

    def dehydrate_email(self, case):
        return case.email

    def dehydrate_phone(self, case):
        return case.phone

    def dehydrate_postcode(self, case):
        return case.postcode

    def dehydrate_municipality(self, case):
        return case.municipality.name if case.municipality else ""

    def dehydrate_origin_sector(self, case):
        return self._label(OriginSector, case.origin_sector)

    def dehydrate_education_level(self, case):
        return self._label(EducationLevel, case.education_level)

    def dehydrate_foreign_diploma(self, case):
        return self.yes_no[case.foreign_diploma]

    def dehydrate_target_sectors(self, case):
        return ", ".join(case.target_sectors)

    def dehydrate_subjects(self, case):
        return ", ".join(self.subject_names.get(case.pk, ()))

    def dehydrate_other_subject(self, case):
        return case.other_subject

    def dehydrate_hours_per_week(self, case):
        return case.hours_per_week

    def dehydrate_wished_start(self, case):
        return _date_text(case.wished_start)

    def dehydrate_is_status_holder(self, case):
        return self.yes_no[case.is_status_holder]

    def dehydrate_heard_via(self, case):
        return self._label(HeardVia, case.heard_via)

    def dehydrate_motivation(self, case):
        return case.motivation

    def dehydrate_status(self, case):
        return self._label(Case.Status, case.status)

    def dehydrate_created_at(self, case):
        return _date_text(timezone.localtime(case.created_at))

    def dehydrate_assigned_to(self, case):
        return case.assigned_to.email if case.assigned_to else ""

    def dehydrate_first_response_due(self, case):
        return _date_text(case.first_response_due)

    def dehydrate_first_response_at(self, case):
        return (
            _date_text(timezone.localtime(case.first_response_at)) if case.first_response_at else ""
        )

    def dehydrate_advised_route(self, case):
        return case.advised_route.name if case.advised_route else ""

    def dehydrate_programme_year(self, case):
        return case.programme_year


class CaseImportResource(ImportResourceMixin, CaseColumns):
    """Every row a new case; see the module's docstring."""

    class Meta:
        model = Case
        fields = CaseColumns._meta.fields
        import_id_fields = ()
        force_init_instance = True
        skip_unchanged = False
        report_skipped = True
        skip_diff = True
        clean_model_instances = False

    def before_import(self, dataset, **kwargs):
        """Load once what the rows refer to, and the open cases' e-mail addresses."""
        self.origins = choice_lookup(OriginSector)
        self.levels = choice_lookup(EducationLevel)
        self.heard = choice_lookup(HeardVia)
        self.statuses = choice_lookup(Case.Status)
        self.sectors = choice_lookup(TargetSector)
        self.municipalities = {m.name.lower(): m for m in Municipality.objects.all()}
        self.subjects = {}
        for subject in ShortageSubject.objects.all():
            for key in (subject.code, subject.name_nl, subject.name_en):
                if key:
                    self.subjects[key.lower()] = subject
        self.advisors = {
            user.email: user
            for user in get_user_model().objects.filter(
                is_active=True, staff_role__in=["desk_advisor", "programme_team"]
            )
        }
        emails = {services.normalise_email(cell_text(row, "e-mail")) for row in dataset.dict}
        self.open_emails = set(
            Case.objects.open()
            .annotate(lower_email=Lower("email"))
            .filter(lower_email__in=emails)
            .values_list("lower_email", flat=True)
        )
        self.emails_in_file = {}

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        number = self.line(kwargs.get("row_number", 0))
        name = cell_text(row, "naam")
        if not name:
            errors["naam"] = _("Fill in the candidate's name.")
        elif len(name) > 150:
            errors["naam"] = _("The name is longer than 150 characters.")
        instance.name = name
        self._import_email(instance, cell_text(row, "e-mail"), number, errors)
        phone = cell_text(row, "telefoon")
        if phone and not re.fullmatch(r"[+0-9 ()-]{6,30}", phone):
            errors["telefoon"] = _("“%(value)s” is not a telephone number.") % {"value": phone}
        instance.phone = phone
        self._import_postcode(instance, cell_text(row, "postcode"), errors)
        municipality = cell_text(row, "gemeente")
        if municipality and municipality.lower() not in self.municipalities:
            errors["gemeente"] = _("Unknown municipality “%(value)s”.") % {"value": municipality}
        instance.municipality = self.municipalities.get(municipality.lower())
        instance.origin_sector = self._choice(
            row, "herkomstsector", self.origins, OriginSector, errors, default=OriginSector.OTHER
        )
        instance.education_level = self._choice(
            row, "opleiding", self.levels, EducationLevel, errors, required=True
        )
        instance.heard_via = self._choice(row, "via", self.heard, HeardVia, errors, default="")
        status = self._choice(
            row, "status", self.statuses, Case.Status, errors, default=Case.Status.NEW
        )
        instance._target_status = status
        instance.status = Case.Status.NEW
        self._import_sectors(instance, cell_text(row, "doelsectoren"), errors)
        self._import_subjects(instance, cell_text(row, "vakken"), errors)
        instance.other_subject = cell_text(row, "ander_vak")[:150]
        instance.motivation = cell_text(row, "motivatie")
        self._import_hours(instance, cell_text(row, "uren_per_week"), errors)
        for column, attribute, default in (
            ("buitenlands_diploma", "foreign_diploma", False),
            ("statushouder", "is_status_holder", False),
        ):
            try:
                setattr(instance, attribute, parse_bool(row.get(column), default=default))
            except ValueError as error:
                errors[column] = str(error)
        try:
            instance.wished_start = parse_date(row.get("gewenste_start"))
        except ValueError as error:
            errors["gewenste_start"] = str(error)
        today = timezone.localdate()
        try:
            created = parse_date(row.get("datum_aanmelding")) or today
        except ValueError as error:
            errors["datum_aanmelding"] = str(error)
            created = today
        if created > today:
            errors["datum_aanmelding"] = _("The date of registration lies in the future.")
        # Noon, so that the date is the same in every time zone the portal might show.
        instance.created_at = timezone.make_aware(
            datetime.datetime.combine(created, datetime.time(12))
        )
        advisor = cell_text(row, "adviseur").lower()
        if advisor and advisor not in self.advisors:
            errors["adviseur"] = _("No desk advisor has the e-mail address “%(value)s”.") % {
                "value": advisor
            }
        instance.assigned_to = self.advisors.get(advisor)
        if errors:
            raise ValidationError(errors)
        instance.status_changed_at = instance.created_at
        instance.first_response_due = services.first_response_due(instance.created_at)
        instance.identity_email_hash = services.identity_hash(instance.email)
        instance.identity_name_hash = services.identity_hash(services.normalise_name(name))

    def _import_email(self, instance, value, number, errors):
        email = services.normalise_email(value)
        instance.email = email
        if not email:
            errors["e-mail"] = _("Fill in the e-mail address.")
            return
        try:
            validate_email(email)
        except ValidationError:
            errors["e-mail"] = _("“%(value)s” is not an e-mail address.") % {"value": value}
            return
        if email in self.open_emails:
            errors["e-mail"] = _("This e-mail address already has an open case in the desk.")
        elif email in self.emails_in_file:
            errors["e-mail"] = _("This e-mail address is already in row %(row)s.") % {
                "row": self.emails_in_file[email]
            }
        else:
            self.emails_in_file[email] = number

    def _import_postcode(self, instance, value, errors):
        match = POSTCODE.match(value)
        if value and not match:
            errors["postcode"] = _("“%(value)s” is not a Dutch postcode such as 2511 AB.") % {
                "value": value
            }
        instance.postcode = f"{match[1]} {match[2].upper()}" if match else ""

    def _choice(self, row, column, lookup, choices, errors, *, default=None, required=False):
        value = cell_text(row, column)
        if not value:
            if required:
                errors[column] = _("Fill in one of: %(choices)s.") % {
                    "choices": ", ".join(str(label) for label in choices.labels)
                }
            return default
        found = lookup.get(value.lower())
        if found is None:
            errors[column] = _("Unknown value “%(value)s”. Use one of: %(choices)s.") % {
                "value": value,
                "choices": ", ".join(str(label) for label in choices.labels),
            }
        return found or default

    def _import_sectors(self, instance, value, errors):
        codes = [part for part in LIST_SEPARATORS.split(value) if part] if value else []
        unknown = [code for code in codes if code.lower() not in self.sectors]
        if unknown:
            errors["doelsectoren"] = _("Unknown sectors: %(unknown)s. Use: %(codes)s.") % {
                "unknown": ", ".join(unknown),
                "codes": ", ".join(TargetSector.values),
            }
        found = {self.sectors[code.lower()] for code in codes if code.lower() in self.sectors}
        instance.target_sectors = [code for code in TargetSector.values if code in found]

    def _import_subjects(self, instance, value, errors):
        names = [part for part in LIST_SEPARATORS.split(value) if part] if value else []
        unknown = [name for name in names if name.lower() not in self.subjects]
        if unknown:
            errors["vakken"] = _("Unknown subjects: %(unknown)s.") % {"unknown": ", ".join(unknown)}
        instance._subject_ids = [
            self.subjects[name.lower()].pk for name in names if name.lower() in self.subjects
        ]

    def _import_hours(self, instance, value, errors):
        if not value:
            instance.hours_per_week = None
            return
        try:
            hours = int(str(value))
        except ValueError:
            hours = None
        if hours is None or not 1 <= hours <= MAX_HOURS_PER_WEEK:
            errors["uren_per_week"] = _("Fill in a whole number of hours from 1 to %(max)s.") % {
                "max": MAX_HOURS_PER_WEEK
            }
        instance.hours_per_week = hours

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        """Every column is read in import_instance."""

    def save_m2m(self, instance, row, **kwargs):
        """The subjects are set in do_instance_save, with the case."""

    def do_instance_save(self, instance, is_create):
        note = pgettext("change reason", "Import")
        target = instance._target_status
        if instance.is_status_holder:
            # As at the intake: an earlier year's case of the same person is flagged.
            instance.funding_hit = services._earlier_year_case(instance)
        workflow.create(instance, by=self.user, note=note)
        instance.subjects.set(instance._subject_ids)
        for status in _path_to(target):
            services.case_transition(case=instance, to=status, by=self.user, note=note)


def _path_to(target):
    """The statuses from "new" to `target` along the pipeline; each step the workflow allows."""
    if target == Case.Status.NEW:
        return []
    if target in Case.PIPELINE:
        return list(Case.PIPELINE[1 : Case.PIPELINE.index(target) + 1])
    # On hold, withdrawn and not suitable are reachable from "new" directly.
    return [target]
