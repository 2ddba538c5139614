"""Reads of the desk that several views share."""

import datetime

from django.db import connection
from django.db.models import (
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    Sum,
)
from django.db.models.functions import Coalesce, ExtractYear, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from .models import (
    Case,
    CaseStatusChange,
    Match,
    OriginSector,
    ProgrammeYear,
    Room,
    ShadowingSlot,
    ShortageSubject,
    TargetSector,
)


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


# Case pipeline (P2) ----------------------------------------------------------------------


def case_detail():
    """A case with what its page shows about it, loaded with the row."""
    return Case.objects.select_related(
        "municipality", "assigned_to", "advised_route", "funding_hit"
    ).prefetch_related(Prefetch("subjects", queryset=ShortageSubject.objects.order_by("position")))


def case_timeline(case):
    """The case's timeline, newest first: entries, status changes, bookings and matches.

    A booking or match that has its own timeline entry appears once, as that entry (with
    the booking's outcome or the match's status as it is now).
    """
    from .models import TimelineEntry

    items = []
    entries = TimelineEntry.objects.filter(case=case).select_related(
        "by", "booking__slot__organisation", "match__room__organisation"
    )
    booked, matched = set(), set()
    for entry in entries:
        booked.add(entry.booking_id)
        matched.add(entry.match_id)
        items.append(
            {
                "at": entry.at,
                "kind": entry.kind,
                "label": entry.get_kind_display(),
                "text": entry.text,
                "by": entry.by,
                "booking": entry.booking,
                "match": entry.match,
            }
        )
    for change in case.status_changes.select_related("changed_by"):
        items.append(
            {
                "at": change.changed_at,
                "kind": "status",
                "label": _("Status change"),
                "change": change,
                "text": change.note,
                "by": change.changed_by,
            }
        )
    for booking in case.bookings.select_related("slot__organisation", "booked_by"):
        if booking.pk not in booked:
            items.append(
                {
                    "at": booking.booked_at,
                    "kind": "shadowing",
                    "label": _("Job shadowing"),
                    "booking": booking,
                    "text": "",
                    "by": booking.booked_by,
                }
            )
    for match in case.matches.select_related("room__organisation", "proposed_by"):
        if match.pk not in matched:
            items.append(
                {
                    "at": match.proposed_at,
                    "kind": "match",
                    "label": pgettext("timeline", "Match"),
                    "match": match,
                    "text": match.decision_reason,
                    "by": match.proposed_by,
                }
            )
    items.sort(key=lambda item: item["at"], reverse=True)
    return items


EDUCATION_ORDER = ["mbo", "hbo", "wo_bachelor", "wo_master"]


def routes_with_hints(*, case):
    """The active training routes, each with `hints`: how it fits the case's education and
    target sectors (a hint for the advisor, never a rule)."""
    from .models import EducationLevel, TrainingRoute

    routes = list(
        TrainingRoute.objects.filter(active=True)
        .prefetch_related("sectors")
        .order_by("position", "name")
    )
    wanted = set(case.target_sectors) if case else set()
    for route in routes:
        route.hints = []
        if not case:
            continue
        if route.min_education and case.education_level in EDUCATION_ORDER:
            if EDUCATION_ORDER.index(case.education_level) >= EDUCATION_ORDER.index(
                route.min_education
            ):
                route.hints.append(("ok", _("Education level meets the minimum.")))
            else:
                route.hints.append(
                    (
                        "warning",
                        _("Needs at least %(level)s.")
                        % {"level": EducationLevel(route.min_education).label},
                    )
                )
        codes = {sector.code for sector in route.sectors.all()}
        if codes and wanted:
            if codes & wanted:
                route.hints.append(("ok", _("Leads to a sector the candidate wants.")))
            else:
                route.hints.append(("warning", _("Not for the sectors the candidate wants.")))
    return routes


# Programme team overview and dashboard cards (P4) -----------------------------------------

OVERVIEW_MONTHS = 12
# The order the overview lists the statuses in: the pipeline, then the side exits.
OVERVIEW_STATUSES = (
    *Case.PIPELINE,
    Case.Status.ON_HOLD,
    Case.Status.WITHDRAWN,
    Case.Status.NOT_SUITABLE,
)


def _open_q():
    return ~Q(status__in=Case.CLOSED_STATUSES)


def _overdue_q(today):
    return _open_q() & Q(first_response_at__isnull=True, first_response_due__lt=today)


def _has_target_sector_q(code):
    # The codes are a JSON list. PostgreSQL tests containment in the jsonb itself; SQLite (the
    # embedded default) has no containment lookup, and there the quoted code matches the text.
    if connection.vendor == "postgresql":
        return Q(target_sectors__contains=[code])
    return Q(target_sectors__icontains=f'"{code}"')


def overview_period(today):
    """The first day of the month eleven months before `today`'s: twelve months with today's."""
    index = today.year * 12 + today.month - 1 - (OVERVIEW_MONTHS - 1)
    return datetime.date(index // 12, index % 12 + 1, 1)


def _months_from(first):
    index = first.year * 12 + first.month - 1
    return [
        datetime.date((index + n) // 12, (index + n) % 12 + 1, 1) for n in range(OVERVIEW_MONTHS)
    ]


def _percent(part, whole):
    return round(100 * part / whole) if whole else None


def overview_figures(*, today=None):
    """The programme team's figures, counted in the database in a fixed number of queries.

    Intake figures cover the cases that came in during the last twelve months (this month
    included); overdue, open and room figures are the state of today; the programme figures
    cover every year. Anonymised cases count: they keep their status, dates and sectors.
    """
    today = today or timezone.localdate()
    first_month = overview_period(today)
    start = timezone.make_aware(datetime.datetime.combine(first_month, datetime.time()))
    cases = Case.objects.filter(created_at__gte=start)

    totals = cases.aggregate(
        intake=Count("pk"),
        demo=Count("pk", filter=Q(is_demo=True)),
        responded=Count("pk", filter=Q(first_response_at__isnull=False)),
        on_time=Count("pk", filter=Q(first_response_at__date__lte=F("first_response_due"))),
        **{
            f"sector_{code}": Count("pk", filter=_has_target_sector_q(code))
            for code in TargetSector.values
        },
    )
    intake = totals["intake"]
    now = Case.objects.aggregate(
        open=Count("pk", filter=_open_q()), overdue=Count("pk", filter=_overdue_q(today))
    )

    per_month = dict(
        cases.annotate(month=TruncMonth("created_at"))
        .values("month")
        .annotate(n=Count("pk"))
        .values_list("month", "n")
    )
    per_month = {month.date(): n for month, n in per_month.items()}

    origins = dict(
        cases.values("origin_sector").annotate(n=Count("pk")).values_list("origin_sector", "n")
    )
    current = dict(Case.objects.values("status").annotate(n=Count("pk")).values_list("status", "n"))
    reached = dict(
        CaseStatusChange.objects.filter(case__created_at__gte=start)
        .values("to_status")
        .annotate(n=Count("case", distinct=True))
        .values_list("to_status", "n")
    )

    return {
        "today": today,
        "period_start": first_month,
        "intake": intake,
        "demo": totals["demo"],
        "open": now["open"],
        "overdue": now["overdue"],
        "responded": totals["responded"],
        "responded_on_time": totals["on_time"],
        "responded_on_time_percent": _percent(totals["on_time"], totals["responded"]),
        "median_days_to_response": _median_days_to_response(cases, totals["responded"]),
        "intake_per_month": [
            (month, per_month.get(month, 0)) for month in _months_from(first_month)
        ],
        "target_sectors": [
            (label, totals[f"sector_{code}"], _percent(totals[f"sector_{code}"], intake))
            for code, label in TargetSector.choices
        ],
        "origin_sectors": [
            (label, origins.get(code, 0), _percent(origins.get(code, 0), intake))
            for code, label in OriginSector.choices
        ],
        "stages": [
            {
                "label": Case.Status(status).label,
                "current": current.get(status, 0),
                "reached": reached.get(status, 0),
                "percent": _percent(reached.get(status, 0), intake),
            }
            for status in OVERVIEW_STATUSES
        ],
        "placements_per_board": _placements_per_board(start),
        "room_per_sector": _room_against_matches(today, "sector", TargetSector.choices),
        "room_per_municipality": _room_against_matches(today, "municipality__name", None),
        "programme_years": _programme_years(today),
    }


def _median_days_to_response(cases, responded):
    """The median time from intake to first response, in days; two queries, any database."""
    if not responded:
        return None
    waits = (
        cases.filter(first_response_at__isnull=False)
        .annotate(
            wait=ExpressionWrapper(
                F("first_response_at") - F("created_at"), output_field=DurationField()
            )
        )
        .order_by("wait")
        .values_list("wait", flat=True)
    )
    middle = list(waits[(responded - 1) // 2 : responded // 2 + 1])
    if not middle:  # the cases changed between the two queries
        return None
    median = sum(middle, datetime.timedelta()) / len(middle)
    return round(median.total_seconds() / 86400, 1)


def _placements_per_board(start):
    """Accepted matches since `start` per board (a school location counts for its board)."""
    return list(
        Match.objects.filter(status=Match.Status.ACCEPTED)
        .alias(at=Coalesce("decided_at", "proposed_at"))
        .filter(at__gte=start)
        .annotate(board=Coalesce("room__organisation__parent__name", "room__organisation__name"))
        .values("board")
        .annotate(n=Count("pk"))
        .order_by("-n", "board")
        .values_list("board", "n")
    )


def _room_against_matches(today, key, choices):
    """Open rooms' places against the matches made on them, grouped by `key`.

    Two grouped queries, not one: summing places over a join with the matches would count a
    room's places once per match.
    """
    rooms = Room.objects.open(today)
    published = {
        row[key]: row for row in rooms.values(key).annotate(rooms=Count("pk"), places=Sum("places"))
    }
    made = {
        row[f"room__{key}"]: row
        for row in Match.objects.filter(room__in=rooms)
        .values(f"room__{key}")
        .annotate(
            proposed=Count("pk"),
            accepted=Count("pk", filter=Q(status=Match.Status.ACCEPTED)),
        )
    }
    if choices:
        labels = dict(choices)
        keys = [value for value in labels if value in published or value in made]
    else:
        labels = {}
        keys = sorted(published.keys() | made.keys(), key=lambda v: (v is None, v or ""))
    rows = []
    for value in keys:
        room = published.get(value, {})
        match = made.get(value, {})
        places = room.get("places") or 0
        accepted = match.get("accepted", 0)
        rows.append(
            {
                "label": labels.get(value, value) or _("Municipality unknown"),
                "rooms": room.get("rooms", 0),
                "places": places,
                "proposed": match.get("proposed", 0),
                "accepted": accepted,
                "left": max(places - accepted, 0),
            }
        )
    return rows


def _programme_years(today):
    """Per year: the status-holder programme's count against its quota, and its intake."""
    default_quota = ProgrammeYear._meta.get_field("quota").default
    quotas = dict(ProgrammeYear.objects.values_list("year", "quota"))
    in_programme = dict(
        Case.objects.filter(programme_year__isnull=False)
        .exclude(status=Case.Status.WITHDRAWN)
        .values("programme_year")
        .annotate(n=Count("pk"))
        .values_list("programme_year", "n")
    )
    registered = {
        row["year"]: row
        for row in Case.objects.filter(is_status_holder=True)
        .annotate(year=ExtractYear("created_at"))
        .values("year")
        .annotate(n=Count("pk"), hits=Count("pk", filter=Q(funding_hit__isnull=False)))
    }
    years = sorted({today.year, *quotas, *in_programme, *registered}, reverse=True)
    rows = []
    for year in years:
        quota = quotas.get(year, default_quota)
        count = in_programme.get(year, 0)
        rows.append(
            {
                "year": year,
                "count": count,
                "quota": quota,
                "over_quota": count > quota,
                "registered": registered.get(year, {}).get("n", 0),
                "funding_hits": registered.get(year, {}).get("hits", 0),
            }
        )
    return rows


def desk_card(*, user, today=None):
    """The desk dashboard card's figures for `user`, in one query."""
    today = today or timezone.localdate()
    mine = Q(assigned_to=user)
    return Case.objects.aggregate(
        my_open=Count("pk", filter=mine & _open_q()),
        my_overdue=Count("pk", filter=mine & _overdue_q(today)),
        unassigned_new=Count("pk", filter=Q(assigned_to__isnull=True, status=Case.Status.NEW)),
        overdue=Count("pk", filter=_overdue_q(today)),
    )


# Shadowing, room and matching (P3) -----------------------------------------------------


def desk_contact_matches(*, user):
    """The matches a board's desk contact decides on: those for room of the organisations
    where `user` holds the topic role `desk_contact`, and of their school locations (the
    programme team: all)."""
    from portal import access

    matches = Match.objects.select_related("case", "room__organisation", "room__municipality")
    if access.PROGRAMME_TEAM in access.roles_of(user):
        return matches
    mine = [
        pk for pk, member in access.memberships_of(user).items() if "desk_contact" in member.topics
    ]
    return matches.filter(Q(room__organisation__in=mine) | Q(room__organisation__parent__in=mine))


def desk_contact_card(*, user):
    return {
        "proposed": desk_contact_matches(user=user).filter(status=Match.Status.PROPOSED).count()
    }


def desk_funnel(*, today=None):
    """The desk's funnel for monitoring's dashboard, in one query: the cases received in the
    twelve months of `overview_figures` and how many of them reached each pipeline status."""
    today = today or timezone.localdate()
    first_month = overview_period(today)
    start = timezone.make_aware(datetime.datetime.combine(first_month, datetime.time()))
    counts = Case.objects.filter(created_at__gte=start).aggregate(
        intake=Count("pk"),
        **{
            status: Count(
                "pk",
                filter=Exists(
                    CaseStatusChange.objects.filter(case=OuterRef("pk"), to_status=status)
                ),
            )
            for status in Case.PIPELINE
        },
    )
    return {
        "period_start": first_month,
        "today": today,
        "intake": counts["intake"],
        "stages": [(status, Case.Status(status).label, counts[status]) for status in Case.PIPELINE],
    }
