from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from .models import Department, Goal, PersonAlias, ResponsiblePerson, Strategy


@admin.register(Strategy)
class StrategyAdmin(admin.ModelAdmin):
    list_display = ["term", "name"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    search_fields = ["name"]


class PersonAliasInline(admin.TabularInline):
    model = PersonAlias
    extra = 1


@admin.register(ResponsiblePerson)
class ResponsiblePersonAdmin(SimpleHistoryAdmin):
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
class GoalAdmin(SimpleHistoryAdmin):
    list_display = ["code", "short_title", "kind", "year", "strategy", "responsible"]
    list_filter = [TermFilter, "kind", "year", "responsible"]
    search_fields = ["code", "title"]
    list_select_related = ["strategy", "responsible"]
    raw_id_fields = ["parent"]
    autocomplete_fields = ["responsible"]

    @admin.display(description=pgettext_lazy("goal", "title"), ordering="title")
    def short_title(self, goal):
        return goal.title if len(goal.title) <= 90 else goal.title[:89] + "…"
