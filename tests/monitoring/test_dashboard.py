"""The dashboard (programme team and public): indicators over the years per sector,
municipality and area, computed totals, suppression, filters, agenda progress, the desk
funnel, the internship counts, the chart CSVs and the query budget."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from monitoring import selectors
from monitoring.models import Activity, Agenda, FigureValue, Indicator, ProgrammeLine
from partners.models import Municipality
from portal.cache import invalidate
from tests.factories import CaseFactory, OrganisationFactory, ReportFactory

pytestmark = pytest.mark.django_db

APPROVED = FigureValue.Status.APPROVED
SUBMITTED = FigureValue.Status.SUBMITTED


def indicator(code="zij-instromers", **kwargs):
    defaults = {"name": code.replace("-", " ").capitalize(), "unit": "persons"}
    return Indicator.objects.create(code=code, **(defaults | kwargs))


def value(ind, year, amount, *, organisation=None, area="", sector="", status=APPROVED):
    return FigureValue.objects.create(
        indicator=ind,
        year=year,
        value=Decimal(amount),
        organisation=organisation,
        area=area,
        sector=sector,
        status=status,
    )


def org(name, municipality=None):
    place = Municipality.objects.get_or_create(name=municipality)[0] if municipality else None
    return OrganisationFactory(name=name, municipality=place)


def figures_of(ind, **kwargs):
    return selectors.indicator_figures(ind, selectors.value_groups(**kwargs))


def cells(table):
    return {str(label): [c.text for c in row] for label, row, _total in table.rows}


# The tables --------------------------------------------------------------------------------


def test_organisation_values_add_up_per_sector_and_municipality():
    ind = indicator("fte", unit="FTE")
    delft, westland = org("Delft school", "Delft"), org("Westland school", "Westland")
    value(ind, 2023, 10, organisation=delft, sector="po")
    value(ind, 2023, 7, organisation=westland, sector="po")
    value(ind, 2023, 5, organisation=westland, sector="vo")
    value(ind, 2024, 12, organisation=delft, sector="po")

    figures = figures_of(ind)

    assert figures.years == [2023, 2024]
    assert cells(figures.by_sector) == {"PO": ["17", "12"], "VO": ["5", ""]}
    assert [c.text for c in figures.by_sector.footer[1]] == ["22", "12"]
    assert figures.by_sector.footer[2].text == "34"
    assert cells(figures.by_municipality) == {"Delft": ["10", "12"], "Westland": ["12", ""]}
    assert [c.text for c in figures.by_municipality.footer[1]] == ["22", "12"]


def test_average_indicator_takes_the_mean_of_the_values_not_of_the_sums():
    ind = indicator("share", unit="%", aggregation=Indicator.Aggregation.AVERAGE, decimals=1)
    a, b, c = org("A", "Delft"), org("B", "Delft"), org("C", "Rijswijk")
    value(ind, 2024, 10, organisation=a)
    value(ind, 2024, 20, organisation=b)
    value(ind, 2024, 60, organisation=c)

    figures = figures_of(ind)

    assert cells(figures.by_municipality) == {"Delft": ["15.0"], "Rijswijk": ["60.0"]}
    assert figures.by_municipality.footer[1][0].text == "30.0"
    assert figures.by_municipality.footer[0] == "Average"
    assert not figures.by_municipality.has_row_totals


def test_latest_indicator_adds_up_organisations_but_not_years():
    ind = indicator("partners", unit="organisations", aggregation=Indicator.Aggregation.LATEST)
    a, b = org("A", "Delft"), org("B", "Delft")
    value(ind, 2023, 30, organisation=a)
    value(ind, 2024, 31, organisation=a)
    value(ind, 2024, 4, organisation=b)

    figures = figures_of(ind)

    assert [c.text for c in figures.by_sector.footer[1]] == ["30", "35"]
    assert not figures.by_sector.has_row_totals


def test_only_approved_values_unless_submitted_ones_are_asked_for():
    ind = indicator("fte")
    school = org("A", "Delft")
    value(ind, 2024, 10, organisation=school)
    value(ind, 2024, 99, organisation=org("B", "Delft"), status=SUBMITTED)
    value(ind, 2024, 1000, organisation=org("C", "Delft"), status=FigureValue.Status.DRAFT)

    public = figures_of(ind)
    team = figures_of(ind, statuses=selectors.TEAM_STATUSES)

    assert public.by_sector.footer[1][0].text == "10"
    assert team.by_sector.footer[1][0].text == "109"


def test_region_total_is_computed_from_its_parts_and_a_differing_source_total_is_noted():
    ind = indicator("zij", counts_persons=False)
    value(ind, 2022, 77, area="'s-Gravenhage", sector="po")
    value(ind, 2022, 39, area="Haaglanden excl. Den Haag", sector="po")
    value(ind, 2022, 120, area="Haaglanden", sector="po")  # the source's printed total is off
    value(ind, 2022, 29, area="Almere", sector="po")

    figures = figures_of(ind)

    region, others = figures.by_area
    assert cells(region) == {"'s-Gravenhage": ["77"], "Haaglanden excl. Den Haag": ["39"]}
    assert region.footer[0] == "Haaglanden"
    assert region.footer[1][0].text == "116"
    assert region.notes == [
        "2022: the source gives 120 for Haaglanden, its parts add up to 116; "
        "the computed total is shown."
    ]
    assert cells(others) == {"Almere": ["29"]}
    assert others.footer is None
    assert figures.totals[2022].text == "116"


def test_region_whose_parts_add_up_has_no_note():
    ind = indicator("zij")
    value(ind, 2022, 77, area="'s-Gravenhage")
    value(ind, 2022, 39, area="Haaglanden excl. Den Haag")
    value(ind, 2022, 116, area="Haaglanden")

    (region,) = figures_of(ind).by_area

    assert region.notes == []


def test_area_values_stay_apart_per_sector():
    ind = indicator("zij")
    value(ind, 2022, 77, area="'s-Gravenhage", sector="po")
    value(ind, 2022, 50, area="'s-Gravenhage", sector="vo")

    tables = figures_of(ind).by_area

    assert [t.sector for t in tables] == ["po", "vo"]
    assert [cells(t) for t in tables] == [{"'s-Gravenhage": ["77"]}, {"'s-Gravenhage": ["50"]}]


def test_small_counts_of_persons_are_suppressed_with_secondary_suppression():
    ind = indicator("zij", counts_persons=True)
    value(ind, 2022, 3, area="'s-Gravenhage")
    value(ind, 2022, 39, area="Haaglanden excl. Den Haag")
    value(ind, 2023, 20, area="'s-Gravenhage")
    value(ind, 2023, 30, area="Haaglanden excl. Den Haag")

    (region,) = figures_of(ind).by_area

    shown = cells(region)
    assert shown["'s-Gravenhage"][0] == "<5"
    # 42 - 39 would give the 3 away: something else in the row or column is hidden too.
    texts = [c.text for c in region.footer[1]] + shown["Haaglanden excl. Den Haag"]
    assert "x" in texts + [region.rows[0][2].text, region.rows[1][2].text, region.footer[2].text]
    assert region.rows[0][1][0].number is None  # a gap in the chart


def test_counts_that_are_not_of_persons_are_shown_as_they_are():
    ind = indicator("fte", unit="FTE", counts_persons=False)
    value(ind, 2024, 2, area="Haaglanden")

    (table,) = figures_of(ind).by_area

    assert cells(table) == {"Haaglanden": ["2"]}


def test_filters_limit_sector_and_years():
    ind = indicator("fte")
    school = org("A", "Delft")
    for year in (2020, 2021, 2022):
        value(ind, year, 10, organisation=school, sector="po")
        value(ind, year, 5, organisation=school, sector="vo")

    figures = selectors.indicator_figures(
        ind, selectors.value_groups(), sector="vo", years=range(2021, 2023)
    )

    assert figures.years == [2021, 2022]
    assert cells(figures.by_sector) == {"VO": ["5", "5"]}


def test_parse_filters_ignores_what_it_cannot_read_and_submitted_is_for_the_team_only():
    params = {"from": "abc", "to": "2024", "include": "submitted", "sector": "po"}
    assert selectors.parse_filters(params).include_submitted is False
    filters = selectors.parse_filters(params, team=True)
    assert (filters.year_from, filters.year_to, filters.include_submitted) == (None, 2024, True)
    assert list(filters.years())[-1] == 2024


def test_agenda_progress_counts_activities_per_status_with_mean_progress():
    agenda = Agenda.objects.create(name="Plan", slug="plan", start_year=2026, end_year=2029)
    hidden = Agenda.objects.create(
        name="Intern", slug="intern", start_year=2026, end_year=2029, is_public=False
    )
    line = ProgrammeLine.objects.create(agenda=agenda, code="1", title="Line")
    other = ProgrammeLine.objects.create(agenda=hidden, code="1", title="Line")
    Activity.objects.create(line=line, code="1.1", title="A", status="running", progress=40)
    Activity.objects.create(line=line, code="1.2", title="B", status="done", progress=100)
    Activity.objects.create(line=line, code="1.3", title="C", status="running", progress=10)
    Activity.objects.create(line=other, code="1.1", title="D")

    (public,) = selectors.agenda_progress(public=True)
    team = selectors.agenda_progress(public=False)

    assert public["name"] == "Plan"
    assert public["activities"] == 3
    assert public["progress"] == 50
    assert {s: n for s, _l, n in public["statuses"]}["running"] == 2
    assert [a["name"] for a in team] == ["Intern", "Plan"]  # position, then name


def test_desk_funnel_suppresses_small_counts():
    for _ in range(6):
        CaseFactory()

    funnel = selectors.desk_funnel()

    rows = {str(label): cell.display for label, cell in funnel["rows"]}
    assert rows["Received"] == "6"
    assert "<5" in rows.values()


# The pages -----------------------------------------------------------------------------------


def test_public_dashboard_shows_approved_figures_with_chart_table_and_csv_link(client):
    ind = indicator("zij", name="Career switchers with a subsidy", counts_persons=True)
    value(ind, 2022, 77, area="'s-Gravenhage", sector="po")
    value(ind, 2022, 39, area="Haaglanden excl. Den Haag", sector="po")
    value(ind, 2022, 3, area="Almere", sector="po")
    value(ind, 2022, 555, area="Utrecht", sector="po", status=SUBMITTED)

    response = client.get(reverse("monitoring-public-dashboard"))

    assert response.status_code == 200
    content = response.content.decode()
    assert 'role="img"' in content
    assert "<title id=" in content
    assert "116" in content
    assert "&lt;5" in content
    assert "555" not in content
    assert reverse("monitoring-public-chart-csv", args=["zij"]) in content
    assert reverse("monitoring-open-data") in content
    assert "style=" not in content
    assert "<script" not in content.split("</main>")[0].split("<main")[1]


def test_public_dashboard_says_no_data_when_there_is_none(client):
    response = client.get(reverse("monitoring-public-dashboard"))

    assert response.status_code == 200
    assert "No data" in response.content.decode()


def test_public_dashboard_hides_indicators_that_are_not_public(client):
    value(indicator("secret", name="Secret figure", is_public=False), 2024, 10, area="Delft")
    value(indicator("open", name="Open figure"), 2024, 10, area="Delft")

    content = client.get(reverse("monitoring-public-dashboard")).content.decode()

    assert "Open figure" in content
    assert "Secret figure" not in content
    csv = client.get(reverse("monitoring-public-chart-csv", args=["secret"]))
    assert csv.status_code == 404


def test_team_dashboard_may_include_submitted_figures(programme_client):
    ind = indicator("fte", name="Teachers in FTE")
    value(ind, 2024, 10, organisation=org("A", "Delft"))
    value(ind, 2024, 4321, organisation=org("B", "Delft"), status=SUBMITTED)
    url = reverse("monitoring-dashboard")

    assert "4,331" not in programme_client.get(url).content.decode()
    content = programme_client.get(url, {"include": "submitted"}).content.decode()
    assert "4,331" in content or "4331" in content


def test_team_dashboard_is_for_the_programme_team_only(editor_client, client):
    url = reverse("monitoring-dashboard")
    assert editor_client.get(url).status_code == 403
    assert client.get(url).status_code in (302, 403)


def test_chart_csv_is_dutch_excel_friendly_and_matches_the_table(client):
    ind = indicator("zij", counts_persons=True)
    value(ind, 2022, 77, area="'s-Gravenhage", sector="po")
    value(ind, 2022, 3, area="Haaglanden excl. Den Haag", sector="po")
    value(ind, 2023, 60, area="'s-Gravenhage", sector="po")
    value(ind, 2023, 40, area="Haaglanden excl. Den Haag", sector="po")

    response = client.get(reverse("monitoring-public-chart-csv", args=["zij"]))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert "zij" in response["Content-Disposition"]
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    lines = [line.split(";") for line in text.lstrip("\ufeff").splitlines()]
    assert lines[0] == ["Table", "Row", "Year", "Value", "Unit"]
    shown = {(row, year): val for _t, row, year, val, _u in lines[1:]}
    assert shown["Haaglanden excl. Den Haag", "2022"] == "<5"
    (region,) = figures_of(ind).by_area
    assert shown["Haaglanden", "2023"] == region.footer[1][1].text == "100"


def test_chart_csv_of_an_unknown_indicator_is_404(client):
    assert client.get(reverse("monitoring-public-chart-csv", args=["nope"])).status_code == 404


def test_dashboard_shows_internship_counts_suppressed(client):
    for _ in range(2):
        ReportFactory()

    content = client.get(reverse("monitoring-public-dashboard")).content.decode()

    assert "Internship discrimination reports" in content
    assert "&lt;5" in content


# The query budget -------------------------------------------------------------------------


def _dataset(prefix, organisations, indicators, years):
    places = [Municipality.objects.get_or_create(name=f"Gemeente {i}")[0] for i in range(5)]
    orgs = OrganisationFactory.create_batch(organisations)
    for i, o in enumerate(orgs):
        o.municipality = places[i % 5]
        o.save(update_fields=["municipality"])
    inds = [indicator(f"{prefix}-{i}", counts_persons=i % 2 == 0) for i in range(indicators)]
    FigureValue.objects.bulk_create(
        FigureValue(
            organisation=o,
            indicator=ind,
            year=2015 + y,
            value=Decimal(y + 1),
            sector="po" if k % 2 else "vo",
            status=APPROVED,
        )
        for k, o in enumerate(orgs)
        for ind in inds
        for y in range(years)
    )


@pytest.mark.parametrize("url_name", ["monitoring-public-dashboard", "monitoring-dashboard"])
def test_dashboard_query_count_does_not_grow_with_the_data(url_name, client, programme_user):
    if url_name == "monitoring-dashboard":
        client.force_login(programme_user)
    url = reverse(url_name)
    _dataset("small", 2, 2, 2)
    client.get(url)
    invalidate()  # bulk_create sends no signal; the public page is cached
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _dataset("large", 6, 5, 4)
    invalidate()
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200

    assert len(large) == len(small)
    # The session and user of the team's page, the figures, agendas, desk, internships and
    # the registry's partner counts beside the printed ones (two).
    assert len(large) <= 14


def test_internship_period_is_the_last_two_years():
    figures = selectors.internship_figures(today=datetime.date(2026, 5, 1))
    assert figures["period"].key == "2025-2026"


def test_dashboard_shows_the_indicator_asked_for_or_else_the_first_with_data(client):
    first = indicator("aaa", name="First figure", position=1)
    second = indicator("bbb", name="Second figure", position=2)
    value(first, 2024, 10, organisation=org("A", "Delft"))
    value(second, 2024, 20, organisation=org("B", "Westland"))
    url = reverse("monitoring-public-dashboard")

    assert client.get(url).context["selected"].indicator == first
    assert client.get(url, {"indicator": "bbb"}).context["selected"].indicator == second
    chosen = client.get(url, {"indicator": "nope"}).context["selected"]
    assert chosen.indicator == first
    assert chosen.by_municipality is not None
    content = client.get(url, {"indicator": "bbb"}).content.decode()
    assert 'id="table-bbb-municipality"' in content
    assert 'id="table-aaa-municipality"' not in content


def test_a_region_with_a_part_missing_is_not_totalled_from_the_other_part():
    ind = indicator("zij")
    value(ind, 2022, 54, area="'s-Gravenhage", sector="mbo")
    value(ind, 2022, 17, area="Almere", sector="mbo")

    (table,) = figures_of(ind).by_area

    assert table.footer is None
    assert cells(table) == {"'s-Gravenhage": ["54"], "Almere": ["17"]}


def test_a_single_area_gives_the_overview_its_line():
    ind = indicator("tekort", unit="FTE")
    value(ind, 2024, 117, area="Zuidwest-Nederland", sector="vo")
    value(ind, 2025, 110, area="Zuidwest-Nederland", sector="vo")

    figures = figures_of(ind)

    assert [figures.totals[year].text for year in (2024, 2025)] == ["117", "110"]


def test_public_dashboard_is_cached_and_a_new_approved_figure_shows_at_once(client):
    ind = indicator("fte", name="Teachers")
    school = org("A", "Delft")
    value(ind, 2024, 10, organisation=school)
    url = reverse("monitoring-public-dashboard")
    client.get(url)

    with CaptureQueriesContext(connection) as cached:
        client.get(url)
    value(ind, 2024, 4321, organisation=org("B", "Delft"))

    assert len(cached) == 0
    assert "<td>4331</td>" in client.get(url).content.decode()


def test_chart_series_leave_out_a_total_line_that_repeats_the_only_row():
    ind = indicator("fte")
    value(ind, 2024, 10, organisation=org("A", "Delft"))
    value(ind, 2024, 5, organisation=org("B", "Westland"))

    figures = figures_of(ind)

    assert [label for label, _points in figures.by_sector.series()] == ["All sectors"]
    assert [label for label, _points in figures.by_municipality.series()] == [
        "Delft",
        "Westland",
        "Total",
    ]


def test_desk_funnel_counts_the_cases_that_reached_each_step(advisor_user):
    from lokaal.models import Case
    from portal import workflow

    cases = [CaseFactory() for _ in range(7)]
    for case in cases[:6]:
        workflow.transition(case, Case.Status.CONTACTED, by=advisor_user)

    rows = {str(label): cell.display for label, cell in selectors.desk_funnel()["rows"]}

    assert rows["Received"] == "7"
    assert rows["Contacted"] == "6"
    assert rows["Placed"] == "<5"


def test_overview_says_when_an_indicator_has_no_single_line(client):
    ind = indicator("zij", name="Career switchers")
    value(ind, 2022, 77, area="'s-Gravenhage", sector="po")
    value(ind, 2022, 28, area="'s-Gravenhage", sector="vo")
    url = reverse("monitoring-public-dashboard")

    assert "not added up" in client.get(url).content.decode()
    assert "not added up" not in client.get(url, {"sector": "po"}).content.decode()


@pytest.mark.django_db
def test_a_printed_total_is_shown_beside_the_computed_one_with_the_difference(client):
    from monitoring.models import FigureValue, Indicator
    from portal import workflow

    def area_value(indicator, value):
        workflow.create(
            FigureValue(
                indicator=indicator,
                area="Zuidwest-Nederland",
                year=2024,
                sector="vo",
                value=value,
                status="approved",
                source="public",
            ),
            by=None,
        )

    dutch = Indicator.objects.create(code="fte-nl", name="FTE Dutch", unit="FTE", sector="vo")
    maths = Indicator.objects.create(code="fte-wi", name="FTE maths", unit="FTE", sector="vo")
    printed = Indicator.objects.create(
        code="fte-total",
        name="FTE total as printed",
        unit="FTE",
        sector="vo",
        sum_of=["fte-nl", "fte-wi"],
    )
    area_value(dutch, 192)
    area_value(maths, 117)
    area_value(printed, 320)

    response = client.get("/cijfers/")
    totals = response.context["source_totals"]
    assert [(str(t["computed"]), str(t["printed"]), str(t["difference"])) for t in totals] == [
        ("309", "320", "11")
    ]
    # The printed total is never a figure of its own.
    assert printed not in [indicator for indicator, *_rest in response.context["overview"]]
    html = response.content.decode()
    assert "Computed from the rows" in html and "Printed in the source" in html


def test_the_registry_counts_partners_beside_the_figure_the_source_printed(client):
    boards = indicator("partner-besturen", unit="boards")
    value(boards, 2025, 44, area="Haaglanden", sector="po")
    delft = Municipality.objects.create(name="Delft")
    leiden = Municipality.objects.create(name="Leiden", in_region=False)
    board = OrganisationFactory(name="Stichting Voorbeeld Delft", board_number="90001")
    location = {"kind": "school_location", "parent": board, "register_values": {"sector": "po"}}
    OrganisationFactory(name="School 1", brin="99AA00", municipality=delft, **location)
    OrganisationFactory(name="School 2", brin="99AA01", municipality=delft, **location)
    OrganisationFactory(name="School 3", brin="99AA02", municipality=leiden, **location)
    OrganisationFactory(
        name="School 4", brin="99AA03", municipality=delft, active=False, **location
    )

    response = client.get("/cijfers/")

    po = next(row for row in response.context["partner_counts"] if row["sector"] == "po")
    assert po["boards"] == {"registry": 1, "printed": 44, "year": 2025, "source": ""}
    assert po["locations"]["registry"] == 2
    assert po["locations"]["printed"] is None
    html = response.content.decode()
    assert 'id="table-partner-counts"' in html
    assert "44 (2025)" in html
