"""The partner API (/api/v1/): tokens, scopes, each endpoint, batches through the upload's
checks, idempotency, limits, the public open data, and the schema."""

import datetime
import json
import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from monitoring.models import (
    FigureBatch,
    FigureStatusChange,
    FigureValue,
    Indicator,
    ReportingRound,
)
from portal import api
from portal.models import ApiToken
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

BOTH = ["figures:read", "figures:submit"]


@pytest.fixture
def year():
    return timezone.localdate().year


@pytest.fixture
def open_round(year, teachers, fte):
    today = timezone.localdate()
    round_ = ReportingRound.objects.create(
        year=year,
        opens_on=today - datetime.timedelta(days=10),
        closes_on=today + datetime.timedelta(days=20),
    )
    ReportingRound.objects.create(
        year=year - 1,
        opens_on=today - datetime.timedelta(days=400),
        closes_on=today - datetime.timedelta(days=300),
    )
    return round_


@pytest.fixture
def teachers():
    return Indicator.objects.create(
        code="teachers-po",
        name="Teachers",
        unit="persons",
        sector="po",
        reporting_kinds=["school_board"],
        counts_persons=True,
    )


@pytest.fixture
def fte():
    return Indicator.objects.create(
        code="vacancies-fte",
        name="Vacancies",
        unit="FTE",
        reporting_kinds=["school_board"],
        decimals=1,
        max_value=Decimal("500"),
    )


def make_board(name, number):
    board = OrganisationFactory(name=name, board_number=number)
    user = MembershipFactory(
        user=UserFactory(), organisation=board, role="editor", topics=["figures_submitter"]
    ).user
    return board, user


@pytest.fixture
def board():
    return make_board("Stichting Haagse Scholen", "41234")


@pytest.fixture
def other_board():
    return make_board("Stichting Delftse Scholen", "45678")


def token_for(board_and_user, scopes=BOTH, **kwargs):
    organisation, user = board_and_user
    fields = {"name": "School system", "expires_on": timezone.localdate() + datetime.timedelta(30)}
    fields.update(kwargs)
    _token, key = api.issue_token(
        organisation=organisation, scopes=scopes, created_by=user, **fields
    )
    return key


def api_client(key=None, **headers):
    if key:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {key}"
    return Client(**headers)


@pytest.fixture
def key(board):
    return token_for(board)


@pytest.fixture
def client_a(key):
    return api_client(key)


def post(client, data, url="/api/v1/batches/"):
    body = data if isinstance(data, str | bytes) else json.dumps(data)
    return client.post(url, body, content_type="application/json")


def batch(year, *values, key="b-1"):
    return {"batch_key": key, "round": year, "values": list(values)}


# Tokens -----------------------------------------------------------------------------------


def test_a_token_is_stored_as_a_hash_and_shown_once(board):
    key = token_for(board)
    token = ApiToken.objects.get()
    assert key.startswith("hgp_") and len(key) > 40
    assert token.key_hash == api.hash_key(key) and key not in token.key_hash
    assert key.startswith(token.prefix) and len(token.prefix) < len(key) / 3


@pytest.mark.parametrize(
    "header, code",
    [
        ("Bearer hgp_doesnotexist", "unknown_token"),
        ("Bearer nonsense", "malformed_token"),
        ("Token abc", "malformed_token"),
        ("Bearer a b", "malformed_token"),
        ("Bearer é", "malformed_token"),
    ],
)
def test_bad_tokens_get_401_with_a_reason(open_round, header, code):
    response = Client(HTTP_AUTHORIZATION=header).get("/api/v1/rounds/")
    assert response.status_code == 401
    assert response.json()["code"] == code
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_expired_revoked_and_orphaned_tokens_stop_working(board, open_round):
    expired = token_for(board, expires_on=timezone.localdate() - datetime.timedelta(1))
    assert api_client(expired).get("/api/v1/rounds/").json()["code"] == "expired_token"
    revoked = token_for(board, name="old")
    api.revoke_token(ApiToken.objects.get(name="old"), by=board[1])
    assert api_client(revoked).get("/api/v1/rounds/").json()["code"] == "revoked_token"
    working = token_for(board, name="maker leaves")
    assert api_client(working).get("/api/v1/rounds/").status_code == 200
    board[1].memberships.update(topics=[])  # the maker lost the figures-submitter role
    response = api_client(working).get("/api/v1/rounds/")
    assert response.status_code == 403
    board[1].is_active = False
    board[1].save()
    assert api_client(working).get("/api/v1/rounds/").json()["code"] == "inactive_token"


def test_a_staff_session_does_not_open_the_api(programme_client, open_round):
    response = programme_client.get("/api/v1/rounds/")
    assert response.status_code == 401
    assert programme_client.get("/api/v1/figures/").status_code == 401


def test_a_token_does_not_open_the_html_portal(key):
    response = api_client(key).get("/dashboard/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_last_used_is_recorded_at_most_once_a_minute(client_a, open_round):
    client_a.get("/api/v1/rounds/")
    token = ApiToken.objects.get()
    first = token.last_used_at
    assert first is not None
    client_a.get("/api/v1/rounds/")
    token.refresh_from_db()
    assert token.last_used_at == first


def test_scopes_are_enforced_per_endpoint(board, open_round, year):
    reader = api_client(token_for(board, scopes=["figures:read"], name="reader"))
    writer = api_client(token_for(board, scopes=["figures:submit"], name="writer"))
    item = {"indicator": "teachers-po", "value": 10}
    assert reader.get("/api/v1/figures/").status_code == 200
    refused = post(reader, batch(year, item))
    assert refused.status_code == 403
    assert "figures:submit" in refused.json()["detail"]
    assert writer.get("/api/v1/figures/").status_code == 403
    assert post(writer, batch(year, item)).status_code == 201


def test_the_rate_limit_answers_429_with_retry_after(settings, client_a, open_round):
    settings.API_TOKEN_RATE = "3/min"
    statuses = [client_a.get("/api/v1/rounds/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = client_a.get("/api/v1/rounds/")
    assert 0 < int(response["Retry-After"]) <= 60
    assert response.json()["code"] == "throttled"


def test_the_anonymous_rate_counts_per_address(settings, open_round):
    settings.API_ANONYMOUS_RATE = "2/min"
    statuses = [
        Client(REMOTE_ADDR=address).get("/api/v1/open-data/indicators/").status_code
        for address in ("10.0.0.1", "10.0.0.1", "10.0.0.1", "10.0.0.2")
    ]
    assert statuses == [200, 200, 429, 200]


# Reading -----------------------------------------------------------------------------------


def test_rounds_and_indicators(client_a, open_round, year):
    rounds = client_a.get("/api/v1/rounds/").json()
    assert [(r["year"], r["is_open"]) for r in rounds] == [(year, True), (year - 1, False)]
    indicators = client_a.get("/api/v1/indicators/").json()
    assert {i["code"] for i in indicators} == {"teachers-po", "vacancies-fte"}
    detail = client_a.get("/api/v1/indicators/vacancies-fte/").json()
    assert (detail["decimals"], detail["max_value"]) == (1, 500.0)
    assert client_a.get("/api/v1/indicators/nope/").status_code == 404


def test_figures_are_the_organisations_own_and_filter(
    client_a, board, other_board, open_round, year, teachers, fte
):
    def figure(organisation, indicator, year, value):
        return FigureValue.objects.create(
            organisation=organisation, indicator=indicator, year=year, value=value, sector=""
        )

    mine = figure(board[0], teachers, year, 10)
    figure(board[0], fte, year, 2)
    figure(board[0], teachers, year - 1, 9)
    theirs = figure(other_board[0], teachers, year, 99)
    listed = client_a.get("/api/v1/figures/").json()
    assert listed["count"] == 3
    assert {row["value"] for row in listed["results"]} == {10, 2, 9}
    filtered = client_a.get(f"/api/v1/figures/?round={year}&indicator=teachers-po").json()
    assert [row["id"] for row in filtered["results"]] == [mine.pk]
    assert client_a.get("/api/v1/figures/?round=soon").status_code == 400
    assert client_a.get("/api/v1/figures/?status=lost").status_code == 400
    assert client_a.get(f"/api/v1/figures/{mine.pk}/").json()["value"] == 10
    assert client_a.get(f"/api/v1/figures/{theirs.pk}/").status_code == 404


# Batches ------------------------------------------------------------------------------------


def test_a_batch_is_saved_with_the_tokens_name_in_the_audit_trail(client_a, open_round, year):
    response = post(
        client_a,
        batch(
            year,
            {"indicator": "teachers-po", "value": 120},
            {"indicator": "vacancies-fte", "value": "3,5", "comment": "two schools"},
        ),
    )
    assert response.status_code == 201, response.json()
    answer = response.json()
    assert (answer["created"], answer["updated"], answer["unchanged"]) == (2, 0, 0)
    figures = FigureValue.objects.order_by("indicator__code")
    assert [(f.value, f.status, f.source) for f in figures] == [
        (Decimal("120"), "submitted", "api"),
        (Decimal("3.5"), "submitted", "api"),
    ]
    assert [v["id"] for v in answer["values"]] == [
        FigureValue.objects.get(indicator__code=c).pk for c in ("teachers-po", "vacancies-fte")
    ]
    history = FigureValue.history.first()
    assert history.history_change_reason == "API token “School system”"
    assert FigureStatusChange.objects.filter(note="API token “School system”").count() == 2


def test_the_same_batch_twice_changes_nothing(client_a, open_round, year):
    body = batch(year, {"indicator": "teachers-po", "value": 120})
    first = post(client_a, body)
    histories = FigureValue.history.count()
    again = post(client_a, body)
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert FigureValue.history.count() == histories and FigureBatch.objects.count() == 1
    other = post(client_a, batch(year, {"indicator": "teachers-po", "value": 121}))
    assert other.status_code == 409 and other.json()["code"] == "batch_key_reused"
    assert FigureValue.objects.get().value == 120
    looked_up = client_a.get("/api/v1/batches/b-1/")
    assert looked_up.json() == first.json()


def test_a_new_batch_with_the_same_values_is_unchanged(client_a, open_round, year):
    post(client_a, batch(year, {"indicator": "teachers-po", "value": 120}))
    second = post(client_a, batch(year, {"indicator": "teachers-po", "value": 120}, key="b-2"))
    assert (second.json()["created"], second.json()["unchanged"]) == (0, 1)


def test_errors_per_item_in_the_uploads_words_and_nothing_saved(
    client_a, board, open_round, year, teachers
):
    FigureValue.objects.create(
        organisation=board[0],
        indicator=teachers,
        year=year - 1,
        sector="po",
        value=100,
        status="approved",
    )
    response = post(
        client_a,
        batch(
            year,
            {"indicator": "vacancies-fte", "value": 2},  # fine alone
            {"indicator": "vacancies-fte", "value": "2.25"},
            {"indicator": "vacancies-fte", "value": 900, "sector": "vo"},
            {"indicator": "teachers-po", "value": 200},
            {"indicator": "unknown", "value": 1},
            {"indicator": "vacancies-fte", "value": 3},
        ),
    )
    assert response.status_code == 400
    data = response.json()
    assert data["code"] == "invalid_values"
    errors = {(e["item"], e["field"]): " ".join(e["messages"]) for e in data["errors"]}
    assert errors == {
        (2, "value"): "This indicator takes at most 1 decimals.",
        (2, "item"): "This organisation, indicator, year and sector are already in row 1.",
        (3, "value"): "The value is above the highest allowed value, 500.",
        (4, "comment"): (
            "The value changed by more than 50% against last year (100 → 200); "
            "explain the change in the comment."
        ),
        (5, "indicator"): "No indicator “unknown” is known; use its code.",
        (6, "item"): "This organisation, indicator, year and sector are already in row 1.",
    }
    assert not FigureValue.objects.filter(year=year).exists()
    assert not FigureBatch.objects.exists()


def test_a_closed_or_unknown_round_is_refused(client_a, open_round, year):
    for round_year in (year - 1, 1999):
        response = post(client_a, batch(round_year, {"indicator": "teachers-po", "value": 1}))
        assert response.status_code == 400
        assert response.json()["code"] == "round_not_open"
        assert str(year) in response.json()["detail"]


@pytest.mark.parametrize(
    "body, code",
    [
        ("[1, 2]", "not_an_object"),
        ('"values"', "not_an_object"),
        ("{not json", "parse_error"),
        ('{"batch_key": "x", "round": 2026, "values": [{"value": NaN}]}', "parse_error"),
        (
            {"batch_key": "a b", "round": 2026, "values": [{"indicator": "x", "value": 1}]},
            "invalid",
        ),
        (
            {"batch_key": "x", "round": "soon", "values": [{"indicator": "x", "value": 1}]},
            "invalid",
        ),
        ({"batch_key": "x", "round": 2026, "values": []}, "invalid"),
        (
            {"batch_key": "x", "round": 2026, "values": [{"indicator": "x", "value": True}]},
            "invalid",
        ),
        (
            {"batch_key": "x", "round": 2026, "values": [{"indicator": ["x"], "value": 1}]},
            "invalid",
        ),
        ({"batch_key": "x", "round": 2026, "values": ["x"]}, "invalid"),
    ],
)
def test_malformed_bodies_get_400_and_save_nothing(client_a, open_round, body, code):
    response = post(client_a, body)
    assert response.status_code == 400, response.content
    assert response.json()["code"] == code
    assert isinstance(response.json()["detail"], str) and response.json()["detail"]
    assert not FigureValue.objects.exists()


def test_type_errors_name_the_item(client_a, open_round, year):
    response = post(
        client_a,
        batch(year, {"indicator": "teachers-po", "value": 1}, {"indicator": "x", "value": None}),
    )
    errors = response.json()["errors"]
    assert [(e["item"], e["field"]) for e in errors] == [(2, "value")]


def test_ten_thousand_items_are_refused_clearly(client_a, open_round, year):
    items = [{"indicator": "teachers-po", "value": n} for n in range(10_000)]
    response = post(client_a, batch(year, *items))
    assert response.status_code == 400
    assert "at most 2000 values" in response.json()["errors"][0]["messages"][0]


def test_a_body_over_the_limit_gets_413(settings, client_a, open_round, year):
    settings.API_MAX_BODY_BYTES = 1000
    items = [{"indicator": "teachers-po", "value": n} for n in range(100)]
    response = post(client_a, batch(year, *items))
    assert response.status_code == 413 and response.json()["code"] == "too_large"


def test_infinite_and_huge_values_are_refused_as_in_the_upload(client_a, open_round, year):
    response = post(
        client_a,
        batch(year, {"indicator": "teachers-po", "value": "Infinity"}),
    )
    assert response.json()["errors"][0]["messages"] == ["“Infinity” is not a number."]
    huge = post(client_a, batch(year, {"indicator": "teachers-po", "value": 10**20}, key="b-2"))
    assert huge.json()["errors"][0]["messages"] == ["The value is too large."]


def test_messages_follow_a_dutch_accept_language(key, open_round, year):
    client = api_client(key, HTTP_ACCEPT_LANGUAGE="nl-NL,nl;q=0.9")
    response = post(client, batch(year, {"indicator": "unknown", "value": 1}))
    assert response["Content-Language"] == "nl"
    assert "onbekend" in response.json()["errors"][0]["messages"][0].lower() or (
        "niet" in response.json()["errors"][0]["messages"][0]
    )
    assert api_client(key).get("/api/v1/rounds/")["Content-Language"] == "en"


# Open data, schema, documentation ------------------------------------------------------------


def test_the_open_data_needs_no_token_and_matches_the_public_file(open_round):
    data = Client().get("/api/v1/open-data/figures/").json()
    public = Client().get("/open-data/cijfers.json").json()
    assert data["rows"] == public["rows"] and data["suppression_threshold"]
    indicators = Client().get("/api/v1/open-data/indicators/").json()["indicators"]
    assert {i["code"] for i in indicators} == {"teachers-po", "vacancies-fte"}


def test_the_schema_is_valid_openapi_3():
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")
    schema = Client().get("/api/v1/schema/?format=json").json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/batches/" in schema["paths"]


def test_the_documentation_page_renders_the_schema_without_inline_script():
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>\s*\S", html) == []
    assert "Content-Security-Policy" in response.headers
    # Each operation with the scope it needs, the batch's fields and the answers' objects.
    assert "<code>POST /api/v1/batches/</code>" in html
    assert "Needs a token with the scope <code>figures:submit</code>." in html
    assert "No token needed." in html  # the open data
    assert "<code>batch_key</code>" in html and "<code>rejection_reason</code>" in html
    assert 'href="#object-batchresult"' in html


def test_every_path_in_the_schema_hides_the_other_organisations_data(
    board, other_board, open_round, year
):
    """Walk the schema with two organisations' tokens: B's objects are never A's to see."""
    key_a, key_b = token_for(board), token_for(other_board)
    client_a, client_b = api_client(key_a), api_client(key_b)
    created = post(client_b, batch(year, {"indicator": "teachers-po", "value": 7}, key="b-only"))
    b_figure = created.json()["values"][0]["id"]
    ids = {"pk": b_figure, "id": b_figure, "key": "b-only", "code": "teachers-po"}
    paths = Client().get("/api/v1/schema/?format=json").json()["paths"]
    checked = 0
    for path, operations in paths.items():
        url = re.sub(r"\{(\w+)\}", lambda m: str(ids[m.group(1)]), path)
        for method in operations:
            if method != "get":
                continue
            seen_by_b = client_b.get(url)
            seen_by_a = client_a.get(url)
            assert seen_by_a.status_code < 500 and seen_by_b.status_code == 200, url
            if "{pk}" in path or "{key}" in path:
                assert seen_by_a.status_code == 404, url
            body = seen_by_a.content.decode()
            assert '"b-only"' not in body and f'"id":{b_figure},' not in body.replace(" ", "")
            checked += 1
    # A's own batch cannot reach B's figure either: the same key is A's own, another batch.
    response = post(client_a, batch(year, {"indicator": "teachers-po", "value": 8}, key="b-only"))
    assert response.status_code == 201
    assert FigureValue.objects.get(organisation=other_board[0]).value == 7
    assert checked >= 8
