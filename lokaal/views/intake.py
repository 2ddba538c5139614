"""The public intake: a career switcher registers with the desk, without an account."""

import logging
import time

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.core.cache import cache
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache

from portal import access

from ..forms.intake import IntakeForm
from ..services import intake_accept

logger = logging.getLogger(__name__)

# A signed, short-lived cookie, sent only to the confirmation page, carries the reference of
# the last intake there: not in a URL (so not in a browser history or a proxy's log), and
# without writing a session row for every intake.
DONE_COOKIE = "lokaal_intake_done"
DONE_COOKIE_SALT = "lokaal.intake-done"
DONE_COOKIE_MAX_AGE = 60 * 60
ROBOT = "-"  # what the cookie holds after a honeypot hit: a success page without a number


def intake_rate():
    """(count, seconds) of settings.LOKAAL_INTAKE_RATE, or None when there is no limit."""
    rate = (settings.LOKAAL_INTAKE_RATE or "").strip()
    if rate in ("", "0"):
        return None
    count, _slash, seconds = rate.partition("/")
    try:
        count, seconds = int(count), int(seconds or 60)
    except ValueError:
        logger.error("LOKAAL_INTAKE_RATE=%r is not <count>/<seconds>: no limit", rate)
        return None
    return (count, seconds) if count > 0 and seconds > 0 else None


def _rate_key(request, seconds):
    # Fixed windows: the key changes every `seconds`, and expires with its window. The client
    # address comes from allauth's adapter, so the login limits and this one count the same
    # client (ALLAUTH_TRUSTED_PROXY_COUNT behind a proxy).
    window = int(time.time()) // seconds
    return f"lokaal:intake-rate:{get_adapter().get_client_ip(request)}:{window}"


def _over_limit(request):
    rate = intake_rate()
    if rate is None:
        return False
    count, seconds = rate
    try:
        return (cache.get(_rate_key(request, seconds)) or 0) >= count
    except Exception:
        # An unreachable cache must not close the desk's front door.
        logger.exception("Intake rate limit: cache unavailable")
        return False


def _count_intake(request):
    rate = intake_rate()
    if rate is None:
        return
    key = _rate_key(request, rate[1])
    try:
        cache.add(key, 0, timeout=rate[1])
        cache.incr(key)
    except Exception:
        logger.exception("Intake rate limit: cache unavailable")


@access.public
@never_cache
def intake(request):
    if request.method == "POST" and _over_limit(request):
        return _rate_limited(request)
    form = IntakeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        _count_intake(request)
        if form.is_robot:
            # Robots see the same success, and nothing is saved or mailed.
            return _done(ROBOT)
        data = {k: v for k, v in form.cleaned_data.items() if k != IntakeForm.HONEYPOT}
        return _done(intake_accept(data=data, language=get_language()).reference)
    return render(
        request,
        "lokaal/intake_form.html",
        {"form": form, "working_days": settings.LOKAAL_FIRST_RESPONSE_WORKING_DAYS},
    )


def _done(reference):
    response = redirect("lokaal-intake-done")
    response.set_signed_cookie(
        DONE_COOKIE,
        reference,
        salt=DONE_COOKIE_SALT,
        max_age=DONE_COOKIE_MAX_AGE,
        path=reverse("lokaal-intake-done"),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response


def _rate_limited(request):
    """429, with the form filled in again: what the visitor typed is not lost."""
    seconds = intake_rate()[1]
    initial = {
        name: request.POST.getlist(name)
        if isinstance(field.widget, IntakeForm.GROUPED_WIDGETS)
        else request.POST.get(name)
        for name, field in IntakeForm.base_fields.items()
        if name != IntakeForm.HONEYPOT
    }
    response = render(
        request,
        "lokaal/intake_form.html",
        {
            "form": IntakeForm(initial=initial),
            "rate_limited_minutes": max(round(seconds / 60), 1),
            "working_days": settings.LOKAAL_FIRST_RESPONSE_WORKING_DAYS,
        },
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response


@access.public
@never_cache
def intake_done(request):
    reference = request.get_signed_cookie(
        DONE_COOKIE, default=None, salt=DONE_COOKIE_SALT, max_age=DONE_COOKIE_MAX_AGE
    )
    if reference is None:
        return redirect("lokaal-intake")
    return render(
        request,
        "lokaal/intake_done.html",
        {
            "reference": "" if reference == ROBOT else reference,
            "working_days": settings.LOKAAL_FIRST_RESPONSE_WORKING_DAYS,
        },
    )
