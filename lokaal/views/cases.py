"""The case pipeline for desk advisors and the programme team.

Every view is for the desk roles; a case belongs to no organisation. Reading a case's
personal data (its page, its JSON export, a list export with personal columns) writes an
access-log row; erasing it is for the programme team only.
"""

import json

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal import access
from portal.accesslog import log_access
from portal.imports import export_response
from portal.models import AccessLog

from .. import selectors, services
from ..forms.cases import (
    AssignForm,
    CaseFilter,
    CaseStatusForm,
    ExportForm,
    ProgrammeForm,
    RouteForm,
    TimelineForm,
)
from ..models import (
    Case,
    EducationLevel,
    HeardVia,
    OriginSector,
    ShortageSubject,
    TargetSector,
    TimelineKind,
)
from ..resources import CaseExportResource

DESK = (access.DESK_ADVISOR, access.PROGRAMME_TEAM)
PAGE_SIZE = 50


def _filtered_cases(request, queryset):
    """The CaseFilter on `queryset`; an advisor's default view is their own queue."""
    data = request.GET.copy()
    if not data.get("view"):
        data["view"] = CaseFilter.MINE if request.user.is_desk_advisor else CaseFilter.ALL
    return CaseFilter(data, queryset=queryset, request=request)


@access.roles_required(*DESK)
def case_list(request):
    filterset = _filtered_cases(request, selectors.case_list())
    # No distinct(): a case has a subject at most once, so the subject filter adds no rows.
    cases = filterset.qs.order_by("-created_at", "-pk")
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "lokaal/cases_list.html",
        {
            "filter": filterset,
            "page": page,
            "query": query.urlencode(),
            "export": ExportForm(),
            "today": timezone.localdate(),
        },
    )


@access.roles_required(*DESK)
def overdue_list(request):
    return redirect(reverse("lokaal-case-list") + "?view=all&overdue=on")


@access.roles_required(*DESK)
def case_detail(request, pk):
    case = get_object_or_404(selectors.case_detail(), pk=pk)
    log_access(request, case, action="view")
    year = timezone.localdate().year
    count, quota = selectors.programme_count(year=year)
    return render(
        request,
        "lokaal/cases_detail.html",
        {
            "case": case,
            "submissions": _submissions(case),
            "timeline": selectors.case_timeline(case),
            "routes": selectors.routes_with_hints(case=case),
            "programme": {"year": year, "count": count, "quota": quota},
            "status_form": CaseStatusForm(case=case, user=request.user),
            "assign_form": AssignForm(initial={"advisor": case.assigned_to_id}),
            "timeline_form": TimelineForm(),
            "route_form": RouteForm(initial={"route": case.advised_route_id}),
            "programme_form": ProgrammeForm(),
            "may_erase": access.PROGRAMME_TEAM in access.roles_of(request.user),
        },
    )


def _submissions(case):
    """Each submission's answers as (label, shown value) pairs; the later ones are new."""
    submissions = list(case.submissions.all())
    subject_ids = {
        pk for s in submissions for pk in (s.data.get("subjects") or []) if isinstance(pk, int)
    }
    subjects = dict(ShortageSubject.objects.filter(pk__in=subject_ids).values_list("pk", "name"))
    municipality_ids = {s.data.get("municipality") for s in submissions} - {None, ""}
    municipalities = {}
    if municipality_ids:
        from partners.models import Municipality

        municipalities = dict(
            Municipality.objects.filter(pk__in=municipality_ids).values_list("pk", "name")
        )
    choices = {
        "origin_sector": OriginSector,
        "education_level": EducationLevel,
        "heard_via": HeardVia,
    }
    result = []
    for index, submission in enumerate(submissions):
        rows = []
        for key, value in submission.data.items():
            if key == "consent":
                continue
            try:
                label = Case._meta.get_field(key).verbose_name
            except FieldDoesNotExist:
                label = key
            rows.append((label, _show(key, value, choices, subjects, municipalities)))
        result.append({"submission": submission, "is_new": index > 0, "rows": rows})
    return result


def _show(key, value, choices, subjects, municipalities):
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if key in choices and value in choices[key].values:
        return choices[key](value).label
    if key == "target_sectors":
        return ", ".join(
            str(TargetSector(v).label) if v in TargetSector.values else str(v) for v in value or []
        )
    if key == "subjects":
        return ", ".join(subjects.get(v, str(v)) for v in value or [])
    if key == "municipality":
        return municipalities.get(value, "")
    return "" if value is None else str(value)


def _back(case):
    return redirect("lokaal-case-detail", pk=case.pk)


def _form_errors(request, form):
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


@access.roles_required(*DESK)
@require_POST
def case_status(request, pk):
    case = get_object_or_404(Case, pk=pk)
    form = CaseStatusForm(request.POST, case=case, user=request.user)
    if not form.is_valid():
        if "status" in form.errors:
            messages.error(request, _("Choose one of the statuses offered."))
        else:
            _form_errors(request, form)
        return _back(case)
    try:
        services.case_transition(
            case=case,
            to=form.cleaned_data["status"],
            by=request.user,
            note=form.cleaned_data["note"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("The status is now “%(status)s”.") % {"status": case.get_status_display()}
        )
    return _back(case)


@access.roles_required(*DESK)
@require_POST
def case_assign(request, pk):
    case = get_object_or_404(Case, pk=pk)
    form = AssignForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose an advisor from the list."))
        return _back(case)
    advisor = form.cleaned_data["advisor"]
    try:
        services.case_assign(case=case, advisor=advisor, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("The case is assigned to %(advisor)s.") % {"advisor": advisor}
            if advisor
            else _("The case is no longer assigned."),
        )
    return _back(case)


@access.roles_required(*DESK)
@require_POST
def case_timeline_add(request, pk):
    case = get_object_or_404(Case, pk=pk)
    form = TimelineForm(request.POST)
    if form.is_valid():
        services.timeline_add(
            case=case,
            kind=form.cleaned_data["kind"],
            text=form.cleaned_data["text"],
            by=request.user,
        )
        messages.success(
            request,
            _("“%(kind)s” has been added to the timeline.")
            % {"kind": TimelineKind(form.cleaned_data["kind"]).label},
        )
    else:
        _form_errors(request, form)
    return _back(case)


@access.roles_required(*DESK)
@require_POST
def case_route(request, pk):
    case = get_object_or_404(Case, pk=pk)
    form = RouteForm(request.POST)
    if form.is_valid():
        services.case_advise_route(
            case=case,
            route=form.cleaned_data["route"],
            by=request.user,
            note=form.cleaned_data["note"],
        )
        messages.success(
            request, _("The advised route is now “%(route)s”.") % {"route": case.advised_route}
        )
    else:
        _form_errors(request, form)
    return _back(case)


@access.roles_required(*DESK)
@require_POST
def case_programme(request, pk):
    case = get_object_or_404(Case, pk=pk)
    form = ProgrammeForm(request.POST)
    if form.is_valid():
        try:
            services.case_programme_join(
                case=case,
                year=form.cleaned_data["year"],
                by=request.user,
                decision_note=form.cleaned_data["decision_note"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("The case is in the status-holder programme of %(year)s.")
                % {"year": case.programme_year},
            )
    else:
        _form_errors(request, form)
    return _back(case)


@access.roles_required(*DESK)
def route_list(request):
    return render(
        request,
        "lokaal/cases_routes.html",
        {"routes": selectors.routes_with_hints(case=None)},
    )


# Personal data


@access.roles_required(*DESK)
def case_export(request, pk):
    case = get_object_or_404(Case, pk=pk)
    data = services.case_export_data(case=case)
    log_access(request, case, action="export")
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="{case.reference}.json"'
    return response


@access.roles_required(access.PROGRAMME_TEAM)
def case_erase(request, pk):
    case = get_object_or_404(Case, pk=pk)
    if request.method == "POST":
        if case.is_anonymised:
            messages.info(request, _("This case has already been erased."))
        else:
            services.case_anonymise(case=case)
            log_access(request, case, action="erase")
            messages.success(
                request,
                _("The personal data of %(reference)s have been erased.")
                % {"reference": case.reference},
            )
        return _back(case)
    return render(request, "lokaal/cases_erase.html", {"case": case})


# Export of the list


@access.roles_required(*DESK)
def case_export_list(request):
    filterset = _filtered_cases(request, Case.objects.all())
    form = ExportForm(request.GET)
    file_format = form.cleaned_data["format"] if form.is_valid() else "xlsx"
    # Only desk advisors, who work with the candidates, get the columns that identify them.
    personal = request.user.is_desk_advisor
    resource = CaseExportResource(personal=personal)
    queryset = resource.get_export_queryset().filter(pk__in=filterset.qs.values("pk"))
    if personal:
        _log_list_export(request, queryset)
    return export_response(resource, queryset, file_format=file_format, basename="aanmeldingen")


def _log_list_export(request, queryset):
    """One access-log row per exported case, written in one query."""
    content_type = ContentType.objects.get_for_model(Case)
    now = timezone.now()
    AccessLog.objects.bulk_create(
        [
            AccessLog(
                user=request.user,
                at=now,
                action="export",
                content_type=content_type,
                object_id=str(pk),
                path=request.path[:255],
            )
            for pk in queryset.values_list("pk", flat=True)
        ],
        batch_size=1000,
    )
