from django.http import HttpResponse

from portal import access


@access.public
def report_form(request):
    return HttpResponse("")


@access.public
def report_done(request):
    return HttpResponse("")
