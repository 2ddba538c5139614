"""Forms of the handler's side: the queue's filters and the forms on a report's page."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from partners.models import Organisation
from portal import access
from portal.forms import ErrorSummaryMixin, PlainTextField

from ..models import Outcome, Report

MAX_TEXT_LENGTH = 5000


class HandlerTextField(PlainTextField):
    """A handler's free text: at most MAX_TEXT_LENGTH characters, in a text area."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", MAX_TEXT_LENGTH)
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 4}))
        super().__init__(**kwargs)


class ReportFilter(django_filters.FilterSet):
    """The queue's search and filters; institution and routing are for the programme team."""

    q = django_filters.CharFilter(
        label=_("Reference"), method="search", help_text=_("For example STG-2026-00042")
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Report.Status.choices, empty_label=_("Any status")
    )
    overdue = django_filters.BooleanFilter(
        label=_("Only overdue first responses"),
        method="filter_overdue",
        widget=forms.CheckboxInput,
    )
    unread = django_filters.BooleanFilter(
        label=_("Only reports with a new message from the reporter"),
        method="filter_unread",
        widget=forms.CheckboxInput,
    )
    institution = django_filters.ModelChoiceFilter(
        label=_("Educational institution"),
        queryset=Organisation.objects.filter(internship_reports__isnull=False).distinct(),
        empty_label=_("Any institution"),
    )
    unrouted = django_filters.BooleanFilter(
        label=_("Only reports handled by the programme team"),
        method="filter_unrouted",
        widget=forms.CheckboxInput,
    )

    class Meta:
        model = Report
        fields = ["q", "status", "overdue", "unread", "institution", "unrouted"]

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        if access.PROGRAMME_TEAM not in access.roles_of(request.user):
            # A handler sees only their own institution's reports: nothing to choose.
            del self.filters["institution"]
            del self.filters["unrouted"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        # The reference alone: the free text is encrypted, and not searched on purpose.
        return queryset.filter(reference__icontains=value)

    def filter_overdue(self, queryset, name, value):
        return queryset.overdue() if value else queryset

    def filter_unread(self, queryset, name, value):
        # `has_unread` is annotated by selectors.handler_queue.
        return queryset.filter(has_unread=True) if value else queryset

    def filter_unrouted(self, queryset, name, value):
        return queryset.filter(routed_to__isnull=True) if value else queryset


class StatusForm(ErrorSummaryMixin, forms.Form):
    prefix = "status"
    form_id = "status-form"

    status = forms.ChoiceField(
        label=_("New status"),
        error_messages={
            "required": _("Choose the new status."),
            "invalid_choice": _("Choose one of the statuses offered."),
        },
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        required=False,
        # "Withdrawn by the reporter" is the reporter's own act (services.report_erase).
        choices=[("", "—"), *[c for c in Outcome.choices if c[0] != Outcome.WITHDRAWN]],
        help_text=_("Required when the report is closed."),
        error_messages={"invalid_choice": _("Choose one of the outcomes offered.")},
    )
    note = HandlerTextField(
        label=_("Note for the history"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Why the status changes, for the history; the reporter does not see it. "
            "Leave out names and other personal details: the history is kept."
        ),
    )

    def __init__(self, *args, report, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the changes the workflow allows and the user may make are offered.
        self.fields["status"].choices = [
            (value, Report.workflow.label(value))
            for value in Report.workflow.targets(report.status, user)
        ]
        if Report.Status.CLOSED not in dict(self.fields["status"].choices):
            # Not closing: nothing to choose an outcome for.
            del self.fields["outcome"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("status") == Report.Status.CLOSED and not cleaned.get("outcome"):
            self.add_error("outcome", _("Choose the outcome with which the report is closed."))
        if cleaned.get("status") != Report.Status.CLOSED:
            cleaned["outcome"] = ""
        return cleaned


class MessageForm(ErrorSummaryMixin, forms.Form):
    prefix = "message"
    form_id = "message-form"

    body = HandlerTextField(
        label=_("Message to the reporter"),
        help_text=_(
            "The reporter reads it with their receipt code. Write nothing they should not see."
        ),
        error_messages={
            "required": _("Write the message."),
            "max_length": _(
                "Keep the message to %(limit_value)d characters (it has %(show_value)d)."
            ),
        },
    )

    def clean_body(self):
        body = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError(_("Write the message."), code="required")
        return body


class NoteForm(ErrorSummaryMixin, forms.Form):
    prefix = "note"
    form_id = "note-form"

    body = HandlerTextField(
        label=_("Internal note"),
        help_text=_("For the handlers only; the reporter never sees it."),
        error_messages={
            "required": _("Write the note."),
            "max_length": _("Keep the note to %(limit_value)d characters (it has %(show_value)d)."),
        },
    )

    def clean_body(self):
        body = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError(_("Write the note."), code="required")
        return body
