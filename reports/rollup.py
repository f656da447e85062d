"""How a council-term goal's and an annual goal's level in a period is derived from the
published levels under it.

The method. Levels 1–5 are an ordinal scale: 4 is further than 3, but not "one more"
than 3, so a mean of levels means nothing. A derived level is the MEDIAN of the levels
counted; of an even number of levels, the LOWER of the two middle ones (never their
mean, never a level that nobody reported, and never rounded up in the goal's favour).
Beside it stands the distribution: how many of the items counted are at each level
1–5, and how many were published without a level (these are left out of the median).

What counts, in one reporting period, is only what was published in it (PublishedEntry
in a published period):

- An annual goal's level is derived from its actions' levels. If none of its actions
  has a published level, the level published on the annual goal itself stands, "as
  reported".
- A council-term goal's level is derived from the levels of every action under it (the
  actions of its annual goals of the period's year), and, for each of its annual goals
  none of whose actions has a published level, from that annual goal's own published
  level. So each action counts once, and an annual goal counts only where no action
  speaks for it: an annual goal's own level is never counted again beside its actions'.
  "Derived from 12 actions and 1 annual goal" says exactly what was counted. If
  nothing under the goal has a level, the level published on the council-term goal
  itself stands, "as reported".
- An official may set a goal's level in a period, with a reason (LevelOverride). It is
  shown instead of the derived level, "set by the strategy team", with the reason; the
  derived level and its distribution stay beside it. An override is the goal's own: a
  council-term goal is derived from actions and annual goals' reported levels, never
  from an annual goal's override, so that "derived from N actions" stays true.
  Residents see overrides of published periods only.

The functions on plain values need no database; `published_rollups()` reads what a page
needs for any set of periods in two queries, however many goals and entries there are.
"""

from collections import defaultdict
from dataclasses import dataclass, replace

from django.db.models import Case, Count, F, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from goals.models import Goal
from reports.models import LevelOverride, ProgressEntry, PublishedEntry

LEVELS = tuple(ProgressEntry.Level.values)  # 1..5


class Source:
    """Where the level shown comes from."""

    DERIVED = "derived"  # the median of the levels under the goal
    REPORTED = "reported"  # nothing under it had a level: the goal's own, as reported
    SET = "set"  # an official's override, with a reason
    NONE = "none"  # no level at all


def lower_median(levels):
    """The median of the levels given (None, no level, left out); of an even number the
    lower of the two middle ones. None if no level is given."""
    known = sorted(level for level in levels if level is not None)
    if not known:
        return None
    return known[(len(known) - 1) // 2]


def distribution(levels):
    """(count at each level 1–5, count without a level)."""
    levels = list(levels)
    return (
        tuple(sum(1 for level in levels if level == each) for each in LEVELS),
        sum(1 for level in levels if level is None),
    )


@dataclass(frozen=True)
class Rollup:
    """A goal's level in one period, where it comes from, and what it was derived from."""

    level: int | None
    source: str
    counts: tuple = (0,) * len(LEVELS)  # of the items counted, how many at each level 1–5
    without_level: int = 0  # items published without a level, left out of the median
    actions: int = 0  # actions counted (with a level)
    annual_goals: int = 0  # annual goals counted by their own level
    derived_level: int | None = None  # the median, also when an override is shown
    reason: str = ""  # the override's

    @property
    def counted(self):
        return sum(self.counts)

    @property
    def is_set(self):
        return self.source == Source.SET

    def get_level_display(self):
        """The level in numbers and words, as ProgressEntry shows it."""
        return ProgressEntry.Level(self.level).label if self.level else ""

    @property
    def distribution(self):
        """(level, count) for each level 1–5."""
        return list(zip(LEVELS, self.counts, strict=True))

    @property
    def explanation(self):
        """Where the level comes from, in words: "derived from 4 actions"."""
        if self.source == Source.SET:
            return _("set by the strategy team")
        if self.source == Source.REPORTED:
            return _("as reported")
        if self.source == Source.NONE:
            return _("no level")
        return derived_from(self.actions, self.annual_goals)


def derived_from(actions, annual_goals):
    """ "derived from 4 actions and 1 annual goal", with the numbers counted."""
    action_words = ngettext("%(count)d action", "%(count)d actions", actions) % {"count": actions}
    annual_words = ngettext("%(count)d annual goal", "%(count)d annual goals", annual_goals) % {
        "count": annual_goals
    }
    if actions and annual_goals:
        return _("derived from %(actions)s and %(annual_goals)s") % {
            "actions": action_words,
            "annual_goals": annual_words,
        }
    return _("derived from %(items)s") % {"items": annual_words if annual_goals else action_words}


def roll_up_annual_goal(action_levels, own_level=None):
    """An annual goal's level: the lower median of its actions' levels; if none of them
    has a level, its own level as reported. `action_levels` may hold None (an action
    published without a level)."""
    action_levels = list(action_levels)
    counts, without = distribution(action_levels)
    median = lower_median(action_levels)
    if median is not None:
        return Rollup(
            level=median,
            source=Source.DERIVED,
            counts=counts,
            without_level=without,
            actions=sum(counts),
            derived_level=median,
        )
    if own_level is not None:
        counts, _none = distribution([own_level])
        return Rollup(level=own_level, source=Source.REPORTED, counts=counts, without_level=without)
    return Rollup(level=None, source=Source.NONE, without_level=without)


def roll_up_term_goal(annual_goals, own_level=None):
    """A council-term goal's level: the lower median over its actions' levels and the own
    levels of its annual goals that no action with a level speaks for.

    `annual_goals`: for each annual goal, (its own level, its actions' levels); a level
    may be None. If nothing under the goal has a level, its own level as reported.
    """
    counted, without, actions, annual = [], 0, 0, 0
    for annual_level, action_levels in annual_goals:
        action_levels = list(action_levels)
        known = [level for level in action_levels if level is not None]
        without += len(action_levels) - len(known)
        if known:
            counted += known
            actions += len(known)
        elif annual_level is not None:
            counted.append(annual_level)
            annual += 1
    median = lower_median(counted)
    if median is not None:
        counts, _none = distribution(counted)
        return Rollup(
            level=median,
            source=Source.DERIVED,
            counts=counts,
            without_level=without,
            actions=actions,
            annual_goals=annual,
            derived_level=median,
        )
    if own_level is not None:
        counts, _none = distribution([own_level])
        return Rollup(level=own_level, source=Source.REPORTED, counts=counts, without_level=without)
    return Rollup(level=None, source=Source.NONE, without_level=without)


def overridden(rollup, *, level, reason):
    """The rollup with an official's level shown in place of the derived one."""
    rollup = rollup or Rollup(level=None, source=Source.NONE)
    return replace(rollup, level=level, source=Source.SET, reason=reason)


def published_rollups(periods, *, goal=None):
    """Every council-term goal's and annual goal's Rollup in the periods, as residents
    may see them: {(goal id, period id): Rollup}. With `goal`, only it and the goals
    under it. Two queries: the published levels counted by the database, and the
    overrides of published periods."""
    period_ids = [getattr(period, "pk", period) for period in periods]
    entries = PublishedEntry.objects.published().filter(period__in=period_ids)
    overrides = LevelOverride.objects.published().filter(period__in=period_ids)
    if goal is not None:
        entries = entries.within(goal)
        overrides = overrides.filter(goal__in=Goal.objects.self_and_under(goal).values("pk"))
    rows = (
        entries.annotate(
            annual_goal_id=Case(
                When(goal__kind=Goal.Kind.ACTION, then=F("goal__parent_id")),
                When(goal__kind=Goal.Kind.ANNUAL_GOAL, then=F("goal_id")),
                default=None,
            ),
            term_goal_id=Coalesce("goal__parent__parent_id", "goal__parent_id", "goal_id"),
        )
        .values_list("period_id", "term_goal_id", "annual_goal_id", "goal__kind", "level")
        .annotate(count=Count("pk"))
        .order_by()
    )
    action_levels = defaultdict(list)  # (annual goal, period) -> levels
    annual_levels = {}  # (annual goal, period) -> its own level
    term_levels = {}  # (council-term goal, period) -> its own level
    annual_goals_of = defaultdict(set)  # (council-term goal, period) -> annual goals
    for period_id, term_id, annual_id, kind, level, count in rows:
        if kind == Goal.Kind.GOAL:
            term_levels[(term_id, period_id)] = level
            continue
        if annual_id is None:
            continue  # an action outside the tree: it belongs to no annual goal
        annual_goals_of[(term_id, period_id)].add(annual_id)
        if kind == Goal.Kind.ACTION:
            action_levels[(annual_id, period_id)] += [level] * count
        else:
            annual_levels[(annual_id, period_id)] = level

    rollups = {}
    for key in set(action_levels) | set(annual_levels):
        rollups[key] = roll_up_annual_goal(action_levels.get(key, []), annual_levels.get(key))
    for key in set(annual_goals_of) | set(term_levels):
        term_id, period_id = key
        rollups[key] = roll_up_term_goal(
            [
                (
                    annual_levels.get((annual_id, period_id)),
                    action_levels.get((annual_id, period_id), []),
                )
                for annual_id in annual_goals_of.get(key, ())
            ],
            term_levels.get(key),
        )
    for goal_id, period_id, level, reason in overrides.values_list(
        "goal_id", "period_id", "level", "reason"
    ):
        key = (goal_id, period_id)
        rollups[key] = overridden(rollups.get(key), level=level, reason=reason)
    return rollups
