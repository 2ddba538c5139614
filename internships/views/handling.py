from django.http import HttpResponse

from portal import access

from ..models import TOPIC


@access.topic_required(TOPIC)
def report_list(request):
    return HttpResponse("")


@access.topic_required(TOPIC)
def overdue_list(request):
    return HttpResponse("")


@access.topic_required(TOPIC)
def report_detail(request, pk):
    return HttpResponse("")


@access.topic_required(TOPIC)
def report_status(request, pk):
    return HttpResponse("")


@access.topic_required(TOPIC)
def report_message(request, pk):
    return HttpResponse("")


@access.topic_required(TOPIC)
def report_note(request, pk):
    return HttpResponse("")


@access.topic_required(TOPIC)
def attachment_download(request, pk, attachment_pk):
    return HttpResponse("")
