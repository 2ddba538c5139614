"""The portal's URLs and a bare Django view: the baseline of the load run (benchmarks/load.py).

The bare view passes the same middleware as every page, so the ratio against it shows the
cost of the page itself.
"""

from django.http import HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from portal.urls import urlpatterns as portal_urlpatterns

BARE_PATH = "bench/bare/"
WRITE_PATH = "bench/write/"


def bare(request):
    return HttpResponse("ok", content_type="text/plain")


@csrf_exempt
def bare_write(request):
    """The least a durable form submission costs: one row inserted and committed.

    A reference for the intake POST: no write that survives a crash can be cheaper here.
    """
    from portal.models import PendingTask

    PendingTask.objects.create(task_name="bench.write", args=[])
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path(BARE_PATH, bare), path(WRITE_PATH, bare_write), *portal_urlpatterns]
