from django.contrib import admin
from modeltranslation.admin import TranslationAdmin

from .models import ProgrammeYear, ShortageSubject, TrainingRoute

# Cases, submissions and matches hold candidates' personal data: they are read in the desk's
# own pages, whose every view is in the access log, never in the admin, which is not.


@admin.register(ShortageSubject)
class ShortageSubjectAdmin(TranslationAdmin):
    list_display = ["name", "code", "shortage_fte", "position"]
    list_editable = ["shortage_fte", "position"]
    search_fields = ["name", "code"]


@admin.register(TrainingRoute)
class TrainingRouteAdmin(TranslationAdmin):
    list_display = ["name", "duration_months", "min_education", "active", "position"]
    list_filter = ["active", "sectors"]
    filter_horizontal = ["sectors"]
    search_fields = ["name"]


@admin.register(ProgrammeYear)
class ProgrammeYearAdmin(admin.ModelAdmin):
    list_display = ["year", "quota"]
