import pytest
from django.db import DatabaseError
from django.urls import reverse

from partners import services
from partners.models import Contact, Membership, Municipality, Organisation, Sector, Signature
from tests.factories import (
    AgreementFactory,
    CommitmentFactory,
    ContactFactory,
    OrganisationFactory,
    SignatureFactory,
)

pytestmark = pytest.mark.django_db


def test_organisation_list_filters_by_kind_sector_municipality_and_agreement(programme_client):
    delft = Municipality.objects.create(name="Delft")
    po = Sector.objects.get(code="po")
    match = OrganisationFactory(name="Stichting Delftse Scholen", municipality=delft)
    match.sectors.add(po)
    agreement = AgreementFactory()
    SignatureFactory(organisation=match, agreement=agreement)
    OrganisationFactory(name="Gemeente Delft", kind="municipality", municipality=delft)
    OrganisationFactory(name="Elders", municipality=None)
    query = (
        f"?kind=school_board&sector={po.pk}&municipality={delft.pk}"
        f"&agreement={agreement.pk}&q=delftse"
    )
    response = programme_client.get(reverse("partners-organisation-list") + query)
    assert [o.name for o in response.context["page"]] == ["Stichting Delftse Scholen"]


def test_creating_an_organisation_with_a_duplicate_name_or_board_number_is_refused(
    programme_client,
):
    OrganisationFactory(name="ROC Mondriaan", board_number="12345")
    response = programme_client.post(
        reverse("partners-organisation-create"),
        {"name": "roc mondriaan", "kind": "school_board", "board_number": "12345", "active": "on"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "__all__" in errors or "name" in errors
    assert Organisation.objects.count() == 1


def test_a_location_needs_a_board_as_parent(programme_client):
    board = OrganisationFactory(kind="school_board")
    response = programme_client.post(
        reverse("partners-organisation-create"),
        {"name": "Locatie", "kind": "school_board", "parent": board.pk, "active": "on"},
    )
    assert "parent" in response.context["form"].errors
    response = programme_client.post(
        reverse("partners-organisation-create"),
        {
            "name": "Locatie",
            "kind": "school_location",
            "parent": board.pk,
            "brin": "12ab01",
            "active": "on",
        },
    )
    assert response.status_code == 302
    assert Organisation.objects.get(name="Locatie").brin == "12AB01"


def test_partner_users_see_only_their_own_organisation(
    editor_client, organisation, other_organisation
):
    assert editor_client.get(organisation.get_absolute_url()).status_code == 200
    assert editor_client.get(other_organisation.get_absolute_url()).status_code == 404
    assert editor_client.get(reverse("partners-organisation-list")).status_code == 403
    response = editor_client.get(reverse("partners-my-organisation"))
    assert response["Location"] == organisation.get_absolute_url()


def test_a_partner_editor_manages_contacts_and_a_viewer_cannot(
    editor_client, viewer_client, organisation
):
    url = reverse("partners-contact-create", args=[organisation.pk])
    data = {
        "name": "Fatima El Amrani",
        "email": "F.ElAmrani@Example.org",
        "function": "Stagecoördinator",
    }
    assert viewer_client.post(url, data).status_code == 403
    assert editor_client.post(url, data).status_code == 302
    contact = Contact.objects.get()
    assert contact.email == "f.elamrani@example.org"
    other = ContactFactory()
    assert (
        editor_client.post(reverse("partners-contact-delete", args=[other.pk])).status_code == 404
    )
    assert Contact.objects.filter(pk=other.pk).exists()


def test_the_programme_team_changes_a_signature_status_with_history(programme_client):
    signature = SignatureFactory(status="under_reservation")
    url = reverse("partners-signature-transition", args=[signature.pk])
    response = programme_client.post(url, {"status": "signed", "note": "Raad akkoord"})
    assert response.status_code == 302
    signature.refresh_from_db()
    assert signature.status == "signed"
    assert signature.status_changes.get().note == "Raad akkoord"
    # Not offered, so refused with a message; nothing changes.
    response = programme_client.post(url, {"status": "under_reservation"}, follow=True)
    signature.refresh_from_db()
    assert signature.status == "signed"
    assert list(response.context["messages"])


def test_partner_editor_reports_commitment_progress_per_year(editor_client, organisation):
    agreement = AgreementFactory()
    first, second = CommitmentFactory(agreement=agreement), CommitmentFactory(agreement=agreement)
    signature = SignatureFactory(organisation=organisation, agreement=agreement)
    url = reverse("partners-progress-edit", args=[signature.pk, 2025])
    data = {
        f"c{first.pk}-state": "achieved",
        f"c{first.pk}-evidence": "Meldpunt live",
        f"c{first.pk}-evidence_url": "example.org/meldpunt",
        f"c{second.pk}-state": "in_progress",
        f"c{second.pk}-evidence": "",
    }
    assert editor_client.post(url, data).status_code == 302
    progress = signature.commitment_progress.get(commitment=first, year=2025)
    assert (progress.state, progress.evidence_url) == ("achieved", "https://example.org/meldpunt")
    page = editor_client.get(signature.get_absolute_url() + "?year=2025")
    assert "Meldpunt live" in page.content.decode()


def test_public_agreement_page_lists_signatories_but_not_withdrawn_ones(client):
    agreement = AgreementFactory(slug="manifest-gelijke-stagekansen", name="Haags Manifest")
    SignatureFactory(agreement=agreement, organisation=OrganisationFactory(name="SBB"))
    SignatureFactory(
        agreement=agreement,
        organisation=OrganisationFactory(name="Siemens"),
        status=Signature.Status.UNDER_RESERVATION,
    )
    SignatureFactory(
        agreement=agreement,
        organisation=OrganisationFactory(name="Weg"),
        status=Signature.Status.WITHDRAWN,
    )
    text = client.get(reverse("partners-public-agreement", args=[agreement.slug])).content.decode()
    assert "SBB" in text and "Siemens" in text and "Weg" not in text
    hidden = AgreementFactory(is_public=False)
    assert client.get(reverse("partners-public-agreement", args=[hidden.slug])).status_code == 404


def test_organisation_history_shows_who_changed_what(programme_client, programme_user):
    delft = Municipality.objects.create(name="Delft")
    organisation = OrganisationFactory(name="Oud")
    programme_client.post(
        reverse("partners-organisation-edit", args=[organisation.pk]),
        {"name": "Nieuw", "kind": "employer", "municipality": delft.pk, "active": ""},
    )
    response = programme_client.get(organisation.get_absolute_url())
    record, changes = response.context["history"][0]
    assert record.history_user == programme_user
    # As people read them: field labels, choice labels, names of related objects, yes/no.
    assert ("Name", "Oud", "Nieuw") in changes
    assert ("Kind", "School board", "Employer") in changes
    assert ("Municipality", "", "Delft") in changes
    assert ("Active", "yes", "no") in changes
    audit = programme_client.get(reverse("audit-trail"))
    assert "Nieuw" in audit.content.decode()


def test_identifiers_are_checked_by_the_same_rules_in_the_form_and_the_import(programme_client):
    response = programme_client.post(
        reverse("partners-organisation-create"),
        {"name": "Nieuw", "kind": "school_board", "board_number": "123", "brin": "AB12"},
    )
    errors = response.context["form"].errors
    assert "five digits" in errors["board_number"][0]
    assert "two digits and two letters" in errors["brin"][0]
    from django.core.files.uploadedfile import SimpleUploadedFile

    file = SimpleUploadedFile(
        "o.csv", b"naam;soort;bestuursnummer;brin\nNieuw;school_board;123;AB12\n"
    )
    upload = programme_client.post(reverse("import-upload", args=["organisations"]), {"file": file})
    messages = programme_client.get(upload["Location"]).context["preview"].rows[0]["messages"]
    assert messages == [
        f"bestuursnummer: {errors['board_number'][0]}",
        f"brin: {errors['brin'][0]}",
    ]


def test_a_contact_is_not_saved_when_its_access_log_row_cannot_be_written(
    editor_client, organisation, monkeypatch
):
    """The contact and the access-log row are one transaction: both or neither."""

    def broken_log(request, obj, *, action):
        raise DatabaseError("access log unavailable")

    monkeypatch.setattr(services, "log_access", broken_log)
    with pytest.raises(DatabaseError):
        editor_client.post(
            reverse("partners-contact-create", args=[organisation.pk]), {"name": "Half Saved"}
        )
    assert not Contact.objects.filter(name="Half Saved").exists()
    contact = ContactFactory(organisation=organisation)
    with pytest.raises(DatabaseError):
        editor_client.post(reverse("partners-contact-delete", args=[contact.pk]))
    assert Contact.objects.filter(pk=contact.pk).exists()


def test_an_organisation_is_not_saved_without_its_sectors():
    with pytest.raises(ValueError):
        services.organisation_save(
            organisation=Organisation(name="Stichting Half", kind="school_board"),
            sectors=[Sector(code="po")],  # unsaved: the second write fails
        )
    assert not Organisation.objects.filter(name="Stichting Half").exists()


def test_an_organisation_is_saved_with_its_sectors(programme_client):
    sector = Sector.objects.get_or_create(code="vo")[0]
    response = programme_client.post(
        reverse("partners-organisation-create"),
        {"name": "Stichting Heel", "kind": "school_board", "sectors": [sector.pk], "active": "on"},
    )
    assert response.status_code == 302
    assert list(Organisation.objects.get(name="Stichting Heel").sectors.all()) == [sector]


def test_removing_access_is_recorded_in_the_history(programme_client, editor_user):
    membership = Membership.objects.get(user=editor_user)
    response = programme_client.post(reverse("partners-membership-delete", args=[membership.pk]))
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert Membership.history.filter(id=membership.pk, history_type="-").exists()
