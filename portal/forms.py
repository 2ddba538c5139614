import re

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.utils.translation import gettext_lazy as _

from portal import access
from portal.models import Invitation, MemberRole

# Control characters other than tab and newline: PostgreSQL refuses NUL in text (a 500 if it
# got there), and none of them belong in what a person types.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Widgets whose options are separate inputs: an error links to the first one (id "<id>_0").
GROUPED_WIDGETS = (forms.RadioSelect, forms.CheckboxSelectMultiple)

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


def strip_control_characters(value):
    """`value` with line ends normalised (CRLF, CR → LF) and control characters removed."""
    return CONTROL_CHARACTERS.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


class PlainTextField(forms.CharField):
    """Text as a person types it: control characters (NUL included) are removed before the
    length and "required" checks see it, so they are dropped instead of refused."""

    def to_python(self, value):
        if isinstance(value, str):
            value = strip_control_characters(value)
        return super().to_python(value)


def error_summary_items(form, *, legend="", anchor=""):
    """(label, message, anchor id) of each error of `form`, for the summary above it.

    Non-field errors link to `anchor` (the form's id); a field's errors to the field, or to
    the first option of a group of radio buttons or checkboxes. With `legend` (several forms
    in one summary) the labels say which form.
    """
    items = [(legend, message, anchor) for message in form.non_field_errors()]
    for field in form.visible_fields():
        if not field.errors:
            continue
        grouped = isinstance(field.field.widget, GROUPED_WIDGETS)
        field_anchor = f"{field.auto_id}_0" if grouped else field.auto_id
        label = f"{legend}: {field.label}" if legend else field.label
        items.extend((label, message, field_anchor) for message in field.errors)
    return items


class ErrorSummaryMixin:
    """`form.error_summary()` for templates/includes/error_summary.html; `form_id` is where
    the form's own (non-field) errors link to."""

    form_id = ""

    def error_summary(self):
        return error_summary_items(self, anchor=self.form_id)


class HoneypotMixin:
    """A field people never see, which form-filling robots fill in (`honeypot_field()`).

    A robot gets the same success page as a person and nothing is saved or sent.
    """

    HONEYPOT = "extra_info"

    @property
    def is_robot(self):
        """Whether the honeypot was filled in (only valid after is_valid())."""
        return bool(self.cleaned_data.get(self.HONEYPOT))

    def visible_fields(self):
        return [field for field in super().visible_fields() if field.name != self.HONEYPOT]


def honeypot_field():
    # Hidden with a class, aria-hidden and out of the tab order in the template; its name is
    # one that browsers' autofill does not know (as they would "website" or "url"), so that no
    # person's browser fills it in for them.
    return PlainTextField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )


class ListOrOtherField(forms.ChoiceField):
    """A row of `queryset()` chosen from a list, or `other` ("not in the list", cleaned to None).

    `choices` (a callable) is read only when the form is shown; a submitted choice is checked
    by reading that one row, so that a valid POST does not load the whole list.
    """

    def __init__(self, *, queryset, other, **kwargs):
        self.queryset, self.other = queryset, other
        super().__init__(**kwargs)

    def validate(self, value):
        forms.Field.validate(self, value)  # required; the choice is checked in clean()

    def clean(self, value):
        value = super().clean(value)
        if value == self.other:
            return None
        # An id as the list has them: ASCII digits, within a bigint.
        valid = value.isascii() and value.isdigit() and len(value) <= 18
        found = self.queryset().filter(pk=value).first() if valid else None
        if found is None:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return found


def refill(form_class, data, *, leave_out=()):
    """The initial values of `form_class` from a POST's `data`, for showing a refused (e.g.
    rate-limited) form again without losing what was typed."""
    return {
        name: data.getlist(name) if isinstance(field.widget, GROUPED_WIDGETS) else data.get(name)
        for name, field in form_class.base_fields.items()
        if name not in leave_out
    }


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
