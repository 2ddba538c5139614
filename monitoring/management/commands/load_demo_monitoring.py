"""Load monitoring's demo data from ``fixtures/demo/``.

The agendas (``agendas.json``) are the two action agendas of the seeds: the activity plan
2026-2029 and the 2014 action agenda "Geslaagd in het vak 2.0", with their programme lines and
activities, leads and partners linked to the registry's organisations (by name or alias,
ignoring case), and a few demo statuses and progress updates of 2026 activities.

Idempotent and conservative, like ``load_demo``: it adds what is missing and never changes
what exists, so a second run changes nothing and a status or text someone changed stays.
Run ``load_demo`` first: it loads the organisations. Everything runs in one transaction.
"""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Q

from partners.demo import organisations_by_name, read_fixture
from portal import workflow

from ...demo_figures import load_figures
from ...models import Activity, Agenda, ProgrammeLine, ProgressUpdate


class Command(BaseCommand):
    help = (
        "Load monitoring's demo data (the action agendas of the seeds with their lines, "
        "activities, leads and partners, and demo progress updates) from fixtures/demo/. "
        "Idempotent: adds what is missing, never changes what exists. Run load_demo first."
    )

    def handle(self, *args, **options):
        self.created = {"agendas": 0, "lines": 0, "activities": 0, "updates": 0}
        with transaction.atomic():
            self.load_agendas()
            # figures (M2): load_figures()
            self.created.update(load_figures(out=self.stdout))
        summary = ", ".join(f"{count} {name}" for name, count in self.created.items())
        self.stdout.write(self.style.SUCCESS(f"Monitoring demo data loaded; new: {summary}."))

    # Reading -------------------------------------------------------------------------------

    def _organisation(self, name, where):
        if not name:
            return None
        organisation = self.organisations.get(name.strip().lower())
        if organisation is None:
            self.stderr.write(
                f"{where}: {name!r} is not an organisation of the registry (run load_demo "
                "first); left unlinked."
            )
        return organisation

    def _save_valid(self, instance, exclude=None):
        try:
            instance.full_clean(exclude=exclude)
        except ValidationError as error:
            raise CommandError(f"{instance}: {error}") from error

    # Agendas -------------------------------------------------------------------------------

    def load_agendas(self):
        self.organisations = organisations_by_name()
        for row in read_fixture("agendas")["agendas"]:
            agenda = Agenda.objects.filter(
                Q(slug=row["slug"]) | Q(name__iexact=row["name"])
            ).first()
            if agenda is None:
                agenda = Agenda(
                    name=row["name"],
                    slug=row["slug"],
                    start_year=row["start_year"],
                    end_year=row["end_year"],
                    description=row.get("description", ""),
                    source=row.get("source", ""),
                    is_public=row.get("is_public", True),
                    position=row.get("position", 0),
                )
                self._save_valid(agenda)
                agenda.save()
                self.created["agendas"] += 1
            for position, line_row in enumerate(row.get("lines", [])):
                self._load_line(agenda, line_row, position)

    def _load_line(self, agenda, row, position):
        line = ProgrammeLine.objects.filter(agenda=agenda, code__iexact=row["code"]).first()
        if line is None:
            line = ProgrammeLine(
                agenda=agenda,
                code=row["code"],
                title=row["title"],
                ambitions=row.get("ambitions", ""),
                position=row.get("position", position),
            )
            self._save_valid(line)
            line.save()
            self.created["lines"] += 1
        for activity_position, activity_row in enumerate(row.get("activities", [])):
            self._load_activity(line, activity_row, activity_position)

    def _load_activity(self, line, row, position):
        if Activity.objects.filter(line=line, code__iexact=row["code"]).exists():
            return
        where = f"{line.agenda.slug} {row['code']}"
        demo = row.get("demo") or {}
        budget = row.get("budget")
        activity = Activity(
            line=line,
            code=row["code"],
            title=row["title"],
            goal=row.get("goal", ""),
            period=row.get("period", ""),
            start_year=row.get("start_year"),
            end_year=row.get("end_year"),
            intended_results=row.get("intended_results", ""),
            products=row.get("products", ""),
            lead=self._organisation(row.get("lead"), where),
            lead_text=row.get("lead_text", ""),
            partners_text=row.get("partners_text", ""),
            intended_partners_text=row.get("intended_partners_text", ""),
            funding=row.get("funding", ""),
            budget=Decimal(budget) if budget is not None else None,
            position=row.get("position", position),
        )
        if row.get("lead") and activity.lead is None and not activity.lead_text:
            activity.lead_text = row["lead"]
        self._save_valid(activity, exclude=["line"])
        # Every activity starts planned, so that its history tells the demo story below.
        workflow.create(activity, by=None, note="Demo data")
        activity.partners.set(self._linked(row.get("partners", []), where))
        activity.intended_partners.set(self._linked(row.get("intended_partners", []), where))
        self.created["activities"] += 1
        for update in demo.get("updates", []):
            self._load_update(activity, update)
        if demo.get("status") and demo["status"] != activity.status:
            workflow.transition(activity, demo["status"], by=None, note="Demo data")
        if demo.get("progress") is not None and demo["progress"] != activity.progress:
            activity.progress = demo["progress"]
            activity.save(update_fields=["progress", "updated_at"])

    def _linked(self, names, where):
        found = (self._organisation(name, where) for name in names)
        return [organisation for organisation in found if organisation is not None]

    def _load_update(self, activity, row):
        change = None
        if row.get("status") and row["status"] != activity.status:
            change = workflow.transition(activity, row["status"], by=None, note=row["text"])
        ProgressUpdate.objects.create(
            activity=activity,
            date=date.fromisoformat(row["date"]),
            text=row["text"],
            progress=row.get("progress"),
            status_change=change,
        )
        self.created["updates"] += 1
