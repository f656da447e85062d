"""What opening a period for reporting did, or will do, in the words an official reads.

Opening creates a draft entry for every annual goal and action of the period's year
(reports.services.open_period). When it creates none, the official needs to know why:
the year has no goals yet, or every goal had its entry already. A goal without a
responsible person gets a draft that nobody sees, so those are counted too.
"""

from django.contrib import messages
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from goals.models import Goal


def _year_goals(period):
    goals = Goal.objects.filter(strategy=period.strategy, year=period.year)
    return goals.count(), goals.filter(responsible__isnull=True).count()


def _no_goals(period):
    return _(
        "The council term %(term)s has no annual goals or actions for %(year)s. Copy the "
        "previous year's goals, or import them, under Goals."
    ) % {"term": period.strategy.term, "year": period.year}


def _unanswered(period, count):
    return ngettext(
        "%(count)d goal of %(year)s has no responsible person: nobody sees its draft "
        "until one is assigned under Goals.",
        "%(count)d goals of %(year)s have no responsible person: nobody sees their drafts "
        "until one is assigned under Goals.",
        count,
    ) % {"count": count, "year": period.year}


def after_opening(period, created):
    """(message level, text) pairs for a period just opened, `created` drafts made."""
    total, unanswered = _year_goals(period)
    if created:
        said = [
            (
                messages.SUCCESS,
                ngettext(
                    "%(period)s is open for reporting; %(count)s new draft entry.",
                    "%(period)s is open for reporting; %(count)s new draft entries.",
                    created,
                )
                % {"period": period.label, "count": created},
            )
        ]
    elif not total:
        said = [
            (
                messages.WARNING,
                _("%(period)s is open for reporting, but no draft entries were created.")
                % {"period": period.label}
                + " "
                + _no_goals(period),
            )
        ]
    else:
        said = [
            (
                messages.INFO,
                ngettext(
                    "%(period)s is open for reporting; no new draft entries, since the "
                    "only goal of %(year)s already had its entry.",
                    "%(period)s is open for reporting; no new draft entries, since all "
                    "%(count)d goals of %(year)s already had their entries.",
                    total,
                )
                % {"period": period.label, "count": total, "year": period.year},
            )
        ]
    if unanswered:
        said.append((messages.WARNING, _unanswered(period, unanswered)))
    return said


def before_opening(period):
    """(message level, text) pairs for a period just created, not yet open."""
    total, unanswered = _year_goals(period)
    if not total:
        return [
            (
                messages.WARNING,
                _("Opening %(period)s for reporting would create no draft entries.")
                % {"period": period.label}
                + " "
                + _no_goals(period),
            )
        ]
    said = [
        (
            messages.INFO,
            ngettext(
                "Opening %(period)s for reporting will create a draft entry for the "
                "%(count)d annual goal or action of %(year)s.",
                "Opening %(period)s for reporting will create draft entries for the "
                "%(count)d annual goals and actions of %(year)s.",
                total,
            )
            % {"period": period.label, "count": total, "year": period.year},
        )
    ]
    if unanswered:
        said.append((messages.WARNING, _unanswered(period, unanswered)))
    return said
