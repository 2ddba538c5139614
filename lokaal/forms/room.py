"""Room for career switchers, as a board or school publishes it."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partners.models import Municipality, Organisation

from ..models import Room, ShortageSubject, TargetSector


def organisation_choices(organisation):
    """The organisation of the page and, for a board, its school locations."""
    return Organisation.objects.filter(pk=organisation.pk) | Organisation.objects.filter(
        parent=organisation, active=True
    )


class RoomForm(forms.ModelForm):
    class Meta:
        model = Room
        fields = [
            "organisation",
            "sector",
            "subjects",
            "municipality",
            "places",
            "hours_per_week",
            "period_start",
            "period_end",
            "special_education",
            "note",
        ]
        widgets = {
            "subjects": forms.CheckboxSelectMultiple,
            "period_start": forms.DateInput(attrs={"type": "date"}),
            "period_end": forms.DateInput(attrs={"type": "date"}),
        }
        labels = {"organisation": _("School or board")}
        help_texts = {
            "municipality": _("Leave empty to use the municipality of the school or board."),
            "places": _("How many career switchers you can take on."),
        }

    def __init__(self, *args, owner, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisation_choices(owner).order_by("name")
        self.fields["organisation"].empty_label = None
        self.fields["subjects"].queryset = ShortageSubject.objects.order_by("position", "code")
        self.fields["municipality"].queryset = Municipality.objects.order_by("name")
        self.fields["places"].min_value = 1
        self.fields["places"].widget.attrs["min"] = 1

    def clean_places(self):
        places = self.cleaned_data["places"]
        if places is not None and places < 1:
            raise forms.ValidationError(_("Offer at least one place."))
        taken = self.instance.places - self.instance.places_left if self.instance.pk else 0
        if places is not None and places < taken:
            raise forms.ValidationError(
                _("%(taken)s places have been accepted already: offer at least that many.")
                % {"taken": taken}
            )
        return places

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The end of the period must not be before its start."))
        if end and end < timezone.localdate() and not self.instance.pk:
            self.add_error("period_end", _("The period has ended already: choose a later date."))
        return cleaned


class RoomFilterForm(forms.Form):
    """Filters of the desk's list of room."""

    sector = forms.ChoiceField(
        label=_("Sector"), required=False, choices=[("", _("All sectors")), *TargetSector.choices]
    )
    subject = forms.ModelChoiceField(
        label=_("Subject"),
        required=False,
        queryset=ShortageSubject.objects.order_by("position", "code"),
        empty_label=_("All subjects"),
    )
    municipality = forms.ModelChoiceField(
        label=_("Municipality"),
        required=False,
        queryset=Municipality.objects.order_by("name"),
        empty_label=_("All municipalities"),
    )
    special_education = forms.BooleanField(label=_("Special education only"), required=False)

    def filter(self, rooms):
        if not self.is_valid():
            return rooms
        data = self.cleaned_data
        if data["sector"]:
            rooms = rooms.filter(sector=data["sector"])
        if data["subject"]:
            rooms = rooms.filter(subjects=data["subject"])
        if data["municipality"]:
            rooms = rooms.filter(municipality=data["municipality"])
        if data["special_education"]:
            rooms = rooms.filter(special_education=True)
        return rooms
