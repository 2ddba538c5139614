from collections import defaultdict
from heapq import merge
from itertools import islice

from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from portal import access, registry

AUDIT_LIMIT = 500


def user_exists(email):
    return get_user_model().objects.filter(email__iexact=email).exists()


def dashboard_for(user):
    """What the start page after login shows: the registered cards this user may see."""
    return {"roles": access.roles_of(user), "cards": registry.dashboard_cards(user)}


def _labelled(records, model, label):
    for record in records:
        record.kind = model._meta.verbose_name
        try:
            record.label = label(record)
        except ObjectDoesNotExist:
            record.label = _("(deleted)")
        yield record


def audit_entries(limit=AUDIT_LIMIT):
    """The latest changes to every audited model, newest first (at most `limit`)."""
    streams = [
        _labelled(
            audited.model.history.select_related("history_user", *audited.related).order_by(
                "-history_date"
            )[:limit],
            audited.model,
            audited.label,
        )
        for audited in registry.audited_models()
    ]
    return list(islice(merge(*streams, key=lambda r: r.history_date, reverse=True), limit))


def history_with_changes(records):
    """Pairs (record, changes); changes lists (field label, old, new) against the record before.

    `records` is one object's history, newest first. Diffs are computed in memory; values
    are shown as people read them: choice labels, yes/no, and the names of related objects
    (loaded in one query per related model).
    """
    records = list(records)
    if not records:
        return []
    model = records[0].instance_type
    deltas = [
        (newer, newer.diff_against(older).changes if older is not None else [])
        for newer, older in zip(records, records[1:] + [None], strict=True)
    ]
    related_ids = defaultdict(set)
    for _record, changes in deltas:
        for change in changes:
            field = model._meta.get_field(change.field)
            if field.is_relation:
                related_ids[field.related_model] |= {change.old, change.new} - {None, ""}
    related = {
        related_model: related_model._default_manager.in_bulk(ids)
        for related_model, ids in related_ids.items()
    }

    def shown(field, value):
        if value is None or value == "":
            return ""
        if field.is_relation:
            target = related[field.related_model].get(value)
            return str(target) if target is not None else _("(deleted)")
        if field.choices:
            return dict(field.flatchoices).get(value, value)
        if isinstance(value, bool):
            return _("yes") if value else _("no")
        return value

    return [
        (
            record,
            [
                (capfirst(field.verbose_name), shown(field, change.old), shown(field, change.new))
                for change in changes
                for field in [model._meta.get_field(change.field)]
            ],
        )
        for record, changes in deltas
    ]
