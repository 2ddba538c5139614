"""The Dutch-Excel pipeline: reading, checking and exporting files."""

import io
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from portal.imports import (
    ImportFileError,
    check_headers,
    neutralise,
    parse_bool,
    parse_date,
    parse_decimal,
    read_dataset,
)


def xlsx(rows):
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_semicolon_csv_in_windows_1252_is_read():
    content = "naam;gemeente\nBasisschool De Vlieër;Den Haag\n".encode("cp1252")
    dataset = read_dataset(content)
    assert dataset.headers == ["naam", "gemeente"]
    assert dataset[0] == ("Basisschool De Vlieër", "Den Haag")


def test_utf8_with_bom_and_commas_is_read():
    content = "\ufeffNaam,Gemeente\nÉcole Één,Delft\n".encode()
    dataset = read_dataset(content)
    assert dataset.headers == ["naam", "gemeente"]
    assert dataset[0] == ("École Één", "Delft")


def test_xlsx_is_read_and_empty_rows_are_dropped():
    dataset = read_dataset(xlsx([["naam", "aantal"], ["A", 3], [None, None], ["B", 4.5]]))
    assert [row[0] for row in dataset] == ["A", "B"]


def test_a_bom_followed_by_bytes_that_are_not_utf8_is_refused_with_a_message():
    with pytest.raises(ImportFileError, match="CSV UTF-8"):
        read_dataset(b"\xef\xbb\xbfnaam;soort\nCaf\xe9;other\n")


def test_old_xls_files_get_a_clear_message():
    with pytest.raises(ImportFileError, match=".xlsx"):
        read_dataset(b"\xd0\xcf\x11\xe0" + b"\x00" * 100)


@pytest.mark.parametrize(
    "content",
    [b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), b"PK\x03\x04not really a zip"],
)
def test_files_that_are_not_spreadsheets_are_refused(content):
    with pytest.raises(ImportFileError):
        read_dataset(content)


def test_empty_files_and_header_only_files_are_refused():
    with pytest.raises(ImportFileError):
        read_dataset(b"")
    with pytest.raises(ImportFileError, match="no rows"):
        read_dataset(b"naam;soort\n;\n")


def test_a_row_wider_than_the_header_is_refused():
    with pytest.raises(ImportFileError, match="Row 2"):
        read_dataset(b"naam;soort\nA;B;C\n")


def test_unknown_columns_are_ignored_with_a_warning_and_missing_ones_are_named():
    dataset = read_dataset(b"naam;kleur\nA;rood\n", allowed=["naam", "soort"], required=["naam"])
    assert dataset.headers == ["naam"]
    assert dataset[0] == ("A",)
    assert "kleur" in dataset.warnings[0]
    assert check_headers(["naam", "kleur"], allowed=["naam", "soort"], required=["naam"])
    with pytest.raises(ImportFileError, match="naam"):
        check_headers(["soort"], allowed=["naam", "soort"], required=["naam"])


def test_decimal_comma_and_thousands_dots():
    assert parse_decimal("1.234,5") == Decimal("1234.5")
    assert parse_decimal("12,75") == Decimal("12.75")
    assert parse_decimal("1234.5") == Decimal("1234.5")
    assert parse_decimal(3.5) == Decimal("3.5")
    assert parse_decimal("") is None
    with pytest.raises(ValueError):
        parse_decimal("veel")


def test_dutch_dates_and_yes_no():
    assert parse_date("31-12-2024").isoformat() == "2024-12-31"
    assert parse_date("2024-12-31").isoformat() == "2024-12-31"
    with pytest.raises(ValueError):
        parse_date("gisteren")
    assert parse_bool("ja") is True and parse_bool("Nee") is False and parse_bool("") is True
    with pytest.raises(ValueError):
        parse_bool("misschien")


@pytest.mark.parametrize("value", ['=HYPERLINK("x")', "+31 70", "-2+3", "@SUM(A1)", "\tx"])
def test_formulas_are_neutralised(value):
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["Den Haag", "-12", "-3,5", 42, None])
def test_ordinary_values_and_negative_numbers_are_kept(value):
    assert neutralise(value) == value


def test_xlsx_export_cells_hold_no_formula():
    from portal.imports import write_response

    response = write_response(["a", "b"], [["=1+1", "ok"]], file_format="xlsx", basename="x")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A2"].value == "'=1+1"
    assert sheet["A2"].data_type == "s"


def test_unicode_text_from_excel_utf16_with_bom_and_tabs_is_read():
    content = "naam\tgemeente\r\nBasisschool De Vlieër\t's-Gravenhage\r\n".encode("utf-16")
    assert content.startswith(b"\xff\xfe")
    dataset = read_dataset(content)
    assert dataset.headers == ["naam", "gemeente"]
    assert dataset[0] == ("Basisschool De Vlieër", "'s-Gravenhage")


def test_utf16_without_bom_is_recognised_too():
    dataset = read_dataset("naam\tsoort\r\nÉén\tother\r\n".encode("utf-16-le"))
    assert dataset[0] == ("Één", "other")


def test_csv_row_numbers_count_blank_lines_as_excel_shows_them():
    content = b"\r\nnaam;soort\r\nA;other\r\n\r\n;\r\n\r\nB;other\r\n"
    dataset = read_dataset(content)
    assert [row[0] for row in dataset] == ["A", "B"]
    assert dataset.row_numbers == [3, 7]


def test_a_quoted_cell_over_two_lines_is_one_row_as_in_excel():
    dataset = read_dataset(b'naam;soort\n"Twee\nregels";other\nC;other\n')
    assert dataset.row_numbers == [2, 3]


def test_the_apostrophe_that_neutralises_a_formula_is_taken_off_on_import():
    content = b"naam;website\n'=1+2;'@home\n'-min;x\nO'Brien;'t Hof\n"
    dataset = read_dataset(content)
    assert list(dataset) == [("=1+2", "@home"), ("-min", "x"), ("O'Brien", "'t Hof")]


def test_too_many_rows_are_refused_while_streaming():
    content = b"naam\n" + b"x\n" * 30
    with pytest.raises(ImportFileError, match="more than 20 rows"):
        read_dataset(content, max_rows=20)


def test_the_template_row_of_accepted_values_is_skipped():
    content = b"naam;soort\nThe name.;One of: a, b.\nEcht;a\n"
    dataset = read_dataset(content, skip_rows={("The name.", "One of: a, b.")})
    assert list(dataset) == [("Echt", "a")]
    assert dataset.row_numbers == [3]
