"""Public texts with a Dutch and an English version (django-modeltranslation)."""

from modeltranslation.translator import TranslationOptions, register

from .models import Agreement, Commitment


@register(Agreement)
class AgreementTranslationOptions(TranslationOptions):
    fields = ("name", "summary")
    # The name is unique in every language: an empty English name is stored as NULL, not
    # "", so that several agreements can be without one.
    empty_values = {"name": None}


@register(Commitment)
class CommitmentTranslationOptions(TranslationOptions):
    fields = ("title", "description")
