from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import Agreement, CommitmentProgress, Contact, Organisation, Signature


def https_by_default(field, **kwargs):
    """Web addresses typed without a scheme get https://, as browsers do."""
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class OrganisationForm(forms.ModelForm):
    class Meta:
        model = Organisation
        formfield_callback = https_by_default
        fields = [
            "name",
            "kind",
            "sectors",
            "municipality",
            "parent",
            "board_number",
            "brin",
            "website",
            "active",
        ]
        widgets = {"sectors": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = Organisation.objects.filter(
            kind=Organisation.Kind.SCHOOL_BOARD
        )

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())

    def clean_brin(self):
        # Typed as "12 ab"; the model's validator checks the form of the normalised value.
        return self.cleaned_data["brin"].upper().replace(" ", "")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("parent") and cleaned.get("kind") != Organisation.Kind.SCHOOL_LOCATION:
            self.add_error(
                "parent", _("Only a school location belongs to a board: choose that kind first.")
            )
        return cleaned


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["name", "function", "email", "phone", "topics", "ended_on"]
        widgets = {"ended_on": forms.DateInput(attrs={"type": "date"})}

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()


class AgreementForm(forms.ModelForm):
    """The agreement with its public texts in Dutch and in English, side by side.

    The Dutch name is required; an empty English text means the public pages show the Dutch
    one, marked as Dutch.
    """

    class Meta:
        model = Agreement
        fields = [
            "name_nl",
            "name_en",
            "slug",
            "kind",
            "date",
            "summary_nl",
            "summary_en",
            "is_public",
        ]
        labels = {
            "name_nl": _("Name (Dutch)"),
            "name_en": _("Name (English)"),
            "summary_nl": _("Summary (Dutch)"),
            "summary_en": _("Summary (English)"),
        }
        help_texts = {
            "name_en": _("Shown on the English pages. Empty: the Dutch name is shown there."),
            "summary_en": _("Shown on the English pages. Empty: the Dutch summary is shown there."),
        }
        error_messages = {
            "name_nl": {"unique": _("An agreement with this Dutch name already exists.")},
            "name_en": {"unique": _("An agreement with this English name already exists.")},
        }
        widgets = {"date": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The translation fields are nullable copies of `name`, so only the Dutch one, the
        # default language, is required.
        self.fields["name_nl"].required = True
        self.fields["name_en"].required = False

    def clean_name_nl(self):
        return " ".join(self.cleaned_data["name_nl"].split())

    def clean_name_en(self):
        return " ".join((self.cleaned_data["name_en"] or "").split()) or None


class SignatureForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.filter(active=True)
    )
    status = forms.ChoiceField(label=_("Status"), choices=Signature.Status.choices)
    signed_on = forms.DateField(
        label=_("Signed on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    signed_by = forms.CharField(
        label=_("Signatory's function"),
        required=False,
        max_length=150,
        help_text=_("The function of the person who signed, for example “Chair of the board”."),
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, agreement, **kwargs):
        self.agreement = agreement
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = self.fields["organisation"].queryset.exclude(
            signatures__agreement=agreement
        )


class SignatureStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"))
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Why the status changes, for the history."),
    )

    def __init__(self, *args, signature, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the changes the workflow allows and the user's role may make are offered.
        self.fields["status"].choices = [
            (value, Signature.workflow.label(value))
            for value in Signature.workflow.targets(signature.status, user)
        ]


class ProgressForm(forms.ModelForm):
    class Meta:
        model = CommitmentProgress
        formfield_callback = https_by_default
        fields = ["state", "evidence", "evidence_url"]
        widgets = {"evidence": forms.Textarea(attrs={"rows": 3})}


class ExportForm(forms.Form):
    format = forms.ChoiceField(
        label=_("Format"), choices=[("xlsx", "Excel (.xlsx)"), ("csv", "CSV")], initial="xlsx"
    )
