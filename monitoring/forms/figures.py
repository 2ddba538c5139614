"""Forms of the yearly figures: indicators, rounds, the value filters and the review."""

from django import forms
from django.utils.translation import gettext_lazy as _

from partners.models import Organisation

from ..models import FigureValue, Indicator, ReportingRound


class IndicatorForm(forms.ModelForm):
    reporting_kinds = forms.TypedMultipleChoiceField(
        label=_("Reported by"),
        choices=Organisation.Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None: the figures come from a public source, not from the partners."),
    )

    class Meta:
        model = Indicator
        fields = [
            "code",
            "name_nl",
            "name_en",
            "unit_nl",
            "unit_en",
            "sector",
            "reporting_kinds",
            "aggregation",
            "min_value",
            "max_value",
            "decimals",
            "counts_persons",
            "description_nl",
            "description_en",
            "source",
            "is_public",
            "position",
        ]

        labels = {
            "name_nl": _("Name (Dutch)"),
            "name_en": _("Name (English)"),
            "unit_nl": _("Unit (Dutch)"),
            "unit_en": _("Unit (English)"),
            "description_nl": _("Description (Dutch)"),
            "description_en": _("Description (English)"),
        }

    def clean_code(self):
        return self.cleaned_data["code"].strip().lower()

    def clean_sector(self):
        return self.cleaned_data["sector"].strip().lower()

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("min_value"), cleaned.get("max_value")
        if low is not None and high is not None and high < low:
            self.add_error("max_value", _("The highest value must not be below the lowest."))
        return cleaned


class RoundForm(forms.ModelForm):
    class Meta:
        model = ReportingRound
        fields = ["year", "opens_on", "closes_on", "indicators", "note"]
        widgets = {
            "opens_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "closes_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "indicators": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicators"].queryset = Indicator.objects.exclude(reporting_kinds=[])

    def clean(self):
        cleaned = super().clean()
        opens, closes = cleaned.get("opens_on"), cleaned.get("closes_on")
        if opens and closes and closes < opens:
            self.add_error("closes_on", _("The round must close on or after the day it opens."))
        return cleaned


class ValueFilterForm(forms.Form):
    round = forms.ModelChoiceField(
        label=_("Round"),
        queryset=ReportingRound.objects.all(),
        required=False,
        to_field_name="year",
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Any status")), *FigureValue.Status.choices],
        required=False,
    )
    indicator = forms.ModelChoiceField(
        label=_("Indicator"), queryset=Indicator.objects.all(), required=False
    )
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.filter(figure_values__isnull=False).distinct(),
        required=False,
    )

    def filter(self, queryset):
        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        if data["round"]:
            queryset = queryset.filter(year=data["round"].year)
        if data["status"]:
            queryset = queryset.filter(status=data["status"])
        if data["indicator"]:
            queryset = queryset.filter(indicator=data["indicator"])
        if data["organisation"]:
            queryset = queryset.filter(organisation=data["organisation"])
        return queryset


class ReviewForm(forms.Form):
    APPROVE = "approve"
    REJECT = "reject"

    values = forms.ModelMultipleChoiceField(
        label=_("Figures"),
        queryset=FigureValue.objects.filter(status=FigureValue.Status.SUBMITTED),
        error_messages={"required": _("Select at least one submitted figure.")},
    )
    action = forms.ChoiceField(
        label=_("Decision"),
        choices=[(APPROVE, _("Approve")), (REJECT, _("Reject"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason for rejection"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when rejecting; the submitter sees it."),
    )

    def clean_reason(self):
        return self.cleaned_data["reason"].strip()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") == self.REJECT and not cleaned.get("reason"):
            self.add_error("reason", _("Give the reason for the rejection."))
        return cleaned
