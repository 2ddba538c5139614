from django.http import HttpResponse

from portal import access


@access.roles_required(access.PROGRAMME_TEAM)
def overview(request):
    return HttpResponse("")


@access.roles_required(access.PARTNER_EDITOR, access.PROGRAMME_TEAM)
def commitments_edit(request, signature_pk, year):
    return HttpResponse("")
