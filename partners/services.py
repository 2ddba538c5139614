"""Writes in the partners registry that touch more than one row or record history."""

from django.db import transaction

from portal.workflow import transition

from .models import CommitmentProgress, Signature


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
    with transaction.atomic():
        signature.save()
        signature.log_status(
            source="", target=signature.status, by=by, note=note, at=signature.status_changed_at
        )
    return signature


def signature_change_status(*, signature, status, by, note=""):
    """Move a signature to another status through the shared transition mechanism."""
    return transition(signature, status, by=by, note=note)


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
