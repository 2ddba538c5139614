"""Keeping portal records true to an outside register, through the import flow.

A `SyncImporter` is an `Importer` (upload → preview → confirm, registered the same way)
for files that another party keeps, such as DUO's register of schools. It differs from a
plain import in three ways:

- The preview compares the register with the portal per record, and also lists the
  records in the portal's scope that are no longer in the register ("gone").
- A record remembers the register's values as they were when the portal last took them
  over (its *base*). A field the register changed while the portal kept the base is
  "changed"; a field the register changed while someone also edited it in the portal is a
  "conflict": the portal's value is never overwritten unless the team picks that row. A
  field only the portal changed stays as the portal has it.
- The team confirms all rows at once (new, changed and gone, never conflicts or proposed
  links) or only the rows it ticks; either way in one transaction.

Subclasses describe the register (see the hooks below); `partners.duo` is the example.
"""

from dataclasses import dataclass, field
from types import SimpleNamespace

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.imports import Importer, ImportFileError, Preview, constraint_message, read_dataset

NEW = "new"
CHANGED = "update"
CONFLICT = "conflict"
LINK = "link"
GONE = "gone"
WAITING = "waiting"
UNCHANGED = "skip"
WRONG = "wrong"

KINDS = (WRONG, CONFLICT, LINK, CHANGED, GONE, NEW, WAITING, UNCHANGED)
# What "confirm all" applies; conflicts and links need a tick of their own.
APPLIED_BY_ALL = (NEW, CHANGED, GONE)
SELECTABLE = (NEW, CHANGED, CONFLICT, LINK, GONE)

SYNC_LABELS = {
    NEW: gettext_lazy("new"),
    CHANGED: gettext_lazy("changed"),
    CONFLICT: gettext_lazy("conflict"),
    LINK: gettext_lazy("same name"),
    GONE: gettext_lazy("no longer in the register"),
    WAITING: gettext_lazy("waiting"),
    UNCHANGED: gettext_lazy("unchanged"),
    WRONG: gettext_lazy("wrong"),
}


@dataclass
class Entry:
    """One record of the register file, as the portal would store it."""

    number: int  # the row number in the file
    key: str  # the register's identifier (a board number, a location code)
    values: dict  # field → value, in the portal's terms (ids for relations)
    shown: dict = field(default_factory=dict)  # field → text, for the preview
    messages: list = field(default_factory=list)  # errors: the row is wrong
    waiting: str = ""  # why the row cannot be applied yet (not an error)
    place: str = ""  # where it is, to tell apart records of the same name
    link: object = None  # a record without a key that has the same name


@dataclass
class Change:
    field: str
    label: str
    old: str
    new: str
    conflict: bool = False  # the portal's own value, kept unless the row is ticked


@dataclass
class SyncRow:
    id: str  # "r<number>" for a file row, "g<pk>" for a record that is gone
    number: object
    key: str
    name: str
    kind: str
    changes: list = field(default_factory=list)
    messages: list = field(default_factory=list)
    entry: Entry = None
    obj: object = None

    @property
    def label(self):
        return SYNC_LABELS[self.kind]

    @property
    def selectable(self):
        return self.kind in SELECTABLE


@dataclass
class SyncPreview(Preview):
    outside: int = 0  # register rows outside the portal's scope (e.g. the region)

    @property
    def shown(self):
        listed = [row for row in self.rows if row.kind != UNCHANGED]
        listed.sort(key=lambda row: KINDS.index(row.kind))
        return listed[: self.limit]

    @property
    def not_shown(self):
        return sum(row.kind != UNCHANGED for row in self.rows) - len(self.shown)

    limit = 500


class SyncImporter(Importer):
    """An import that keeps portal records true to an outside register.

    Subclasses set `fields` (field → label) and implement the hooks. Importers are shared
    by every request, so what one comparison loads lives in `ctx`, a fresh object per
    comparison that `context()` returns and every hook receives:
    - `entries(dataset, ctx)`: (entries in scope, count of rows outside it);
    - `match(entries, ctx)`: key → the portal's record, for the entries' keys;
    - `link_candidate(entry, ctx)`: an unmatched record the entry may be (same name, no key);
    - `gone(ctx)`: the records in scope; those the file does not hold are gone;
    - `portal_values(obj, ctx)`, `base_values(obj)` (None: never synced),
      `display(field, value, ctx)`, `key_of(obj)`;
    - `create(entry, ctx)`, `update(obj, entry, fields, ctx)`, `retire(obj, ctx)`,
      `remember(obj, entry, ctx)` and `finish(rows, applied, stashed, ctx)`.
    """

    per_row = True
    offers_template = False
    preview_template = "portal/sync_preview.html"
    model = None  # the model the records are, for the messages of its constraints
    fields = {}

    def columns(self):
        return []

    def load(self, content, file_name):
        dataset = read_dataset(content, file_name, max_rows=self.max_rows)
        self.check_layout(list(dataset.headers))
        return dataset

    def check_layout(self, headers):
        """Raise ImportFileError when the file is not the register file this import reads."""

    # The comparison

    def context(self):
        return SimpleNamespace()

    def compare(self, dataset, ctx):
        entries, outside = self.entries(dataset, ctx)
        matched = self.match(entries, ctx)
        rows, seen = [], set()
        for entry in entries:
            obj = matched.get(entry.key)
            rows.append(self._row(entry, obj, ctx))
            if obj is not None:
                seen.add(obj.pk)
        for obj in self.gone(ctx):
            if obj.pk not in seen:
                rows.append(
                    SyncRow(
                        id=f"g{obj.pk}",
                        number="–",
                        key=self.key_of(obj),
                        name=str(obj),
                        kind=GONE,
                        obj=obj,
                    )
                )
        return rows, outside

    def _row(self, entry, obj, ctx):
        row = SyncRow(
            id=f"r{entry.number}",
            number=entry.number,
            key=entry.key,
            name=entry.shown.get("name", entry.key),
            kind=UNCHANGED,
            entry=entry,
            obj=obj,
        )
        if entry.messages:
            row.kind, row.messages = WRONG, entry.messages
            return row
        if entry.waiting:
            row.kind, row.messages = WAITING, [entry.waiting]
            return row
        if obj is None:
            candidate = self.link_candidate(entry, ctx)
            if candidate is not None:
                row.kind, row.obj = LINK, candidate
                row.messages = [
                    _(
                        "“%(name)s” in the portal has the same name but no code yet. Tick "
                        "this row if it is the same organisation: it then gets the code %(key)s."
                    )
                    % {"name": candidate, "key": entry.key}
                ]
                row.changes = self._changes(entry, candidate, None, ctx)
            else:
                row.kind = NEW
            return row
        row.changes = self._changes(entry, obj, self.base_values(obj), ctx)
        if any(change.conflict for change in row.changes):
            row.kind = CONFLICT
        elif row.changes:
            row.kind = CHANGED
        return row

    def _changes(self, entry, obj, base, ctx):
        """The fields to change, with conflicts: three-way, against the base."""
        portal = self.portal_values(obj, ctx)
        changes = []
        for name, label in self.fields.items():
            register, current = entry.values.get(name), portal.get(name)
            if register == current:
                continue
            if base is None:
                # Never synced: who typed the portal's value is unknown, so it may be a
                # partner's own edit. Only an empty portal field is simply filled in.
                conflict = current not in (None, "")
            else:
                if register == base.get(name):
                    continue  # only the portal changed it: the portal's edit stands
                conflict = current != base.get(name)
            changes.append(
                Change(
                    field=name,
                    label=str(label),
                    old=self.display(name, current, ctx),
                    new=self.display(name, register, ctx),
                    conflict=conflict,
                )
            )
        return changes

    # The flow

    def dry_run(self, stashed):
        dataset = self.load(bytes(stashed.content), stashed.file_name)
        rows, outside = self.compare(dataset, self.context())
        return self._preview(rows, outside, dataset)

    def confirm(self, stashed, selected=None):
        """Apply the rows: all that `APPLIED_BY_ALL` names, or only the `selected` row ids."""
        with transaction.atomic():
            dataset = self.load(bytes(stashed.content), stashed.file_name)
            ctx = self.context()
            rows, outside = self.compare(dataset, ctx)
            preview = self._preview(rows, outside, dataset)
            if preview.has_errors:
                return preview
            applied = dict.fromkeys(SELECTABLE, 0)
            try:
                with transaction.atomic():
                    for row in rows:
                        chosen = (
                            row.kind in APPLIED_BY_ALL if selected is None else row.id in selected
                        )
                        if chosen and row.selectable:
                            self._apply(row, ctx)
                            applied[row.kind] += 1
                        elif row.kind == UNCHANGED:
                            self.remember(row.obj, row.entry, ctx)
                    self.finish(rows, applied, stashed, ctx)
            except (IntegrityError, ValidationError) as error:
                # Someone changed the registry between the preview and the confirm.
                raise ImportFileError(
                    _(
                        "The register could not be applied, so nothing has been changed: "
                        "%(reason)s Upload the file again to see the differences anew."
                    )
                    % {"reason": self._reason(error)}
                ) from error
            stashed.delete()
        preview.applied = applied
        return preview

    def _reason(self, error):
        if isinstance(error, ValidationError):
            return " ".join(error.messages)
        return constraint_message(self.model, error)

    def _apply(self, row, ctx):
        if row.kind == NEW:
            obj = self.create(row.entry, ctx)
        elif row.kind == GONE:
            self.retire(row.obj, ctx)
            return
        else:
            obj = row.obj
            self.update(obj, row.entry, [change.field for change in row.changes], ctx)
        self.remember(obj, row.entry, ctx)

    def finish(self, rows, applied, stashed, ctx):
        """Called inside the confirm's transaction, after the rows are applied."""

    def _preview(self, rows, outside, dataset):
        totals = {kind: sum(row.kind == kind for row in rows) for kind in KINDS}
        return SyncPreview(
            rows=rows,
            totals=totals,
            has_errors=bool(totals[WRONG]),
            base_errors=[],
            warnings=list(getattr(dataset, "warnings", [])),
            outside=outside,
        )

    def done_message(self, preview):
        return (
            _(
                "Applied: %(new)s new, %(update)s changed, %(link)s linked, %(gone)s no longer "
                "in the register. Conflicts not picked stay as they are in the portal."
            )
            % preview.applied
        )

    def key_of(self, obj):
        return ""


def require_columns(headers, required, *, what):
    """Refuse a register file that lacks columns of its layout, naming them."""
    missing = [column for column in required if column not in headers]
    if missing:
        raise ImportFileError(
            _(
                "This is not %(what)s: these columns are missing: %(missing)s. Upload the "
                "file as it is published, without changing its columns."
            )
            % {"what": what, "missing": ", ".join(column.upper() for column in missing)}
        )
