from django.contrib import admin, messages
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from .models import ImportAnomaly, ImportBatch, ProgressEntry, ReportingPeriod


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(admin.ModelAdmin):
    list_display = [
        "label",
        "strategy",
        "start_date",
        "end_date",
        "deadline",
        "is_open",
        "published",
    ]
    list_filter = ["strategy", "is_open", "published"]
    list_editable = ["is_open", "published"]
    search_fields = ["label"]
    readonly_fields = ["published_at"]

    def save_model(self, request, obj, form, change):
        # The feed announces a period when it is (re)published.
        if "published" in form.changed_data and obj.published:
            obj.published_at = timezone.now()
        super().save_model(request, obj, form, change)


@admin.register(ProgressEntry)
class ProgressEntryAdmin(admin.ModelAdmin):
    list_display = ["code", "goal_title", "period", "level", "overall_status", "responsible"]
    list_filter = [
        "period",
        "period__strategy",
        "level",
        "overall_status",
        "goal__kind",
        "responsible",
    ]
    search_fields = ["goal__code", "goal__title", "status_text", "risks"]
    list_select_related = ["goal", "period", "responsible"]
    raw_id_fields = ["goal"]
    autocomplete_fields = ["responsible"]
    readonly_fields = ["source_batch", "source_line", "updated_at"]

    @admin.display(description=_("code"), ordering="goal__code")
    def code(self, entry):
        return entry.goal.code

    @admin.display(description=pgettext_lazy("goal", "title"), ordering="goal__title")
    def goal_title(self, entry):
        title = entry.goal.title
        return title if len(title) <= 80 else title[:79] + "…"


class ImportAnomalyInline(admin.TabularInline):
    model = ImportAnomaly
    fields = ["line", "reason", "message", "status"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ["filename", "period", "imported_at", "imported_by", "entry_count"]
    list_filter = ["period"]
    search_fields = ["filename", "sha256"]
    readonly_fields = ["period", "filename", "sha256", "imported_at", "imported_by", "summary"]
    exclude = ["content"]
    inlines = [ImportAnomalyInline]

    def has_add_permission(self, request):
        return False

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("period", "imported_by")
        return queryset.defer("content").annotate(entry_total=Count("entries"))

    @admin.display(description=_("entries"), ordering="entry_total")
    def entry_count(self, batch):
        return batch.entry_total


@admin.register(ImportAnomaly)
class ImportAnomalyAdmin(admin.ModelAdmin):
    list_display = ["batch", "line", "reason", "message", "status"]
    list_filter = ["status", "reason", "batch__period"]
    search_fields = ["message", "batch__filename"]
    list_select_related = ["batch", "batch__period"]
    readonly_fields = ["batch", "line", "cells", "reason", "message", "resolved_by", "resolved_at"]
    actions = ["dismiss"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Dismiss the selected anomalies"))
    def dismiss(self, request, queryset):
        count = queryset.filter(status=ImportAnomaly.Status.OPEN).update(
            status=ImportAnomaly.Status.DISMISSED,
            resolved_by=request.user,
            resolved_at=timezone.now(),
        )
        self.message_user(
            request,
            ngettext("%d anomaly dismissed.", "%d anomalies dismissed.", count) % count,
            messages.SUCCESS,
        )
