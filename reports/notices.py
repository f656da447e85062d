"""Email notices to the people who report: an entry returned to them, a period opened for
them, reminders before and after the reporting deadline.

Each notice is recorded as a `Notice` in the transaction of the action that causes it,
and its mail goes out only once that transaction commits (pretix's order: write, record,
then mail), so an action that fails or rolls back sends nothing. A mail that cannot be
sent is logged and its record deleted, so that repeating the action sends it.

The records are also what keeps a repeated action from sending a notice again (the
constraints on `Notice` hold it even for two at once):

- a returned notice goes once per return: per version of the entry that the return wrote;
- a period-opened notice once per person and period, also when the period is reopened;
- a reminder before the deadline (or of a period without one) once per person and period;
- a reminder after the deadline at most once per person and period a day, so that a
  daily run nags the late, and a second click the same day sends nothing.

A notice goes to the responsible person's email address, or failing that their login's.
It is written in the site's language (LANGUAGE_CODE), whoever's action sent it, and its
links are absolute, built on settings.SITE_URL.
"""

import logging
from dataclasses import dataclass, field
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from reports.models import Notice, ProgressEntry

logger = logging.getLogger(__name__)

Kind = Notice.Kind
NOT_SUBMITTED = (ProgressEntry.ReviewState.DRAFT, ProgressEntry.ReviewState.RETURNED)


def address_of(person):
    """Where a responsible person's notices go: their own address, else their login's."""
    if person is None:
        return ""
    return person.email or (person.user.email if person.user_id else "")


def staff_link(period):
    """The absolute address of the reporter's page of the period."""
    return settings.SITE_URL + reverse("staff:period", args=[period.pk])


def _already_sent(kind, *, period, person, entry=None):
    """Whether the rules in the module's docstring forbid sending this notice again."""
    if kind == Kind.RETURNED:
        sent = Notice.objects.filter(kind=kind, entry=entry, entry_version=entry.version)
    elif kind == Kind.AFTER_DEADLINE:
        sent = Notice.objects.filter(
            kind=kind, period=period, person=person, sent_on=timezone.localdate()
        )
    else:
        sent = Notice.objects.filter(kind=kind, period=period, person=person)
    return sent.exists()


def _record(kind, *, period, person, address, subject, body, user, entry=None):
    """Record the notice and return it with its mail; None if it was sent already."""
    if _already_sent(kind, period=period, person=person, entry=entry):
        return None
    try:
        # A savepoint: someone recording the same notice at this moment wins, and the
        # action goes on without sending it twice.
        with transaction.atomic():
            notice = Notice.objects.create(
                kind=kind,
                period=period,
                person=person,
                address=address,
                subject=subject,
                entry=entry,
                entry_version=entry.version if entry is not None else None,
                sent_by=user,
            )
    except IntegrityError:
        return None
    message = EmailMessage(
        subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[address]
    )
    return notice, message


def _send_on_commit(recorded):
    if recorded:
        transaction.on_commit(partial(_deliver, [(n.pk, message) for n, message in recorded]))


def _deliver(pending):
    """Send the recorded notices' mails, after the action's transaction has committed."""
    for notice_id, message in pending:
        try:
            message.send()
        except Exception:
            # Whatever the mail backend raises (SMTP refused, a timeout…), the action has
            # been done: it is not undone for a mail. The notice is no longer recorded as
            # sent, so that the action, repeated, sends it.
            logger.exception("notice %s to %s was not sent", notice_id, ", ".join(message.to))
            Notice.objects.filter(pk=notice_id).delete()


def _date(value):
    return date_format(value, "DATE_FORMAT")


def _codes(entries):
    return "\n".join(f"- {entry.goal.code} {entry.goal.title}" for entry in entries)


def entry_returned(entry, *, user):
    """Tell the entry's responsible person that an official returned it, with the
    official's comment and a link to their page of the period. Called by
    services.review_entries in its transaction, after the return was written.
    Returns the Notice, or None if nobody could be told or they were told already."""
    person = entry.responsible
    address = address_of(person)
    if not address:
        return None
    period = entry.period
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Returned to you: %(code)s in %(period)s") % {
            "code": entry.goal.code,
            "period": period.label,
        }
        body = _(
            "Hello,\n\nthe strategy team returned your entry %(code)s %(title)s of "
            "%(period)s to you with this comment:\n\n%(comment)s\n\n"
            "Correct it and submit it again at %(link)s\n"
        ) % {
            "code": entry.goal.code,
            "title": entry.goal.title,
            "period": period.label,
            "comment": entry.review_comment,
            "link": staff_link(period),
        }
    recorded = _record(
        Kind.RETURNED,
        period=period,
        person=person,
        address=address,
        subject=subject,
        body=body,
        user=user,
        entry=entry,
    )
    _send_on_commit([recorded] if recorded else [])
    return recorded[0] if recorded else None


def _by_person(entries):
    by_person = {}
    for entry in entries:
        by_person.setdefault(entry.responsible, []).append(entry)
    return by_person


def period_opened(period, *, user):
    """Tell every responsible person with entries in the period that it is open for
    reporting, with its deadline and a link to their page. Called by services.open_period
    in its transaction. Returns the Notices recorded."""
    entries = (
        period.entries.filter(responsible__isnull=False)
        .select_related("responsible__user", "goal")
        .order_by("responsible__title", "goal__code")
    )
    recorded = []
    for person, own in _by_person(entries).items():
        address = address_of(person)
        if not address:
            continue
        with translation.override(settings.LANGUAGE_CODE):
            subject = _("%(period)s is open for reporting") % {"period": period.label}
            deadline = (
                _("The deadline is %(date)s.") % {"date": _date(period.deadline)}
                if period.deadline
                else _("No deadline has been set.")
            )
            body = _(
                "Hello,\n\nthe strategy follow-up's period %(period)s is open for reporting. "
                "You answer for these entries:\n\n%(codes)s\n\n%(deadline)s\n\n"
                "Report at %(link)s\n"
            ) % {
                "period": period.label,
                "codes": _codes(own),
                "deadline": deadline,
                "link": staff_link(period),
            }
        notice = _record(
            Kind.PERIOD_OPENED,
            period=period,
            person=person,
            address=address,
            subject=subject,
            body=body,
            user=user,
        )
        if notice:
            recorded.append(notice)
    _send_on_commit(recorded)
    return [notice for notice, _message in recorded]


@dataclass
class Reminders:
    """What a round of reminders did: each list holds (person, their entries not submitted)."""

    kind: str
    period_closed: bool = False
    sent: list = field(default_factory=list)
    already_reminded: list = field(default_factory=list)
    no_address: list = field(default_factory=list)


@transaction.atomic
def send_reminders(period, *, user=None):
    """Remind every responsible person with entries of the period not yet submitted (drafts
    and returned ones): before the deadline, or after it once it has passed. Nothing is
    sent for a period closed for reporting, nor again within the rules of the module's
    docstring. `user` is the official who asked (None: the send_reminders command)."""
    if user is not None and not user.has_perm("reports.manage_period"):
        raise PermissionDenied
    kind = Kind.AFTER_DEADLINE if period.is_late else Kind.BEFORE_DEADLINE
    result = Reminders(kind=kind)
    if not period.is_open:
        result.period_closed = True
        return result
    pending = (
        period.entries.filter(review_state__in=NOT_SUBMITTED, responsible__isnull=False)
        .select_related("responsible__user", "goal")
        .order_by("responsible__title", "goal__code")
    )
    recorded = []
    for person, entries in _by_person(pending).items():
        address = address_of(person)
        if not address:
            result.no_address.append((person, entries))
            continue
        with translation.override(settings.LANGUAGE_CODE):
            subject, body = _reminder(kind, period, entries)
        notice = _record(
            kind,
            period=period,
            person=person,
            address=address,
            subject=subject,
            body=body,
            user=user,
        )
        if notice is None:
            result.already_reminded.append((person, entries))
        else:
            recorded.append(notice)
            result.sent.append((person, entries))
    _send_on_commit(recorded)
    return result


def _reminder(kind, period, entries):
    """A reminder's subject and text."""
    values = {"period": period.label, "codes": _codes(entries), "link": staff_link(period)}
    if kind == Kind.AFTER_DEADLINE:
        subject = _("Overdue: report on %(period)s") % values
        body = _(
            "Hello,\n\nthe deadline of the strategy follow-up for %(period)s was %(date)s, "
            "and these entries have not been submitted yet:\n\n%(codes)s\n\n"
            "Report at %(link)s\n"
        ) % {**values, "date": _date(period.deadline)}
        return subject, body
    subject = _("Reminder: report on %(period)s") % values
    body = (
        _(
            "Hello,\n\nthese entries of the strategy follow-up for %(period)s have not "
            "been submitted yet:\n\n%(codes)s\n\nReport at %(link)s\n"
        )
        % values
    )
    if period.deadline:
        body += "\n" + _("The deadline is %(date)s.") % {"date": _date(period.deadline)} + "\n"
    return subject, body
