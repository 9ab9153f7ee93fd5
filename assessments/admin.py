from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from orientation.admin import QuestionnaireVersionAdmin
from orientation.models import QuestionnaireVersion

from .models import AdviserAccess, Cohort


@admin.register(Cohort)
class CohortAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "owner", "created_at", "archived_at"]
    list_filter = ["archived_at", "owner"]
    search_fields = ["name", "code", "owner__username"]
    list_select_related = ["owner"]
    readonly_fields = ["code", "created_at"]
    fields = ["name", "owner", "code", "created_at", "archived_at"]

    def save_model(self, request, obj, form, change):
        if not obj.code:
            obj.code = Cohort.objects.free_code()
        super().save_model(request, obj, form, change)


class VersionWithQualityAdmin(QuestionnaireVersionAdmin):
    """The content admin, plus a link to each version's item-quality report."""

    list_display = [*QuestionnaireVersionAdmin.list_display, "quality_link"]

    @admin.display(description=_("qualité des affirmations"))
    def quality_link(self, obj):
        if obj.is_draft:
            return "—"
        url = reverse("assessments:item-quality", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Voir le rapport"))


admin.site.unregister(QuestionnaireVersion)
admin.site.register(QuestionnaireVersion, VersionWithQualityAdmin)


@admin.register(AdviserAccess)
class AdviserAccessAdmin(admin.ModelAdmin):
    """The audit log, read-only: nobody edits or deletes what advisers did (the purge does)."""

    list_display = ["at", "username", "action", "target"]
    list_filter = ["action", "at"]
    search_fields = ["username", "target"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
