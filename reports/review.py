"""What an official reads before deciding: one entry beside its previous version, the
period's queue of submitted entries, and what publishing a period would leave out.

Reads only; the decisions are written by reports/services.py.
"""

import difflib
import hashlib
import re
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from goals.models import Goal
from reports.models import ProgressEntry

ReviewState = ProgressEntry.ReviewState

# Words, punctuation and the whitespace between them: a change shows as whole words, a
# comma added after a word does not mark the word changed, and the text's own line breaks
# and spacing stay as they were.
TOKENS = re.compile(r"\s+|\w+|[^\w\s]+")


def text_diff(before, after):
    """`after` with the words added since `before` in <ins> and those removed in <del>,
    every piece of text escaped.

    Each change also says what it is in visually hidden text, in the page's language,
    "[removed: …]" and "[added: …]": a screen reader reads neither <del> nor <ins> as
    such by default, and a removed word beside an added one would run together into
    one ("AsiantuntijakoulutuksetTyö")."""
    old, new = TOKENS.findall(before or ""), TOKENS.findall(after or "")
    removed_start, removed_end = _hidden_marks(_("[removed: %(text)s]"))
    added_start, added_end = _hidden_marks(_("[added: %(text)s]"))
    pieces = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for operation, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        removed = escape("".join(old[old_start:old_end]))
        added = escape("".join(new[new_start:new_end]))
        if operation == "equal":
            pieces.append(added)
            continue
        if removed:
            pieces.append(f"<del>{removed_start}{removed}{removed_end}</del>")
        if added:
            pieces.append(f"<ins>{added_start}{added}{added_end}</ins>")
    return mark_safe("".join(pieces))  # noqa: S308 - every piece is escaped above


def _hidden_marks(template):
    """The visually hidden text before and after a change, from a translation such as
    "[added: %(text)s]", escaped, spaced apart from the words around it and marked as in
    the page's language (the status text around it is marked as the municipality's)."""
    before, _text, after = template.partition("%(text)s")
    language = escape(get_language())
    return tuple(
        f'<span class="visually-hidden" lang="{language}">{escape(mark)}</span>'
        for mark in (f" {before}", f"{after} ")
    )


@dataclass(frozen=True)
class Return:
    """An official's return of the entry to its author: who (None if their account is
    gone), when, their comment, and the status text as it stood then."""

    by: object
    at: object
    comment: str
    status_text: str


@dataclass(frozen=True)
class ReviewHistory:
    """What the entry's history tells its reviewer: who submitted it and when (None if
    it was never submitted), and `returned`, the return it was submitted again after
    (None unless it was returned to its author before its latest submission and not
    since)."""

    submitted_by: object = None
    submitted_at: object = None
    returned: Return | None = None

    def changes_since_return(self, entry):
        """The entry's status text now, marked with the changes since it was returned."""
        return text_diff(self.returned.status_text, entry.status_text)


def review_history(entry):
    """The entry's latest submission and the return before it, from its history, in two
    queries however long that is.

    The history is read as runs of records in one state, newest first. The submission is
    the oldest record of the latest "submitted" run, so that an official's later edit of
    a submitted entry is not taken for it; the return likewise the oldest of the latest
    "returned" run, the record of the official's decision (their comment, the text they
    saw). A return after the latest submission is not one it was submitted again after.
    """
    records = entry.history.order_by("-history_date", "-pk")
    runs = []  # [state, pk of its oldest record], newest first
    for pk, state in records.values_list("pk", "review_state"):
        if runs and runs[-1][0] == state:
            runs[-1][1] = pk
        else:
            runs.append([state, pk])
    states = [state for state, _pk in runs]
    submitted = states.index(ReviewState.SUBMITTED) if ReviewState.SUBMITTED in states else None
    returned = states.index(ReviewState.RETURNED) if ReviewState.RETURNED in states else None
    if returned is not None and (submitted is None or returned < submitted):
        returned = None
    wanted = {runs[index][1]: index for index in (submitted, returned) if index is not None}
    if not wanted:
        return ReviewHistory()
    found = {
        wanted[record.pk]: record
        for record in records.filter(pk__in=list(wanted)).select_related("history_user")
    }
    history = {}
    if submitted is not None:
        record = found[submitted]
        history.update(submitted_by=record.history_user, submitted_at=record.history_date)
    if returned is not None:
        record = found[returned]
        history["returned"] = Return(
            by=record.history_user,
            at=record.history_date,
            comment=record.review_comment,
            status_text=record.status_text,
        )
    return ReviewHistory(**history)


def submission(entry):
    """(user, time) of the entry's latest submission (see `review_history`); (None, None)
    if it was never submitted."""
    history = review_history(entry)
    return history.submitted_by, history.submitted_at


def queue(period, *, within=None):
    """The period's submitted entries, waiting for review, in the order of their codes;
    only those of the queryset `within` (an official's filtered list), if given."""
    entries = period.entries.filter(review_state=ReviewState.SUBMITTED)
    if within is not None:
        entries = entries.filter(pk__in=within.order_by().values("pk"))
    return entries.order_by("goal__code", "pk")


def next_in_queue(entry, *, within=None):
    """The submitted entry after `entry` in its period's queue (within the queryset
    `within`, if given), starting over from the first one at the end; None when no other
    entry is waiting."""
    waiting = queue(entry.period, within=within).exclude(pk=entry.pk).select_related("goal")
    return waiting.filter(goal__code__gt=entry.goal.code).first() or waiting.first()


@dataclass
class PublishPreview:
    """What publishing a period would publish and what it would leave out."""

    approved: list = field(default_factory=list)
    already_published: int = 0
    # (state label, entries) for drafts, submitted and returned entries.
    left_out: list = field(default_factory=list)
    never_reported: list = field(default_factory=list)  # goals of the year with no entry
    fingerprint: str = ""

    @property
    def left_out_count(self):
        return sum(len(entries) for _label, entries in self.left_out) + len(self.never_reported)


LEFT_OUT_STATES = (ReviewState.DRAFT, ReviewState.SUBMITTED, ReviewState.RETURNED)


def publish_preview(period):
    """The period's approved entries (published by publishing it) and the entries and
    goals it would leave out, in a fixed number of queries.

    `fingerprint` names the approved entries and their versions: a confirmation posted
    with another one was made looking at a list that has changed since.
    """
    entries = period.entries.select_related("goal", "responsible").order_by("goal__code")
    by_state = {state: [] for state in (ReviewState.APPROVED, *LEFT_OUT_STATES)}
    not_started = []
    already_published = 0
    for entry in entries:
        if entry.review_state == ReviewState.PUBLISHED:
            already_published += 1
        elif entry.is_blank_draft:
            not_started.append(entry)
        else:
            by_state[entry.review_state].append(entry)
    approved = by_state.pop(ReviewState.APPROVED)
    never_reported = list(
        Goal.objects.filter(strategy=period.strategy, year=period.year)
        .exclude(entries__period=period)
        .select_related("responsible")
        .order_by("code")
    )
    return PublishPreview(
        approved=approved,
        already_published=already_published,
        left_out=[
            (label, entries)
            for label, entries in (
                *((state.label, by_state[state]) for state in LEFT_OUT_STATES),
                (_("not started"), not_started),
            )
            if entries
        ],
        never_reported=never_reported,
        fingerprint=fingerprint(approved),
    )


def fingerprint(entries):
    names = ",".join(f"{entry.pk}:{entry.version}" for entry in sorted(entries, key=_pk))
    return hashlib.sha256(names.encode()).hexdigest()[:16]


def _pk(entry):
    return entry.pk
