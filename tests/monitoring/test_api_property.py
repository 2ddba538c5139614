"""Random batches at the API: never a server error, and a batch is saved whole or not at all."""

import datetime
import json
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, event, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from monitoring.models import FigureBatch, FigureValue, Indicator, ReportingRound
from portal import api
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

URL = "/api/v1/batches/"
YEAR = timezone.localdate().year

TEXT = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=60)
NUMBER = st.one_of(
    st.integers(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.decimals(allow_nan=False, allow_infinity=False, places=4),
    st.floats(allow_nan=False, allow_infinity=False),
)
NUMBER_TEXT = st.one_of(
    NUMBER.map(str),
    st.sampled_from(["12,5", "1.000", "NaN", "Infinity", "-0", "1e400", "1e-400", " 7 ", ""]),
)
# Any JSON value, small.
JSON = st.recursive(
    st.none() | st.booleans() | NUMBER | TEXT,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(TEXT, children, max_size=3),
    max_leaves=6,
)
ITEM = st.fixed_dictionaries(
    {},
    optional={
        "indicator": st.one_of(st.sampled_from(["teachers-po", "vacancies-fte", "unknown"]), JSON),
        "sector": st.one_of(st.sampled_from(["", "po", "vo", "mbo", "xx"]), JSON),
        "value": st.one_of(NUMBER, NUMBER_TEXT, JSON),
        "comment": st.one_of(TEXT, JSON),
        "extra": JSON,
    },
)
BATCH = st.fixed_dictionaries(
    {},
    optional={
        "batch_key": st.one_of(st.sampled_from(["k1", "k2", "a" * 101, ""]), TEXT, JSON),
        "round": st.one_of(st.sampled_from([YEAR, YEAR - 1, YEAR + 1, str(YEAR)]), JSON),
        "values": st.one_of(st.lists(ITEM, max_size=6), JSON),
    },
)
# Batches that are often right, so that saving (and replaying) is exercised too.
PLAUSIBLE_ITEM = st.fixed_dictionaries(
    {
        "indicator": st.sampled_from(["teachers-po", "vacancies-fte"]),
        "value": st.one_of(
            st.integers(min_value=0, max_value=600),
            st.decimals(min_value=0, max_value=600, places=2),
            NUMBER_TEXT,
        ),
    },
    optional={"sector": st.sampled_from(["", "po", "vo"]), "comment": TEXT},
)
PLAUSIBLE = st.fixed_dictionaries(
    {
        "batch_key": st.from_regex(r"[a-z0-9]{1,3}", fullmatch=True),
        "round": st.sampled_from([YEAR, YEAR, YEAR - 1]),
        "values": st.lists(PLAUSIBLE_ITEM, min_size=1, max_size=5),
    }
)
BODY = st.one_of(PLAUSIBLE, PLAUSIBLE, BATCH, JSON)


@pytest.fixture
def key(db, settings):
    settings.API_TOKEN_RATE = "100000/min"
    today = timezone.localdate()
    ReportingRound.objects.create(
        year=YEAR,
        opens_on=today - datetime.timedelta(days=10),
        closes_on=today + datetime.timedelta(days=20),
    )
    ReportingRound.objects.create(
        year=YEAR - 1,
        opens_on=today - datetime.timedelta(days=400),
        closes_on=today - datetime.timedelta(days=300),
    )
    Indicator.objects.create(
        code="teachers-po",
        name="Teachers",
        unit="persons",
        sector="po",
        reporting_kinds=["school_board"],
        counts_persons=True,
    )
    Indicator.objects.create(
        code="vacancies-fte",
        name="Vacancies",
        unit="FTE",
        reporting_kinds=["school_board"],
        decimals=1,
        max_value=Decimal("500"),
    )
    board = OrganisationFactory(name="Stichting Eigenschap", board_number="43210")
    user = MembershipFactory(
        user=UserFactory(), organisation=board, role="editor", topics=["figures_submitter"]
    ).user
    _token, key = api.issue_token(
        organisation=board,
        name="Fuzzer",
        scopes=["figures:read", "figures:submit"],
        expires_on=today + datetime.timedelta(days=30),
        created_by=user,
    )
    return key


def encode(body):
    return json.dumps(body, default=str)


@pytest.mark.django_db
@hypothesis_settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=BODY, dutch=st.booleans())
def test_random_batches_never_cause_a_server_error(body, dutch, key):
    client = Client(
        HTTP_AUTHORIZATION=f"Bearer {key}", HTTP_ACCEPT_LANGUAGE="nl" if dutch else "en"
    )
    values, batches = FigureValue.objects.count(), FigureBatch.objects.count()

    # The test client raises any exception in the view instead of answering 500.
    response = client.post(URL, encode(body), content_type="application/json")

    assert response.status_code in (201, 400, 409), response.status_code
    event(f"status {response.status_code}")
    answer = response.json()
    if response.status_code == 201:
        replayed = response.get("Idempotent-Replayed") == "true"
        assert FigureBatch.objects.count() == batches + (0 if replayed else 1)
        assert len(answer["values"]) == len(body["values"])
        assert answer["created"] + answer["updated"] + answer["unchanged"] == len(body["values"])
    else:
        assert answer["code"] and answer["detail"]
        assert FigureValue.objects.count() == values
        assert FigureBatch.objects.count() == batches
