"""Load the demo data of equal internship opportunities: the manifesto's evidence, sixty
fictional reports of internship discrimination and a handler login.

Run after ``load_demo`` (``make run`` does): the signatories, the five commitments and the
institutions are the registry's. For the previous and the current year every signatory of the
manifesto gets the state of each commitment (partners.CommitmentProgress) with short evidence,
and its yearly figures (ManifestoYear); two signatories have not yet filled in the current
year, so that the overview's completeness shows a gap.

The reports are fictional (``is_demo``), spread over last year and this one at De Haagse
Hogeschool, Inholland, ROC Mondriaan and a few without an institution, in every status, some
overdue, with messages both ways and internal notes, and with a few small groups (two reports
on the ground "age", three at level "wo") that the figures show as "<5". A report is created
as the form's service does (routing, deadline, first status row) and then handled through
internships.services with the clock set to the moment each step happens (time-machine, which
`make install` installs with the development tools), so its history, first response and
deadline are what the portal itself would have written. The e-mails the services queue are
dropped before the commit: demo data sends nothing.

Everything is derived from a fixed seed: a rerun creates nothing new, and the receipt codes
are the same on every machine, so the command can print two of them for trying the anonymous
follow-up. Only their hashes are stored, as for real reports.

A handler login at De Haagse Hogeschool (a partner viewer with the topic role
``internship_reports``) handles the reports of that institution; the others go to the
programme team. ``--no-users`` leaves the login out (as ``load_demo --no-users`` does); the
reports of De Haagse Hogeschool then go to the programme team too.

Idempotent: a report is recognised by its receipt code, a commitment state or a year's
figures by signatory and year; what exists is left as it is, and an existing user keeps their
password. One transaction.
"""

import datetime
import logging
import random
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from internships import services
from internships.models import (
    CODE_ALPHABET,
    CODE_GROUP,
    CODE_LENGTH,
    TOPIC,
    ManifestoYear,
    Message,
    Report,
    receipt_code_hash,
)
from partners.models import Agreement, CommitmentProgress, Membership, Organisation
from portal import workdays, workflow
from portal.models import MemberRole, OutgoingEmail

SEED = 20250609
REPORT_COUNT = 60
# The demo logins' password (fixtures/demo/users.json).
PASSWORD = "Haaglanden-demo-2026"
HANDLER_EMAIL = "stagemeldpunt@example.org"
PROGRAMME_EMAIL = "programma@example.org"
HANDLER_INSTITUTION = "De Haagse Hogeschool"
MANIFESTO = "manifest-gelijke-stagekansen"
# The signatories (by the registry's names) that have not yet filled in the current year.
LATE_SIGNATORIES = ("MKB Den Haag", "ELBHO")
# Reports whose receipt codes the command prints: open ones, with messages to read.
SHOWN_CODES = (8, 9)

S = Report.Status
PROGRESS = CommitmentProgress.State

# The region's institutions and how often they appear, in a fixed cycle of twenty reports:
# 7 De Haagse Hogeschool, 5 ROC Mondriaan, 5 Inholland, 3 without an institution.
INSTITUTIONS = {
    "dhh": ("De Haagse Hogeschool", "hbo"),
    "roc": ("ROC Mondriaan", "mbo"),
    "inh": ("Hogeschool Inholland", "hbo"),
    "none": (None, None),
}
CYCLE = "dhh roc inh dhh roc dhh inh none dhh roc inh dhh roc dhh none inh roc dhh inh none"
# Small groups: the only reports on the ground "age", and the only ones at level "wo".
AGE_REPORTS = (11, 37)
WO_REPORTS = (7, 14, 19)
# Received reports that nobody has answered, long past their deadline (two of them at the
# handler login's institution).
OVERDUE_REPORTS = (1, 3, 5, 7)


@dataclass(frozen=True)
class Scenario:
    phase: str
    grounds: tuple
    description: str
    place: str = ""
    ground_other: str = ""


SCENARIOS = (
    Scenario(
        "finding",
        ("origin", "migration_background"),
        "Op sollicitaties onder mijn eigen naam kreeg ik geen reactie; onder een Nederlandse "
        "naam werd ik twee keer uitgenodigd.",
    ),
    Scenario(
        "finding",
        ("religion",),
        "Aan de telefoon zei het bedrijf dat een stagiair met hoofddoek 'niet bij de "
        "uitstraling past'.",
        "Kapsalon in Den Haag",
    ),
    Scenario(
        "finding",
        ("disability",),
        "Toen ik vertelde dat ik slechthorend ben, was de stageplek ineens vergeven.",
    ),
    Scenario(
        "application",
        ("religion",),
        "In het gesprek werd gevraagd of ik tijdens de ramadan wel volledig kon werken.",
        "Logistiek bedrijf in Rijswijk",
    ),
    Scenario(
        "application",
        ("gender",),
        "De interviewer vroeg of ik van plan was kinderen te krijgen.",
        "Installatiebedrijf",
    ),
    Scenario(
        "application",
        ("origin",),
        "Ik werd afgewezen omdat klanten 'liever een Nederlands gezicht' zouden zien.",
        "Makelaarskantoor",
    ),
    Scenario(
        "internship",
        ("origin",),
        "Mijn begeleider maakt waar het team bij is grappen over mijn afkomst.",
        "Zorginstelling in Den Haag",
    ),
    Scenario(
        "internship",
        ("sexual_orientation",),
        "Sinds collega's weten dat ik een vriendin heb, word ik niet meer bij het "
        "teamoverleg gevraagd.",
    ),
    Scenario(
        "internship",
        ("gender", "origin"),
        "Als enige vrouw van kleur in het team krijg ik steeds de schoonmaaktaken.",
        "Horecabedrijf in Scheveningen",
    ),
    Scenario(
        "internship",
        ("disability",),
        "Ik mocht mijn aangepaste werkplek niet gebruiken, want dat was 'te veel gedoe'.",
        "Kantoor van een gemeentelijke dienst",
    ),
    Scenario(
        "internship",
        ("migration_background",),
        "Mijn begeleider zegt dat ik eerst beter Nederlands moet leren en geeft me geen "
        "klantcontact.",
        "Supermarkt",
    ),
    Scenario(
        "internship",
        ("other",),
        "Ik word uitgelachen omdat ik in een aandachtswijk woon.",
        ground_other="Woonwijk",
    ),
)
AGE_SCENARIOS = (
    Scenario(
        "application",
        ("age",),
        "Ik ben 42 en hoorde na het gesprek dat ze 'liever een jonge stagiair' wilden.",
    ),
    Scenario(
        "internship",
        ("age", "gender"),
        "Mijn begeleider zegt dat ik op mijn leeftijd 'toch niet meer meekom' met de systemen.",
        "Administratiekantoor",
    ),
)
NAMES = (
    "Yasmina Voorbeeld",
    "Daan Fictief",
    "Priya Demo",
    "Kees Verzonnen",
    "Amal Testmans",
    "Noor Proef",
    "Mehmet Zogenaamd",
    "Lisa Bedacht",
)
ROLES = ("student", "student", "student", "student", "student", "supervisor", "witness", "other")
WISHES = ("register", "advice", "conversation", "conversation", "mediation", "complaint")

FIRST_ANSWER = (
    "Dank je wel voor je melding. Wat vervelend dat je dit hebt meegemaakt. Ik neem hem in "
    "behandeling en laat je binnen een week weten wat we gaan doen."
)
REPORTER_REPLY = (
    "Dank voor jullie reactie. Ik wil graag een gesprek, het liefst na 16.00 uur.",
    "Kunnen jullie ervoor zorgen dat het bedrijf niet weet dat ik dit gemeld heb?",
    "Ik heb inmiddels een andere stageplek gevonden, maar wil dat dit bekend is.",
)
REPORTER_ASKS = "Is er al iets met mijn melding gebeurd?"
SECOND_ANSWER = (
    "Ik heb met de stagecoördinator gesproken; we nemen contact op met het bedrijf. "
    "Je naam noemen we niet zonder jouw toestemming."
)
NOTES = (
    "Stagebedrijf staat bij ons al bekend; eerder signaal in 2024. Met coördinator besproken.",
    "Melder wil anoniem blijven richting bedrijf. Eerst advies, geen confrontatie.",
    "Contact gehad met de praktijkopleider; die herkent het beeld niet. Volgt gesprek.",
    "Afgestemd met SBB over de erkenning van dit leerbedrijf.",
)
REFERRAL_NOTE = "Doorverwezen naar de antidiscriminatievoorziening in de regio, met toestemming."
REGISTER_NOTE = "Geregistreerd op verzoek van de melder; geen verdere actie gewenst."
# The outcome a report closes with, by what the reporter wanted; a few close otherwise.
OUTCOMES = {
    "register": "registered",
    "advice": "advice_given",
    "conversation": "conversation_held",
    "mediation": "mediated",
    "complaint": "complaint_handled",
}
OTHER_OUTCOMES = ("measures_taken", "reporter_unreachable", "not_discrimination")

# The manifesto's figures per kind of signatory: (supervisors trained, campaign
# contributions, design sessions attended) in the previous year; the current year adds a bit.
FIGURES = {
    "education": (45, 6, 4),
    "municipality": (12, 4, 5),
    "employers": (20, 3, 3),
    "other": (8, 2, 3),
}
EVIDENCE = {
    1: (
        "Meldprocedure staat op intranet en in de stagegids; meldingen via het portaal.",
        "Meldprocedure herzien; contactpersoon per opleiding benoemd.",
    ),
    2: (
        "Twee trainingen 'stagediscriminatie herkennen' voor stagebegeleiders gegeven.",
        "Intervisie voor praktijkopleiders en docenten samen, vier bijeenkomsten.",
    ),
    3: (
        "Campagnemateriaal SAME gedeeld op sociale media en in de nieuwsbrief.",
        "Werkbezoek en interview voor de campagne in het eigen personeelsblad.",
    ),
    4: (
        "Vragenlijst van de 2-jaarlijkse meting onder studenten uitgezet.",
        "Cijfers voor de meting aangeleverd; respons 38 procent.",
    ),
    5: (
        "Aanwezig bij twee ontwerpsessies en de reflectiebijeenkomst.",
        "Reflectiebijeenkomst mede georganiseerd.",
    ),
}
LONGEST_STEP = datetime.timedelta(days=20)
# The steps the reporter takes; the others are the handler's.
REPORTER_STEPS = ("ask", "reply")


def demo_code(index):
    """The receipt code of demo report `index`: from the fixed seed, the same on every run.

    Known to anyone who reads this file, on purpose: it opens a fictional report only.
    """
    rng = random.Random(f"{SEED}-code-{index}")  # noqa: S311 (deterministic on purpose)
    raw = "".join(rng.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + CODE_GROUP] for i in range(0, CODE_LENGTH, CODE_GROUP))


class Command(BaseCommand):
    help = (
        "Load the demo data of equal internship opportunities (the manifesto signatories' "
        "commitments and figures, about sixty fictional reports, a handler login). Run after "
        "load_demo. Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-users",
            action="store_true",
            help="Skip the handler login (reports then all go to the programme team).",
        )

    def handle(self, *args, no_users=False, **options):
        try:
            import time_machine
        except ImportError as error:  # a production install without the dev dependencies
            raise CommandError(
                "The internship demo data needs time-machine (make install installs it)."
            ) from error
        self.travel = time_machine.travel
        self.now = timezone.now()
        self.created = {"commitment states": 0, "manifesto years": 0, "reports": 0}
        self.login = None
        # Without a broker the outbox tasks run at the commit, one log line each: for mails
        # that are not sent (see _load), that is noise in `make run`.
        trace = logging.getLogger("celery.app.trace")
        level = trace.level
        trace.setLevel(logging.WARNING)
        try:
            self._load(no_users)
        finally:
            trace.setLevel(level)
        self._print_summary()

    def _load(self, no_users):
        with transaction.atomic():
            last_email = OutgoingEmail.objects.aggregate(last=Max("pk"))["last"] or 0
            self.notified = set()
            self._load_manifesto()
            self.handler = None if no_users else self._load_handler()
            self.programme = get_user_model().objects.filter(email__iexact=PROGRAMME_EMAIL).first()
            rng = random.Random(SEED)  # noqa: S311 (fictional data, the same on every run)
            for index in range(REPORT_COUNT):
                # Every report draws from the generator, loaded or not, so that each one is
                # the same whichever of them already exist.
                plan = self._plan(index, rng)
                if not Report.objects.filter(receipt_code_hash=plan["hash"]).exists():
                    self._run(index, plan)
            # Demo reports send no mail: drop what the services queued, before it is sent.
            OutgoingEmail.objects.filter(pk__gt=last_email, to__in=self.notified).delete()

    # Set-up --------------------------------------------------------------------------------

    def _organisation(self, name):
        organisation = Organisation.objects.filter(name__iexact=name).first()
        if organisation is None:
            raise CommandError(f"Organisation {name!r} is missing: run load_demo first.")
        return organisation

    def _load_handler(self):
        users = get_user_model().objects
        handler = users.filter(email__iexact=HANDLER_EMAIL).first()
        created = handler is None
        if created:
            handler = users.create_user(
                HANDLER_EMAIL, PASSWORD, first_name="Demo", last_name="Stagemeldpunt"
            )
        institution = self._organisation(HANDLER_INSTITUTION)
        membership, _created = Membership.objects.get_or_create(
            user=handler,
            organisation=institution,
            defaults={"role": MemberRole.VIEWER, "topics": [TOPIC]},
        )
        # A topic role is only ever added, never taken away (as invitations do).
        if TOPIC not in (membership.topics or []):
            membership.topics = [*(membership.topics or []), TOPIC]
            membership.save(update_fields=["topics"])
        works = created or handler.check_password(PASSWORD)
        self.login = (
            handler.email,
            f"{membership.get_role_display()}, {institution.name} (internship-report handler)",
            PASSWORD if works else "(changed)",
        )
        return handler

    # The manifesto -------------------------------------------------------------------------

    def _load_manifesto(self):
        agreement = Agreement.objects.filter(slug=MANIFESTO).first()
        if agreement is None:
            raise CommandError(f"Agreement {MANIFESTO!r} is missing: run load_demo first.")
        commitments = list(agreement.commitments.order_by("number"))
        this_year = timezone.localdate().year
        signatures = agreement.signatures.select_related("organisation").order_by(
            "organisation__name"
        )
        for position, signature in enumerate(signatures):
            for year in (this_year - 1, this_year):
                late = signature.organisation.name in LATE_SIGNATORIES
                if year == this_year and late:
                    continue
                for commitment in commitments:
                    self._progress(signature, commitment, year, position)
                self._manifesto_year(signature, year, position)

    def _progress(self, signature, commitment, year, position):
        current = year == timezone.localdate().year
        # Varied, and further along in the current year: most achieved, some in progress.
        turn = (position + commitment.number + (0 if current else 1)) % 5
        state = (
            PROGRESS.ACHIEVED,
            PROGRESS.ACHIEVED,
            PROGRESS.IN_PROGRESS,
            PROGRESS.ACHIEVED if current else PROGRESS.NOT_STARTED,
            PROGRESS.IN_PROGRESS,
        )[turn]
        evidence = "" if state == PROGRESS.NOT_STARTED else EVIDENCE[commitment.number][current]
        _progress, created = CommitmentProgress.objects.get_or_create(
            signature=signature,
            commitment=commitment,
            year=year,
            defaults={"state": state, "evidence": evidence},
        )
        self.created["commitment states"] += int(created)

    def _manifesto_year(self, signature, year, position):
        current = year == timezone.localdate().year
        kind = _figures_kind(signature.organisation)
        trained, campaign, sessions = FIGURES[kind]
        growth = 1 + position % 3 if current else 0
        _year, created = ManifestoYear.objects.get_or_create(
            signature=signature,
            year=year,
            defaults={
                "reporting_procedure": kind in ("education", "municipality") or current,
                "supervisors_trained": trained + 5 * growth + position,
                "campaign_contributions": campaign + growth,
                "design_sessions_attended": sessions + (1 if current else 0),
                "reflection_meeting_held": not current or position % 2 == 0,
                "measurement_taken_part": not current,
                "note": (
                    "Demo: cijfers tot en met oktober."
                    if current
                    else "Demo: cijfers over het hele jaar."
                ),
            },
        )
        self.created["manifesto years"] += int(created)

    # One report ----------------------------------------------------------------------------

    def _plan(self, index, rng):
        """What demo report `index` is: its answers and the status it is brought to."""
        key = CYCLE.split()[index % 20]
        institution_name, level = INSTITUTIONS[key]
        if index in AGE_REPORTS:
            scenario = AGE_SCENARIOS[AGE_REPORTS.index(index)]
        else:
            scenario = rng.choice(SCENARIOS)
        if level is None:
            level = "wo" if index in WO_REPORTS else rng.choice(("mbo", "hbo"))
        anonymous = rng.random() < 0.6
        name = rng.choice(NAMES)
        # Spread from two days ago back to January of last year: the two calendar years of
        # the manifesto's figures, whatever the date of the run.
        today = timezone.localdate(self.now)
        span = (today - datetime.date(today.year - 1, 1, 10)).days - 8
        days_ago = 2 + index * span // REPORT_COUNT + rng.randrange(5)
        created_at = (timezone.localtime(self.now) - datetime.timedelta(days=days_ago)).replace(
            hour=8 + index % 12, minute=(index * 13) % 60, second=0, microsecond=0
        )
        code = demo_code(index)
        return {
            "code": code,
            "hash": receipt_code_hash(code),
            "institution": institution_name,
            "level": level,
            "scenario": scenario,
            "reporter_role": rng.choice(ROLES),
            "wish": rng.choice(WISHES),
            "anonymous": anonymous,
            "name": "" if anonymous else name,
            "email": "" if anonymous else name.lower().replace(" ", ".") + "@example.org",
            "phone": "" if anonymous or index % 3 else f"06-{30000000 + index * 7919}",
            "occurred_days_before": rng.randrange(1, 40),
            "language": "en" if index % 6 == 5 else "nl",
            "created_at": created_at,
            "days_ago": days_ago,
            "first_response_days": rng.randrange(1, 10),
            "status": _status_of(index, days_ago),
            "other_outcome": rng.random() < 0.2,
            "reply": rng.choice(REPORTER_REPLY),
            "note": rng.choice(NOTES),
        }

    def _run(self, index, plan):
        report = self._create(plan)
        self.created["reports"] += 1
        by = self.handler if report.routed_to_id else self.programme
        steps = self._steps(index, plan)
        for moment, step in zip(self._moments(plan, len(steps)), steps, strict=True):
            with self.travel(moment, tick=False):
                self._open(report, by_reporter=step in REPORTER_STEPS)
                getattr(self, f"_step_{step}")(report, plan, by)

    def _open(self, report, *, by_reporter):
        """Before a step, its author has read the other side's messages (as opening the
        report page, or the follow-up, marks them read)."""
        unread = Message.Direction.TO_REPORTER if by_reporter else Message.Direction.FROM_REPORTER
        report.messages.filter(direction=unread, read_at__isnull=True).update(
            read_at=timezone.now()
        )

    def _create(self, plan):
        scenario = plan["scenario"]
        institution = self._organisation(plan["institution"]) if plan["institution"] else None
        created_at = plan["created_at"]
        report = Report(
            receipt_code_hash=plan["hash"],
            reporter_role=plan["reporter_role"],
            institution=institution,
            level=plan["level"],
            phase=scenario.phase,
            grounds=list(scenario.grounds),
            ground_other=scenario.ground_other,
            description=scenario.description,
            occurred_on=created_at.date() - datetime.timedelta(days=plan["occurred_days_before"]),
            place=scenario.place,
            wish=plan["wish"],
            anonymous=plan["anonymous"],
            contact_name=plan["name"],
            contact_email=plan["email"],
            contact_phone=plan["phone"],
            consent_at=created_at,
            language=plan["language"],
            created_at=created_at,
            status_changed_at=created_at,
            response_due=workdays.add_working_days(
                created_at.date(), settings.INTERNSHIPS_RESPONSE_WORKING_DAYS
            ),
            routed_to=services.route_for(institution),
            is_demo=True,
        )
        with self.travel(created_at, tick=False):
            workflow.create(report, by=None)
        if plan["email"]:
            self.notified.add(plan["email"])
        self.notified.update(services.recipients_of(report))
        return report

    def _steps(self, index, plan):
        """The handling steps that bring the report to its status, in order."""
        status, wish = plan["status"], plan["wish"]
        if status == S.RECEIVED:
            # An overdue one where the reporter asks after it; the others wait quietly.
            return ("ask",) if index in OVERDUE_REPORTS[1::2] else ()
        if status == S.CLOSED and wish == "register":
            return ("register",)
        steps = ["respond"]
        if index % 3:
            steps.append("reply")
        steps.append("note")
        if status == S.REFERRED:
            return (*steps, "refer")
        if status == S.IN_PROGRESS:
            return (*steps, "update") if index % 2 else tuple(steps)
        if wish == "complaint":
            steps.append("refer")
        return (*steps, "close")

    def _moments(self, plan, count):
        """When each step happens: the first response after 1 to 9 days (some after the
        deadline), the rest spread up to yesterday, at most LONGEST_STEP apart."""
        if not count:
            return []
        created_at = plan["created_at"]
        latest = self.now - datetime.timedelta(days=1)
        first = created_at + datetime.timedelta(days=plan["first_response_days"], hours=2)
        first = max(min(first, latest), created_at + datetime.timedelta(hours=1))
        gap = min((latest - first) / count, LONGEST_STEP) if count > 1 else datetime.timedelta()
        return [first + gap * n for n in range(count)]

    # Steps ---------------------------------------------------------------------------------

    def _step_ask(self, report, plan, by):
        services.reporter_message_add(report=report, body=REPORTER_ASKS)

    def _step_respond(self, report, plan, by):
        services.handler_message_add(report=report, body=FIRST_ANSWER, by=by)
        services.report_transition(report=report, to=S.IN_PROGRESS, by=by)

    def _step_reply(self, report, plan, by):
        services.reporter_message_add(report=report, body=plan["reply"])

    def _step_note(self, report, plan, by):
        services.note_add(report=report, body=plan["note"], by=by)

    def _step_update(self, report, plan, by):
        services.handler_message_add(report=report, body=SECOND_ANSWER, by=by)

    def _step_refer(self, report, plan, by):
        services.report_transition(report=report, to=S.REFERRED, by=by, note=REFERRAL_NOTE)

    def _step_register(self, report, plan, by):
        services.report_transition(
            report=report, to=S.CLOSED, by=by, note=REGISTER_NOTE, outcome="registered"
        )

    def _step_close(self, report, plan, by):
        wish = plan["wish"]
        outcome = OUTCOMES[wish]
        if plan["other_outcome"]:
            outcome = OTHER_OUTCOMES[report.pk % len(OTHER_OUTCOMES)]
        services.report_transition(report=report, to=S.CLOSED, by=by, outcome=outcome)

    # Output --------------------------------------------------------------------------------

    def _print_summary(self):
        write = self.stdout.write
        write(self.style.SUCCESS("Internship demo data loaded."))
        for label, count in self.created.items():
            write(f"  {label:<18} {count:>4} new")
        demo = Report.objects.filter(is_demo=True)
        write(f"  demo reports       {demo.count():>4} in all, {demo.overdue().count()} overdue")
        counts = {status: demo.filter(status=status).count() for status in S.values}
        write("  " + ", ".join(f"{n} {status}" for status, n in counts.items() if n))
        codes = [
            demo_code(index)
            for index in SHOWN_CODES
            if services.report_find_by_code(demo_code(index)) is not None
        ]
        if codes:
            write("")
            write(self.style.SUCCESS("Demo receipt codes (follow-up at /stages/opvolgen/):"))
            for code in codes:
                write(f"  {code}")
        if self.login:
            write("")
            write(self.style.SUCCESS("Demo login of the internship reports:"))
            write("  " + "  ".join(self.login))


def _status_of(index, days_ago):
    """The status demo report `index` ends in: recent ones still open, older ones mostly
    closed, some left open long; a few never answered (overdue)."""
    if index in OVERDUE_REPORTS or days_ago <= 6:
        return S.RECEIVED
    if days_ago < 150:
        return (S.IN_PROGRESS, S.REFERRED, S.CLOSED, S.IN_PROGRESS)[index % 4]
    if index % 9 == 0:
        return S.IN_PROGRESS
    if index % 11 == 0:
        return S.REFERRED
    return S.CLOSED


def _figures_kind(organisation):
    kind = organisation.kind
    if kind in (Organisation.Kind.SCHOOL_BOARD, Organisation.Kind.UNIVERSITY_OF_APPLIED_SCIENCES):
        return "education"
    if kind == Organisation.Kind.MUNICIPALITY:
        return "municipality"
    if kind in (Organisation.Kind.EMPLOYERS, Organisation.Kind.EMPLOYER):
        return "employers"
    return "other"
