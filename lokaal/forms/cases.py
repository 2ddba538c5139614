"""Forms of the case pipeline: the list's filters and the forms on a case's page."""

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partners.models import Municipality
from portal.models import StaffRole

from ..models import (
    Case,
    ReceivedIntake,
    ShortageSubject,
    TargetSector,
    TimelineKind,
    TrainingRoute,
)

MAX_NOTE_LENGTH = 5000


def desk_users():
    """Who a case can be assigned to: active desk advisors and programme-team members."""
    return (
        get_user_model()
        .objects.filter(
            is_active=True, staff_role__in=[StaffRole.DESK_ADVISOR, StaffRole.PROGRAMME_TEAM]
        )
        .order_by("first_name", "last_name", "email")
    )


class CaseFilter(django_filters.FilterSet):
    """The case list's search and filters; `view` is the advisor's own queue or all cases."""

    MINE = "mine"
    ALL = "all"
    UNASSIGNED = "none"

    view = django_filters.ChoiceFilter(
        label=_("Show"),
        choices=[(MINE, _("My queue (open cases assigned to me)")), (ALL, _("All cases"))],
        empty_label=None,
        method="filter_view",
    )
    q = django_filters.CharFilter(
        label=_("Search"), method="search", help_text=_("Name, e-mail address or reference")
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Case.Status.choices)
    sector = django_filters.ChoiceFilter(
        label=_("Target sector"), choices=TargetSector.choices, method="filter_sector"
    )
    subject = django_filters.ModelChoiceFilter(
        label=_("Subject"), field_name="subjects", queryset=ShortageSubject.objects.all()
    )
    municipality = django_filters.ModelChoiceFilter(
        label=_("Municipality"), queryset=Municipality.objects.all()
    )
    advisor = django_filters.ModelChoiceFilter(
        label=_("Advisor"),
        field_name="assigned_to",
        queryset=desk_users(),
        null_label=_("Unassigned"),
        null_value=UNASSIGNED,
    )
    overdue = django_filters.BooleanFilter(
        label=_("Only overdue first responses"),
        method="filter_overdue",
        widget=forms.CheckboxInput,
    )

    class Meta:
        model = Case
        fields = ["view", "q", "status", "sector", "subject", "municipality", "advisor", "overdue"]

    def filter_view(self, queryset, name, value):
        if value == self.MINE:
            return queryset.open().filter(assigned_to=self.request.user)
        return queryset

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        # The reference an intake that joined an open case showed its sender leads there too.
        received = ReceivedIntake.objects.filter(reference__iexact=value).values("case_id")
        return queryset.filter(
            Q(name__icontains=value)
            | Q(email__icontains=value)
            | Q(reference__iexact=value)
            | Q(pk__in=received)
        )

    def filter_sector(self, queryset, name, value):
        # The codes are kept as a JSON list; matching the quoted code works on PostgreSQL
        # and SQLite alike (SQLite has no JSON containment lookup).
        return queryset.filter(target_sectors__icontains=f'"{value}"')

    def filter_overdue(self, queryset, name, value):
        return queryset.overdue() if value else queryset


class CaseStatusForm(forms.Form):
    prefix = "status"

    status = forms.ChoiceField(label=_("New status"))
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=MAX_NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Why the status changes, for the history."),
    )

    def __init__(self, *args, case, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the changes the workflow allows and the user's role may make are offered.
        self.fields["status"].choices = [
            (value, Case.workflow.label(value))
            for value in Case.workflow.targets(case.status, user)
        ]


class AssignForm(forms.Form):
    prefix = "assign"

    advisor = forms.ModelChoiceField(
        label=_("Advisor"), queryset=desk_users(), required=False, empty_label=_("Unassigned")
    )


class TimelineForm(forms.Form):
    prefix = "timeline"

    KINDS = [
        (kind.value, kind.label)
        for kind in (TimelineKind.NOTE, TimelineKind.CALL, TimelineKind.MEETING, TimelineKind.EMAIL)
    ]

    kind = forms.ChoiceField(label=_("Kind"), choices=KINDS, initial=TimelineKind.NOTE)
    text = forms.CharField(
        label=_("What happened"),
        max_length=MAX_NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write what happened.")},
    )


class RouteForm(forms.Form):
    prefix = "route"

    route = forms.ModelChoiceField(
        label=_("Training route"),
        queryset=TrainingRoute.objects.filter(active=True),
        error_messages={"required": _("Choose a training route.")},
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=MAX_NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ProgrammeForm(forms.Form):
    prefix = "programme"

    year = forms.IntegerField(label=_("Programme year"))
    decision_note = forms.CharField(
        label=_("Decision to exceed the quota"),
        required=False,
        max_length=MAX_NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only needed when the quota is reached: who decided, and why."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year

    def clean_year(self):
        year = self.cleaned_data["year"]
        current = timezone.localdate().year
        if not current - 1 <= year <= current + 1:
            raise forms.ValidationError(
                _("Choose a year from %(first)s to %(last)s.")
                % {"first": current - 1, "last": current + 1}
            )
        return year


class ExportForm(forms.Form):
    format = forms.ChoiceField(
        label=_("Format"), choices=[("xlsx", "Excel (.xlsx)"), ("csv", "CSV")], initial="xlsx"
    )
