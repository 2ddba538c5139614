"""The yearly-figures upload (django-import-export), with Dutch column names.

A row is one figure: an organisation (name, board number or BRIN), an indicator code, the
year, optionally a sector, the value and a comment. The importer's scope (`FigureScope`)
limits the rows to the uploader's own organisations and to the years of the open rounds;
everything else is refused on its row. A row whose figure exists with the same value and
comment is unchanged; a new or changed figure is saved as submitted (see
`monitoring.importers` for why).

The saves are in bulk, as the organisation import's: a file of ten thousand rows must take
seconds, and `workflow.create` / `transition` per row cost three or four queries each. The
status rules are the same Workflow table's (`check_initial`, `check`), the existing figures
are locked while the confirmation runs (as `transition` locks its row), and the status
history and the audit trail get their rows in bulk after the save.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from import_export import fields, resources

from partners.models import Organisation, Sector
from portal.imports import ImportResourceMixin, cell_text, parse_decimal

from .models import FigureStatusChange, FigureValue, Indicator

Status = FigureValue.Status
# What FigureValue.value can hold (18 digits, 4 of them after the point).
MAX_ABS_VALUE = Decimal(10) ** 14


@dataclass
class FigureScope:
    """What an upload may touch: the open rounds by year, and the organisations (None: all)."""

    rounds: dict = field(default_factory=dict)
    organisation_ids: frozenset | None = None


def _key(value):
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a board number in a number cell
    return " ".join(str(value or "").split()).lower()


def show_number(value):
    """A Decimal without trailing zeros, as the preview and the pages show it."""
    if value is None:
        return ""
    text = format(value.normalize(), "f") if isinstance(value, Decimal) else str(value)
    return text


def change_ratio(old, new):
    """The relative change from `old` to `new`; None when there is nothing to compare."""
    if old is None or new is None:
        return None
    if old == 0:
        return None if new == 0 else float("inf")
    return float(abs(new - old) / abs(old))


def needs_comment(old, new):
    ratio = change_ratio(old, new)
    return ratio is not None and ratio > settings.MONITORING_CHANGE_THRESHOLD


def check_value(indicator, value):
    """The messages for `value` against `indicator`'s bounds and decimals (empty: fine)."""
    messages = []
    low, high = indicator.min_value, indicator.max_value
    if value < 0 and (low is None or low >= 0):
        messages.append(_("The value may not be negative."))
    elif low is not None and value < low:
        messages.append(
            _("The value is below the lowest allowed value, %(low)s.") % {"low": show_number(low)}
        )
    if high is not None and value > high:
        messages.append(
            _("The value is above the highest allowed value, %(high)s.")
            % {"high": show_number(high)}
        )
    exponent = value.normalize().as_tuple().exponent
    places = -exponent if exponent < 0 else 0
    if places > indicator.decimals:
        if indicator.decimals == 0:
            messages.append(_("This indicator takes whole numbers only."))
        else:
            messages.append(
                _("This indicator takes at most %(n)s decimals.") % {"n": indicator.decimals}
            )
    return messages


class FigureResource(ImportResourceMixin, resources.ModelResource):
    organisation = fields.Field(column_name="organisatie")
    indicator = fields.Field(column_name="indicator")
    year = fields.Field(column_name="jaar")
    sector = fields.Field(column_name="sector")
    value = fields.Field(column_name="waarde")
    comment = fields.Field(column_name="toelichting")

    class Meta:
        model = FigureValue
        fields = ("organisation", "indicator", "year", "sector", "value", "comment")
        import_id_fields = ()
        use_bulk = True
        batch_size = 1000
        skip_unchanged = True
        report_skipped = True
        skip_diff = True
        clean_model_instances = False

    def before_import(self, dataset, **kwargs):
        """Load once what the rows refer to: organisations, indicators, existing figures."""
        self.saved = []
        self.in_file = {}
        self.note = pgettext("change reason", "Import")
        scope = self.scope or FigureScope()
        self.rounds = scope.rounds
        self.indicators = {i.code.lower(): i for i in Indicator.objects.all()}
        self.round_indicators = {
            year: {i.pk for i in round_.indicators.all()} for year, round_ in self.rounds.items()
        }
        self.sectors = {code.lower() for code in Sector.Code.values}
        names = (
            {_key(v) for v in dataset["organisatie"]} if "organisatie" in dataset.headers else set()
        )
        codes = {str(v).strip().upper() for v in dataset["organisatie"]} if names else set()
        self.organisations = {}
        found = Organisation.objects.annotate(lower_name=Lower("name")).filter(
            Q(lower_name__in=names) | Q(board_number__in=codes) | Q(brin__in=codes)
        )
        for organisation in found:
            self.organisations[organisation.lower_name] = organisation
            for code in (organisation.board_number, organisation.brin):
                if code:
                    self.organisations[code.lower()] = organisation
        ids = {o.pk for o in self.organisations.values()}
        years = set(self.rounds)
        existing = FigureValue.objects.filter(
            organisation_id__in=ids, year__in=years
        ).select_related("organisation", "indicator")
        # Locked until the import's transaction ends, as transition() locks its row: no one
        # approves a figure while the upload changes it.
        existing = existing.select_for_update(of=("self",))
        self.existing = {}
        for value in existing:
            value._stored = (value.value, value.comment, value.status)
            self.existing[value.organisation_id, value.indicator_id, value.year, value.sector] = (
                value
            )
        self.last_year = {
            (org, ind, year + 1, sector): number
            for org, ind, year, sector, number in FigureValue.objects.filter(
                organisation_id__in=ids, year__in={y - 1 for y in years}
            )
            .exclude(status=Status.REJECTED)
            .values_list("organisation_id", "indicator_id", "year", "sector", "value")
        }

    def get_or_init_instance(self, instance_loader, row):
        errors = {}
        text = cell_text(row, "organisatie")
        organisation = self.organisations.get(_key(text))
        if organisation is None:
            errors["organisatie"] = (
                _("No organisation “%(value)s” is known; use its name, board number or BRIN.")
                % {"value": text}
                if text
                else _("Fill in the organisation.")
            )
        code = cell_text(row, "indicator")
        indicator = self.indicators.get(code.lower())
        if indicator is None:
            errors["indicator"] = (
                _("No indicator “%(value)s” is known; use its code.") % {"value": code}
                if code
                else _("Fill in the indicator's code.")
            )
        year = self._year(cell_text(row, "jaar"), errors)
        sector = cell_text(row, "sector").lower()
        if sector and sector not in self.sectors:
            errors["sector"] = _("Unknown sector “%(value)s”. Use one of: %(codes)s.") % {
                "value": sector,
                "codes": ", ".join(Sector.Code.values),
            }
        if indicator is not None:
            if (
                indicator.sector
                and sector
                and sector != indicator.sector
                and "sector" not in errors
            ):
                errors["sector"] = _("This indicator is about the sector %(sector)s.") % {
                    "sector": indicator.sector
                }
            sector = sector or indicator.sector
            if year in self.round_indicators and self.round_indicators[year]:
                if indicator.pk not in self.round_indicators[year]:
                    errors["indicator"] = _(
                        "This indicator is not asked in the round %(year)s."
                    ) % {"year": year}
        if errors:
            instance = FigureValue()
            instance._key_errors = errors
            return instance, True
        key = (organisation.pk, indicator.pk, year, sector)
        instance = self.existing.get(key)
        if instance is None:
            instance = FigureValue(
                organisation=organisation,
                indicator=indicator,
                year=year,
                sector=sector,
                round=self.rounds[year],
                status=Status.SUBMITTED,
                source=FigureValue.Source.UPLOAD,
            )
            new = True
        else:
            new = False
        instance._key = key
        return instance, new

    def _year(self, text, errors):
        try:
            year = int(text)
        except ValueError:
            year = None
        if year is not None and year in self.rounds:
            return year
        if not self.rounds:
            errors["jaar"] = _("No reporting round is open; figures cannot be uploaded now.")
        else:
            errors["jaar"] = _("The year must be that of the open reporting round: %(years)s.") % {
                "years": ", ".join(str(y) for y in sorted(self.rounds))
            }
        return None

    def import_instance(self, instance, row, **kwargs):
        errors = dict(getattr(instance, "_key_errors", {}))
        number = self.line(kwargs.get("row_number", 0))
        key = getattr(instance, "_key", None)
        if key is not None:
            if key in self.in_file:
                errors["organisatie"] = _(
                    "This organisation, indicator, year and sector are already in row %(row)s."
                ) % {"row": self.in_file[key]}
            else:
                self.in_file[key] = number
        text = cell_text(row, "waarde")
        try:
            value = parse_decimal(text)
        except ValueError as error:
            errors["waarde"] = str(error)
            value = None
        if value is None and "waarde" not in errors:
            errors["waarde"] = _("Fill in the value.")
        elif value is not None and not value.is_finite():
            errors["waarde"] = _("“%(value)s” is not a number.") % {"value": text}
            value = None
        elif value is not None and abs(value) >= MAX_ABS_VALUE:
            errors["waarde"] = _("The value is too large.")
            value = None
        comment = cell_text(row, "toelichting")
        if value is not None and key is not None:
            messages = check_value(instance.indicator, value)
            if messages:
                errors["waarde"] = " ".join(messages)
            last = self.last_year.get(key)
            if not comment and needs_comment(last, value):
                errors["toelichting"] = _(
                    "The value changed by more than %(threshold)s%% against last year "
                    "(%(old)s → %(new)s); explain the change in the comment."
                ) % {
                    "threshold": round(settings.MONITORING_CHANGE_THRESHOLD * 100),
                    "old": show_number(last),
                    "new": show_number(value),
                }
        if errors:
            raise ValidationError(errors)
        instance.value = value
        instance.comment = comment
        instance.updated_by = self.user

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        """Every column is read in get_or_init_instance and import_instance."""

    def out_of_scope(self, instance):
        if instance.organisation_id is None:
            return None
        organisation = instance.organisation
        ids = self.scope.organisation_ids
        if ids is not None and organisation.pk not in ids:
            return _("You may not report figures for %(organisation)s.") % {
                "organisation": organisation
            }
        kinds = instance.indicator.reporting_kinds
        if kinds and organisation.kind not in kinds:
            return _("%(organisation)s does not report this indicator.") % {
                "organisation": organisation
            }
        return None

    def skip_row(self, instance, original, row, import_validation_errors=None):
        stored = getattr(instance, "_stored", None)
        if import_validation_errors or stored is None:
            return False
        old_value, old_comment, old_status = stored
        changes = []
        if old_value != instance.value:
            changes.append(("waarde", show_number(old_value), show_number(instance.value)))
        if old_comment != instance.comment:
            changes.append(("toelichting", old_comment, instance.comment))
        if not changes:
            return True
        if old_status != Status.SUBMITTED:
            # Raises with the workflow's message if the table does not allow it.
            FigureValue.workflow.check(old_status, Status.SUBMITTED, self.user)
            changes.append(("status", Status(old_status).label, Status.SUBMITTED.label))
            instance.status = Status.SUBMITTED
            instance.rejection_reason = ""
        instance._import_changes = changes
        return False

    def before_save_instance(self, instance, row, **kwargs):
        now = timezone.now()
        instance.updated_at = now
        if getattr(instance, "_stored", None) is None:
            FigureValue.workflow.check_initial(instance.status)
            instance.status_changed_at = now
        elif instance.status != instance._stored[2]:
            instance.status_changed_at = now

    def get_bulk_update_fields(self):
        return [
            "value",
            "comment",
            "status",
            "status_changed_at",
            "rejection_reason",
            "updated_by",
            "updated_at",
        ]

    def after_save_instance(self, instance, row, **kwargs):
        self.saved.append(instance)

    def after_import(self, dataset, result, **kwargs):
        """The status history and the audit trail, in bulk, for what the save wrote.

        Not in a dry run: these rows cannot fail on their own, and the preview would write
        and roll them back for nothing.
        """
        if kwargs.get("dry_run") or result.has_validation_errors() or result.has_errors():
            return
        created = [v for v in self.saved if getattr(v, "_stored", None) is None]
        updated = [v for v in self.saved if getattr(v, "_stored", None) is not None]
        changes = [
            FigureStatusChange(
                value=v,
                from_status="",
                to_status=v.status,
                changed_by=self.user,
                note=self.note,
                changed_at=v.status_changed_at,
            )
            for v in created
        ] + [
            FigureStatusChange(
                value=v,
                from_status=v._stored[2],
                to_status=v.status,
                changed_by=self.user,
                note=self.note,
                changed_at=v.status_changed_at,
            )
            for v in updated
            if v.status != v._stored[2]
        ]
        FigureStatusChange.objects.bulk_create(changes, batch_size=2000)
        for objs, update in ((created, False), (updated, True)):
            if objs:
                FigureValue.history.bulk_history_create(
                    objs,
                    batch_size=1000,
                    update=update,
                    default_user=self.user,
                    default_change_reason=self.note,
                )
