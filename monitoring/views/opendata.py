"""(being written)"""

from django.http import HttpResponse

from portal import access


@access.public
def index(request):
    return HttpResponse("")


@access.public
def figures_csv(request):
    return HttpResponse("")


@access.public
def figures_json(request):
    return HttpResponse("")


@access.public
def indicators_json(request):
    return HttpResponse("")
