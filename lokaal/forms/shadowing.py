"""Shadowing slots (partner side), bookings and their outcome (desk side)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import ShadowingBooking, ShadowingSlot, ShortageSubject
from .room import organisation_choices


class SlotForm(forms.ModelForm):
    class Meta:
        model = ShadowingSlot
        fields = [
            "organisation",
            "date",
            "start_time",
            "end_time",
            "sector",
            "subject",
            "places",
            "note",
        ]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}),
            "start_time": forms.TimeInput(attrs={"type": "time"}),
            "end_time": forms.TimeInput(attrs={"type": "time"}),
        }
        labels = {"organisation": _("School location")}

    def __init__(self, *args, owner, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisation_choices(owner).order_by("name")
        self.fields["organisation"].empty_label = None
        self.fields["subject"].queryset = ShortageSubject.objects.order_by("position", "code")
        self.fields["places"].widget.attrs["min"] = 1

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date < timezone.localdate() and (not self.instance.pk or date != self.instance.date):
            raise forms.ValidationError(_("Choose a date from today on."))
        return date

    def clean_places(self):
        places = self.cleaned_data["places"]
        if places < 1:
            raise forms.ValidationError(_("Offer at least one place."))
        if self.instance.pk:
            taken = self.instance.bookings.exclude(
                outcome=ShadowingBooking.Outcome.CANCELLED
            ).count()
            if places < taken:
                raise forms.ValidationError(
                    _("%(taken)s candidates are booked already: offer at least that many places.")
                    % {"taken": taken}
                )
        return places

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_time"), cleaned.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", _("The end time must be after the start time."))
        return cleaned


class BookingForm(forms.Form):
    slot = forms.ModelChoiceField(
        label=_("Shadowing slot"), queryset=ShadowingSlot.objects.none(), empty_label=None
    )

    def __init__(self, *args, slots, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slot"].queryset = slots


class OutcomeForm(forms.ModelForm):
    class Meta:
        model = ShadowingBooking
        fields = ["outcome", "outcome_note"]
        widgets = {"outcome_note": forms.Textarea(attrs={"rows": 3})}

    def clean_outcome_note(self):
        return self.cleaned_data["outcome_note"].strip()
