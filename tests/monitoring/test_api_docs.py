"""The Python example of docs/api.md works, as written, against a running server."""

import contextlib
import datetime
import io
import re
from pathlib import Path

import pytest
from django.utils import timezone

from monitoring.models import FigureBatch, FigureValue, Indicator, ReportingRound
from portal import api
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "api.md"


def python_example():
    blocks = re.findall(r"```python\n(.*?)```", GUIDE.read_text(encoding="utf-8"), re.S)
    assert len(blocks) == 1
    return blocks[0]


def run(code, *, base, key, year):
    code = code.replace('"https://portal.example.org/api/v1"', repr(base))
    code = code.replace('"hgp_..."', repr(key)).replace("2026", str(year))
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, str(GUIDE), "exec"), {"__name__": "example"})
    return out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_the_guides_python_example_submits_and_replays(live_server):
    today = timezone.localdate()
    year = today.year
    round_ = ReportingRound.objects.create(
        year=year,
        opens_on=today - datetime.timedelta(days=1),
        closes_on=today + datetime.timedelta(days=30),
    )
    for code, unit, decimals in [
        ("zij-instromers-gestart", "persons", 0),
        ("vacatures-fte", "FTE", 1),
    ]:
        round_.indicators.add(
            Indicator.objects.create(
                code=code,
                name=code,
                unit=unit,
                decimals=decimals,
                reporting_kinds=["school_board"],
            )
        )
    board = OrganisationFactory(name="Stichting Voorbeeld", board_number="49999")
    user = MembershipFactory(
        user=UserFactory(), organisation=board, role="editor", topics=["figures_submitter"]
    ).user
    _token, key = api.issue_token(
        organisation=board,
        name="Example",
        scopes=["figures:read", "figures:submit"],
        expires_on=today + datetime.timedelta(days=30),
        created_by=user,
    )
    code = python_example()
    base = live_server.url + "/api/v1"

    first = run(code, base=base, key=key, year=year)
    again = run(code, base=base, key=key, year=year)

    assert first == again == "saved: 2 new, 0 changed\n"
    assert FigureValue.objects.filter(organisation=board).count() == 2
    assert FigureBatch.objects.get().key == f"{year}-run-1"
    broken = run(code, base=base, key=key + "x", year=year)
    assert broken == "Unknown token.\n"
