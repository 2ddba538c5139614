import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from partners.models import Municipality, Organisation, Sector, Signature
from portal.models import ImportUpload
from tests.factories import AgreementFactory, OrganisationFactory, SignatureFactory

pytestmark = pytest.mark.django_db

HEADER = "naam;soort;sectoren;gemeente;bestuur;bestuursnummer;brin;website;actief\n"


def upload(client, importer, text, *, encoding="cp1252", name="bestand.csv"):
    file = SimpleUploadedFile(name, text.encode(encoding) if isinstance(text, str) else text)
    return client.post(reverse("import-upload", args=[importer]), {"file": file})


def preview_of(client, response):
    assert response.status_code == 302, response.content[:2000]
    return client.get(response["Location"])


@pytest.fixture
def delft(db):
    return Municipality.objects.create(name="Delft")


def test_preview_shows_each_row_as_new_changed_unchanged_or_wrong(programme_client, delft):
    OrganisationFactory(name="Bestaand Bestuur", kind="school_board", website="")
    OrganisationFactory(name="Ongewijzigd", kind="other")
    response = upload(
        programme_client,
        "organisations",
        HEADER
        + "Nieuwe Stichting;school_board;po;Delft;;41234;;;ja\n"
        + "bestaand bestuur;school_board;;;;;;www.example.org;\n"
        + "Ongewijzigd;other;;;;;;;\n"
        + "Kapot;raar;;;;;;;\n",
    )
    page = preview_of(programme_client, response)
    rows = page.context["preview"].rows
    assert [row["kind"] for row in rows] == ["new", "update", "skip", "wrong"]
    assert "raar" in rows[3]["messages"][0]
    assert Organisation.objects.count() == 2  # nothing saved by the preview


def test_confirm_saves_everything_with_sectors_and_history(programme_client, delft):
    response = upload(
        programme_client,
        "organisations",
        HEADER + "Nieuwe Stichting;school_board;po, vo;Delft;;41234;12AB;example.org;ja\n",
    )
    preview_of(programme_client, response)
    confirm = programme_client.post(response["Location"])
    assert confirm.status_code == 302
    organisation = Organisation.objects.get(name="Nieuwe Stichting")
    assert sorted(s.code for s in organisation.sectors.all()) == ["po", "vo"]
    assert organisation.municipality == delft
    assert organisation.website == "https://example.org"
    assert organisation.history.get().history_user.email == "programma@example.org"
    assert not ImportUpload.objects.exists()


def test_a_file_with_one_wrong_row_saves_nothing(programme_client, delft):
    response = upload(
        programme_client,
        "organisations",
        HEADER + "Goed;school_board;;;;;;;\n" + "Goed;school_board;;;;;;;\n",
    )
    page = preview_of(programme_client, response)
    assert "already in this file" in " ".join(page.context["preview"].rows[1]["messages"])
    confirm = programme_client.post(response["Location"])
    assert confirm.status_code == 200
    assert not Organisation.objects.exists()


def test_identifiers_already_in_use_are_refused(programme_client):
    OrganisationFactory(name="Eerste", board_number="41234", brin="12AB")
    response = upload(
        programme_client, "organisations", HEADER + "Tweede;school_board;;;;41234;12ab;;\n"
    )
    messages = " ".join(
        preview_of(programme_client, response).context["preview"].rows[0]["messages"]
    )
    assert "41234" in messages and "12AB" in messages


def test_missing_required_values_are_reported_per_row(programme_client):
    response = upload(programme_client, "organisations", HEADER + ";;;;;;;;\nIets;;;;;;;;\n")
    rows = preview_of(programme_client, response).context["preview"].rows
    assert len(rows) == 1  # the empty row is dropped
    assert "kind" in rows[0]["messages"][0]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("soort\nschool_board\n", "Required columns are missing: naam"),
        (b"\x00\x01\x02binary" * 50, "not a spreadsheet"),
    ],
)
def test_bad_files_get_a_message_on_the_form(programme_client, content, message):
    response = upload(programme_client, "organisations", content)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ImportUpload.objects.exists()


def test_a_too_large_upload_is_refused_before_reading(programme_client, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 1024
    response = upload(programme_client, "organisations", HEADER + "x;other;;;;;;;\n" * 200)
    assert response.status_code == 200
    assert "files up to" in response.content.decode()


def test_xlsx_import_works(programme_client):
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["naam", "soort"])
    workbook.active.append(["Uit Excel", "employer"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = upload(programme_client, "organisations", buffer.getvalue(), name="o.xlsx")
    preview_of(programme_client, response)
    programme_client.post(response["Location"])
    assert Organisation.objects.filter(name="Uit Excel", kind="employer").exists()


def test_someone_elses_upload_cannot_be_confirmed(programme_client, programme_user, db):
    from tests.factories import UserFactory

    other = UserFactory(staff_role="programme_team")
    stashed = ImportUpload.objects.create(
        user=other, importer="organisations", file_name="x.csv", content=b"naam;soort\nA;other\n"
    )
    url = reverse("import-preview", args=["organisations", stashed.pk])
    assert programme_client.post(url).status_code == 404
    assert not Organisation.objects.exists()


def test_signature_import_creates_and_changes_status_through_the_workflow(programme_client):
    agreement = AgreementFactory(slug="manifest-x")
    OrganisationFactory(name="Gemeente Delft")
    existing = SignatureFactory(
        organisation=OrganisationFactory(name="Siemens"),
        agreement=agreement,
        status="under_reservation",
    )
    response = upload(
        programme_client,
        "signatures",
        "organisatie;overeenkomst;status;datum;ondertekend_door\n"
        "Gemeente Delft;manifest-x;signed;03-02-2014;Wethouder\n"
        "siemens;manifest-x;signed;;\n",
    )
    rows = preview_of(programme_client, response).context["preview"].rows
    assert [row["kind"] for row in rows] == ["new", "update"]
    assert rows[1]["changes"] == [("status", "Under reservation", "Signed")]
    programme_client.post(response["Location"])
    created = Signature.objects.get(organisation__name="Gemeente Delft")
    assert created.signed_on.isoformat() == "2014-02-03"
    assert created.status_changes.get().to_status == "signed"
    existing.refresh_from_db()
    assert existing.status == "signed"
    assert existing.status_changes.get().from_status == "under_reservation"


def test_signature_import_knows_an_agreement_by_its_dutch_or_english_name(programme_client):
    # The programme team works in either language; the file names the agreement as it likes.
    AgreementFactory(name_nl="Haags Manifest", name_en="The Hague Manifesto", slug="hm")
    OrganisationFactory(name="Inholland")
    OrganisationFactory(name="SBB")
    response = upload(
        programme_client,
        "signatures",
        "organisatie;overeenkomst;status\nInholland;Haags Manifest;signed\n"
        "SBB;the hague manifesto;signed\n",
    )
    rows = preview_of(programme_client, response).context["preview"].rows
    assert [row["kind"] for row in rows] == ["new", "new"]


def test_signature_import_refuses_an_illegal_status_change(programme_client):
    agreement = AgreementFactory(slug="manifest-y")
    SignatureFactory(
        organisation=OrganisationFactory(name="Trigion"), agreement=agreement, status="signed"
    )
    response = upload(
        programme_client,
        "signatures",
        "organisatie;overeenkomst;status\nTrigion;manifest-y;under_reservation\n"
        "Onbekend;manifest-y;signed\n",
    )
    rows = preview_of(programme_client, response).context["preview"].rows
    assert "cannot change" in rows[0]["messages"][0]
    assert "Onbekend" in rows[1]["messages"][0]


def test_export_is_semicolon_csv_with_bom_and_neutralised_formulas(programme_client):
    OrganisationFactory(name='=HYPERLINK("http://evil")', kind="other")
    response = programme_client.get(reverse("partners-organisation-export") + "?format=csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeffnaam;soort;")
    assert "'=HYPERLINK" in text
    assert response["Content-Disposition"].startswith('attachment; filename="organisaties-')


@pytest.mark.parametrize("importer_key", ["organisations", "signatures"])
def test_the_number_of_queries_of_an_import_does_not_grow_with_its_rows(
    importer_key, programme_user
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from portal.imports import get_importer

    agreement = AgreementFactory(slug="a")
    importer = get_importer(importer_key)

    def queries_for(rows):
        if importer_key == "organisations":
            text = "naam;soort;sectoren\n" + "".join(
                f"Org {rows} {n};school_board;po\n" for n in range(rows)
            )
        else:
            organisations = [OrganisationFactory(name=f"Sig {rows} {n}") for n in range(rows)]
            for organisation in organisations[::2]:
                SignatureFactory(organisation=organisation, agreement=agreement)
            text = "organisatie;overeenkomst;status\n" + "".join(
                f"{o.name};a;signed\n" for o in organisations
            )
        stashed = ImportUpload.objects.create(
            user=programme_user, importer=importer_key, file_name="x.csv", content=text.encode()
        )
        with CaptureQueriesContext(connection) as context:
            preview = importer.confirm(stashed)
        assert not preview.has_errors, preview.rows
        statements = [query["sql"] for query in context.captured_queries]
        return len(statements), sum(sql.startswith("SELECT") for sql in statements)

    (small, small_reads), (large, large_reads) = queries_for(4), queries_for(40)
    # Lookups are loaded once per file, never per row.
    assert large_reads == small_reads
    if importer_key == "organisations":
        assert large == small  # and the writes are in bulk


def test_values_the_model_would_refuse_are_refused_per_row(programme_client):
    response = upload(
        programme_client,
        "organisations",
        "naam;soort;website\n" + "x" * 201 + ";other;\nGoed;other;http://exa mple\n",
    )
    rows = preview_of(programme_client, response).context["preview"].rows
    assert rows[0]["messages"][0].startswith("naam: ") and "200" in rows[0]["messages"][0]
    assert rows[1]["messages"][0].startswith("website: ")


def test_confirming_changes_updates_existing_organisations(programme_client, delft):
    existing = OrganisationFactory(name="Bestaand", kind="school_board", website="")
    response = upload(
        programme_client,
        "organisations",
        "naam;soort;gemeente;website;actief\nbestaand;employer;Delft;example.org;nee\n",
    )
    preview_of(programme_client, response)
    programme_client.post(response["Location"])
    existing.refresh_from_db()
    assert (existing.name, existing.kind, existing.municipality, existing.website) == (
        "Bestaand",
        "employer",
        delft,
        "https://example.org",
    )
    assert existing.active is False
    assert existing.history.first().history_type == "~"


def test_row_numbers_in_the_preview_and_messages_are_the_lines_excel_shows(programme_client):
    response = upload(
        programme_client,
        "organisations",
        "naam;soort\n\nEen;other\n\n\nTwee;other\n\nEen;other\n",
    )
    rows = preview_of(programme_client, response).context["preview"].rows
    assert [row["number"] for row in rows] == [3, 6, 8]
    assert "already in this file, in row 3" in rows[2]["messages"][0]


def test_changing_a_located_school_into_a_board_is_refused_on_its_row_with_the_reason(
    programme_client,
):
    board = OrganisationFactory(name="Bestuur", kind="school_board")
    OrganisationFactory(name="Locatie", kind="school_location", parent=board)
    response = upload(
        programme_client, "organisations", "naam;soort\nAnders;other\nLocatie;school_board\n"
    )
    rows = preview_of(programme_client, response).context["preview"].rows
    assert rows[0]["kind"] == "new"
    assert rows[1]["kind"] == "wrong"
    assert "Only a school location belongs to a board" in rows[1]["messages"][0]
    assert "Bestuur" in rows[1]["messages"][0]


def test_a_database_refusal_in_a_bulk_save_is_put_on_its_row_with_the_constraints_message(
    programme_client, monkeypatch
):
    """With the in-memory check off, the database's CheckConstraint refuses the bulk update."""
    from partners.resources import OrganisationResource

    monkeypatch.setattr(OrganisationResource, "_check_parent_kind", lambda *args: None)
    board = OrganisationFactory(name="Bestuur", kind="school_board")
    OrganisationFactory(name="Locatie", kind="school_location", parent=board)
    OrganisationFactory(name="Gewoon", kind="other")
    response = upload(
        programme_client,
        "organisations",
        "naam;soort\nGewoon;employer\n\nLocatie;school_board\n",
    )
    page = preview_of(programme_client, response)
    preview = page.context["preview"]
    assert preview.totals["wrong"] == 1
    assert preview.base_errors == []
    wrong = [row for row in preview.rows if row["kind"] == "wrong"]
    assert wrong[0]["number"] == 4
    assert wrong[0]["messages"] == ["Only a school location belongs to a board."]
    confirm = programme_client.post(response["Location"])
    assert confirm.status_code == 200
    assert Organisation.objects.get(name="Gewoon").kind == "other"  # nothing saved


def test_an_unknown_column_is_ignored_with_a_warning_in_the_preview(programme_client):
    response = upload(programme_client, "organisations", "naam;kleur;soort\nA;rood;other\n")
    page = preview_of(programme_client, response)
    preview = page.context["preview"]
    assert "kleur" in preview.warnings[0]
    assert [row["kind"] for row in preview.rows] == ["new"]
    assert "kleur" in page.content.decode()
    programme_client.post(response["Location"])
    assert Organisation.objects.filter(name="A", kind="other").exists()


def test_the_preview_shows_old_and_new_values_of_changed_fields(programme_client, delft):
    OrganisationFactory(name="Bestaand", kind="school_board", website="")
    response = upload(
        programme_client, "organisations", "naam;soort;gemeente\nBestaand;employer;Delft\n"
    )
    page = preview_of(programme_client, response)
    assert page.context["preview"].rows[0]["changes"] == [
        ("soort", "School board", "Employer"),
        ("gemeente", "", "Delft"),
    ]
    assert "School board" in page.content.decode() and "Employer" in page.content.decode()


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_portals_own_export_imports_back_unchanged(programme_client, delft, file_format):
    board = OrganisationFactory(
        name="=1+2 Stichting", kind="school_board", board_number="41234", municipality=delft
    )
    OrganisationFactory(
        name="-Locatie", kind="school_location", parent=board, brin="12AB00", website=""
    )
    OrganisationFactory(name="@Bedrijf", kind="employer", active=False, website="https://x.nl")
    board.sectors.set(Sector.objects.filter(code__in=["po", "vo"]))
    export = programme_client.get(
        reverse("partners-organisation-export") + f"?format={file_format}"
    )
    response = upload(
        programme_client, "organisations", export.content, name=f"export.{file_format}"
    )
    preview = preview_of(programme_client, response).context["preview"]
    assert preview.warnings == []
    assert [row["kind"] for row in preview.rows] == ["skip", "skip", "skip"], preview.rows


def test_the_export_takes_the_same_number_of_queries_for_ten_or_a_hundred_rows(programme_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_for(count):
        board = OrganisationFactory(kind="school_board")
        for _ in range(count):
            location = OrganisationFactory(kind="school_location", parent=board)
            location.sectors.set(Sector.objects.filter(code="po"))
        with CaptureQueriesContext(connection) as context:
            response = programme_client.get(reverse("partners-organisation-export") + "?format=csv")
        assert response.content.decode().count("\n") >= count
        return len(context.captured_queries)

    programme_client.get(reverse("partners-organisation-export"))  # the session's own queries
    assert queries_for(10) == queries_for(100)


def test_an_update_replaces_the_sectors(programme_client):
    existing = OrganisationFactory(name="Bestaand", kind="school_board")
    existing.sectors.set(Sector.objects.filter(code="po"))
    response = upload(programme_client, "organisations", "naam;sectoren\nBestaand;vo, mbo\n")
    preview_of(programme_client, response)
    assert programme_client.post(response["Location"]).status_code == 302
    assert sorted(s.code for s in existing.sectors.all()) == ["mbo", "vo"]


def test_formula_cells_import_their_value_or_their_text(programme_client, delft):
    from tests.portal.test_import_xlsx import cell, sheet_xml, workbook_with_sheet

    rows = [
        '<row r="1">'
        + cell("A1", "naam")
        + cell("B1", "soort")
        + cell("C1", "gemeente")
        + "</row>",
        '<row r="2"><c r="A2" t="str"><f>"Stichting "&amp;"Formule"</f><v>Stichting Formule</v></c>'
        + cell("B2", "other")
        + '<c r="C2" t="str"><f>PROPER("delft")</f><v>Delft</v></c></row>',
        '<row r="3"><c r="A3"><f>1+2</f></c>' + cell("B3", "other") + "</row>",
    ]
    content = workbook_with_sheet(sheet_xml(rows))
    response = upload(programme_client, "organisations", content, name="f.xlsx")
    preview = preview_of(programme_client, response).context["preview"]
    assert [row["kind"] for row in preview.rows] == ["new", "new"]
    programme_client.post(response["Location"])
    assert Organisation.objects.get(name="Stichting Formule").municipality == delft
    assert Organisation.objects.filter(name="=1+2").exists()
    export = programme_client.get(reverse("partners-organisation-export") + "?format=csv")
    assert "'=1+2" in export.content.decode()  # neutralised on the way out
