"""Indicator texts with a Dutch and an English version (django-modeltranslation)."""

from modeltranslation.translator import TranslationOptions, register

from .models import Indicator


@register(Indicator)
class IndicatorTranslationOptions(TranslationOptions):
    fields = ("name", "unit", "description")
