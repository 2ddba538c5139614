"""The anonymous follow-up: with the receipt code, a reporter sees the status of their report
and exchanges messages with its handler, without an account."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_POST

from portal import access
from portal.accesslog import log_access
from portal.middleware import max_body_bytes
from portal.ratelimit import RateLimit

from .. import services
from ..forms.followup import CodeForm, ReplyForm, WithdrawForm
from ..models import Message, Report
from .report import report_body_limit

# Every code entered counts, right or wrong, and is counted before the code is looked up: the
# count then does not depend on the answer, parallel guesses cannot slip past it, and over
# the limit even a right code is refused for the rest of the window. A reporter needs one
# attempt per visit, or a few with typing mistakes; the default (10 per 15 minutes) leaves
# room for those and none for guessing.
CODE_LIMIT = RateLimit("INTERNSHIPS_CODE_RATE", "internships:code-rate")
SESSION_KEY = "internships_followup_report"
SESSION_MAX_AGE = 30 * 60


@access.public
@sensitive_post_parameters()
@never_cache
@sensitive_variables()
def followup_login(request):
    if request.method == "POST" and CODE_LIMIT.over(request):
        return _rate_limited(request)
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        CODE_LIMIT.count(request)
        report = services.report_find_by_code(form.cleaned_data["code"])
        if report is not None:
            request.session.cycle_key()
            request.session[SESSION_KEY] = report.pk
            request.session.set_expiry(SESSION_MAX_AGE)
            return redirect("internships-followup-report")
        # One answer for every code that opens nothing: mistyped, never issued, anonymised.
        form.add_error(
            "code",
            _(
                "This code does not open a report. Check that you entered it exactly as you "
                "noted it down."
            ),
        )
    return render(request, "internships/followup_login.html", {"form": form})


def _rate_limited(request):
    seconds = CODE_LIMIT.window_seconds
    response = render(
        request,
        "internships/followup_login.html",
        {"form": CodeForm(), "rate_limited_minutes": max(round(seconds / 60), 1)},
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response


def _report_of_session(request):
    pk = request.session.get(SESSION_KEY)
    if not isinstance(pk, int):
        return None
    return Report.objects.filter(pk=pk, anonymised_at__isnull=True).first()


@max_body_bytes(report_body_limit)
@access.public
@sensitive_post_parameters()
@never_cache
@sensitive_variables()
def followup_report(request):
    report = _report_of_session(request)
    if report is None:
        request.session.pop(SESSION_KEY, None)
        return redirect("internships-followup")
    form = ReplyForm(*((request.POST, request.FILES) if request.method == "POST" else ()))
    if request.method == "POST" and form.is_valid():
        try:
            services.reporter_message_add(
                report=report,
                body=form.cleaned_data["body"],
                attachments=form.cleaned_data["attachments"],
            )
        except ValidationError:
            request.session.pop(SESSION_KEY, None)
            return redirect("internships-followup")
        messages.success(request, _("Your message has been sent to the handler."))
        return redirect("internships-followup-report")
    log_access(request, report, action="view_by_reporter")
    thread = list(report.messages.prefetch_related("attachments"))
    report.messages.filter(direction=Message.Direction.TO_REPORTER, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    return render(
        request,
        "internships/followup_report.html",
        {
            "report": report,
            "thread": thread,
            "form": form,
            "working_days": settings.INTERNSHIPS_RESPONSE_WORKING_DAYS,
        },
    )


@access.public
@require_POST
@never_cache
def followup_logout(request):
    request.session.pop(SESSION_KEY, None)
    messages.info(request, _("You have closed your report. Enter your code to open it again."))
    return redirect("internships-followup")


@access.public
@never_cache
def followup_withdraw(request):
    """The reporter withdraws consent: the report is erased at once (services.report_erase)."""
    report = _report_of_session(request)
    if report is None:
        request.session.pop(SESSION_KEY, None)
        return redirect("internships-followup")
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.report_erase(report=report, note=_("Withdrawn by the reporter."))
        request.session.pop(SESSION_KEY, None)
        messages.success(
            request,
            _("Your report has been withdrawn and what you wrote has been erased."),
        )
        return redirect("internships-followup")
    status = 400 if form.errors else 200
    return render(request, "internships/followup_withdraw.html", {"form": form}, status=status)
