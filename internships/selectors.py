"""Reads of the internship reports that views, cards and other apps (monitoring) share."""

from django.utils import timezone

from .models import Report


def handler_card(*, user):
    """The dashboard card's counts: open, overdue and new reports the user may handle."""
    reports = Report.objects.for_handler(user)
    today = timezone.localdate()
    return {
        "open_count": reports.open().count(),
        "overdue_count": reports.overdue(today).count(),
        "received_count": reports.filter(status=Report.Status.RECEIVED).count(),
    }
