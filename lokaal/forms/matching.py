"""Proposing a match (desk) and deciding on it (the board's desk contact)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Room

MAX_REASON_LENGTH = 2000


class ProposeForm(forms.Form):
    room = forms.ModelChoiceField(queryset=Room.objects.none(), widget=forms.HiddenInput)

    def __init__(self, *args, rooms, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room"].queryset = rooms
        self.fields["room"].error_messages["invalid_choice"] = _(
            "This place is no longer open: choose another one."
        )


class DecisionForm(forms.Form):
    ACCEPT = "accept"
    DECLINE = "decline"

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(ACCEPT, _("Accept")), (DECLINE, _("Decline"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=MAX_REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when you decline: the advisor uses it to find a better place."),
    )

    def clean(self):
        cleaned = super().clean()
        cleaned["reason"] = (cleaned.get("reason") or "").strip()
        if cleaned.get("decision") == self.DECLINE and not cleaned["reason"]:
            self.add_error("reason", _("Give a reason for declining."))
        return cleaned
