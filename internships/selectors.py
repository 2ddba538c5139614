"""Reads of the internship reports that views, cards and other apps (monitoring) share."""

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Value, When
from django.utils import timezone

from .models import Message, Report

# The encrypted free text: lists never load (or decrypt) it.
FREE_TEXT_FIELDS = (
    "ground_other",
    "description",
    "place",
    "contact_name",
    "contact_email",
    "contact_phone",
)


def handler_card(*, user):
    """The dashboard card's counts: open, overdue and new reports the user may handle, and
    those with a message from the reporter that no handler has read yet."""
    reports = Report.objects.for_handler(user)
    today = timezone.localdate()
    return {
        "open_count": reports.open().count(),
        "overdue_count": reports.overdue(today).count(),
        "received_count": reports.filter(status=Report.Status.RECEIVED).count(),
        "unread_count": reports.filter(Exists(_unread_messages())).count(),
    }


def _unread_messages():
    return Message.objects.filter(
        report=OuterRef("pk"),
        direction=Message.Direction.FROM_REPORTER,
        read_at__isnull=True,
    )


def handler_queue(*, user):
    """The reports `user` may handle, as the queue shows them: open ones first, the nearest
    response deadline first; `has_unread` tells whether the reporter wrote something unread.

    The free text is deferred: a list shows no word of what a report says.
    """
    return (
        Report.objects.for_handler(user)
        .defer(*FREE_TEXT_FIELDS)
        .select_related("institution", "routed_to")
        .annotate(
            has_unread=Exists(_unread_messages()),
            is_closed=Case(
                When(status=Report.Status.CLOSED, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
        )
        .order_by("is_closed", "response_due", "created_at", "pk")
    )


def status_counts(*, user):
    """[(status value, label, count)] of the reports `user` may handle, every status listed."""
    counts = dict(
        Report.objects.for_handler(user)
        .order_by()
        .values_list("status")
        .annotate(count=Count("pk"))
        .values_list("status", "count")
    )
    return [(value, label, counts.get(value, 0)) for value, label in Report.Status.choices]


def overdue_queue(*, user, today=None):
    """Open reports without a first response past their deadline, the longest overdue first."""
    today = today or timezone.localdate()
    return handler_queue(user=user).overdue(today).order_by("response_due", "created_at", "pk")


def report_detail():
    """A report with what its page shows loaded alongside."""
    return Report.objects.select_related("institution", "routed_to")


def report_page(report):
    """The status history, the thread with the reporter, the internal notes and the
    attachments of `report`, each in the order it happened."""
    return {
        "history": list(
            report.status_changes.select_related("changed_by").order_by("changed_at", "pk")
        ),
        "thread": list(report.messages.select_related("author").prefetch_related("attachments")),
        "notes": list(report.notes.select_related("author")),
        "attachments": list(report.attachments.select_related("message")),
    }


from .measurement import Period, figure_tables, parse_period, report_figures, report_periods  # noqa: E402, F401
