"""(being written)"""

from django.http import HttpResponse

from portal import access


@access.public
def public_list(request):
    return HttpResponse("")


@access.public
def public_download(request, pk):
    return HttpResponse("")


@access.roles_required(access.PROGRAMME_TEAM)
def monitor_list(request):
    return HttpResponse("")


@access.roles_required(access.PROGRAMME_TEAM)
def monitor_detail(request, pk):
    return HttpResponse("")


@access.roles_required(access.PROGRAMME_TEAM)
def monitor_download(request, pk):
    return HttpResponse("")


@access.roles_required(access.PROGRAMME_TEAM)
def monitor_publish(request, pk):
    return HttpResponse("")
