"""The biennial monitor: the programme team starts, follows, downloads and publishes it; the
public downloads the published ones."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal import access

from ..forms.monitors import MonitorRequestForm
from ..models import Monitor
from ..services import monitors as services

# The monitor page reloads itself this often (seconds) until the monitor is done or failed.
REFRESH_SECONDS = 3


def _pdf_response(monitor):
    if monitor.status != Monitor.Status.DONE or not monitor.file:
        raise Http404
    response = FileResponse(
        monitor.file.open("rb"),
        as_attachment=True,
        filename=f"monitor-{monitor.period}.pdf",
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@access.roles_required(access.PROGRAMME_TEAM)
def monitor_list(request):
    if request.method == "POST":
        form = MonitorRequestForm(request.POST)
        if form.is_valid():
            start_year, end_year = form.cleaned_data["period"]
            monitor = services.monitor_request(
                start_year=start_year,
                end_year=end_year,
                by=request.user,
                language=form.cleaned_data["language"],
            )
            return redirect(monitor)
        status = 400
    else:
        start_year, end_year = services.last_complete_period()
        form = MonitorRequestForm(
            initial={"period": f"{start_year}-{end_year}", "language": request.LANGUAGE_CODE}
        )
        status = 200
    monitors = Monitor.objects.select_related("requested_by")[:50]
    return render(
        request,
        "monitoring/monitor_list.html",
        {"form": form, "monitors": monitors},
        status=status,
    )


@access.roles_required(access.PROGRAMME_TEAM)
def monitor_detail(request, pk):
    monitor = get_object_or_404(Monitor.objects.select_related("requested_by"), pk=pk)
    finished = monitor.status in (Monitor.Status.DONE, Monitor.Status.FAILED)
    # The page refreshes itself until the monitor is finished; ?auto=0 turns that off for
    # whoever needs the page to stay still (WCAG 2.2.1), without JavaScript.
    refresh = not finished and request.GET.get("auto") != "0"
    return render(
        request,
        "monitoring/monitor_detail.html",
        {
            "monitor": monitor,
            "finished": finished,
            "refresh": refresh,
            "refresh_seconds": REFRESH_SECONDS,
            "retry_form": MonitorRequestForm(
                initial={"period": monitor.period, "language": monitor.language}
            ),
        },
    )


@access.roles_required(access.PROGRAMME_TEAM)
def monitor_download(request, pk):
    return _pdf_response(get_object_or_404(Monitor, pk=pk))


@access.roles_required(access.PROGRAMME_TEAM)
@require_POST
def monitor_publish(request, pk):
    monitor = get_object_or_404(Monitor, pk=pk)
    try:
        services.monitor_publish(monitor=monitor, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The monitor is published on the public monitor page."))
    return redirect(monitor)


@access.public
def public_list(request):
    monitors = Monitor.objects.filter(published_at__isnull=False).order_by(
        "-end_year", "-published_at"
    )
    return render(request, "monitoring/monitor_public_list.html", {"monitors": monitors})


@access.public
def public_download(request, pk):
    return _pdf_response(get_object_or_404(Monitor, pk=pk, published_at__isnull=False))
