"""A manifesto signatory's year: its figures, next to the state of each commitment
(partners.forms.ProgressForm, one per commitment)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.forms import error_summary_items

from ..models import ManifestoYear

COUNT_FIELDS = ("supervisors_trained", "campaign_contributions", "design_sessions_attended")
NOT_NEGATIVE = _("Enter 0 or a larger whole number, or leave the field empty.")


class ManifestoYearForm(forms.ModelForm):
    class Meta:
        model = ManifestoYear
        fields = [
            "supervisors_trained",
            "campaign_contributions",
            "design_sessions_attended",
            "reporting_procedure",
            "reflection_meeting_held",
            "measurement_taken_part",
            "note",
        ]
        widgets = {"note": forms.Textarea(attrs={"rows": 4})}
        help_texts = {
            "supervisors_trained": _("The number trained in this year. Empty: not known."),
            "note": _("Optional: what the figures do not tell."),
        }
        error_messages = {
            name: {"min_value": NOT_NEGATIVE, "invalid": NOT_NEGATIVE, "max_value": NOT_NEGATIVE}
            for name in COUNT_FIELDS
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in COUNT_FIELDS:
            # A number field without the browser's spinner text: the server says what is wrong.
            self.fields[name].widget.attrs.update({"min": 0, "inputmode": "numeric"})
        self.fields["note"].max_length = 4000
        self.fields["note"].widget.attrs["maxlength"] = 4000

    def clean_note(self):
        return self.cleaned_data["note"].strip()


def error_summary(forms_and_legends):
    """(label, message, anchor id) of every error of several forms, for one summary."""
    return [
        item
        for legend, form in forms_and_legends
        for item in error_summary_items(form, legend=legend)
    ]
