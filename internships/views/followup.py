from django.http import HttpResponse

from portal import access


@access.public
def followup_login(request):
    return HttpResponse("")


@access.public
def followup_report(request):
    return HttpResponse("")


@access.public
def followup_logout(request):
    return HttpResponse("")
