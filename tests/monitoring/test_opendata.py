"""Open data: the explaining page, the figures as CSV and JSON (suppressed exactly as on the
public dashboard) and the indicator definitions."""

from decimal import Decimal

import pytest
from django.urls import reverse

from monitoring import selectors
from monitoring.models import FigureValue, Indicator
from partners.models import Municipality
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def figures():
    zij = Indicator.objects.create(
        code="zij-instromers",
        name="Career switchers with a subsidy",
        unit="persons",
        counts_persons=True,
        source="Seed 004, ZIB subsidy applications",
    )
    fte = Indicator.objects.create(code="fte", name="Teachers", unit="FTE", decimals=1)
    hidden = Indicator.objects.create(code="intern", name="Internal", unit="x", is_public=False)
    approved = FigureValue.Status.APPROVED
    for area, year, amount in [
        ("'s-Gravenhage", 2022, 77),
        ("Haaglanden excl. Den Haag", 2022, 3),
        ("'s-Gravenhage", 2023, 62),
        ("Haaglanden excl. Den Haag", 2023, 37),
        ("Haaglanden", 2023, 99),
        ("Almere", 2023, 16),
    ]:
        FigureValue.objects.create(
            indicator=zij, area=area, year=year, value=amount, sector="po", status=approved
        )
    FigureValue.objects.create(
        indicator=zij, area="Utrecht", year=2023, value=777, status=FigureValue.Status.SUBMITTED
    )
    delft = OrganisationFactory(municipality=Municipality.objects.create(name="Delft"))
    FigureValue.objects.create(
        indicator=fte, organisation=delft, year=2024, value=Decimal("12.5"), status=approved
    )
    FigureValue.objects.create(
        indicator=hidden, organisation=delft, year=2024, value=4242, status=approved
    )
    return zij


def csv_rows(response):
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return [line.split(";") for line in text.lstrip("\ufeff").splitlines()]


def test_open_data_page_explains_the_datasets_and_links_them(client, figures):
    response = client.get(reverse("monitoring-open-data"))

    assert response.status_code == 200
    content = response.content.decode()
    for name in (
        "monitoring-open-data-csv",
        "monitoring-open-data-json",
        "monitoring-open-data-indicators",
    ):
        assert reverse(name) in content
    assert "CC BY 4.0" in content
    assert "Career switchers with a subsidy" in content
    assert "Seed 004, ZIB subsidy applications" in content
    assert "2022 to 2024" in content
    assert "&lt;5" in content


def test_csv_is_dutch_excel_friendly_with_a_stable_filename(client, figures):
    response = client.get(reverse("monitoring-open-data-csv"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="cijfers.csv"'
    rows = csv_rows(response)
    assert rows[0] == [
        "indicator",
        "year",
        "breakdown",
        "sector",
        "area or municipality",
        "value",
        "unit",
    ]
    assert ["fte", "2024", "municipality", "", "Delft", "12.5", "FTE"] in rows


def test_csv_has_approved_public_figures_only(client, figures):
    text = client.get(reverse("monitoring-open-data-csv")).content.decode()

    assert "777" not in text
    assert "Utrecht" not in text
    assert "4242" not in text
    assert "intern" not in text


def test_csv_and_json_suppress_exactly_as_the_dashboard(client, figures):
    rows = csv_rows(client.get(reverse("monitoring-open-data-csv")))
    data = client.get(reverse("monitoring-open-data-json")).json()
    (region, _others) = selectors.indicator_figures(figures, selectors.value_groups()).by_area

    dashboard = client.get(reverse("monitoring-public-dashboard"), {"indicator": "zij-instromers"})
    page = dashboard.content.decode()

    shown = {(r[0], r[1], r[4]): r[5] for r in rows[1:] if r[0] == "zij-instromers"}
    assert shown["zij-instromers", "2022", "Haaglanden excl. Den Haag"] == "<5"
    assert shown["zij-instromers", "2022", "Haaglanden excl. Den Haag"] == region.rows[1][1][0].text
    assert shown["zij-instromers", "2023", "Haaglanden"] == region.footer[1][1].text == "99"
    json_shown = {
        (r["indicator"], r["year"], r["area"]): r["value"]
        for r in data["rows"]
        if r["indicator"] == "zij-instromers"
    }
    assert json_shown == shown
    # The hidden 3 is nowhere: not in the files, not on the page's table.
    assert ";3;" not in ";".join(";".join(r) for r in rows)
    table = page.split('id="table-zij-instromers-area-po-Haaglanden"')[1].split("</table>")[0]
    assert "<td>&lt;5</td>" in table
    assert ">3<" not in table
    assert all(r["suppressed"] == (r["value"] in ("<5", "x")) for r in data["rows"])


def test_json_has_metadata_licence_and_suppression_rule(client, figures):
    response = client.get(reverse("monitoring-open-data-json"))

    assert response["Content-Type"] == "application/json; charset=utf-8"
    data = response.json()
    assert data["licence"] == "CC BY 4.0"
    assert data["suppression_threshold"] == 5
    assert "<5" in data["suppression"]
    assert data["generated_at"]
    assert set(data["fields"]) <= set(data["rows"][0])
    assert "'s-Gravenhage" in response.content.decode("utf-8")  # UTF-8, not escaped


def test_indicator_definitions_json(client, figures):
    data = client.get(reverse("monitoring-open-data-indicators")).json()

    codes = [i["code"] for i in data["indicators"]]
    assert codes == ["fte", "zij-instromers"] or sorted(codes) == ["fte", "zij-instromers"]
    zij = next(i for i in data["indicators"] if i["code"] == "zij-instromers")
    assert zij["unit"] == "persons"
    assert zij["counts_persons"] is True
    assert zij["aggregation"] == "sum"
    assert data["licence"] == "CC BY 4.0"


def test_open_data_without_figures_says_no_data(client):
    assert "No data" in client.get(reverse("monitoring-open-data")).content.decode()
    assert client.get(reverse("monitoring-open-data-json")).json()["rows"] == []


def test_json_gives_numbers_and_no_number_where_a_count_is_hidden(client, figures):
    rows = client.get(reverse("monitoring-open-data-json")).json()["rows"]

    fte = next(r for r in rows if r["indicator"] == "fte" and r["breakdown"] == "municipality")
    assert fte["number"] == 12.5
    hidden = [r for r in rows if r["suppressed"]]
    assert hidden and all(r["number"] is None for r in hidden)
    whole = next(r for r in rows if r["area"] == "Haaglanden" and r["year"] == "2023")
    assert whole["number"] == 99
