"""Public texts in the page's language, with the language of any fallback marked.

Models register their public texts with django-modeltranslation (``<app>/translation.py``);
templates show such a text with ``{% translated obj "field" %}`` instead of ``{{ obj.field }}``.
"""

from django import template
from django.utils.html import conditional_escape, format_html
from modeltranslation import settings as mt_settings
from modeltranslation.translator import NotRegistered, translator
from modeltranslation.utils import build_localized_fieldname, get_language, resolution_order

register = template.Library()


@register.simple_tag
def translated(obj, field_name):
    """The text of ``obj.<field_name>`` for the current language, escaped.

    When the text has no version in the page's language, the first version that exists is
    shown (the configured fallback languages first, then any other), inside
    ``<span lang="..">`` so that browsers and screen readers treat it as that language
    (WCAG 3.1.2, language of parts). A field that is not translated is shown as it is.
    Use ``{% translated obj "field" as text %}`` to pass the result through filters such
    as ``truncatewords_html``.
    """
    if obj is None:
        return ""
    if not _is_translated(type(obj), field_name):
        value = getattr(obj, field_name)
        return "" if value is None else conditional_escape(value)
    language = get_language()
    for candidate in _languages(language):
        value = getattr(obj, build_localized_fieldname(field_name, candidate), None)
        if value:
            if candidate == language:
                return conditional_escape(value)
            return format_html('<span lang="{}">{}</span>', candidate, value)
    return ""


def _is_translated(model, field_name):
    try:
        return field_name in translator.get_options_for_model(model).all_fields
    except NotRegistered:
        return False


def _languages(language):
    """The page's language, its fallbacks, then the other languages, so that a text that
    exists in any language is never shown as empty."""
    order = list(resolution_order(language))
    return order + [code for code in mt_settings.AVAILABLE_LANGUAGES if code not in order]
