"""Every write of a progress entry: the one path that staff pages, the admin, the importer,
anomaly placing and the demo loader all take.

Each function runs in one transaction, locks the entry rows it writes, checks the user's
rights through reports/rules.py, raises the entry's version and records who did it (the
history row that django-simple-history writes). A form carries the version it was loaded
at; a change to an entry that someone else changed since is a conflict, refused with
their version, and nothing of it is written.
"""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from goals.models import Goal
from reports import notices
from reports.models import (
    ImportAnomaly,
    ProgressEntry,
    PublicRevision,
    PublishedEntry,
    ReportingPeriod,
)
from seuranta.bulk import BATCH, create_with_history

# What staff enter; a change of any of these is a change of the entry's content.
CONTENT_FIELDS = ("level", "status_text", "risks", "overall_status")
OVERRIDE_FIELDS = ("public_level", "public_status_text")
# What an official may change on the admin's change form.
OFFICIAL_FIELDS = (*CONTENT_FIELDS, "responsible", "review_comment", *OVERRIDE_FIELDS)
ReviewState = ProgressEntry.ReviewState


class EditConflict(Exception):
    """Someone saved the entry after the form was loaded; `current` is their version."""

    def __init__(self, current):
        self.current = current
        super().__init__(f"entry {current.pk} changed to version {current.version}")


@dataclass
class Edit:
    """A user's change to one entry: only the fields they changed from the version they
    loaded (`loaded_version`)."""

    entry_id: int
    loaded_version: int
    values: dict = field(default_factory=dict)


@dataclass
class SaveResult:
    saved: list = field(default_factory=list)  # entries written
    submitted: list = field(default_factory=list)  # of those, the ones submitted
    kept_as_drafts: list = field(default_factory=list)  # incomplete, so not submitted
    conflicts: list = field(default_factory=list)  # EditConflict, one per entry refused
    # Unchanged drafts not submitted because someone changed them since they were loaded.
    changed_meanwhile: list = field(default_factory=list)
    # Changed, but approved or published already: the strategy team's to change (see
    # reports/rules.py); nothing of them is written.
    reviewed: list = field(default_factory=list)
    # Blank drafts left as they were by a submission: nothing entered, nothing to submit.
    not_started: list = field(default_factory=list)
    # Returned with a comment and left unchanged: a submission does not send them back.
    returned_unchanged: list = field(default_factory=list)


def _require(user, permission, entry=None):
    if not user.has_perm(permission, entry):
        raise PermissionDenied


def _locked(pks):
    """The entries, their rows locked until the transaction ends, in a fixed order so that
    two writers never wait for each other."""
    return list(
        # Lock the entry's row only: PostgreSQL cannot lock the nullable side of a join.
        ProgressEntry.objects.select_for_update(of=("self",))
        .select_related("period", "goal", "responsible")
        .filter(pk__in=pks)
        .order_by("pk")
    )


def _apply(entry, *, user, values=None, state=None, imported=False, **bookkeeping):
    """What every write does to an entry (new or locked), short of saving it: set the
    values, raise the version, note a change of content or of the override, who did it."""
    values = values or {}
    content_changed = any(
        getattr(entry, name) != value for name, value in values.items() if name in CONTENT_FIELDS
    )
    override_changed = any(name in OVERRIDE_FIELDS for name in values)
    for name, value in {**values, **bookkeeping}.items():
        setattr(entry, name, value)
    if entry.pk is not None:
        entry.version += 1
    if content_changed or entry.pk is None:
        entry.content_version = entry.version
    if override_changed:
        entry.override_version = entry.version if entry.has_override else None
    if state is not None:
        entry.review_state = state
    if imported:
        entry.imported_version = entry.version
    entry.updated_by = user
    entry._history_user = user
    return entry


def _write(entry, *, user, **changes):
    """The one place a single ProgressEntry row is written. `entry` is new or locked."""
    _apply(entry, user=user, **changes)
    entry.save()
    return entry


def is_complete(level, status_text):
    """Whether an entry has what a submission needs: a level and a status text."""
    return level is not None and bool(status_text.strip())


def _differs(entry, values):
    return any(getattr(entry, name) != value for name, value in values.items())


@transaction.atomic
def save_entries(edits, *, user, submit=False):
    """Save a reporter's page: only the entries they changed, each from the version they
    loaded; with `submit`, also submit every complete draft among them.

    An entry they changed that someone else changed since is a conflict: it is left as
    it is and returned with the other version; the other entries are saved. A changed
    entry becomes a draft again, or is submitted if complete. A change to an entry that the
    strategy team has approved or published is refused, unless the user is one of the team
    (`reviewed`); a blank draft is not submitted and is no error (`not_started`); an
    entry returned with a comment is submitted again only if it was changed
    (`returned_unchanged`). Raises PermissionDenied, with nothing saved, if the user may
    not edit one of the entries.
    """
    result = SaveResult()
    edits = {edit.entry_id: edit for edit in edits}
    for entry in _locked(edits):
        edit = edits[entry.pk]
        _require(user, "reports.submit_entry" if submit else "reports.edit_entry", entry)
        changed = _differs(entry, edit.values)
        can_submit = submit and (changed or entry.review_state == ReviewState.DRAFT)
        if not changed and not can_submit:
            if submit and entry.review_state == ReviewState.RETURNED:
                result.returned_unchanged.append(entry)
            continue  # nothing to save, or already submitted or reviewed
        if entry.version != edit.loaded_version:
            # Written since the page was loaded: the user has not seen what they would
            # overwrite, or submit.
            if changed:
                result.conflicts.append(EditConflict(entry))
            else:
                result.changed_meanwhile.append(entry)
            continue
        if not user.has_perm("reports.change_entry_content", entry):
            result.reviewed.append(entry)
            continue
        if not changed and entry.is_blank_draft:
            result.not_started.append(entry)
            continue
        level = edit.values.get("level", entry.level)
        text = edit.values.get("status_text", entry.status_text)
        if can_submit and is_complete(level, text):
            state = ReviewState.SUBMITTED
        else:
            state = ReviewState.DRAFT
            if can_submit:
                result.kept_as_drafts.append(entry)
            if not changed:
                continue
        _write(entry, user=user, values=edit.values, state=state)
        result.saved.append(entry)
        if state == ReviewState.SUBMITTED:
            result.submitted.append(entry)
    return result


@transaction.atomic
def edit_entry(entry, *, user, loaded_version, values):
    """An official's change of one entry from the admin's change form.

    `values` holds only the fields they changed. Raises EditConflict if the entry was
    written since `loaded_version`. A published entry that is changed goes back to
    "approved": residents keep its published version until it is published again.
    """
    _require(user, "reports.review_entry", entry)
    (entry,) = _locked([entry.pk])
    if not values:
        return entry
    if entry.version != loaded_version:
        raise EditConflict(entry)
    state = ReviewState.APPROVED if entry.review_state == ReviewState.PUBLISHED else None
    return _write(entry, user=user, values=values, state=state)


@transaction.atomic
def review_entries(entries, *, user, approve, comment=""):
    """Approve submitted entries for publishing, or return them to their authors.

    Only submitted entries can be approved, and submitted, approved or published ones
    returned (staff may change an entry again only once it is returned: reports/rules.py);
    the others are left as they are. A returned published entry stays public as it was
    until it is published again. A returned entry's responsible person is told by email,
    with the comment (reports/notices.py). Returns the entries reviewed.
    """
    reviewable = (
        [ReviewState.SUBMITTED]
        if approve
        else [ReviewState.SUBMITTED, ReviewState.APPROVED, ReviewState.PUBLISHED]
    )
    done = []
    for entry in _locked([entry.pk for entry in entries]):
        _require(user, "reports.review_entry", entry)
        if entry.review_state not in reviewable:
            continue
        if approve:
            _write(entry, user=user, state=ReviewState.APPROVED)
        else:
            _write(entry, user=user, state=ReviewState.RETURNED, review_comment=comment)
            # Mailed to the responsible person once this transaction commits.
            notices.entry_returned(entry, user=user)
        done.append(entry)
    return done


@transaction.atomic
def publish_entries(entries, *, user):
    """Freeze each approved entry as what the public sees: its PublishedEntry, with the
    official's override applied if it was written for this version of the content.
    Entries not approved are left as they are. Returns the entries published."""
    now = timezone.now()
    published = []
    for entry in _locked([entry.pk for entry in entries]):
        _require(user, "reports.review_entry", entry)
        if entry.review_state != ReviewState.APPROVED:
            continue
        _write(entry, user=user, state=ReviewState.PUBLISHED)
        override = entry.override_applies
        PublishedEntry.objects.update_or_create(
            entry=entry,
            defaults={
                "period_id": entry.period_id,
                "goal_id": entry.goal_id,
                "level": (entry.public_level if override and entry.public_level else entry.level),
                "status_text": (
                    entry.public_status_text
                    if override and entry.public_status_text
                    else entry.status_text
                ),
                "risks": entry.risks,
                "overall_status": entry.overall_status,
                "responsible_id": entry.responsible_id,
                "version": entry.version,
                "published_at": now,
                "published_by": user,
            },
        )
        published.append(entry)
    if published:
        PublicRevision.bump()
    return published


@transaction.atomic
def publish_period(period, *, user):
    """Publish a period's approved entries and make the period public. Returns the entries."""
    _require(user, "reports.manage_period")
    entries = publish_entries(period.entries.filter(review_state=ReviewState.APPROVED), user=user)
    if not period.published:
        period.published = True
        period.published_at = timezone.now()
        period.save(update_fields=["published", "published_at"])
        PublicRevision.bump()
    return entries


@transaction.atomic
def open_period(period, *, user):
    """Open a period for reporting: a draft entry for every annual goal and action of its year.

    Each new entry's responsible person is the goal's; existing entries are kept. Every
    responsible person with entries in it is told by email (reports/notices.py).
    Returns the number of entries created.
    """
    _require(user, "reports.manage_period")
    goals = Goal.objects.filter(strategy=period.strategy, year=period.year).exclude(
        entries__period=period
    )
    created = 0
    for goal in goals:
        _write(
            ProgressEntry(period=period, goal=goal, responsible_id=goal.responsible_id), user=user
        )
        created += 1
    if not period.is_open:
        period.is_open = True
        period.save(update_fields=["is_open"])
    # Mailed once this transaction commits; a person told before is not told again.
    notices.period_opened(period, user=user)
    return created


@transaction.atomic
def close_period(period: ReportingPeriod, *, user):
    _require(user, "reports.manage_period")
    period.is_open = False
    period.save(update_fields=["is_open"])


class ImportOutcome:
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    EDITED_SINCE_IMPORT = "edited"


class ImportWrites:
    """A legacy import's entry writes: decided row by row, written together by `save()`,
    history included, in the importer's transaction.

    The importer hands in each goal's entry as it read it under a row lock (see
    reports/legacy/importer.py), so nobody can change it between the decision and the
    write. An entry that staff or an official changed since it was last imported
    (anything but a blank draft) is never overwritten.
    """

    # What an import changes of an entry that exists already.
    UPDATED_FIELDS = [
        *CONTENT_FIELDS,
        "responsible_id",
        "review_state",
        "version",
        "content_version",
        "imported_version",
        "source_batch",
        "source_line",
        "updated_by",
        "updated_at",
    ]

    def __init__(self, *, period, user):
        self.period = period
        self.user = user
        self.created = []
        self.updated = []

    def add(self, *, entry, goal, values, get_batch, line):
        """Decide what the row does to the goal's entry (None: it has none yet).
        `get_batch()` gives the import batch, made only once something is written."""
        if entry is None:
            outcome, entry = ImportOutcome.CREATED, ProgressEntry(period=self.period, goal=goal)
            self.created.append(entry)
        elif not _differs(entry, values):
            return ImportOutcome.UNCHANGED, entry
        elif entry.imported_version != entry.version and not entry.is_blank_draft:
            return ImportOutcome.EDITED_SINCE_IMPORT, entry
        else:
            outcome = ImportOutcome.UPDATED
            self.updated.append(entry)
        # A corrected file is a new submission; what the public sees stays until republished.
        _apply(
            entry,
            user=self.user,
            values=values,
            state=ReviewState.SUBMITTED,
            imported=True,
            source_batch=get_batch(),
            source_line=line,
        )
        return outcome, entry

    def save(self):
        """Write the decided entries and their history rows, a few queries per thousand."""
        create_with_history(self.created, ProgressEntry, user=self.user)
        now = timezone.now()
        for entry in self.updated:
            entry.updated_at = now
        bulk_update_with_history(
            self.updated,
            ProgressEntry,
            fields=self.UPDATED_FIELDS,
            batch_size=BATCH,
            default_user=self.user,
        )


@transaction.atomic
def place_anomaly(anomaly, *, goal, values, user, loaded_version=None):
    """Make an import anomaly's row the goal's entry in its period, as an official decided.

    Creates or updates the entry with `values` (level, status text, risks, overall
    status, responsible person) as a submitted entry, and marks the anomaly placed.
    If the goal already has an entry with something in it, `loaded_version` is the version
    of it that the official was shown: EditConflict if that is not the current one.
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
    elif entry.version != loaded_version and not entry.is_blank_draft:
        raise EditConflict(entry)
    fields = {name: values[name] for name in (*CONTENT_FIELDS, "responsible")}
    _write(
        entry,
        user=user,
        values=fields,
        state=ReviewState.SUBMITTED,
        source_batch=anomaly.batch,
        source_line=anomaly.line,
    )
    resolve_anomalies(
        ImportAnomaly.objects.filter(pk=anomaly.pk), status=ImportAnomaly.Status.PLACED, user=user
    )
    return entry


def resolve_anomalies(anomalies, *, status, user):
    """Mark open anomalies placed or dismissed, recording who and when. Returns the count."""
    return anomalies.filter(status=ImportAnomaly.Status.OPEN).update(
        status=status, resolved_by=user, resolved_at=timezone.now()
    )


class Decision:
    """What an official decides on one entry on its review screen."""

    APPROVE = "approve"
    RETURN = "return"
    PUBLISH = "publish"  # approve if not yet approved, then publish

    ALL = (APPROVE, RETURN, PUBLISH)


@transaction.atomic
def decide_entry(entry, *, user, loaded_version, decision, comment="", overrides=None):
    """An official's decision on one entry from its review screen, from the version they
    were shown (`loaded_version`): approve it, return it to its author with `comment`,
    or approve and publish it. `overrides` holds the level or text to publish that they
    changed; it is saved first, for this version of the content.

    Raises EditConflict, with nothing written, if the entry was written since
    `loaded_version`: the official has not seen what they would decide on. An entry
    whose state does not allow the decision is left as it is. Returns the entry.
    """
    if decision not in Decision.ALL:
        raise ValueError(f"unknown decision {decision!r}")
    _require(user, "reports.review_entry", entry)
    (entry,) = _locked([entry.pk])
    if entry.version != loaded_version:
        raise EditConflict(entry)
    if overrides:
        entry = edit_entry(entry, user=user, loaded_version=loaded_version, values=overrides)
    if decision == Decision.RETURN:
        review_entries([entry], user=user, approve=False, comment=comment)
    else:
        review_entries([entry], user=user, approve=True)
        if decision == Decision.PUBLISH:
            publish_entries([entry], user=user)
    entry.refresh_from_db()
    return entry
