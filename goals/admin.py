from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from reports.models import PublicRevision

from .models import Department, Goal, PersonAlias, ResponsiblePerson, Strategy


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
class ResponsiblePersonAdmin(ShownToResidents, SimpleHistoryAdmin):
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
class GoalAdmin(ShownToResidents, SimpleHistoryAdmin):
    list_display = ["code", "short_title", "kind", "year", "strategy", "responsible"]
    list_filter = [TermFilter, "kind", "year", "responsible"]
    search_fields = ["code", "title"]
    list_select_related = ["strategy", "responsible"]
    raw_id_fields = ["parent"]
    autocomplete_fields = ["responsible"]

    @admin.display(description=pgettext_lazy("goal", "title"), ordering="title")
    def short_title(self, goal):
        return goal.title if len(goal.title) <= 90 else goal.title[:89] + "…"
