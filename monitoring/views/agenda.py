"""(being written)"""

from django.http import HttpResponse

from portal import access


@access.public
def public_agenda_list(request):
    return HttpResponse("")


@access.public
def public_agenda_detail(request, slug):
    return HttpResponse("")


@access.roles_required(access.PROGRAMME_TEAM)
def agenda_list(request):
    return HttpResponse("")


@access.roles_required(access.PROGRAMME_TEAM)
def agenda_create(request):
    return HttpResponse("")


@access.roles_required(access.PROGRAMME_TEAM)
def agenda_edit(request, pk):
    return HttpResponse("")


@access.roles_required(access.PROGRAMME_TEAM)
def line_create(request, pk):
    return HttpResponse("")


@access.roles_required(access.PROGRAMME_TEAM)
def line_edit(request, pk):
    return HttpResponse("")


@access.roles_required(access.PROGRAMME_TEAM)
def activity_create(request, pk):
    return HttpResponse("")


@access.login_required
def activity_detail(request, pk):
    return HttpResponse("")


@access.roles_required(access.PROGRAMME_TEAM)
def activity_edit(request, pk):
    return HttpResponse("")


@access.login_required
def progress_create(request, pk):
    return HttpResponse("")


@access.login_required
def progress_attachment(request, pk):
    return HttpResponse("")
