"""Matching: the advisor's ranked places for a case, and the board's decision on a proposal."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from portal import access
from portal.accesslog import log_access

from .. import matching, selectors, services
from ..forms.matching import DecisionForm, ProposeForm
from ..models import Case, Match
from ..services import DESK_CONTACT, first_name
from .room import DESK

# Ranked places shown to the advisor; the rest score lower still.
SHOWN = 50


@access.roles_required(*DESK)
def case_matches(request, pk):
    """The open places ranked for the case, with the reasons; "propose" makes a Match."""
    case = get_object_or_404(
        Case.objects.select_related("municipality").prefetch_related("subjects"), pk=pk
    )
    form = ProposeForm(request.POST or None, rooms=selectors.open_rooms())
    if request.method == "POST" and form.is_valid():
        room = form.cleaned_data["room"]
        ranked = matching.rank_room(case, room)
        try:
            services.match_propose(
                case=case,
                room=room,
                score=ranked.score,
                explanation=ranked.reasons,
                by=request.user,
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(
                request, _("The match has been proposed; the board's desk contact has been told.")
            )
            return redirect("lokaal-case-matches", case.pk)
    elif request.method == "POST":
        for message in form.errors.get("room", []):
            messages.error(request, message)
    log_access(request, case, action="view_matches")
    ranked = matching.rank_case(case)
    open_rooms = set(
        case.matches.filter(status__in=Match.OPEN_STATUSES).values_list("room", flat=True)
    )
    names = matching.subject_names()
    shown = ranked[:SHOWN]
    rooms = selectors.open_rooms().in_bulk([r.place.pk for r in shown])
    places = [
        {
            "room": rooms[r.place.pk],
            "score": r.score,
            "reasons": matching.describe(r.reasons, names),
            "proposed": r.place.pk in open_rooms,
        }
        for r in shown
    ]
    return render(
        request,
        "lokaal/matching_case.html",
        {
            "case": case,
            "places": places,
            "total": len(ranked),
            "matches": case.matches.select_related("room__organisation"),
        },
    )


@access.topic_required(DESK_CONTACT)
def match_list(request):
    """Proposals for the desk contact's board and its schools; decided ones below."""
    matches = selectors.desk_contact_matches(user=request.user)
    return render(
        request,
        "lokaal/matching_list.html",
        {
            "proposed": matches.filter(status=Match.Status.PROPOSED).order_by("proposed_at"),
            "decided": matches.exclude(status=Match.Status.PROPOSED).order_by("-decided_at")[:50],
        },
    )


@access.topic_required(DESK_CONTACT)
def match_detail(request, pk):
    """What the board needs to decide, and the decision (accept, or decline with a reason)."""
    match = access.get_object_for_user(
        request,
        Match.objects.select_related(
            "case__advised_route", "case__municipality", "room__organisation"
        ),
        topic=DESK_CONTACT,
        via="room__organisation",
        or_parent=True,
        pk=pk,
    )
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        accept = form.cleaned_data["decision"] == DecisionForm.ACCEPT
        try:
            if accept:
                services.match_accept(
                    match=match, by=request.user, reason=form.cleaned_data["reason"]
                )
            else:
                services.match_decline(
                    match=match, by=request.user, reason=form.cleaned_data["reason"]
                )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("The candidate has been placed; the desk has been told.")
                if accept
                else _("The match has been declined; the desk has been told."),
            )
            return redirect("lokaal-match-list")
    log_access(request, match.case, action="view_match")
    case = match.case
    return render(
        request,
        "lokaal/matching_detail.html",
        {
            "match": match,
            "case": case,
            "first_name": first_name(case.name),
            "subjects": case.subjects.all(),
            "reasons": matching.describe(match.explanation),
            "form": form,
        },
    )
