"""The reporter's follow-up: entering the receipt code, and replying to the handler."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.forms import ErrorSummaryMixin, PlainTextField

from .report import AttachmentsField, attachments_help_text


class CodeForm(ErrorSummaryMixin, forms.Form):
    """The receipt code as typed; whether it opens a report is for the view to ask the service,
    so that a wrong code and an unknown one get the same answer."""

    form_id = "code-form"

    code = PlainTextField(
        label=_("Your code"),
        max_length=64,
        help_text=_(
            "The code you got after sending your report, for example 7K2M-Q9XA-R4TB-0HVC-WE3N."
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
        error_messages={
            "required": _("Enter the code you got after sending your report."),
            "max_length": _("A code is shorter than this. Check what you entered."),
        },
    )


class ReplyForm(ErrorSummaryMixin, forms.Form):
    form_id = "reply-form"

    body = PlainTextField(
        label=_("Your message"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("At most 5000 characters."),
        error_messages={
            "required": _("Write your message."),
            "max_length": _(
                "Shorten your message to at most %(limit_value)d characters "
                "(it has %(show_value)d)."
            ),
        },
    )
    attachments = AttachmentsField(label=_("Attachments (optional)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = attachments_help_text()

    def clean_body(self):
        body = self.cleaned_data["body"]
        if not body.strip():
            raise forms.ValidationError(_("Write your message."), code="required")
        return body


class WithdrawForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Yes, withdraw my report and erase what I wrote"),
        error_messages={
            "required": _("Tick the box to confirm that you want to withdraw your report.")
        },
    )
