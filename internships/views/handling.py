"""The handler's side of the internship reports: the queue, the overdue list and a report's
page with its status, messages to the reporter and internal notes.

Every view fetches the report through `access.get_object_for_user` first: the programme
team sees every report, a handler only those routed to their organisation; a report the
programme team handles (routed_to empty) belongs to no organisation. Every read of a report
and every download of an attachment writes an access-log row. Nothing here logs what a report
says.
"""

import re

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from portal import access
from portal.accesslog import log_access

from .. import selectors, services
from ..forms.handling import MessageForm, NoteForm, ReportFilter, StatusForm
from ..models import TOPIC, Attachment, Message

PAGE_SIZE = 50


def _get_report(request, pk):
    return access.get_object_for_user(
        request, selectors.report_detail(), topic=TOPIC, via="routed_to", pk=pk
    )


@access.topic_required(TOPIC)
@never_cache
def report_list(request):
    filterset = ReportFilter(
        request.GET, queryset=selectors.handler_queue(user=request.user), request=request
    )
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "internships/report_list.html",
        {
            "filter": filterset,
            "page": page,
            "query": query.urlencode(),
            "counts": selectors.status_counts(user=request.user),
            "today": timezone.localdate(),
        },
    )


@access.topic_required(TOPIC)
@never_cache
def overdue_list(request):
    today = timezone.localdate()
    reports = selectors.overdue_queue(user=request.user, today=today)
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    for report in page:
        report.days_overdue = services.days_overdue(report, today)
    return render(request, "internships/report_overdue.html", {"page": page, "query": ""})


@access.topic_required(TOPIC)
@never_cache
def report_detail(request, pk):
    report = _get_report(request, pk)
    return _detail(request, report)


def _detail(request, report, *, status_form=None, message_form=None, note_form=None, status=200):
    """The report's page; a form that failed comes back bound, with its errors."""
    log_access(request, report, action="view")
    # The handler has now seen what the reporter wrote; this page still marks it as new.
    unread = Message.objects.filter(
        report=report, direction=Message.Direction.FROM_REPORTER, read_at__isnull=True
    )
    unread_ids = set(unread.values_list("pk", flat=True))
    unread.update(read_at=timezone.now())
    forms = {
        "status_form": status_form or StatusForm(report=report, user=request.user),
        "message_form": message_form or MessageForm(),
        "note_form": note_form or NoteForm(),
    }
    failed = next((form for form in forms.values() if form.is_bound), None)
    return render(
        request,
        "internships/report_detail.html",
        {
            "report": report,
            "failed": failed,
            "unread_ids": unread_ids,
            **forms,
            **selectors.report_page(report),
        },
        status=status,
    )


@access.topic_required(TOPIC)
@require_POST
@never_cache
def report_status(request, pk):
    report = _get_report(request, pk)
    form = StatusForm(request.POST, report=report, user=request.user)
    if not form.is_valid():
        return _detail(request, report, status_form=form, status=400)
    try:
        services.report_transition(
            report=report,
            to=form.cleaned_data["status"],
            by=request.user,
            note=form.cleaned_data["note"],
            outcome=form.cleaned_data["outcome"],
        )
    except ValidationError as error:
        # A change made meanwhile by someone else, or refused by the workflow.
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("The status is now “%(status)s”.") % {"status": report.get_status_display()},
        )
    return redirect(report)


@access.topic_required(TOPIC)
@require_POST
@never_cache
def report_message(request, pk):
    report = _get_report(request, pk)
    if report.is_anonymised:
        # The receipt code no longer opens it: nobody would read the message.
        messages.error(
            request, _("This report has been anonymised: the reporter cannot be reached.")
        )
        return redirect(report)
    form = MessageForm(request.POST)
    if not form.is_valid():
        return _detail(request, report, message_form=form, status=400)
    services.handler_message_add(report=report, body=form.cleaned_data["body"], by=request.user)
    if not report.anonymous and report.contact_email:
        messages.success(
            request,
            _("The message has been sent. The reporter gets an e-mail that there is a message."),
        )
    else:
        messages.success(
            request, _("The message has been sent. The reporter reads it with their receipt code.")
        )
    return redirect(report)


@access.topic_required(TOPIC)
@require_POST
@never_cache
def report_note(request, pk):
    report = _get_report(request, pk)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _detail(request, report, note_form=form, status=400)
    services.note_add(report=report, body=form.cleaned_data["body"], by=request.user)
    messages.success(request, _("The internal note has been added."))
    return redirect(report)


@access.topic_required(TOPIC)
def attachment_download(request, pk, attachment_pk):
    report = _get_report(request, pk)
    attachment = Attachment.objects.filter(report=report, pk=attachment_pk).first()
    if attachment is None:
        raise Http404
    log_access(request, report, action="download")
    response = HttpResponse(
        services.attachment_bytes(attachment), content_type=attachment.content_type
    )
    response["Content-Disposition"] = content_disposition_header(True, _safe_filename(attachment))
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


_EXTENSIONS = {
    Attachment.Kind.PDF: "pdf",
    Attachment.Kind.PNG: "png",
    Attachment.Kind.JPEG: "jpg",
    Attachment.Kind.GIF: "gif",
    Attachment.Kind.WEBP: "webp",
}


def _safe_filename(attachment):
    """The reporter's file name reduced to letters, digits, dots, dashes and underscores, with
    the extension of the type the content was checked to be (never the one it claimed)."""
    extension = _EXTENSIONS.get(attachment.content_type, "bin")
    stem = (attachment.original_name or "").replace("\\", "/").rsplit("/", 1)[-1]
    stem = stem.rsplit(".", 1)[0] if "." in stem else stem
    stem = re.sub(r"[^\w\-]+", "_", stem, flags=re.ASCII).strip("_.")[:80]
    return f"{stem or 'attachment'}.{extension}"
