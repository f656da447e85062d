import django_filters
from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from goals.models import Goal, ResponsiblePerson
from reports.models import ProgressEntry, PublishedEntry

NO_LEVEL = "none"
# A Finnish word's ending -> the stem its inflected forms share, where that is not the
# word itself: kampus -> kampuksen, yritys -> yrityksen, tavoite -> tavoitteen,
# digitaalinen -> digitaalisen.
FINNISH_STEM_ENDINGS = (("nen", "s"), ("us", "uks"), ("ys", "yks"), ("e", ""))
# Shorter words are left alone: their stems would match too much.
SHORTEST_STEMMED = 5


def finnish_stems(word):
    """The stems of a Finnish search word's inflected forms that do not contain the word,
    when the municipality writes in Finnish (settings.CONTENT_LANGUAGE); else none."""
    if settings.CONTENT_LANGUAGE != "fi" or len(word) < SHORTEST_STEMMED:
        return []
    lower = word.casefold()
    for ending, stem in FINNISH_STEM_ENDINGS:
        if lower.endswith(ending):
            return [word[: len(word) - len(ending)] + stem]
    return []


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
        field_name="responsible",
        queryset=ResponsiblePerson.objects.none(),
        empty_label=_("Everyone"),
    )
    overall_status = django_filters.ChoiceFilter(
        label=_("Overall status"),
        field_name="overall_status",
        choices=ProgressEntry.OverallStatus.choices,
        empty_label=_("Any status"),
    )

    class Meta:
        model = PublishedEntry
        fields = ["q", "goal", "level", "responsible", "overall_status"]

    def __init__(self, *args, period, hidden=(), **kwargs):
        """`hidden`: the filters not to show, those of a value that no published entry of
        the period has (a filter with nothing to choose only takes room). They still
        filter: a shared link that asks for one finds what it asks for, and shows it."""
        super().__init__(*args, **kwargs)
        self.hidden = set(hidden)
        published = PublishedEntry.objects.published().filter(period=period)
        goal_ids = published.values("goal")
        goals = Goal.objects.filter(kind=Goal.Kind.GOAL).filter(
            Q(pk__in=goal_ids) | Q(children__in=goal_ids) | Q(children__children__in=goal_ids)
        )
        # By code, so that a shared link reads ?goal=01.
        self.goals = {goal.code: goal for goal in goals.distinct().order_by("code")}
        self.filters["goal"].extra["choices"] = [
            (code, str(goal)) for code, goal in self.goals.items()
        ]
        if not self.goals:
            self.hidden.add("goal")
        self.filters["level"].extra["choices"] = [
            *ProgressEntry.Level.choices,
            (NO_LEVEL, _("No level given")),
        ]
        self.filters["responsible"].queryset = ResponsiblePerson.objects.filter(
            pk__in=published.values("responsible")
        )

    @property
    def shown_fields(self):
        """The form's fields to show: all but the hidden ones that this request does not
        filter by."""
        return [
            field
            for field in self.form
            if field.name not in self.hidden or self.data.get(field.name)
        ]

    def search(self, queryset, name, value):
        """Entries that hold every word, each in its code, title, status text or risks.
        A word is found inside longer ones ("palvelu" in "palvelujen"), and, in Finnish
        texts, in the inflected forms whose stem differs from it (`finnish_stems`)."""
        for word in value.split():
            found = Q(goal__code__startswith=word)
            for form in {word, *finnish_stems(word)}:
                found |= (
                    Q(goal__title__icontains=form)
                    | Q(status_text__icontains=form)
                    | Q(risks__icontains=form)
                )
            queryset = queryset.filter(found)
        return queryset

    def within_goal(self, queryset, name, value):
        return queryset.within(self.goals[value])

    def at_level(self, queryset, name, value):
        if value == NO_LEVEL:
            return queryset.filter(level__isnull=True)
        return queryset.filter(level=value)
