"""The yearly-figures upload through the generic import flow: scope, validation, all or
nothing, the same file twice, Dutch CSV and XLSX, and the history it leaves."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from monitoring.models import FigureStatusChange, FigureValue, Indicator, ReportingRound
from portal import workflow
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

KEY = "monitoring-figures"


@pytest.fixture
def year():
    return timezone.localdate().year


@pytest.fixture
def open_round(year):
    today = timezone.localdate()
    return ReportingRound.objects.create(
        year=year,
        opens_on=today - datetime.timedelta(days=10),
        closes_on=today + datetime.timedelta(days=20),
    )


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


@pytest.fixture
def board(db):
    return OrganisationFactory(name="Stichting Haagse Scholen", board_number="41234")


@pytest.fixture
def submitter(board):
    return MembershipFactory(
        user=UserFactory(email="cijfers@example.org"),
        organisation=board,
        role="editor",
        topics=["figures_submitter"],
    ).user


@pytest.fixture
def submitter_client(submitter):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(submitter)
    return client


def csv_bytes(rows, encoding="utf-8-sig"):
    lines = ["organisatie;indicator;jaar;sector;waarde;toelichting"]
    lines += [";".join(str(cell) for cell in row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def upload(client, content, name="cijfers.csv"):
    return client.post(
        reverse("import-upload", args=[KEY]), {"file": SimpleUploadedFile(name, content)}
    )


def preview(client, content, name="cijfers.csv"):
    response = upload(client, content, name)
    assert response.status_code == 302, response.content.decode()[:2000]
    page = client.get(response["Location"])
    return response["Location"], page.context["preview"]


def import_file(client, content, name="cijfers.csv"):
    location, result = preview(client, content, name)
    assert not result.has_errors, [row["messages"] for row in result.rows]
    confirmed = client.post(location)
    assert confirmed.status_code == 302
    return result


def messages_of(result):
    return [" ".join(row["messages"]) for row in result.rows]


def test_a_submitter_uploads_figures_for_their_organisation_as_submitted(
    submitter_client, submitter, board, open_round, teachers, year
):
    result = import_file(
        submitter_client, csv_bytes([[board.name, "teachers-po", year, "", 120, ""]])
    )

    assert result.totals["new"] == 1
    value = FigureValue.objects.get()
    assert (value.organisation, value.indicator, value.year, value.sector) == (
        board,
        teachers,
        year,
        "po",  # the indicator's sector when the row gives none
    )
    assert value.value == 120
    assert value.status == FigureValue.Status.SUBMITTED
    assert value.round == open_round
    change = FigureStatusChange.objects.get(value=value)
    assert (change.from_status, change.to_status, change.changed_by) == ("", "submitted", submitter)
    assert value.history.get().history_user == submitter


def test_rows_of_another_organisation_are_refused_and_nothing_is_saved(
    submitter_client, board, open_round, teachers, year
):
    other = OrganisationFactory(name="Stichting Elders")
    content = csv_bytes(
        [
            [board.name, "teachers-po", year, "", 120, ""],
            [other.name, "teachers-po", year, "", 80, ""],
        ]
    )
    location, result = preview(submitter_client, content)

    assert result.has_errors
    assert "You may not report figures for Stichting Elders." in messages_of(result)[1]
    submitter_client.post(location)
    assert not FigureValue.objects.exists()


def test_the_programme_team_may_upload_for_any_organisation(
    programme_client, board, open_round, teachers, year
):
    import_file(programme_client, csv_bytes([["41234", "teachers-po", year, "po", 7, ""]]))

    assert FigureValue.objects.get().organisation == board


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (["Onbekend", "teachers-po", "{year}", "", "1", ""], "No organisation “Onbekend” is known"),
        (["{board}", "nope", "{year}", "", "1", ""], "No indicator “nope” is known"),
        (["{board}", "teachers-po", "1999", "", "1", ""], "The year must be that of the open"),
        (["{board}", "teachers-po", "{year}", "", "veel", ""], "“veel” is not a number."),
        (["{board}", "teachers-po", "{year}", "", "-3", ""], "may not be negative"),
        (["{board}", "teachers-po", "{year}", "", "2,5", ""], "whole numbers only"),
        (["{board}", "vacancies-fte", "{year}", "", "2,25", ""], "at most 1 decimals"),
        (["{board}", "vacancies-fte", "{year}", "", "600", ""], "above the highest allowed"),
        (["{board}", "teachers-po", "{year}", "xyz", "1", ""], "Unknown sector “xyz”"),
        (["{board}", "teachers-po", "{year}", "", "", ""], "Fill in the value."),
    ],
)
def test_wrong_rows_are_marked_with_what_to_correct(
    submitter_client, board, open_round, teachers, fte, year, row, message
):
    cells = [cell.format(year=year, board=board.name) for cell in row]
    _location, result = preview(submitter_client, csv_bytes([cells]))

    assert result.rows[0]["kind"] == "wrong"
    assert message in messages_of(result)[0]


def test_a_row_twice_in_the_file_is_refused_on_the_second(
    submitter_client, board, open_round, teachers, year
):
    content = csv_bytes(
        [[board.name, "teachers-po", year, "", 1, ""], ["41234", "teachers-po", year, "po", 2, ""]]
    )
    _location, result = preview(submitter_client, content)

    assert result.rows[0]["kind"] == "new"
    assert "already in row 2" in messages_of(result)[1]


def test_a_change_of_more_than_half_against_last_year_needs_a_comment(
    submitter_client, board, open_round, teachers, year
):
    last = FigureValue(
        organisation=board,
        indicator=teachers,
        year=year - 1,
        sector="po",
        value=100,
        status=FigureValue.Status.APPROVED,
    )
    workflow.create(last, by=None)
    _location, result = preview(
        submitter_client, csv_bytes([[board.name, "teachers-po", year, "", 151, ""]])
    )
    assert "explain the change in the comment" in messages_of(result)[0]

    _location, result = preview(
        submitter_client,
        csv_bytes([[board.name, "teachers-po", year, "", 151, "Twee scholen gefuseerd"]]),
    )
    assert not result.has_errors

    _location, result = preview(
        submitter_client, csv_bytes([[board.name, "teachers-po", year, "", 149, ""]])
    )
    assert not result.has_errors


def test_the_same_file_twice_changes_nothing(submitter_client, board, open_round, teachers, year):
    content = csv_bytes([[board.name, "teachers-po", year, "", 120, ""]])
    import_file(submitter_client, content)
    value = FigureValue.objects.get()
    history = value.history.count()

    result = import_file(submitter_client, content)

    assert result.totals == {"new": 0, "update": 0, "skip": 1, "wrong": 0}
    assert value.history.count() == history
    assert FigureStatusChange.objects.filter(value=value).count() == 1


def test_a_changed_approved_figure_is_submitted_again_with_old_and_new_in_the_preview(
    submitter_client, submitter, board, open_round, teachers, year
):
    value = FigureValue(
        organisation=board,
        indicator=teachers,
        year=year,
        sector="po",
        value=120,
        status=FigureValue.Status.APPROVED,
        round=open_round,
    )
    workflow.create(value, by=None)

    location, result = preview(
        submitter_client, csv_bytes([[board.name, "teachers-po", year, "", 125, ""]])
    )
    assert result.rows[0]["kind"] == "update"
    assert ("waarde", "120", "125") in result.rows[0]["changes"]
    submitter_client.post(location)

    value.refresh_from_db()
    assert value.value == 125
    assert value.status == FigureValue.Status.SUBMITTED
    assert FigureStatusChange.objects.filter(
        value=value, from_status="approved", to_status="submitted", changed_by=submitter
    ).exists()
    assert [h.value for h in value.history.order_by("history_date")] == [120, 125]


def test_dutch_excel_csv_in_windows_1252_with_a_decimal_comma(
    submitter_client, board, open_round, fte, year
):
    board.name = "Stichting Scholengroep Één"
    board.save()
    content = csv_bytes(
        [["Stichting Scholengroep Één", "vacancies-fte", year, "", "12,5", "Geschätzt"]], "cp1252"
    )

    import_file(submitter_client, content)

    assert FigureValue.objects.get().value == Decimal("12.5")


def test_an_xlsx_upload_with_number_cells(submitter_client, board, open_round, fte, year):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["organisatie", "indicator", "jaar", "sector", "waarde", "toelichting"])
    sheet.append([41234, "vacancies-fte", year, None, 3.5, None])
    buffer = io.BytesIO()
    workbook.save(buffer)

    import_file(submitter_client, buffer.getvalue(), name="cijfers.xlsx")

    assert FigureValue.objects.get().value == Decimal("3.5")


def test_without_an_open_round_nothing_can_be_uploaded(submitter_client, board, teachers, year):
    _location, result = preview(
        submitter_client, csv_bytes([[board.name, "teachers-po", year, "", 1, ""]])
    )

    assert "No reporting round is open" in messages_of(result)[0]


def test_users_without_the_submitter_topic_may_not_upload(editor_client, viewer_client):
    for client in (editor_client, viewer_client):
        assert client.get(reverse("import-upload", args=[KEY])).status_code == 403


def test_the_template_lists_the_open_rounds_year_and_the_indicator_codes(
    submitter_client, open_round, teachers, year
):
    response = submitter_client.get(reverse("import-template", args=[KEY, "csv"]))

    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[0] == "organisatie;indicator;jaar;sector;waarde;toelichting"
    assert "teachers-po" in text
    assert str(year) in text


def test_an_indicator_reported_by_another_kind_is_refused(
    submitter_client, board, open_round, year
):
    Indicator.objects.create(
        code="students-hbo", name="Students", unit="persons", reporting_kinds=["hbo_institution"]
    )

    _location, result = preview(
        submitter_client, csv_bytes([[board.name, "students-hbo", year, "", 5, ""]])
    )

    assert "does not report this indicator" in messages_of(result)[0]
