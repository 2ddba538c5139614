from django import forms
from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline
from simple_history.admin import SimpleHistoryAdmin

from portal.forms import TopicsField

from .models import (
    Agreement,
    Commitment,
    CommitmentProgress,
    Contact,
    Membership,
    Municipality,
    Organisation,
    Sector,
    Signature,
    SignatureStatusChange,
)


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["name", "cbs_code", "in_region"]


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ["code", "position"]


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "municipality", "board_number", "brin", "active"]
    list_filter = ["kind", "sectors", "municipality", "active"]
    search_fields = ["name", "board_number", "brin"]
    list_select_related = ["municipality"]
    raw_id_fields = ["parent"]
    inlines = [ContactInline]
    # A web address typed without a scheme is https, as in the portal's own forms.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


class MembershipAdminForm(forms.ModelForm):
    # Offers exactly the topic roles the apps registered (portal.access.register_topic).
    topics = TopicsField()

    class Meta:
        model = Membership
        fields = ["user", "organisation", "role", "topics"]


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    form = MembershipAdminForm
    list_display = ["user", "organisation", "role", "topic_list"]
    list_filter = ["role"]
    raw_id_fields = ["user", "organisation"]

    @admin.display(description=_("topic roles"))
    def topic_list(self, membership):
        return ", ".join(str(label) for label in membership.topic_labels())


# The Dutch and English versions of the public texts are shown one below the other, not in
# modeltranslation's tabs: those load jQuery UI from a CDN, which the content security policy
# and the privacy statement ("loads nothing from other websites") rule out.
class CommitmentInline(TranslationTabularInline):
    model = Commitment
    extra = 0


@admin.register(Agreement)
class AgreementAdmin(TranslationAdmin, SimpleHistoryAdmin):
    list_display = ["name", "kind", "date", "is_public"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [CommitmentInline]


class StatusChangeInline(admin.TabularInline):
    model = SignatureStatusChange
    extra = 0
    can_delete = False
    readonly_fields = ["from_status", "to_status", "changed_at", "changed_by", "note"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Signature)
class SignatureAdmin(SimpleHistoryAdmin):
    """Read-only status here: status changes go through the portal's transition form."""

    list_display = ["organisation", "agreement", "status", "signed_on"]
    list_filter = ["agreement", "status"]
    list_select_related = ["organisation", "agreement"]
    readonly_fields = ["status", "status_changed_at"]
    raw_id_fields = ["organisation"]
    inlines = [StatusChangeInline]


@admin.register(CommitmentProgress)
class CommitmentProgressAdmin(SimpleHistoryAdmin):
    list_display = ["signature", "commitment", "year", "state"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_filter = ["year", "state"]
    raw_id_fields = ["signature", "commitment"]
