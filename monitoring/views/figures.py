"""(being written)"""

from django.http import HttpResponse

from portal import access

from ..models import TOPIC


@access.roles_required(access.PROGRAMME_TEAM)
def indicator_list(request):
    return HttpResponse("")


@access.roles_required(access.PROGRAMME_TEAM)
def indicator_create(request):
    return HttpResponse("")


@access.roles_required(access.PROGRAMME_TEAM)
def indicator_edit(request, pk):
    return HttpResponse("")


@access.roles_required(access.PROGRAMME_TEAM)
def round_list(request):
    return HttpResponse("")


@access.roles_required(access.PROGRAMME_TEAM)
def round_create(request):
    return HttpResponse("")


@access.roles_required(access.PROGRAMME_TEAM)
def round_detail(request, year):
    return HttpResponse("")


@access.roles_required(access.PROGRAMME_TEAM)
def round_edit(request, year):
    return HttpResponse("")


@access.roles_required(access.PROGRAMME_TEAM)
def value_list(request):
    return HttpResponse("")


@access.roles_required(access.PROGRAMME_TEAM)
def value_review(request):
    return HttpResponse("")


@access.topic_required(TOPIC)
def my_figures(request):
    return HttpResponse("")


@access.topic_required(TOPIC)
def my_figures_submit(request):
    return HttpResponse("")
