"""The public report form and the page that shows the receipt code, once."""

import time

from django.conf import settings
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables

from portal import access
from portal.crypto import InvalidToken, decrypt_text, encrypt_text
from portal.forms import refill
from portal.middleware import max_body_bytes
from portal.ratelimit import RateLimit

from .. import services
from ..forms.report import ReportForm

# Counted per client when a valid form (or a robot's) is accepted: a person correcting their
# mistakes is never locked out.
REPORT_LIMIT = RateLimit("INTERNSHIPS_REPORT_RATE", "internships:report-rate")

# The receipt code travels to the done page in a short-lived cookie, encrypted (not only
# signed: the code opens the report), sent only to that page and deleted by it: never in a
# URL, a log, a session row or an e-mail.
DONE_COOKIE = "internships_report_done"
DONE_COOKIE_MAX_AGE = 10 * 60
ROBOT = "-"  # what the cookie holds after a honeypot hit: a done page without a code


def report_body_limit():
    """The largest request the form takes: its files and 2 MB for the rest."""
    files = settings.INTERNSHIPS_MAX_ATTACHMENTS * settings.INTERNSHIPS_MAX_ATTACHMENT_BYTES
    return files + 2 * 1024 * 1024


# What a reporter typed and their code stay out of error reports (POST and local variables).
@max_body_bytes(report_body_limit)
@access.public
@sensitive_post_parameters()
@never_cache
@sensitive_variables()
def report_form(request):
    if request.method == "POST" and REPORT_LIMIT.over(request):
        return _rate_limited(request)
    form = ReportForm(*((request.POST, request.FILES) if request.method == "POST" else ()))
    if request.method == "POST" and form.is_valid():
        REPORT_LIMIT.count(request)
        if form.is_robot:
            return _done(ROBOT)  # the same success for robots; nothing is saved or mailed
        _report, code = services.report_submit(
            data=form.cleaned_data,
            attachments=form.cleaned_data["attachments"],
            language=get_language(),
        )
        return _done(code)
    return render(request, "internships/report_form.html", _context(form))


def _context(form, **extra):
    return {
        "form": form,
        "working_days": settings.INTERNSHIPS_RESPONSE_WORKING_DAYS,
        **extra,
    }


@sensitive_variables()
def _done(code):
    response = redirect("internships-report-done")
    response.set_cookie(
        DONE_COOKIE,
        encrypt_text(f"{int(time.time())}:{code}"),
        max_age=DONE_COOKIE_MAX_AGE,
        path=reverse("internships-report-done"),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response


def _rate_limited(request):
    """429, with the answers filled in again (files cannot be: the page asks for them again)."""
    seconds = REPORT_LIMIT.window_seconds
    initial = refill(ReportForm, request.POST, leave_out=[ReportForm.HONEYPOT, "attachments"])
    context = _context(
        ReportForm(initial=initial), rate_limited_minutes=max(round(seconds / 60), 1)
    )
    response = render(request, "internships/report_form.html", context, status=429)
    response["Retry-After"] = str(seconds)
    return response


@sensitive_variables()
def _code_from_cookie(request):
    """The code in the done cookie, ROBOT, or None when there is none (or no longer)."""
    token = request.COOKIES.get(DONE_COOKIE)
    if not token:
        return None
    try:
        issued, _colon, code = decrypt_text(token).partition(":")
        fresh = 0 <= time.time() - int(issued) <= DONE_COOKIE_MAX_AGE
    except (InvalidToken, ValueError, UnicodeError):
        return None
    return code if fresh and code else None


@access.public
@never_cache
@sensitive_variables()
def report_done(request):
    code = _code_from_cookie(request)
    response = render(
        request,
        "internships/report_done.html",
        {
            "code": "" if code == ROBOT else code,
            "shown_already": code is None,
            "report_url": reverse("internships-report"),
            "working_days": settings.INTERNSHIPS_RESPONSE_WORKING_DAYS,
        },
    )
    # Shown once: a reload, or the back button, finds no code.
    response.delete_cookie(DONE_COOKIE, path=reverse("internships-report-done"), samesite="Lax")
    return response
