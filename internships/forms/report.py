"""The public report form: a report of internship discrimination, without an account.

cleaned_data fits internships.services.report_submit: the field names are the keys of
REPORT_FIELDS (plus consent, attachments and the honeypot), and the attachments carry the type
found in their content as `content_type_checked`.
"""

import datetime

from django import forms
from django.conf import settings
from django.core.validators import validate_email
from django.db.models import Q
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from partners.models import Organisation, Sector
from portal.forms import (
    ErrorSummaryMixin,
    HoneypotMixin,
    ListOrOtherField,
    PlainTextField,
    honeypot_field,
    normalise_phone,
)
from portal.uploads import check_upload

from ..models import Ground, Level, Phase, ReporterRole, Wish

# The institution choice for another institution, or when the reporter does not know it.
OTHER_INSTITUTION = "other"
EARLIEST_DATE = datetime.date(2000, 1, 1)
CONTACT_FIELDS = ("contact_name", "contact_email", "contact_phone")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Zero or more files, each checked by its content (portal.uploads); the type found is put
    on the upload as `content_type_checked`, which the services store."""

    widget = MultipleFileInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        uploads = [item for item in (data if isinstance(data, (list, tuple)) else [data]) if item]
        limit = settings.INTERNSHIPS_MAX_ATTACHMENTS
        if len(uploads) > limit:
            raise forms.ValidationError(
                ngettext(
                    "Add at most %(limit)d file.",
                    "Add at most %(limit)d files; choose the most important ones.",
                    limit,
                )
                % {"limit": limit},
                code="too_many",
            )
        errors = []
        for upload in uploads:
            if not hasattr(upload, "size") or not hasattr(upload, "seek"):
                errors.append(forms.ValidationError(_("Choose a file to add."), code="invalid"))
                continue
            try:
                upload.content_type_checked = check_upload(
                    upload, max_bytes=settings.INTERNSHIPS_MAX_ATTACHMENT_BYTES
                )
            except forms.ValidationError as error:
                errors.append(error)
        if errors:
            raise forms.ValidationError(errors)
        return uploads


def attachments_help_text():
    return _(
        "Optional. At most %(count)d files of %(size)s each: PDF documents or images (PNG, "
        "JPEG, GIF, WebP), such as a screenshot of a message. Only the people handling your "
        "report can open them."
    ) % {
        "count": settings.INTERNSHIPS_MAX_ATTACHMENTS,
        "size": filesizeformat(settings.INTERNSHIPS_MAX_ATTACHMENT_BYTES),
    }


def educational_institutions():
    """The institutions a student can be at: universities (of applied sciences), and school
    boards for vocational education (mbo)."""
    return (
        Organisation.objects.filter(active=True)
        .filter(
            Q(
                kind__in=[
                    Organisation.Kind.UNIVERSITY_OF_APPLIED_SCIENCES,
                    Organisation.Kind.UNIVERSITY,
                ]
            )
            | Q(kind=Organisation.Kind.SCHOOL_BOARD, sectors__code=Sector.Code.MBO)
        )
        .distinct()
        .order_by("name")
    )


def _institution_choices():
    return [
        ("", _("Choose the institution")),
        *((str(pk), name) for pk, name in educational_institutions().values_list("pk", "name")),
        (OTHER_INSTITUTION, _("Another institution, or I do not know")),
    ]


class InstitutionField(ListOrOtherField):
    """An educational institution of the partner registry, or OTHER_INSTITUTION (→ None)."""

    def __init__(self, **kwargs):
        super().__init__(
            choices=_institution_choices,
            queryset=educational_institutions,
            other=OTHER_INSTITUTION,
            **kwargs,
        )


ANONYMOUS_CHOICES = [
    ("yes", _("Anonymously: I do not leave my name or contact details")),
    ("no", _("With my contact details, so that the handler can also contact me")),
]


class ReportForm(HoneypotMixin, ErrorSummaryMixin, forms.Form):
    form_id = "report-form"

    reporter_role = forms.ChoiceField(
        label=_("Who are you?"),
        choices=ReporterRole.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose who you are: the student, a supervisor, a witness or other."),
            "invalid_choice": _("Choose one of the options in the list."),
        },
    )
    institution = InstitutionField(
        label=_("The student's school or institution"),
        help_text=_("If it is not in the list, or you do not know it, choose the last option."),
        error_messages={
            "required": _(
                "Choose the student's institution; if it is not in the list, choose the last "
                "option."
            ),
            "invalid_choice": _("Choose an institution from the list."),
        },
    )
    level = forms.ChoiceField(
        label=_("Level of the student's education"),
        choices=Level.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose the level of the student's education."),
            "invalid_choice": _("Choose one of the levels in the list."),
        },
    )
    phase = forms.ChoiceField(
        label=_("At what stage did it happen?"),
        choices=Phase.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _(
                "Choose whether it happened while finding a placement, applying, or during "
                "the internship."
            ),
            "invalid_choice": _("Choose one of the options in the list."),
        },
    )
    grounds = forms.MultipleChoiceField(
        label=_("What do you think was the reason?"),
        choices=Ground.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Choose one or more."),
        error_messages={
            "required": _("Choose at least one reason; choose “other” if none fits."),
            "invalid_choice": _("Choose from the reasons in the list."),
            "invalid_list": _("Choose from the reasons in the list."),
        },
    )
    ground_other = PlainTextField(
        label=pgettext_lazy("ground", "Other reason"),
        max_length=200,
        required=False,
        help_text=_("Only when you chose “other”."),
        error_messages={
            "max_length": _("Describe the reason in at most %(limit_value)d characters."),
        },
    )
    description = PlainTextField(
        label=_("What happened?"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_(
            "Describe what happened, in your own words. You do not have to name people. At most "
            "5000 characters."
        ),
        error_messages={
            "required": _("Describe what happened."),
            "max_length": _(
                "Shorten your description to at most %(limit_value)d characters "
                "(it has %(show_value)d)."
            ),
        },
    )
    occurred_on = forms.DateField(
        label=_("Date it happened (optional)"),
        required=False,
        help_text=_("An approximate date is fine."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a date, for example 2026-03-15.")},
    )
    place = PlainTextField(
        label=_("Where did it happen? (optional)"),
        max_length=200,
        required=False,
        help_text=_("For example the name of the company or organisation."),
        error_messages={
            "max_length": _("Write the place in at most %(limit_value)d characters."),
        },
    )
    wish = forms.ChoiceField(
        label=_("What would you like to happen?"),
        choices=Wish.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose what you would like to happen with your report."),
            "invalid_choice": _("Choose one of the options in the list."),
        },
    )
    anonymous = forms.TypedChoiceField(
        label=_("Do you want to report anonymously?"),
        choices=ANONYMOUS_CHOICES,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        help_text=_(
            "Either way you can follow your report with the code you get after sending it."
        ),
        error_messages={
            "required": _("Choose whether you report anonymously or with your contact details."),
            "invalid_choice": _("Choose one of the two options."),
        },
    )
    contact_name = PlainTextField(
        label=_("Your name (optional)"),
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={
            "max_length": _("Your name can be at most %(limit_value)d characters long."),
        },
    )
    contact_email = PlainTextField(
        label=_("E-mail address"),
        max_length=254,
        required=False,
        help_text=_("We only tell you here that there is news; never what it is about."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "max_length": _("An e-mail address can be at most %(limit_value)d characters long."),
        },
    )
    contact_phone = PlainTextField(
        label=_("Phone number"),
        max_length=30,
        required=False,
        help_text=_("For example 06 12345678 or +31 70 123 4567."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
        error_messages={
            "max_length": _("A phone number can be at most %(limit_value)d characters long."),
        },
    )
    attachments = AttachmentsField(label=_("Attachments (optional)"))
    consent = forms.BooleanField(
        label=_("I agree that my report is kept and handled as described above"),
        error_messages={
            "required": _(
                "Tick the box to agree: without it we cannot keep and handle your report."
            )
        },
    )
    extra_info = honeypot_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = attachments_help_text()

    def clean_occurred_on(self):
        occurred = self.cleaned_data["occurred_on"]
        if occurred is None:
            return None
        if occurred > timezone.localdate():
            raise forms.ValidationError(
                _("The date cannot be in the future; leave it empty if you are not sure."),
                code="future",
            )
        if occurred < EARLIEST_DATE:
            raise forms.ValidationError(
                _("Enter a date from 2000 on; leave it empty if you are not sure."),
                code="too_early",
            )
        return occurred

    def clean_contact_name(self):
        return " ".join(self.cleaned_data["contact_name"].split())

    def clean(self):
        cleaned = super().clean()
        grounds = cleaned.get("grounds") or []
        if Ground.OTHER in grounds:
            if (
                not (cleaned.get("ground_other") or "").strip()
                and "ground_other" not in self.errors
            ):
                self.add_error(
                    "ground_other", _("You chose “other”: write down which reason you mean.")
                )
        elif "ground_other" in cleaned:
            cleaned["ground_other"] = ""
        anonymous = cleaned.get("anonymous")
        if anonymous is True:
            # Anonymous: whatever was typed in the contact fields is dropped, unchecked.
            for name in CONTACT_FIELDS:
                self.errors.pop(name, None)
                cleaned[name] = ""
        elif anonymous is False:
            self._clean_contact(cleaned)
        return cleaned

    def _clean_contact(self, cleaned):
        email = (cleaned.get("contact_email") or "").strip().lower()
        phone = (cleaned.get("contact_phone") or "").strip()
        if email and "contact_email" not in self.errors:
            try:
                validate_email(email)
            except forms.ValidationError:
                self.add_error(
                    "contact_email", _("Enter an e-mail address in the form name@example.nl.")
                )
            cleaned["contact_email"] = email
        if phone and "contact_phone" not in self.errors:
            normalised = normalise_phone(phone)
            if normalised is None:
                self.add_error(
                    "contact_phone",
                    _(
                        "Enter a phone number of ten digits, such as 06 12345678, or an "
                        "international number starting with +."
                    ),
                )
            cleaned["contact_phone"] = normalised or phone
        if not email and not phone and not self.errors.keys() & {"contact_email", "contact_phone"}:
            self.add_error(
                "contact_email",
                _(
                    "Enter an e-mail address or a phone number, so that the handler can contact "
                    "you; or choose to report anonymously."
                ),
            )
