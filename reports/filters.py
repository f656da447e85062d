import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from goals.models import Goal, ResponsiblePerson
from reports.models import ProgressEntry

NO_LEVEL = "none"


class PublicEntryFilter(django_filters.FilterSet):
    """The period page's filters; every value lives in the URL so a view can be shared."""

    q = django_filters.CharFilter(label=_("Search"), method="search")
    goal = django_filters.ChoiceFilter(
        label=_("Council-term goal"), method="within_goal", empty_label=_("All goals")
    )
    level = django_filters.ChoiceFilter(
        label=_("Progress level"), method="at_level", empty_label=_("All levels")
    )
    responsible = django_filters.ModelChoiceFilter(
        label=_("Responsible person"),
        field_name="published_responsible",
        queryset=ResponsiblePerson.objects.none(),
        empty_label=_("Everyone"),
    )
    overall_status = django_filters.ChoiceFilter(
        label=_("Overall status"),
        field_name="published_overall_status",
        choices=ProgressEntry.OverallStatus.choices,
        empty_label=_("Any status"),
    )

    class Meta:
        model = ProgressEntry
        fields = ["q", "goal", "level", "responsible", "overall_status"]

    def __init__(self, *args, period, **kwargs):
        super().__init__(*args, **kwargs)
        codes = set(
            ProgressEntry.objects.published()
            .filter(period=period)
            .values_list("goal__code", flat=True)
        )
        goals = Goal.objects.filter(strategy_id=period.strategy_id, kind=Goal.Kind.GOAL)
        self.filters["goal"].extra["choices"] = [
            (goal.code, str(goal))
            for goal in goals
            if any(code.startswith(goal.code) for code in codes)
        ]
        self.filters["level"].extra["choices"] = [
            *ProgressEntry.Level.choices,
            (NO_LEVEL, _("No level given")),
        ]
        self.filters["responsible"].queryset = ResponsiblePerson.objects.filter(
            pk__in=ProgressEntry.objects.published()
            .filter(period=period)
            .values("published_responsible")
        )

    def search(self, queryset, name, value):
        words = value.split()
        for word in words:
            queryset = queryset.filter(
                Q(goal__code__startswith=word)
                | Q(goal__title__icontains=word)
                | Q(published_status_text__icontains=word)
                | Q(published_risks__icontains=word)
            )
        return queryset

    def within_goal(self, queryset, name, value):
        return queryset.filter(goal__code__startswith=value)

    def at_level(self, queryset, name, value):
        if value == NO_LEVEL:
            return queryset.filter(published_level__isnull=True)
        return queryset.filter(published_level=value)
