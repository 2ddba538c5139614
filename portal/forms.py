import re

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.utils.translation import gettext_lazy as _

from portal import access
from portal.models import Invitation, MemberRole

PHONE_SEPARATORS = re.compile(r"[\s\-\.\(\)/]")


def normalise_phone(value):
    """A phone number in international form (+31612345678), or None when it is not one.

    Dutch numbers are ten digits starting with 0 (06-12345678, 070 123 45 67); international
    numbers start with + or 00 and have 8 to 15 digits.
    """
    digits = PHONE_SEPARATORS.sub("", value.strip())
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    elif digits.startswith("0"):
        digits = "+31" + digits[1:]
    if not re.fullmatch(r"\+[1-9][0-9]{7,14}", digits):
        return None
    if digits.startswith("+31") and len(digits) != 12:
        return None
    return digits


class TopicsField(forms.MultipleChoiceField):
    """The topic roles registered by the apps (`access.register_topic`), as checkboxes."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Topic roles"))
        kwargs.setdefault(
            "help_text", _("Sensitive topics this person handles for the organisation.")
        )
        super().__init__(choices=access.topic_choices, required=False, **kwargs)

    def clean(self, value):
        return access.clean_topics(super().clean(value))


class InvitationForm(forms.ModelForm):
    topics = TopicsField()

    class Meta:
        model = Invitation
        fields = ["email", "staff_role", "organisation", "member_role", "topics"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff_role"].help_text = _(
            "For staff. Leave empty to invite someone from a partner organisation."
        )
        self.fields["organisation"].queryset = self.fields["organisation"].queryset.filter(
            active=True
        )

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        cleaned = super().clean()
        staff_role = cleaned.get("staff_role")
        organisation = cleaned.get("organisation")
        member_role = cleaned.get("member_role")
        if staff_role and (organisation or member_role or cleaned.get("topics")):
            raise forms.ValidationError(
                _("Choose either a staff role, or an organisation with a role, not both.")
            )
        if not staff_role:
            if not organisation:
                self.add_error("organisation", _("Choose the organisation the person works for."))
            if not member_role:
                self.add_error("member_role", _("Choose a role in the organisation."))
        return cleaned


class InvitationAdminForm(forms.ModelForm):
    """The admin's invitation form: the registered topic roles as checkboxes, not raw JSON."""

    topics = TopicsField()

    class Meta:
        model = Invitation
        fields = [
            "email",
            "staff_role",
            "organisation",
            "member_role",
            "topics",
            "invited_by",
            "created_at",
            "expires_on",
            "accepted_at",
            "accepted_user",
        ]


class OrganisationInvitationForm(forms.Form):
    """Inviting someone to one given organisation."""

    email = forms.EmailField(label=_("E-mail address"))
    member_role = forms.ChoiceField(label=_("Role"), choices=MemberRole.choices)
    topics = TopicsField()

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()


class AcceptInvitationForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 10 characters; not only digits and not a common password."),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email, **kwargs):
        self.email = email
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ. Type the same one twice."))
        elif first:
            user = get_user_model()(
                email=self.email,
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
            )
            try:
                password_validation.validate_password(first, user)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned
