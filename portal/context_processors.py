"""Template context shared by every page."""

from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from portal import registry
from portal.models import SiteSettings


def site_settings(request):
    """The programme office's details (``SiteSettings``) as ``site_settings``.

    Read lazily, so only pages that show them query the database, and at most once per
    request, however many templates render.
    """

    def load():
        if not hasattr(request, "_site_settings"):
            request._site_settings = SiteSettings.get_solo()
        return request._site_settings

    return {"site_settings": SimpleLazyObject(load)}


def navigation(request):
    """The main navigation as ``nav_items``: (url, label, is current) per registered item."""

    def items():
        user = getattr(request, "user", None)
        if user is None:  # a page rendered before authentication ran (a refused request)
            return []
        current = getattr(request.resolver_match, "url_name", None)
        return [
            {
                "url": reverse(item.url_name),
                "label": item.label,
                "current": item.url_name == current,
            }
            for item in registry.nav_items(user)
        ]

    return {"nav_items": SimpleLazyObject(items)}
