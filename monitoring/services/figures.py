"""Writes and reads of the yearly figures: saving, submitting, approving, rejecting, the
completeness of a round, and the reminders before a round closes.

Every status change goes through `portal.workflow` (`create`, `transition`), so it is a row in
`FigureStatusChange`; every change of a value is a row in the figure's history
(simple-history). The upload saves in bulk with the same rules (see `monitoring.resources`).
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from partners.models import Organisation
from portal import workflow
from portal.mail import queue_email

from ..models import TOPIC, FigureValue, Indicator, ReportingRound
from ..resources import check_value, needs_comment, show_number

Status = FigureValue.Status
REMINDER_TEMPLATE = "monitoring-round-reminder"
# The order in which a cell of the completeness view shows the state of several values (per
# sector) of one organisation and indicator: the one that needs the most attention.
ATTENTION = [Status.REJECTED, Status.DRAFT, Status.SUBMITTED, Status.APPROVED]
MISSING = "missing"


def round_indicators(round_):
    """The indicators asked in `round_`: its own list, or every indicator partners report."""
    chosen = list(round_.indicators.all())
    return chosen or list(Indicator.objects.exclude(reporting_kinds=[]))


def value_save(
    *, organisation, indicator, year, value, by, sector="", comment="", round=None, source=None
):
    """Create or change an organisation's figure as a draft; returns it.

    Refuses (ValidationError) a value out of the indicator's bounds or with too many decimals,
    and a change of more than MONITORING_CHANGE_THRESHOLD against last year without a comment.
    A submitted, approved or rejected figure whose value changes goes back to draft.
    """
    messages = check_value(indicator, value)
    last = (
        FigureValue.objects.filter(
            organisation=organisation, indicator=indicator, year=year - 1, sector=sector
        )
        .exclude(status=Status.REJECTED)
        .values_list("value", flat=True)
        .first()
    )
    if not comment and needs_comment(last, value):
        messages.append(
            _(
                "The value changed by more than %(threshold)s%% against last year "
                "(%(old)s → %(new)s); explain the change in the comment."
            )
            % {
                "threshold": round_percent(settings.MONITORING_CHANGE_THRESHOLD),
                "old": show_number(last),
                "new": show_number(value),
            }
        )
    if messages:
        raise ValidationError(messages)
    note = pgettext("change reason", "Changed in the portal")
    with transaction.atomic():
        figure = (
            FigureValue.objects.select_for_update()
            .filter(organisation=organisation, indicator=indicator, year=year, sector=sector)
            .first()
        )
        if figure is None:
            figure = FigureValue(
                organisation=organisation,
                indicator=indicator,
                year=year,
                sector=sector,
                value=value,
                comment=comment,
                round=round,
                status=Status.DRAFT,
                source=source or FigureValue.Source.FORM,
                updated_by=by,
            )
            return workflow.create(figure, by=by, note=note)
        if figure.value == value and figure.comment == comment:
            return figure
        figure.value = value
        figure.comment = comment
        figure.updated_by = by
        figure.save()
        if figure.status != Status.DRAFT:
            workflow.transition(figure, Status.DRAFT, by=by, note=note)
    return figure


def round_percent(fraction):
    return round(fraction * 100)


def values_submit(*, values, by):
    """Submit the drafts among `values` (a queryset); returns how many were submitted."""
    note = pgettext("change reason", "Submitted")
    count = 0
    with transaction.atomic():
        # transition() locks each row; no lock here (the list may join nullable relations).
        for figure in values.filter(status=Status.DRAFT).order_by("pk"):
            workflow.transition(figure, Status.SUBMITTED, by=by, note=note)
            count += 1
    return count


def value_approve(*, value, by):
    """Approve a submitted figure (the programme team)."""
    with transaction.atomic():
        change = workflow.transition(value, Status.APPROVED, by=by)
        FigureValue.objects.filter(pk=value.pk).update(rejection_reason="")
        value.rejection_reason = ""
    return change


def value_reject(*, value, by, reason):
    """Reject a submitted figure with a reason the submitter sees (the programme team)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give the reason for the rejection."))
    with transaction.atomic():
        change = workflow.transition(value, Status.REJECTED, by=by, note=reason)
        value.rejection_reason = reason
        value.save(update_fields=["rejection_reason", "updated_at"])
    return change


def round_completeness(round_):
    """Per reporting organisation, the state of each indicator asked in `round_`.

    Reporting organisations are the active organisations whose kind is among an indicator's
    `reporting_kinds`. Returns {"indicators", "rows", "totals"}; each row has the
    organisation, one cell per indicator (a status, "missing", or None when the organisation
    does not report it), its counts and whether it is complete (everything submitted or
    approved).
    """
    indicators = round_indicators(round_)
    kinds = {kind for indicator in indicators for kind in indicator.reporting_kinds}
    organisations = list(
        Organisation.objects.filter(kind__in=kinds, active=True).order_by("name", "pk")
    )
    states = {}
    for organisation_id, indicator_id, status in FigureValue.objects.filter(
        year=round_.year,
        organisation_id__in=[o.pk for o in organisations],
        indicator__in=indicators,
    ).values_list("organisation_id", "indicator_id", "status"):
        key = (organisation_id, indicator_id)
        current = states.get(key)
        if current is None or ATTENTION.index(status) < ATTENTION.index(current):
            states[key] = status
    keys = [MISSING, *ATTENTION]
    totals = dict.fromkeys(keys, 0)
    rows = []
    for organisation in organisations:
        cells = []
        counts = dict.fromkeys(keys, 0)
        for indicator in indicators:
            if organisation.kind not in indicator.reporting_kinds:
                cells.append(None)
                continue
            state = states.get((organisation.pk, indicator.pk), MISSING)
            cells.append(state)
            counts[state] += 1
            totals[state] += 1
        asked = sum(counts.values())
        done = counts[Status.SUBMITTED] + counts[Status.APPROVED]
        rows.append(
            {
                "organisation": organisation,
                "cells": cells,
                "counts": counts,
                "asked": asked,
                "complete": asked > 0 and done == asked,
                "submitted_all": counts[MISSING] == 0 and counts[Status.DRAFT] == 0,
            }
        )
    return {
        "indicators": indicators,
        "rows": rows,
        "totals": totals,
        "complete": sum(row["complete"] for row in rows),
    }


def organisations_not_submitted(round_):
    """The reporting organisations with a figure missing, a draft or a rejected figure."""
    return [
        row["organisation"]
        for row in round_completeness(round_)["rows"]
        if row["counts"][MISSING] or row["counts"][Status.DRAFT] or row["counts"][Status.REJECTED]
    ]


def round_reminders_send(today=None):
    """Remind the figures submitters of organisations that have not submitted.

    On the days MONITORING_REMINDER_DAYS before a round's close date, and once per day per
    round: the round's `reminder_sent_on` is set in the same transaction as the e-mails, so
    a second run on the same day (beat and a manual run, a retried task) sends nothing.
    Returns the number of e-mails queued.
    """
    today = today or timezone.localdate()
    sent = 0
    for round_ in ReportingRound.objects.filter(opens_on__lte=today, closes_on__gte=today):
        days_left = (round_.closes_on - today).days
        if days_left not in settings.MONITORING_REMINDER_DAYS:
            continue
        with transaction.atomic():
            locked = ReportingRound.objects.select_for_update().get(pk=round_.pk)
            if locked.reminder_sent_on == today:
                continue
            sent += _remind(locked, days_left)
            locked.reminder_sent_on = today
            locked.save(update_fields=["reminder_sent_on"])
    return sent


def _remind(round_, days_left):
    missing = {o.pk: o for o in organisations_not_submitted(round_)}
    if not missing:
        return 0
    users = (
        get_user_model()
        .objects.filter(
            is_active=True,
            memberships__organisation_id__in=missing,
            memberships__topics__contains=[TOPIC],
        )
        .distinct()
    )
    url = settings.PORTAL_BASE_URL + reverse("monitoring-my-figures")
    sent = 0
    for user in users:
        organisations = [
            missing[m.organisation_id]
            for m in user.memberships.all()
            if m.organisation_id in missing and TOPIC in (m.topics or ())
        ]
        queue_email(
            to=user.email,
            template=REMINDER_TEMPLATE,
            context={
                "round": round_,
                "days_left": days_left,
                "organisations": organisations,
                "url": url,
                "base_url": settings.PORTAL_BASE_URL,
            },
        )
        sent += 1
    return sent


def submitter_card(user):
    """The figures submitter's dashboard card: the open round, its due date, what is missing."""
    from ..importers import open_rounds, submitter_organisation_ids

    round_ = open_rounds().first()
    if round_ is None:
        return {"round": None}
    ids = submitter_organisation_ids(user)
    rows = [
        row
        for row in round_completeness(round_)["rows"]
        if ids is None or row["organisation"].pk in ids
    ]
    return {
        "round": round_,
        "missing": sum(row["counts"][MISSING] for row in rows),
        "drafts": sum(row["counts"][Status.DRAFT] for row in rows),
        "rejected": sum(row["counts"][Status.REJECTED] for row in rows),
    }


def programme_card(user):
    """The programme team's card: figures awaiting approval, the open round's completeness."""
    from ..importers import open_rounds

    round_ = open_rounds().first()
    data = {
        "awaiting": FigureValue.objects.filter(status=Status.SUBMITTED).count(),
        "round": round_,
    }
    if round_ is not None:
        completeness = round_completeness(round_)
        data["complete"] = completeness["complete"]
        data["organisations"] = len(completeness["rows"])
    return data
