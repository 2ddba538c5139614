"""The registry kept true to DUO's public register of school boards and school locations.

DUO publishes its register as semicolon-separated CSV files (Windows-1252), one per sector
for the school locations ("vestigingen") and one of the school boards ("bevoegde gezagen").
The portal has no internet access at run time: the programme team downloads the files and
uploads them through the import flow (`portal.sync`), limited to the region:

- a location is in the region when its municipality (GEMEENTENUMMER, else GEMEENTENAAM) is
  one of the portal's municipalities marked as in the region;
- a board is in the region when it is seated there, is already in the portal, or runs one
  of the region's locations in the latest locations file of a sector.

Boards are matched by board number and locations by location code (BRIN and two digits),
never by name: a name only proposes a link, which the team confirms per row. The first sync
of a sector may leave locations waiting for a board that is not in the portal yet; sync the
boards file, then the locations file again. DUO's older column names (BRIN NUMMER,
VESTIGINGSNUMMER) are read too.
"""

import re
from dataclasses import dataclass

from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal import access
from portal.imports import Column, ImportFileError, cell_text
from portal.sync import Entry, SyncImporter, require_columns

from .models import Municipality, Organisation, RegisterSync, Sector

BOARD_NUMBER = re.compile(r"^\d{5}$")
LOCATION_CODE = re.compile(r"^\d{2}[A-Z]{2}\d{2}$")
ALIASES = {"brin nummer": "instellingscode", "vestigingsnummer": "vestigingscode"}
# DUO writes municipalities in capitals and The Hague by its official name.
MUNICIPALITY_NAMES = {"'s-gravenhage": "den haag", "s-gravenhage": "den haag"}

LOCATION_COLUMNS = (
    "bevoegd gezag nummer",
    "instellingscode",
    "vestigingscode",
    "vestigingsnaam",
    "gemeentenaam",
)
BOARD_COLUMNS = ("bevoegd gezag nummer", "bevoegd gezag naam", "gemeentenaam")


@dataclass(frozen=True)
class Layout:
    key: str
    title: str
    columns: tuple
    marker: str = ""  # a column only this sector's file has


LAYOUTS = {
    "po": Layout(
        "po",
        gettext_lazy("DUO's locations of primary schools (po)"),
        LOCATION_COLUMNS,
        "soort primair onderwijs",
    ),
    "vo": Layout(
        "vo",
        gettext_lazy("DUO's locations of secondary schools (vo)"),
        LOCATION_COLUMNS,
        "onderwijsstructuur",
    ),
    "mbo": Layout(
        "mbo", gettext_lazy("DUO's locations of vocational schools (mbo)"), LOCATION_COLUMNS
    ),
    "boards": Layout("boards", gettext_lazy("DUO's file of school boards"), BOARD_COLUMNS),
}


def read_headers(headers):
    """The file's column names with DUO's older names read as the current ones."""
    return [ALIASES.get(header, header) for header in headers]


def identify(headers):
    """Which of DUO's files the columns are: a key of LAYOUTS, or None."""
    if "vestigingscode" not in headers:
        return "boards" if "bevoegd gezag naam" in headers else None
    for layout in LAYOUTS.values():
        if layout.marker and layout.marker in headers:
            return layout.key
    return "mbo"


def municipality_key(name):
    name = " ".join(str(name).lower().split())
    return MUNICIPALITY_NAMES.get(name, name)


class _Municipalities:
    """The portal's municipalities by CBS number and by name."""

    def __init__(self):
        self.by_code, self.by_name = {}, {}
        for municipality in Municipality.objects.all():
            if municipality.cbs_code:
                self.by_code[municipality.cbs_code.upper().removeprefix("GM").zfill(4)] = (
                    municipality
                )
            self.by_name[municipality_key(municipality.name)] = municipality
        self.names = {m.pk: m.name for m in self.by_name.values()}

    def find(self, number, name):
        number = str(number).strip()
        if number.isdigit() and number.zfill(4) in self.by_code:
            return self.by_code[number.zfill(4)]
        return self.by_name.get(municipality_key(name))


def board_number(value):
    value = str(value).strip()
    return value.zfill(5) if value.isdigit() and len(value) < 5 else value


class DuoImporter(SyncImporter):
    """Shared by the boards file and the sectors' locations files."""

    layout = None
    model = Organisation
    access_rule = access.Rule([access.PROGRAMME_TEAM])
    done_url_name = "partners-organisation-list"
    max_rows = 50_000
    kind = Organisation.Kind.SCHOOL_LOCATION
    code_field = "brin"

    @property
    def title(self):
        return _("Sync with %(file)s") % {"file": self.layout.title}

    @property
    def intro(self):
        return _(
            "Upload the file as DUO publishes it (semicolon-separated CSV). You first see how "
            "the register differs from the portal; nothing changes until you confirm, all rows "
            "at once or the rows you tick. Rows outside the region are left out."
        )

    def columns(self):
        return [
            Column(column.upper(), _("A column of DUO's file."), required=True)
            for column in self.layout.columns
        ]

    def load(self, content, file_name):
        dataset = super().load(content, file_name)
        dataset.headers = read_headers(dataset.headers)
        return dataset

    def check_layout(self, headers):
        headers = read_headers(headers)
        found = identify(headers)
        if found == "mbo" and self.layout.marker:
            found = None  # no sector's column: say which one is missing
        if found is not None and found != self.layout.key:
            raise ImportFileError(
                _("This file is %(found)s, not %(expected)s. Upload it under “%(title)s”.")
                % {
                    "found": LAYOUTS[found].title,
                    "expected": self.layout.title,
                    "title": get_duo_importer(found).title,
                }
            )
        required = self.layout.columns + ((self.layout.marker,) if self.layout.marker else ())
        require_columns(headers, required, what=self.layout.title)

    # The comparison

    def context(self):
        ctx = super().context()
        ctx.municipalities = _Municipalities()
        ctx.names = dict(Organisation.objects.values_list(Lower("name"), "pk"))
        ctx.synced = []
        return ctx

    def match(self, entries, ctx):
        # Asked by settle_names and by the comparison: loaded once per comparison.
        if getattr(ctx, "matched", None) is None:
            codes = [entry.key for entry in entries]
            found = Organisation.objects.filter(**{f"{self.code_field}__in": codes})
            ctx.matched = {getattr(obj, self.code_field): obj for obj in found}
        return ctx.matched

    def link_candidate(self, entry, ctx):
        return entry.link

    def settle_names(self, entries, ctx):
        """Find each entry's record or link candidate, then give it a name unique in the
        registry (the register's own name where no other organisation has it)."""
        matched = self.match(entries, ctx)
        unlinked = {
            name: obj
            for obj in Organisation.objects.filter(kind=self.kind, **{self.code_field: ""})
            for name in [obj.name.lower()]
        }
        for entry in entries:
            name = entry.shown["name"]
            own = matched.get(entry.key)
            if own is None and not entry.messages:
                entry.link = unlinked.get(name.lower())
                own = entry.link
            owner = own.pk if own else ("new", entry.key)
            chosen = self.unique_name(name, entry.place, entry.key, ctx, owner)
            ctx.names.setdefault(chosen.lower(), owner)
            entry.values["name"] = chosen

    def base_values(self, obj):
        return obj.register_values or None

    def display(self, field, value, ctx):
        if value in (None, ""):
            return ""
        if field == "municipality":
            return ctx.municipalities.names.get(value, str(value))
        if field == "parent":
            return ctx.board_names.get(value, str(value))
        return str(value)

    def key_of(self, obj):
        return getattr(obj, self.code_field)

    def unique_name(self, name, place, code, ctx, own_pk=None):
        """The register's name, or with its place (then its code) when another
        organisation in the portal already has it: names are unique in the registry."""
        for candidate in (name, f"{name} ({place.title()})", f"{name} ({code})"):
            taken = ctx.names.get(candidate.lower())
            if taken is None or taken == own_pk:
                return candidate
        return f"{name} ({code})"

    # Applying

    def update(self, obj, entry, fields, ctx):
        setattr(obj, self.code_field, entry.key)
        for field in fields:
            attribute = f"{field}_id" if field in ("municipality", "parent") else field
            setattr(obj, attribute, entry.values[field])
        obj.full_clean(validate_unique=False, validate_constraints=False)
        obj.save()

    def retire(self, obj, ctx):
        obj.active = False
        obj.save(update_fields=["active", "updated_at"])

    def remember(self, obj, entry, ctx):
        values = dict(entry.values, **self.extra_register_values())
        if obj.register_values != values:
            obj.register_values = values
            obj.save(update_fields=["register_values", "updated_at"])
        ctx.synced.append(obj.pk)

    def extra_register_values(self):
        return {}

    def finish(self, rows, applied, stashed, ctx):
        Organisation.objects.filter(pk__in=ctx.synced).update(register_synced_at=timezone.now())
        RegisterSync.objects.create(
            importer=self.key,
            file_name=stashed.file_name[:255],
            synced_by=stashed.user,
            board_numbers=sorted(getattr(ctx, "board_numbers", ())),
            applied=applied,
        )


class LocationsImporter(DuoImporter):
    """A sector's file of school locations."""

    fields = {
        "name": gettext_lazy("name"),
        "municipality": gettext_lazy("municipality"),
        "parent": gettext_lazy("board"),
    }

    def __init__(self, sector):
        self.sector = sector
        self.layout = LAYOUTS[sector]
        self.key = f"duo-{sector}"

    def entries(self, dataset, ctx):
        boards, ctx.board_names = {}, {}
        for pk, number, name in Organisation.objects.filter(
            kind=Organisation.Kind.SCHOOL_BOARD
        ).values_list("pk", "board_number", "name"):
            ctx.board_names[pk] = name
            if number:
                boards[number] = pk
        ctx.board_numbers = set()
        entries, outside, seen = [], 0, {}
        numbers = dataset.row_numbers
        for number, row in zip(numbers, dataset.dict, strict=True):
            municipality = ctx.municipalities.find(
                cell_text(row, "gemeentenummer"), cell_text(row, "gemeentenaam")
            )
            if municipality is None or not municipality.in_region:
                outside += 1
                continue
            code = cell_text(row, "vestigingscode").upper()
            board = board_number(cell_text(row, "bevoegd gezag nummer"))
            name = " ".join(cell_text(row, "vestigingsnaam").split())
            entry = Entry(number=number, key=code, values={}, shown={"name": name or code})
            entry.place = cell_text(row, "plaatsnaam")
            if not LOCATION_CODE.match(code):
                entry.messages.append(
                    _("“%(code)s” is not a location code (two digits, two letters, two digits).")
                    % {"code": code}
                )
            if not BOARD_NUMBER.match(board):
                entry.messages.append(
                    _("“%(number)s” is not a board number (five digits).") % {"number": board}
                )
            if not name:
                entry.messages.append(_("The location has no name."))
            if code in seen:
                entry.messages.append(
                    _("The code %(code)s is also on row %(row)s.")
                    % {"code": code, "row": seen[code]}
                )
            seen.setdefault(code, number)
            if BOARD_NUMBER.match(board):
                ctx.board_numbers.add(board)
            entry.values = {
                "name": name,
                "municipality": municipality.pk,
                "parent": boards.get(board),
            }
            if not entry.messages and entry.values["parent"] is None:
                entry.waiting = _(
                    "Its board %(number)s is not in the portal yet: sync DUO's file of school "
                    "boards, then this file again."
                ) % {"number": board}
            entries.append(entry)
        self.settle_names(entries, ctx)
        return entries, outside

    def portal_values(self, obj, ctx):
        return {"name": obj.name, "municipality": obj.municipality_id, "parent": obj.parent_id}

    def gone(self, ctx):
        return (
            Organisation.objects.filter(
                kind=Organisation.Kind.SCHOOL_LOCATION, active=True, municipality__in_region=True
            )
            .exclude(brin="")
            .filter(Q(register_values__sector=self.sector) | Q(sectors__code=self.sector))
            .distinct()
            .order_by("name")
        )

    def extra_register_values(self):
        return {"sector": self.sector}

    def create(self, entry, ctx):
        obj = Organisation(
            name=entry.values["name"],
            kind=Organisation.Kind.SCHOOL_LOCATION,
            brin=entry.key,
            municipality_id=entry.values["municipality"],
            parent_id=entry.values["parent"],
        )
        obj.full_clean(validate_unique=False, validate_constraints=False)
        obj.save()
        ctx.names[obj.name.lower()] = obj.pk
        return obj

    def finish(self, rows, applied, stashed, ctx):
        sector = Sector.objects.filter(code=self.sector).first()
        if sector is not None:
            # The synced locations and their boards are in the sector: one insert.
            boards = Organisation.objects.filter(pk__in=ctx.synced).values_list("parent", flat=True)
            through = Organisation.sectors.through
            through.objects.bulk_create(
                [
                    through(organisation_id=pk, sector_id=sector.pk)
                    for pk in {*ctx.synced, *boards} - {None}
                ],
                ignore_conflicts=True,
            )
        super().finish(rows, applied, stashed, ctx)


class BoardsImporter(DuoImporter):
    """DUO's file of school boards (bevoegde gezagen)."""

    key = "duo-boards"
    layout = LAYOUTS["boards"]
    kind = Organisation.Kind.SCHOOL_BOARD
    code_field = "board_number"
    fields = {"name": gettext_lazy("name"), "municipality": gettext_lazy("municipality")}

    def entries(self, dataset, ctx):
        known = set(
            Organisation.objects.exclude(board_number="").values_list("board_number", flat=True)
        )
        for key in LAYOUTS:
            latest = RegisterSync.objects.filter(importer=f"duo-{key}").first()
            if latest is not None:
                known.update(latest.board_numbers)
        entries, outside, seen = [], 0, {}
        for number, row in zip(dataset.row_numbers, dataset.dict, strict=True):
            code = board_number(cell_text(row, "bevoegd gezag nummer"))
            municipality = ctx.municipalities.find(
                cell_text(row, "gemeentenummer"), cell_text(row, "gemeentenaam")
            )
            in_region = municipality is not None and municipality.in_region
            if code not in known and not in_region:
                outside += 1
                continue
            name = " ".join(cell_text(row, "bevoegd gezag naam").split())
            entry = Entry(number=number, key=code, values={}, shown={"name": name or code})
            entry.place = str(ctx.municipalities.names.get(getattr(municipality, "pk", None), ""))
            if not BOARD_NUMBER.match(code):
                entry.messages.append(
                    _("“%(number)s” is not a board number (five digits).") % {"number": code}
                )
            if not name:
                entry.messages.append(_("The board has no name."))
            if code in seen:
                entry.messages.append(
                    _("The board number %(number)s is also on row %(row)s.")
                    % {"number": code, "row": seen[code]}
                )
            seen.setdefault(code, number)
            entry.values = {
                "name": name,
                "municipality": municipality.pk if municipality else None,
            }
            entries.append(entry)
        self.settle_names(entries, ctx)
        return entries, outside

    def portal_values(self, obj, ctx):
        return {"name": obj.name, "municipality": obj.municipality_id}

    def gone(self, ctx):
        # DUO publishes the boards per sector, so a board missing from one file may be in
        # another: only a synced board that runs no active location any more is gone.
        return (
            Organisation.objects.filter(kind=Organisation.Kind.SCHOOL_BOARD, active=True)
            .exclude(board_number="")
            .exclude(register_values={})
            .exclude(locations__active=True)
            .order_by("name")
        )

    def create(self, entry, ctx):
        obj = Organisation(
            name=entry.values["name"],
            kind=Organisation.Kind.SCHOOL_BOARD,
            board_number=entry.key,
            municipality_id=entry.values["municipality"],
        )
        obj.full_clean(validate_unique=False, validate_constraints=False)
        obj.save()
        ctx.names[obj.name.lower()] = obj.pk
        return obj


_importers = {}


def duo_importers():
    """The DUO importers: the boards file and one per sector's locations."""
    if not _importers:
        _importers["boards"] = BoardsImporter()
        for sector in ("po", "vo", "mbo"):
            _importers[sector] = LocationsImporter(sector)
    return list(_importers.values())


def get_duo_importer(layout_key):
    duo_importers()
    return _importers[layout_key]
