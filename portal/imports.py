"""The Dutch-Excel import pipeline shared by every import in the portal.

Accepts what Dutch Excel writes: semicolon-separated CSV in Windows-1252 or UTF-8 (with or
without BOM), comma- or tab-separated CSV, "Unicode text" (UTF-16, tab-separated) and XLSX.
The flow is always the same: upload → `read_dataset` (encoding, separator, size, columns,
blank lines, row numbers as the spreadsheet shows them) → a dry run that shows every row as
new, changed (old → new), unchanged or wrong → confirm, which imports everything or nothing.

An import is an `Importer` registered with `register()` in an app's `AppConfig.ready()`;
the upload, preview and template views in `portal.views` find it by its key. A resource
mixes in `ImportResourceMixin`, which gives it the user, the importer's scope, the row
numbers of the file and a per-row account of errors the database raises in a bulk save.
Exports go through `export_response`, which neutralises spreadsheet formulas; the import
takes the neutralising apostrophe off again, so an export imports back unchanged.
"""

import codecs
import contextlib
import csv
import datetime
import functools
import io
import itertools
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from xml.sax.saxutils import escape as xml_escape

import tablib
from django import forms
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ImproperlyConfigured, ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.template.defaultfilters import filesizeformat
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import widgets
from import_export.results import RowResult
from import_export.signals import post_import
from openpyxl import Workbook
from openpyxl.reader.excel import ExcelReader
from openpyxl.styles.stylesheet import apply_stylesheet
from openpyxl.utils.cell import range_boundaries
from openpyxl.worksheet._reader import DATA_TAG, DIMENSION_TAG, FORMULA_TAG, WorkSheetParser
from openpyxl.xml.functions import iterparse

from portal.models import ImportUpload

XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls format
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?\d+([.,]\d+)?$")

# Limits that hold whatever the upload size: a 10 MB XLSX can expand a hundredfold.
MAX_ROWS = 50_000
MAX_COLUMNS = 200
MAX_XLSX_EXPANDED_BYTES = 60 * 1024 * 1024
# The preview lists at most this many rows; the totals always count every row.
PREVIEW_ROWS = 500


class ImportFileError(Exception):
    """The file as a whole cannot be imported; the message says why, for the user."""


# Reading


def read_dataset(
    content, file_name="", *, allowed=None, required=(), max_rows=MAX_ROWS, skip_rows=()
):
    """Turn uploaded bytes into a tablib Dataset with stripped headers and no empty rows.

    With `allowed`, unknown columns are left out with a warning and `required` columns must
    be present. The dataset carries `row_numbers` (per data row, the row number the user
    sees in Excel, blank lines counted) and `warnings` (messages for the preview). Rows are
    streamed from the file into the dataset, so a file over `max_rows` is refused as soon as
    the row past the limit is read. A row equal to one of `skip_rows` (tuples of text, one
    per column) is left out: the template's row of accepted values.
    """
    if not content:
        raise ImportFileError(_("The file is empty."))
    if content.startswith(OLE_MAGIC):
        raise ImportFileError(
            _("This is an old Excel file (.xls). Save it as .xlsx or as CSV and try again.")
        )
    rows = _xlsx_rows(content, max_rows) if content.startswith(XLSX_MAGIC) else _csv_rows(content)
    with contextlib.closing(rows):
        return _fill_dataset(
            rows, allowed=allowed, required=required, max_rows=max_rows, skip_rows=skip_rows
        )


def _fill_dataset(rows, *, allowed, required, max_rows, skip_rows):
    header = next((cells for _number, cells in rows if _has_values(cells)), None)
    if header is None:
        raise ImportFileError(_("The file is empty."))
    headers, keep, warnings = _read_header(header, allowed=allowed, required=required)
    dataset = tablib.Dataset(headers=[headers[index] for index in keep])
    dataset.row_numbers = []
    dataset.warnings = warnings
    width = len(headers)
    for number, cells in rows:
        cleaned = [_clean_cell(cell) for cell in cells]
        if all(cell == "" for cell in cleaned):
            continue
        if any(cell != "" for cell in cleaned[width:]):
            raise ImportFileError(
                _("Row %(row)s has more values than there are columns.") % {"row": number}
            )
        cleaned = cleaned[:width] + [""] * (width - len(cleaned))
        if skip_rows and tuple(str(cell) for cell in cleaned) in skip_rows:
            continue
        if len(dataset) >= max_rows:
            raise ImportFileError(
                _("The file has more than %(max)s rows; import it in parts.") % {"max": max_rows}
            )
        dataset.append([cleaned[index] for index in keep])
        dataset.row_numbers.append(number)
    if not len(dataset):
        raise ImportFileError(_("The file has column names but no rows to import."))
    return dataset


def _has_values(cells):
    return any(_clean_cell(cell) != "" for cell in cells)


def _read_header(cells, *, allowed, required):
    """The column names, the indexes of the columns to keep, and warnings."""
    headers = [str(_clean_cell(cell)).lower() for cell in cells[:MAX_COLUMNS]]
    while headers and not headers[-1]:
        headers.pop()
    if "" in headers:
        raise ImportFileError(
            _("The first row must hold a name for every column. Column %(n)s has none.")
            % {"n": headers.index("") + 1}
        )
    duplicates = sorted({h for h in headers if headers.count(h) > 1})
    if duplicates:
        raise ImportFileError(
            _("These columns appear more than once: %(columns)s.")
            % {"columns": ", ".join(duplicates)}
        )
    warnings = []
    if allowed is not None:
        warnings = check_headers(headers, allowed=allowed, required=required)
    keep = [i for i, header in enumerate(headers) if allowed is None or header in allowed]
    return headers, keep, warnings


def check_headers(headers, *, allowed, required):
    """Refuse missing required columns; return a warning naming unknown ones (ignored)."""
    missing = [header for header in required if header not in headers]
    if missing:
        raise ImportFileError(
            _("Required columns are missing: %(missing)s.") % {"missing": ", ".join(missing)}
        )
    unknown = [header for header in headers if header not in allowed]
    if not unknown:
        return []
    return [
        _(
            "These columns are not part of this import and have been ignored: %(unknown)s. "
            "The columns this import knows are: %(allowed)s."
        )
        % {"unknown": ", ".join(unknown), "allowed": ", ".join(allowed)}
    ]


def _clean_cell(cell):
    """Strip text and take off the apostrophe `neutralise()` puts before a formula."""
    if cell is None:
        return ""
    if isinstance(cell, str):
        cell = cell.strip()
        if cell[:1] == "'" and cell[1:2] and cell[1] in "=+-@":
            cell = cell[1:]
        return cell
    return cell


def _xlsx_rows(content, max_rows):
    """(Excel row number, values) for the first sheet's rows, streamed from the archive.

    Refused before any row is read when the archive declares more bytes than a workbook of
    MAX_ROWS rows needs (a zip bomb), or when the sheet's <dimension> declares too many rows.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        expanded = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise _unreadable_workbook() from error
    if expanded > MAX_XLSX_EXPANDED_BYTES:
        raise ImportFileError(
            _(
                "This workbook unpacks to %(size)s, more than the %(limit)s an import can "
                "read. Remove what is not needed (other sheets, images, formatting) or save "
                "it as CSV."
            )
            % {
                "size": filesizeformat(expanded),
                "limit": filesizeformat(MAX_XLSX_EXPANDED_BYTES),
            }
        )
    try:
        reader = ExcelReader(io.BytesIO(content), read_only=True, data_only=True)
        reader.read_manifest()
        reader.read_strings()
        reader.read_workbook()
        apply_stylesheet(reader.archive, reader.wb)
        path = next(
            rel.target
            for _sheet, rel in reader.parser.find_sheets()
            if rel.target in reader.valid_files and "chartsheet" not in rel.Type
        )
        declared_rows = _declared_rows(reader.archive, path)
    except (
        zipfile.BadZipFile,
        KeyError,
        StopIteration,
        OSError,
        ValueError,
        TypeError,
        SyntaxError,
    ) as error:
        raise _unreadable_workbook() from error
    try:
        if declared_rows > max_rows:
            raise ImportFileError(
                _(
                    "The first sheet holds %(rows)s rows; up to %(max)s rows can be imported "
                    "at once. Import it in parts."
                )
                % {"rows": declared_rows, "max": max_rows}
            )
        with reader.archive.open(path) as source:
            parser = _CellParser(
                source,
                reader.shared_strings,
                data_only=True,
                epoch=reader.wb.epoch,
                date_formats=reader.wb._date_formats,
                timedelta_formats=reader.wb._timedelta_formats,
            )
            for number, cells in parser.parse():
                values = [None] * min(max((c["column"] for c in cells), default=0), MAX_COLUMNS)
                for cell in cells:
                    if cell["column"] <= MAX_COLUMNS:
                        values[cell["column"] - 1] = cell["value"]
                    elif cell["value"] not in (None, ""):
                        raise ImportFileError(
                            _("Row %(row)s has more values than there are columns.")
                            % {"row": number}
                        )
                yield number, values
    except (zipfile.BadZipFile, KeyError, OSError, SyntaxError) as error:
        raise _unreadable_workbook() from error
    finally:
        reader.archive.close()


def _declared_rows(archive, path):
    """The rows below the header that the sheet's <dimension> declares; 0 without one.

    Reads only up to <sheetData>: openpyxl's own dimension lookup reads the whole sheet
    when the element is missing.
    """
    with archive.open(path) as source:
        for _event, element in iterparse(source, events=("start",)):
            if element.tag == DIMENSION_TAG:
                ref = element.get("ref", "")
                try:
                    _min_col, min_row, _max_col, max_row = range_boundaries(ref)
                except (ValueError, TypeError):
                    return 0
                return (max_row or 0) - (min_row or 1)
            if element.tag == DATA_TAG:
                return 0
    return 0


def _unreadable_workbook():
    return ImportFileError(
        _("This file could not be read as an Excel workbook. Save it again as .xlsx or CSV.")
    )


class _CellParser(WorkSheetParser):
    """Formula cells as their cached value, or the formula's text when none was saved."""

    def parse_cell(self, element):
        cell = super().parse_cell(element)
        if cell["value"] is None and element.find(FORMULA_TAG) is not None:
            formula = self.parse_formula(element)
            text = getattr(formula, "text", formula)
            cell["value"] = text if isinstance(text, str) and text != "=" else None
        elif cell["data_type"] == "e":
            cell["value"] = None  # #N/A, #REF!: an empty cell, not a value to import
        return cell


def _csv_rows(content):
    """(row number, values) per CSV record; a blank line is an empty record, as in Excel."""
    encoding = _encoding(content)
    text = io.TextIOWrapper(io.BytesIO(content), encoding=encoding, newline="")
    # Read up to the first line with text to choose the separator, then hand the lines
    # read so far back to the reader so that the row numbers stay right.
    seen = []
    for line in text:
        seen.append(line)
        if line.strip():
            break
    delimiter = max(";,\t", key=seen[-1].count) if seen else ";"
    reader = csv.reader(itertools.chain(seen, text), delimiter=delimiter)
    try:
        yield from enumerate(reader, start=1)
    except csv.Error as error:
        raise ImportFileError(
            _("The CSV file is damaged near line %(line)s: %(error)s.")
            % {"line": reader.line_num, "error": error}
        ) from error
    except UnicodeDecodeError as error:
        raise ImportFileError(
            _("The file's characters could not be read. Save it as CSV UTF-8 and try again.")
        ) from error


def _encoding(content):
    """The file's encoding: UTF-16 with a BOM ("Unicode text"), UTF-8, or Windows-1252."""
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    head = content[:4096]
    if b"\x00" in head:
        # UTF-16 without a BOM has a zero byte beside every ASCII character.
        odd, even = head[1::2], head[0::2]
        if odd.count(0) > len(odd) * 0.8:
            return "utf-16-le"
        if even.count(0) > len(even) * 0.8:
            return "utf-16-be"
        raise ImportFileError(
            _("This is not a spreadsheet. Upload a CSV file or an Excel workbook (.xlsx).")
        )
    if content.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
        if not _decodes(content, "utf-8"):
            raise ImportFileError(
                _("The file's characters could not be read. Save it as CSV UTF-8 and try again.")
            )
    else:
        # Without a BOM, Windows-1252 is what Excel on Dutch Windows writes for
        # "CSV (gescheiden door lijstscheidingsteken)".
        encoding = "utf-8" if _decodes(content, "utf-8") else "cp1252"
    if _looks_binary(head.decode(encoding, errors="replace")):
        raise ImportFileError(
            _("This is not a spreadsheet. Upload a CSV file or an Excel workbook (.xlsx).")
        )
    return encoding


def _decodes(content, encoding):
    """Whether `content` decodes, checked in pieces so the text is never held whole."""
    decoder = codecs.getincrementaldecoder(encoding)()
    view = memoryview(content)
    try:
        for start in range(0, len(view), 1 << 16):
            decoder.decode(view[start : start + (1 << 16)])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _looks_binary(text):
    control = sum(1 for ch in text if ord(ch) < 32 and ch not in "\r\n\t")
    return control > max(2, len(text) // 100)


# Widgets for Dutch spreadsheets


def cell_text(row, column):
    """A cell as stripped text: '' when empty, 12 for a number cell holding 12.0."""
    value = row.get(column)
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


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
    lookup = {}
    for code, _language in settings.LANGUAGES:
        with translation.override(code):
            for value, label in choices.choices:
                lookup[str(label).lower()] = value
    for value in choices.values:
        lookup[value.lower()] = value
    return lookup


# Resources


class ImportResourceMixin:
    """For an import-export resource used by an `Importer`.

    Gives the resource `self.user` and `self.scope` (what `Importer.scope(user)` returned);
    `line(row_number)` turns import-export's row counter into the row number the user sees.
    A row for which `out_of_scope(instance)` returns a message is refused with that message. When a
    bulk save fails, the rows of the batch are saved one by one in savepoints to find the
    failing ones, and each gets the violated constraint's `violation_error_message`.
    Resources may set `instance._import_changes` to [(column, old, new), ...] for the preview.
    """

    def __init__(self, user=None, scope=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        self.scope = scope
        self.row_numbers = None
        self.row_failures = {}

    def line(self, row_number):
        if self.row_numbers and 0 < row_number <= len(self.row_numbers):
            return self.row_numbers[row_number - 1]
        return row_number + 1

    def import_data(self, dataset, **kwargs):
        self.row_numbers = getattr(dataset, "row_numbers", None)
        self.row_failures = {}
        return super().import_data(dataset, **kwargs)

    def out_of_scope(self, instance):
        """A message when the row lies outside `self.scope`; None when it may be imported."""
        return None

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        if self.scope is not None and not errors:
            message = self.out_of_scope(instance)
            if message:
                errors[NON_FIELD_ERRORS] = [message]
        super().validate_instance(instance, errors, validate_unique)

    def save_instance(self, instance, is_create, row, **kwargs):
        instance._import_row_number = kwargs.get("row_number")
        super().save_instance(instance, is_create, row, **kwargs)

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        self._bulk_save(self.create_instances, True, using_transactions, dry_run, result)

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        self._bulk_save(self.update_instances, False, using_transactions, dry_run, result)

    def _bulk_save(self, instances, is_create, using_transactions, dry_run, result):
        if not instances or not (using_transactions or not dry_run):
            instances.clear()
            return
        manager = self._meta.model._default_manager
        try:
            with transaction.atomic():
                if is_create:
                    manager.bulk_create(instances, batch_size=self._meta.batch_size)
                else:
                    manager.bulk_update(
                        instances, self.get_bulk_update_fields(), batch_size=self._meta.batch_size
                    )
        except IntegrityError as error:
            self._find_failing_rows(instances, is_create, error, result)
        finally:
            instances.clear()

    def _find_failing_rows(self, instances, is_create, error, result):
        """Save the batch one by one, each in a savepoint, and name each failing row."""
        found = False
        fields = None if is_create else self.get_bulk_update_fields()
        for instance in instances:
            try:
                with transaction.atomic():
                    instance.save(force_insert=is_create, update_fields=fields)
            except IntegrityError as row_error:
                found = True
                number = getattr(instance, "_import_row_number", None) or 0
                self.row_failures[number] = constraint_message(self._meta.model, row_error)
        if not found:
            result.append_base_error(self.get_error_result_class()(error))
        else:
            # Something must tell import_data to roll back; the rows carry the messages.
            result.append_base_error(self.get_error_result_class()(_RowsFailed()))


class _RowsFailed(Exception):
    """Marks a bulk save whose failing rows have their own messages."""


def constraint_message(model, error):
    """The model constraint's violation_error_message for an IntegrityError, if named."""
    cause = error.__cause__
    name = getattr(getattr(cause, "diag", None), "constraint_name", None) or str(error)
    for constraint in model._meta.constraints:
        if constraint.name == name or constraint.name in str(error):
            return str(constraint.get_violation_error_message())
    return _("This row could not be saved: %(reason)s") % {
        "reason": str(cause or error).splitlines()[0]
    }


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
    warnings: list = field(default_factory=list)

    @property
    def shown(self):
        """The rows the page lists: wrong, then changed, then new; never the unchanged."""
        order = {"wrong": 0, RowResult.IMPORT_TYPE_UPDATE: 1, RowResult.IMPORT_TYPE_NEW: 2}
        listed = [row for row in self.rows if row["kind"] in order]
        listed.sort(key=lambda row: order[row["kind"]])  # stable: file order within a kind
        return listed[:PREVIEW_ROWS]

    @property
    def not_shown(self):
        return sum(self.totals.values()) - self.totals["skip"] - len(self.shown)


ROW_LABELS = {
    RowResult.IMPORT_TYPE_NEW: gettext_lazy("new"),
    RowResult.IMPORT_TYPE_UPDATE: gettext_lazy("changed"),
    RowResult.IMPORT_TYPE_SKIP: gettext_lazy("unchanged"),
    RowResult.IMPORT_TYPE_INVALID: gettext_lazy("wrong"),
    "wrong": gettext_lazy("wrong"),
}


@dataclass(frozen=True)
class Column:
    """A column of an import, for the upload page and the template."""

    name: str
    help: str = ""
    required: bool = False
    example: str = ""


class Importer:
    """One kind of import. Subclasses set the class attributes and may override `scope`.

    - key: the URL slug; title: the page title;
    - resource_class: an import-export resource with ImportResourceMixin;
    - access_rule: a `portal.access.Rule` of who may use it (checked by the views);
    - required_columns, max_rows, done_url_name (where the user goes after importing);
    - columns(): the columns with help (accepted values) and an example, in the user's
      language, for the upload page and the template.
    """

    key = ""
    title = ""
    resource_class = None
    access_rule = None
    required_columns = ()
    max_rows = MAX_ROWS
    done_url_name = ""
    per_row = False  # True: the preview lets the user pick rows (see portal.sync)
    offers_template = True
    preview_template = "portal/import_preview.html"
    intro = ""  # the upload page's lead text; empty: the text for spreadsheet imports

    def scope(self, user):
        """What the resource may touch for `user` (e.g. one organisation); None: everything."""
        return None

    def allows(self, user):
        return self.access_rule is not None and self.access_rule.allows(user)

    def columns(self):
        return [Column(name) for name in self.allowed_columns()]

    def resource(self, user):
        return self.resource_class(user=user, scope=self.scope(user))

    def allowed_columns(self):
        return [f.column_name for f in self.resource_class().get_import_fields()]

    def load(self, content, file_name):
        return read_dataset(
            content,
            file_name,
            allowed=self.allowed_columns(),
            required=self.required_columns,
            max_rows=self.max_rows,
            skip_rows=self.help_rows(),
        )

    def stash(self, *, user, upload):
        content = upload.read()
        self.load(content, upload.name)  # refuse a bad file before keeping it
        return ImportUpload.objects.create(
            user=user, importer=self.key, file_name=upload.name[:255], content=content
        )

    def _import(self, stashed, *, dry_run):
        dataset = self.load(bytes(stashed.content), stashed.file_name)
        resource = self.resource(stashed.user)
        result = resource.import_data(
            dataset,
            dry_run=dry_run,
            use_transactions=True,
            rollback_on_validation_errors=True,
            retain_instance_in_row_result=True,
        )
        return summarise(result, dataset, resource), resource

    def dry_run(self, stashed):
        return self._import(stashed, dry_run=True)[0]

    def confirm(self, stashed, selected=None):
        """Import everything or nothing. Returns the Preview of what was done.

        `selected` (row ids the user ticked) is for importers with `per_row`.
        """
        with transaction.atomic():
            preview, resource = self._import(stashed, dry_run=False)
            if not preview.has_errors:
                stashed.delete()
                # Bulk saves send no model signals: say that the model's rows changed, so
                # that whatever listens (the public-page cache) learns of the import.
                post_import.send(sender=type(self), model=resource._meta.model)
        return preview

    def done_message(self, preview):
        return _("Imported: %(new)s new, %(update)s changed, %(skip)s unchanged.") % preview.totals

    def template_response(self, file_format):
        """A file to fill in: the column names, a row of accepted values, an example row."""
        columns = self.columns()
        rows = [
            [column.help for column in columns],
            [column.example for column in columns],
        ]
        return write_response(
            [column.name for column in columns],
            rows,
            file_format=file_format,
            basename=f"{self.key}-template",
            stamp=False,
        )

    def help_rows(self):
        """The template's row of accepted values in every language (skipped on import)."""
        rows = set()
        for code, _language in settings.LANGUAGES:
            with translation.override(code):
                rows.add(tuple(column.help for column in self.columns()))
        return rows


def summarise(result, dataset, resource=None):
    """One entry per data row: its row number in the file, values, kind, changes, messages.

    Resources must set `report_skipped = True` so that every row has a result.
    """
    numbers = getattr(dataset, "row_numbers", None) or range(2, len(dataset) + 2)
    failures = getattr(resource, "row_failures", {})
    rows = []
    for index, (number, values, row_result) in enumerate(
        zip(numbers, dataset.dict, result.rows, strict=False), start=1
    ):
        messages = []
        if row_result.validation_error is not None:
            for name, field_errors in row_result.validation_error.update_error_dict({}).items():
                prefix = "" if name == NON_FIELD_ERRORS else f"{name}: "
                messages += [prefix + message for message in ValidationError(field_errors).messages]
        messages += [_error_message(error.error) for error in row_result.errors]
        if index in failures:
            messages.append(failures[index])
        kind = "wrong" if messages else row_result.import_type
        changes = getattr(row_result.instance, "_import_changes", ())
        rows.append(
            {
                "number": number,
                "values": values,
                "kind": kind,
                "label": ROW_LABELS.get(kind, ROW_LABELS[RowResult.IMPORT_TYPE_INVALID]),
                "messages": messages,
                "changes": changes if kind == RowResult.IMPORT_TYPE_UPDATE else (),
            }
        )
    base_errors = [
        _error_message(error.error)
        for error in result.base_errors
        if not isinstance(error.error, _RowsFailed)
    ]
    totals = {kind: sum(row["kind"] == kind for row in rows) for kind in ("new", "update", "skip")}
    totals["wrong"] = sum(row["kind"] == "wrong" for row in rows)
    return Preview(
        rows=rows,
        totals=totals,
        has_errors=bool(base_errors) or bool(totals["wrong"]),
        base_errors=base_errors,
        warnings=list(getattr(dataset, "warnings", [])),
    )


def _error_message(error):
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    if isinstance(error, ValueError):
        return str(error)
    # Database errors and the like: no internals for the user.
    return _("This row could not be saved; check it for duplicates or missing values.")


# The registry


_importers = {}


class UnknownImporter(LookupError):
    pass


def register(importer):
    """Add an Importer (class or instance) under its key; returns it (usable as decorator)."""
    instance = importer() if isinstance(importer, type) else importer
    if not instance.key or instance.access_rule is None:
        raise ImproperlyConfigured(f"{importer!r} needs a key and an access_rule.")
    existing = _importers.get(instance.key)
    if existing is not None and type(existing) is not type(instance):
        raise ImproperlyConfigured(f"Two importers have the key {instance.key!r}.")
    _importers[instance.key] = instance
    return importer


def unregister(key):
    _importers.pop(key, None)


def get_importer(key):
    try:
        return _importers[key]
    except KeyError as error:
        raise UnknownImporter(key) from error


# Export


def neutralise(value):
    """Make a cell safe to open in a spreadsheet: no formula can start in it."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES) and not _NUMBER.match(value):
        return "'" + value
    return value


def export_response(resource, queryset, *, file_format, basename):
    """The resource's export of `queryset` as a download, read row by row from the database.

    The resource's `before_export(queryset)` may load what every row needs in one query;
    the queryset should not prefetch (import-export pages through prefetching querysets,
    one page of 100 rows at a time, so the number of queries would grow with the rows).
    """
    resource.before_export(queryset)
    queryset = resource.filter_export(queryset)
    columns = _export_functions(resource)
    rows = ([column(obj) for column in columns] for obj in resource.iter_queryset(queryset))
    return write_response(
        resource.get_export_headers(), rows, file_format=file_format, basename=basename
    )


def _export_functions(resource):
    """Per export column, the function that gives its value for an object.

    What import-export's `export_resource` does per cell (its `dehydrate_<field>` method, or
    else the field's attribute through its widget), looked up once instead of per cell: that
    lookup was most of the time of a large export.
    """
    functions = []
    for export_field in resource.get_export_fields():
        name = resource.get_field_name(export_field)
        method = getattr(resource, f"dehydrate_{name}", None)
        functions.append(method if callable(method) else export_field.export)
    return functions


def _xlsx(headers, rows):
    """A workbook of one sheet with `headers` and `rows`, every cell neutralised.

    openpyxl makes the workbook around the sheet; the sheet's XML is written here, row by
    row into the archive, because openpyxl's cell-by-cell writer took most of the time of a
    large export. Text goes in as inline strings, numbers as numbers.
    """
    skeleton = io.BytesIO()
    workbook = Workbook(write_only=True)
    workbook.create_sheet()
    workbook.save(skeleton)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(skeleton) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            if info.filename != _SHEET_PATH:
                target.writestr(info, source.read(info))
                continue
            with target.open(_SHEET_PATH, "w") as sheet:
                sheet.write(_SHEET_START.encode())
                chunk = [_xlsx_row(1, headers)]
                for number, row in enumerate(rows, start=2):
                    chunk.append(_xlsx_row(number, [neutralise(cell) for cell in row]))
                    if len(chunk) == 1000:
                        sheet.write("".join(chunk).encode())
                        chunk = []
                sheet.write(("".join(chunk) + _SHEET_END).encode())
    return out.getvalue()


_SHEET_PATH = "xl/worksheets/sheet1.xml"
_SHEET_START = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
_SHEET_END = "</sheetData></worksheet>"
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _xlsx_row(number, cells):
    parts = [f'<row r="{number}">']
    for column, value in enumerate(cells):
        ref = f"{_column_letter(column)}{number}"
        if value is None or value == "":
            continue
        if isinstance(value, bool):
            parts.append(f'<c r="{ref}" t="b"><v>{int(value)}</v></c>')
        elif isinstance(value, int | float | Decimal):
            parts.append(f'<c r="{ref}"><v>{value}</v></c>')
        else:
            text = xml_escape(_ILLEGAL_XML.sub("", str(value)))
            parts.append(
                f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'
            )
    parts.append("</row>")
    return "".join(parts)


@functools.cache
def _column_letter(index):
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def write_response(headers, rows, *, file_format, basename, stamp=True):
    """Rows as an XLSX or semicolon-CSV download, every cell neutralised."""
    name = f"{basename}-{timezone.localdate().isoformat()}" if stamp else basename
    if file_format == "xlsx":
        content = _xlsx(headers, rows)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        file_format = "csv"
        # Semicolons and a BOM: what Dutch Excel opens correctly with a double-click.
        buffer = io.StringIO(newline="")
        buffer.write("\ufeff")
        writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
        writer.writerow(headers)
        writer.writerows([neutralise(cell) for cell in row] for row in rows)
        content = buffer.getvalue()
        content_type = "text/csv; charset=utf-8"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}.{file_format}"'
    return response
