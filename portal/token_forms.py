"""The form for a partner-API token (portal.api)."""

import datetime

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partners.models import Organisation
from portal import access, api
from portal.forms import ErrorSummaryMixin

DEFAULT_DAYS = 90


def grantable_organisations(user):
    """The organisations `user` may make a token for: where they may grant some scope."""
    organisations = Organisation.objects.filter(active=True).order_by("name")
    if access.PROGRAMME_TEAM in access.roles_of(user):
        return organisations
    allowed = [
        organisation_id
        for organisation_id in access.memberships_of(user)
        if any(api.may_grant(user, organisation_id, key) for key, _label in api.scope_choices())
    ]
    return organisations.filter(pk__in=allowed)


class ApiTokenForm(ErrorSummaryMixin, forms.Form):
    form_id = "token-form"

    organisation = forms.ModelChoiceField(
        label=gettext_lazy("Organisation"), queryset=Organisation.objects.none()
    )
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=100,
        help_text=gettext_lazy("Which system uses the token, e.g. “Personnel system HR”."),
    )
    scopes = forms.MultipleChoiceField(
        label=gettext_lazy("What the token may do"), widget=forms.CheckboxSelectMultiple
    )
    expires_on = forms.DateField(
        label=gettext_lazy("Expires on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["organisation"].queryset = grantable_organisations(user)
        self.fields["scopes"].choices = api.scope_choices()
        today = timezone.localdate()
        self.fields["expires_on"].initial = today + datetime.timedelta(
            days=min(DEFAULT_DAYS, settings.API_TOKEN_MAX_DAYS)
        )
        self.fields["expires_on"].help_text = _(
            "At most %(days)s days from today. The token stops working after this day."
        ) % {"days": settings.API_TOKEN_MAX_DAYS}

    def clean_expires_on(self):
        expires_on = self.cleaned_data["expires_on"]
        today = timezone.localdate()
        if expires_on <= today:
            raise ValidationError(_("Choose an expiry date after today."))
        if expires_on > today + datetime.timedelta(days=settings.API_TOKEN_MAX_DAYS):
            raise ValidationError(
                _("Choose an expiry date within %(days)s days from today.")
                % {"days": settings.API_TOKEN_MAX_DAYS}
            )
        return expires_on

    def clean(self):
        cleaned = super().clean()
        organisation, scopes = cleaned.get("organisation"), cleaned.get("scopes") or []
        refused = [
            label
            for key, label in api.scope_choices()
            if key in scopes and organisation and not api.may_grant(self.user, organisation, key)
        ]
        if refused:
            self.add_error(
                "scopes",
                _(
                    "You may not give a token of %(organisation)s this: %(scopes)s. Ask the "
                    "organisation's figures submitter or the programme team."
                )
                % {"organisation": organisation, "scopes": ", ".join(map(str, refused))},
            )
        return cleaned
