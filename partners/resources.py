"""Import and export of organisations and signatures (django-import-export).

Column names are Dutch, as the spreadsheets the programme team keeps. Values accept codes
and the Dutch or English labels. The organisation import validates in memory against
lookups loaded once, and saves in bulk, so a file of thousands of rows takes a handful of
queries instead of several per row.
"""

import re

from django.core.exceptions import ValidationError
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from import_export import fields, resources
from import_export.instance_loaders import BaseInstanceLoader

from portal.imports import (
    DutchDateWidget,
    ImportResourceMixin,
    cell_text,
    choice_lookup,
    parse_bool,
)
from portal.workflow import TransitionNotAllowed

from .models import Agreement, Municipality, Organisation, Sector, Signature
from .services import signature_change_status, signature_save_new

LIST_SEPARATORS = re.compile(r"[,;/+\s]+")


def _key(value):
    return str(value or "").strip().lower()


def _valid_for_field(attribute, value, errors, *, column):
    """Run the model field's own validators; on failure put their messages under `column`."""
    try:
        Organisation._meta.get_field(attribute).run_validators(value)
    except ValidationError as error:
        errors[column] = " ".join(error.messages)
        return False
    return True


class OrganisationLoader(BaseInstanceLoader):
    """Loads, in one query, the existing organisations the file names."""

    def __init__(self, resource, dataset=None):
        super().__init__(resource, dataset)
        names = {_key(name) for name in dataset["naam"]} if "naam" in dataset.headers else set()
        existing = (
            Organisation.objects.annotate(lower_name=Lower("name"))
            .filter(lower_name__in=names)
            .prefetch_related("sectors")
        )
        self.by_name = {}
        for organisation in existing:
            organisation._snapshot = resource.snapshot(organisation)
            self.by_name[organisation.lower_name] = organisation

    def get_instance(self, row):
        return self.by_name.get(_key(row.get("naam")))


class OrganisationResource(ImportResourceMixin, resources.ModelResource):
    name = fields.Field(attribute="name", column_name="naam")
    kind = fields.Field(column_name="soort")
    sectors = fields.Field(column_name="sectoren")
    municipality = fields.Field(column_name="gemeente")
    parent = fields.Field(column_name="bestuur")
    board_number = fields.Field(attribute="board_number", column_name="bestuursnummer")
    brin = fields.Field(attribute="brin", column_name="brin")
    website = fields.Field(attribute="website", column_name="website")
    active = fields.Field(column_name="actief")

    TRACKED = (
        "name",
        "kind",
        "municipality_id",
        "parent_id",
        "board_number",
        "brin",
        "website",
        "active",
    )

    class Meta:
        model = Organisation
        fields = (
            "name",
            "kind",
            "sectors",
            "municipality",
            "parent",
            "board_number",
            "brin",
            "website",
            "active",
        )
        import_id_fields = ("name",)
        instance_loader_class = OrganisationLoader
        use_bulk = True
        batch_size = 1000
        skip_unchanged = True
        report_skipped = True
        skip_diff = True
        clean_model_instances = False

    # Export

    def get_export_queryset(self, request=None):
        # No prefetch_related: import-export would page through it 100 rows at a time.
        return Organisation.objects.select_related("municipality", "parent").order_by("name")

    def before_export(self, queryset, **kwargs):
        """The sector codes of every exported organisation, in one query; labels once."""
        self.kind_labels = {value: str(label) for value, label in Organisation.Kind.choices}
        self.yes_no = {True: _("yes"), False: _("no")}
        self.sector_codes = {}
        pairs = Organisation.sectors.through.objects.filter(
            organisation_id__in=queryset.values("pk")
        ).values_list("organisation_id", "sector__code")
        for organisation_id, code in pairs.order_by("sector__position", "sector__code"):
            self.sector_codes.setdefault(organisation_id, []).append(code)

    def dehydrate_kind(self, organisation):
        labels = getattr(self, "kind_labels", None)
        return labels[organisation.kind] if labels else organisation.get_kind_display()

    def dehydrate_sectors(self, organisation):
        codes = getattr(self, "sector_codes", None)
        if codes is None:
            return ", ".join(sector.code for sector in organisation.sectors.all())
        return ", ".join(codes.get(organisation.pk, ()))

    def dehydrate_municipality(self, organisation):
        return organisation.municipality.name if organisation.municipality else ""

    def dehydrate_parent(self, organisation):
        return organisation.parent.name if organisation.parent else ""

    def dehydrate_active(self, organisation):
        yes_no = getattr(self, "yes_no", None) or {True: _("yes"), False: _("no")}
        return yes_no[organisation.active]

    # Import

    def snapshot(self, organisation):
        values = {field: getattr(organisation, field) for field in self.TRACKED}
        values["sector_ids"] = frozenset(s.pk for s in organisation.sectors.all())
        return values

    def before_import(self, dataset, **kwargs):
        self.kinds = choice_lookup(Organisation.Kind)
        self.sector_ids = {sector.code: sector.pk for sector in Sector.objects.all()}
        self.municipalities = {m.name.lower(): m for m in Municipality.objects.all()}
        boards = Organisation.objects.filter(kind=Organisation.Kind.SCHOOL_BOARD)
        self.boards = {board.name.lower(): board for board in boards}
        self.boards.update({board.board_number: board for board in boards if board.board_number})
        self.board_names = {board.pk: board.name for board in boards}
        self.municipality_names = {m.pk: m.name for m in self.municipalities.values()}
        self.sector_code_of = {pk: code for code, pk in self.sector_ids.items()}
        identifiers = Organisation.objects.exclude(board_number="", brin="").values_list(
            "pk", "board_number", "brin"
        )
        self.board_numbers = {number: pk for pk, number, _brin in identifiers if number}
        self.brins = {brin: pk for pk, _number, brin in identifiers if brin}
        self.names_in_file = {}
        self.new_board_names = set()
        self.saved = []

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        number = self.line(kwargs.get("row_number", 0))
        name = cell_text(row, "naam")
        if not name:
            errors["naam"] = _("Fill in the organisation's name.")
        elif _valid_for_field("name", name, errors, column="naam"):
            if _key(name) in self.names_in_file:
                errors["naam"] = _("“%(name)s” is already in this file, in row %(row)s.") % {
                    "name": name,
                    "row": self.names_in_file[_key(name)],
                }
            else:
                self.names_in_file[_key(name)] = number
                instance.name = instance.name if instance.pk else name
        if "soort" in row or instance.pk is None:
            self._import_kind(instance, cell_text(row, "soort"), errors)
        if "sectoren" in row:
            self._import_sectors(instance, cell_text(row, "sectoren"), errors)
        if "gemeente" in row:
            self._import_municipality(instance, cell_text(row, "gemeente"), errors)
        if "bestuur" in row:
            self._import_parent(instance, cell_text(row, "bestuur"), errors)
        if "bestuursnummer" in row:
            self._import_identifier(
                instance,
                "board_number",
                cell_text(row, "bestuursnummer"),
                self.board_numbers,
                errors,
                column="bestuursnummer",
                taken=gettext_lazy(
                    "Board number %(value)s already belongs to another organisation."
                ),
            )
        if "brin" in row:
            self._import_identifier(
                instance,
                "brin",
                cell_text(row, "brin").upper().replace(" ", ""),
                self.brins,
                errors,
                column="brin",
                taken=gettext_lazy("BRIN %(value)s already belongs to another organisation."),
            )
        if "website" in row:
            self._import_website(instance, cell_text(row, "website"), errors)
        if "actief" in row:
            try:
                instance.active = parse_bool(row.get("actief"))
            except ValueError as error:
                errors["actief"] = str(error)
        if not errors:
            self._check_parent_kind(instance, errors)
        if not errors and instance.parent_id is None and getattr(instance, "_new_parent", None):
            errors["bestuur"] = _(
                "This board is new in the same file. Import the boards first, then their locations."
            )
        if not errors and instance.pk is None and instance.kind == Organisation.Kind.SCHOOL_BOARD:
            self.new_board_names.add(_key(instance.name))
        if errors:
            raise ValidationError(errors)

    def _check_parent_kind(self, instance, errors):
        """The database's check, in memory: only a school location belongs to a board."""
        if instance.parent_id and instance.kind != Organisation.Kind.SCHOOL_LOCATION:
            errors["soort"] = _(
                "Only a school location belongs to a board, and this organisation belongs to "
                "“%(board)s”. Keep the kind school location, or empty the column bestuur."
            ) % {"board": self.board_names.get(instance.parent_id, instance.parent_id)}

    def _import_kind(self, instance, value, errors):
        if not value:
            errors["soort"] = _("Fill in the kind of organisation.")
        elif _key(value) not in self.kinds:
            errors["soort"] = _("Unknown kind “%(value)s”. Use one of: %(choices)s.") % {
                "value": value,
                "choices": ", ".join(str(c.label) for c in Organisation.Kind),
            }
        else:
            instance.kind = self.kinds[_key(value)]

    def _import_sectors(self, instance, value, errors):
        codes = [code for code in LIST_SEPARATORS.split(value.lower()) if code]
        unknown = [code for code in codes if code not in self.sector_ids]
        if unknown:
            errors["sectoren"] = _("Unknown sectors: %(unknown)s. Use: %(codes)s.") % {
                "unknown": ", ".join(unknown),
                "codes": ", ".join(self.sector_ids),
            }
        instance._sector_ids = frozenset(self.sector_ids[c] for c in codes if c in self.sector_ids)

    def _import_municipality(self, instance, value, errors):
        if not value:
            instance.municipality = None
        elif _key(value) not in self.municipalities:
            errors["gemeente"] = _("Unknown municipality “%(value)s”.") % {"value": value}
        else:
            instance.municipality = self.municipalities[_key(value)]

    def _import_parent(self, instance, value, errors):
        instance._new_parent = False
        if not value:
            instance.parent = None
            return
        board = self.boards.get(_key(value))
        if board is None:
            if _key(value) in self.new_board_names:
                instance._new_parent = True
                instance.parent = None
            else:
                errors["bestuur"] = _(
                    "No school board “%(value)s” is known. Use its exact name or board number."
                ) % {"value": value}
            return
        if getattr(instance, "kind", "") != Organisation.Kind.SCHOOL_LOCATION:
            errors["bestuur"] = _(
                "Only a school location belongs to a board; set the kind to "
                "school location or leave this column empty."
            )
            return
        instance.parent = board

    def _import_identifier(self, instance, attribute, value, taken_by, errors, *, column, taken):
        """Validate an identifier with the model field's own validators, and check it is free."""
        if value and not _valid_for_field(attribute, value, errors, column=column):
            return
        owner = taken_by.get(value)
        if value and owner is not None and owner != (instance.pk or id(instance)):
            errors[column] = taken % {"value": value}
            return
        if value:
            taken_by[value] = instance.pk or id(instance)
        setattr(instance, attribute, value)

    def _import_website(self, instance, value, errors):
        if value and "://" not in value:
            value = "https://" + value  # as the form does (https_by_default)
        if not value or _valid_for_field("website", value, errors, column="website"):
            instance.website = value

    def get_bulk_update_fields(self):
        # The name identifies the row and never changes; what the import can change is tracked.
        return [field for field in self.TRACKED if field != "name"] + ["updated_at"]

    def before_save_instance(self, instance, row, **kwargs):
        instance.updated_at = timezone.now()

    def skip_row(self, instance, original, row, import_validation_errors=None):
        snapshot = getattr(instance, "_snapshot", None)
        if import_validation_errors or snapshot is None:
            return False
        current = {field: getattr(instance, field) for field in self.TRACKED}
        current["sector_ids"] = getattr(instance, "_sector_ids", snapshot["sector_ids"])
        instance._import_changes = [
            (column, self._show(field, snapshot[field]), self._show(field, current[field]))
            for field, column in self.COLUMNS.items()
            if snapshot[field] != current[field]
        ]
        return current == snapshot

    COLUMNS = {
        "kind": "soort",
        "sector_ids": "sectoren",
        "municipality_id": "gemeente",
        "parent_id": "bestuur",
        "board_number": "bestuursnummer",
        "brin": "brin",
        "website": "website",
        "active": "actief",
    }

    def _show(self, field, value):
        """A tracked value as the preview shows it: labels and names instead of keys."""
        if field == "kind":
            return str(Organisation.Kind(value).label) if value else ""
        if field == "sector_ids":
            return ", ".join(sorted(self.sector_code_of.get(pk, str(pk)) for pk in value))
        if field == "municipality_id":
            return self.municipality_names.get(value, "") if value else ""
        if field == "parent_id":
            return self.board_names.get(value, str(value)) if value else ""
        if field == "active":
            return _("yes") if value else _("no")
        return value

    def after_save_instance(self, instance, row, **kwargs):
        self.saved.append(instance)

    def after_import(self, dataset, result, **kwargs):
        """Sectors and history, in bulk, for what the bulk save created or changed.

        Not in a dry run: these rows cannot fail on their own (their keys were just saved),
        and the preview would write and roll back half the import's rows for nothing.
        """
        if kwargs.get("dry_run") or result.has_validation_errors() or result.has_errors():
            return
        through = Organisation.sectors.through
        with_sectors = [o for o in self.saved if hasattr(o, "_sector_ids")]
        # Only organisations that existed before can have sector rows to replace.
        replaced = [o.pk for o in with_sectors if hasattr(o, "_snapshot")]
        if replaced:
            through.objects.filter(organisation_id__in=replaced).delete()
        through.objects.bulk_create(
            [
                through(organisation_id=o.pk, sector_id=s)
                for o in with_sectors
                for s in o._sector_ids
            ],
            batch_size=2000,
        )
        created = [o for o in self.saved if not hasattr(o, "_snapshot")]
        updated = [o for o in self.saved if hasattr(o, "_snapshot")]
        for objs, update in ((created, False), (updated, True)):
            if objs:
                Organisation.history.bulk_history_create(
                    objs,
                    batch_size=1000,
                    update=update,
                    default_user=self.user,
                    default_change_reason=pgettext("change reason", "Import"),
                )


class SignatureResource(ImportResourceMixin, resources.ModelResource):
    organisation = fields.Field(column_name="organisatie")
    agreement = fields.Field(column_name="overeenkomst")
    status = fields.Field(column_name="status")
    signed_on = fields.Field(attribute="signed_on", column_name="datum", widget=DutchDateWidget())
    signed_by = fields.Field(attribute="signed_by", column_name="ondertekend_door")

    class Meta:
        model = Signature
        fields = ("organisation", "agreement", "status", "signed_on", "signed_by")
        import_id_fields = ()
        skip_unchanged = True
        report_skipped = True
        skip_diff = True
        clean_model_instances = False

    def get_export_queryset(self, request=None):
        return Signature.objects.select_related("organisation", "agreement")

    def dehydrate_organisation(self, signature):
        return signature.organisation.name

    def dehydrate_agreement(self, signature):
        return signature.agreement.slug

    def dehydrate_status(self, signature):
        return signature.get_status_display()

    def before_import(self, dataset, **kwargs):
        """Load, once, every organisation, agreement and signature the file can refer to."""
        self.statuses = choice_lookup(Signature.Status)
        self.pairs_in_file = {}
        names = {_key(name) for name in dataset["organisatie"]}
        self.organisations = {
            organisation.lower_name: organisation
            for organisation in Organisation.objects.annotate(lower_name=Lower("name")).filter(
                lower_name__in=names
            )
        }
        self.agreements = {}
        for agreement in Agreement.objects.all():
            # The full name in either language: `name` alone is the interface language's.
            for name in (agreement.name_nl, agreement.name_en):
                if name:
                    self.agreements[name.lower()] = agreement
            self.agreements[agreement.slug] = agreement
        self.signatures = {}
        existing = Signature.objects.filter(
            organisation__in=self.organisations.values()
        ).select_related("organisation", "agreement")
        for signature in existing:
            signature._stored = (signature.signed_on, signature.signed_by)
            self.signatures[signature.organisation_id, signature.agreement_id] = signature

    def get_or_init_instance(self, instance_loader, row):
        errors = {}
        organisation = self.organisations.get(_key(row.get("organisatie")))
        if organisation is None:
            errors["organisatie"] = _("No organisation “%(value)s” is known.") % {
                "value": cell_text(row, "organisatie")
            }
        value = cell_text(row, "overeenkomst")
        agreement = self.agreements.get(value.lower())
        if agreement is None:
            errors["overeenkomst"] = _(
                "No agreement “%(value)s” is known; use its short name or full name."
            ) % {"value": value}
        if errors:
            raise ValidationError(errors)
        instance = self.signatures.get((organisation.pk, agreement.pk))
        if instance is not None:
            return instance, False
        return Signature(organisation=organisation, agreement=agreement), True

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        pair = (instance.organisation_id, instance.agreement_id)
        number = self.line(kwargs.get("row_number", 0))
        if pair in self.pairs_in_file:
            raise ValidationError(
                _("This organisation and agreement are already in row %(row)s.")
                % {"row": self.pairs_in_file[pair]}
            )
        self.pairs_in_file[pair] = number
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors.update(error.message_dict)
        status = cell_text(row, "status")
        if not status and instance.pk is None:
            errors["status"] = _("Fill in the status: signed, under reservation or withdrawn.")
        elif status:
            target = self.statuses.get(_key(status))
            if target is None:
                errors["status"] = _("Unknown status “%(value)s”. Use: %(choices)s.") % {
                    "value": status,
                    "choices": ", ".join(str(c.label) for c in Signature.Status),
                }
            elif instance.pk is None:
                instance.status = target
            elif target != instance.status:
                try:
                    Signature.workflow.check(instance.status, target)
                except TransitionNotAllowed as error:
                    errors["status"] = error.messages
                instance._target_status = target
        if errors:
            raise ValidationError(errors)

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        if field.attribute in ("signed_on", "signed_by"):
            super().import_field(field, instance, row, is_m2m, **kwargs)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if import_validation_errors or instance.pk is None:
            return False
        unchanged = instance._stored == (instance.signed_on, instance.signed_by)
        changes = []
        if hasattr(instance, "_target_status"):
            target = Signature.Status(instance._target_status).label
            changes.append(("status", instance.get_status_display(), target))
        signed_on, signed_by = instance._stored
        if signed_on != instance.signed_on:
            show = DutchDateWidget().render
            changes.append(("datum", show(signed_on), show(instance.signed_on)))
        if signed_by != instance.signed_by:
            changes.append(("ondertekend_door", signed_by, instance.signed_by))
        instance._import_changes = changes
        return unchanged and not hasattr(instance, "_target_status")

    def do_instance_save(self, instance, is_create):
        if is_create:
            signature_save_new(
                signature=instance, by=self.user, note=pgettext("change reason", "Import")
            )
            return
        instance.save()
        if hasattr(instance, "_target_status"):
            signature_change_status(
                signature=instance,
                status=instance._target_status,
                by=self.user,
                note=pgettext("change reason", "Import"),
            )
