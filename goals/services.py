"""Writes of goals that touch many rows at once: copying a year's goals into the next year,
and giving many goals one responsible person.

Each runs in one transaction and records who did it in every goal's history
(django-simple-history), with a reason where the change is not an ordinary edit.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from goals.models import Goal, Strategy
from reports.models import PublicRevision


class MissingParent(Exception):
    """An action was to be copied without its annual goal, which the next year lacks."""

    def __init__(self, codes):
        self.codes = codes
        super().__init__(", ".join(codes))


@dataclass
class CopyResult:
    created: list = field(default_factory=list)  # the new goals of the next year
    skipped: list = field(default_factory=list)  # codes the next year already had


def yearly_goals(strategy, year):
    """The annual goals and actions of a strategy's year, parents before their children."""
    return (
        Goal.objects.filter(strategy=strategy, year=year)
        .exclude(kind=Goal.Kind.GOAL)
        .select_related("parent", "responsible__department")
        .order_by("code")
    )


@transaction.atomic
def copy_year(*, strategy, year, titles, user):
    """Copy the chosen annual goals and actions of `year` into `year + 1`.

    `titles` maps the id of each goal of `year` to copy to its title in the new year.
    A copy keeps the code and the responsible person; an annual goal stays under its
    council-term goal, an action goes under the new year's annual goal of its code. A
    code that the next year already has is skipped, and named in the result. Raises
    MissingParent, with nothing written, if an action's annual goal would be missing.
    """
    # Two officials copying the same year at once: the second waits, then skips.
    Strategy.objects.select_for_update().get(pk=strategy.pk)
    target = year + 1
    existing = {goal.code: goal for goal in Goal.objects.filter(strategy=strategy, year=target)}
    result = CopyResult()
    missing = []
    reason = _("Copied from %(year)s") % {"year": year}
    for source in yearly_goals(strategy, year).filter(pk__in=titles):
        if source.code in existing:
            result.skipped.append(source.code)
            continue
        parent = source.parent
        if source.kind == Goal.Kind.ACTION:
            parent = existing.get(source.parent.code) if source.parent else None
            if parent is None:
                missing.append(source.code)
                continue
        title = titles[source.pk].strip()
        # The Swedish and English titles go along while they still say the same thing.
        same = title == source.title
        goal = Goal(
            strategy=strategy,
            year=target,
            kind=source.kind,
            code=source.code,
            title=title,
            title_sv=source.title_sv if same else "",
            title_en=source.title_en if same else "",
            parent=parent,
            responsible_id=source.responsible_id,
        )
        goal._history_user = user
        goal._change_reason = reason
        goal.save()
        existing[goal.code] = goal
        result.created.append(goal)
    if missing:
        raise MissingParent(missing)
    if result.created:
        PublicRevision.bump()
    return result


@transaction.atomic
def assign_responsible(goals, *, person, user):
    """Make `person` responsible for every goal given. Entries already created keep the
    person they had. Returns the number of goals changed."""
    changed = 0
    for goal in Goal.objects.select_for_update().filter(pk__in=[goal.pk for goal in goals]):
        if goal.responsible_id == person.pk:
            continue
        goal.responsible = person
        goal._history_user = user
        goal.save(update_fields=["responsible"])
        changed += 1
    if changed:
        PublicRevision.bump()
    return changed
