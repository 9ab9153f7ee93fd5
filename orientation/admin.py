"""The Django admin is the content editor.

Only a draft version can be edited: for a published or archived version every page is
read-only (the models refuse the write anyway). Content changes go: « cloner en brouillon »,
edit the draft, preview it, « publier ».
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Prefetch
from django.forms.models import BaseInlineFormSet
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.html import format_html
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
)
from .outline import questionnaire_outline
from .services import clone_version, next_version_code, publish_version

admin.site.site_header = _("Repères — administration")
admin.site.site_title = _("Repères")
admin.site.index_title = _("Contenu du questionnaire et comptes")


def _frozen_notice(request, version):
    messages.info(
        request,
        _(
            "La version « %(code)s » est %(status)s : cette page est en lecture seule. Pour "
            "modifier le contenu, clonez la version en brouillon (action « Cloner en brouillon »)."
        )
        % {"code": version.code, "status": version.get_status_display().lower()},
    )


def _is_draft(obj):
    version = obj if isinstance(obj, QuestionnaireVersion) else obj.version
    return version.is_draft


class VersionedInlineForm(forms.ModelForm):
    def _get_validation_exclusions(self):
        # The version comes from the parent, not from a form field; without this, Django
        # would skip the (version, code) uniqueness check and the database would refuse.
        exclusions = super()._get_validation_exclusions()
        exclusions.discard("version")
        return exclusions


class VersionedInlineFormSet(BaseInlineFormSet):
    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        form.instance.version_id = self.instance.version_id
        return form


class VersionedInline(admin.TabularInline):
    form = VersionedInlineForm
    formset = VersionedInlineFormSet
    extra = 0

    def has_add_permission(self, request, obj=None):
        return (obj is None or _is_draft(obj)) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return (obj is None or _is_draft(obj)) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return (obj is None or _is_draft(obj)) and super().has_delete_permission(request, obj)


class VersionedAdmin(admin.ModelAdmin):
    """Shared rules for everything that lives inside a version."""

    list_select_related = ["version"]
    save_on_top = True
    # Official links are https; Django 6 makes that the default, say it now.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_change_permission(self, request, obj=None):
        return (obj is None or _is_draft(obj)) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return (obj is None or _is_draft(obj)) and super().has_delete_permission(request, obj)

    def get_actions(self, request):
        # Bulk deletion would hit frozen rows; deletion goes through each object's page.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        if request.method == "GET" and obj is not None and not obj.version.is_draft:
            _frozen_notice(request, obj.version)
        return super().change_view(request, object_id, form_url, extra_context)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # New content can only go into a draft, and only under a parent of a draft.
        related = db_field.related_model
        if related is QuestionnaireVersion:
            kwargs["queryset"] = QuestionnaireVersion.objects.filter(
                status=QuestionnaireVersion.Status.DRAFT
            )
        elif hasattr(related, "version"):
            kwargs["queryset"] = related.objects.filter(
                version__status=QuestionnaireVersion.Status.DRAFT
            ).select_related("version")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if hasattr(db_field.related_model, "version"):
            kwargs["queryset"] = db_field.related_model.objects.filter(
                version__status=QuestionnaireVersion.Status.DRAFT
            ).select_related("version")
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class ScoreBandInline(admin.TabularInline):
    model = ScoreBand
    fields = ["code", "label", "min_score", "message"]
    extra = 0

    def has_add_permission(self, request, obj=None):
        return (obj is None or obj.is_draft) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return (obj is None or obj.is_draft) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return (obj is None or obj.is_draft) and super().has_delete_permission(request, obj)


@admin.register(QuestionnaireVersion)
class QuestionnaireVersionAdmin(admin.ModelAdmin):
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

    def has_change_permission(self, request, obj=None):
        return (obj is None or obj.is_draft) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return (obj is None or obj.is_draft) and super().has_delete_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        if request.method == "GET" and obj is not None and not obj.is_draft:
            _frozen_notice(request, obj)
        return super().change_view(request, object_id, form_url, extra_context)

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
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": version,
            "title": _("Aperçu de la version « %(code)s »") % {"code": version.code},
            "version": version,
            **questionnaire_outline(version),
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

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "expectation":
            kwargs["queryset"] = Expectation.objects.filter(
                version__status=QuestionnaireVersion.Status.DRAFT
            ).select_related("version")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ExpectationItemInline(ItemInline):
    fields = ["position", "code", "statement", "reverse_keyed", "category"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "category":
            kwargs["queryset"] = Category.objects.filter(
                version__status=QuestionnaireVersion.Status.DRAFT,
                kind=Category.Kind.EXPECTATIONS,
            ).select_related("version")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Category)
class CategoryAdmin(VersionedAdmin):
    list_display = ["code", "name", "kind", "position", "version", "item_count"]
    list_filter = ["version", "kind"]
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
    list_filter = ["version", "category__code"]
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
    inlines = [ExpectationItemInline]


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
    list_filter = ["version", "category__code", "kind", "reverse_keyed", "dimension__code"]
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
    list_filter = ["version"]
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

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "item":
            kwargs["queryset"] = Item.objects.filter(
                version__status=QuestionnaireVersion.Status.DRAFT,
                category__kind=Category.Kind.INTERESTS,
            ).select_related("version")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Track)
class TrackAdmin(VersionedAdmin):
    list_display = ["short_name", "name", "kind", "level", "duration", "position", "version"]
    list_filter = ["version", "kind", "level"]
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
    list_filter = ["version"]
    search_fields = ["label", "message"]
    ordering = ["version", "-min_score"]
    fields = ["version", "code", ("label", "label_en"), "min_score", ("message", "message_en")]
