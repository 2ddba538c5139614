"""The manifesto's commitments: a signatory's editors fill in a year; the programme team
sees who has."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from internships.measurement import MANIFESTO_SLUG
from internships.models import ManifestoYear
from partners.models import CommitmentProgress
from tests.factories import (
    AgreementFactory,
    CommitmentFactory,
    OrganisationFactory,
    SignatureFactory,
)

YEAR = timezone.localdate().year


@pytest.fixture
def manifesto(db):
    agreement = AgreementFactory(name="Haags Manifest", slug=MANIFESTO_SLUG)
    for number in range(1, 6):
        CommitmentFactory(agreement=agreement, number=number, title=f"Commitment {number}")
    return agreement


@pytest.fixture
def signature(manifesto, organisation):
    return SignatureFactory(
        agreement=manifesto, organisation=organisation, signed_on=datetime.date(2022, 5, 1)
    )


def edit_url(signature, year=YEAR):
    return reverse("internships-commitments-edit", args=[signature.pk, year])


def payload(manifesto, **overrides):
    data = {}
    for commitment in manifesto.commitments.all():
        prefix = f"c{commitment.number}"
        data[f"{prefix}-state"] = "achieved" if commitment.number % 2 else "in_progress"
        data[f"{prefix}-evidence"] = f"Evidence {commitment.number}"
        data[f"{prefix}-evidence_url"] = "example.org/bewijs"
    data.update(
        {
            "year-supervisors_trained": "12",
            "year-campaign_contributions": "3",
            "year-design_sessions_attended": "2",
            "year-reporting_procedure": "on",
            "year-reflection_meeting_held": "on",
            "year-note": "  Eerste jaar.  ",
        }
    )
    data.update(overrides)
    return data


def test_an_editor_of_the_signatory_may_open_the_page(editor_client, signature):
    response = editor_client.get(edit_url(signature))
    assert response.status_code == 200
    content = response.content.decode()
    assert content.count("<fieldset>") == 6
    assert 'name="c5-state"' in content
    assert 'name="year-supervisors_trained"' in content


def test_a_viewer_is_refused_and_a_stranger_does_not_find_it(
    viewer_client, outsider_client, programme_client, signature
):
    assert viewer_client.get(edit_url(signature)).status_code == 403
    assert outsider_client.get(edit_url(signature)).status_code == 404
    assert outsider_client.post(edit_url(signature), {}).status_code == 404
    assert programme_client.get(edit_url(signature)).status_code == 200


def test_a_signature_of_another_agreement_is_not_found(editor_client, manifesto, organisation):
    other = SignatureFactory(organisation=organisation, agreement=AgreementFactory())
    assert editor_client.get(edit_url(other)).status_code == 404


def test_years_outside_the_signing_year_to_next_year_are_not_found(editor_client, signature):
    assert editor_client.get(edit_url(signature, 2021)).status_code == 404
    assert editor_client.get(edit_url(signature, 2022)).status_code == 200
    assert editor_client.get(edit_url(signature, YEAR + 1)).status_code == 200
    assert editor_client.get(edit_url(signature, YEAR + 2)).status_code == 404


def test_a_signature_without_a_date_may_report_from_2020(editor_client, manifesto, organisation):
    undated = SignatureFactory(agreement=manifesto, organisation=organisation, signed_on=None)
    assert editor_client.get(edit_url(undated, 2020)).status_code == 200
    assert editor_client.get(edit_url(undated, 2019)).status_code == 404


def test_saving_stores_all_five_commitments_and_the_figures(
    editor_client, editor_user, signature, manifesto
):
    response = editor_client.post(edit_url(signature), payload(manifesto))
    assert response.status_code == 302
    assert response["Location"] == edit_url(signature)

    progress = CommitmentProgress.objects.filter(signature=signature, year=YEAR)
    assert progress.count() == 5
    first = progress.get(commitment__number=1)
    assert (first.state, first.evidence, first.evidence_url) == (
        "achieved",
        "Evidence 1",
        "https://example.org/bewijs",
    )
    assert first.updated_by == editor_user
    entry = ManifestoYear.objects.get(signature=signature, year=YEAR)
    assert entry.supervisors_trained == 12
    assert entry.reporting_procedure is True
    assert entry.measurement_taken_part is False
    assert entry.note == "Eerste jaar."
    assert entry.updated_by == editor_user


def test_saving_again_updates_the_same_rows(editor_client, signature, manifesto):
    editor_client.post(edit_url(signature), payload(manifesto))
    editor_client.post(edit_url(signature), payload(manifesto, **{"year-supervisors_trained": ""}))
    assert CommitmentProgress.objects.filter(signature=signature).count() == 5
    assert ManifestoYear.objects.get(signature=signature).supervisors_trained is None


def test_a_negative_number_saves_nothing_and_says_what_to_do(editor_client, signature, manifesto):
    response = editor_client.post(
        edit_url(signature),
        payload(manifesto, **{"year-campaign_contributions": "-2", "c3-state": "bogus"}),
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert "The form has 2 errors." in content
    assert "Enter 0 or a larger whole number, or leave the field empty." in content
    assert 'href="#id_year-campaign_contributions"' in content
    assert 'href="#id_c3-state"' in content
    assert not CommitmentProgress.objects.exists()
    assert not ManifestoYear.objects.exists()
    # What was typed is still there.
    assert 'value="-2"' in content


def test_the_overview_counts_who_has_filled_in_the_year(
    programme_client, editor_client, signature, manifesto
):
    late = SignatureFactory(agreement=manifesto, organisation=OrganisationFactory(name="Zeta"))
    SignatureFactory(agreement=manifesto, status="withdrawn")
    SignatureFactory(organisation=OrganisationFactory(name="Elders"), agreement=AgreementFactory())
    editor_client.post(edit_url(signature), payload(manifesto))
    ManifestoYear.objects.create(signature=late, year=YEAR, supervisors_trained=5)

    response = programme_client.get(reverse("internships-commitments"), {"year": YEAR})
    assert response.status_code == 200
    assert response.context["complete"] == 1
    assert [s.organisation.name for s in response.context["incomplete"]] == ["Zeta"]
    assert len(response.context["rows"]) == 2
    assert response.context["totals"]["supervisors_trained"] == 17
    assert response.context["totals"]["reporting_procedure"] == 1
    assert response.context["achieved"] == [1, 0, 1, 0, 1]
    content = response.content.decode()
    assert f"1 of 2 signatories have filled in {YEAR} completely" in content
    assert "badge badge--signed" in content


def test_the_overview_of_another_year_and_its_csv(programme_client, signature, manifesto):
    response = programme_client.get(reverse("internships-commitments"), {"year": "2023"})
    assert response.context["complete"] == 0
    csv = programme_client.get(
        reverse("internships-commitments"), {"year": "2023", "format": "csv"}
    )
    assert csv["Content-Type"] == "text/csv; charset=utf-8"
    lines = csv.content.decode("utf-8").lstrip("\ufeff").splitlines()
    assert lines[0].startswith("Organisation;1. Commitment 1;")
    assert lines[1].startswith("ROC Voorbeeld;Not filled in;")
    assert lines[1].endswith(";no")


def test_only_the_programme_team_sees_the_overview(editor_client, handler_client, manifesto):
    url = reverse("internships-commitments")
    assert editor_client.get(url).status_code == 403
    assert handler_client.get(url).status_code == 403


def test_the_dashboard_asks_the_signatory_s_editors_to_fill_in_the_year(
    editor_client, viewer_client, outsider_client, signature
):
    response = editor_client.get(reverse("dashboard"))
    content = response.content.decode()
    assert f"Fill in the commitments of ROC Voorbeeld for {YEAR}" in content
    assert edit_url(signature) in content
    assert "Manifesto commitments" not in viewer_client.get(reverse("dashboard")).content.decode()
    assert "Manifesto commitments" not in outsider_client.get(reverse("dashboard")).content.decode()


def test_the_dashboard_card_says_check_once_the_year_is_filled_in(
    editor_client, signature, manifesto
):
    editor_client.post(edit_url(signature), payload(manifesto))
    content = editor_client.get(reverse("dashboard")).content.decode()
    assert f"Check the commitments of ROC Voorbeeld for {YEAR}" in content


@pytest.mark.django_db
def test_the_programme_team_finds_the_commitments_overview_on_its_dashboard(
    programme_client, editor_client
):
    overview = reverse("internships-commitments")
    assert f'href="{overview}"' in programme_client.get(reverse("dashboard")).content.decode()
    assert f'href="{overview}"' not in editor_client.get(reverse("dashboard")).content.decode()
