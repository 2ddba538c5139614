"""The partner API's shared parts: organisation tokens, their scopes, authentication,
throttling, errors and language.

An app publishes endpoints with Django REST framework views that use `ApiView` (or its
settings) and declare `required_scopes`; it registers the scopes it needs with
`register_scope(key, label, topic=...)` in its AppConfig.ready().

- A token belongs to one organisation and has a name, scopes and an expiry date. The key
  is shown once; only its SHA-256 hash is kept. Keys look like `hgp_<43 characters>`.
- Only `Authorization: Bearer <key>` opens the API: no session, so a logged-in browser
  (staff included) gets 401, and nothing outside the API reads the header, so a key never
  opens an HTML page.
- A token acts with its maker's rights, checked at every request: when the maker is
  deactivated, or no longer holds the scope's topic role in the organisation (and is not
  on the programme team), the token stops working for that scope.
- Each token has its own rate (settings.API_TOKEN_RATE, e.g. "60/min"); requests without
  a token share settings.API_ANONYMOUS_RATE per address. Both answer 429 with Retry-After.
- Errors are JSON, never an HTML page: {"detail": "...", "code": "..."} plus, for
  validation errors, "errors".
- The API speaks English; a request whose Accept-Language prefers Dutch gets Dutch.
"""

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from rest_framework import exceptions, parsers, permissions, status, throttling, views
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from portal import access
from portal.models import ApiToken

KEY_PREFIX = "hgp_"
SHOWN_PREFIX_LENGTH = 8
LAST_USED_RESOLUTION = timedelta(minutes=1)


# Scopes ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    key: str
    label: str
    topic: str | None = None


_scopes = {}


def register_scope(key, label, *, topic=None):
    """Register the scope `key` (e.g. "figures:read") with a label for the token form.

    With a `topic`, only people who hold that topic role in the token's organisation (or
    the programme team) may give a token the scope, and the token keeps it only as long
    as its maker does.
    """
    if topic is not None and topic not in dict(access.topic_choices()):
        raise ImproperlyConfigured(f"API scope {key!r}: unknown topic {topic!r}.")
    existing = _scopes.get(key)
    if existing is not None and (existing.label, existing.topic) != (label, topic):
        raise ImproperlyConfigured(f"API scope {key!r} is registered twice, differently.")
    _scopes[key] = Scope(key, label, topic)


def scopes():
    return list(_scopes.values())


def scope_choices():
    return [(scope.key, scope.label) for scope in _scopes.values()]


def may_grant(user, organisation, scope_key):
    """May `user` hold (or give a token) the scope `scope_key` for `organisation`?"""
    scope = _scopes.get(scope_key)
    if scope is None or not user.is_active:
        return False
    if access.PROGRAMME_TEAM in access.roles_of(user):
        return True
    return access.is_member(user, organisation, topic=scope.topic)


# Tokens ----------------------------------------------------------------------------------


def hash_key(key):
    return hashlib.sha256(key.encode()).hexdigest()


def issue_token(*, organisation, name, scopes, expires_on, created_by):
    """Make a token; returns (token, key). The key is not kept: show it once."""
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        organisation=organisation,
        name=name,
        scopes=sorted(set(scopes)),
        prefix=key[: len(KEY_PREFIX) + SHOWN_PREFIX_LENGTH],
        key_hash=hash_key(key),
        expires_on=expires_on,
        created_by=created_by,
    )
    return token, key


def revoke_token(token, *, by):
    """Revoke `token` (once; revoking again keeps the first time)."""
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.revoked_by = by
            token.save(update_fields=["revoked_at", "revoked_by"])
    return token


def tokens_for(user):
    """The tokens `user` may see and revoke: every one for the programme team; for others
    those of the organisations where they may grant one of the token's scopes."""
    tokens = ApiToken.objects.select_related("organisation", "created_by")
    if access.PROGRAMME_TEAM in access.roles_of(user):
        return tokens
    topics = {scope.topic for scope in _scopes.values()}
    organisation_ids = {
        organisation_id
        for organisation_id, member in access.memberships_of(user).items()
        if topics & set(member.topics) or None in topics
    }
    return tokens.filter(organisation_id__in=organisation_ids)


class ApiClient:
    """Who is calling: the token's organisation. Not a user; never logged in to the portal."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_programme_team = False

    def __init__(self, token):
        self.token = token
        self.organisation = token.organisation
        self.acting_user = token.created_by

    def has_scope(self, scope_key):
        return scope_key in self.token.scopes and may_grant(
            self.acting_user, self.organisation, scope_key
        )

    def __str__(self):
        return f"API token “{self.token.name}” ({self.organisation})"


class TokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer <key>`; anything else in that header is refused."""

    keyword = b"bearer"

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header:
            return None
        if header[0].lower() != self.keyword or len(header) != 2:
            raise exceptions.AuthenticationFailed(
                _("Send the token as “Authorization: Bearer <token>”."), code="malformed_token"
            )
        try:
            key = header[1].decode("ascii")
        except UnicodeDecodeError:
            key = ""
        if not key.startswith(KEY_PREFIX) or len(key) > 100:
            raise exceptions.AuthenticationFailed(
                _("This is not a token of this portal."), code="malformed_token"
            )
        token = (
            ApiToken.objects.select_related("organisation", "created_by")
            .filter(key_hash=hash_key(key))
            .first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed(_("Unknown token."), code="unknown_token")
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(
                _("This token has been revoked."), code="revoked_token"
            )
        if token.expires_on < timezone.localdate():
            raise exceptions.AuthenticationFailed(
                _("This token expired on %(date)s.") % {"date": token.expires_on.isoformat()},
                code="expired_token",
            )
        if not token.created_by.is_active or not token.organisation.active:
            raise exceptions.AuthenticationFailed(
                _("This token no longer works: its maker or its organisation is inactive."),
                code="inactive_token",
            )
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            # At most one write a minute per token, not one per request.
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return ApiClient(token), token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class HasScopes(permissions.BasePermission):
    """The view's `required_scopes`: a scope, or a dict of HTTP method to scope; None for
    a public endpoint."""

    def has_permission(self, request, view):
        scope = view.required_scope(request)
        if scope is None:
            return True
        client = request.user
        if not isinstance(client, ApiClient):
            raise exceptions.NotAuthenticated(
                _("This endpoint needs a token: “Authorization: Bearer <token>”.")
            )
        if not client.has_scope(scope):
            self.message = _("This token does not have the scope “%(scope)s”.") % {"scope": scope}
            return False
        return True


class TokenRateThrottle(throttling.SimpleRateThrottle):
    """settings.API_TOKEN_RATE per token; settings.API_ANONYMOUS_RATE per address without."""

    def get_rate(self):
        return None  # decided per request in allow_request

    def allow_request(self, request, view):
        if isinstance(request.user, ApiClient):
            self.rate = settings.API_TOKEN_RATE
            ident = f"token-{request.user.token.key_hash[:20]}"
        else:
            self.rate = settings.API_ANONYMOUS_RATE
            ident = f"address-{self.get_ident(request)}"
        self.num_requests, self.duration = self.parse_rate(self.rate)
        self.key = f"{settings.API_THROTTLE_NAMESPACE}-{ident}"
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        return self.key


class SizeLimitedJSONParser(parsers.JSONParser):
    """JSON up to settings.API_MAX_BODY_BYTES, with exact decimals (no binary floats)."""

    def parse(self, stream, media_type=None, parser_context=None):
        request = (parser_context or {}).get("request")
        length = int(request.META.get("CONTENT_LENGTH") or 0) if request is not None else 0
        if length > settings.API_MAX_BODY_BYTES:
            raise RequestTooLarge()
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = stream.read(settings.API_MAX_BODY_BYTES + 1)
            if len(text) > settings.API_MAX_BODY_BYTES:
                raise RequestTooLarge()
            return json.loads(text.decode(encoding), parse_float=Decimal, parse_constant=_refuse)
        except (ValueError, UnicodeDecodeError) as error:
            raise exceptions.ParseError(
                _("The body is not valid JSON: %(error)s") % {"error": error}
            ) from error


def _refuse(constant):
    raise ValueError(_("%(constant)s is not a number JSON allows.") % {"constant": constant})


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"

    def __init__(self):
        super().__init__(
            _("The request is larger than %(limit)s bytes; send fewer values per batch.")
            % {"limit": settings.API_MAX_BODY_BYTES}
        )


def _language(request):
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    first = header.split(",")[0].strip().lower()
    return "nl" if first.startswith("nl") else settings.API_LANGUAGE


class ApiSchema(AutoSchema):
    """drf-spectacular's schema, with the scope an operation needs as `x-required-scope`."""

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        scopes = getattr(self.view, "required_scopes", None)
        if isinstance(scopes, dict):
            scopes = scopes.get(self.method, scopes.get("*"))
        if operation is not None and scopes:
            operation["x-required-scope"] = scopes
        return operation


class ApiMixin:
    """For every API view (with views.APIView or a generic view): token authentication,
    scopes, throttling, JSON, and the API's language."""

    authentication_classes = [TokenAuthentication]
    permission_classes = [HasScopes]
    throttle_classes = [TokenRateThrottle]
    parser_classes = [SizeLimitedJSONParser]
    schema = ApiSchema()
    required_scopes = None
    # For portal.access: the API has its own checks, not the portal's roles.
    access_rule = access.Rule(label="api")

    def required_scope(self, request):
        scopes = self.required_scopes
        if isinstance(scopes, dict):
            return scopes.get(request.method, scopes.get("*"))
        return scopes

    def dispatch(self, request, *args, **kwargs):
        with translation.override(_language(request)):
            response = super().dispatch(request, *args, **kwargs)
            response["Content-Language"] = translation.get_language()
            if hasattr(response, "render") and not response.is_rendered:
                response.render()  # while the language is still the API's
        return response


class ApiView(ApiMixin, views.APIView):
    pass


def exception_handler(error, context):
    """DRF's handler, with a "code" beside "detail", and 404s in the API's own words."""
    if isinstance(error, Http404):
        error = exceptions.NotFound(_("Not found, or not yours."))
    response = views.exception_handler(error, context)
    if response is None:
        return None
    if isinstance(error, exceptions.APIException) and isinstance(response.data, dict):
        if "detail" in response.data:
            response.data["code"] = getattr(error.detail, "code", error.default_code)
        else:
            response.data = {
                "detail": _("The request is not valid."),
                "code": "invalid",
                "errors": response.data,
            }
    if isinstance(error, exceptions.Throttled) and error.wait is not None:
        response.data["retry_after_seconds"] = int(error.wait + 0.999)
    return response


class TokenScheme(OpenApiAuthenticationExtension):
    """The OpenAPI schema's description of TokenAuthentication."""

    target_class = TokenAuthentication
    name = "token"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "An organisation's API token (hgp_...), made in the portal under API tokens, "
                "sent as `Authorization: Bearer <token>`."
            ),
        }
