"""Writes of the desk: intake, status changes, assignment, timeline, shadowing, erasure."""

import datetime
import hashlib
import hmac
import logging
import unicodedata
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.models import Municipality
from portal import sequences, workdays, workflow
from portal.mail import queue_email
from portal.queue import enqueue_on_commit

from .models import (
    Case,
    CaseStatusChange,
    Match,
    ReceivedIntake,
    Room,
    ShadowingBooking,
    ShortageSubject,
    Submission,
    TimelineEntry,
    TimelineKind,
    case_reference,
)

logger = logging.getLogger(__name__)

CONFIRMATION_TEMPLATE = "lokaal-intake-confirmation"

# The intake's answers that become the case's fields (the form's cleaned_data keys).
INTAKE_FIELDS = (
    "name",
    "email",
    "phone",
    "postcode",
    "municipality",
    "origin_sector",
    "education_level",
    "foreign_diploma",
    "target_sectors",
    "subjects",
    "other_subject",
    "hours_per_week",
    "wished_start",
    "is_status_holder",
    "heard_via",
    "motivation",
)
# The answers an anonymised submission keeps: figures, nothing that identifies anyone.
NON_PERSONAL_KEYS = frozenset(
    {
        "municipality",
        "origin_sector",
        "education_level",
        "foreign_diploma",
        "target_sectors",
        "subjects",
        "hours_per_week",
        "wished_start",
        "is_status_holder",
        "heard_via",
        "consent",
    }
)
# What anonymisation writes over a case's personal fields (and over its history rows).
ANONYMISED_CASE_VALUES = {
    "name": "",
    "email": "",
    "phone": "",
    "postcode": "",
    "other_subject": "",
    "motivation": "",
    "quota_override_note": "",
    "identity_email_hash": "",
    "identity_name_hash": "",
}

# Shortage subjects of seed 004 (table 9: unfilled teaching jobs in FTE, all of South-West
# Netherlands, forecast for 2026): (code, Dutch name, English name, FTE).
SHORTAGE_TABLE_2026 = (
    ("nederlands", "Nederlands", "Dutch", 189),
    ("wiskunde", "Wiskunde", "Mathematics", 116),
    ("duits", "Duits", "German", 56),
    ("natuurkunde", "Natuurkunde", "Physics", 42),
    ("frans", "Frans", "French", 41),
    ("scheikunde", "Scheikunde", "Chemistry", 31),
    ("economie", "Economie", "Economics", 28),
    ("informatica", "Informatica", "Computer science", 25),
    ("klassieke-talen", "Klassieke talen", "Classical languages", 21),
    ("aardrijkskunde", "Aardrijkskunde", "Geography", 8),
    ("levensbeschouwing", "Levensbeschouwing", "Religious and philosophical studies", 8),
    ("biologie", "Biologie", "Biology", 4),
    ("maatschappijleer", "Maatschappijleer", "Social studies", 4),
    ("engels", "Engels", "English", 3),
    ("geschiedenis", "Geschiedenis", "History", 3),
    ("ckv-kunstvakken", "CKV, kunstvakken", "Arts and culture", 3),
    ("gezondheidszorg-welzijn", "Gezondheidszorg en welzijn", "Health and welfare", 2),
    ("lichamelijke-opvoeding", "Lichamelijke opvoeding", "Physical education", 2),
    (ShortageSubject.OTHER_CODE, "Overige vakken", "Other subjects", 1),
)


# Identity hashes ---------------------------------------------------------------------


def normalise_email(email):
    return (email or "").strip().lower()


def normalise_name(name):
    """Lower case, no accents, punctuation or extra spaces ("Jan  de Vrïes": "jan de vries")."""
    decomposed = unicodedata.normalize("NFKD", name or "")
    letters = "".join(c if c.isalnum() else " " for c in decomposed if not unicodedata.combining(c))
    return " ".join(letters.lower().split())


def identity_hash(value):
    """HMAC-SHA256 (hex) of a normalised value, keyed by settings.LOKAAL_IDENTITY_KEY; "" for ""."""
    if not value:
        return ""
    key = settings.LOKAAL_IDENTITY_KEY.encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def first_response_due(intake_at):
    """The first-response deadline: a number of working days after the intake's date."""
    return workdays.add_working_days(
        timezone.localdate(intake_at), settings.LOKAAL_FIRST_RESPONSE_WORKING_DAYS
    )


# Intake --------------------------------------------------------------------------------


def _json_answers(data):
    """The submitted answers as JSON values: model instances by primary key, dates as ISO."""

    def convert(value):
        if hasattr(value, "pk"):
            return value.pk
        if isinstance(value, datetime.date | datetime.datetime):
            return value.isoformat()
        if isinstance(value, Decimal):
            return str(value)
        if isinstance(value, list | tuple | set) or hasattr(value, "values_list"):
            return [convert(item) for item in value]
        return value

    return {key: convert(value) for key, value in data.items()}


def _subject_ids(subjects):
    return [getattr(subject, "pk", subject) for subject in subjects or ()]


def intake_submit(*, data, language, is_demo=False, at=None, case_id=None):
    """Save an intake from the public form; returns (case, created).

    `data` holds the form's cleaned answers (INTAKE_FIELDS; municipality a Municipality or
    None, subjects ShortageSubjects or their ids, wished_start a date). An open case with the
    same (normalised) e-mail gets the answers as one more Submission and a timeline note;
    nothing of it is overwritten, since anyone can type anyone's address. Otherwise a new
    case starts as "new" with its first-response deadline and identity hashes; a status
    holder is checked against earlier years' cases (a hit is flagged, never refused). Either
    way the confirmation e-mail goes through the outbox, sent after the commit, so a broker
    outage loses nothing. `is_demo` marks a new case as demo data (load_demo_lokaal), so that
    its double-funding check looks at demo cases only. `at` is when the intake was received
    (default now) and `case_id` the id reserved for a new case (ReceivedIntake).
    """
    email = normalise_email(data.get("email"))
    now = at or timezone.now()
    answers = _json_answers({**data, "email": email})
    with transaction.atomic():
        # Two simultaneous submits with one address must not both make a case. SQLite (the
        # embedded default of `make run`) serialises writing transactions by itself.
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"lokaal:{email}"])
        case = Case.objects.open().filter(email=email).order_by("-created_at").first()
        created = case is None
        if created:
            case = _case_create(data=data, email=email, now=now, is_demo=is_demo, pk=case_id)
        else:
            TimelineEntry.objects.create(
                case=case,
                kind=TimelineKind.NOTE,
                text=_("New submission received through the intake form."),
                at=now,
            )
        Submission.objects.create(case=case, created_at=now, data=answers, language=language)
        queue_email(
            to=email,
            template=CONFIRMATION_TEMPLATE,
            context={"case": case, "reference": case.reference, "name": data.get("name", "")},
            language=language,
        )
    return case, created


def _case_create(*, data, email, now, is_demo=False, pk=None):
    fields = {name: data[name] for name in INTAKE_FIELDS if name in data and name != "subjects"}
    fields["email"] = email
    for name in ("phone", "postcode", "other_subject", "heard_via", "motivation"):
        fields[name] = fields.get(name) or ""
    fields["target_sectors"] = list(fields.get("target_sectors") or [])
    case = Case(
        **fields,
        pk=pk,
        status=Case.Status.NEW,
        created_at=now,
        status_changed_at=now,
        consent_at=now if data.get("consent", True) else None,
        first_response_due=first_response_due(now),
        identity_email_hash=identity_hash(email),
        identity_name_hash=identity_hash(normalise_name(data.get("name"))),
        is_demo=is_demo,
    )
    if case.is_status_holder:
        case.funding_hit = _earlier_year_case(case)
    workflow.create(case, by=None, note=_("Intake through the public form."))
    case.subjects.set(_subject_ids(data.get("subjects")))
    if case.funding_hit is not None:
        TimelineEntry.objects.create(
            case=case,
            kind=TimelineKind.NOTE,
            at=now,
            text=_(
                "Possible double funding: case %(reference)s of an earlier year has the same "
                "e-mail address or name. Check before funding; this is not a rejection."
            )
            % {"reference": case.funding_hit.reference},
        )
    return case


def _earlier_year_case(case):
    """The latest case of an earlier year with the same e-mail or name hash, or None."""
    year = timezone.localtime(case.created_at).year
    start_of_year = timezone.make_aware(datetime.datetime(year, 1, 1))
    hashes = [h for h in (case.identity_email_hash, case.identity_name_hash) if h]
    if not hashes:
        return None
    return (
        Case.objects.filter(created_at__lt=start_of_year, is_demo=case.is_demo)
        .filter(Q(identity_email_hash__in=hashes) | Q(identity_name_hash__in=hashes))
        .order_by("-created_at")
        .first()
    )


# Case work -----------------------------------------------------------------------------


def case_transition(*, case, to, by, note=""):
    """Change the case's status through the workflow (refused with a message if not allowed).

    The first change away from "new" is the first response; a closing status sets closed_at.
    Returns the CaseStatusChange row.
    """
    with transaction.atomic():
        change = workflow.transition(case, to, by=by, note=note)
        changed = []
        if case.first_response_at is None and change.from_status == Case.Status.NEW:
            case.first_response_at = change.changed_at
            changed.append("first_response_at")
        if to in Case.CLOSED_STATUSES:
            case.closed_at = change.changed_at
            changed.append("closed_at")
        if changed:
            case.save(update_fields=changed)
    return change


def case_assign(*, case, advisor, by):
    """Assign the case to a desk advisor (or None: unassigned) and note it on the timeline."""
    if advisor is not None and not (advisor.is_desk_advisor or advisor.is_programme_team):
        raise ValidationError(
            _("A case can only be assigned to a desk advisor or the programme team."),
            code="not_an_advisor",
        )
    with transaction.atomic():
        case.assigned_to = advisor
        case.save(update_fields=["assigned_to"])
        text = (
            _("Assigned to %(advisor)s.") % {"advisor": advisor.get_full_name() or advisor.email}
            if advisor
            else _("No longer assigned to an advisor.")
        )
        TimelineEntry.objects.create(case=case, kind=TimelineKind.NOTE, text=text, by=by)
    return case


def timeline_add(*, case, kind, text, by, at=None, match=None, booking=None):
    """Add an entry to the case's timeline; a first call or e-mail is the first response."""
    with transaction.atomic():
        entry = TimelineEntry.objects.create(
            case=case,
            kind=kind,
            text=text,
            by=by,
            at=at or timezone.now(),
            match=match,
            booking=booking,
        )
        if case.first_response_at is None and kind in (TimelineKind.CALL, TimelineKind.EMAIL):
            case.first_response_at = entry.at
            case.save(update_fields=["first_response_at"])
    return entry


def shadowing_book(*, slot, case, by):
    """Book the case into the slot, or refuse with a message when it is full or closed."""
    with transaction.atomic():
        # Locking the slot serialises bookings, so that two advisors cannot take its last place.
        slot = type(slot).objects.select_for_update().get(pk=slot.pk)
        if not case.is_open:
            raise ValidationError(_("This case is closed."), code="case_closed")
        if slot.bookings.filter(case=case).exists():
            raise ValidationError(
                _("This candidate is already booked into this slot."), code="already_booked"
            )
        taken = slot.bookings.exclude(outcome=ShadowingBooking.Outcome.CANCELLED).count()
        if taken >= slot.places:
            raise ValidationError(_("This shadowing slot is full."), code="slot_full")
        booking = ShadowingBooking.objects.create(slot=slot, case=case, booked_by=by)
        timeline_add(
            case=case,
            kind=TimelineKind.SHADOWING,
            text=_("Booked for job shadowing at %(slot)s.") % {"slot": slot},
            by=by,
            booking=booking,
        )
    return booking


def shortage_subjects_load():
    """Create or update the shortage subjects of seed 004 (idempotent); returns their number."""
    for position, (code, name_nl, name_en, fte) in enumerate(SHORTAGE_TABLE_2026):
        ShortageSubject.objects.update_or_create(
            code=code,
            defaults={
                "name_nl": name_nl,
                "name_en": name_en,
                "shortage_fte": Decimal(fte),
                # Table 9 is about secondary education (vo).
                "sectors": ["vo"],
                "position": position,
            },
        )
    return len(SHORTAGE_TABLE_2026)


# Personal data ---------------------------------------------------------------------------


def case_anonymisation_values(case):
    """Clear what identifies the person outside the case row, and return the row's new values.

    Used by case_anonymise and by the "desk_case" retention policy (which writes the values
    into the row and its history itself). Keeps the figures: sectors, origin, dates, status.
    """
    for submission in case.submissions.all():
        kept = {k: v for k, v in submission.data.items() if k in NON_PERSONAL_KEYS}
        if kept != submission.data:
            Submission.objects.filter(pk=submission.pk).update(data=kept)
    case.timeline.update(text="")
    CaseStatusChange.objects.filter(case=case).update(note="")
    ShadowingBooking.objects.filter(case=case).update(outcome_note="")
    Match.objects.filter(case=case).update(decision_reason="")
    Match.history.filter(case_id=case.pk).update(decision_reason="")
    return {**ANONYMISED_CASE_VALUES, "anonymised_at": case.anonymised_at or timezone.now()}


def case_anonymise(*, case):
    """Erase the person from the case (on request, or when its retention period has passed).

    The personal fields of the case and of every history row of it are replaced; submitted
    answers keep only their figures; notes on the timeline, status changes, bookings and
    matches are emptied. Status, dates, sectors and origin stay, so the figures still count.
    """
    with transaction.atomic():
        values = case_anonymisation_values(case)
        # update(), not save(): a save would write one more history row with the old values.
        Case.objects.filter(pk=case.pk).update(**values)
        history_fields = {f.name for f in Case.history.model._meta.concrete_fields}
        Case.history.filter(id=case.pk).update(
            **{k: v for k, v in values.items() if k in history_fields}
        )
        for name, value in values.items():
            setattr(case, name, value)
    return case


def _user_label(user):
    return (user.get_full_name() or user.email) if user else None


def case_export_data(*, case):
    """Everything the desk holds about the person of `case`, as JSON-ready values."""

    def when(value):
        return value.isoformat() if value else None

    case = (
        Case.objects.select_related("municipality", "assigned_to", "advised_route", "funding_hit")
        .prefetch_related("subjects")
        .get(pk=case.pk)
    )
    return {
        "case": {
            "reference": case.reference,
            "status": case.status,
            "name": case.name,
            "email": case.email,
            "phone": case.phone,
            "postcode": case.postcode,
            "municipality": str(case.municipality) if case.municipality else None,
            "origin_sector": case.origin_sector,
            "education_level": case.education_level,
            "foreign_diploma": case.foreign_diploma,
            "target_sectors": case.target_sectors,
            "subjects": [subject.name for subject in case.subjects.all()],
            "other_subject": case.other_subject,
            "hours_per_week": case.hours_per_week,
            "wished_start": when(case.wished_start),
            "is_status_holder": case.is_status_holder,
            "heard_via": case.heard_via,
            "motivation": case.motivation,
            "consent_at": when(case.consent_at),
            "assigned_to": _user_label(case.assigned_to),
            "first_response_due": when(case.first_response_due),
            "first_response_at": when(case.first_response_at),
            "advised_route": str(case.advised_route) if case.advised_route else None,
            "programme_year": case.programme_year,
            "quota_override_note": case.quota_override_note,
            "funding_hit": case.funding_hit.reference if case.funding_hit else None,
            "created_at": when(case.created_at),
            "closed_at": when(case.closed_at),
            "anonymised_at": when(case.anonymised_at),
        },
        "submissions": [
            {"submitted_at": when(s.created_at), "language": s.language, "answers": s.data}
            for s in case.submissions.all()
        ],
        "status_changes": [
            {
                "from": c.from_status,
                "to": c.to_status,
                "at": when(c.changed_at),
                "by": _user_label(c.changed_by),
                "note": c.note,
            }
            for c in case.status_changes.select_related("changed_by").order_by("changed_at", "pk")
        ],
        "timeline": [
            {"kind": e.kind, "at": when(e.at), "by": _user_label(e.by), "text": e.text}
            for e in case.timeline.select_related("by").order_by("at", "pk")
        ],
        "shadowing": [
            {
                "school": str(b.slot.organisation),
                "date": when(b.slot.date),
                "outcome": b.outcome,
                "outcome_note": b.outcome_note,
                "booked_at": when(b.booked_at),
            }
            for b in case.bookings.select_related("slot__organisation")
        ],
        "matches": [
            {
                "organisation": str(m.room.organisation),
                "status": m.status,
                "proposed_at": when(m.proposed_at),
                "decided_at": when(m.decided_at),
                "decision_reason": m.decision_reason,
            }
            for m in case.matches.select_related("room__organisation")
        ],
    }


# Shadowing, room and matching (P3) -----------------------------------------------------

BOOKING_TEMPLATE = "lokaal-shadowing-booked"
MATCH_PROPOSED_TEMPLATE = "lokaal-match-proposed"
MATCH_DECIDED_TEMPLATE = "lokaal-match-decided"
DESK_CONTACT = "desk_contact"


def _absolute_url(name, *args):
    from django.urls import reverse

    return settings.PORTAL_BASE_URL + reverse(name, args=args)


def organisation_contact_emails(organisation):
    """Who hears of the desk's news for `organisation`: its members with the topic role
    `desk_contact`, else those of its board (for a school location), else its editors, else
    its board's editors. Returns a sorted list of e-mail addresses (maybe empty)."""
    organisations = [org for org in (organisation, organisation.parent) if org is not None]
    members = {
        org.pk: list(
            org.memberships.filter(user__is_active=True).values_list(
                "user__email", "role", "topics"
            )
        )
        for org in organisations
    }
    for org in organisations:
        contacts = {
            email for email, _role, topics in members[org.pk] if DESK_CONTACT in (topics or ())
        }
        if contacts:
            return sorted(contacts)
    for org in organisations:
        editors = {email for email, role, _topics in members[org.pk] if role == "editor"}
        if editors:
            return sorted(editors)
    return []


def room_save(*, room, subjects, by):
    """Create or change a room for career switchers with its subjects in one transaction."""
    with transaction.atomic():
        if room.pk is None:
            room.published_by = by
        room.save()
        room.subjects.set(subjects)
    return room


def room_close(*, room):
    """Close a room: it no longer counts as open; accepted placements stay."""
    room.active = False
    room.save(update_fields=["active"])
    return room


def slot_save(*, slot, by):
    if slot.pk is None:
        slot.created_by = by
    slot.save()
    return slot


def shadowing_booking_create(*, slot, case, by, language=None):
    """Book the case into the slot (`shadowing_book`) and tell the school's contacts by
    e-mail through the outbox; refused with a message when the slot is full or the case
    closed or already booked there."""
    with transaction.atomic():
        booking = shadowing_book(slot=slot, case=case, by=by)
        slot = booking.slot
        for email in organisation_contact_emails(slot.organisation):
            queue_email(
                to=email,
                template=BOOKING_TEMPLATE,
                context={
                    "slot": slot,
                    "first_name": first_name(case.name),
                    "url": _absolute_url(
                        "lokaal-partner-offers", (slot.organisation.parent or slot.organisation).pk
                    ),
                },
                language=language,
            )
    return booking


def shadowing_outcome_record(*, booking, outcome, note, by):
    """Record how the shadowing went, on the booking and on the case's timeline."""
    with transaction.atomic():
        booking.outcome = outcome
        booking.outcome_note = note
        booking.save(update_fields=["outcome", "outcome_note"])
        text = _("Job shadowing at %(slot)s: %(outcome)s.") % {
            "slot": booking.slot,
            "outcome": booking.get_outcome_display(),
        }
        timeline_add(
            case=booking.case,
            kind=TimelineKind.SHADOWING,
            text=f"{text} {note}".strip(),
            by=by,
            booking=booking,
        )
    return booking


def first_name(name):
    """The first word of a name: all a board sees of a candidate before it accepts."""
    parts = (name or "").split()
    return parts[0] if parts else ""


def match_propose(*, case, room, score, explanation, by, language=None):
    """Propose the case for a place in the room: a Match (with its score and reasons), the
    case to "matched" through the workflow (unless it is there already for another
    proposal), a timeline entry, and an e-mail to the room's desk contacts.

    Refused with a message when the room has no place left or the case cannot be matched
    from its status."""
    with transaction.atomic():
        room = Room.objects.with_places_left().get(pk=room.pk)
        if not room.active or room.places_left < 1:
            raise ValidationError(_("This room has no places left."), code="room_full")
        if Match.objects.filter(case=case, room=room, status__in=Match.OPEN_STATUSES).exists():
            raise ValidationError(
                _("This candidate already has an open match here."), code="already_matched"
            )
        if case.status != Case.Status.MATCHED:
            case_transition(case=case, to=Case.Status.MATCHED, by=by)
        match = Match(case=case, room=room, score=score, explanation=explanation, proposed_by=by)
        workflow.create(match, by=by)
        TimelineEntry.objects.create(
            case=case,
            kind=TimelineKind.MATCH,
            text=_("Proposed for a place at %(room)s.") % {"room": room},
            by=by,
            match=match,
        )
        for email in organisation_contact_emails(room.organisation):
            queue_email(
                to=email,
                template=MATCH_PROPOSED_TEMPLATE,
                context={
                    "match": match,
                    "room": room,
                    "url": _absolute_url("lokaal-match-detail", match.pk),
                },
                language=language,
            )
    return match


def _advisor_email(match):
    advisor = match.case.assigned_to or match.proposed_by
    return advisor.email if advisor else ""


def match_accept(*, match, by, reason=""):
    """The board accepts: the match takes a place in its room and the case is placed.

    The room row is locked first, so two accepts for its last place cannot both pass
    (places left never go below zero); the case closes as placed through the workflow (a
    system change: the board user is checked against the match's own workflow); the case's
    other open proposals are withdrawn; the advisor is told by e-mail."""
    with transaction.atomic():
        room = Room.objects.select_for_update().get(pk=match.room_id)
        accepted = room.matches.filter(status=Match.Status.ACCEPTED).count()
        if accepted >= room.places:
            raise ValidationError(_("This room has no places left."), code="room_full")
        workflow.transition(match, Match.Status.ACCEPTED, by=by, note=reason)
        _decided(match, by=by, reason=reason)
        case = Case.objects.get(pk=match.case_id)
        case_transition(
            case=case,
            to=Case.Status.PLACED,
            by=None,
            note=_("Accepted by %(organisation)s.") % {"organisation": room.organisation},
        )
        for other in case.matches.filter(status=Match.Status.PROPOSED).exclude(pk=match.pk):
            workflow.transition(
                other, Match.Status.WITHDRAWN, by=None, note=_("The candidate has been placed.")
            )
        _match_decided_notice(match, room=room, by=by, text=_("Placed at %(room)s."))
    return match


def match_decline(*, match, by, reason):
    """The board declines, with a reason: the case goes back to the advisor ("route
    advised") when no other proposal is open, and the advisor is told by e-mail."""
    if not (reason or "").strip():
        raise ValidationError(_("Give a reason for declining."), code="reason_required")
    with transaction.atomic():
        workflow.transition(match, Match.Status.DECLINED, by=by, note=reason)
        _decided(match, by=by, reason=reason)
        case = Case.objects.get(pk=match.case_id)
        still_open = case.matches.filter(status__in=Match.OPEN_STATUSES).exists()
        if case.status == Case.Status.MATCHED and not still_open:
            case_transition(
                case=case,
                to=Case.Status.ROUTE_ADVISED,
                by=None,
                note=_("The proposed match was declined."),
            )
        _match_decided_notice(match, room=match.room, by=by, text=_("Declined by %(room)s."))
    return match


def _decided(match, *, by, reason):
    match.decided_by = by
    match.decided_at = timezone.now()
    match.decision_reason = reason
    match.save(update_fields=["decided_by", "decided_at", "decision_reason"])


def _match_decided_notice(match, *, room, by, text):
    entry = (text % {"room": room.organisation}) + (
        f" {match.decision_reason}" if match.decision_reason else ""
    )
    TimelineEntry.objects.create(
        case_id=match.case_id, kind=TimelineKind.MATCH, text=entry, by=by, match=match
    )
    email = _advisor_email(match)
    if email:
        queue_email(
            to=email,
            template=MATCH_DECIDED_TEMPLATE,
            context={
                "match": match,
                "room": room,
                "url": _absolute_url("lokaal-case-matches", match.case_id),
            },
        )


# Case pipeline: route advice, the status-holder programme, reminders (P2) ---------------


def case_advise_route(*, case, route, by, note=""):
    """Record `route` as the case's advised training route, with a timeline note."""
    with transaction.atomic():
        case.advised_route = route
        case.save(update_fields=["advised_route"])
        text = _("Advised training route: %(route)s.") % {"route": route}
        TimelineEntry.objects.create(
            case=case, kind=TimelineKind.NOTE, text=f"{text}\n{note}".strip(), by=by
        )
    return case


def case_programme_join(*, case, year, by, decision_note=""):
    """Put a status holder's case in the programme of `year`, counted against its quota.

    When the year's quota is reached, joining needs an explicit decision (`decision_note`,
    kept on the case); without one it is refused with code "quota_reached". The year's row
    is locked, so two advisors cannot both take its last place.
    """
    from .models import ProgrammeYear
    from .selectors import programme_count

    if not case.is_status_holder:
        raise ValidationError(
            _("Only a status holder or someone displaced from Ukraine can join the programme."),
            code="not_a_status_holder",
        )
    if case.programme_year == year:
        raise ValidationError(
            _("This case is already in the programme of %(year)s.") % {"year": year},
            code="already_in_programme",
        )
    decision_note = (decision_note or "").strip()
    with transaction.atomic():
        programme, _created = ProgrammeYear.objects.get_or_create(year=year)
        ProgrammeYear.objects.select_for_update().get(pk=programme.pk)
        count, quota = programme_count(year=year)
        if count >= quota and not decision_note:
            raise ValidationError(
                _(
                    "The programme of %(year)s is full (%(count)s of %(quota)s). To add this "
                    "case anyway, write down the decision to exceed the quota."
                )
                % {"year": year, "count": count, "quota": quota},
                code="quota_reached",
            )
        case.programme_year = year
        fields = ["programme_year"]
        if count >= quota:
            case.quota_override_note = decision_note
            fields.append("quota_override_note")
        case.save(update_fields=fields)
        text = _("Added to the status-holder programme of %(year)s (%(count)s of %(quota)s).") % {
            "year": year,
            "count": count + 1,
            "quota": quota,
        }
        if count >= quota:
            text += " " + _("Quota exceeded by decision: %(note)s") % {"note": decision_note}
        TimelineEntry.objects.create(case=case, kind=TimelineKind.NOTE, text=text, by=by)
    return case


REMINDER_ADVISOR_TEMPLATE = "lokaal-reminder-advisor"
REMINDER_PROGRAMME_TEMPLATE = "lokaal-reminder-programme"
# Reminder receipts are only needed to send once a day; older ones are dropped.
REMINDER_RECEIPT_DAYS = 30


def reminders_send(*, today=None):
    """Mail each assigned advisor their overdue cases, and the programme team the totals.

    Once a day per person: a receipt row (ReminderSent) is written with each e-mail in one
    transaction, so a second run on the same day (beat and a manual run, a retried task)
    sends nothing again. The e-mails name cases by reference only, no personal data.
    Returns the number of e-mails queued.
    """
    from django.contrib.auth import get_user_model

    from .models import ReminderSent

    today = today or timezone.localdate()
    overdue = list(
        Case.objects.overdue(today)
        .select_related("assigned_to")
        .order_by("first_response_due", "created_at")
    )
    sent = 0
    by_advisor = {}
    for case in overdue:
        if case.assigned_to is not None and case.assigned_to.is_active:
            by_advisor.setdefault(case.assigned_to, []).append(case)
    for advisor, cases in by_advisor.items():
        sent += _reminder_once(
            day=today,
            user=advisor,
            kind=ReminderSent.Kind.ADVISOR,
            template=REMINDER_ADVISOR_TEMPLATE,
            context={"advisor": advisor, "cases": cases, "count": len(cases)},
        )
    unassigned = Case.objects.open().filter(assigned_to__isnull=True).count()
    if overdue or unassigned:
        context = {
            "overdue": len(overdue),
            "unassigned": unassigned,
            "unassigned_overdue": sum(1 for case in overdue if case.assigned_to_id is None),
        }
        team = get_user_model().objects.filter(staff_role="programme_team", is_active=True)
        for member in team:
            sent += _reminder_once(
                day=today,
                user=member,
                kind=ReminderSent.Kind.PROGRAMME_TEAM,
                template=REMINDER_PROGRAMME_TEMPLATE,
                context=context,
            )
    cutoff = today - datetime.timedelta(days=REMINDER_RECEIPT_DAYS)
    ReminderSent.objects.filter(day__lt=cutoff).delete()
    return sent


def _reminder_once(*, day, user, kind, template, context):
    from django.urls import reverse

    from .models import ReminderSent

    with transaction.atomic():
        _receipt, created = ReminderSent.objects.get_or_create(day=day, user=user, kind=kind)
        if not created:
            return 0
        queue_email(
            to=user.email,
            template=template,
            context={
                **context,
                "day": day,
                "list_url": settings.PORTAL_BASE_URL + reverse("lokaal-case-list"),
                "base_url": settings.PORTAL_BASE_URL,
            },
        )
    return 1


# Public intake (P1) ------------------------------------------------------------------------

# A submission with exactly the answers of one made this recently (a double click, a reload
# of the POST) adds nothing.
DOUBLE_SUBMIT_WINDOW = datetime.timedelta(minutes=10)


def intake_receive(*, data, language, at=None, case_id=None):
    """Take an intake from the public form; returns (case, outcome).

    outcome is "created" (a new case), "added" (one more submission to the open case with
    this e-mail, through intake_submit) or "duplicate": the same answers reached an open case
    within DOUBLE_SUBMIT_WINDOW, so nothing is saved or mailed again. The check runs under the
    same per-e-mail lock as intake_submit, so a double click that sends two requests at once
    still saves one submission. `at` and `case_id` as for intake_submit.
    """
    at = at or timezone.now()
    email = normalise_email(data.get("email"))
    answers = _json_answers({**data, "email": email})
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"lokaal:{email}"])
        earlier = (
            Submission.objects.filter(
                case__in=Case.objects.open().filter(email=email),
                created_at__gte=at - DOUBLE_SUBMIT_WINDOW,
                data=answers,
            )
            .select_related("case")
            .order_by("-created_at")
            .first()
        )
        if earlier is not None:
            return earlier.case, "duplicate"
        case, created = intake_submit(data=data, language=language, at=at, case_id=case_id)
    return case, "created" if created else "added"


# An intake that no task has processed this long after it was received is processed by the
# beat job (the task's publish was lost, or it failed).
INTAKE_PROCESS_GRACE = datetime.timedelta(minutes=5)
INTAKE_PROCESS_BATCH_SIZE = 200


def intake_accept(*, data, language):
    """Keep an intake from the public form as one row and leave the desk's work to a task.

    This is all the form's POST does, so that it answers fast under load: the case, its
    history, the double-funding check and the confirmation e-mail are made by
    lokaal.tasks.process_intake (intake_process) once this row has committed. The case's id
    is reserved here, so the returned row's reference is the one the new case will have;
    should the intake join an open case instead, the row leads from its reference to that
    case. A broker outage loses nothing: the task is kept as a PendingTask, and beat's
    process_overdue_intakes processes any row left behind. Returns the ReceivedIntake.
    """
    from .tasks import process_intake

    now = timezone.now()
    with transaction.atomic():
        case_id = sequences.reserve_id(Case._meta.db_table)
        received = ReceivedIntake.objects.create(
            reference=case_reference(case_id, now),
            reserved_case_id=case_id,
            data=_json_answers({**data, "email": normalise_email(data.get("email"))}),
            language=language,
            received_at=now,
        )
        enqueue_on_commit(process_intake, received.pk)
    return received


def _answers_from_json(answers):
    """The stored answers as intake_submit takes them (the inverse of _json_answers)."""
    data = dict(answers)
    if "municipality" in data:
        pk = data["municipality"]
        data["municipality"] = Municipality.objects.filter(pk=pk).first() if pk else None
    if data.get("wished_start"):
        data["wished_start"] = datetime.date.fromisoformat(data["wished_start"])
    if data.get("subjects"):
        # A subject removed from the list since is left out, as the form would refuse it.
        data["subjects"] = list(
            ShortageSubject.objects.filter(pk__in=data["subjects"]).values_list("pk", flat=True)
        )
    return data


def intake_process(*, received_pk):
    """Do the desk's work on a received intake (intake_receive); returns the outcome.

    Idempotent: the row is locked, and one that is already processed (or gone) is left
    alone and None returned. The answers move into the case's Submission, so the row keeps
    only its reference, the outcome and the case.
    """
    with transaction.atomic():
        received = ReceivedIntake.objects.select_for_update().filter(pk=received_pk).first()
        if received is None or received.processed_at is not None:
            return None
        case, outcome = intake_receive(
            data=_answers_from_json(received.data),
            language=received.language,
            at=received.received_at,
            case_id=received.reserved_case_id,
        )
        received.case = case
        received.outcome = outcome
        received.processed_at = timezone.now()
        received.data = {}
        received.save(update_fields=["case", "outcome", "processed_at", "data"])
    return outcome


def intakes_process_overdue(*, now=None):
    """Process the received intakes still waiting INTAKE_PROCESS_GRACE after their arrival.

    For beat: whatever happened to an intake's task (a lost publish, a failure), the intake
    is processed here. One that fails is logged and tried again on the next run. Returns
    how many were processed.
    """
    now = now or timezone.now()
    waiting = ReceivedIntake.objects.filter(
        processed_at__isnull=True, received_at__lt=now - INTAKE_PROCESS_GRACE
    ).order_by("received_at")
    processed = 0
    for pk in list(waiting.values_list("pk", flat=True)[:INTAKE_PROCESS_BATCH_SIZE]):
        try:
            processed += intake_process(received_pk=pk) is not None
        except Exception:
            logger.exception("Received intake %s could not be processed", pk)
    return processed
