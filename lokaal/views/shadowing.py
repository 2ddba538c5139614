"""Job shadowing: slots a school offers, the desk's bookings and their outcome."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import F
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from partners.models import Organisation
from portal import access
from portal.accesslog import log_access

from .. import selectors, services
from ..forms.shadowing import BookingForm, OutcomeForm, SlotForm
from ..models import Case, ShadowingBooking, ShadowingSlot, TargetSector
from .room import DESK, MEMBERS


@access.roles_required(*MEMBERS)
def slot_create(request, pk):
    organisation = access.get_object_for_user(request, Organisation, edit=True, via="", pk=pk)
    form = SlotForm(
        request.POST or None, instance=ShadowingSlot(organisation=organisation), owner=organisation
    )
    if request.method == "POST" and form.is_valid():
        services.slot_save(slot=form.instance, by=request.user)
        messages.success(request, _("The shadowing slot has been added."))
        return redirect("lokaal-partner-offers", organisation.pk)
    return render(
        request, "lokaal/shadowing_slot_form.html", {"form": form, "organisation": organisation}
    )


@access.roles_required(*MEMBERS)
def slot_edit(request, pk):
    slot = access.get_object_for_user(
        request,
        ShadowingSlot.objects.select_related("organisation"),
        edit=True,
        or_parent=True,
        pk=pk,
    )
    owner = slot.organisation.parent or slot.organisation
    form = SlotForm(request.POST or None, instance=slot, owner=owner)
    if request.method == "POST" and form.is_valid():
        services.slot_save(slot=slot, by=request.user)
        messages.success(request, _("The changes have been saved."))
        return redirect("lokaal-partner-offers", owner.pk)
    return render(
        request,
        "lokaal/shadowing_slot_form.html",
        {"form": form, "organisation": owner, "slot": slot},
    )


def _open_slots(sector=""):
    slots = selectors.upcoming_slots().filter(booked__lt=F("places")).order_by("date", "start_time")
    return slots.filter(sector=sector) if sector else slots


@access.roles_required(*DESK)
def slot_list(request):
    sector = request.GET.get("sector", "")
    if sector not in TargetSector.values:
        sector = ""
    slots = selectors.upcoming_slots().order_by("date", "start_time", "pk")
    if sector:
        slots = slots.filter(sector=sector)
    return render(
        request,
        "lokaal/shadowing_slot_list.html",
        {"slots": slots, "sector": sector, "sectors": TargetSector.choices},
    )


@access.roles_required(*DESK)
def case_shadowing(request, pk):
    """Book the case into a slot with room; the school's contact is told by e-mail."""
    case = get_object_or_404(Case, pk=pk)
    sector = request.GET.get("sector", "")
    slots = _open_slots(sector if sector in TargetSector.values else "")
    form = BookingForm(request.POST or None, slots=slots)
    if request.method == "POST" and form.is_valid():
        try:
            services.shadowing_booking_create(
                slot=form.cleaned_data["slot"], case=case, by=request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The candidate has been booked; the school has been told."))
            return redirect("lokaal-case-shadowing", case.pk)
    log_access(request, case, action="view_shadowing")
    bookings = case.bookings.select_related("slot__organisation", "slot__subject")
    return render(
        request,
        "lokaal/shadowing_case.html",
        {
            "case": case,
            "form": form,
            "slots": slots,
            "bookings": bookings,
            "sector": sector,
            "sectors": TargetSector.choices,
        },
    )


@access.roles_required(*DESK)
def booking_outcome(request, pk):
    booking = get_object_or_404(
        ShadowingBooking.objects.select_related("case", "slot__organisation"), pk=pk
    )
    form = OutcomeForm(request.POST or None, instance=booking)
    if request.method == "POST" and form.is_valid():
        services.shadowing_outcome_record(
            booking=booking,
            outcome=form.cleaned_data["outcome"],
            note=form.cleaned_data["outcome_note"],
            by=request.user,
        )
        messages.success(request, _("The outcome has been recorded."))
        return redirect("lokaal-case-shadowing", booking.case_id)
    log_access(request, booking.case, action="view_shadowing")
    return render(request, "lokaal/shadowing_outcome.html", {"form": form, "booking": booking})
