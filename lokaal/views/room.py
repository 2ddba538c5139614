"""Room for career switchers: a partner's own offers, the desk's list, the programme's totals."""

from collections import defaultdict

from django.contrib import messages
from django.db.models import Count, Q, Sum
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from partners.models import Organisation
from portal import access
from portal.accesslog import log_access

from .. import selectors, services
from ..forms.room import RoomFilterForm, RoomForm
from ..models import Match, Room, ShadowingBooking, ShadowingSlot, TargetSector

MEMBERS = (access.PROGRAMME_TEAM, *access.PARTNER_ROLES)
DESK = (access.DESK_ADVISOR, access.PROGRAMME_TEAM)


@access.roles_required(*MEMBERS)
def partner_offers(request, pk):
    """The organisation's (and its school locations') room and shadowing slots."""
    organisation = access.get_object_for_user(request, Organisation, via="", pk=pk)
    owned = Q(organisation=organisation) | Q(organisation__parent=organisation)
    rooms = (
        Room.objects.filter(owned)
        .with_places_left()
        .select_related("organisation", "municipality")
        .prefetch_related("subjects")
        .order_by("-active", "-created_at")
    )
    slots = list(
        ShadowingSlot.objects.filter(owned)
        .select_related("organisation", "subject")
        .prefetch_related("bookings__case")
        .order_by("-date")[:100]
    )
    for slot in slots:
        for booking in slot.bookings.all():
            booking.first_name = services.first_name(booking.case.name)
    if any(slot.bookings.all() for slot in slots):
        # The bookings show the candidates' first names.
        log_access(request, organisation, action="view_shadowing_bookings")
    return render(
        request,
        "lokaal/room_offers.html",
        {
            "organisation": organisation,
            "rooms": rooms,
            "slots": slots,
            "can_edit": access.is_member(request.user, organisation, edit=True),
            "cancelled": ShadowingBooking.Outcome.CANCELLED,
        },
    )


@access.roles_required(*MEMBERS)
def room_create(request, pk):
    organisation = access.get_object_for_user(request, Organisation, edit=True, via="", pk=pk)
    form = RoomForm(
        request.POST or None, instance=Room(organisation=organisation), owner=organisation
    )
    if request.method == "POST" and form.is_valid():
        services.room_save(
            room=form.instance, subjects=form.cleaned_data["subjects"], by=request.user
        )
        messages.success(request, _("The room has been published."))
        return redirect("lokaal-partner-offers", organisation.pk)
    return render(request, "lokaal/room_form.html", {"form": form, "organisation": organisation})


@access.roles_required(*MEMBERS)
def room_edit(request, pk):
    room = access.get_object_for_user(
        request, Room.objects.select_related("organisation"), edit=True, or_parent=True, pk=pk
    )
    owner = room.organisation.parent or room.organisation
    form = RoomForm(request.POST or None, instance=room, owner=owner)
    if request.method == "POST" and form.is_valid():
        services.room_save(room=room, subjects=form.cleaned_data["subjects"], by=request.user)
        messages.success(request, _("The changes have been saved."))
        return redirect("lokaal-partner-offers", owner.pk)
    return render(
        request, "lokaal/room_form.html", {"form": form, "organisation": owner, "room": room}
    )


@access.roles_required(*MEMBERS)
@require_POST
def room_close(request, pk):
    room = access.get_object_for_user(
        request, Room.objects.select_related("organisation"), edit=True, or_parent=True, pk=pk
    )
    services.room_close(room=room)
    messages.success(request, _("The room has been closed."))
    return redirect("lokaal-partner-offers", (room.organisation.parent or room.organisation).pk)


@access.roles_required(*DESK)
def room_list(request):
    """Where there is room: open rooms with places left, filtered."""
    form = RoomFilterForm(request.GET or None)
    rooms = form.filter(selectors.open_rooms()).order_by("period_start", "pk")
    rooms = [room for room in rooms.distinct() if room.places_left > 0]
    return render(request, "lokaal/room_list.html", {"form": form, "rooms": rooms})


@access.roles_required(access.PROGRAMME_TEAM)
def room_totals(request):
    """Open room per sector and municipality: places published, accepted and left."""
    open_rooms = Room.objects.open()
    published = open_rooms.values("sector", "municipality__name").annotate(
        rooms=Count("pk"), places=Sum("places")
    )
    accepted = (
        Match.objects.filter(status=Match.Status.ACCEPTED, room__in=open_rooms)
        .values("room__sector", "room__municipality__name")
        .annotate(count=Count("pk"))
    )
    taken = {
        (row["room__sector"], row["room__municipality__name"]): row["count"] for row in accepted
    }
    rows = []
    by_sector = defaultdict(lambda: {"rooms": 0, "places": 0, "accepted": 0})
    for row in published:
        key = (row["sector"], row["municipality__name"])
        row["accepted"] = taken.get(key, 0)
        row["left"] = max(row["places"] - row["accepted"], 0)
        row["sector_label"] = TargetSector(row["sector"]).label
        rows.append(row)
        for name in ("rooms", "places", "accepted"):
            by_sector[row["sector"]][name] += row[name]
    rows.sort(key=lambda r: (r["sector"], r["municipality__name"] or ""))
    sectors = [
        {
            "label": TargetSector(sector).label,
            **totals,
            "left": max(totals["places"] - totals["accepted"], 0),
        }
        for sector, totals in sorted(by_sector.items())
    ]
    return render(request, "lokaal/room_totals.html", {"rows": rows, "sectors": sectors})
