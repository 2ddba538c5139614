"""The public intake form of the desk: what a career switcher tells us to get started."""

import datetime
import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from partners.models import Municipality
from portal.forms import (
    ErrorSummaryMixin,
    HoneypotMixin,
    ListOrOtherField,
    honeypot_field,
    normalise_phone,
)

from ..models import (
    MAX_HOURS_PER_WEEK,
    EducationLevel,
    HeardVia,
    OriginSector,
    ShortageSubject,
    TargetSector,
)

# The value of the municipality choice for someone living elsewhere; the case then has none.
OTHER_MUNICIPALITY = "other"
# How far ahead a wished start can plausibly be.
MAX_YEARS_AHEAD = 5
POSTCODE = re.compile(r"^([1-9][0-9]{3})\s*([A-Z]{2})$")


def normalise_postcode(value):
    """A Dutch postcode as "1234 AB", or None when it is not one."""
    match = POSTCODE.match(value.strip().upper())
    return f"{match.group(1)} {match.group(2)}" if match else None


def municipality_choices(municipalities):
    """The region's municipalities first, then others, then "elsewhere"."""
    region = [(str(m.pk), m.name) for m in municipalities if m.in_region]
    elsewhere = [(str(m.pk), m.name) for m in municipalities if not m.in_region]
    choices = [("", _("Choose your municipality"))]
    if region:
        choices.append((_("Haaglanden region"), region))
    if elsewhere:
        choices.append((_("Elsewhere"), elsewhere))
    choices.append((OTHER_MUNICIPALITY, _("Another municipality, or outside the Netherlands")))
    return choices


def _all_municipality_choices():
    return municipality_choices(Municipality.objects.order_by("name"))


class MunicipalityField(ListOrOtherField):
    """A municipality of the list (some 340), or OTHER_MUNICIPALITY (cleaned to None)."""

    def __init__(self, **kwargs):
        super().__init__(
            choices=_all_municipality_choices,
            queryset=Municipality.objects.all,
            other=OTHER_MUNICIPALITY,
            **kwargs,
        )


class SubjectField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class IntakeForm(HoneypotMixin, ErrorSummaryMixin, forms.Form):
    """Validates and normalises the intake; cleaned_data fits lokaal.services.intake_submit."""

    form_id = "intake-form"

    name = forms.CharField(
        label=_("Your name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={
            "required": _("Enter your name."),
            "max_length": _("Your name can be at most %(limit_value)d characters long."),
        },
    )
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        help_text=_("We send a confirmation with your reference number to this address."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": _("Enter your e-mail address."),
            "invalid": _("Enter an e-mail address in the form name@example.nl."),
            "max_length": _("An e-mail address can be at most %(limit_value)d characters long."),
        },
    )
    phone = forms.CharField(
        label=_("Phone number (optional)"),
        max_length=30,
        required=False,
        help_text=_("For example 06 12345678 or +31 70 123 4567."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
        error_messages={
            "max_length": _("A phone number can be at most %(limit_value)d characters long."),
        },
    )
    postcode = forms.CharField(
        label=_("Postcode"),
        max_length=10,
        help_text=_("Four digits and two letters, for example 2511 AB."),
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "size": "8"}),
        error_messages={
            "required": _("Enter your postcode."),
            "max_length": _(
                "Enter a Dutch postcode: four digits and two letters, such as 2511 AB."
            ),
        },
    )
    municipality = MunicipalityField(
        label=_("Municipality where you live"),
        error_messages={
            "required": _(
                "Choose the municipality where you live; if it is not in the list, "
                "choose the last option."
            ),
            "invalid_choice": _("Choose a municipality from the list."),
        },
    )
    origin_sector = forms.ChoiceField(
        label=_("Your current or last work sector"),
        choices=OriginSector.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose the sector you work in or last worked in."),
            "invalid_choice": _("Choose one of the sectors in the list."),
        },
    )
    education_level = forms.ChoiceField(
        label=_("Your highest completed education"),
        choices=EducationLevel.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose your highest completed education."),
            "invalid_choice": _("Choose one of the education levels in the list."),
        },
    )
    foreign_diploma = forms.BooleanField(
        label=_("I obtained this diploma outside the Netherlands"),
        required=False,
        help_text=_("Then we help you get it recognised."),
    )
    target_sectors = forms.MultipleChoiceField(
        label=_("Where would you like to teach?"),
        choices=TargetSector.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Choose one or more."),
        error_messages={
            "required": _("Choose at least one type of education where you would like to teach."),
            "invalid_choice": _("Choose from the types of education in the list."),
        },
    )
    subjects = SubjectField(
        label=_("Subjects you are interested in (optional)"),
        queryset=ShortageSubject.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Schools in the region need teachers for these subjects most."),
        error_messages={
            "invalid_choice": _("Choose from the subjects in the list."),
            "invalid_pk_value": _("Choose from the subjects in the list."),
            "invalid_list": _("Choose from the subjects in the list."),
        },
    )
    other_subject = forms.CharField(
        label=_("Another subject (optional)"),
        max_length=150,
        required=False,
        error_messages={
            "max_length": _("Describe the subject in at most %(limit_value)d characters."),
        },
    )
    hours_per_week = forms.IntegerField(
        label=_("Hours per week you would like to work (optional)"),
        required=False,
        min_value=1,
        max_value=MAX_HOURS_PER_WEEK,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "invalid": _("Enter the hours per week as a whole number, for example 24."),
            "min_value": _("Enter at least %(limit_value)s hour per week."),
            "max_value": _("Enter at most %(limit_value)s hours per week."),
        },
    )
    wished_start = forms.DateField(
        label=_("When would you like to start? (optional)"),
        required=False,
        help_text=_("An approximate date is fine."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a date, for example 2026-09-01.")},
    )
    is_status_holder = forms.BooleanField(
        label=_("I am a status holder, or I was displaced from Ukraine"),
        required=False,
        help_text=_(
            "The region has a special programme with extra support for you. You do not have to "
            "answer: it only helps us offer that support."
        ),
    )
    heard_via = forms.ChoiceField(
        label=_("How did you hear about the desk? (optional)"),
        choices=[("", pgettext_lazy("heard via", "Choose"))] + HeardVia.choices,
        required=False,
        error_messages={"invalid_choice": _("Choose one of the options in the list.")},
    )
    motivation = forms.CharField(
        label=_("Why would you like to teach? (optional)"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("A few sentences are enough. At most 4000 characters."),
        error_messages={
            "max_length": _(
                "Shorten your motivation to at most %(limit_value)d characters "
                "(it has %(show_value)d)."
            ),
        },
    )
    consent = forms.BooleanField(
        label=_("I have read the privacy statement and agree that the desk keeps my details"),
        error_messages={
            "required": _(
                "Tick the box to agree to the privacy statement: without it the desk cannot "
                "keep your details."
            )
        },
    )
    extra_info = honeypot_field()

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(_("Enter your name."), code="required")
        return name

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean_phone(self):
        value = self.cleaned_data["phone"]
        if not value.strip():
            return ""
        phone = normalise_phone(value)
        if phone is None:
            raise forms.ValidationError(
                _(
                    "Enter a phone number of ten digits, such as 06 12345678, or an international "
                    "number starting with +."
                ),
                code="invalid",
            )
        return phone

    def clean_postcode(self):
        postcode = normalise_postcode(self.cleaned_data["postcode"])
        if postcode is None:
            raise forms.ValidationError(
                _("Enter a Dutch postcode: four digits and two letters, such as 2511 AB."),
                code="invalid",
            )
        return postcode

    def clean_wished_start(self):
        wished = self.cleaned_data["wished_start"]
        if wished is None:
            return None
        today = timezone.localdate()
        if wished < today:
            raise forms.ValidationError(
                _("Choose a date from today on; leave the field empty if you are not sure."),
                code="past",
            )
        if wished > today + datetime.timedelta(days=365 * MAX_YEARS_AHEAD):
            raise forms.ValidationError(
                _("Choose a date within %(years)d years from now.") % {"years": MAX_YEARS_AHEAD},
                code="too_late",
            )
        return wished

    def clean(self):
        cleaned = super().clean()
        subjects = cleaned.get("subjects")
        other_chosen = subjects is not None and any(
            subject.code == ShortageSubject.OTHER_CODE for subject in subjects
        )
        if other_chosen and not cleaned.get("other_subject"):
            self.add_error(
                "other_subject", _("You chose “other”: write down which subject you mean.")
            )
        return cleaned
