"""Reads of the desk that several views share."""

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from .models import Case, Match, ProgrammeYear, Room, ShadowingSlot, ShortageSubject


def case_list(*, user=None):
    """Cases for the list pages, with what a row shows loaded in a fixed number of queries."""
    return Case.objects.select_related("municipality", "assigned_to").prefetch_related(
        Prefetch("subjects", queryset=ShortageSubject.objects.order_by("position"))
    )


def advisor_queue(*, advisor):
    """The open cases assigned to `advisor`, the most urgent deadline first."""
    return (
        case_list()
        .open()
        .filter(assigned_to=advisor)
        .order_by("first_response_at", "first_response_due", "created_at")
    )


def overdue_cases(*, today=None):
    return case_list().overdue(today).order_by("first_response_due", "created_at")


def open_rooms(*, today=None):
    """Open rooms with `accepted_count` annotated (so `places_left` needs no query)."""
    return (
        Room.objects.open(today)
        .with_places_left()
        .select_related("organisation", "municipality")
        .prefetch_related("subjects")
    )


def upcoming_slots(*, today=None):
    """Shadowing slots from today on, with `booked` (bookings that hold a place) annotated."""
    today = today or timezone.localdate()
    return (
        ShadowingSlot.objects.filter(date__gte=today)
        .select_related("organisation", "subject")
        .annotate(booked=Count("bookings", filter=~Q(bookings__outcome="cancelled")))
    )


def programme_count(*, year):
    """(cases in the status-holder programme of `year`, its quota; 12 when not set)."""
    programme = ProgrammeYear.objects.filter(year=year).first()
    quota = programme.quota if programme else ProgrammeYear._meta.get_field("quota").default
    count = Case.objects.filter(programme_year=year).exclude(status="withdrawn").count()
    return count, quota


def open_matches_for(*, case):
    return case.matches.filter(status__in=Match.OPEN_STATUSES).select_related("room__organisation")
