from heapq import merge
from itertools import islice

from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist
from django.utils.translation import gettext as _

from portal import access

AUDIT_LIMIT = 500


def user_exists(email):
    return get_user_model().objects.filter(email__iexact=email).exists()


def dashboard_for(user):
    """What the start page after login shows, by role."""
    from partners.models import Agreement, Organisation

    roles = access.roles_of(user)
    context = {"roles": roles, "memberships": user.memberships.select_related("organisation")}
    if access.PROGRAMME_TEAM in roles:
        context["organisation_count"] = Organisation.objects.filter(active=True).count()
        context["agreement_count"] = Agreement.objects.count()
    return context


def audited_models():
    """(model, related fields to load, label of a history record) for the audit trail."""
    from partners.models import (
        Agreement,
        CommitmentProgress,
        Contact,
        Membership,
        Organisation,
        Signature,
    )

    return [
        (Organisation, [], lambda r: r.name),
        (Agreement, [], lambda r: r.name),
        (Signature, ["organisation", "agreement"], lambda r: f"{r.organisation} — {r.agreement}"),
        (Membership, ["user", "organisation"], lambda r: f"{r.user} — {r.organisation}"),
        (Contact, ["organisation"], lambda r: f"{r.name} ({r.organisation})"),
        (
            CommitmentProgress,
            ["signature__organisation", "commitment"],
            lambda r: f"{r.signature.organisation} {r.year}: {r.commitment}",
        ),
    ]


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
            model.history.select_related("history_user", *related).order_by("-history_date")[
                :limit
            ],
            model,
            label,
        )
        for model, related, label in audited_models()
    ]
    return list(islice(merge(*streams, key=lambda r: r.history_date, reverse=True), limit))


def history_with_changes(records):
    """Pairs (record, changes) where changes lists (field, old, new) against the record before.

    `records` is ordered newest first; diffs are computed in memory, without a query each.
    """
    records = list(records)
    result = []
    for newer, older in zip(records, records[1:] + [None], strict=True):
        changes = []
        if older is not None:
            delta = newer.diff_against(older)
            changes = [(c.field, c.old, c.new) for c in delta.changes]
        result.append((newer, changes))
    return result
