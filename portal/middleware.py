from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve, reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _


def max_body_bytes(limit):
    """Give a view its own request-body limit instead of REQUEST_MAX_BODY_BYTES.

    `limit` is a number of bytes, or a function without arguments that returns it (read at
    each request, so that it can follow settings). For forms that take several large files.
    """

    def decorator(view):
        view.max_body_bytes = limit
        return view

    return decorator


def _view_limit(request):
    """The limit of the view at the request's path, or None when it has none of its own.

    The path is resolved here rather than in process_view, so that the limit is decided
    before any other middleware runs, as the default one is.
    """
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    limit = getattr(match.func, "max_body_bytes", None)
    return limit() if callable(limit) else limit


class RequestBodyLimitMiddleware:
    """Refuse a request whose declared body is larger than REQUEST_MAX_BODY_BYTES (413), or
    than the view's own limit (see `max_body_bytes`).

    Decided from the Content-Length header alone, before anything (CSRF, forms, uploads)
    reads the body, so an oversized upload is never received, buffered or written to disk.
    It runs before the session, locale and authentication middleware, so the 413 page takes
    its language from the language cookie or the browser, and shows no user-specific parts.
    The URL is resolved only for a body over the default, so other requests pay nothing.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django treats an unreadable length as an empty body as well.
        if length > settings.REQUEST_MAX_BODY_BYTES:
            limit = _view_limit(request)
            if limit is None or length > limit:
                return _request_too_large(request, limit)
        return self.get_response(request)


def _request_too_large(request, view_limit=None):
    back = request.META.get("HTTP_REFERER", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = reverse("home")
    language = translation.get_language_from_request(request)
    with translation.override(language):
        content = render_to_string(
            "413.html",
            {
                "back_url": back,
                "max_upload_bytes": view_limit or settings.IMPORT_MAX_UPLOAD_BYTES,
            },
            request=request,
        )
    response = HttpResponse(content, status=413)
    response["Content-Language"] = language
    return response


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
