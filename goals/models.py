import re
import unicodedata

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords


class Strategy(models.Model):
    """A council term's strategy, e.g. 2021–2025."""

    start_year = models.PositiveSmallIntegerField(_("first year"))
    end_year = models.PositiveSmallIntegerField(_("last year"))
    name = models.CharField(_("name"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("strategy")
        verbose_name_plural = _("strategies")
        ordering = ["-start_year"]
        constraints = [
            models.UniqueConstraint(fields=["start_year", "end_year"], name="unique_term"),
            models.CheckConstraint(
                condition=models.Q(end_year__gte=models.F("start_year")), name="term_order"
            ),
        ]

    def __str__(self):
        return self.name or self.term

    @property
    def term(self):
        return f"{self.start_year}–{self.end_year}"


class Department(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["name"]

    def __str__(self):
        return self.name


def normalize_title(title):
    """The form in which person titles and aliases are compared: case and spacing ignored."""
    title = unicodedata.normalize("NFC", title or "")
    return re.sub(r"\s+", " ", title).strip().casefold()


class ResponsiblePersonQuerySet(models.QuerySet):
    def by_title(self):
        """Every title and alias, normalized, mapped to its person."""
        mapping = {}
        for person in self.prefetch_related("aliases"):
            mapping[normalize_title(person.title)] = person
            for alias in person.aliases.all():
                mapping[normalize_title(alias.alias)] = person
        return mapping


class ResponsiblePerson(models.Model):
    """A role that answers for goals, such as Talousjohtaja; optionally a named person."""

    title = models.CharField(pgettext_lazy("job title", "title"), max_length=200)
    name = models.CharField(_("name"), max_length=200, blank=True)
    email = models.EmailField(_("email"), blank=True)
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="persons",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="responsible_persons",
    )

    history = HistoricalRecords()
    objects = ResponsiblePersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("responsible person")
        verbose_name_plural = _("responsible persons")
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(Lower("title"), name="unique_person_title_ci"),
        ]

    def __str__(self):
        return f"{self.title} ({self.name})" if self.name else self.title


class PersonAlias(models.Model):
    """Another spelling of a person's title, as legacy files write it."""

    person = models.ForeignKey(
        ResponsiblePerson,
        verbose_name=_("responsible person"),
        on_delete=models.CASCADE,
        related_name="aliases",
    )
    alias = models.CharField(_("alias"), max_length=200)

    class Meta:
        verbose_name = _("alias")
        verbose_name_plural = _("aliases")
        ordering = ["alias"]
        constraints = [models.UniqueConstraint(Lower("alias"), name="unique_alias_ci")]

    def __str__(self):
        return self.alias


class GoalQuerySet(models.QuerySet):
    def under(self, goal):
        """The annual goals and actions under a goal (the tree is three levels deep)."""
        return self.filter(models.Q(parent=goal) | models.Q(parent__parent=goal))

    def self_and_under(self, goal):
        """The goal and everything under it; as a subquery, it lets a query of entries
        use the index on their goal instead of joining the tree for every entry."""
        return self.filter(
            models.Q(pk=goal.pk) | models.Q(parent=goal) | models.Q(parent__parent=goal)
        )


class Goal(models.Model):
    """A council-term goal (`01.`), an annual goal (`01.05`) or an action (`01.05.02`).

    Council-term goals belong to a term; annual goals and actions to a term and
    a year, since the same code names different things in different years.
    """

    class Kind(models.TextChoices):
        GOAL = "goal", _("council-term goal")
        ANNUAL_GOAL = "annual_goal", _("annual goal")
        ACTION = "action", _("action")

    strategy = models.ForeignKey(
        Strategy, verbose_name=_("strategy"), on_delete=models.CASCADE, related_name="goals"
    )
    year = models.PositiveSmallIntegerField(
        _("year"), null=True, blank=True, help_text=_("Empty for council-term goals.")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    code = models.CharField(_("code"), max_length=20)
    title = models.TextField(pgettext_lazy("goal", "title"), blank=True)
    # The title in the site's other languages, where the strategy team has written one;
    # pages in Swedish or English show it instead of the title (goals/templatetags).
    title_sv = models.TextField(_("title in Swedish"), blank=True)
    title_en = models.TextField(_("title in English"), blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
    )
    responsible = models.ForeignKey(
        ResponsiblePerson,
        verbose_name=_("responsible person"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="goals",
    )

    history = HistoricalRecords()
    objects = GoalQuerySet.as_manager()

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["strategy", "year", "code"]
        constraints = [
            # A council-term goal's code is unique in its term ...
            models.UniqueConstraint(
                fields=["strategy", "code"],
                condition=models.Q(year__isnull=True),
                name="unique_term_goal_code",
            ),
            # ... annual goals' and actions' codes in their term and year.
            models.UniqueConstraint(
                fields=["strategy", "year", "code"],
                condition=models.Q(year__isnull=False),
                name="unique_yearly_goal_code",
            ),
            models.CheckConstraint(
                condition=(models.Q(kind="goal", year__isnull=True))
                | (~models.Q(kind="goal") & models.Q(year__isnull=False)),
                name="year_matches_kind",
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.title}".strip()

    def title_in(self, language):
        """The title written in `language`, if any; else the title as the municipality
        wrote it (in settings.CONTENT_LANGUAGE). Returns (title, its language)."""
        translated = getattr(self, f"title_{language}", "") if language in ("sv", "en") else ""
        if translated:
            return translated, language
        return self.title, settings.CONTENT_LANGUAGE

    @property
    def term_goal(self):
        """The council-term goal this goal belongs to (itself, for a council-term goal).

        Walks the parents: select_related("parent__parent") spares the queries.
        """
        goal = self
        while goal.parent_id is not None:
            goal = goal.parent
        return goal
