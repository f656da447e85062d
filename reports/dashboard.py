"""Who has reported: a period's entries counted per responsible person and department."""

from collections import defaultdict

from reports.models import ProgressEntry

ReviewState = ProgressEntry.ReviewState
STATES = ("missing", "draft", "submitted", "published")


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

    def rows(counts_by_key):
        return sorted(
            (
                {"key": key, **counts, "total": sum(counts.values())}
                for key, counts in counts_by_key.items()
            ),
            key=lambda row: (row["key"] is None, str(row["key"] or "")),
        )

    return {
        "people": rows(per_person),
        "departments": rows(per_department),
        "fell": fell,
        "overdue": sorted(overdue, key=lambda person: str(person or "")),
        "late": late,
    }
