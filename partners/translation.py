"""Public texts with a Dutch and an English version (django-modeltranslation)."""

from modeltranslation.translator import TranslationOptions, register

from .models import Agreement, Commitment


@register(Agreement)
class AgreementTranslationOptions(TranslationOptions):
    fields = ("name", "summary")


@register(Commitment)
class CommitmentTranslationOptions(TranslationOptions):
    fields = ("title", "description")
