"""Catalogue texts with a Dutch and an English version (django-modeltranslation)."""

from modeltranslation.translator import TranslationOptions, register

from .models import ShortageSubject, TrainingRoute


@register(ShortageSubject)
class ShortageSubjectTranslationOptions(TranslationOptions):
    fields = ("name",)


@register(TrainingRoute)
class TrainingRouteTranslationOptions(TranslationOptions):
    fields = ("name", "description", "eligibility_hint")
    # The name is unique in every language: an empty English name is stored as NULL.
    empty_values = {"name": None}
