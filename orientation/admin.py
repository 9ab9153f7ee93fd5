"""The Django admin is the content editor.

Only a draft version can be edited: for a published or archived version every page is
read-only (the models refuse the write anyway). Content changes go: « cloner en brouillon »,
edit the draft, preview it, « publier ».
"""

from itertools import islice

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Prefetch
from django.forms.models import BaseInlineFormSet
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import (
    Category,
    Expectation,
    InterestDimension,
    Item,
    QuestionnaireVersion,
    ScoreBand,
    Track,
    TrackDimension,
    TrackWeight,
    WorkshopActivity,
)
from .outline import questionnaire_content
from .services import clone_version, next_version_code, publish_version

admin.site.site_header = _("Repères — administration")
admin.site.site_title = _("Repères")
admin.site.index_title = _("Contenu du questionnaire et comptes")


def _version_of(obj):
    return obj if isinstance(obj, QuestionnaireVersion) else obj.version


def _is_draft(obj):
    return _version_of(obj).is_draft


def _editable(obj=None):
    """Nothing chosen yet (a list, an add page), or something of a draft."""
    return obj is None or _is_draft(obj)


class DraftOnlyMixin:
    """Content is added, changed and deleted only inside a draft; a published or archived
    version is read-only (its rows refuse the write anyway, see orientation/models.py)."""

    def has_add_permission(self, request, *parent):
        # An inline is asked with its parent object, a model admin with nothing.
        return _editable(*parent) and super().has_add_permission(request, *parent)

    def has_change_permission(self, request, obj=None):
        return _editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return _editable(obj) and super().has_delete_permission(request, obj)


def _draft_choices(model, **filters):
    """The rows of `model` a form may point to: only a draft's, since new content goes only
    into a draft, under a parent of a draft. None for a model outside the versions."""
    if model is QuestionnaireVersion:
        return QuestionnaireVersion.objects.filter(status=QuestionnaireVersion.Status.DRAFT)
    if not hasattr(model, "version"):
        return None
    return model.objects.filter(
        version__status=QuestionnaireVersion.Status.DRAFT, **filters
    ).select_related("version")


class DraftChoicesMixin:
    """Foreign keys and many-to-many fields offer only a draft's rows (_draft_choices);
    `choice_filters` narrows some of them further, by field name."""

    choice_filters = {}

    def _with_draft_choices(self, db_field, kwargs):
        choices = _draft_choices(
            db_field.related_model, **self.choice_filters.get(db_field.name, {})
        )
        return kwargs if choices is None else {**kwargs, "queryset": choices}

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs = self._with_draft_choices(db_field, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs = self._with_draft_choices(db_field, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class FrozenVersionAdminMixin:
    """A published or archived version's pages: read-only, with the way to change them said.

    The permissions make the pages read-only; the notices explain why and what to do, in the
    admin's own look (a warning; an error on a refused deletion, rather than the site's 403).
    """

    def get_actions(self, request):
        # Bulk deletion would hit frozen rows; deletion goes through each object's page.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if request.method == "GET" and obj is not None and not _is_draft(obj):
            version = _version_of(obj)
            messages.warning(
                request,
                _(
                    "La version « %(code)s » est %(status)s : cette page est en lecture seule. "
                    "Pour modifier le contenu, clonez la version en brouillon (action « Cloner "
                    "en brouillon »)."
                )
                % {"code": version.code, "status": version.get_status_display().lower()},
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if _editable(obj) or not self.has_view_permission(request, obj):
            return super().delete_view(request, object_id, extra_context)
        version = _version_of(obj)
        status = version.get_status_display().lower()
        if obj is version:
            message = _(
                "La version « %(code)s » est %(status)s : elle ne peut pas être supprimée, "
                "pour que chaque résultat calculé avec elle reste vérifiable."
            ) % {"code": version.code, "status": status}
        else:
            message = _(
                "« %(object)s » ne peut pas être supprimé : la version « %(code)s » est "
                "%(status)s et son contenu ne change plus. Clonez-la en brouillon (action "
                "« Cloner en brouillon ») et faites la suppression dans le brouillon."
            ) % {"object": obj, "code": version.code, "status": status}
        messages.error(request, message)
        opts = self.opts
        change_url = reverse(
            f"admin:{opts.app_label}_{opts.model_name}_change",
            args=[obj.pk],
            current_app=self.admin_site.name,
        )
        context = {"preserved_filters": self.get_preserved_filters(request), "opts": opts}
        return redirect(add_preserved_filters(context, change_url))


def _version_label(version):
    state = _("en cours") if version.is_current else version.get_status_display().lower()
    return _("%(code)s (%(state)s)") % {"code": version.code, "state": state}


class VersionFilter(admin.SimpleListFilter):
    """The content of the version students take now, unless another version is chosen.

    With two or three versions holding the same codes, an unfiltered list shows each
    statement two or three times. Without a published version, every version is shown.
    """

    title = _("version")
    parameter_name = "version"
    ALL = "all"

    def lookups(self, request, model_admin):
        versions = QuestionnaireVersion.objects.order_by("-created_at", "-pk")
        return [
            (self.ALL, _("Toutes les versions")),
            *((str(version.pk), _version_label(version)) for version in versions),
        ]

    @classmethod
    def chosen(cls, request):
        """The filter's value for this request: a version's pk, or ALL."""
        value = request.GET.get(cls.parameter_name)
        if value is None:
            current = QuestionnaireVersion.objects.filter(is_current=True).first()
            return str(current.pk) if current else cls.ALL
        return value

    @cached_property
    def _default(self):
        return self.chosen(self.request)

    def value(self):
        value = super().value()
        return self._default if value is None else value

    def queryset(self, request, queryset):
        value = self.value()
        if value == self.ALL:
            return queryset
        if not value.isdigit():
            raise IncorrectLookupParameters(value)
        return queryset.filter(version_id=value)

    def choices(self, changelist):
        # Django's first choice (no parameter) means the default here, the current version,
        # which is listed among the versions: « Toutes les versions » replaces it.
        return islice(super().choices(changelist), 1, None)


class CodeFilter(admin.SimpleListFilter):
    """Content by its parent (a category, an interest area): by the parent's code, stable
    from one version to the next. The choices are the parents of the version listed; across
    all versions, each code once, named as in the version in use."""

    model = None
    field = None

    def lookups(self, request, model_admin):
        rows = self.model.objects.order_by(
            "-version__is_current", "-version__created_at", "position"
        ).values_list("code", "name")
        version = VersionFilter.chosen(request)
        if version.isdigit():
            rows = rows.filter(version_id=version)
        names = {}
        # The version in use first, then the newest: its names win, in its order.
        for code, name in rows:
            names.setdefault(code, name)
        return [(code, f"{code} — {name}") for code, name in names.items()]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        return queryset.filter(**{f"{self.field}__code": self.value()})


class CategoryFilter(CodeFilter):
    title = _("catégorie")
    parameter_name = "category"
    model = Category
    field = "category"


class DimensionFilter(CodeFilter):
    title = _("domaine d'intérêt")
    parameter_name = "dimension"
    model = InterestDimension
    field = "dimension"


def titled(title, base):
    """A field filter headed « Par <title> »: what it filters, not the field's bare name."""

    class TitledFilter(base):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.title = title

    return TitledFilter


class VersionedInlineForm(forms.ModelForm):
    def _get_validation_exclusions(self):
        # The version comes from the parent, not from a form field; without this, Django
        # would skip the (version, code) uniqueness check and the database would refuse.
        exclusions = super()._get_validation_exclusions()
        exclusions.discard("version")
        return exclusions


class LabelledInlineFormSet(BaseInlineFormSet):
    """Names each field of a tabular inline's rows: its column heading is not a <label>, so a
    screen reader announced the fields without a name (axe: label, select-name)."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        for field in form.fields.values():
            # The admin wraps a foreign key's select; the name goes on the select itself.
            widget = getattr(field.widget, "widget", field.widget)
            if not widget.is_hidden:
                widget.attrs.setdefault("aria-label", capfirst(field.label))


class VersionedInlineFormSet(LabelledInlineFormSet):
    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        form.instance.version_id = self.instance.version_id
        return form


class VersionedInline(DraftOnlyMixin, DraftChoicesMixin, admin.TabularInline):
    form = VersionedInlineForm
    formset = VersionedInlineFormSet
    extra = 0


class VersionedAdmin(DraftOnlyMixin, DraftChoicesMixin, FrozenVersionAdminMixin, admin.ModelAdmin):
    """Shared rules for everything that lives inside a version."""

    list_select_related = ["version"]
    save_on_top = True
    # Official links are https; Django 6 makes that the default, say it now.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


class ScoreBandInline(DraftOnlyMixin, admin.TabularInline):
    model = ScoreBand
    formset = LabelledInlineFormSet
    fields = ["code", "label", "min_score", "message"]
    extra = 0


@admin.register(QuestionnaireVersion)
class QuestionnaireVersionAdmin(DraftOnlyMixin, FrozenVersionAdminMixin, admin.ModelAdmin):
    list_display = ["code", "title", "status", "is_current", "published_at", "preview_link"]
    list_filter = ["status", "is_current"]
    search_fields = ["code", "title", "notes"]
    readonly_fields = [
        "status",
        "is_current",
        "based_on",
        "created_at",
        "published_at",
        "archived_at",
        "preview_link",
    ]
    fieldsets = [
        (None, {"fields": ["code", "title", "content_date", "rules", "close_margin", "notes"]}),
        (
            _("Cycle de vie"),
            {
                "fields": [
                    "status",
                    "is_current",
                    "based_on",
                    "created_at",
                    "published_at",
                    "archived_at",
                    "preview_link",
                ]
            },
        ),
    ]
    inlines = [ScoreBandInline]
    actions = ["publish", "clone_as_draft"]

    def get_urls(self):
        preview = self.admin_site.admin_view(self.preview_view)
        return [
            path("<int:object_id>/preview/", preview, name="orientation_version_preview"),
            *super().get_urls(),
        ]

    @admin.display(description=_("aperçu"))
    def preview_link(self, obj):
        if not obj.pk:
            return "—"
        url = reverse("admin:orientation_version_preview", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Voir comme un élève"))

    @admin.action(description=_("Publier la version sélectionnée"), permissions=["change"])
    def publish(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Choisissez une seule version à publier."), messages.ERROR)
            return
        version = queryset.get()
        try:
            publish_version(version)
        except ValidationError as error:
            for message in error.messages:
                self.message_user(request, message, messages.ERROR)
            return
        self.message_user(
            request,
            _("La version « %(code)s » est publiée et proposée aux nouveaux élèves.")
            % {"code": version.code},
            messages.SUCCESS,
        )

    @admin.action(description=_("Cloner en brouillon"), permissions=["view"])
    def clone_as_draft(self, request, queryset):
        clones = [clone_version(version, code=next_version_code(version)) for version in queryset]
        self.message_user(
            request,
            ngettext(
                "Brouillon créé : %(codes)s. Modifiez-le puis publiez-le.",
                "Brouillons créés : %(codes)s. Modifiez-les puis publiez-les.",
                len(clones),
            )
            % {"codes": ", ".join(clone.code for clone in clones)},
            messages.SUCCESS,
        )

    def preview_view(self, request, object_id):
        version = get_object_or_404(QuestionnaireVersion, pk=object_id)
        # The same snapshot the student's steps and results read, so the preview cannot drift
        # from what students see.
        content = questionnaire_content(version)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": version,
            "title": _("Aperçu de la version « %(code)s »") % {"code": version.code},
            "version": version,
            "content": content,
            "expectations": [(e, content.items_of(e.code)) for e in content.expectations],
            "tracks": [
                (track, [w for w in content.weights if w.track == track.code])
                for track in content.tracks
            ],
        }
        return render(request, "admin/orientation/questionnaireversion/preview.html", context)


class ExpectationInline(VersionedInline):
    model = Expectation
    fields = ["position", "code", "label", "official_wording", "advice"]
    show_change_link = True


class ItemInline(VersionedInline):
    model = Item
    fields = ["position", "code", "statement", "reverse_keyed", "expectation"]
    show_change_link = True


class WorkshopInline(VersionedInline):
    """Activities for teachers, shown in the class report; each text beside its English."""

    model = WorkshopActivity
    # Stacked: four texts and their translations do not fit the columns of a table.
    template = "admin/edit_inline/stacked.html"
    fields = [
        ("position", "minutes"),
        ("title", "title_en"),
        ("preparation", "preparation_en"),
        ("steps", "steps_en"),
        ("outcome", "outcome_en"),
    ]
    verbose_name_plural = _("activités d'atelier pour les enseignants (bilan de la classe)")


class ExpectationItemInline(ItemInline):
    fields = ["position", "code", "statement", "reverse_keyed", "category"]
    choice_filters = {"category": {"kind": Category.Kind.EXPECTATIONS}}


@admin.register(Category)
class CategoryAdmin(VersionedAdmin):
    list_display = ["code", "name", "kind", "position", "version", "item_count"]
    list_filter = [
        VersionFilter,
        ("kind", titled(_("nature de la catégorie"), admin.ChoicesFieldListFilter)),
    ]
    search_fields = ["code", "name", "intro"]
    ordering = ["version", "position"]
    # Each text beside its English translation.
    fields = ["version", "code", "kind", "position", ("name", "name_en"), ("intro", "intro_en")]
    inlines = [ExpectationInline, ItemInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_items=Count("items"))

    @admin.display(description=_("affirmations"), ordering="n_items")
    def item_count(self, obj):
        return obj.n_items


@admin.register(Expectation)
class ExpectationAdmin(VersionedAdmin):
    list_display = ["code", "label", "category", "position", "version"]
    list_filter = [VersionFilter, CategoryFilter]
    search_fields = ["code", "label", "official_wording", "advice"]
    list_select_related = ["version", "category"]
    ordering = ["version", "category__position", "position"]
    fields = [
        "version",
        "category",
        "code",
        "position",
        ("label", "label_en"),
        ("official_wording", "official_wording_en"),
        ("advice", "advice_en"),
    ]
    inlines = [ExpectationItemInline, WorkshopInline]


@admin.register(Item)
class ItemAdmin(VersionedAdmin):
    list_display = [
        "code",
        "statement",
        "kind",
        "expectation",
        "dimension",
        "reverse_keyed",
        "mirror_of",
        "position",
        "version",
    ]
    list_filter = [
        VersionFilter,
        CategoryFilter,
        "kind",
        (
            "reverse_keyed",
            titled(_("affirmation formulée à l'envers"), admin.BooleanFieldListFilter),
        ),
        DimensionFilter,
    ]
    search_fields = [
        "code",
        "statement",
        "statement_en",
        "simple_statement",
        "expectation__label",
        "dimension__name",
    ]
    list_select_related = ["version", "expectation", "dimension", "mirror_of"]
    ordering = ["version", "category__position", "position"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "version",
                    "category",
                    "code",
                    "position",
                    "kind",
                    ("statement", "statement_en"),
                    ("simple_statement", "simple_statement_en"),
                ]
            },
        ),
        (
            _("Attendu"),
            {"fields": ["expectation", "reverse_keyed", "mirror_of"]},
        ),
        (_("Intérêt"), {"fields": ["dimension", "goal_track"]}),
        (
            _("Question de connaissance"),
            {"fields": ["correct_answer", ("explanation", "explanation_en")]},
        ),
    ]


class DimensionItemInline(VersionedInline):
    model = Item
    fk_name = "dimension"
    fields = ["position", "code", "statement", "category"]
    show_change_link = True


@admin.register(InterestDimension)
class InterestDimensionAdmin(VersionedAdmin):
    list_display = ["code", "name", "position", "version", "item_count"]
    list_filter = [VersionFilter]
    search_fields = ["code", "name", "description"]
    ordering = ["version", "position"]
    fields = ["version", "code", "position", ("name", "name_en"), ("description", "description_en")]
    inlines = [DimensionItemInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_items=Count("items"))

    @admin.display(description=_("affirmations"), ordering="n_items")
    def item_count(self, obj):
        return obj.n_items


class TrackDimensionInline(VersionedInline):
    model = TrackDimension
    fields = ["dimension", "weight"]
    verbose_name_plural = _("profil d'intérêts (règles de 2026-2)")


class TrackWeightInline(VersionedInline):
    model = TrackWeight
    fields = ["item", "weight"]
    choice_filters = {"item": {"category__kind": Category.Kind.INTERESTS}}


@admin.register(Track)
class TrackAdmin(VersionedAdmin):
    list_display = ["short_name", "name", "kind", "level", "duration", "position", "version"]
    list_filter = [
        VersionFilter,
        ("kind", titled(_("type de formation"), admin.ChoicesFieldListFilter)),
        "level",
    ]
    search_fields = ["code", "name", "short_name", "description", "suits"]
    ordering = ["version", "position"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "version",
                    "code",
                    ("short_name", "short_name_en"),
                    ("name", "name_en"),
                    "kind",
                    "position",
                ]
            },
        ),
        (
            _("Niveau, durée et accès"),
            {
                "fields": [
                    "level",
                    ("duration", "duration_en"),
                    ("access", "access_en"),
                    "official_url",
                    "facts_date",
                ]
            },
        ),
        (
            _("Textes"),
            {
                "fields": [
                    ("description", "description_en"),
                    ("suits", "suits_en"),
                    ("caveat", "caveat_en"),
                    "shown_with",
                ]
            },
        ),
        (
            _("Place dans les suggestions"),
            {"fields": ["after_first_diploma", ("first_step", "first_step_en"), "expectations"]},
        ),
    ]
    filter_horizontal = ["expectations"]
    inlines = [TrackDimensionInline, TrackWeightInline]

    def get_queryset(self, request):
        weights = TrackWeight.objects.select_related("item")
        profile = TrackDimension.objects.select_related("dimension")
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("weights", weights), Prefetch("profile", profile))
        )


@admin.register(ScoreBand)
class ScoreBandAdmin(VersionedAdmin):
    list_display = ["label", "code", "min_score", "version"]
    list_filter = [VersionFilter]
    search_fields = ["label", "message"]
    ordering = ["version", "-min_score"]
    fields = ["version", "code", ("label", "label_en"), "min_score", ("message", "message_en")]
