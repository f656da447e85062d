from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportMixin
from import_export.formats.base_formats import XLSX
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import DeletedObject
from simple_history.template_utils import HistoricalRecordContextHelper

from reports.models import PublicRevision
from reports.templatetags.languages import in_data_language

from . import services
from .forms import (
    AssignResponsibleForm,
    CopyRowForms,
    CopyYearForm,
    GoalConfirmImportForm,
    GoalImportForm,
)
from .models import Department, Goal, PersonAlias, ResponsiblePerson, Strategy
from .resources import ExcelCSV, GoalResource, as_utf8


class ShownToResidents:
    """For models whose texts public pages show (goal and person titles, terms, periods):
    an official's change raises the public revision, so no cached page keeps the old."""

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        PublicRevision.bump()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        PublicRevision.bump()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        PublicRevision.bump()


class ChoiceLabels(HistoricalRecordContextHelper):
    """A change in the history as the official reads it: a choice's label in their
    language ("keltainen", "luonnos"), not the value stored ("yellow", "draft"), and a
    dash for nothing."""

    def prepare_delta_change_value(self, change, value):
        field = self.model._meta.get_field(change.field)
        # An empty foreign key comes as a "deleted" object without a key.
        if value is None or value == "" or (isinstance(value, DeletedObject) and value.pk is None):
            return "–"
        if field.choices:
            return dict(field.flatchoices).get(value, value)
        return super().prepare_delta_change_value(change, value)


class HistoryAdmin(SimpleHistoryAdmin):
    """The admin's History page, with choices shown by their labels."""

    def get_historical_record_context_helper(self, request, historical_record):
        return ChoiceLabels(self.model, historical_record)


@admin.register(Strategy)
class StrategyAdmin(ShownToResidents, admin.ModelAdmin):
    list_display = ["term", "name"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    search_fields = ["name"]


class PersonAliasInline(admin.TabularInline):
    model = PersonAlias
    extra = 1


@admin.register(ResponsiblePerson)
class ResponsiblePersonAdmin(ShownToResidents, HistoryAdmin):
    list_display = ["title", "name", "email", "department", "user", "alias_list"]
    list_filter = ["department"]
    search_fields = ["title", "name", "email", "aliases__alias"]
    autocomplete_fields = ["user", "department"]
    inlines = [PersonAliasInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("department", "user")
            .prefetch_related("aliases")
        )

    @admin.display(description=_("aliases"))
    def alias_list(self, person):
        return ", ".join(alias.alias for alias in person.aliases.all())


class TermFilter(admin.SimpleListFilter):
    title = _("council term")
    parameter_name = "term"

    def lookups(self, request, model_admin):
        return [(strategy.pk, strategy.term) for strategy in Strategy.objects.all()]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(strategy_id=self.value())
        return queryset


@admin.register(Goal)
class GoalAdmin(ImportMixin, ShownToResidents, HistoryAdmin):
    list_display = ["code", "short_title", "kind", "year", "strategy", "responsible"]
    list_filter = [TermFilter, "kind", "year", "responsible"]
    search_fields = ["code", "title"]
    list_select_related = ["strategy", "responsible"]
    raw_id_fields = ["parent"]
    autocomplete_fields = ["responsible"]
    actions = ["assign_responsible"]
    change_list_template = "admin/goals/goal/change_list.html"
    # Importing a list of goals (django-import-export), with its preview.
    resource_classes = [GoalResource]
    import_formats = [XLSX, ExcelCSV]
    import_form_class = GoalImportForm
    confirm_form_class = GoalConfirmImportForm
    import_template_name = "admin/goals/goal/import.html"

    @admin.display(description=pgettext_lazy("goal", "title"), ordering="title")
    def short_title(self, goal):
        # The municipality's Finnish, marked so on a Swedish or English admin page.
        return in_data_language(goal.title if len(goal.title) <= 90 else goal.title[:89] + "…")

    def get_urls(self):
        return [
            path(
                "copy-year/",
                self.admin_site.admin_view(self.copy_year_view),
                name="goals_goal_copy_year",
            ),
            *super().get_urls(),
        ]

    def copy_year_view(self, request):
        """Choose a strategy and a year, see what the next year would get, untick or
        retitle rows, and confirm: the copy runs in one transaction."""
        if not request.user.has_perm("goals.add_goal"):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Copy a year's goals into the next year"),
            "opts": self.model._meta,
        }
        latest = Goal.objects.filter(year__isnull=False).order_by("-year").first()
        choice = CopyYearForm(
            request.GET or None,
            initial={"strategy": latest.strategy_id, "year": latest.year} if latest else {},
        )
        context["choice"] = choice
        if not choice.is_valid():
            return TemplateResponse(request, "admin/goals/goal/copy_year.html", context)
        strategy, year = choice.cleaned_data["strategy"], choice.cleaned_data["year"]
        goals = list(services.yearly_goals(strategy, year))
        existing = set(
            Goal.objects.filter(strategy=strategy, year=year + 1).values_list("code", flat=True)
        )
        rows = CopyRowForms(
            request.POST if request.method == "POST" else None,
            goals=goals,
            target=year + 1,
            existing=existing,
        )
        if request.method == "POST" and rows.is_valid():
            by_pk = {goal.pk: goal for goal in goals}
            titles = {
                row["source"]: row["title"]
                for row in rows.cleaned_data
                if row.get("copy") and row.get("source") in by_pk
            }
            try:
                result = services.copy_year(
                    strategy=strategy, year=year, titles=titles, user=request.user
                )
            except services.MissingParent as missing:
                context["refused"] = gettext(
                    "Nothing was copied: %(codes)s would have no annual goal in %(year)s. "
                    "Tick their annual goals too."
                ) % {"codes": ", ".join(missing.codes), "year": year + 1}
            else:
                # Goals the next year had before the preview are skipped as well.
                result.skipped = sorted(
                    set(result.skipped) | {goal.code for goal in goals if goal.code in existing}
                )
                self._report_copy(request, result, year + 1)
                url = reverse("admin:goals_goal_changelist")
                return redirect(f"{url}?term={strategy.pk}&year={year + 1}")
        context.update(
            strategy=strategy,
            year=year,
            target=year + 1,
            rows=rows,
            existing_count=sum(goal.code in existing for goal in goals),
        )
        return TemplateResponse(request, "admin/goals/goal/copy_year.html", context)

    def _report_copy(self, request, result, target):
        count = len(result.created)
        self.message_user(
            request,
            ngettext(
                "%(count)d goal copied into %(year)s.",
                "%(count)d goals copied into %(year)s.",
                count,
            )
            % {"count": count, "year": target},
            messages.SUCCESS if count else messages.WARNING,
        )
        if result.skipped:
            skipped = len(result.skipped)
            self.message_user(
                request,
                ngettext(
                    "%(count)d goal skipped because %(year)s already has it: %(codes)s.",
                    "%(count)d goals skipped because %(year)s already has them: %(codes)s.",
                    skipped,
                )
                % {"count": skipped, "year": target, "codes": ", ".join(result.skipped)},
                messages.WARNING,
            )

    @admin.action(
        description=_("Assign a responsible person to the selected goals"),
        permissions=["change"],
    )
    def assign_responsible(self, request, queryset):
        """An intermediate page: choose the person, then every selected goal is theirs."""
        form = AssignResponsibleForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            person = form.cleaned_data["person"]
            changed = services.assign_responsible(list(queryset), person=person, user=request.user)
            self.message_user(
                request,
                ngettext(
                    "%(person)s is now responsible for %(count)d more goal.",
                    "%(person)s is now responsible for %(count)d more goals.",
                    changed,
                )
                % {"person": person, "count": changed},
                messages.SUCCESS,
            )
            return None
        goals = list(queryset.select_related("responsible").order_by("year", "code"))
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Assign a responsible person"),
            "opts": self.model._meta,
            "form": form,
            "goals": goals,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/goals/goal/assign_responsible.html", context)

    # Importing: only for those who may add and change goals, into the strategy chosen.
    def has_import_permission(self, request):
        return request.user.has_perms(["goals.add_goal", "goals.change_goal"])

    def write_to_tmp_storage(self, import_file, input_format):
        if not input_format.is_binary():
            import_file = ContentFile(as_utf8(import_file.read()))
        return super().write_to_tmp_storage(import_file, input_format)

    def get_import_resource_kwargs(self, request, **kwargs):
        form = kwargs.get("form")
        return {"strategy": getattr(form, "cleaned_data", {}).get("strategy")}

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            initial["strategy"] = import_form.cleaned_data["strategy"].pk
        return initial

    def get_import_data_kwargs(self, **kwargs):
        # A row refused at confirmation (someone changed goals since the preview) makes
        # the whole import write nothing, as in the preview.
        return {**super().get_import_data_kwargs(**kwargs), "rollback_on_validation_errors": True}

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            self.message_user(
                request,
                gettext(
                    "Nothing was imported: the goals changed after the preview. "
                    "Upload the file again to see why."
                ),
                messages.ERROR,
            )
            return redirect("admin:goals_goal_import")
        PublicRevision.bump()
        return super().process_result(result, request)

    def add_success_message(self, result, request):
        created, updated = result.totals["new"], result.totals["update"]
        self.message_user(
            request,
            ngettext("%(count)d goal imported as new.", "%(count)d goals imported as new.", created)
            % {"count": created},
            messages.SUCCESS,
        )
        if updated:
            self.message_user(
                request,
                ngettext("%(count)d goal updated.", "%(count)d goals updated.", updated)
                % {"count": updated},
                messages.SUCCESS,
            )
