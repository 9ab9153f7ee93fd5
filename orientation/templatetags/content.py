"""Show content in the page's language, marking what is left in another one.

`{{ item.statement|local }}` writes the text; where the page is English and the text is still
French (an untranslated field, or an attendu's official wording), it is wrapped in
`<span lang="fr">` so that a screen reader reads it with a French voice (WCAG 3.1.2). A text
knows whether it is foreign to the page (orientation.content.Text), so the filter asks nothing
else: it runs a few hundred times on a results page. Loaded as a builtin (settings.TEMPLATES).
"""

from django import template
from django.utils import translation
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

from orientation.models import SCALES

register = template.Library()


def question_context(item, chosen=None, missing=False):
    """What includes/question.html needs: the student's step (assessments/views.py) and the
    admin preview both render a question from it, so the preview shows exactly that. The
    scale's labels are translated here, once per question rather than once per radio."""
    scale = [(str(value), str(label)) for value, label in SCALES[item.kind]]
    return {"item": item, "chosen": chosen, "missing": missing, "scale": scale}


@register.inclusion_tag("includes/question.html")
def question(item):
    return question_context(item)


@register.filter
def local(value):
    if getattr(value, "foreign", False):
        return format_html('<span lang="{}">{}</span>', value.lang, value)
    return conditional_escape(value)


@register.filter
def lang_attr(value):
    """` lang="fr"` for an element holding only this text, when it is not in the page's language."""
    if getattr(value, "foreign", False):
        return format_html(' lang="{}"', value.lang)
    return ""


@register.filter
def quoted(value):
    """The text between the page language's quotation marks: « … » in French, “…” in English."""
    if (translation.get_language() or "fr").startswith("fr"):
        return mark_safe(f"«\u00a0{local(value)}\u00a0»")  # local() has escaped the text
    return mark_safe(f"“{local(value)}”")
