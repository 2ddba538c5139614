"""The yearly figures' pages: indicators and rounds (the programme team), the round's
completeness, the figures to review, and a submitter's own figures."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal import access

from ..forms.figures import IndicatorForm, ReviewForm, RoundForm, ValueFilterForm
from ..importers import open_rounds, submitter_organisation_ids
from ..models import TOPIC, FigureValue, Indicator, ReportingRound
from ..services import figures as services

PAGE_SIZE = 50


@access.roles_required(access.PROGRAMME_TEAM)
def indicator_list(request):
    indicators = Indicator.objects.all()
    return render(request, "monitoring/indicator_list.html", {"indicators": indicators})


@access.roles_required(access.PROGRAMME_TEAM)
def indicator_create(request):
    return _indicator_form(request, Indicator())


@access.roles_required(access.PROGRAMME_TEAM)
def indicator_edit(request, pk):
    return _indicator_form(request, get_object_or_404(Indicator, pk=pk))


def _indicator_form(request, indicator):
    form = IndicatorForm(request.POST or None, instance=indicator)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The indicator has been saved."))
        return redirect("monitoring-indicator-list")
    return render(request, "monitoring/indicator_form.html", {"form": form, "indicator": indicator})


@access.roles_required(access.PROGRAMME_TEAM)
def round_list(request):
    rounds = ReportingRound.objects.all()
    return render(request, "monitoring/round_list.html", {"rounds": rounds})


@access.roles_required(access.PROGRAMME_TEAM)
def round_create(request):
    return _round_form(request, ReportingRound())


@access.roles_required(access.PROGRAMME_TEAM)
def round_edit(request, year):
    return _round_form(request, get_object_or_404(ReportingRound, year=year))


def _round_form(request, round_):
    form = RoundForm(request.POST or None, instance=round_)
    if request.method == "POST" and form.is_valid():
        round_ = form.save()
        messages.success(request, _("The reporting round has been saved."))
        return redirect("monitoring-round-detail", year=round_.year)
    return render(request, "monitoring/round_form.html", {"form": form, "round": round_})


@access.roles_required(access.PROGRAMME_TEAM)
def round_detail(request, year):
    """The round's completeness: per reporting organisation, what is missing or waiting."""
    round_ = get_object_or_404(ReportingRound, year=year)
    completeness = services.round_completeness(round_)
    return render(
        request,
        "monitoring/round_detail.html",
        {"round": round_, "completeness": completeness, "statuses": FigureValue.Status},
    )


@access.roles_required(access.PROGRAMME_TEAM)
def value_list(request):
    form = ValueFilterForm(request.GET or None)
    values = form.filter(
        FigureValue.objects.filter(organisation__isnull=False).select_related(
            "organisation", "indicator"
        )
    ).order_by("-year", "organisation__name", "indicator__position", "indicator__code", "sector")
    page = Paginator(values, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "monitoring/value_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "review_form": ReviewForm(),
            "submitted": FigureValue.Status.SUBMITTED,
        },
    )


@require_POST
@access.roles_required(access.PROGRAMME_TEAM)
def value_review(request):
    """Approve, or reject with a reason, the selected submitted figures."""
    form = ReviewForm(request.POST)
    if not form.is_valid():
        return render(request, "monitoring/value_review.html", {"form": form}, status=400)
    values = list(form.cleaned_data["values"])
    try:
        with transaction.atomic():
            for value in values:
                if form.cleaned_data["action"] == ReviewForm.APPROVE:
                    services.value_approve(value=value, by=request.user)
                else:
                    services.value_reject(
                        value=value, by=request.user, reason=form.cleaned_data["reason"]
                    )
    except ValidationError as error:
        form.add_error(None, error)
        return render(request, "monitoring/value_review.html", {"form": form}, status=400)
    if form.cleaned_data["action"] == ReviewForm.APPROVE:
        message = _("%(count)s figures approved.")
    else:
        message = _("%(count)s figures rejected.")
    messages.success(request, message % {"count": len(values)})
    return redirect(request.POST.get("next") or "monitoring-value-list")


def _my_values(user, rounds):
    ids = submitter_organisation_ids(user)
    values = FigureValue.objects.filter(
        organisation__isnull=False, year__in=[r.year for r in rounds]
    ).select_related("organisation", "indicator")
    if ids is not None:
        values = values.filter(organisation_id__in=ids)
    return values


@access.topic_required(TOPIC)
def my_figures(request):
    """The user's organisations' figures in the open round, with status and reasons."""
    rounds = list(open_rounds())
    values = _my_values(request.user, rounds).order_by(
        "organisation__name", "indicator__position", "indicator__code", "year", "sector"
    )
    return render(
        request,
        "monitoring/my_figures.html",
        {
            "rounds": rounds,
            "values": values,
            "drafts": sum(v.status == FigureValue.Status.DRAFT for v in values),
            "statuses": FigureValue.Status,
        },
    )


@require_POST
@access.topic_required(TOPIC)
def my_figures_submit(request):
    """Submit the user's organisations' drafts in the open round."""
    values = _my_values(request.user, list(open_rounds()))
    count = services.values_submit(values=values, by=request.user)
    messages.success(request, _("%(count)s figures submitted.") % {"count": count})
    return redirect("monitoring-my-figures")
