"""Who may do what to a progress entry: the one place that decides it.

Department staff answer for the entries whose responsible person is linked to their
login, and may edit and submit those only while the period is open for reporting, and
only until the strategy team has approved or published them: from then on an entry is
the team's to change, until it returns the entry to its author. Officials (the strategy
team) may do everything; administrators manage users.
"""

import rules

from reports.roles import ADMINISTRATORS_GROUP, OFFICIALS_GROUP, STAFF_GROUP

__all__ = ["ADMINISTRATORS_GROUP", "OFFICIALS_GROUP", "STAFF_GROUP"]

is_official = rules.is_superuser | rules.is_group_member(OFFICIALS_GROUP)


@rules.predicate
def answers_for(user, entry):
    return (
        entry is not None
        and entry.responsible_id is not None
        and entry.responsible.user_id is not None
        and entry.responsible.user_id == user.id
    )


@rules.predicate
def period_is_open(user, entry):
    return entry is not None and entry.period.is_open


REVIEWED = ("approved", "published")


@rules.predicate
def is_reviewed(user, entry):
    return entry is not None and entry.review_state in REVIEWED


can_edit_entry = is_official | (rules.is_authenticated & answers_for & period_is_open)

rules.add_perm("reports.edit_entry", can_edit_entry)
rules.add_perm("reports.submit_entry", can_edit_entry)
# A reporter's page holds their reviewed entries too, read-only: the page may be saved,
# but not a change to those.
rules.add_perm("reports.change_entry_content", can_edit_entry & (is_official | ~is_reviewed))
rules.add_perm("reports.review_entry", is_official)
rules.add_perm("reports.manage_period", is_official)
