"""Writes of the action agendas: activities (with their partners and indicators) and progress
updates (with an optional status change and new progress), each in one transaction."""

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import uploads, workflow

from ..models import ProgressUpdate

M2M_FIELDS = ("partners", "intended_partners", "indicators")


def activity_save(*, activity, by, partners=None, intended_partners=None, indicators=None):
    """Save `activity` with its many-to-many relations; a new one gets its first status row.

    The relations are left as they are when None is given. Returns the activity.
    """
    relations = {
        "partners": partners,
        "intended_partners": intended_partners,
        "indicators": indicators,
    }
    with transaction.atomic():
        if activity.pk is None:
            workflow.create(activity, by=by)
        else:
            activity.save()
        for name, values in relations.items():
            if values is not None:
                getattr(activity, name).set(values)
    return activity


def activity_transition(*, activity, status, by, note=""):
    """Move `activity` to `status` through the workflow (checks the table and `by`'s rights)."""
    return workflow.transition(activity, status, by=by, note=note)


def progress_update_create(
    *,
    activity,
    author,
    text,
    date=None,
    status="",
    progress=None,
    attachment=None,
):
    """Write a progress update; with `status` the activity moves through the workflow, with
    `progress` its percentage is set. All of it or nothing.

    `attachment` is an uploaded file already checked by `portal.uploads.check_upload`; it is
    stored with the private storage of `ProgressUpdate.attachment`.
    """
    date = date or timezone.localdate()
    if date > timezone.localdate():
        raise ValidationError(
            {"date": _("The date of an update cannot be in the future.")}, code="future_date"
        )
    if progress is not None and not 0 <= progress <= 100:
        raise ValidationError(
            {"progress": _("Give the progress as a percentage from 0 to 100.")},
            code="progress_range",
        )
    with transaction.atomic():
        change = None
        if status and status != activity.status:
            change = workflow.transition(activity, status, by=author, note=text[:500])
        update = ProgressUpdate(
            activity=activity, author=author, text=text, date=date, progress=progress
        )
        update.status_change = change
        if progress is not None and progress != activity.progress:
            activity.progress = progress
            activity.save(update_fields=["progress", "updated_at"])
        if attachment is not None:
            update.attachment_name = attachment.name[:200]
            update.attachment.save(attachment_filename(attachment), attachment, save=False)
            stored = update.attachment.name
        try:
            update.save()
        except Exception:
            # A row that could not be written leaves no stored file behind.
            if update.attachment:
                update.attachment.storage.delete(stored)
            raise
    return update


ATTACHMENT_TYPES = {
    uploads.PDF: "pdf",
    uploads.PNG: "png",
    uploads.JPEG: "jpg",
    uploads.GIF: "gif",
    uploads.WEBP: "webp",
}
CONTENT_TYPES = {extension: mime for mime, extension in ATTACHMENT_TYPES.items()}


def attachment_filename(upload):
    """A safe file name with the extension of the type the content was checked to be."""
    extension = ATTACHMENT_TYPES.get(getattr(upload, "content_type_checked", ""), "bin")
    stem = (upload.name or "").replace("\\", "/").rsplit("/", 1)[-1].rsplit(".", 1)[0]
    stem = re.sub(r"[^\w\-]+", "_", stem, flags=re.ASCII).strip("_.")[:80]
    return f"{stem or 'bijlage'}.{extension}"


def attachment_content_type(update):
    return CONTENT_TYPES.get(update.attachment.name.rsplit(".", 1)[-1], "application/octet-stream")
