"""Writes in the partners registry that touch more than one row or record history.

Each service runs in one transaction: when a later write fails, the earlier ones are
rolled back, so nothing is half-saved.
"""

from django.db import transaction

from portal import workflow
from portal.accesslog import log_access

from .models import CommitmentProgress, Signature


def organisation_save(*, organisation, sectors):
    """Save an organisation (new or changed) and its sectors together."""
    with transaction.atomic():
        organisation.save()
        organisation.sectors.set(sectors)
    return organisation


def contact_save(*, contact, request):
    """Save a contact person (new or changed) and log the change of personal data."""
    action = "change" if contact.pk else "create"
    with transaction.atomic():
        contact.save()
        log_access(request, contact, action=action)
    return contact


def contact_delete(*, contact, request):
    """Delete a contact person, logging who did it."""
    with transaction.atomic():
        log_access(request, contact, action="delete")
        contact.delete()


def membership_delete(*, membership):
    """End a user's access to an organisation (the history row is written with it)."""
    with transaction.atomic():
        membership.delete()


def signature_create(*, organisation, agreement, status, by, signed_on=None, signed_by="", note=""):
    """Record a signature with its first status as the first history row."""
    signature = Signature(
        organisation=organisation,
        agreement=agreement,
        status=status,
        signed_on=signed_on,
        signed_by=signed_by,
    )
    signature.full_clean()
    return signature_save_new(signature=signature, by=by, note=note)


def signature_save_new(*, signature, by, note=""):
    """Save a new, validated signature and record its status as the first history row."""
    return workflow.create(signature, by=by, note=note)


def signature_change_status(*, signature, status, by, note=""):
    """Move a signature to another status through the shared transition mechanism."""
    return workflow.transition(signature, status, by=by, note=note)


def progress_save(*, signature, year, entries, by):
    """Save the year's state and evidence of each commitment of a signature.

    `entries` maps a Commitment to a dict with state, evidence and evidence_url.
    """
    with transaction.atomic():
        for commitment, values in entries.items():
            CommitmentProgress.objects.update_or_create(
                signature=signature,
                commitment=commitment,
                year=year,
                defaults={**values, "updated_by": by},
            )
