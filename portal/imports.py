"""The Dutch-Excel import pipeline shared by every import in the portal.

Accepts what Dutch Excel writes: semicolon-separated CSV in Windows-1252 or UTF-8 (with or
without BOM), comma- or tab-separated CSV, and XLSX. The flow is always the same:
upload → `read_dataset` (encoding, separator, empty rows, size and type checks) →
`check_headers` (unknown or missing columns) → a dry run that shows every row as new,
changed, unchanged or wrong → confirm, which imports everything or nothing.

An import is an `Importer`: a resource class and what the pages need to know about it.
Exports go through `export_response`, which neutralises spreadsheet formulas.
"""

import csv
import datetime
import io
import re
import zipfile
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import tablib
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import widgets
from import_export.results import RowResult

from portal.models import ImportUpload

XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls format
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?\d+([.,]\d+)?$")


class ImportFileError(Exception):
    """The file as a whole cannot be imported; the message says why, for the user."""


# Reading


def read_dataset(content, file_name=""):
    """Turn uploaded bytes into a tablib Dataset with stripped headers and no empty rows."""
    if not content:
        raise ImportFileError(_("The file is empty."))
    if content.startswith(OLE_MAGIC):
        raise ImportFileError(
            _("This is an old Excel file (.xls). Save it as .xlsx or as CSV and try again.")
        )
    rows = _read_xlsx(content) if content.startswith(XLSX_MAGIC) else _read_csv(content)
    rows = [[_clean_cell(cell) for cell in row] for row in rows]
    rows = [row for row in rows if any(cell not in ("", None) for cell in row)]
    if not rows:
        raise ImportFileError(_("The file is empty."))
    headers = [str(cell or "").strip().lower() for cell in rows[0]]
    while headers and not headers[-1]:
        headers.pop()
    if not headers or any(not header for header in headers):
        raise ImportFileError(
            _("The first row must hold a name for every column. Column %(n)s has none.")
            % {"n": headers.index("") + 1 if "" in headers else 1}
        )
    duplicates = sorted({h for h in headers if headers.count(h) > 1})
    if duplicates:
        raise ImportFileError(
            _("These columns appear more than once: %(columns)s.")
            % {"columns": ", ".join(duplicates)}
        )
    dataset = tablib.Dataset(headers=headers)
    width = len(headers)
    for number, row in enumerate(rows[1:], start=2):
        extra = [cell for cell in row[width:] if cell not in ("", None)]
        if extra:
            raise ImportFileError(
                _("Row %(row)s has more values than there are columns.") % {"row": number}
            )
        dataset.append((list(row) + [""] * width)[:width])
    if not len(dataset):
        raise ImportFileError(_("The file has column names but no rows to import."))
    return dataset


def _clean_cell(cell):
    if isinstance(cell, str):
        return cell.strip()
    if cell is None:
        return ""
    return cell


def _read_xlsx(content):
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise ImportFileError(
            _("This file could not be read as an Excel workbook. Save it again as .xlsx or CSV.")
        ) from error
    try:
        sheet = workbook.worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def _decode(content):
    if b"\x00" in content[:4096]:
        raise ImportFileError(
            _("This is not a spreadsheet. Upload a CSV file or an Excel workbook (.xlsx).")
        )
    # With a BOM the file says it is UTF-8; without one, Windows-1252 is what Excel on Dutch
    # Windows writes for "CSV (gescheiden door lijstscheidingsteken)".
    encodings = ("utf-8-sig",) if content.startswith(b"\xef\xbb\xbf") else ("utf-8", "cp1252")
    for encoding in encodings:
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError(
        _("The file's characters could not be read. Save it as CSV UTF-8 and try again.")
    )


def _read_csv(content):
    text = _decode(content)
    if _looks_binary(text):
        raise ImportFileError(
            _("This is not a spreadsheet. Upload a CSV file or an Excel workbook (.xlsx).")
        )
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    delimiter = max(";,\t", key=first_line.count) if first_line else ";"
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise ImportFileError(
            _("The CSV file is damaged: %(error)s.") % {"error": error}
        ) from error


def _looks_binary(text):
    sample = text[:4096]
    control = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\r\n\t")
    return control > max(2, len(sample) // 100)


def check_headers(dataset, *, allowed, required):
    unknown = [header for header in dataset.headers if header not in allowed]
    if unknown:
        raise ImportFileError(
            _("Unknown columns: %(unknown)s. The columns this import knows are: %(allowed)s.")
            % {"unknown": ", ".join(unknown), "allowed": ", ".join(allowed)}
        )
    missing = [header for header in required if header not in dataset.headers]
    if missing:
        raise ImportFileError(
            _("Required columns are missing: %(missing)s.") % {"missing": ", ".join(missing)}
        )


# Widgets for Dutch spreadsheets


def parse_decimal(value):
    """'1.234,5' and '1234.5' and 1234.5 → Decimal('1234.5'); '' → None."""
    if value in (None, ""):
        return None
    if isinstance(value, int | float | Decimal):
        return Decimal(str(value))
    text = str(value).strip().replace("\u00a0", "").replace(" ", "")
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    try:
        return Decimal(text)
    except InvalidOperation as error:
        raise ValueError(_("“%(value)s” is not a number.") % {"value": value}) from error


class DecimalCommaWidget(widgets.DecimalWidget):
    def clean(self, value, row=None, **kwargs):
        return parse_decimal(value)


def parse_date(value):
    """Dates as Dutch Excel writes them: 31-12-2024, 31/12/2024, 2024-12-31, or a date cell."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    for fmt in ("%d-%m-%Y", "%d/%m/%Y", "%Y-%m-%d", "%d-%m-%y", "%d.%m.%Y"):
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(_("“%(value)s” is not a date; write it as dd-mm-yyyy.") % {"value": value})


class DutchDateWidget(widgets.DateWidget):
    def clean(self, value, row=None, **kwargs):
        return parse_date(value)

    def render(self, value, obj=None, **kwargs):
        return value.strftime("%d-%m-%Y") if value else ""


TRUE_WORDS = {"1", "ja", "j", "yes", "y", "true", "waar", "x"}
FALSE_WORDS = {"0", "nee", "n", "no", "false", "onwaar"}


def parse_bool(value, default=True):
    if value in (None, ""):
        return default
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise ValueError(_("“%(value)s” is not yes or no; write ja or nee.") % {"value": value})


def choice_lookup(choices):
    """Map a TextChoices' values and labels (Dutch and English), lower-cased, to values."""
    from django.utils import translation

    lookup = {}
    for code, _language in settings.LANGUAGES:
        with translation.override(code):
            for value, label in choices.choices:
                lookup[str(label).lower()] = value
    for value in choices.values:
        lookup[value.lower()] = value
    return lookup


# Uploading, previewing and confirming


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy(
            "A CSV file (separated by semicolons or commas) or an Excel workbook (.xlsx)."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.IMPORT_MAX_UPLOAD_BYTES
        if upload.size > limit:
            raise ValidationError(
                _("The file is %(size)s; files up to %(limit)s can be imported. Split it up.")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
            )
        return upload


@dataclass
class Preview:
    rows: list
    totals: dict
    has_errors: bool
    base_errors: list


ROW_LABELS = {
    RowResult.IMPORT_TYPE_NEW: gettext_lazy("new"),
    RowResult.IMPORT_TYPE_UPDATE: gettext_lazy("changed"),
    RowResult.IMPORT_TYPE_SKIP: gettext_lazy("unchanged"),
    RowResult.IMPORT_TYPE_INVALID: gettext_lazy("wrong"),
    "wrong": gettext_lazy("wrong"),
}


class Importer:
    """One kind of import: subclasses set `key`, `resource_class` and the columns."""

    key = ""
    title = ""
    resource_class = None
    required_columns = ()
    done_url_name = ""  # where the user goes after a successful import

    def resource(self, user):
        return self.resource_class(user=user)

    def allowed_columns(self):
        return [field.column_name for field in self.resource_class().get_import_fields()]

    def load(self, content, file_name):
        dataset = read_dataset(content, file_name)
        check_headers(dataset, allowed=self.allowed_columns(), required=self.required_columns)
        return dataset

    def stash(self, *, user, upload):
        content = upload.read()
        self.load(content, upload.name)  # refuse a bad file before keeping it
        return ImportUpload.objects.create(
            user=user, importer=self.key, file_name=upload.name[:255], content=content
        )

    def dry_run(self, stashed):
        dataset = self.load(bytes(stashed.content), stashed.file_name)
        result = self.resource(stashed.user).import_data(
            dataset, dry_run=True, use_transactions=True, rollback_on_validation_errors=True
        )
        return summarise(result, dataset)

    def confirm(self, stashed):
        """Import everything or nothing. Returns the Preview of what was done."""
        dataset = self.load(bytes(stashed.content), stashed.file_name)
        with transaction.atomic():
            result = self.resource(stashed.user).import_data(
                dataset, dry_run=False, use_transactions=True, rollback_on_validation_errors=True
            )
            preview = summarise(result, dataset)
            if not preview.has_errors:
                stashed.delete()
        return preview


def summarise(result, dataset):
    """One entry per data row: its row number in the file, values, kind and messages.

    Resources must set `report_skipped = True` so that every row has a result.
    """
    rows = []
    for number, (values, row_result) in enumerate(
        zip(dataset.dict, result.rows, strict=False), start=2
    ):
        messages = []
        if row_result.validation_error is not None:
            for field, field_errors in row_result.validation_error.update_error_dict({}).items():
                prefix = "" if field == "__all__" else f"{field}: "
                messages += [prefix + message for message in ValidationError(field_errors).messages]
        messages += [_error_message(error.error) for error in row_result.errors]
        kind = "wrong" if messages else row_result.import_type
        rows.append(
            {
                "number": number,
                "values": values,
                "kind": kind,
                "label": ROW_LABELS.get(kind, ROW_LABELS[RowResult.IMPORT_TYPE_INVALID]),
                "messages": messages,
            }
        )
    base_errors = [_error_message(error.error) for error in result.base_errors]
    totals = {kind: sum(row["kind"] == kind for row in rows) for kind in ("new", "update", "skip")}
    totals["wrong"] = sum(row["kind"] == "wrong" for row in rows)
    return Preview(
        rows=rows,
        totals=totals,
        has_errors=bool(base_errors) or bool(totals["wrong"]),
        base_errors=base_errors,
    )


def _error_message(error):
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    if isinstance(error, ValueError):
        return str(error)
    # Database errors and the like: no internals for the user.
    return _("This row could not be saved; check it for duplicates or missing values.")


# Export


def neutralise(value):
    """Make a cell safe to open in a spreadsheet: no formula can start in it."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES) and not _NUMBER.match(value):
        return "'" + value
    return value


def export_response(resource, queryset, *, file_format, basename):
    dataset = resource.export(queryset=queryset)
    safe = tablib.Dataset(headers=dataset.headers)
    for row in dataset:
        safe.append([neutralise(cell) for cell in row])
    stamp = timezone.localdate().isoformat()
    if file_format == "xlsx":
        content = safe.export("xlsx")
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        file_format = "csv"
        # Semicolons and a BOM: what Dutch Excel opens correctly with a double-click.
        content = "\ufeff" + safe.export("csv", delimiter=";")
        content_type = "text/csv; charset=utf-8"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{basename}-{stamp}.{file_format}"'
    return response
