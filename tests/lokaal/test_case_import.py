"""The desk-cases import through the generic import flow, and the list export read back."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from lokaal.models import Case
from lokaal.services import identity_hash
from partners.models import Municipality
from portal.models import ImportUpload
from tests.factories import CaseFactory, ShortageSubjectFactory

pytestmark = pytest.mark.django_db

HEADER = (
    "naam;e-mail;telefoon;postcode;gemeente;herkomstsector;opleiding;doelsectoren;vakken;"
    "statushouder;status;datum_aanmelding;adviseur\n"
)


def upload(client, text, *, name="loket.csv"):
    file = SimpleUploadedFile(name, text.encode("cp1252"))
    return client.post(reverse("import-upload", args=["desk-cases"]), {"file": file})


def preview_of(client, response):
    assert response.status_code == 302, response.content[:2000]
    return client.get(response["Location"]).context["preview"]


@pytest.fixture
def catalogue(db):
    ShortageSubjectFactory(code="wiskunde", name="Wiskunde")
    return Municipality.objects.create(name="Delft")


def test_the_preview_shows_new_and_refused_rows_and_saves_nothing(advisor_client, catalogue):
    CaseFactory(email="bestaand@example.org")
    preview = preview_of(
        advisor_client,
        upload(
            advisor_client,
            HEADER
            + "Jan de Vries;jan@example.org;;2611 AB;Delft;hospitality;hbo;vo;wiskunde;nee;;"
            + "03-02-2026;\n"
            + "Bestaand;bestaand@example.org;;;;;hbo;;;;;;\n"
            + "Dubbel;JAN@example.org;;;;;hbo;;;;;;\n"
            + "Fout;geen-adres;;1234;Atlantis;;promotie;xx;latijn;misschien;verdwenen;31-31-2026;"
            + "iemand@example.org\n",
        ),
    )
    kinds = [row["kind"] for row in preview.rows]
    assert kinds == ["new", "wrong", "wrong", "wrong"], preview.rows[0]
    assert "already has an open case" in " ".join(preview.rows[1]["messages"])
    assert "already in row 2" in " ".join(preview.rows[2]["messages"])
    wrong = " ".join(preview.rows[3]["messages"])
    for column in (
        "e-mail",
        "postcode",
        "gemeente",
        "opleiding",
        "doelsectoren",
        "vakken",
        "statushouder",
        "status",
        "datum_aanmelding",
        "adviseur",
    ):
        assert f"{column}:" in wrong, column
    assert Case.objects.count() == 1


def test_confirming_creates_cases_through_the_workflow(advisor_client, advisor_user, catalogue):
    earlier = CaseFactory(
        email="jan@example.org",
        status="placed",
        created_at=timezone.make_aware(datetime.datetime(2024, 3, 1)),
        identity_email_hash=identity_hash("jan@example.org"),
    )
    response = upload(
        advisor_client,
        HEADER
        + "Jan de Vries;Jan@Example.org;06 12345678;2611ab;delft;Hospitality;"
        + "HBO (higher professional);vo, mbo;Wiskunde;ja;Route advised;03-02-2026;"
        + "loket@example.org\n"
        + "Sara Bakker;sara@example.org;;;;;wo_master;po;;;;;\n",
    )
    preview = preview_of(advisor_client, response)
    assert not preview.has_errors, preview.rows
    assert advisor_client.post(response["Location"]).status_code == 302
    assert not ImportUpload.objects.exists()

    jan = Case.objects.exclude(pk=earlier.pk).get(email="jan@example.org")
    assert (jan.name, jan.postcode, jan.municipality, jan.origin_sector) == (
        "Jan de Vries",
        "2611 AB",
        catalogue,
        "hospitality",
    )
    assert jan.target_sectors == ["vo", "mbo"]
    assert [s.code for s in jan.subjects.all()] == ["wiskunde"]
    assert jan.is_status_holder and jan.assigned_to == advisor_user
    assert jan.funding_hit == earlier
    assert timezone.localtime(jan.created_at).date() == datetime.date(2026, 2, 3)
    assert jan.first_response_due > datetime.date(2026, 2, 3)
    assert jan.reference.startswith("LOK-2026-")
    assert jan.status == "route_advised"
    steps = list(
        jan.status_changes.order_by("changed_at", "pk").values_list("to_status", flat=True)
    )
    assert steps == ["new", "contacted", "orientation", "shadowing", "route_advised"]
    assert jan.status_changes.filter(changed_by=advisor_user).count() == 5

    sara = Case.objects.get(email="sara@example.org")
    assert (sara.status, sara.origin_sector, sara.education_level) == ("new", "other", "wo_master")
    assert timezone.localtime(sara.created_at).date() == timezone.localdate()


def test_partners_may_not_import_cases(editor_client):
    assert editor_client.get(reverse("import-upload", args=["desk-cases"])).status_code == 403


def test_the_template_lists_the_accepted_values(advisor_client, catalogue):
    response = advisor_client.get(reverse("import-template", args=["desk-cases", "csv"]))
    text = response.content.decode("utf-8-sig")
    header, accepted, example = text.splitlines()[:3]
    assert header.startswith("naam;e-mail;telefoon;postcode;gemeente;herkomstsector;opleiding")
    assert "Delft" in accepted and "wiskunde" in accepted
    # The template's own rows import: the accepted values are skipped, the example is a case.
    file = SimpleUploadedFile("sjabloon.csv", response.content)
    stashed = advisor_client.post(reverse("import-upload", args=["desk-cases"]), {"file": file})
    preview = preview_of(advisor_client, stashed)
    assert [row["kind"] for row in preview.rows] == ["new"], preview.rows


def test_an_exported_list_imports_back(advisor_client, catalogue):
    case = CaseFactory(
        name="Jan de Vries",
        email="jan@example.org",
        phone="0612345678",
        postcode="2611 AB",
        municipality=catalogue,
        status=Case.Status.CONTACTED,
        target_sectors=["po", "vo"],
        motivation="=Ik wil lesgeven",
    )
    case.subjects.add(ShortageSubjectFactory(code="wiskunde"))
    exported = advisor_client.get(
        reverse("lokaal-case-export-list"), {"format": "xlsx", "view": "all"}
    ).content
    Case.objects.all().delete()
    file = SimpleUploadedFile("aanmeldingen.xlsx", exported)
    response = advisor_client.post(reverse("import-upload", args=["desk-cases"]), {"file": file})
    preview = preview_of(advisor_client, response)
    assert not preview.has_errors, preview.rows
    # The export's own columns (reference, deadline, ...) are left out with a warning.
    assert preview.warnings
    advisor_client.post(response["Location"])
    again = Case.objects.get()
    for field in ("name", "email", "phone", "postcode", "municipality", "status", "motivation"):
        assert getattr(again, field) == getattr(case, field), field
    assert again.target_sectors == ["po", "vo"]
    assert [s.code for s in again.subjects.all()] == ["wiskunde"]
    assert timezone.localtime(again.created_at).date() == timezone.localtime(case.created_at).date()
