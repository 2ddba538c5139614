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
            and not _has_totp(request)
        ):
            messages.warning(
                request,
                _("Your role requires two-factor authentication. Set up an authenticator app."),
            )
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)


SESSION_KEY = "portal_has_totp"


def _has_totp(request):
    """Whether the user has TOTP; a yes is remembered in the session (one query less per page).

    Removing the authenticator clears it again (see forget_totp).
    """
    from allauth.mfa.models import Authenticator

    if request.session.get(SESSION_KEY):
        return True
    found = Authenticator.objects.filter(user=request.user, type=Authenticator.Type.TOTP).exists()
    if found:
        request.session[SESSION_KEY] = True
    return found


def forget_totp(sender, request, **kwargs):
    request.session.pop(SESSION_KEY, None)
