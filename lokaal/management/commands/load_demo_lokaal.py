"""Load the desk's demo data: room and shadowing at the registry's schools, forty candidates.

Run after ``load_demo`` (``make run`` does): the rooms and shadowing slots are at real
schools and boards of the registry, the advisor is the demo desk advisor. The candidates
are fictional (made-up names, addresses @example.org, ``is_demo``) and go through the desk
as real ones do: every intake, call, status change, booking, route advice, proposal and
decision is made by the desk's services, with the clock set to the moment it happens
(time-machine, which `make install` installs with the development tools), so their history,
deadlines and references are what the desk itself would have written. They
are spread over the last twelve months and every status; some are overdue, and one status
holder had a case in an earlier year, which the intake flags as possible double funding.

A desk-contact login at one board (a partner editor with the topic role ``desk_contact``)
decides on the proposals there. The e-mails the services queue for demo people are dropped
before the commit: demo data sends nothing.

Idempotent: a candidate, room or slot that is there already (by e-mail, by organisation
and note) is left as it is; an existing user keeps their password. One transaction.
"""

import datetime
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from lokaal import matching, services
from lokaal.models import (
    Case,
    EducationLevel,
    Room,
    ShadowingBooking,
    ShadowingSlot,
    ShortageSubject,
    TimelineKind,
    TrainingRoute,
)
from partners.models import Membership, Municipality, Organisation
from portal.models import MemberRole, OutgoingEmail

DATA_FILE = Path(settings.BASE_DIR) / "fixtures" / "demo" / "lokaal.json"
# The demo logins' password (fixtures/demo/users.json).
PASSWORD = "Haaglanden-demo-2026"
ADVISOR_EMAIL = "loket@example.org"
PROGRAMME_EMAIL = "programma@example.org"
S = Case.Status


@dataclass
class Candidate:
    """One fictional candidate of lokaal.json and the status the demo brings them to."""

    name: str
    days_ago: int
    status: str
    sectors: list
    origin: str
    education: str
    municipality: str
    subjects: list = field(default_factory=list)
    hours: int = 24
    status_holder: bool = False
    assigned: bool = True
    variant: str = ""  # "future_booking", "declined" or "earlier_case"
    language: str = "nl"

    @property
    def email(self):
        # Plain ASCII: "Zoë Zogenaamd" writes as zoe.zogenaamd@example.org.
        return services.normalise_name(self.name).replace(" ", ".") + "@example.org"


# The steps after the intake that bring a case to its status, in order.
PATHS = {
    S.NEW: (),
    S.CONTACTED: ("respond",),
    S.ORIENTATION: ("respond", "orientation"),
    S.SHADOWING: ("respond", "orientation", "book", "outcome"),
    S.ROUTE_ADVISED: ("respond", "orientation", "advise"),
    S.MATCHED: ("respond", "orientation", "advise", "propose"),
    S.PLACED: ("respond", "orientation", "advise", "propose", "accept"),
    S.ON_HOLD: ("respond", "orientation", "hold"),
    S.WITHDRAWN: ("respond", "withdraw"),
    S.NOT_SUITABLE: ("respond", "orientation", "not_suitable"),
}
VARIANT_PATHS = {
    "future_booking": ("respond", "orientation", "book_ahead"),
    "declined": ("respond", "orientation", "advise", "propose", "decline"),
}
HEARD_VIA = ("search_engine", "social_media", "event", "school", "employer", "acquaintance")
# The rooms were published a year and this many days before the first run: before any intake.
ROOMS_BEFORE_DAYS = 30
EARLIER_CASE_DAYS_AGO = 430
LONGEST_STEP = datetime.timedelta(days=21)


class Command(BaseCommand):
    help = (
        "Load the desk's demo data (room and shadowing at the registry's schools, about forty "
        "fictional candidates through the desk's services, a desk-contact login). Run after "
        "load_demo. Idempotent."
    )

    def handle(self, *args, **options):
        try:
            import time_machine
        except ImportError as error:  # a production install without the dev dependencies
            raise CommandError(
                "The desk's demo data needs time-machine (make install installs it)."
            ) from error
        self.travel = time_machine.travel

        self.data = self._read()
        self.now = timezone.now()
        self.created = {"candidates": 0, "cases": 0, "rooms": 0, "shadowing slots": 0}
        # Without a broker the outbox tasks run at the commit, one log line each: for mails
        # that are not sent (see below), that is noise in `make run`.
        trace = logging.getLogger("celery.app.trace")
        level = trace.level
        trace.setLevel(logging.WARNING)
        try:
            self._load()
        finally:
            trace.setLevel(level)
        self._print_summary()

    def _load(self):
        with transaction.atomic():
            last_email = OutgoingEmail.objects.aggregate(last=Max("pk"))["last"] or 0
            self._load_people()
            self._load_rooms()
            self._load_future_slots()
            for index, row in enumerate(self.data["candidates"]):
                candidate = Candidate(**row)
                if not Case.objects.filter(email=candidate.email, is_demo=True).exists():
                    self._run(index, candidate)
            # Demo people get no mail: drop what the services queued before it is sent.
            OutgoingEmail.objects.filter(pk__gt=last_email, to__endswith="@example.org").delete()

    # Set-up --------------------------------------------------------------------------------

    def _read(self):
        try:
            return json.loads(DATA_FILE.read_text(encoding="utf-8"))
        except FileNotFoundError as error:
            raise CommandError(f"Missing demo data file: {DATA_FILE}") from error
        except json.JSONDecodeError as error:
            raise CommandError(f"{DATA_FILE} is not valid JSON: {error}") from error

    def _organisation(self, name):
        organisation = Organisation.objects.filter(name__iexact=name).first()
        if organisation is None:
            raise CommandError(f"Organisation {name!r} is missing: run load_demo first.")
        return organisation

    def _load_people(self):
        users = get_user_model().objects
        self.advisor = users.filter(email__iexact=ADVISOR_EMAIL).first()
        self.programme = users.filter(email__iexact=PROGRAMME_EMAIL).first()
        row = self.data["desk_contact"]
        contact = users.filter(email__iexact=row["email"]).first()
        created = contact is None
        if created:
            contact = users.create_user(
                row["email"], PASSWORD, first_name=row["first_name"], last_name=row["last_name"]
            )
        board = self._organisation(row["organisation"])
        membership, _created = Membership.objects.get_or_create(
            user=contact,
            organisation=board,
            defaults={"role": MemberRole.EDITOR, "topics": ["desk_contact"]},
        )
        # A topic role is only ever added, never taken away (as invitations do).
        if "desk_contact" not in (membership.topics or []):
            membership.topics = [*(membership.topics or []), "desk_contact"]
            membership.save(update_fields=["topics"])
        self.desk_contact = contact
        self.desk_contact_board = board
        works = created or contact.check_password(PASSWORD)
        self.login = (
            contact.email,
            f"{membership.get_role_display()}, {board.name} (desk contact)",
            PASSWORD if works else "(changed)",
        )

    def _load_rooms(self):
        with self.travel(self.now - datetime.timedelta(days=365 + ROOMS_BEFORE_DAYS), tick=False):
            start = timezone.localdate()
            for row in self.data["rooms"]:
                organisation = self._organisation(row["organisation"])
                if Room.objects.filter(organisation=organisation, note=row["note"]).exists():
                    continue
                municipality = row.get("municipality")
                room = Room(
                    organisation=organisation,
                    sector=row["sector"],
                    places=row["places"],
                    hours_per_week=row["hours"],
                    municipality=(
                        self._municipality(municipality)
                        if municipality
                        else organisation.municipality
                    ),
                    special_education=row.get("special_education", False),
                    period_start=start,
                    note=row["note"],
                )
                subjects = ShortageSubject.objects.filter(code__in=row.get("subjects", []))
                services.room_save(room=room, subjects=subjects, by=None)
                self.created["rooms"] += 1

    def _load_future_slots(self):
        for row in self.data["shadowing_slots"]:
            organisation = self._organisation(row["organisation"])
            if ShadowingSlot.objects.filter(organisation=organisation, note=row["note"]).exists():
                continue
            date = timezone.localdate() + datetime.timedelta(days=row["days_ahead"])
            self._slot(organisation, row["sector"], row.get("subject"), date, row["note"])

    def _slot(self, organisation, sector, code, date, note):
        slot = ShadowingSlot(
            organisation=organisation,
            date=date,
            start_time=datetime.time(8, 30),
            end_time=datetime.time(15, 0),
            sector=sector,
            subject=ShortageSubject.objects.filter(code=code).first() if code else None,
            places=2,
            note=note,
        )
        self.created["shadowing slots"] += 1
        return services.slot_save(slot=slot, by=None)

    def _municipality(self, name):
        return Municipality.objects.filter(name__iexact=name).first()

    # One candidate -------------------------------------------------------------------------

    def _run(self, index, candidate):
        self.created["candidates"] += 1
        if candidate.variant == "earlier_case":
            self._earlier_case(index, candidate)
        intake_at = self._intake_moment(index, candidate.days_ago)
        case = self._intake(index, candidate, intake_at)
        if candidate.assigned:
            self._at(intake_at + datetime.timedelta(hours=2), self._assign, case)
        path = VARIANT_PATHS.get(candidate.variant, PATHS[candidate.status])
        if candidate.status_holder and path:
            path = (path[0], "programme", *path[1:])
        context = {"candidate": candidate}
        for moment, step in zip(self._moments(index, intake_at, len(path)), path, strict=True):
            self._at(moment, getattr(self, f"_step_{step}"), case, context)

    def _earlier_case(self, index, candidate):
        """The same person's case of an earlier year, withdrawn then: the later intake's hit."""
        intake_at = self._intake_moment(index, EARLIER_CASE_DAYS_AGO)
        case = self._intake(index, candidate, intake_at)
        self._at(intake_at + datetime.timedelta(hours=2), self._assign, case)
        context = {"candidate": candidate}
        self._at(intake_at + datetime.timedelta(days=2), self._step_respond, case, context)
        self._at(
            intake_at + datetime.timedelta(days=30),
            self._transition,
            case,
            S.WITHDRAWN,
            "Verhuisd naar een andere regio; stopt hier met het traject.",
        )

    def _intake_moment(self, index, days_ago):
        moment = timezone.localtime(self.now) - datetime.timedelta(days=days_ago)
        return moment.replace(hour=9 + index % 9, minute=(index * 7) % 60, second=0, microsecond=0)

    def _moments(self, index, intake_at, steps):
        """When each step happens: the first response after 1 to 8 days (some too late),
        the rest spread evenly up to yesterday."""
        if not steps:
            return []
        latest = self.now - datetime.timedelta(days=1)
        first = min(intake_at + datetime.timedelta(days=1 + index % 8), latest)
        gap = min((latest - first) / steps, LONGEST_STEP) if steps > 1 else datetime.timedelta()
        return [first + gap * n for n in range(steps)]

    def _at(self, moment, action, *args):
        with self.travel(moment, tick=False):
            return action(*args)

    def _intake(self, index, candidate, intake_at):
        subjects = ShortageSubject.objects.filter(code__in=candidate.subjects)
        data = {
            "name": candidate.name,
            "email": candidate.email,
            "phone": f"06-{20000000 + index * 1013}" if index % 3 else "",
            "postcode": "",
            "municipality": self._municipality(candidate.municipality),
            "origin_sector": candidate.origin,
            "education_level": candidate.education,
            "foreign_diploma": candidate.status_holder,
            "target_sectors": list(candidate.sectors),
            "subjects": list(subjects),
            "other_subject": "",
            "hours_per_week": candidate.hours,
            "wished_start": (intake_at + datetime.timedelta(days=90)).date().replace(day=1),
            "is_status_holder": candidate.status_holder,
            "heard_via": HEARD_VIA[index % len(HEARD_VIA)],
            "motivation": "Demo: ik wil mijn vakkennis doorgeven aan een nieuwe generatie.",
            "consent": True,
        }
        with self.travel(intake_at, tick=False):
            case, _created = services.intake_submit(
                data=data, language=candidate.language, is_demo=True
            )
        self.created["cases"] += 1
        return case

    # Steps ---------------------------------------------------------------------------------

    def _assign(self, case):
        if self.advisor is not None:
            services.case_assign(case=case, advisor=self.advisor, by=self.programme)

    def _transition(self, case, to, note=""):
        services.case_transition(case=case, to=to, by=self.advisor, note=note)

    def _step_respond(self, case, context):
        services.timeline_add(
            case=case,
            kind=TimelineKind.CALL,
            text="Kennismakingsgesprek per telefoon: wensen en achtergrond besproken.",
            by=self.advisor,
        )
        self._transition(case, S.CONTACTED)

    def _step_programme(self, case, context):
        services.case_programme_join(
            case=case,
            year=timezone.localdate().year,
            by=self.advisor,
            decision_note="Demo: besloten in het programmateamoverleg.",
        )

    def _step_orientation(self, case, context):
        services.timeline_add(
            case=case,
            kind=TimelineKind.MEETING,
            text="Oriëntatiegesprek op het loket: routes en sectoren doorgenomen.",
            by=self.advisor,
        )
        self._transition(case, S.ORIENTATION)

    def _book(self, case, slot, context):
        context["booking"] = services.shadowing_booking_create(
            slot=slot, case=case, by=self.advisor
        )
        self._transition(case, S.SHADOWING)

    def _step_book(self, case, context):
        sector = context["candidate"].sectors[0]
        organisation = self._organisation(self.data["shadowing_schools"][sector])
        date = timezone.localdate() + datetime.timedelta(days=3)
        slot = self._slot(organisation, sector, None, date, f"Meeloopdag {sector}")
        self._book(case, slot, context)

    def _step_book_ahead(self, case, context):
        slot = (
            ShadowingSlot.objects.filter(
                sector=context["candidate"].sectors[0], date__gt=timezone.localdate()
            )
            .order_by("date")
            .first()
        )
        if slot is not None:
            self._book(case, slot, context)

    def _step_outcome(self, case, context):
        services.shadowing_outcome_record(
            booking=context["booking"],
            outcome=ShadowingBooking.Outcome.WENT_WELL,
            note="Enthousiast over de dag in de klas.",
            by=self.advisor,
        )

    def _step_advise(self, case, context):
        route = self._route_for(context["candidate"])
        if route is not None:
            services.case_advise_route(case=case, route=route, by=self.advisor)
        self._transition(case, S.ROUTE_ADVISED)

    def _route_for(self, candidate):
        levels = list(EducationLevel.values)
        for route in TrainingRoute.objects.filter(active=True).prefetch_related("sectors"):
            sectors = {sector.code for sector in route.sectors.all()}
            fits_level = not route.min_education or levels.index(
                candidate.education
            ) >= levels.index(route.min_education)
            if candidate.sectors[0] in sectors and fits_level:
                return route
        return None

    def _step_propose(self, case, context):
        ranked = [
            r for r in matching.rank_case(case) if r.reasons and r.reasons[0]["code"] == "sector"
        ]
        if not ranked:
            return
        best = ranked[0]
        context["match"] = services.match_propose(
            case=case,
            room=Room.objects.get(pk=best.place.pk),
            score=best.score,
            explanation=best.reasons,
            by=self.advisor,
        )

    def _decider(self, match):
        """The board's desk contact where there is one; elsewhere the programme team."""
        organisation = match.room.organisation
        board = organisation.parent or organisation
        if board == self.desk_contact_board:
            return self.desk_contact
        return self.programme

    def _step_accept(self, case, context):
        match = context.get("match")
        if match is not None:
            services.match_accept(
                match=match, by=self._decider(match), reason="Past goed bij het team."
            )

    def _step_decline(self, case, context):
        match = context.get("match")
        if match is not None:
            services.match_decline(
                match=match,
                by=self._decider(match),
                reason="Dit schooljaar geen begeleider beschikbaar voor een zij-instromer.",
            )

    def _step_hold(self, case, context):
        self._transition(case, S.ON_HOLD, "Kandidaat wil na de zomer verder.")

    def _step_withdraw(self, case, context):
        self._transition(case, S.WITHDRAWN, "Kiest toch voor een baan buiten het onderwijs.")

    def _step_not_suitable(self, case, context):
        self._transition(
            case,
            S.NOT_SUITABLE,
            "De vooropleiding geeft geen toegang tot een route in het gewenste vak.",
        )

    # Output --------------------------------------------------------------------------------

    def _print_summary(self):
        write = self.stdout.write
        write(self.style.SUCCESS("Desk demo data loaded."))
        for label, count in self.created.items():
            write(f"  {label:<16} {count:>4} new")
        demo = Case.objects.filter(is_demo=True)
        write(f"  demo cases       {demo.count():>4} in all")
        counts = {status: demo.filter(status=status).count() for status in Case.Status.values}
        write("  " + ", ".join(f"{n} {status}" for status, n in counts.items() if n))
        write("")
        write(self.style.SUCCESS("Demo login of the desk:"))
        write("  " + "  ".join(self.login))
