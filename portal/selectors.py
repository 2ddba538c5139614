from heapq import merge
from itertools import islice

from django.contrib.auth import get_user_model
from django.db.models import Count, Q

from portal import access

AUDIT_LIMIT = 500


def user_exists(email):
    return get_user_model().objects.filter(email__iexact=email).exists()


def public_agreements():
    from partners.models import Agreement, Signature

    return Agreement.objects.filter(is_public=True).annotate(
        signatory_count=Count(
            "signatures", filter=~Q(signatures__status=Signature.Status.WITHDRAWN)
        )
    )


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
    from partners.models import (
        Agreement,
        CommitmentProgress,
        Contact,
        Membership,
        Organisation,
        Signature,
    )

    return [Organisation, Agreement, Signature, Membership, Contact, CommitmentProgress]


def audit_entries(limit=AUDIT_LIMIT):
    """The latest changes to every audited model, newest first (at most `limit`)."""
    streams = [
        model.history.select_related("history_user").order_by("-history_date")[:limit]
        for model in audited_models()
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
