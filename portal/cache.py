"""Cached public pages: what every anonymous visitor of one language sees.

Public pages (home, the public agreements, and later apps' public pages) cost their template
rendering on every request although they are the same for every anonymous visitor. A view
decorated with `cache_public_page` keeps its content in the Django cache (Redis in
production, shared by all web processes), per path with query string and language.

Invalidation: one version token in the cache. Apps register the models their public pages
show in `AppConfig.ready()` (`register(Agreement, ...)`); a save, delete or many-to-many
change of one of them replaces the token, and every page stored under the old token is
rendered afresh at its next request. Writes that send no model signals (bulk imports) must
send import-export's `post_import` signal for the model, or call `invalidate()`; entries also
expire after TIMEOUT, which bounds what a missed signal or a deploy with changed templates
can leave behind. The version token must be shared: with the per-process memory cache (no
CACHE_URL) and several web processes, a change retires the pages of its own process only,
and the others serve theirs until TIMEOUT. Production sets CACHE_URL (Redis).

Only the content and its type are stored, never headers or cookies: the middleware adds
its headers (CSP, security, language) on the way out as for any response. A page is stored
only when it carries nothing of one visitor: anonymous, GET or HEAD, status 200, no
messages, no cookie set, no CSRF token used (the language switch posts to a CSRF-exempt
view for that reason, see `set_language`).
"""

import hashlib
import logging
import threading
import uuid
from functools import wraps

from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.utils.translation import get_language
from django.views import i18n
from django.views.decorators.csrf import csrf_exempt
from import_export.signals import post_import

from portal import access

logger = logging.getLogger(__name__)

VERSION_KEY = "public-pages:version"
TIMEOUT = 10 * 60
_models = set()
_local = threading.local()


def register(*models):
    """Public pages show these models: a change to one of them invalidates every page."""
    for model in models:
        label = model._meta.label_lower
        _models.add(model)
        post_save.connect(_on_change, sender=model, dispatch_uid=f"public-pages-save-{label}")
        post_delete.connect(_on_change, sender=model, dispatch_uid=f"public-pages-delete-{label}")
        for field in model._meta.local_many_to_many:
            m2m_changed.connect(
                _on_m2m_change,
                sender=field.remote_field.through,
                dispatch_uid=f"public-pages-m2m-{label}-{field.name}",
            )


def invalidate():
    """Retire every cached public page; they are rendered again at their next request."""
    try:
        cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)
    except Exception:
        # A cache that is down must not fail the change itself; the TIMEOUT bounds staleness.
        logger.exception("Public page cache: could not invalidate")


def _on_change(sender, using=None, **kwargs):
    connection = transaction.get_connection(using)
    if not connection.in_atomic_block:
        invalidate()
        return
    # Until the commit only this connection sees the change. Pages this thread stored may
    # show the old data to the transaction's own later requests (tests): retire them now,
    # once, not at every row of an import.
    if getattr(_local, "stored", True):
        _local.stored = False
        invalidate()
    # And once more after the commit, for every process: pages rendered meanwhile from the
    # old data were stored under the current version. One callback per transaction.
    if not any(entry[1] is invalidate for entry in connection.run_on_commit):
        transaction.on_commit(invalidate, using=using)


def _on_m2m_change(sender, action, using=None, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        _on_change(sender, using=using)


def _on_import(sender, model=None, **kwargs):
    if model in _models:
        _on_change(sender)


post_import.connect(_on_import, dispatch_uid="public-pages-import")


def cache_public_page(view):
    """Serve the view's page from the cache to anonymous visitors (see the module docstring)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not _may_use_cache(request):
            return view(request, *args, **kwargs)
        key = _page_key(request)
        try:
            found = cache.get_many([VERSION_KEY, key])
            version = found.get(VERSION_KEY) or _new_version()
        except Exception:
            logger.exception("Public page cache: unavailable, rendering %s", request.path)
            return view(request, *args, **kwargs)
        entry = found.get(key)
        if entry is not None and entry[0] == version:
            return HttpResponse(entry[1], content_type=entry[2])
        # The version was read before rendering: if the content changes meanwhile, this page
        # is stored under the old version and rendered again at the next request.
        response = view(request, *args, **kwargs)
        if _may_store(request, response):
            try:
                cache.set(key, (version, response.content, response["Content-Type"]), TIMEOUT)
                _local.stored = True
            except Exception:
                logger.exception("Public page cache: could not store %s", request.path)
        return response

    return wrapper


def _may_use_cache(request):
    return (
        request.method in ("GET", "HEAD")
        and not request.user.is_authenticated
        and not len(get_messages(request))
    )


def _may_store(request, response):
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not _NOT_SHARED.intersection(_cache_control(response))
        # A page that rendered a CSRF token belongs to one visitor.
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not len(get_messages(request))
        and not getattr(get_messages(request), "used", False)
    )


_NOT_SHARED = {"private", "no-store", "no-cache", "max-age=0"}


def _cache_control(response):
    return {part.strip().lower() for part in response.get("Cache-Control", "").split(",")}


def _page_key(request):
    path = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    return f"public-pages:{get_language()}:{path}"


def _new_version():
    cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
    return cache.get(VERSION_KEY)


# The language switch is in every page's header. With a CSRF token in its form, a page could
# not be shared between visitors, and a visitor served a cached page has no CSRF cookie, so
# the switch would fail. It is exempt instead, which is safe: it changes no data on the
# server, only the visitor's own language cookie, and Django's view redirects only to a `next`
# on this host. A forged cross-site post can do no more than switch the visitor's language.
@access.public
@csrf_exempt
def set_language(request):
    """Django's set_language, without the CSRF check (see above)."""
    return i18n.set_language(request)
