"""A batch of figures from the API, through exactly the spreadsheet upload's checks.

The batch's items become the rows of an upload (the Dutch columns of `FigureResource`) for
the token's organisation, numbered from 1, so that a message such as "already in row 3"
names item 3. The upload's resource checks them (bounds, decimals, the 50 % change rule,
duplicates, the round's indicators, the organisation's kind) and saves all or nothing, as
the spreadsheet upload does; the status history and the audit trail name the token.
"""

import hashlib
import json

import tablib
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from import_export.results import RowResult

from portal.imports import post_import, summarise

from ..importers import FigureImporter, open_rounds
from ..models import FigureBatch, FigureValue
from ..resources import FigureResource, FigureScope

# The upload's columns, and the API's names for them.
FIELDS = {
    "organisatie": "item",
    "indicator": "indicator",
    "jaar": "round",
    "sector": "sector",
    "waarde": "value",
    "toelichting": "comment",
    NON_FIELD_ERRORS: "item",
}
HEADERS = ["organisatie", "indicator", "jaar", "sector", "waarde", "toelichting"]
RESULTS = {
    RowResult.IMPORT_TYPE_NEW: "created",
    RowResult.IMPORT_TYPE_UPDATE: "updated",
    RowResult.IMPORT_TYPE_SKIP: "unchanged",
}


class BatchRefused(Exception):
    """The batch was not saved: `status`, `detail`, `code` and per-item `errors`."""

    def __init__(self, status, detail, code, errors=None):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.code = code
        self.errors = errors or []

    def as_data(self):
        data = {"detail": self.detail, "code": self.code}
        if self.errors:
            data["errors"] = self.errors
        return data


class ApiFigureResource(FigureResource):
    """The upload's resource, with the token in the audit trail and "API" as the source."""

    def __init__(self, *, token, **kwargs):
        super().__init__(**kwargs)
        self.token = token

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self.note = _("API token “%(name)s”") % {"name": self.token.name}

    def get_or_init_instance(self, instance_loader, row):
        instance, new = super().get_or_init_instance(instance_loader, row)
        if new:
            instance.source = FigureValue.Source.API
        return instance, new


def body_hash(data):
    return hashlib.sha256(
        json.dumps(data, sort_keys=True, default=str, ensure_ascii=False).encode()
    ).hexdigest()


def replay(organisation, key, digest):
    """The stored answer to the batch `key`, or None; BatchRefused when its body differs."""
    batch = FigureBatch.objects.filter(organisation=organisation, key=key).first()
    if batch is None:
        return None
    if batch.body_hash != digest:
        raise BatchRefused(
            409,
            _(
                "The batch key “%(key)s” was used before for another batch; "
                "use a new key for new values."
            )
            % {"key": key},
            "batch_key_reused",
        )
    return batch.response


def submit(client, *, key, year, items, digest):
    """Save the batch for the token's organisation, or raise BatchRefused. Returns the
    answer (a dict) and whether it is a replay of an earlier request."""
    organisation = client.organisation
    stored = replay(organisation, key, digest)
    if stored is not None:
        return stored, True
    round_ = open_rounds().filter(year=year).first()
    if round_ is None:
        years = ", ".join(str(r.year) for r in open_rounds()) or _("none")
        raise BatchRefused(
            400,
            _("The round %(year)s is not open. Open rounds: %(years)s.")
            % {"year": year, "years": years},
            "round_not_open",
        )
    dataset = tablib.Dataset(headers=HEADERS)
    for item in items:
        dataset.append(
            [
                organisation.name,
                item["indicator"],
                str(year),
                item["sector"],
                item["value"],
                item["comment"],
            ]
        )
    dataset.row_numbers = list(range(1, len(items) + 1))
    resource = ApiFigureResource(
        token=client.token,
        user=client.acting_user,
        scope=FigureScope(rounds={year: round_}, organisation_ids=frozenset({organisation.pk})),
    )
    try:
        with transaction.atomic():
            result = resource.import_data(
                dataset,
                dry_run=False,
                use_transactions=True,
                rollback_on_validation_errors=True,
                retain_instance_in_row_result=True,
            )
            preview = summarise(result, dataset, resource)
            if preview.has_errors:
                raise BatchRefused(
                    400,
                    " ".join(preview.base_errors)
                    or _("Nothing was saved: %(n)s of the %(total)s values are not right.")
                    % {"n": preview.totals["wrong"], "total": len(items)},
                    "invalid_values",
                    item_errors(result, resource),
                )
            answer = _answer(key, year, result)
            FigureBatch.objects.create(
                organisation=organisation,
                key=key,
                body_hash=digest,
                token=client.token,
                year=year,
                response=answer,
            )
    except IntegrityError:
        # The same key arrived twice at once: the other request saved it; answer as it did.
        stored = replay(organisation, key, digest)
        if stored is None:
            raise
        return stored, True
    post_import.send(sender=FigureImporter, model=FigureValue)
    return answer, False


def _answer(key, year, result):
    values = []
    for number, row in enumerate(result.rows, start=1):
        values.append({"item": number, "id": row.instance.pk, "result": RESULTS[row.import_type]})
    counts = {name: sum(v["result"] == name for v in values) for name in RESULTS.values()}
    return {
        "batch_key": key,
        "round": year,
        **counts,
        "values": values,
        "submitted_at": timezone.now().isoformat(timespec="seconds"),
    }


def item_errors(result, resource):
    """[{item, field, messages}] for every wrong item, in the upload's words."""
    errors = []
    for number, row in enumerate(result.rows, start=1):
        fields = {}
        if row.validation_error is not None:
            for name, messages in row.validation_error.update_error_dict({}).items():
                field = FIELDS.get(name, "item")
                fields.setdefault(field, []).extend(ValidationError(messages).messages)
        for error in row.errors:
            fields.setdefault("item", []).append(
                _("This value could not be saved; check it for duplicates or missing values.")
                if not isinstance(error.error, ValidationError | ValueError)
                else " ".join(getattr(error.error, "messages", [str(error.error)]))
            )
        if number in resource.row_failures:
            fields.setdefault("item", []).append(resource.row_failures[number])
        errors += [
            {"item": number, "field": field, "messages": messages}
            for field, messages in fields.items()
        ]
    return errors
