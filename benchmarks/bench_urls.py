"""The portal's URLs and a bare Django view: the baseline of the load run (benchmarks/load.py).

The bare view passes the same middleware as every page, so the ratio against it shows the
cost of the page itself.
"""

from django.http import HttpResponse
from django.urls import path

from portal.urls import urlpatterns as portal_urlpatterns

BARE_PATH = "bench/bare/"


def bare(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path(BARE_PATH, bare), *portal_urlpatterns]
