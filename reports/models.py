import calendar
import datetime
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Coalesce, Length
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from goals.models import Goal, ResponsiblePerson, Strategy

PERIOD_LABEL = re.compile(r"^\s*(?:(\d{1,2})\s*[-–—]\s*(\d{1,2})\s*/\s*)?(\d{4})\s*$")


def parse_period_label(label):
    """'1-8/2022' -> (2022, 1, 8); '2022' -> (2022, 1, 12). None if it is no period."""
    match = PERIOD_LABEL.match(label or "")
    if not match:
        return None
    first, last, year = match.groups()
    first, last = (int(first), int(last)) if first else (1, 12)
    if not 1 <= first <= last <= 12:
        return None
    return int(year), first, last


def validate_period_label(label):
    """A label is a period such as 1–8/2022 or 2022: nothing that could break a file name,
    a CSV cell or a page (line breaks, quotes)."""
    if parse_period_label(label) is None:
        raise ValidationError(
            _("“%(label)s” is not a reporting period; write it like 1–8/2022 or 2022"),
            params={"label": label},
        )


class ReportingPeriodQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published=True)


class ReportingPeriod(models.Model):
    """A period that is reported on, such as 1–8/2022, within a council term."""

    strategy = models.ForeignKey(
        Strategy, verbose_name=_("strategy"), on_delete=models.PROTECT, related_name="periods"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    label = models.CharField(
        _("label"),
        max_length=40,
        validators=[validate_period_label],
        help_text=_("For example 1–8/2022."),
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    deadline = models.DateField(_("reporting deadline"), null=True, blank=True)
    is_open = models.BooleanField(
        _("open for reporting"), default=False, help_text=_("Staff can enter progress.")
    )
    published = models.BooleanField(
        _("published"), default=False, help_text=_("Residents can see the period.")
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, editable=False)

    objects = ReportingPeriodQuerySet.as_manager()

    class Meta:
        verbose_name = _("reporting period")
        verbose_name_plural = _("reporting periods")
        ordering = ["-end_date", "label"]
        constraints = [
            models.UniqueConstraint(fields=["strategy", "label"], name="unique_period_label"),
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")), name="period_order"
            ),
        ]

    def __str__(self):
        return self.label

    @property
    def is_late(self):
        """Whether the reporting deadline has passed (entries are still accepted)."""
        return self.deadline is not None and timezone.localdate() > self.deadline

    @staticmethod
    def canonical_label(label):
        """The label as stored: '1-8/2022' -> '1–8/2022', '2022' -> '2022'."""
        parsed = parse_period_label(label)
        if parsed is None:
            return None
        year, first, last = parsed
        return str(year) if (first, last) == (1, 12) else f"{first}–{last}/{year}"

    @classmethod
    def dates_for(cls, label):
        year, first, last = parse_period_label(label)
        end_day = calendar.monthrange(year, last)[1]
        return year, datetime.date(year, first, 1), datetime.date(year, last, end_day)


class ImportBatch(models.Model):
    """One legacy file imported into one period, kept whole so that entries trace back to it."""

    period = models.ForeignKey(
        ReportingPeriod,
        verbose_name=_("reporting period"),
        on_delete=models.PROTECT,
        related_name="import_batches",
    )
    filename = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    content = models.BinaryField(_("original file"))
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    summary = models.JSONField(_("summary"), default=dict)

    class Meta:
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")
        ordering = ["-imported_at"]

    def __str__(self):
        return f"{self.filename} → {self.period}"


def text_limits(prefix, fields):
    """Database constraints that keep each text field within settings.ENTRY_TEXT_LIMIT."""
    return [
        models.CheckConstraint(
            condition=LessThanOrEqual(Length(name), settings.ENTRY_TEXT_LIMIT),
            name=f"{prefix}_{name}_within_limit",
        )
        for name in fields
    ]


class PendingImport(models.Model):
    """An uploaded legacy file whose dry run an official is looking at.

    Kept in the database rather than the session, so that any worker process can confirm
    it; confirming deletes it in the same transaction as the import, so it imports once.
    """

    content = models.BinaryField(_("file"))
    filename = models.CharField(_("file name"), max_length=255)
    period_label = models.CharField(_("reporting period"), max_length=40)
    term = models.CharField(_("council term"), max_length=20, blank=True)
    sheet = models.CharField(
        _("sheet"), max_length=100, blank=True, help_text=_("Of a workbook; empty: the first.")
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.CASCADE
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("pending import")
        verbose_name_plural = _("pending imports")

    def __str__(self):
        return f"{self.filename} → {self.period_label}"


# ProgressEntry.Level.short_label; keyed by the level's number, since an enum's body
# cannot hold a mapping of its own members.
LEVEL_SHORT_LABELS = {
    1: pgettext_lazy("progress level, short", "Not started"),
    2: pgettext_lazy("progress level, short", "Planning"),
    3: pgettext_lazy("progress level, short", "Under way"),
    4: pgettext_lazy("progress level, short", "Nearly done"),
    5: pgettext_lazy("progress level, short", "Done"),
}


class ProgressEntryQuerySet(models.QuerySet):
    """Staff-side entries: what departments entered and officials review. The public
    never reads these; it reads PublishedEntry."""

    def answered_by(self, user):
        """Entries whose responsible person is linked to the user's login."""
        return self.filter(responsible__user=user)

    def latest_before(self, period, goal_ids):
        """For each goal, its entry of the latest period that ended before `period`."""
        latest = {}
        for entry in (
            self.filter(goal__in=goal_ids, period__end_date__lt=period.end_date)
            .select_related("period", "published")
            .order_by("goal_id", "-period__end_date")
        ):
            latest.setdefault(entry.goal_id, entry)
        return latest

    def reviewed_before(self, period, goal_ids):
        """For each goal, what was approved or published for it in the latest earlier
        period that has either: a ReviewedVersion, never someone's unreviewed edit."""
        reviewed = {}
        for entry in (
            self.filter(goal__in=goal_ids, period__end_date__lt=period.end_date)
            .filter(
                models.Q(review_state=ProgressEntry.ReviewState.APPROVED)
                | models.Q(published__isnull=False)
            )
            .select_related("period", "published")
            .order_by("goal_id", "-period__end_date")
        ):
            reviewed.setdefault(entry.goal_id, entry.reviewed_version())
        return reviewed


class ProgressEntry(models.Model):
    """The progress of one goal, annual goal or action in one reporting period, as staff
    entered it and officials reviewed it. What the public sees is its PublishedEntry.

    Written only through reports/services.py, which raises `version` on every write.
    """

    class Level(models.IntegerChoices):
        NOT_STARTED = 1, _("1 – Not progressed, or needs no measures from this department")
        PLANNING = 2, _("2 – In planning, progressed a little")
        STARTED = 3, _("3 – Implementation started, not yet complete")
        NEARLY_DONE = 4, _("4 – Nearly complete, not yet finalised or in use")
        DONE = 5, _("5 – Implemented and in use as planned")

        @property
        def short_label(self):
            """A word or two for a chip beside the level's number, where the full label
            would repeat in every row of a table; the full label goes with it for
            screen readers and in the legend."""
            return LEVEL_SHORT_LABELS[self]

    class OverallStatus(models.TextChoices):
        GREEN = "green", _("green")
        YELLOW = "yellow", _("yellow")
        RED = "red", _("red")

    class ReviewState(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        RETURNED = "returned", _("returned to its author")
        APPROVED = "approved", _("approved")
        PUBLISHED = "published", _("published")

    period = models.ForeignKey(
        ReportingPeriod,
        verbose_name=_("reporting period"),
        on_delete=models.CASCADE,
        related_name="entries",
    )
    goal = models.ForeignKey(
        Goal, verbose_name=_("goal"), on_delete=models.CASCADE, related_name="entries"
    )
    level = models.PositiveSmallIntegerField(
        _("progress level"), choices=Level.choices, null=True, blank=True
    )
    status_text = models.TextField(
        _("status text"), blank=True, max_length=settings.ENTRY_TEXT_LIMIT
    )
    risks = models.TextField(_("main risks"), blank=True, max_length=settings.ENTRY_TEXT_LIMIT)
    overall_status = models.CharField(
        _("overall status"), max_length=10, choices=OverallStatus.choices, blank=True
    )
    responsible = models.ForeignKey(
        ResponsiblePerson,
        verbose_name=_("responsible person"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="entries",
    )
    source_batch = models.ForeignKey(
        ImportBatch,
        verbose_name=_("imported from"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="entries",
    )
    source_line = models.PositiveIntegerField(_("line in file"), null=True, blank=True)
    # The version a legacy import last wrote: a later import may overwrite the entry only
    # while nobody has changed it since.
    imported_version = models.PositiveIntegerField(
        _("version when imported"), null=True, blank=True, editable=False
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    # Workflow: draft -> submitted -> (returned | approved) -> published.
    review_state = models.CharField(
        _("review state"), max_length=10, choices=ReviewState.choices, default=ReviewState.DRAFT
    )
    # Raised by every write; a form that carries an older version is refused as a conflict.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    # The version at which the level, status text, risks or overall status last changed.
    content_version = models.PositiveIntegerField(
        _("version of the content"), default=1, editable=False
    )
    review_comment = models.TextField(
        _("review comment"), blank=True, help_text=_("Shown to the author when returned.")
    )
    # What officials want published instead of what staff wrote; empty = staff's own.
    public_level = models.PositiveSmallIntegerField(
        _("level to publish"),
        choices=Level.choices,
        null=True,
        blank=True,
        help_text=_("Leave empty to publish the level that staff entered."),
    )
    public_status_text = models.TextField(
        _("text to publish"),
        blank=True,
        max_length=settings.ENTRY_TEXT_LIMIT,
        help_text=_("Leave empty to publish the status text that staff entered."),
    )
    # The version the override was written for: once the content changes again, the
    # override no longer applies unless an official saves it anew.
    override_version = models.PositiveIntegerField(
        _("override written for version"), null=True, blank=True, editable=False
    )

    history = HistoricalRecords()
    objects = ProgressEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("progress entry")
        verbose_name_plural = _("progress entries")
        ordering = ["period", "goal__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "goal"], name="one_entry_per_goal_and_period"
            ),
            models.CheckConstraint(
                condition=models.Q(level__isnull=True) | models.Q(level__gte=1, level__lte=5),
                name="level_1_to_5",
            ),
            *text_limits("entry", ["status_text", "risks", "public_status_text"]),
        ]
        indexes = [
            # The period dashboard and the staff page: a period's entries by person.
            models.Index(fields=["period", "responsible"], name="entry_period_person"),
        ]

    def __str__(self):
        return f"{self.goal.code} · {self.period}"

    @property
    def is_blank_draft(self):
        """A draft in which nothing has been entered yet (as opening a period creates them)."""
        return (
            self.review_state == self.ReviewState.DRAFT
            and self.level is None
            and not self.status_text
            and not self.risks
        )

    @property
    def has_override(self):
        return self.public_level is not None or bool(self.public_status_text)

    @property
    def override_applies(self):
        """Whether the official's override was written for the content as it is now."""
        return (
            self.has_override
            and self.override_version is not None
            and self.override_version >= self.content_version
        )

    def reviewed_version(self):
        """What was approved or, failing that, published of this entry; None if neither."""
        if self.review_state == self.ReviewState.APPROVED:
            override = self.override_applies
            return ReviewedVersion(
                period=self.period,
                level=(self.public_level if override and self.public_level else self.level),
                status_text=(
                    self.public_status_text
                    if override and self.public_status_text
                    else self.status_text
                ),
                risks=self.risks,
                overall_status=self.overall_status,
            )
        published = getattr(self, "published", None)
        if published is None:
            return None
        return ReviewedVersion(
            period=self.period,
            level=published.level,
            status_text=published.status_text,
            risks=published.risks,
            overall_status=published.overall_status,
        )


class ReviewedVersion:
    """An earlier period's entry as approved or published, shown to staff and officials."""

    def __init__(self, *, period, level, status_text, risks="", overall_status=""):
        self.period = period
        self.level = level
        self.status_text = status_text
        self.risks = risks
        self.overall_status = overall_status

    def get_level_display(self):
        return ProgressEntry.Level(self.level).label if self.level else ""

    def get_overall_status_display(self):
        if not self.overall_status:
            return ""
        return ProgressEntry.OverallStatus(self.overall_status).label


class PublishedEntryQuerySet(models.QuerySet):
    def published(self):
        """What residents may see: published versions in published periods."""
        return self.filter(period__published=True)

    def within(self, goal):
        """Published versions of the goal and of every annual goal and action under it."""
        return self.filter(goal__in=Goal.objects.self_and_under(goal).values("pk"))

    def level_counts(self):
        """(council-term goal id, level, count) rows, counted by the database."""
        return (
            self.annotate(
                term_goal_id=Coalesce("goal__parent__parent_id", "goal__parent_id", "goal_id")
            )
            .values_list("term_goal_id", "level")
            .annotate(count=models.Count("pk"))
            .order_by()
        )


class PublishedEntry(models.Model):
    """What residents see of a progress entry: the version frozen when it was last
    published, with the official's override applied.

    Written only by reports.services.publish_entries; public pages, open data, the
    feed and the print report read nothing else.
    """

    entry = models.OneToOneField(
        ProgressEntry,
        verbose_name=_("progress entry"),
        on_delete=models.CASCADE,
        related_name="published",
    )
    # The entry's period and goal again, so that public queries never join the staff side.
    period = models.ForeignKey(
        ReportingPeriod,
        verbose_name=_("reporting period"),
        on_delete=models.CASCADE,
        related_name="published_entries",
    )
    goal = models.ForeignKey(
        Goal, verbose_name=_("goal"), on_delete=models.CASCADE, related_name="published_entries"
    )
    level = models.PositiveSmallIntegerField(
        _("progress level"), choices=ProgressEntry.Level.choices, null=True, blank=True
    )
    status_text = models.TextField(_("status text"), blank=True)
    risks = models.TextField(_("main risks"), blank=True)
    overall_status = models.CharField(
        _("overall status"),
        max_length=10,
        choices=ProgressEntry.OverallStatus.choices,
        blank=True,
    )
    responsible = models.ForeignKey(
        ResponsiblePerson,
        verbose_name=_("responsible person"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    version = models.PositiveIntegerField(_("entry version published"))
    published_at = models.DateTimeField(_("published at"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = PublishedEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("published entry")
        verbose_name_plural = _("published entries")
        ordering = ["period", "goal__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "goal"], name="one_published_entry_per_goal_and_period"
            ),
            models.CheckConstraint(
                condition=models.Q(level__isnull=True) | models.Q(level__gte=1, level__lte=5),
                name="published_level_1_to_5",
            ),
            *text_limits("published", ["status_text", "risks"]),
        ]

    def __str__(self):
        return f"{self.goal.code} · {self.period}"


class PublicRevision(models.Model):
    """A counter raised whenever something residents see may have changed: publishing,
    and officials' edits of goals, persons and periods. Public pages are cached, and
    answer conditional requests, per revision; there is one row."""

    number = models.PositiveBigIntegerField(_("revision"), default=0)
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)

    class Meta:
        verbose_name = _("public revision")
        verbose_name_plural = _("public revisions")

    def __str__(self):
        return f"{self.number} ({self.changed_at:%Y-%m-%d %H:%M})"

    @classmethod
    def current(cls):
        """The current revision, in one primary-key query."""
        revision = cls.objects.filter(pk=1).first()
        return revision or cls(pk=1, number=0, changed_at=timezone.now())

    @classmethod
    def bump(cls):
        """Raise the revision: every cached public page is out of date from now on."""
        now = timezone.now()
        if not cls.objects.filter(pk=1).update(number=models.F("number") + 1, changed_at=now):
            cls.objects.get_or_create(pk=1, defaults={"number": 1, "changed_at": now})


class ImportAnomaly(models.Model):
    """A legacy row the importer could not place, kept whole for an official to resolve."""

    class Reason(models.TextChoices):
        NO_CODE = "no_code", _("row has no code")
        DUPLICATE = "duplicate", _("code already reported in this file")
        BAD_LEVEL = "bad_level", _("progress level is not 1–5")
        BAD_STATUS = "bad_status", _("unknown overall status")
        CONFLICTING_CODES = "conflicting_codes", _("codes in the row disagree")
        BAD_CODE = "bad_code", _("unrecognised code")
        SUSPECTED_MISSPELLING = "misspelling", _("responsible person looks misspelled")
        BAD_PERSON = "bad_person", _("responsible person is not a title")
        PROGRESS_REMOVED = "progress_removed", _("progress stored earlier is missing from the file")
        EDITED_SINCE_IMPORT = "edited", _("the entry was changed after it was imported")
        EXTRA_CELLS = "extra_cells", _("more cells than the header has")
        TEXT_TOO_LONG = "text_too_long", _("status text or risks longer than allowed")

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        PLACED = "placed", _("placed")
        DISMISSED = "dismissed", _("dismissed")

    batch = models.ForeignKey(
        ImportBatch,
        verbose_name=_("import batch"),
        on_delete=models.CASCADE,
        related_name="anomalies",
    )
    line = models.PositiveIntegerField(_("line"))
    cells = models.JSONField(_("cells"), default=list)
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    message = models.TextField(_("message"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resolved by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("import anomaly")
        verbose_name_plural = _("import anomalies")
        ordering = ["batch", "line"]

    def __str__(self):
        return f"{self.batch.filename}:{self.line} – {self.get_reason_display()}"


class Notice(models.Model):
    """An email notice that Seuranta sent, recorded when it was sent (reports/notices.py).

    The record is also what keeps a repeated action from sending a notice again; the
    constraints below say how often each kind may go out: a returned notice once per
    return (the entry's version after it), a period-opened notice and a reminder before
    the deadline once per person and period, a reminder after the deadline at most once
    per person and period a day.
    """

    class Kind(models.TextChoices):
        RETURNED = "returned", _("entry returned")
        PERIOD_OPENED = "opened", _("period opened")
        BEFORE_DEADLINE = "before_deadline", _("reminder before the deadline")
        AFTER_DEADLINE = "after_deadline", _("reminder after the deadline")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    period = models.ForeignKey(
        ReportingPeriod,
        verbose_name=_("reporting period"),
        on_delete=models.CASCADE,
        related_name="notices",
    )
    entry = models.ForeignKey(
        ProgressEntry,
        verbose_name=_("progress entry"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notices",
    )
    # The entry's version that the notice is about: a returned notice goes once per return.
    entry_version = models.PositiveIntegerField(_("entry version"), null=True, blank=True)
    person = models.ForeignKey(
        ResponsiblePerson,
        verbose_name=_("responsible person"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notices",
    )
    address = models.EmailField(_("email address"))
    subject = models.CharField(_("subject"), max_length=255)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    # The local day it was sent on, which the once-a-day rule of late reminders counts.
    sent_on = models.DateField(_("sent on"), default=timezone.localdate)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["entry", "entry_version"],
                condition=models.Q(kind="returned"),
                name="one_returned_notice_per_entry_version",
            ),
            models.UniqueConstraint(
                fields=["period", "person", "kind"],
                condition=models.Q(kind__in=["opened", "before_deadline"]),
                name="one_notice_per_person_and_period",
            ),
            models.UniqueConstraint(
                fields=["period", "person", "sent_on"],
                condition=models.Q(kind="after_deadline"),
                name="one_late_reminder_per_person_and_day",
            ),
        ]
        indexes = [
            # The period dashboard: a period's notices, latest first.
            models.Index(fields=["period", "-sent_at"], name="notice_period_sent"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.address} ({self.period})"


class LevelOverrideQuerySet(models.QuerySet):
    def published(self):
        """What residents may see: overrides in published periods."""
        return self.filter(period__published=True)


class LevelOverride(models.Model):
    """An official's level for a council-term goal or an annual goal in a period, in place
    of the one derived from the published levels under it (reports/rollup.py).

    Public pages show it as set by the strategy team, with its reason, once the period is
    published; the derived level stays beside it.
    """

    goal = models.ForeignKey(
        Goal,
        verbose_name=_("goal"),
        on_delete=models.CASCADE,
        related_name="level_overrides",
        limit_choices_to={"kind__in": [Goal.Kind.GOAL, Goal.Kind.ANNUAL_GOAL]},
        help_text=_("A council-term goal or an annual goal."),
    )
    period = models.ForeignKey(
        ReportingPeriod,
        verbose_name=_("reporting period"),
        on_delete=models.CASCADE,
        related_name="level_overrides",
    )
    level = models.PositiveSmallIntegerField(
        _("progress level"), choices=ProgressEntry.Level.choices
    )
    reason = models.TextField(
        _("reason"),
        max_length=settings.ENTRY_TEXT_LIMIT,
        help_text=_("Shown to residents beside the level."),
    )
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("set by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    set_at = models.DateTimeField(_("set at"), default=timezone.now, editable=False)

    history = HistoricalRecords()
    objects = LevelOverrideQuerySet.as_manager()

    class Meta:
        verbose_name = _("level override")
        verbose_name_plural = _("level overrides")
        ordering = ["period", "goal__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["goal", "period"], name="one_level_override_per_goal_and_period"
            ),
            models.CheckConstraint(
                condition=models.Q(level__gte=1, level__lte=5), name="override_level_1_to_5"
            ),
            # Residents are always told why: an override without a reason is refused.
            models.CheckConstraint(condition=~models.Q(reason=""), name="override_has_reason"),
            *text_limits("override", ["reason"]),
        ]

    def __str__(self):
        return f"{self.goal.code} · {self.period}"

    def clean(self):
        super().clean()
        if self.goal_id is None or self.period_id is None:
            return
        if self.goal.kind == Goal.Kind.ACTION:
            raise ValidationError(
                {"goal": _("Only a council-term goal's or an annual goal's level is derived.")}
            )
        if self.goal.strategy_id != self.period.strategy_id:
            raise ValidationError({"period": _("The period is not of the goal's council term.")})
        if self.goal.year is not None and self.goal.year != self.period.year:
            raise ValidationError({"period": _("The period is not of the annual goal's year.")})
        if not self.reason.strip():
            raise ValidationError({"reason": _("Tell residents why the level is set.")})


class CouncilReportFile(models.Model):
    """A published period's council report as a PDF, laid out for one public revision in
    one language (reports/council_report.py). Laying out hundreds of pages takes longer
    than a request may, so a large period's report is built in the background or by
    `build_council_reports`, and kept here until the next publishing makes it stale."""

    period = models.ForeignKey(
        ReportingPeriod,
        verbose_name=_("reporting period"),
        on_delete=models.CASCADE,
        related_name="council_reports",
    )
    language = models.CharField(_("language"), max_length=10)
    revision = models.PositiveIntegerField(_("public revision"))
    pdf = models.BinaryField(_("PDF"))
    built_at = models.DateTimeField(_("built at"), default=timezone.now)

    class Meta:
        verbose_name = _("council report")
        verbose_name_plural = _("council reports")
        constraints = [
            models.UniqueConstraint(
                fields=["period", "language"], name="one_council_report_per_language"
            )
        ]

    def __str__(self):
        return f"{self.period} ({self.language})"


def validate_colour(value):
    """A #rrggbb colour that white text is readable on (WCAG AA: contrast of 4.5 or more),
    since the public pages put their header's text on it."""
    if not re.fullmatch(r"#[0-9a-fA-F]{6}", value):
        raise ValidationError(_("Write the colour as #rrggbb, for example #00437a."))
    ratio = contrast_with_white(value)
    if ratio < 4.5:
        raise ValidationError(
            _(
                "White text on %(colour)s has a contrast of %(ratio)s; at least %(needed)s is "
                "needed. Choose a darker colour."
            )
            % {"colour": value, "ratio": number_format(ratio, 1), "needed": number_format(4.5, 1)}
        )


def contrast_with_white(colour):
    """WCAG 2.1's contrast ratio of white against a #rrggbb colour."""

    def channel(hex_pair):
        value = int(hex_pair, 16) / 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(colour[index : index + 2]) for index in (1, 3, 5))
    luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    return 1.05 / (luminance + 0.05)


class SiteIdentity(models.Model):
    """Whose site this is: the municipality's name, logo, colour and contact on every
    public page. One record, edited by officials in the admin; until it exists, the
    defaults come from settings (MUNICIPALITY_NAME and the SITE_* settings)."""

    LOGO_TYPES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}
    MAX_LOGO_BYTES = 200 * 1024

    name = models.CharField(_("municipality"), max_length=100)
    name_sv = models.CharField(_("municipality in Swedish"), max_length=100, blank=True)
    name_en = models.CharField(_("municipality in English"), max_length=100, blank=True)
    colour = models.CharField(
        _("colour"),
        max_length=7,
        validators=[validate_colour],
        help_text=_("The header's background, as #rrggbb; white text must be readable on it."),
    )
    logo = models.BinaryField(_("logo"), blank=True, default=b"")
    logo_type = models.CharField(_("logo's file type"), max_length=20, blank=True)
    logo_text = models.CharField(
        _("logo's text alternative"),
        max_length=200,
        blank=True,
        help_text=_("What the logo says, for screen readers; usually the municipality's name."),
    )
    email = models.EmailField(_("contact email"), blank=True)
    phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    address = models.TextField(_("postal address"), blank=True)
    website = models.URLField(_("the municipality's website"), blank=True)
    changed_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        verbose_name = _("site identity")
        verbose_name_plural = _("site identity")

    def __str__(self):
        return self.name

    @classmethod
    def current(cls, *, with_logo=True):
        """The record, or (before an official saves one) the defaults from settings.
        Without the logo's bytes unless `with_logo`."""
        records = cls.objects.order_by("pk")
        identity = (records if with_logo else records.defer("logo")).first()
        if identity is None:
            identity = cls(
                name=settings.MUNICIPALITY_NAME,
                name_sv=settings.MUNICIPALITY_NAME_SV,
                name_en=settings.MUNICIPALITY_NAME_EN,
                colour=settings.SITE_COLOUR,
                email=settings.SITE_CONTACT_EMAIL,
                phone=settings.SITE_CONTACT_PHONE,
                address=settings.SITE_CONTACT_ADDRESS,
                website=settings.SITE_WEBSITE,
            )
        return identity

    def name_in(self, language):
        return getattr(self, f"name_{language}", "") or self.name

    @classmethod
    def logo_type_of(cls, content):
        """The image type of a logo file (PNG or JPEG), or None."""
        for magic, content_type in cls.LOGO_TYPES.items():
            if content.startswith(magic):
                return content_type
        return None
