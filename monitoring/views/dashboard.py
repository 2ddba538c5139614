"""(being written)"""

from django.http import HttpResponse

from portal import access


@access.public
def public_dashboard(request):
    return HttpResponse("")


@access.public
def public_chart_csv(request, code):
    return HttpResponse("")


@access.roles_required(access.PROGRAMME_TEAM)
def dashboard(request):
    return HttpResponse("")


@access.roles_required(access.PROGRAMME_TEAM)
def chart_csv(request, code):
    return HttpResponse("")
