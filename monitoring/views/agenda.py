"""The action agendas: the public /agenda/ pages, the programme team's editing pages, and the
activity page where the programme team and a lead organisation's editors post progress."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal import access
from portal.cache import cache_public_page

from .. import agenda_selectors as selectors
from ..forms.agenda import (
    ActivityForm,
    AgendaForm,
    ProgrammeLineForm,
    ProgressUpdateForm,
    StatusForm,
)
from ..models import Activity, Agenda, ProgrammeLine, ProgressUpdate
from ..services import agenda as services

MEMBERS = (access.PROGRAMME_TEAM, *access.PARTNER_ROLES)


# Public ----------------------------------------------------------------------------------


@access.public
@cache_public_page
def public_agenda_list(request):
    agendas = list(selectors.public_agendas())
    for agenda in agendas:
        agenda.summary = selectors.agenda_progress(agenda)
    return render(request, "monitoring/agenda_public_list.html", {"agendas": agendas})


@access.public
@cache_public_page
def public_agenda_detail(request, slug):
    agenda = get_object_or_404(selectors.public_agendas(), slug=slug)
    return render(
        request,
        "monitoring/agenda_public_detail.html",
        {"agenda": agenda, "lines": selectors.agenda_tree(agenda)},
    )


# Programme team: agendas and lines -------------------------------------------------------


@access.roles_required(access.PROGRAMME_TEAM)
def agenda_list(request):
    agendas = list(Agenda.objects.all())
    return render(
        request,
        "monitoring/agenda_list.html",
        {"agendas": agendas, "trees": [(a, selectors.agenda_tree(a)) for a in agendas]},
    )


@access.roles_required(access.PROGRAMME_TEAM)
def agenda_create(request):
    return _agenda_form(request, Agenda())


@access.roles_required(access.PROGRAMME_TEAM)
def agenda_edit(request, pk):
    return _agenda_form(request, get_object_or_404(Agenda, pk=pk))


def _agenda_form(request, agenda):
    form = AgendaForm(request.POST or None, instance=agenda)
    if request.method == "POST":
        if form.is_valid():
            form.save()
            messages.success(request, _("The agenda has been saved."))
            return redirect("monitoring-agenda-list")
        return _invalid(request, "monitoring/agenda_form.html", {"form": form, "agenda": agenda})
    return render(request, "monitoring/agenda_form.html", {"form": form, "agenda": agenda})


@access.roles_required(access.PROGRAMME_TEAM)
def line_create(request, pk):
    agenda = get_object_or_404(Agenda, pk=pk)
    return _line_form(request, ProgrammeLine(agenda=agenda), agenda)


@access.roles_required(access.PROGRAMME_TEAM)
def line_edit(request, pk):
    line = get_object_or_404(ProgrammeLine.objects.select_related("agenda"), pk=pk)
    return _line_form(request, line, line.agenda)


def _line_form(request, line, agenda):
    form = ProgrammeLineForm(request.POST or None, instance=line, agenda=agenda)
    context = {"form": form, "line": line, "agenda": agenda}
    if request.method == "POST":
        if form.is_valid():
            form.save()
            messages.success(request, _("The programme line has been saved."))
            return redirect("monitoring-agenda-list")
        return _invalid(request, "monitoring/line_form.html", context)
    return render(request, "monitoring/line_form.html", context)


# Activities ------------------------------------------------------------------------------


@access.roles_required(access.PROGRAMME_TEAM)
def activity_create(request, pk):
    line = get_object_or_404(ProgrammeLine.objects.select_related("agenda"), pk=pk)
    return _activity_form(request, Activity(line=line), line.agenda)


@access.roles_required(access.PROGRAMME_TEAM)
def activity_edit(request, pk):
    activity = get_object_or_404(Activity.objects.select_related("line__agenda"), pk=pk)
    return _activity_form(request, activity, activity.line.agenda)


def _activity_form(request, activity, agenda):
    form = ActivityForm(
        request.POST or None, instance=activity, agenda=agenda, initial={"line": activity.line_id}
    )
    context = {"form": form, "activity": activity, "agenda": agenda}
    if request.method == "POST":
        if form.is_valid():
            saved = services.activity_save(
                activity=form.save(commit=False),
                by=request.user,
                partners=form.cleaned_data["partners"],
                intended_partners=form.cleaned_data["intended_partners"],
                indicators=form.cleaned_data["indicators"],
            )
            messages.success(request, _("The activity has been saved."))
            return redirect(saved)
        return _invalid(request, "monitoring/activity_form.html", context)
    return render(request, "monitoring/activity_form.html", context)


def _get_activity(request, pk, *, edit=False):
    """The activity, for the programme team and the lead organisation's members."""
    return access.get_object_for_user(
        request,
        Activity.objects.select_related("line__agenda", "lead"),
        edit=edit,
        via="lead",
        pk=pk,
    )


@access.roles_required(*MEMBERS)
def activity_detail(request, pk):
    activity = _get_activity(request, pk)
    return _activity_page(request, activity)


def _activity_page(request, activity, *, update_form=None, status_form=None, status=200):
    user = request.user
    is_team = access.PROGRAMME_TEAM in access.roles_of(user)
    may_post = is_team or access.is_member(user, activity.lead_id, edit=True)
    context = {
        "activity": activity,
        "is_team": is_team,
        "may_post": may_post,
        "changes": activity.status_changes.select_related("changed_by"),
        "updates": activity.updates.select_related("author", "status_change"),
        "partners": activity.partners.all(),
        "intended_partners": activity.intended_partners.all(),
        "indicators": activity.indicators.all(),
    }
    if may_post:
        context["update_form"] = update_form or ProgressUpdateForm(activity=activity, user=user)
    if is_team:
        context["status_form"] = status_form or StatusForm(activity=activity, user=user)
    return render(request, "monitoring/activity_detail.html", context, status=status)


@require_POST
@access.roles_required(access.PROGRAMME_TEAM)
def activity_status(request, pk):
    activity = _get_activity(request, pk, edit=True)
    form = StatusForm(request.POST, activity=activity, user=request.user)
    if form.is_valid():
        try:
            services.activity_transition(
                activity=activity,
                status=form.cleaned_data["status"],
                by=request.user,
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            form.add_error("status", error.messages)
        else:
            messages.success(request, _("The status has been changed."))
            return redirect(activity)
    return _activity_page(request, activity, status_form=form, status=400)


@require_POST
@access.roles_required(*MEMBERS)
def progress_create(request, pk):
    activity = _get_activity(request, pk, edit=True)
    form = ProgressUpdateForm(request.POST, request.FILES, activity=activity, user=request.user)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.progress_update_create(
                activity=activity,
                author=request.user,
                text=data["text"],
                date=data["date"],
                status=data["status"],
                progress=data["progress"],
                attachment=data["attachment"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Your progress update has been posted."))
            return redirect(activity)
        # The status may have been read before the refused change: show what is stored.
        activity.refresh_from_db()
    return _activity_page(request, activity, update_form=form, status=400)


@access.roles_required(*MEMBERS)
def progress_attachment(request, pk):
    update = access.get_object_for_user(request, ProgressUpdate, via="activity__lead", pk=pk)
    if not update.attachment:
        raise Http404
    storage = update.attachment.storage
    response = HttpResponse(
        storage.read_decrypted(update.attachment.name),
        content_type=services.attachment_content_type(update),
    )
    filename = update.attachment.name.rsplit("/", 1)[-1]
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# Helpers ---------------------------------------------------------------------------------


def _invalid(request, template, context):
    return render(request, template, context, status=400)


def _add_errors(form, error):
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error("status" if error.code and "transition" in error.code else None, error)
