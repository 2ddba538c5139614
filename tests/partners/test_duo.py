"""The registry kept true to DUO's register: matching, the region, conflicts, bad files."""

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from partners import selectors
from partners.models import Municipality, Organisation, RegisterSync, Sector
from portal import imports
from portal.models import ImportUpload
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

FILES = Path(settings.BASE_DIR) / "fixtures" / "duo"
REGION = {
    "Den Haag": "GM0518",
    "Delft": "GM0503",
    "Rijswijk": "GM0603",
    "Westland": "GM1783",
    "Zoetermeer": "GM0637",
}


@pytest.fixture
def region(db):
    places = {
        name: Municipality.objects.create(name=name, cbs_code=code) for name, code in REGION.items()
    }
    places["Leiden"] = Municipality.objects.create(
        name="Leiden", cbs_code="GM0546", in_region=False
    )
    return places


@pytest.fixture
def seeded(region):
    """The seeds' boards as `load_demo` makes them: names, no board numbers."""
    names = [
        "Stichting Lucas Onderwijs",
        "Scholengroep Den Haag Zuid-West",
        "Stichting VO Haaglanden",
        "ROC Mondriaan",
        "ROC ID College",
        "Lentiz onderwijsgroep",
    ]
    boards = {name: OrganisationFactory(name=name) for name in names}
    boards["Lentiz MBO Greenport"] = OrganisationFactory(
        name="Lentiz MBO Greenport",
        kind=Organisation.Kind.SCHOOL_LOCATION,
        parent=boards["Lentiz onderwijsgroep"],
    )
    return boards


def upload(client, key, content, name="register.csv"):
    return client.post(
        reverse("import-upload", args=[key]),
        {"file": SimpleUploadedFile(name, content, content_type="text/csv")},
    )


def fixture(name):
    return (FILES / name).read_bytes()


def preview_of(client, key, name):
    response = upload(client, key, fixture(name), name)
    assert response.status_code == 302, response.content.decode()[:2000]
    return response.url, client.get(response.url).context["preview"]


def rows_by_key(preview):
    return {row.key: row for row in preview.rows}


def apply(client, url, rows=None):
    data = {"apply": "all"} if rows is None else {"apply": "selected", "row": rows}
    return client.post(url, data)


def board(number):
    return Organisation.objects.get(board_number=number)


def first_sync(client):
    """The documented first sync: locations (they wait), boards with their links, again."""
    url, _preview = preview_of(client, "duo-mbo", "mbo-vestigingen.csv")
    apply(client, url)
    url, preview = preview_of(client, "duo-boards", "besturen.csv")
    apply(client, url, [row.id for row in preview.rows if row.selectable])
    for sector in ("po", "vo", "mbo"):
        url, preview = preview_of(client, f"duo-{sector}", f"{sector}-vestigingen.csv")
        apply(client, url, [row.id for row in preview.rows if row.selectable])


def test_locations_wait_for_boards_that_are_not_in_the_portal(programme_client, seeded):
    url, preview = preview_of(programme_client, "duo-mbo", "mbo-vestigingen.csv")

    rows = rows_by_key(preview)
    assert {row.kind for row in rows.values()} == {"waiting"}
    assert "99CB01" not in rows  # ID College Gouda: outside the region
    assert preview.outside == 1
    assert "90005" in rows["99CB00"].messages[0]

    apply(programme_client, url)
    assert not Organisation.objects.filter(brin__startswith="99").exists()
    # The region's locations name their boards: a board seated outside runs schools here.
    assert set(RegisterSync.objects.get(importer="duo-mbo").board_numbers) == {
        "90004",
        "90005",
        "90006",
    }


def test_boards_are_matched_by_number_and_only_linked_by_name_when_ticked(programme_client, seeded):
    url, _preview = preview_of(programme_client, "duo-mbo", "mbo-vestigingen.csv")
    apply(programme_client, url)
    url, preview = preview_of(programme_client, "duo-boards", "besturen.csv")

    rows = rows_by_key(preview)
    assert rows["90001"].kind == "link"  # the seeded Stichting Lucas Onderwijs
    assert rows["90005"].kind == "link"  # seated in Gouda, runs ID College Zoetermeer
    assert rows["90007"].kind == "new"
    assert "90008" not in rows  # Utrecht, no schools in the region
    assert preview.outside == 1

    response = apply(programme_client, url)  # all at once: never a link
    assert response.status_code == 302
    assert Organisation.objects.filter(board_number="90007").exists()
    assert not Organisation.objects.filter(board_number="90001").exists()
    assert Organisation.objects.filter(name="Stichting Lucas Onderwijs").count() == 1

    url, preview = preview_of(programme_client, "duo-boards", "besturen.csv")
    lucas = rows_by_key(preview)["90001"]
    apply(programme_client, url, [lucas.id])
    assert board("90001") == seeded["Stichting Lucas Onderwijs"]
    assert board("90001").register_values["name"] == "Stichting Lucas Onderwijs"
    assert not Organisation.objects.filter(board_number="90002").exists()  # not ticked


def test_the_first_sync_fills_the_registry_and_counts_the_partners(programme_client, seeded):
    first_sync(programme_client)

    lentiz = Organisation.objects.get(brin="99CC00")
    assert lentiz == seeded["Lentiz MBO Greenport"]  # linked, not a second one
    assert lentiz.municipality.name == "Westland"
    assert Organisation.objects.get(brin="99AA00").name == "Basisschool De Oriënt"
    assert Organisation.objects.get(brin="99AA00").parent == board("90001")
    assert not Organisation.objects.filter(brin__in=["99AE00", "99CB01"]).exists()
    assert not Organisation.objects.filter(board_number="90008").exists()
    assert set(board("90001").sectors.values_list("code", flat=True)) >= {"po", "vo"}

    counts = {row["sector"]: row for row in selectors.register_partner_counts()}
    assert (counts["po"]["boards"], counts["po"]["locations"]) == (3, 5)
    assert (counts["vo"]["boards"], counts["vo"]["locations"]) == (3, 4)
    assert (counts["mbo"]["boards"], counts["mbo"]["locations"]) == (3, 4)

    # A second sync of the same files changes nothing.
    for sector in ("po", "vo", "mbo"):
        _url, preview = preview_of(programme_client, f"duo-{sector}", f"{sector}-vestigingen.csv")
        assert preview.totals["skip"] == len(preview.rows)


def synced_board(region, number, name, **register):
    values = {"name": name, "municipality": region["Delft"].pk, **register}
    return OrganisationFactory(
        name=name, board_number=number, municipality=region["Delft"], register_values=values
    )


def test_a_renamed_board_is_a_change(programme_client, region):
    old = synced_board(region, "90007", "Stichting Openbaar Onderwijs Oudstad")

    url, preview = preview_of(programme_client, "duo-boards", "besturen.csv")
    row = rows_by_key(preview)["90007"]
    assert row.kind == "update"
    assert [(c.old, c.new) for c in row.changes] == [
        ("Stichting Openbaar Onderwijs Oudstad", "Stichting Openbaar Onderwijs Voorbeeldstad")
    ]

    apply(programme_client, url)
    old.refresh_from_db()
    assert old.name == "Stichting Openbaar Onderwijs Voorbeeldstad"
    assert old.history.first().history_user.email == "programma@example.org"


def test_a_partners_own_edit_stands_when_the_register_did_not_change(programme_client, region):
    own = synced_board(region, "90007", "Stichting Openbaar Onderwijs Voorbeeldstad")
    own.name = "OOV Delft"
    own.save()

    url, preview = preview_of(programme_client, "duo-boards", "besturen.csv")
    assert rows_by_key(preview)["90007"].kind == "skip"

    apply(programme_client, url)
    own.refresh_from_db()
    assert own.name == "OOV Delft"


def test_a_change_on_both_sides_is_a_conflict_kept_until_ticked(programme_client, region):
    own = synced_board(region, "90007", "Stichting Openbaar Onderwijs Oudstad")
    own.name = "OOV Delft"
    own.save()

    url, preview = preview_of(programme_client, "duo-boards", "besturen.csv")
    row = rows_by_key(preview)["90007"]
    assert row.kind == "conflict"
    assert row.changes[0].conflict

    apply(programme_client, url)
    own.refresh_from_db()
    assert own.name == "OOV Delft"

    url, preview = preview_of(programme_client, "duo-boards", "besturen.csv")
    apply(programme_client, url, [rows_by_key(preview)["90007"].id])
    own.refresh_from_db()
    assert own.name == "Stichting Openbaar Onderwijs Voorbeeldstad"


def test_a_moved_location_and_a_closed_school(programme_client, region):
    lucas = synced_board(region, "90001", "Stichting Lucas Onderwijs")
    lucas.municipality = region["Den Haag"]
    lucas.register_values["municipality"] = region["Den Haag"].pk
    lucas.save()
    delft = synced_board(region, "90007", "Stichting Openbaar Onderwijs Voorbeeldstad")
    location = {"kind": Organisation.Kind.SCHOOL_LOCATION, "municipality": region["Delft"]}
    moved = OrganisationFactory(
        name="Openbare Basisschool Het Kompas",
        brin="99AB01",
        parent=lucas,
        register_values={
            "name": "Openbare Basisschool Het Kompas",
            "municipality": region["Delft"].pk,
            "parent": lucas.pk,
            "sector": "po",
        },
        **location,
    )
    closed = OrganisationFactory(
        name="Basisschool De Gesloten Deur",
        brin="99AC00",
        parent=delft,
        register_values={"sector": "po"},
        **location,
    )

    url, preview = preview_of(programme_client, "duo-po", "po-vestigingen.csv")
    rows = rows_by_key(preview)
    assert rows["99AB01"].kind == "update"
    assert [(c.field, c.old, c.new) for c in rows["99AB01"].changes] == [
        ("parent", "Stichting Lucas Onderwijs", "Stichting Openbaar Onderwijs Voorbeeldstad")
    ]
    assert rows["99AC00"].kind == "gone"

    apply(programme_client, url)
    moved.refresh_from_db()
    closed.refresh_from_db()
    assert moved.parent == delft
    assert closed.active is False  # kept, marked inactive


def test_a_synced_board_with_no_schools_left_that_the_file_lacks_is_gone(programme_client, region):
    closed = synced_board(region, "90010", "Stichting Opgeheven")
    running = synced_board(region, "90011", "Stichting Elders Bekend")
    OrganisationFactory(
        name="School van Elders",
        kind=Organisation.Kind.SCHOOL_LOCATION,
        brin="99ZZ00",
        parent=running,
        municipality=region["Delft"],
    )
    typed = OrganisationFactory(name="Stichting Zonder Sync", board_number="90012")

    url, preview = preview_of(programme_client, "duo-boards", "besturen.csv")
    rows = rows_by_key(preview)
    assert rows["90010"].kind == "gone"
    assert "90011" not in rows  # runs a school: it may be in another sector's file
    assert "90012" not in rows  # never synced

    apply(programme_client, url)
    closed.refresh_from_db()
    typed.refresh_from_db()
    assert closed.active is False and typed.active is True


def test_a_register_name_another_organisation_has_gets_its_place(programme_client, region):
    OrganisationFactory(name="Kindcentrum De Bron", kind=Organisation.Kind.CHILDCARE)
    synced_board(region, "90009", "Stichting Kindcentra Rijswijk")

    url, preview = preview_of(programme_client, "duo-po", "po-vestigingen.csv")
    assert rows_by_key(preview)["99AD00"].kind == "new"
    apply(programme_client, url)

    assert Organisation.objects.get(brin="99AD00").name == "Kindcentrum De Bron (Rijswijk)"


def test_applying_no_ticked_rows_asks_for_a_tick(programme_client, region):
    synced_board(region, "90009", "Stichting Kindcentra Rijswijk")
    url, _preview = preview_of(programme_client, "duo-po", "po-vestigingen.csv")

    response = programme_client.post(url, {"apply": "selected"}, follow=True)

    assert "Tick the rows to apply" in response.content.decode()
    assert not Organisation.objects.filter(brin="99AD00").exists()


def test_the_preview_page_lists_the_rows_with_their_checkboxes(programme_client, seeded):
    url, _preview = preview_of(programme_client, "duo-boards", "besturen.csv")

    page = programme_client.get(url).content.decode()

    assert 'id="apply-all"' in page
    assert 'name="row" value="r2"' in page  # Stichting Lucas Onderwijs: a link to tick
    assert "Stichting Kindcentra Rijswijk" in page


@pytest.mark.parametrize(
    ("key", "name", "message"),
    [
        ("duo-po", "vo-vestigingen.csv", "secondary schools (vo), not"),
        ("duo-vo", "po-vestigingen.csv", "primary schools (po), not"),
        ("duo-mbo", "besturen.csv", "DUO's file of school boards, not"),
        ("duo-boards", "po-vestigingen.csv", "primary schools (po), not"),
    ],
)
def test_a_file_of_the_wrong_kind_is_refused(programme_client, region, key, name, message):
    response = upload(programme_client, key, fixture(name), name)

    assert response.status_code == 200
    assert message in response.content.decode().replace("&#x27;", "'")
    assert not ImportUpload.objects.exists()


def test_a_file_with_missing_columns_names_them(programme_client, region):
    content = b"BEVOEGD GEZAG NUMMER;VESTIGINGSCODE;ONDERWIJSSTRUCTUUR\r\n90001;99AA00;HAVO\r\n"

    response = upload(programme_client, "duo-vo", content)

    page = response.content.decode()
    assert "these columns are missing: INSTELLINGSCODE, VESTIGINGSNAAM, GEMEENTENAAM" in page


def test_a_file_in_an_unreadable_encoding_is_refused(programme_client, region):
    content = "\ufeffBEVOEGD GEZAG NUMMER;BEVOEGD GEZAG NAAM\r\n".encode() + b"90001;\xff\xfe\r\n"

    response = upload(programme_client, "duo-boards", content)

    assert "could not be read" in response.content.decode()


def test_a_locations_file_without_its_sectors_column_names_the_column(programme_client, region):
    content = (
        b"BEVOEGD GEZAG NUMMER;INSTELLINGSCODE;VESTIGINGSCODE;VESTIGINGSNAAM;GEMEENTENAAM\r\n"
        b"90007;99AB;99AB00;De Delftse Hout;DELFT\r\n"
    )

    response = upload(programme_client, "duo-po", content)

    assert "these columns are missing: SOORT PRIMAIR ONDERWIJS" in response.content.decode()


def test_a_workbook_with_number_cells_is_read(programme_client, region):
    from openpyxl import Workbook

    synced_board(region, "90007", "Stichting Openbaar Onderwijs Voorbeeldstad")
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["BEVOEGD GEZAG NUMMER", "INSTELLINGSCODE", "VESTIGINGSCODE", "VESTIGINGSNAAM"])
    sheet["E1"], sheet["F1"], sheet["G1"] = "GEMEENTENUMMER", "GEMEENTENAAM", "ONDERWIJSSTRUCTUUR"
    sheet.append([90007, "99AB", "99AB00", "Delfts Lyceum", 503, "DELFT", "HAVO"])
    buffer = io.BytesIO()
    workbook.save(buffer)

    response = upload(programme_client, "duo-vo", buffer.getvalue(), "vo.xlsx")

    preview = programme_client.get(response.url).context["preview"]
    assert rows_by_key(preview)["99AB00"].kind == "new"


def test_older_column_names_are_read(programme_client, region):
    synced_board(region, "90007", "Stichting Openbaar Onderwijs Voorbeeldstad")
    content = (
        "BEVOEGD GEZAG NUMMER;BRIN NUMMER;VESTIGINGSNUMMER;VESTIGINGSNAAM;GEMEENTENAAM;"
        "SOORT PRIMAIR ONDERWIJS\r\n90007;99AB;99AB00;De Delftse Hout;DELFT;Bao\r\n"
    ).encode("cp1252")

    response = upload(programme_client, "duo-po", content)

    preview = programme_client.get(response.url).context["preview"]
    assert rows_by_key(preview)["99AB00"].kind == "new"


def test_wrong_rows_stop_the_whole_file(programme_client, region):
    synced_board(region, "90007", "Stichting Openbaar Onderwijs Voorbeeldstad")
    content = (
        "BEVOEGD GEZAG NUMMER;INSTELLINGSCODE;VESTIGINGSCODE;VESTIGINGSNAAM;GEMEENTENAAM;"
        "SOORT PRIMAIR ONDERWIJS\r\n"
        "90007;99AB;99AB00;De Delftse Hout;DELFT;Bao\r\n"
        "90007;99AB;9AB;Kapotte Code;DELFT;Bao\r\n"
        "90007;99AB;99AB00;Dubbel;DELFT;Bao\r\n"
    ).encode("cp1252")
    url = upload(programme_client, "duo-po", content).url

    preview = programme_client.get(url).context["preview"]
    messages = [message for row in preview.rows for message in row.messages]
    assert "“9AB” is not a location code (two digits, two letters, two digits)." in messages
    assert "The code 99AB00 is also on row 2." in messages

    response = apply(programme_client, url)
    assert response.status_code == 200
    assert not Organisation.objects.filter(brin="99AB00").exists()


def test_only_the_programme_team_syncs(editor_client, region):
    for key in ("duo-po", "duo-boards"):
        response = upload(editor_client, key, fixture("besturen.csv"))
        assert response.status_code in (403, 404)
    assert not ImportUpload.objects.exists()


def test_the_sync_has_no_spreadsheet_template(programme_client):
    response = programme_client.get(reverse("import-template", args=["duo-po", "csv"]))

    assert response.status_code == 404


def test_every_importer_of_duo_is_registered():
    keys = {"duo-boards", "duo-po", "duo-vo", "duo-mbo"}
    assert all(imports.get_importer(key).per_row for key in keys)
    assert Sector.objects.filter(code__in=["po", "vo", "mbo"]).count() == 3


def test_the_organisation_list_leads_to_the_syncs(programme_client):
    page = programme_client.get(reverse("partners-organisation-list")).content.decode()

    for key in ("duo-boards", "duo-po", "duo-vo", "duo-mbo"):
        assert reverse("import-upload", args=[key]) in page
