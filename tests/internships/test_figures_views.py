"""The figures page and its CSV: suppressed alike, for the programme team and handlers."""

import csv
import datetime
import io
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import ReportFactory

URL = reverse("internships-figures")
CSV_URL = reverse("internships-figures-csv")


def at(year, month=6):
    return timezone.make_aware(datetime.datetime(year, month, 1, 12))


@pytest.fixture
def reports(db):
    """2026: hbo 3, 8, 12 and mbo 6, 7, 9 over the three phases (45 reports)."""
    grid = {("finding", "hbo"): 3, ("application", "hbo"): 8, ("internship", "hbo"): 12}
    grid.update({("finding", "mbo"): 6, ("application", "mbo"): 7, ("internship", "mbo"): 9})
    for (phase, level), count in grid.items():
        ReportFactory.create_batch(count, created_at=at(2026), phase=phase, level=level)


class Tables(HTMLParser):
    """The page's tables as {table id: [[cell text, ...], ...]}, and their captions."""

    def __init__(self):
        super().__init__()
        self.tables, self.captions = {}, {}
        self.current, self.key, self.row, self.cell = None, None, None, None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.key = dict(attrs).get("id")
            self.current = self.tables.setdefault(self.key, [])
        elif tag == "tr" and self.current is not None:
            self.row = []
            self.current.append(self.row)
        elif tag in ("td", "th", "caption") and self.current is not None:
            self.cell = ""

    def handle_endtag(self, tag):
        if tag == "caption" and self.cell is not None:
            self.captions[self.key] = self.cell.strip()
            self.cell = None
        elif tag in ("td", "th") and self.cell is not None:
            self.row.append(self.cell.strip())
            self.cell = None
        elif tag == "table":
            self.current = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


def page_tables(response):
    parser = Tables()
    parser.feed(response.content.decode())
    return parser.tables


def page_figures(response):
    """Every figure on the page as (caption, row, column, text), in reading order."""
    parser = Tables()
    parser.feed(response.content.decode())
    figures = []
    for key, table in parser.tables.items():
        header = table[0][1:]
        for row in table[1:]:
            figures.extend(
                (parser.captions[key], row[0], column, value)
                for column, value in zip(header, row[1:], strict=True)
            )
    return figures


def csv_rows(response):
    content = response.content.decode("utf-8")
    assert content.startswith("\ufeff")
    return list(csv.reader(io.StringIO(content[1:]), delimiter=";"))


def test_the_page_shows_less_than_five_for_three_and_hides_what_the_total_would_reveal(
    programme_client, reports
):
    response = programme_client.get(URL, {"period": "2026"})
    assert response.status_code == 200
    table = page_tables(response)["table-phase_level"]
    assert table[0][:3] == ["Phase", "MBO (secondary vocational)", "HBO (higher professional)"]
    rows = {row[0]: row[1:] for row in table[1:]}
    # Columns MBO, HBO, WO, total. The 3 is "<5", and so are the empty WO cells. The HBO
    # column (3, 8, 12: 23) would give the 3 away, so the 8 is hidden; the rows with a
    # lone hidden WO zero and the totals row (22 + 23 + 0 = 45) need one more each.
    assert rows["Finding a placement"] == ["x", "<5", "<5", "9"]
    assert rows["Application or interview"] == ["7", "x", "<5", "15"]
    assert rows["During the internship"] == ["x", "12", "<5", "21"]
    assert rows["Total"] == ["x", "23", "<5", "45"]
    assert "Hidden as well, although it is 5 or more" in response.content.decode()


def test_the_csv_has_exactly_the_values_of_the_page(programme_client, reports):
    ReportFactory.create_batch(2, created_at=at(2026), status="closed", outcome="mediated")
    figures = page_figures(programme_client.get(URL, {"period": "2026"}))
    response = programme_client.get(CSV_URL, {"period": "2026"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="internship-figures-2026.csv"' in response["Content-Disposition"]
    rows = csv_rows(response)
    assert rows[0] == ["Table", "Row", "Column", "Value"]
    assert [tuple(row) for row in rows[1:]] == figures
    assert (
        "Reports by phase and level",
        "Finding a placement",
        "HBO (higher professional)",
        "<5",
    ) in figures
    assert ("Closed reports by outcome", "Mediated, resolved", "Reports", "<5") in figures


def test_a_period_without_reports_says_so(programme_client, reports):
    response = programme_client.get(URL, {"period": "2023-2024"})
    assert response.status_code == 200
    assert "No reports came in during 2023-2024." in response.content.decode()
    assert page_tables(response) == {}
    assert csv_rows(programme_client.get(CSV_URL, {"period": "2023-2024"})) == [
        ["Table", "Row", "Column", "Value"]
    ]


def test_the_period_selector_offers_years_and_two_year_periods(programme_client, reports):
    ReportFactory(created_at=at(2025))
    response = programme_client.get(URL)
    content = response.content.decode()
    assert response.context["period"].key == "2026"
    assert '<option value="2025-2026"' in content
    assert '<option value="2025"' in content


def test_a_malformed_period_is_not_found(programme_client, db):
    assert programme_client.get(URL, {"period": "2026-2030"}).status_code == 404
    assert programme_client.get(CSV_URL, {"period": "x"}).status_code == 404


def test_a_handler_may_see_the_figures_but_a_partner_without_the_topic_may_not(
    handler_client, editor_client, client, reports
):
    assert handler_client.get(URL).status_code == 200
    assert handler_client.get(CSV_URL).status_code == 200
    assert editor_client.get(URL).status_code == 403
    assert editor_client.get(CSV_URL).status_code == 403
    assert client.get(URL).status_code == 302


def test_the_grounds_table_says_a_report_can_name_several_grounds(programme_client, reports):
    response = programme_client.get(URL, {"period": "2026"})
    assert "A report can name several grounds" in response.content.decode()
    table = page_tables(response)["table-grounds_level"]
    assert table[-1][0] != "Total"
