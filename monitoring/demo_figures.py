"""Monitoring's demo figures, loaded by ``load_demo_monitoring``.

From seed 004 (the activity plan 2026-2029): career switchers with a subsidy per region,
sector and year 2022-2024 ("Zij-instromers met subsidies PO/VO/MBO", DUO), the unfilled
employment in FTE per subject 2024-2029 for Zuidwest-Nederland (Tabel 9, Centerdata) and the
partner counts (boards, locations, pupils per sector, DUO 2025), all as approved area figures
from a public source. The printed "Totaal" columns and rows are left out on purpose:
monitoring computes totals from the rows.

Then two reporting rounds (last year closed, this year open), a few demo figures of the
registry's school boards in them (approved last year; this year some approved, some awaiting
approval, one rejected, some boards not yet submitted), and the figures-submitter login.

Idempotent and conservative: what exists (by code, year, organisation or area) is left as it
is, so a second run changes nothing.
"""

from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from partners.models import Membership, Organisation
from portal import workflow
from portal.models import MemberRole

from .models import TOPIC, FigureValue, Indicator, ReportingRound

PASSWORD = "Haaglanden-demo-2026"
SUBMITTER_EMAIL = "cijfers@example.org"
SUBMITTER_BOARD = "Stichting Lucas Onderwijs"
NOTE = "Demo data"
Status = FigureValue.Status

CAREER_SWITCHERS_SOURCE = "DUO zakelijk bekostigingsoverzicht, 2022-2024"
SHORTAGE_SOURCE = "Centerdata, 2024 (Tabel 9, geheel Zuidwest-Nederland)"
PARTNERS_SOURCE = "DUO, 2025"
SHORTAGE_AREA = "Zuidwest-Nederland"
REGION = "Haaglanden"

# Region as printed: (2022, 2023, 2024). The printed "Totaal" column is not copied.
CAREER_SWITCHERS = {
    "po": {
        "Almere": (29, 16, 22),
        "Amsterdam": (81, 88, 106),
        "Utrecht": (39, 39, 30),
        "Rotterdam": (41, 54, 58),
        "'s-Gravenhage": (77, 62, 59),
        "Haaglanden": (116, 99, 85),
        "Haaglanden excl. Den Haag": (39, 37, 26),
        "Landelijk": (794, 915, 849),
    },
    "vo": {
        "Almere": (9, 8, 3),
        "Amsterdam": (25, 37, 36),
        "Utrecht": (4, 9, 7),
        "Rotterdam": (10, 11, 14),
        "'s-Gravenhage": (28, 17, 20),
        "Haaglanden": (36, 37, 41),
        "Haaglanden excl. Den Haag": (8, 20, 21),
        "Landelijk": (285, 346, 449),
    },
    "mbo": {
        "Almere": (17, 12, 15),
        "Amsterdam": (107, 73, 57),
        "Utrecht": (51, 82, 56),
        "Rotterdam": (76, 80, 73),
        "'s-Gravenhage": (54, 35, 43),
        "Landelijk": (889, 1004, 940),
    },
}
CAREER_SWITCHER_YEARS = (2022, 2023, 2024)

# Tabel 9: subject → FTE 2024..2029. The printed "totaal" row is not copied.
SHORTAGE_YEARS = (2024, 2025, 2026, 2027, 2028, 2029)
SHORTAGE = {
    "Nederlands": (192, 185, 189, 188, 194, 196),
    "Duits": (56, 52, 56, 58, 60, 65),
    "Engels": (15, 3, 3, 3, 3, 2),
    "Frans": (26, 30, 41, 53, 62, 72),
    "Biologie": (15, 6, 4, 4, 4, 4),
    "Informatica": (18, 21, 25, 27, 31, 33),
    "Natuurkunde": (37, 37, 42, 46, 52, 58),
    "Scheikunde": (21, 24, 31, 36, 41, 47),
    "Wiskunde": (117, 110, 116, 122, 130, 146),
    "Aardrijkskunde": (14, 8, 8, 7, 9, 10),
    "Economie": (36, 28, 28, 26, 27, 31),
    "Geschiedenis": (2, 3, 3, 3, 3, 3),
    "Levensbeschouwing": (9, 8, 8, 8, 10, 13),
    "Maatschappijleer": (11, 6, 4, 4, 3, 3),
    "CKV, Kunstvakken": (4, 3, 3, 3, 3, 3),
    "Gezondheidszorg en Welzijn": (2, 2, 2, 2, 2, 2),
    "Klassieke Talen": (12, 16, 21, 27, 31, 34),
    "Lichamelijke Opvoeding": (4, 2, 2, 2, 3, 3),
    "Overige Vakken": (0, 0, 1, 1, 2, 2),
}

# Tabel 9's printed "totaal**" row: more than its rows add up to (591 in 2024), perhaps
# subjects the table leaves out. Kept as a printed total (Indicator.sum_of), never as a figure.
SHORTAGE_PRINTED_TOTAL = (606, 549, 599, 625, 671, 728)

# Sector → (boards, locations, pupils) of the region's partners, DUO 2025.
PARTNER_COUNTS = {"po": (44, 328, 92189), "vo": (23, 121, 54403), "mbo": (2, 13, 17379)}


def _slug(text):
    return text.lower().replace(",", "").replace(" en ", " ").replace(" ", "-").replace("'", "")


INDICATORS = [
    {
        "code": "zij-instromers",
        "name": "Career switchers with a subsidy",
        "unit": "persons",
        "counts_persons": True,
        "description": (
            "Career switchers (zij-instromers) for whom a subsidy was granted, per region, "
            "sector and year. Based on the subsidy applications: actual numbers can differ."
        ),
        "source": CAREER_SWITCHERS_SOURCE,
        "position": 10,
    },
    *[
        {
            "code": f"tekort-fte-{_slug(subject)}",
            "name": f"Unfilled employment (FTE): {subject}",
            "unit": "FTE",
            "sector": "vo",
            "decimals": 1,
            "description": "Forecast of unfilled FTE per subject in secondary education.",
            "source": SHORTAGE_SOURCE,
            "position": 20 + position,
        }
        for position, subject in enumerate(SHORTAGE)
    ],
    {
        "code": "tekort-fte-totaal-bron",
        "name": "Unfilled employment (FTE): total as printed",
        "unit": "FTE",
        "sector": "vo",
        "decimals": 1,
        "sum_of": [f"tekort-fte-{_slug(subject)}" for subject in SHORTAGE],
        "description": "The total row of Tabel 9 as the source printed it.",
        "source": SHORTAGE_SOURCE,
        "position": 49,
    },
    {
        "code": "partner-besturen",
        "name": "Partner school boards",
        "unit": "boards",
        "aggregation": Indicator.Aggregation.LATEST,
        "source": PARTNERS_SOURCE,
        "position": 50,
    },
    {
        "code": "partner-vestigingen",
        "name": "Partner school locations",
        "unit": "locations",
        "aggregation": Indicator.Aggregation.LATEST,
        "source": PARTNERS_SOURCE,
        "position": 51,
    },
    {
        "code": "partner-leerlingen",
        "name": "Pupils at partner schools",
        "unit": "pupils",
        "aggregation": Indicator.Aggregation.LATEST,
        "counts_persons": True,
        "source": PARTNERS_SOURCE,
        "position": 52,
    },
    # Reported by the partners themselves in the yearly rounds.
    {
        "code": "zij-instromers-gestart",
        "name": "Career switchers who started at the board",
        "unit": "persons",
        "reporting_kinds": ["school_board"],
        "counts_persons": True,
        "min_value": Decimal("0"),
        "description": "Career switchers who started a teaching job at the board this year.",
        "position": 60,
    },
    {
        "code": "vacatures-fte",
        "name": "Open teaching vacancies",
        "unit": "FTE",
        "reporting_kinds": ["school_board"],
        "decimals": 1,
        "min_value": Decimal("0"),
        "max_value": Decimal("2000"),
        "description": "Open teaching vacancies in FTE on 1 October.",
        "position": 61,
    },
]


# The indicators' Dutch texts (the rows above hold the English ones): Dutch is the portal's
# default language, and an indicator's name, unit and description are translated fields.
DUTCH = {
    "Career switchers with a subsidy": "Zij-instromers met subsidie",
    "persons": "personen",
    "Career switchers (zij-instromers) for whom a subsidy was granted, per region, "
    "sector and year. Based on the subsidy applications: actual numbers can differ.": (
        "Zij-instromers voor wie subsidie is toegekend, per regio, sector en jaar. Gebaseerd "
        "op de subsidieaanvragen: werkelijke aantallen kunnen afwijken."
    ),
    "FTE": "fte",
    "Forecast of unfilled FTE per subject in secondary education.": (
        "Prognose van de onvervulde werkgelegenheid in fte per vak in het voortgezet onderwijs."
    ),
    "Unfilled employment (FTE): total as printed": (
        "Onvervulde werkgelegenheid (fte): totaal zoals gedrukt"
    ),
    "The total row of Tabel 9 as the source printed it.": (
        "De totaalregel van Tabel 9 zoals de bron die drukte."
    ),
    "Partner school boards": "Partnerbesturen",
    "boards": "besturen",
    "Partner school locations": "Vestigingen van partners",
    "locations": "vestigingen",
    "Pupils at partner schools": "Leerlingen bij partners",
    "pupils": "leerlingen",
    "Career switchers who started at the board": "Gestarte zij-instromers bij het bestuur",
    "Career switchers who started a teaching job at the board this year.": (
        "Zij-instromers die dit jaar bij het bestuur met lesgeven zijn begonnen."
    ),
    "Open teaching vacancies": "Openstaande vacatures voor leraren",
    "Open teaching vacancies in FTE on 1 October.": (
        "Openstaande vacatures voor leraren in fte op 1 oktober."
    ),
}
TRANSLATED = ("name", "unit", "description")


def _dutch(text):
    prefix = "Unfilled employment (FTE): "
    if text.startswith(prefix) and text not in DUTCH:
        return f"Onvervulde werkgelegenheid (fte): {text.removeprefix(prefix)}"
    return DUTCH.get(text, text)


def _bilingual(row):
    """The row with its texts as the English and the Dutch version of the translated fields."""
    row = dict(row)
    for name in TRANSLATED:
        if name in row:
            text = row.pop(name)
            row[f"{name}_en"], row[f"{name}_nl"] = text, _dutch(text)
    return row


def load_figures(out=None):
    """Load the demo figures; returns {what: how many were added}."""
    created = {"indicators": 0, "figures": 0, "rounds": 0}
    indicators = {}
    for row in INDICATORS:
        indicator = Indicator.objects.filter(code=row["code"]).first()
        if indicator is None:
            indicator = Indicator(**_bilingual(row))
            indicator.full_clean()
            indicator.save()
            created["indicators"] += 1
        indicators[row["code"]] = indicator

    def area_value(code, area, year, sector, value, source_note):
        if FigureValue.objects.filter(
            organisation=None, area=area, indicator=indicators[code], year=year, sector=sector
        ).exists():
            return
        workflow.create(
            FigureValue(
                area=area,
                indicator=indicators[code],
                year=year,
                sector=sector,
                value=Decimal(value),
                status=Status.APPROVED,
                source=FigureValue.Source.PUBLIC,
                source_note=source_note,
            ),
            by=None,
            note=NOTE,
        )
        created["figures"] += 1

    for sector, regions in CAREER_SWITCHERS.items():
        for area, counts in regions.items():
            for year, count in zip(CAREER_SWITCHER_YEARS, counts, strict=True):
                area_value("zij-instromers", area, year, sector, count, CAREER_SWITCHERS_SOURCE)
    for subject, counts in SHORTAGE.items():
        for year, fte in zip(SHORTAGE_YEARS, counts, strict=True):
            code = f"tekort-fte-{_slug(subject)}"
            area_value(code, SHORTAGE_AREA, year, "vo", fte, SHORTAGE_SOURCE)
    for year, fte in zip(SHORTAGE_YEARS, SHORTAGE_PRINTED_TOTAL, strict=True):
        area_value("tekort-fte-totaal-bron", SHORTAGE_AREA, year, "vo", fte, SHORTAGE_SOURCE)
    for sector, numbers in PARTNER_COUNTS.items():
        for code, number in zip(
            ("partner-besturen", "partner-vestigingen", "partner-leerlingen"), numbers, strict=True
        ):
            area_value(code, REGION, 2025, sector, number, PARTNERS_SOURCE)

    rounds = _load_rounds(created)
    _load_board_figures(rounds, indicators, created)
    login = _load_submitter()
    if out is not None and login:
        out.write(f"Figures submitter: {login[0]} / {login[1]}")
    return created


def _load_rounds(created):
    this_year = timezone.localdate().year
    rounds = {}
    for year in (this_year - 1, this_year):
        round_ = ReportingRound.objects.filter(year=year).first()
        if round_ is None:
            round_ = ReportingRound.objects.create(
                year=year,
                opens_on=date(year, 1, 1),
                closes_on=date(year, 12, 31),
                note="Demo round: the partners' own figures of the year.",
            )
            created["rounds"] += 1
        rounds[year] = round_
    return rounds


# Per board (by position in the registry's name order), this year's demo states of the two
# indicators; None: not yet submitted. The figures submitter's board has a rejected figure
# and a missing one, so that their page and dashboard card have something to do.
THIS_YEAR_STATES = [
    (Status.APPROVED, Status.APPROVED),
    (Status.SUBMITTED, Status.SUBMITTED),
    (Status.SUBMITTED, None),
    (None, None),
    (Status.APPROVED, Status.SUBMITTED),
    (None, None),
]


def _load_board_figures(rounds, indicators, created):
    last_year, this_year = sorted(rounds)
    boards = list(Organisation.objects.filter(kind="school_board", active=True).order_by("name"))
    codes = ("zij-instromers-gestart", "vacatures-fte")
    others = [b for b in boards if b.name != SUBMITTER_BOARD]
    for number, board in enumerate(boards, start=1):
        # Plausible numbers that differ per board and change modestly from year to year.
        base = (Decimal(4 + number * 3), Decimal(number * 25) / 10 + Decimal("1.5"))
        for code, value in zip(codes, base, strict=True):
            _board_value(
                board, indicators[code], rounds[last_year], value, Status.APPROVED, created
            )
        if board.name == SUBMITTER_BOARD:
            states = (Status.REJECTED, None)
        else:
            states = THIS_YEAR_STATES[others.index(board) % len(THIS_YEAR_STATES)]
        for code, value, state in zip(codes, base, states, strict=True):
            if state is not None:
                this = value + 1 if code == codes[0] else value + Decimal("0.5")
                _board_value(board, indicators[code], rounds[this_year], this, state, created)


def _board_value(board, indicator, round_, value, status, created):
    if FigureValue.objects.filter(
        organisation=board, indicator=indicator, year=round_.year, sector=""
    ).exists():
        return
    final = status
    figure = FigureValue(
        organisation=board,
        indicator=indicator,
        year=round_.year,
        value=value,
        round=round_,
        status=Status.SUBMITTED,
        source=FigureValue.Source.UPLOAD,
    )
    workflow.create(figure, by=None, note=NOTE)
    if final in (Status.APPROVED, Status.REJECTED):
        workflow.transition(figure, final, by=None, note=NOTE)
    if final == Status.REJECTED:
        figure.rejection_reason = (
            "This counts every career switcher of the board, also those outside the region; "
            "report only the region's schools."
        )
        figure.save(update_fields=["rejection_reason", "updated_at"])
    created["figures"] += 1


def _load_submitter():
    """The figures-submitter demo login at one board; None when the board is not loaded."""
    board = (
        Organisation.objects.filter(name__iexact=SUBMITTER_BOARD).first()
        or Organisation.objects.filter(kind="school_board").order_by("name").first()
    )
    if board is None:
        return None
    users = get_user_model().objects
    user = users.filter(email__iexact=SUBMITTER_EMAIL).first()
    created = user is None
    if created:
        user = users.create_user(SUBMITTER_EMAIL, PASSWORD, first_name="Demo", last_name="Cijfers")
    membership, _created = Membership.objects.get_or_create(
        user=user, organisation=board, defaults={"role": MemberRole.EDITOR, "topics": [TOPIC]}
    )
    # A topic role is only ever added, never taken away (as invitations do).
    if TOPIC not in (membership.topics or []):
        membership.topics = [*(membership.topics or []), TOPIC]
        membership.save(update_fields=["topics"])
    works = created or user.check_password(PASSWORD)
    return user.email, PASSWORD if works else "(changed)"
