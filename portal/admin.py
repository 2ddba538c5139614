from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from solo.admin import SingletonModelAdmin

from portal import mail
from portal.forms import InvitationAdminForm
from portal.models import AccessLog, Invitation, OutgoingEmail, PendingTask, SiteSettings, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "staff_role", "is_active", "last_login"]
    list_filter = ["staff_role", "is_active"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Personal info"), {"fields": ["first_name", "last_name"]}),
        (_("Role"), {"fields": ["staff_role", "is_active", "is_superuser"]}),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    form = InvitationAdminForm
    list_display = [
        "email",
        "staff_role",
        "organisation",
        "member_role",
        "expires_on",
        "accepted_at",
    ]
    readonly_fields = ["token"]


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    list_display = [
        "to",
        "subject",
        "status",
        "attempts",
        "created_at",
        "next_attempt_at",
        "sent_at",
    ]
    list_filter = ["status"]
    search_fields = ["to", "subject"]
    readonly_fields = [
        "to",
        "subject",
        "body_text",
        "body_html",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "next_attempt_at",
        "sent_at",
    ]
    actions = ["send_again"]

    @admin.action(description=_("Send again"), permissions=["change"])
    def send_again(self, request, queryset):
        count = mail.requeue(queryset)
        self.message_user(
            request,
            ngettext(
                "%(count)d e-mail will be sent again.",
                "%(count)d e-mails will be sent again.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(PendingTask)
class PendingTaskAdmin(admin.ModelAdmin):
    """Tasks kept while the broker was down; beat publishes them (portal/queue.py)."""

    list_display = ["task_name", "args", "created_at", "attempts", "next_attempt_at"]
    readonly_fields = [
        "task_name",
        "args",
        "created_at",
        "attempts",
        "next_attempt_at",
        "last_error",
    ]

    def has_add_permission(self, request):
        return False


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    list_display = ["at", "user", "action", "content_type", "object_id", "path"]
    list_filter = ["action", "content_type"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(SiteSettings)
class SiteSettingsAdmin(SingletonModelAdmin):
    """The details the contact, privacy and accessibility pages show."""

    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        (
            _("Programme office"),
            {"fields": ["organisation_name", "street_address", "postcode", "city"]},
        ),
        (
            _("Contact"),
            {"fields": ["email", "phone", "privacy_email", "reply_working_days"]},
        ),
        (
            _("Accessibility"),
            {
                "fields": [
                    "accessibility_status",
                    "accessibility_evaluated_on",
                    "accessibility_statement_url",
                ]
            },
        ),
    ]
