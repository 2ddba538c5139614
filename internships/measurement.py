"""The biennial measurement: the aggregate figures of the internship reports per period, and
the manifesto signatories' commitments per year.

`report_figures(period)` returns raw counts read with a fixed number of GROUP BY queries,
whatever the number of reports. Nothing here is fit to show as it is: pages and exports show
`figure_tables(figures)`, which passes every table through portal.suppression, and other
apps (monitoring) read both through internships.selectors.

A report belongs to the period in which it came in (`created_at`, local time). Demo reports
are counted: they are the demo's data, and a real deployment has none.
"""

import datetime
import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Q
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from partners.models import Agreement, CommitmentProgress, Signature
from portal import access
from portal.suppression import suppress_table

from .models import Ground, Level, ManifestoYear, Outcome, Phase, Report, ReporterRole

OTHER_INSTITUTION = _("Other or unknown")
TOTAL = pgettext_lazy("figures", "Total")
REPORTS = _("Reports")
_PERIOD = re.compile(r"^(\d{4})(?:-(\d{4}))?$")


@dataclass(frozen=True)
class Period:
    """A calendar year (2026) or a two-year measurement period (2025-2026)."""

    first_year: int
    last_year: int

    @property
    def key(self):
        if self.first_year == self.last_year:
            return str(self.first_year)
        return f"{self.first_year}-{self.last_year}"

    def __str__(self):
        return self.key

    @property
    def is_biennium(self):
        return self.last_year != self.first_year

    @property
    def start(self):
        return timezone.make_aware(datetime.datetime(self.first_year, 1, 1))

    @property
    def end(self):
        return timezone.make_aware(datetime.datetime(self.last_year + 1, 1, 1))

    @classmethod
    def year(cls, year):
        return cls(year, year)

    @classmethod
    def biennium(cls, first_year):
        return cls(first_year, first_year + 1)


def parse_period(text):
    """The Period `text` names ("2026" or "2025-2026"), or None when it names none."""
    match = _PERIOD.match((text or "").strip())
    if not match:
        return None
    first = int(match[1])
    last = int(match[2]) if match[2] else first
    if not (2000 <= first <= 2100) or last not in (first, first + 1):
        return None
    return Period(first, last)


def report_years():
    """The calendar years (local time) in which reports came in, newest first. One query."""
    years = (
        Report.objects.order_by()
        .annotate(year=ExtractYear("created_at"))
        .values_list("year", flat=True)
        .distinct()
    )
    return sorted(set(years), reverse=True)


def report_periods(years=None):
    """The periods to choose from: each year with reports, and the two-year periods that
    cover them (from the first year with reports to the last), newest first."""
    years = report_years() if years is None else sorted(set(years), reverse=True)
    if not years:
        return []
    first, last = min(years), max(years)
    starts = range(last - 1, first - 1, -1) if last > first else [first - 1]
    return [Period.year(year) for year in years] + [Period.biennium(year) for year in starts]


def _grouped(queryset, *fields):
    return queryset.order_by().values(*fields).annotate(n=Count("pk"))


def _names_ground(ground):
    if connection.vendor == "postgresql":
        return Q(grounds__contains=[ground])
    return Q(grounds__icontains=f'"{ground}"')


def report_figures(period):
    """Raw counts of the reports that came in during `period` (six queries, whatever the
    number of reports). Keys are the stored codes; the institution's key is its id (None:
    another institution or unknown), with the names in `institutions`."""
    reports = Report.objects.filter(created_at__gte=period.start, created_at__lt=period.end)

    phase_level = {}
    for row in _grouped(reports, "phase", "level"):
        phase_level.setdefault(row["phase"], {})[row["level"]] = row["n"]

    # A report names one or more grounds (a JSON list): count each ground per level in one
    # query, with JSON containment on PostgreSQL (faster than matching the text) and
    # the quoted value in the list's text elsewhere (SQLite has no containment).
    ground_counts = {
        f"g_{ground}": Count("pk", filter=_names_ground(ground)) for ground in Ground.values
    }
    grounds_level = {}
    for row in reports.order_by().values("level").annotate(**ground_counts):
        for ground in Ground.values:
            grounds_level.setdefault(ground, {})[row["level"]] = row[f"g_{ground}"]

    institution_status = {}
    institutions = {}
    for row in _grouped(reports, "institution", "institution__name", "status"):
        institution_status.setdefault(row["institution"], {})[row["status"]] = row["n"]
        if row["institution"] is not None:
            institutions[row["institution"]] = row["institution__name"]

    reporter_role = {row["reporter_role"]: row["n"] for row in _grouped(reports, "reporter_role")}
    outcome = {
        row["outcome"]: row["n"]
        for row in _grouped(reports.filter(status=Report.Status.CLOSED), "outcome")
    }
    responded = Q(first_response_at__isnull=False)
    on_time = responded & Q(first_response_at__date__lte=F("response_due"))
    counts = reports.aggregate(
        total=Count("pk"),
        demo=Count("pk", filter=Q(is_demo=True)),
        responded=Count("pk", filter=responded),
        on_time=Count("pk", filter=on_time),
    )
    return {
        "period": period,
        "total": counts["total"],
        "demo": counts["demo"],
        "phase_level": phase_level,
        "grounds_level": grounds_level,
        "institution_status": institution_status,
        "institutions": institutions,
        "reporter_role": reporter_role,
        "outcome": outcome,
        "responses": {
            "on_time": counts["on_time"],
            "late": counts["responded"] - counts["on_time"],
        },
    }


# What pages and exports show ------------------------------------------------------------


@dataclass
class FigureTable:
    """One suppressed table with its labels: `labels` maps row and column keys to text."""

    key: str
    caption: str
    row_heading: str
    table: object  # portal.suppression.SuppressedTable
    row_labels: dict
    column_labels: dict
    note: str = ""

    def header(self):
        return [self.column_labels[column] for column in self.table.columns]

    def body(self):
        """(row label, [cells], row total or None) in order."""
        return [(self.row_labels[row], cells, total) for row, cells, total in self.table.lines()]

    def footer(self):
        """([column totals], grand total or None), or None."""
        return self.table.total_line()

    def long_rows(self):
        """(row, column, shown value) of every shown figure, totals included: the CSV's rows."""
        for row, cells, total in self.body():
            for column, cell in zip(self.header(), cells, strict=True):
                yield str(row), str(column), cell.display
            if total is not None:
                yield str(row), str(TOTAL), total.display
        footer = self.footer()
        if footer is not None:
            column_totals, grand_total = footer
            for column, cell in zip(self.header(), column_totals, strict=True):
                yield str(TOTAL), str(column), cell.display
            if grand_total is not None:
                yield str(TOTAL), str(TOTAL), grand_total.display


def _choices(choices):
    return dict(choices)


def _series(key, caption, row_heading, counts, labels, note=""):
    rows = {value: {"n": counts.get(value, 0)} for value in labels}
    return FigureTable(
        key=key,
        caption=caption,
        row_heading=row_heading,
        table=suppress_table(rows, columns=["n"], totals="columns"),
        row_labels=labels,
        column_labels={"n": REPORTS},
        note=note,
    )


def _grid(key, caption, row_heading, counts, row_labels, column_labels, totals=True, note=""):
    rows = {row: dict(counts.get(row, {})) for row in row_labels}
    return FigureTable(
        key=key,
        caption=caption,
        row_heading=row_heading,
        table=suppress_table(rows, columns=list(column_labels), totals=totals),
        row_labels=row_labels,
        column_labels=column_labels,
        note=note,
    )


def figure_tables(figures):
    """The tables of `report_figures(...)` as pages and exports show them, suppressed."""
    levels = _choices(Level.choices)
    statuses = _choices(Report.Status.choices)
    institution_labels = dict(sorted(figures["institutions"].items(), key=lambda item: item[1]))
    if None in figures["institution_status"] or not institution_labels:
        institution_labels[None] = OTHER_INSTITUTION
    return [
        _grid(
            "phase_level",
            _("Reports by phase and level"),
            _("Phase"),
            figures["phase_level"],
            _choices(Phase.choices),
            levels,
        ),
        _grid(
            "grounds_level",
            _("Grounds named, by level"),
            _("Ground"),
            figures["grounds_level"],
            _choices(Ground.choices),
            levels,
            totals="rows",
            note=_(
                "A report can name several grounds, so it is counted once for each ground "
                "it names; the columns are not added up."
            ),
        ),
        _grid(
            "institution_status",
            _("Reports by institution and status"),
            _("Institution"),
            figures["institution_status"],
            institution_labels,
            statuses,
        ),
        _series(
            "reporter_role",
            _("Reports by reporter"),
            _("Reporter"),
            figures["reporter_role"],
            _choices(ReporterRole.choices),
        ),
        _series(
            "outcome",
            _("Closed reports by outcome"),
            _("Outcome"),
            figures["outcome"],
            _choices(Outcome.choices),
        ),
        _series(
            "responses",
            _("First responses within the deadline of five working days"),
            _("First response"),
            figures["responses"],
            {"on_time": _("Within the deadline"), "late": _("After the deadline")},
        ),
    ]


def on_time_share(tables):
    """The share of first responses within the deadline in percent, from the suppressed
    `responses` table of `figure_tables`; None when a count it rests on is hidden (the share
    would reveal it)."""
    table = next(table.table for table in tables if table.key == "responses")
    total = table.column_totals["n"]
    if total.is_suppressed or any(cell.is_suppressed for cell in table.cells.values()):
        return None
    return round(100 * table.cells["on_time", "n"].value / total.value)


# The manifesto's commitments ------------------------------------------------------------

MANIFESTO_SLUG = "manifest-gelijke-stagekansen"
# The manifesto was signed in 2021; a signature without a date is asked about from 2020 on.
FIRST_MANIFESTO_YEAR = 2020
# A commitment's state as a badge (the portal's badge colours: green, amber, grey).
STATE_BADGES = {
    CommitmentProgress.State.ACHIEVED: "signed",
    CommitmentProgress.State.IN_PROGRESS: "under_reservation",
    CommitmentProgress.State.NOT_STARTED: "withdrawn",
    CommitmentProgress.State.NOT_APPLICABLE: "skip",
}
MANIFESTO_COUNTS = ("supervisors_trained", "campaign_contributions", "design_sessions_attended")
MANIFESTO_FACTS = ("reporting_procedure", "reflection_meeting_held", "measurement_taken_part")


def manifesto_signatures():
    """The manifesto's signatures, the withdrawn ones too (a signatory may still report on
    the years it had signed)."""
    return Signature.objects.filter(agreement__slug=MANIFESTO_SLUG)


def manifesto_years(signature, today=None):
    """The years a signatory can report on: from its signing year (or 2020) to next year."""
    first = signature.signed_on.year if signature.signed_on else FIRST_MANIFESTO_YEAR
    return range(first, (today or timezone.localdate()).year + 2)


@dataclass
class ProgressState:
    progress: object  # CommitmentProgress or None

    @property
    def label(self):
        return self.progress.get_state_display() if self.progress else _("Not filled in")

    @property
    def badge(self):
        return STATE_BADGES.get(self.progress.state, "") if self.progress else "error"


@dataclass
class OverviewRow:
    signature: object
    states: list
    year: object  # ManifestoYear or None

    @property
    def is_complete(self):
        return self.year is not None and all(state.progress for state in self.states)


def manifesto_overview(year):
    """Per signatory (not withdrawn) of the manifesto: the state of each commitment and the
    year's figures, with regional totals. Five queries, whatever the number of signatories."""
    agreement = Agreement.objects.filter(slug=MANIFESTO_SLUG).first()
    if agreement is None:
        return None
    signatures = list(
        agreement.signatures.exclude(status=Signature.Status.WITHDRAWN)
        .select_related("organisation")
        .order_by("organisation__name")
    )
    commitments = list(agreement.commitments.all())
    progress = {
        (p.signature_id, p.commitment_id): p
        for p in CommitmentProgress.objects.filter(signature__agreement=agreement, year=year)
    }
    years = {
        entry.signature_id: entry
        for entry in ManifestoYear.objects.filter(signature__agreement=agreement, year=year)
    }
    rows = [
        OverviewRow(
            signature=signature,
            states=[ProgressState(progress.get((signature.pk, c.pk))) for c in commitments],
            year=years.get(signature.pk),
        )
        for signature in signatures
    ]
    filled = [row.year for row in rows if row.year is not None]
    totals = {name: sum(getattr(entry, name) or 0 for entry in filled) for name in MANIFESTO_COUNTS}
    totals.update(
        {name: sum(bool(getattr(entry, name)) for entry in filled) for name in MANIFESTO_FACTS}
    )
    achieved = [
        sum(
            1
            for row in rows
            if row.states[index].progress
            and row.states[index].progress.state == CommitmentProgress.State.ACHIEVED
        )
        for index in range(len(commitments))
    ]
    return {
        "agreement": agreement,
        "commitments": commitments,
        "rows": rows,
        "complete": sum(row.is_complete for row in rows),
        "incomplete": [row.signature for row in rows if not row.is_complete],
        "totals": totals,
        "achieved": achieved,
    }


def manifesto_card(*, user, today=None):
    """The dashboard card of a signatory's editors: their manifesto signatures (not
    withdrawn) and whether this year is filled in. One query."""
    year = (today or timezone.localdate()).year
    editor_of = [
        pk for pk, member in access.memberships_of(user).items() if member.role == "editor"
    ]
    signatures = (
        manifesto_signatures()
        .filter(organisation__in=editor_of)
        .exclude(status=Signature.Status.WITHDRAWN)
        .select_related("organisation")
        .annotate(
            filled_in=Exists(ManifestoYear.objects.filter(signature=OuterRef("pk"), year=year))
        )
        .order_by("organisation__name")
    )
    return {"year": year, "signatures": list(signatures) if editor_of else []}
