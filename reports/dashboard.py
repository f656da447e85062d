"""Who has reported: a period's entries counted per responsible person and department."""

from collections import defaultdict

from django.db.models import Q
from django.urls import reverse
from django.utils.http import urlencode

from reports.models import ProgressEntry

ReviewState = ProgressEntry.ReviewState
STATES = ("missing", "draft", "submitted", "published")

_BLANK_DRAFT = Q(review_state=ReviewState.DRAFT, level__isnull=True, status_text="", risks="")
# The same states as state_of() below, as the database filters them: the change list's
# "reported" filter and the dashboard's links to it count the same entries.
STATE_QUERIES = {
    "missing": _BLANK_DRAFT,
    "draft": Q(review_state__in=[ReviewState.DRAFT, ReviewState.RETURNED]) & ~_BLANK_DRAFT,
    "submitted": Q(review_state__in=[ReviewState.SUBMITTED, ReviewState.APPROVED]),
    "published": Q(review_state=ReviewState.PUBLISHED),
}


def state_of(entry):
    """missing: nothing entered yet; draft: entered or returned, not submitted;
    submitted: waiting for or passed review; published."""
    if entry.review_state == ReviewState.PUBLISHED:
        return "published"
    if entry.review_state in (ReviewState.SUBMITTED, ReviewState.APPROVED):
        return "submitted"
    if entry.is_blank_draft:
        return "missing"
    return "draft"


def period_dashboard(period):
    """Counts per person and department, entries whose level fell, and overdue reporters."""
    entries = list(period.entries.select_related("goal", "responsible__department"))
    per_person = defaultdict(lambda: dict.fromkeys(STATES, 0))
    per_department = defaultdict(lambda: dict.fromkeys(STATES, 0))
    for entry in entries:
        state = state_of(entry)
        per_person[entry.responsible][state] += 1
        department = entry.responsible.department if entry.responsible else None
        per_department[department][state] += 1

    previous = ProgressEntry.objects.filter(level__isnull=False).latest_before(
        period, [entry.goal_id for entry in entries]
    )
    fell = [
        (entry, previous[entry.goal_id])
        for entry in sorted(entries, key=lambda entry: entry.goal.code)
        if entry.level is not None
        and entry.goal_id in previous
        and entry.level < previous[entry.goal_id].level
    ]

    late = period.is_late
    overdue = (
        [person for person, counts in per_person.items() if counts["missing"] or counts["draft"]]
        if late
        else []
    )

    def rows(counts_by_key, filter_of):
        return sorted(
            (
                {
                    "key": key,
                    **counts,
                    "total": sum(counts.values()),
                    "cells": _cells(period, counts, filter_of(key)),
                }
                for key, counts in counts_by_key.items()
            ),
            key=lambda row: (row["key"] is None, str(row["key"] or "")),
        )

    def person_filter(person):
        if person is None:
            return {"responsible__isnull": "True"}
        return {"responsible__id__exact": person.pk}

    def department_filter(department):
        if department is None:
            return {"responsible__department__isnull": "True"}
        return {"responsible__department__id__exact": department.pk}

    return {
        "people": rows(per_person, person_filter),
        "departments": rows(per_department, department_filter),
        "fell": fell,
        "overdue": sorted(overdue, key=lambda person: str(person or "")),
        "late": late,
    }


def _cells(period, counts, filters):
    """A row's counts in STATES order and its total, each (count, URL of the change list
    of exactly those entries)."""
    changelist = reverse("admin:reports_progressentry_changelist")
    query = {"period__id__exact": period.pk, **filters}
    cells = [
        (counts[state], f"{changelist}?{urlencode({**query, 'reported': state})}")
        for state in STATES
    ]
    cells.append((sum(counts.values()), f"{changelist}?{urlencode(query)}"))
    return cells


def sent_notices(period):
    """The email notices sent for the period (reports/notices.py), latest first: to whom,
    what and when, in one query."""
    return list(period.notices.select_related("person", "entry__goal", "sent_by"))
