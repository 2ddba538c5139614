from django.http import HttpResponse

from portal import access

from ..models import TOPIC


@access.topic_required(TOPIC)
def figures(request):
    return HttpResponse("")


@access.topic_required(TOPIC)
def figures_csv(request):
    return HttpResponse("")
