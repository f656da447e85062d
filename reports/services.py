"""Writes that change a progress entry's workflow: each in one transaction, recording who.

Views, admin actions and commands call these for every change of workflow state and
every publishing. (The importer and the admin's change form also mark an entry as
changed, each in its own way: see reports/legacy/importer.py and ProgressEntryAdmin.)
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from goals.models import Goal
from reports.models import ProgressEntry, ReportingPeriod

EDITABLE_FIELDS = ("level", "status_text", "risks", "overall_status")
Status = ProgressEntry.Status


class EditConflict(Exception):
    """Someone saved the entry after the form was loaded; `current` is their version."""

    def __init__(self, current):
        self.current = current
        super().__init__(f"entry {current.pk} changed to version {current.version}")


@dataclass
class EntryChange:
    entry: ProgressEntry
    version: int  # the version the user's form was loaded from
    values: dict


def _require(user, permission, entry=None):
    if not user.has_perm(permission, entry):
        raise PermissionDenied


def _save(entry, user, **fields):
    for name, value in fields.items():
        setattr(entry, name, value)
    entry.version += 1
    entry.updated_by = user
    entry._history_user = user
    entry.save()


@transaction.atomic
def save_entries(changes, *, user, submit=False):
    """Save staff's edits of several entries at once, all or nothing.

    Raises EditConflict if any entry changed since its form was loaded, and
    PermissionDenied if the user may not edit one of them. An edit makes the entry a
    draft again (or submits it); its published version stays until it is republished.
    """
    saved = []
    for change in changes:
        entry = (
            # Lock the entry's row only: PostgreSQL cannot lock the nullable side of a join.
            ProgressEntry.objects.select_for_update(of=("self",))
            .select_related("period", "responsible")
            .get(pk=change.entry.pk)
        )
        _require(user, "reports.submit_entry" if submit else "reports.edit_entry", entry)
        values = {name: change.values[name] for name in EDITABLE_FIELDS}
        edited = any(getattr(entry, name) != value for name, value in values.items())
        # A form that leaves the stored values as they are overwrites nothing, whatever
        # happened to the entry meanwhile (a review, say); one that changes them must
        # have been loaded from the current version.
        if edited and entry.version != change.version:
            raise EditConflict(entry)
        if not edited and (not submit or entry.status not in (Status.DRAFT, Status.RETURNED)):
            saved.append(entry)  # nothing to save, or already submitted or reviewed
            continue
        _save(entry, user, status=Status.SUBMITTED if submit else Status.DRAFT, **values)
        saved.append(entry)
    return saved


@transaction.atomic
def review_entries(entries, *, user, approve, comment=""):
    """Approve submitted entries for publishing, or return them to their authors.

    Only submitted entries can be approved, and submitted or approved ones returned;
    the others are left as they are. Returns the entries reviewed.
    """
    reviewable = [Status.SUBMITTED] if approve else [Status.SUBMITTED, Status.APPROVED]
    done = []
    for entry in ProgressEntry.objects.select_for_update().filter(
        pk__in=[entry.pk for entry in entries]
    ):
        _require(user, "reports.review_entry", entry)
        if entry.status not in reviewable:
            continue
        if approve:
            _save(entry, user, status=Status.APPROVED)
        else:
            _save(entry, user, status=Status.RETURNED, review_comment=comment)
        done.append(entry)
    return done


@transaction.atomic
def publish_entries(entries, *, user):
    """Freeze each approved entry's version, or the official's override, as what the public
    sees. Entries not approved are left as they are. Returns the entries published."""
    now = timezone.now()
    published = []
    for entry in ProgressEntry.objects.select_for_update().filter(
        pk__in=[entry.pk for entry in entries]
    ):
        _require(user, "reports.review_entry", entry)
        if entry.status != Status.APPROVED:
            continue
        _save(
            entry,
            user,
            status=Status.PUBLISHED,
            published_at=now,
            published_level=entry.public_level or entry.level,
            published_status_text=entry.public_status_text or entry.status_text,
            published_risks=entry.risks,
            published_overall_status=entry.overall_status,
            published_responsible_id=entry.responsible_id,
        )
        published.append(entry)
    return published


@transaction.atomic
def publish_period(period, *, user):
    """Publish a period's approved entries and make the period public. Returns the entries."""
    _require(user, "reports.manage_period")
    entries = publish_entries(period.entries.filter(status=Status.APPROVED), user=user)
    if not period.published:
        period.published = True
        period.published_at = timezone.now()
        period.save(update_fields=["published", "published_at"])
    return entries


@transaction.atomic
def open_period(period, *, user):
    """Open a period for reporting: a draft entry for every annual goal and action of its year.

    Each new entry's responsible person is the goal's; existing entries are kept.
    Returns the number of entries created.
    """
    _require(user, "reports.manage_period")
    goals = Goal.objects.filter(strategy=period.strategy, year=period.year).exclude(
        entries__period=period
    )
    created = 0
    for goal in goals:
        entry = ProgressEntry(period=period, goal=goal, responsible_id=goal.responsible_id)
        entry._history_user = user
        entry.save()
        created += 1
    if not period.is_open:
        period.is_open = True
        period.save(update_fields=["is_open"])
    return created


@transaction.atomic
def close_period(period: ReportingPeriod, *, user):
    _require(user, "reports.manage_period")
    period.is_open = False
    period.save(update_fields=["is_open"])


@transaction.atomic
def place_anomaly(anomaly, *, goal, values, user):
    """Make an import anomaly's row the goal's entry in its period, as an official decided.

    Creates or updates the entry with `values` (level, status text, risks, overall
    status, responsible person) as a submitted entry, and marks the anomaly placed.
    """
    _require(user, "reports.review_entry")
    period = anomaly.batch.period
    entry = (
        ProgressEntry.objects.select_for_update(of=("self",))
        .filter(period=period, goal=goal)
        .first()
    )
    if entry is None:
        entry = ProgressEntry(period=period, goal=goal)
    entry.source_batch = anomaly.batch
    entry.source_line = anomaly.line
    fields = {name: values[name] for name in (*EDITABLE_FIELDS, "responsible")}
    _save(entry, user, status=Status.SUBMITTED, **fields)
    anomaly.status = anomaly.Status.PLACED
    anomaly.resolved_by = user
    anomaly.resolved_at = timezone.now()
    anomaly.save(update_fields=["status", "resolved_by", "resolved_at"])
    return entry
