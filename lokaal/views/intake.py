"""The public intake: a career switcher registers with the desk, without an account."""

from django.conf import settings
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache

from portal import access
from portal.forms import refill
from portal.ratelimit import RateLimit

from ..forms.intake import IntakeForm
from ..services import intake_accept

# A signed, short-lived cookie, sent only to the confirmation page, carries the reference of
# the last intake there: not in a URL (so not in a browser history or a proxy's log), and
# without writing a session row for every intake.
DONE_COOKIE = "lokaal_intake_done"
DONE_COOKIE_SALT = "lokaal.intake-done"
DONE_COOKIE_MAX_AGE = 60 * 60
ROBOT = "-"  # what the cookie holds after a honeypot hit: a success page without a number


# Counted per client when a valid form (or a robot's) is accepted; forms with mistakes do not
# count, so that a person correcting their answers is never locked out.
INTAKE_LIMIT = RateLimit("LOKAAL_INTAKE_RATE", "lokaal:intake-rate")


@access.public
@never_cache
def intake(request):
    if request.method == "POST" and INTAKE_LIMIT.over(request):
        return _rate_limited(request)
    form = IntakeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        INTAKE_LIMIT.count(request)
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
    seconds = INTAKE_LIMIT.window_seconds
    initial = refill(IntakeForm, request.POST, leave_out=[IntakeForm.HONEYPOT])
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
