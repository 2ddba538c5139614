"""The programme team's form that starts a monitor."""

import re

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.forms import ErrorSummaryMixin

PERIOD = re.compile(r"^\s*(\d{4})\s*[-–]\s*(\d{4})\s*$")


class MonitorRequestForm(ErrorSummaryMixin, forms.Form):
    form_id = "monitor-form"

    period = forms.CharField(
        label=_("Period"),
        max_length=20,
        help_text=_("Two years in a row, for example 2025-2026."),
    )
    language = forms.ChoiceField(label=_("Language of the report"), choices=settings.LANGUAGES)

    def clean_period(self):
        match = PERIOD.match(self.cleaned_data["period"])
        if not match:
            raise forms.ValidationError(
                _("Enter the period as two years in a row, for example 2025-2026.")
            )
        start_year, end_year = int(match[1]), int(match[2])
        if end_year != start_year + 1:
            raise forms.ValidationError(
                _("A monitor covers two years in a row: enter for example 2025-2026.")
            )
        if not 2000 <= start_year <= timezone.localdate().year:
            raise forms.ValidationError(_("Choose a period that has started, from 2000 on."))
        return start_year, end_year
