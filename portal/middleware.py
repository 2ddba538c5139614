from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

# Paths a staff member without a second factor may still open: setting one up, logging out,
# switching language, and what is public anyway.
_ALLOWED_PREFIXES = ("/accounts/", "/i18n/", "/static/", "/healthz")


class RequireSecondFactorMiddleware:
    """Staff roles must use TOTP: until they have set it up, they can only set it up.

    Once a TOTP authenticator exists, allauth asks for a code at every login.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and user.requires_second_factor
            and not request.path.startswith(_ALLOWED_PREFIXES)
            and not _has_totp(user)
        ):
            messages.warning(
                request,
                _("Your role requires two-factor authentication. Set up an authenticator app."),
            )
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)


def _has_totp(user):
    from allauth.mfa.models import Authenticator

    cached = getattr(user, "_has_totp", None)
    if cached is None:
        cached = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        user._has_totp = cached
    return cached
