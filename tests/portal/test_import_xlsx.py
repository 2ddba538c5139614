"""Reading XLSX: zip bombs and oversized sheets refused early, formulas, row numbers."""

import io
import time
import tracemalloc
import zipfile

import pytest
from openpyxl import Workbook

from portal.imports import ImportFileError, read_dataset

SHEET = "xl/worksheets/sheet1.xml"
NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def workbook_with_sheet(chunks):
    """A real workbook whose first sheet's XML is replaced by `chunks` (str pieces)."""
    base = io.BytesIO()
    Workbook().save(base)
    out = io.BytesIO()
    with zipfile.ZipFile(base) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in source.infolist():
            if info.filename != SHEET:
                zf.writestr(info, source.read(info))
        with zf.open(SHEET, "w", force_zip64=True) as sheet:
            for chunk in chunks:
                sheet.write(chunk.encode())
    return out.getvalue()


def sheet_xml(rows_xml, dimension=None):
    yield f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{NS}">'
    if dimension:
        yield f'<dimension ref="{dimension}"/>'
    yield "<sheetData>"
    yield from rows_xml
    yield "</sheetData></worksheet>"


def cell(ref, text):
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


@pytest.fixture(scope="module")
def bomb():
    """About a megabyte that unpacks to a 300 MB sheet, as in the report."""
    row = "<row>" + "<c><v>1</v></c>" * 50 + "</row>"
    block = row * 1000

    def rows():
        yield '<row r="1">' + cell("A1", "naam") + "</row>"
        for _ in range(300 * 1024 * 1024 // len(block)):
            yield block

    return workbook_with_sheet(sheet_xml(rows()))


def measure(function):
    tracemalloc.start()
    started = time.perf_counter()
    try:
        function()
    finally:
        elapsed = time.perf_counter() - started
        _size, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return elapsed, peak


def test_a_zip_bomb_is_refused_from_the_declared_sizes_within_a_second(bomb):
    assert len(bomb) < 2 * 1024 * 1024

    def read():
        with pytest.raises(ImportFileError, match="unpacks to 299"):
            read_dataset(bomb)

    elapsed, peak = measure(read)
    assert elapsed < 1.0
    assert peak < 5 * 1024 * 1024  # the upload itself is not counted: it is already in memory


def test_a_sheet_whose_dimension_declares_too_many_rows_is_refused_before_reading_rows():
    rows = ['<row r="1">' + cell("A1", "naam") + "</row>"]
    content = workbook_with_sheet(sheet_xml(rows, dimension="A1:I1048576"))
    with pytest.raises(ImportFileError, match="1048575 rows"):
        read_dataset(content)


def test_rows_are_streamed_and_capped_while_reading_when_no_dimension_is_declared():
    """200,000 rows within the archive limit: refused at the cap, not after reading them all."""

    def rows():
        yield '<row r="1">' + cell("A1", "naam") + "</row>"
        for number in range(2, 200_002):
            yield f'<row r="{number}">' + cell(f"A{number}", f"School {number}") + "</row>"

    content = workbook_with_sheet(sheet_xml(rows()))

    def read():
        with pytest.raises(ImportFileError, match="more than 1000 rows"):
            read_dataset(content, max_rows=1000)

    elapsed, peak = measure(read)
    assert elapsed < 1.0
    assert peak < 5 * 1024 * 1024


def test_formula_cells_give_their_cached_value_or_else_their_text():
    rows = [
        '<row r="1">' + cell("A1", "naam") + cell("B1", "gemeente") + "</row>",
        '<row r="2">'
        + cell("A2", "Met waarde")
        + '<c r="B2" t="str"><f>CONCATENATE("Den ","Haag")</f><v>Den Haag</v></c></row>',
        '<row r="3"><c r="A3"><f>1+2</f></c>' + cell("B3", "Delft") + "</row>",
    ]
    dataset = read_dataset(workbook_with_sheet(sheet_xml(rows)))
    assert dataset[0] == ("Met waarde", "Den Haag")
    assert dataset[1] == ("=1+2", "Delft")


def test_a_formula_saved_by_openpyxl_without_a_value_is_read_as_text():
    workbook = Workbook()
    workbook.active.append(["naam", "gemeente"])
    workbook.active.append(['=CONCAT("A","B")', "Delft"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert read_dataset(buffer.getvalue())[0] == ('=CONCAT("A","B")', "Delft")


def test_row_numbers_are_the_rows_excel_shows_blank_lines_counted():
    rows = [
        '<row r="2">' + cell("A2", "naam") + "</row>",
        '<row r="3">' + cell("A3", "Eerste") + "</row>",
        '<row r="4"></row>',
        '<row r="7">' + cell("A7", "Derde") + "</row>",
    ]
    dataset = read_dataset(workbook_with_sheet(sheet_xml(rows, dimension="A2:A7")))
    assert dataset.headers == ["naam"]
    assert [row[0] for row in dataset] == ["Eerste", "Derde"]
    assert dataset.row_numbers == [3, 7]


@pytest.mark.django_db
def test_the_upload_page_refuses_a_zip_bomb_with_a_message_within_a_second(programme_client, bomb):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from portal.models import ImportUpload

    url = reverse("import-upload", args=["organisations"])
    programme_client.get(url)  # templates loaded: time the refusal, not the first page
    started = time.perf_counter()
    response = programme_client.post(
        url,
        {"file": SimpleUploadedFile("bom.xlsx", bomb)},
    )
    assert time.perf_counter() - started < 1.0
    assert response.status_code == 200
    assert "This workbook unpacks to" in response.content.decode()
    assert not ImportUpload.objects.exists()
