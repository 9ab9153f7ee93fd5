"""Show content in the page's language, marking what is left in another one.

`{{ item.statement|local }}` writes the text; where the page is English and the text is still
French (an untranslated field), it is wrapped in `<span lang="fr">` so that a screen reader
reads it with a French voice (WCAG 3.1.2). Loaded as a builtin (see settings.TEMPLATES).
"""

from django import template
from django.utils import translation
from django.utils.html import conditional_escape, format_html

register = template.Library()


@register.filter
def local(value):
    lang = getattr(value, "lang", None)
    if lang and lang != (translation.get_language() or "fr").split("-")[0]:
        return format_html('<span lang="{}">{}</span>', lang, value)
    return conditional_escape(value)


@register.filter
def lang_attr(value):
    """` lang="fr"` for an element holding only this text, when it is not in the page's language."""
    lang = getattr(value, "lang", None)
    if lang and lang != (translation.get_language() or "fr").split("-")[0]:
        return format_html(' lang="{}"', lang)
    return ""


@register.filter
def quoted(value):
    """The text between the page language's quotation marks: « … » in French, “…” in English."""
    if (translation.get_language() or "fr").startswith("fr"):
        return format_html("«\u00a0{}\u00a0»", local(value))
    return format_html("“{}”", local(value))
