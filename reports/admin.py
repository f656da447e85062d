import re

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import content_disposition_header
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy
from import_export.admin import ExportMixin
from import_export.formats.base_formats import CSV, XLSX

from goals.admin import HistoryAdmin, ShownToResidents
from goals.models import Goal
from reports import dashboard, notices, opening, services
from reports.admin_review import EntryReview, PeriodPublishing, ReportedFilter
from reports.forms import PlaceAnomalyForm, conflict_message, rebase
from reports.legacy import LegacyFileError
from reports.legacy.importer import import_legacy_file
from reports.legacy.placing import anomaly_initial
from reports.legacy.reader import sheet_names
from reports.rollup import derived_from, published_rollups
from reports.templatetags.languages import in_data_language
from seuranta.security import log_event

from .models import (
    CouncilReportFile,
    ImportAnomaly,
    ImportBatch,
    LevelOverride,
    Notice,
    PendingImport,
    ProgressEntry,
    ReportingPeriod,
    SiteIdentity,
)
from .resources import ExportFieldsForm, ProgressEntryResource

User = get_user_model()


class UserAdmin(DjangoUserAdmin):
    """Administrators manage ordinary users: only a superuser sees or changes a superuser
    (their password, their active flag), makes superusers, grants permissions one user
    at a time, or changes their own roles."""

    def get_queryset(self, request):
        users = super().get_queryset(request)
        return users if request.user.is_superuser else users.filter(is_superuser=False)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += ["is_superuser", "user_permissions"]
            if obj is not None and obj.pk == request.user.pk:
                readonly += ["groups", "is_staff", "is_active"]
        return readonly


class GroupAdmin(DjangoGroupAdmin):
    """A role's permissions are the superuser's to change; administrators only see them."""

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += ["permissions"]
        return readonly


admin.site.unregister(User)
admin.site.register(User, UserAdmin)
admin.site.unregister(Group)
admin.site.register(Group, GroupAdmin)


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(PeriodPublishing, ShownToResidents, admin.ModelAdmin):
    list_display = [
        "label",
        "strategy",
        "start_date",
        "end_date",
        "deadline",
        "is_open",
        "published",
        "dashboard_link",
    ]
    list_filter = ["strategy", "is_open", "published"]
    search_fields = ["label"]
    # Opening and publishing go through the actions, which also create the draft
    # entries and publish the approved ones.
    readonly_fields = ["is_open", "published", "published_at"]
    actions = ["open_for_reporting", "close_for_reporting", "publish", "send_reminders"]

    def get_urls(self):
        return [
            path(
                "<int:pk>/dashboard/",
                self.admin_site.admin_view(self.dashboard_view),
                name="reports_reportingperiod_dashboard",
            ),
            *super().get_urls(),
        ]

    @admin.display(description=gettext_lazy("dashboard"))
    def dashboard_link(self, period):
        url = reverse("admin:reports_reportingperiod_dashboard", args=[period.pk])
        return format_html('<a href="{}">{}</a>', url, _("Who has reported?"))

    def dashboard_view(self, request, pk):
        if not request.user.has_perm("reports.manage_period"):
            raise PermissionDenied
        period = get_object_or_404(ReportingPeriod.objects.select_related("strategy"), pk=pk)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Who has reported for %(period)s?") % {"period": period.label},
            "period": period,
            "opts": self.model._meta,
            **dashboard.period_dashboard(period),
            "notices": dashboard.sent_notices(period),
        }
        return TemplateResponse(request, "admin/reports/period_dashboard.html", context)

    @admin.action(description=gettext_lazy("Open the selected periods for reporting"))
    def open_for_reporting(self, request, queryset):
        said = set()
        for period in queryset.select_related("strategy"):
            created = services.open_period(period, user=request.user)
            for level, message in opening.after_opening(period, created):
                if message not in said:  # two periods of one year: one warning
                    said.add(message)
                    self.message_user(request, message, level)

    def response_add(self, request, obj, post_url_continue=None):
        # A new period is not open yet: say what opening it will create, or why nothing.
        for level, message in opening.before_opening(obj):
            self.message_user(request, message, level)
        return super().response_add(request, obj, post_url_continue)

    @admin.action(description=gettext_lazy("Close the selected periods for reporting"))
    def close_for_reporting(self, request, queryset):
        for period in queryset:
            services.close_period(period, user=request.user)
        self.message_user(request, _("Closed for reporting."), messages.SUCCESS)

    @admin.action(description=gettext_lazy("Publish the selected period…"))
    def publish(self, request, queryset):
        """To the confirmation page (PeriodPublishing), which publishes on POST."""
        periods = list(queryset[:2])
        if len(periods) != 1:
            self.message_user(request, _("Publish one period at a time."), messages.ERROR)
            return None
        return redirect("admin:reports_reportingperiod_publish", periods[0].pk)

    @admin.action(
        description=gettext_lazy("Send reminders to those who have not submitted their entries")
    )
    def send_reminders(self, request, queryset):
        """Before the deadline once per person, after it at most once a day per person
        (reports/notices.py): clicking again sends nothing new."""
        for period in queryset:
            result = notices.send_reminders(period, user=request.user)
            if result.period_closed:
                self.message_user(
                    request,
                    _("%(period)s is not open for reporting; no reminders sent.")
                    % {"period": period.label},
                    messages.WARNING,
                )
                continue
            parts = [
                ngettext(
                    "%(period)s: %(count)s reminder sent.",
                    "%(period)s: %(count)s reminders sent.",
                    len(result.sent),
                )
                % {"period": period.label, "count": len(result.sent)}
            ]
            if result.already_reminded:
                parts.append(
                    _("Already reminded, not again: %(persons)s.")
                    % {"persons": ", ".join(str(person) for person, _e in result.already_reminded)}
                )
            if result.no_address:
                parts.append(
                    _("No email address for: %(persons)s.")
                    % {"persons": ", ".join(str(person) for person, _e in result.no_address)}
                )
            self.message_user(
                request,
                " ".join(parts),
                messages.SUCCESS if result.sent else messages.WARNING,
            )


class ReviewActionForm(ActionForm):
    comment = forms.CharField(
        label=gettext_lazy("Comment (when returning)"), required=False, max_length=2000
    )


class ProgressEntryAdminForm(forms.ModelForm):
    """An official's change form, carrying the version it was loaded at: a save over an
    entry that someone else wrote since is refused with their version, typed text kept."""

    loaded_version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = ProgressEntry
        fields = services.OFFICIAL_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        entry = self.instance
        self.initial["loaded_version"] = entry.version
        for name in services.OFFICIAL_FIELDS:
            # What the official loaded posts beside what they typed: a save writes only
            # the fields they changed.
            self.fields[name].show_hidden_initial = True
        if entry.has_override and not entry.override_applies:
            # Written for an earlier version of the content: it is not published unless
            # the official writes it again for this one.
            self.initial["public_level"] = None
            self.initial["public_status_text"] = ""
            self.fields["public_status_text"].help_text = _(
                "The override written for an earlier version no longer applies "
                "(level %(level)s: “%(text)s”). Write it again to publish it with this version."
            ) % {
                "level": entry.public_level or "–",
                "text": Truncator(entry.public_status_text).chars(200),
            }

    def clean(self):
        data = super().clean()
        current = ProgressEntry.objects.select_related("updated_by").get(pk=self.instance.pk)
        loaded = data.get("loaded_version")
        if self.changed_values() and loaded is not None and current.version != loaded:
            # The next save from this form writes the official's changes over theirs.
            self.data = self.data.copy()
            rebase(self, self.data, current, version_field="loaded_version")
            raise forms.ValidationError(conflict_message(current))
        return data

    def changed_values(self):
        return {
            name: self.cleaned_data[name]
            for name in self.changed_data
            if name in services.OFFICIAL_FIELDS and name in self.cleaned_data
        }


@admin.register(ProgressEntry)
class ProgressEntryAdmin(EntryReview, ExportMixin, HistoryAdmin):
    form = ProgressEntryAdminForm
    # What an official working through the queue decides by comes first; the long title
    # last, where its wrapping does not push the state out of sight.
    list_display = [
        "code",
        "review_link",
        "review_state",
        "level",
        "responsible",
        "period",
        "published_level",
        "goal_title",
    ]
    list_filter = [
        "period",
        "period__strategy",
        "review_state",
        ReportedFilter,
        "level",
        "overall_status",
        "goal__kind",
        "responsible",
        "responsible__department",
    ]
    search_fields = ["goal__code", "goal__title", "status_text", "risks"]
    list_select_related = ["goal", "period", "responsible", "published"]
    # The open period's entries first, where the quarter's work is; then the latest.
    ordering = ["-period__is_open", "-period__end_date", "goal__code"]
    autocomplete_fields = ["responsible"]
    readonly_fields = [
        "period",
        "goal",
        "review_state",
        "version",
        "updated_at",
        "updated_by",
        "source_batch",
        "source_line",
        "published_at",
        "published_level",
        "published_status_text",
        "published_risks",
        "published_overall_status",
        "published_responsible",
    ]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "period",
                    "goal",
                    "responsible",
                    "review_state",
                    "version",
                    "loaded_version",
                ]
            },
        ),
        (
            gettext_lazy("What staff reported"),
            {"fields": ["level", "status_text", "risks", "overall_status"]},
        ),
        (
            gettext_lazy("Review"),
            {"fields": ["review_comment", "public_level", "public_status_text"]},
        ),
        (
            gettext_lazy("Published version (what residents see)"),
            {
                "fields": [
                    "published_at",
                    "published_level",
                    "published_status_text",
                    "published_risks",
                    "published_overall_status",
                    "published_responsible",
                ]
            },
        ),
        (
            gettext_lazy("Origin"),
            {"fields": ["source_batch", "source_line", "updated_at", "updated_by"]},
        ),
    ]
    actions = ["approve_selected", "return_selected", "publish_selected"]
    action_form = ReviewActionForm
    resource_classes = [ProgressEntryResource]
    export_form_class = ExportFieldsForm
    formats = [XLSX, CSV]

    def has_add_permission(self, request):
        # Entries come from opening a period, an import or placing an anomaly.
        return False

    def get_export_data(self, file_format, request, queryset, **kwargs):
        data = super().get_export_data(file_format, request, queryset, **kwargs)
        # Who took which entries out of the building: drafts are not public.
        log_event(
            f"export format={file_format.get_title()} entries={queryset.count()}",
            request,
            request.user.get_username(),
        )
        return data

    # Excel reads a CSV as UTF-8 only when it starts with a byte-order mark.
    to_encoding = "utf-8-sig"

    def get_export_filename(self, request, queryset, file_format):
        """The entries' name in the official's language, the period the list is filtered
        to, and the day: "Etenemismerkinnät 1–8-2024 2026-11-30.xlsx"."""
        parts = [capfirst(str(self.model._meta.verbose_name_plural))]
        period_id = request.GET.get("period__id__exact", "")
        period = (
            ReportingPeriod.objects.filter(pk=period_id).first() if period_id.isdigit() else None
        )
        if period is not None:
            parts.append(re.sub(r"[^\w–-]+", "-", period.label).strip("-"))
        parts.append(timezone.localdate().isoformat())
        return f"{' '.join(parts)}.{file_format.get_extension()}"

    def export_action(self, request):
        response = super().export_action(request)
        if response.has_header("Content-Disposition"):
            # The name holds the period's dash and the language's letters: written as
            # RFC 6266 says, which django-import-export's plain quoting does not.
            formats = self.get_export_formats()
            file_format = formats[int(request.POST.get("format", 0))]()
            response["Content-Disposition"] = content_disposition_header(
                True, self.get_export_filename(request, None, file_format)
            )
        return response

    def has_delete_permission(self, request, obj=None):
        # Someone's reported work; a mistaken entry is returned or corrected instead.
        return False

    @admin.display(description=gettext_lazy("code"), ordering="goal__code")
    def code(self, entry):
        return entry.goal.code

    @admin.display(description=pgettext_lazy("goal", "title"), ordering="goal__title")
    def goal_title(self, entry):
        # The municipality's Finnish, marked so on a Swedish or English admin page.
        return in_data_language(Truncator(entry.goal.title).chars(80))

    def _published(self, entry, read):
        """A value of the entry's published version; the empty-value dash if it has none."""
        published = getattr(entry, "published", None)
        value = read(published) if published else None
        return self.get_empty_value_display() if value in (None, "") else value

    @admin.display(description=gettext_lazy("published at"))
    def published_at(self, entry):
        return self._published(entry, lambda published: published.published_at)

    @admin.display(description=gettext_lazy("published progress level"))
    def published_level(self, entry):
        return self._published(
            entry, lambda published: published.get_level_display() if published.level else None
        )

    @admin.display(description=gettext_lazy("published status text"))
    def published_status_text(self, entry):
        return self._published(entry, lambda published: published.status_text)

    @admin.display(description=gettext_lazy("published main risks"))
    def published_risks(self, entry):
        return self._published(entry, lambda published: published.risks)

    @admin.display(description=gettext_lazy("published overall status"))
    def published_overall_status(self, entry):
        return self._published(entry, lambda published: published.get_overall_status_display())

    @admin.display(description=gettext_lazy("published responsible person"))
    def published_responsible(self, entry):
        return self._published(entry, lambda published: published.responsible)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except services.EditConflict as conflict:
            # Someone saved between the form's check and the save (a narrow window).
            self.message_user(request, conflict_message(conflict.current), messages.ERROR)
            return redirect(request.path)

    def save_model(self, request, obj, form, change):
        services.edit_entry(
            obj,
            user=request.user,
            loaded_version=form.cleaned_data["loaded_version"],
            values=form.changed_values(),
        )

    @admin.action(description=gettext_lazy("Approve the selected entries for publishing"))
    def approve_selected(self, request, queryset):
        count = len(services.review_entries(list(queryset), user=request.user, approve=True))
        self.message_user(
            request,
            ngettext("%d entry approved.", "%d entries approved.", count) % count,
            messages.SUCCESS,
        )

    @admin.action(description=gettext_lazy("Return the selected entries to their authors"))
    def return_selected(self, request, queryset):
        comment = request.POST.get("comment", "").strip()
        if not comment:
            self.message_user(
                request, _("Write a comment for the author before returning."), messages.ERROR
            )
            return
        count = len(
            services.review_entries(
                list(queryset), user=request.user, approve=False, comment=comment
            )
        )
        self.message_user(
            request,
            ngettext("%d entry returned.", "%d entries returned.", count) % count,
            messages.SUCCESS,
        )

    @admin.action(description=gettext_lazy("Publish the selected entries now"))
    def publish_selected(self, request, queryset):
        count = len(services.publish_entries(list(queryset), user=request.user))
        self.message_user(
            request,
            ngettext("%d entry published.", "%d entries published.", count) % count,
            messages.SUCCESS,
        )


class ImportAnomalyInline(admin.TabularInline):
    model = ImportAnomaly
    fields = ["line", "reason", "message", "status"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


class LegacyUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Exported file"),
        help_text=gettext_lazy(
            "Text as Excel saves it (tab-, semicolon- or comma-separated, any encoding Excel "
            "saves), or a workbook: .xlsx, .xls or .ods."
        ),
    )
    period = forms.CharField(
        label=gettext_lazy("Reporting period"),
        help_text=gettext_lazy("For example 1-8/2022, or 2022 for the full year."),
    )
    term = forms.CharField(
        label=gettext_lazy("Council term"),
        required=False,
        help_text=gettext_lazy("For example 2021-2025; may be left empty if only one fits."),
    )
    sheet = forms.CharField(
        label=gettext_lazy("Sheet"),
        required=False,
        max_length=100,
        help_text=gettext_lazy("Of a workbook with several sheets; empty: the first."),
    )


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

    @admin.display(description=gettext_lazy("entries"), ordering="entry_total")
    def entry_count(self, batch):
        return batch.entry_total

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="reports_importbatch_import",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request):
        """Upload a legacy file, see the dry run, then confirm or cancel."""
        if not request.user.has_perm("reports.add_importbatch"):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import a legacy file"),
            "opts": self.model._meta,
        }
        pending_id = request.POST.get("pending")
        if request.method == "POST" and "cancel" in request.POST:
            PendingImport.objects.filter(pk=pending_id, uploaded_by=request.user).delete()
            self.message_user(request, _("Import cancelled; nothing was written."))
            return redirect("admin:reports_importbatch_import")
        if request.method == "POST" and "confirm" in request.POST:
            return self._confirm(request, pending_id)
        if request.method == "POST" and "reread" in request.POST:
            return self._reread(request, pending_id, context)
        form = LegacyUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            pending = PendingImport(
                content=upload.read(),
                filename=upload.name[-255:],
                period_label=form.cleaned_data["period"][:40],
                term=form.cleaned_data["term"][:20],
                sheet=form.cleaned_data["sheet"],
                uploaded_by=request.user,
            )
            try:
                summary = self._run(pending, request.user, dry_run=True)
            except LegacyFileError as error:
                form.add_error("file", str(error))
            else:
                # An upload that was never confirmed or cancelled is replaced by the next.
                PendingImport.objects.filter(uploaded_by=request.user).delete()
                pending.save()
                return self._preview(request, context, pending, summary)
        context["form"] = form
        return TemplateResponse(request, "admin/reports/import_legacy.html", context)

    def _preview(self, request, context, pending, summary):
        """The dry run, with the workbook's other sheets to choose from."""
        context.update(summary=summary, pending=pending, sheets=sheet_names(bytes(pending.content)))
        return TemplateResponse(request, "admin/reports/import_legacy.html", context)

    def _reread(self, request, pending_id, context):
        """The dry run again, of another sheet of the pending workbook."""
        pending = PendingImport.objects.filter(
            pk=pending_id if str(pending_id).isdigit() else None, uploaded_by=request.user
        ).first()
        if pending is None:
            self.message_user(
                request, _("This import was already confirmed or cancelled."), messages.WARNING
            )
            return redirect("admin:reports_importbatch_import")
        pending.sheet = request.POST.get("sheet", "")[:100]
        try:
            summary = self._run(pending, request.user, dry_run=True)
        except LegacyFileError as error:
            self.message_user(request, str(error), messages.ERROR)
            pending.sheet = PendingImport.objects.get(pk=pending.pk).sheet
            summary = self._run(pending, request.user, dry_run=True)
        else:
            pending.save(update_fields=["sheet"])
        return self._preview(request, context, pending, summary)

    def _run(self, pending, user, *, dry_run):
        return import_legacy_file(
            content=bytes(pending.content),
            filename=pending.filename,
            period=pending.period_label,
            term=pending.term or None,
            sheet=pending.sheet or None,
            user=user,
            dry_run=dry_run,
        )

    def _confirm(self, request, pending_id):
        """Import the pending file once: a second confirmation, in another tab or a
        double click, finds it gone and imports nothing."""
        try:
            with transaction.atomic():
                pending = (
                    PendingImport.objects.select_for_update()
                    .filter(pk=pending_id if str(pending_id).isdigit() else None)
                    .filter(uploaded_by=request.user)
                    .first()
                )
                if pending is None:
                    self.message_user(
                        request,
                        _("This import was already confirmed or cancelled."),
                        messages.WARNING,
                    )
                    return redirect("admin:reports_importbatch_changelist")
                summary = self._run(pending, request.user, dry_run=False)
                pending.delete()
        except LegacyFileError as error:
            self.message_user(request, str(error), messages.ERROR)
            return redirect("admin:reports_importbatch_import")
        if not summary.changed:
            self.message_user(
                request, _("Nothing changed: the database already holds everything in this file.")
            )
            return redirect("admin:reports_importbatch_changelist")
        self.message_user(
            request,
            _(
                "%(file)s imported into %(period)s — entries created: %(created)s, "
                "updated: %(updated)s, anomalies: %(anomalies)s."
            )
            % {
                "file": summary.filename,
                "period": summary.period,
                "created": summary.created,
                "updated": summary.updated,
                "anomalies": len(summary.anomalies),
            },
            messages.SUCCESS,
        )
        return redirect("admin:reports_importbatch_change", summary.batch_id)


@admin.register(ImportAnomaly)
class ImportAnomalyAdmin(admin.ModelAdmin):
    list_display = ["batch", "line", "reason", "message", "status", "place_link"]
    list_filter = ["status", "reason", "batch__period"]
    search_fields = ["message", "batch__filename"]
    list_select_related = ["batch", "batch__period"]
    readonly_fields = ["batch", "line", "cells", "reason", "message", "resolved_by", "resolved_at"]
    actions = ["dismiss", "mark_placed"]

    def has_add_permission(self, request):
        return False

    def get_urls(self):
        return [
            path(
                "<int:pk>/place/",
                self.admin_site.admin_view(self.place_view),
                name="reports_importanomaly_place",
            ),
            *super().get_urls(),
        ]

    @admin.display(description=gettext_lazy("place"))
    def place_link(self, anomaly):
        if anomaly.status != ImportAnomaly.Status.OPEN:
            return "–"
        url = reverse("admin:reports_importanomaly_place", args=[anomaly.pk])
        return format_html('<a href="{}">{}</a>', url, _("Place…"))

    def place_view(self, request, pk):
        """Choose where an anomalous row belongs, correct its values, and make it an entry."""
        if not request.user.has_perm("reports.review_entry"):
            raise PermissionDenied
        anomaly = get_object_or_404(
            ImportAnomaly.objects.select_related("batch__period__strategy"), pk=pk
        )
        if anomaly.status != ImportAnomaly.Status.OPEN:
            self.message_user(
                request, _("This anomaly has already been resolved."), messages.WARNING
            )
            return redirect("admin:reports_importanomaly_change", anomaly.pk)
        period = anomaly.batch.period
        initial = anomaly_initial(anomaly)
        code = initial.pop("code", None)
        if code:
            initial["goal"] = (
                Goal.objects.filter(strategy=period.strategy, code=code.text)
                .filter(Q(year=period.year) | Q(year__isnull=True))
                .first()
            )
        existing = (
            ProgressEntry.objects.filter(period=period, goal=initial["goal"]).first()
            if initial.get("goal")
            else None
        )
        if existing is not None and not existing.is_blank_draft:
            initial["replaces_version"] = existing.version
        form = PlaceAnomalyForm(request.POST or None, initial=initial, period=period)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                entry = services.place_anomaly(
                    anomaly,
                    goal=data["goal"],
                    values=data,
                    user=request.user,
                    loaded_version=data["replaces_version"],
                )
            except services.EditConflict as conflict:
                existing = conflict.current
                form.data = form.data.copy()
                form.data["replaces_version"] = existing.version
                form.add_error(
                    None,
                    _(
                        "%(code)s already has an entry in %(period)s, shown below; nothing was "
                        "saved. Place the row again to replace it."
                    )
                    % {"code": existing.goal.code, "period": period.label},
                )
            else:
                self.message_user(
                    request,
                    _("Line %(line)s placed as the entry of %(code)s in %(period)s.")
                    % {"line": anomaly.line, "code": entry.goal.code, "period": period.label},
                    messages.SUCCESS,
                )
                return redirect("admin:reports_progressentry_change", entry.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Place line %(line)s of %(file)s")
            % {"line": anomaly.line, "file": anomaly.batch.filename},
            "opts": self.model._meta,
            "anomaly": anomaly,
            "form": form,
            "existing": existing if existing is not None and not existing.is_blank_draft else None,
        }
        return TemplateResponse(request, "admin/reports/place_anomaly.html", context)

    def _resolve(self, request, queryset, status):
        return services.resolve_anomalies(queryset, status=status, user=request.user)

    @admin.action(description=gettext_lazy("Dismiss the selected anomalies"))
    def dismiss(self, request, queryset):
        count = self._resolve(request, queryset, ImportAnomaly.Status.DISMISSED)
        self.message_user(
            request,
            ngettext("%d anomaly dismissed.", "%d anomalies dismissed.", count) % count,
            messages.SUCCESS,
        )

    @admin.action(
        description=gettext_lazy("Mark the selected anomalies as placed (entered by hand)")
    )
    def mark_placed(self, request, queryset):
        count = self._resolve(request, queryset, ImportAnomaly.Status.PLACED)
        self.message_user(
            request,
            ngettext("%d anomaly marked as placed.", "%d anomalies marked as placed.", count)
            % count,
            messages.SUCCESS,
        )


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    """The email notices sent (reports/notices.py): a record to read, never to write."""

    list_display = ["sent_at", "kind", "period", "person", "address", "subject", "sent_by"]
    list_filter = ["kind", "period"]
    search_fields = ["address", "subject", "person__title", "person__name"]
    list_select_related = ["period", "person", "sent_by"]
    date_hierarchy = "sent_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LevelOverride)
class LevelOverrideAdmin(ShownToResidents, HistoryAdmin):
    """An official sets a council-term goal's or an annual goal's level in a period in
    place of the derived one (reports/rollup.py), with the reason residents are shown.
    Saving or deleting raises the public revision, so the public pages show it at once
    (for a published period)."""

    list_display = ["goal", "period", "level", "short_reason", "set_by", "set_at"]
    list_filter = ["period", "goal__kind"]
    search_fields = ["goal__code", "goal__title", "reason"]
    list_select_related = ["goal", "period", "set_by"]
    autocomplete_fields = ["goal"]
    fields = ["goal", "period", "level", "reason", "derived_level", "set_by", "set_at"]
    readonly_fields = ["derived_level", "set_by", "set_at"]

    def save_model(self, request, obj, form, change):
        obj.set_by = request.user
        obj.set_at = timezone.now()
        super().save_model(request, obj, form, change)

    @admin.display(description=gettext_lazy("reason"))
    def short_reason(self, override):
        return Truncator(override.reason).chars(80)

    @admin.display(description=gettext_lazy("derived level (published)"))
    def derived_level(self, override):
        """The level residents would see without the override: derived from what is
        published under the goal in the period; none before the period is published."""
        if override.pk is None:
            return "–"
        rollup = published_rollups([override.period_id], goal=override.goal).get(
            (override.goal_id, override.period_id)
        )
        if rollup is None or rollup.derived_level is None:
            return "–"
        return f"{rollup.derived_level} ({derived_from(rollup.actions, rollup.annual_goals)})"


class SiteIdentityForm(forms.ModelForm):
    """The identity with its logo uploaded as a file (PNG or JPEG), kept in the database
    so that every web process serves the same one without shared disk."""

    logo_file = forms.FileField(
        label=gettext_lazy("logo"),
        required=False,
        help_text=gettext_lazy("A PNG or JPEG file of at most 200 KB, shown in the header."),
    )
    remove_logo = forms.BooleanField(label=gettext_lazy("remove the logo"), required=False)
    website = forms.URLField(
        label=SiteIdentity._meta.get_field("website").verbose_name,
        required=False,
        assume_scheme="https",
    )

    class Meta:
        model = SiteIdentity
        fields = [
            "name",
            "name_sv",
            "name_en",
            "colour",
            "logo_text",
            "email",
            "phone",
            "address",
            "website",
        ]

    def clean_logo_file(self):
        upload = self.cleaned_data.get("logo_file")
        if upload is None:
            return None
        if upload.size > SiteIdentity.MAX_LOGO_BYTES:
            raise forms.ValidationError(_("The logo is larger than 200 KB."))
        content = upload.read()
        if SiteIdentity.logo_type_of(content) is None:
            raise forms.ValidationError(_("The logo must be a PNG or JPEG image."))
        return content

    def save(self, commit=True):
        identity = super().save(commit=False)
        content = self.cleaned_data.get("logo_file")
        if content:
            identity.logo, identity.logo_type = content, SiteIdentity.logo_type_of(content)
        elif self.cleaned_data.get("remove_logo"):
            identity.logo, identity.logo_type = b"", ""
        if commit:
            identity.save()
        return identity


@admin.register(SiteIdentity)
class SiteIdentityAdmin(ShownToResidents, admin.ModelAdmin):
    """One record: the list leads straight to it, or to adding it with the defaults."""

    form = SiteIdentityForm
    readonly_fields = ["logo_preview"]
    fieldsets = [
        (None, {"fields": ["name", "name_sv", "name_en", "colour"]}),
        (
            gettext_lazy("Logo"),
            {"fields": ["logo_preview", "logo_file", "remove_logo", "logo_text"]},
        ),
        (gettext_lazy("Contact"), {"fields": ["email", "phone", "address", "website"]}),
    ]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not SiteIdentity.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        identity = SiteIdentity.objects.order_by("pk").first()
        if identity is not None:
            return redirect("admin:reports_siteidentity_change", identity.pk)
        return redirect("admin:reports_siteidentity_add")

    def get_changeform_initial_data(self, request):
        defaults = SiteIdentity.current()
        return {
            name: getattr(defaults, name)
            for name in ["name", "name_sv", "name_en", "colour", "email", "phone", "address"]
        } | {"website": defaults.website}

    @admin.display(description=gettext_lazy("current logo"))
    def logo_preview(self, identity):
        if not identity.logo_type:
            return "–"
        return format_html(
            '<img src="{}?v={}" alt="{}" height="48">',
            reverse("reports:logo"),
            int(identity.changed_at.timestamp()),
            identity.logo_text or identity.name,
        )


@admin.register(CouncilReportFile)
class CouncilReportFileAdmin(admin.ModelAdmin):
    """The council report PDFs laid out, to see what is ready (built by requests and by
    `manage.py build_council_reports`)."""

    list_display = ["period", "language", "revision", "built_at"]
    list_filter = ["language"]
    fields = ["period", "language", "revision", "built_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
