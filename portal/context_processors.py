"""Template context shared by every page."""

from django.utils.functional import SimpleLazyObject

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
