"""Forms of the action agendas: agendas, programme lines, activities, status changes and
progress updates."""

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partners.models import Organisation
from portal.forms import ErrorSummaryMixin
from portal.uploads import check_upload

from ..models import Activity, Agenda, Indicator, ProgrammeLine

MAX_ATTACHMENT_BYTES = getattr(settings, "MONITORING_MAX_ATTACHMENT_BYTES", 10 * 1024 * 1024)


class AgendaForm(ErrorSummaryMixin, forms.ModelForm):
    class Meta:
        model = Agenda
        fields = [
            "name",
            "slug",
            "start_year",
            "end_year",
            "description",
            "source",
            "is_public",
            "position",
        ]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_year"), cleaned.get("end_year")
        if start and end and end < start:
            self.add_error("end_year", _("The last year cannot be before the first year."))
        return cleaned


class ProgrammeLineForm(ErrorSummaryMixin, forms.ModelForm):
    class Meta:
        model = ProgrammeLine
        fields = ["code", "title", "ambitions", "position"]

    def __init__(self, *args, agenda, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.agenda = agenda

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        taken = ProgrammeLine.objects.filter(agenda=self.instance.agenda, code__iexact=code)
        if taken.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(
                _("This agenda already has a programme line with this code. Choose another.")
            )
        return code


def organisations():
    return Organisation.objects.order_by("name")


class ActivityForm(ErrorSummaryMixin, forms.ModelForm):
    """Every field of an activity except its status (changed through a status change)."""

    partners = forms.ModelMultipleChoiceField(
        label=_("Partners"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    intended_partners = forms.ModelMultipleChoiceField(
        label=_("Intended partners"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    indicators = forms.ModelMultipleChoiceField(
        label=_("Indicators"),
        queryset=Indicator.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Activity
        fields = [
            "line",
            "code",
            "title",
            "goal",
            "period",
            "start_year",
            "end_year",
            "intended_results",
            "products",
            "lead",
            "lead_text",
            "partners",
            "partners_text",
            "intended_partners",
            "intended_partners_text",
            "funding",
            "budget",
            "progress",
            "indicators",
            "position",
        ]

    def __init__(self, *args, agenda, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["line"].queryset = ProgrammeLine.objects.filter(agenda=agenda)
        self.fields["line"].empty_label = None
        self.fields["lead"].queryset = organisations()
        self.fields["partners"].queryset = organisations()
        self.fields["intended_partners"].queryset = organisations()
        self.fields["indicators"].queryset = Indicator.objects.all()
        self.fields["progress"].widget.attrs.update({"min": 0, "max": 100})

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_year"), cleaned.get("end_year")
        if start and end and end < start:
            self.add_error("end_year", _("The last year cannot be before the first year."))
        line, code = cleaned.get("line"), cleaned.get("code")
        if line and code:
            taken = Activity.objects.filter(line=line, code__iexact=code.strip())
            if taken.exclude(pk=self.instance.pk).exists():
                self.add_error(
                    "code",
                    _("This programme line already has an activity with this code."),
                )
        return cleaned


class StatusForm(ErrorSummaryMixin, forms.Form):
    """A status change: only the changes the workflow offers this user."""

    status = forms.ChoiceField(label=_("New status"))
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, activity, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = status_choices(activity, user)


def status_choices(activity, user):
    return [
        (value, Activity.workflow.label(value))
        for value in Activity.workflow.targets(activity.status, user)
    ]


class ProgressUpdateForm(ErrorSummaryMixin, forms.Form):
    """A progress update: text, date, optional new status, progress and attachment."""

    text = forms.CharField(
        label=_("What happened?"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )
    date = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}), required=True
    )
    status = forms.ChoiceField(label=_("New status (optional)"), required=False)
    progress = forms.IntegerField(
        label=_("Progress in percent (optional)"),
        required=False,
        min_value=0,
        max_value=100,
    )
    attachment = forms.FileField(
        label=_("Attachment (optional)"),
        required=False,
        help_text=_("A PDF or an image (PNG, JPEG, GIF or WebP)."),
    )

    def __init__(self, *args, activity, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("Keep the status"))] + status_choices(
            activity, user
        )
        self.fields["date"].initial = timezone.localdate()
        self.fields["progress"].initial = activity.progress
        self.fields["date"].widget.attrs["max"] = timezone.localdate().isoformat()

    def clean_text(self):
        text = self.cleaned_data["text"].strip()
        if not text:
            raise forms.ValidationError(_("Describe what happened."))
        return text

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return date

    def clean_attachment(self):
        upload = self.cleaned_data.get("attachment")
        if upload:
            upload.content_type_checked = check_upload(upload, max_bytes=MAX_ATTACHMENT_BYTES)
        return upload
