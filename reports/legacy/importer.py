"""Writing a legacy file into the database: all of it, or nothing."""

import hashlib
import re
from dataclasses import asdict, dataclass, field
from pathlib import PurePath

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from goals.models import Goal, ResponsiblePerson, Strategy, normalize_title
from reports import services
from reports.models import (
    ImportAnomaly,
    ImportBatch,
    ProgressEntry,
    PublicRevision,
    ReportingPeriod,
)
from seuranta.bulk import create_with_history

from .errors import LegacyFileError
from .reader import read_table
from .rows import understand
from .titles import NearTitles, closest_title, spelling_groups

TERM = re.compile(r"^\s*(\d{4})\s*[-–—]\s*(\d{4})\s*$")
# A responsible-person cell longer than this is text in the wrong column, not a title.
LONGEST_TITLE = 100


@dataclass
class ImportSummary:
    filename: str
    period: str
    term: str
    dry_run: bool
    rows_read: int = 0
    blank: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    structural: int = 0
    anomalies: list[dict] = field(default_factory=list)
    notes: list[dict] = field(default_factory=list)
    # How the file was read: format, encoding, delimiter, sheet, header line, in words.
    read_as: dict = field(default_factory=dict)
    new_persons: list[str] = field(default_factory=list)
    goals_created: int = 0
    period_id: int | None = None
    batch_id: int | None = None
    changed: bool = False

    def as_dict(self):
        data = asdict(self)
        data["counts"] = {
            key: data.pop(key)
            for key in ("rows_read", "blank", "created", "updated", "unchanged", "structural")
        }
        data["counts"]["anomalies"] = len(self.anomalies)
        return data


def parse_term(term):
    match = TERM.match(term or "")
    if not match or int(match.group(1)) > int(match.group(2)):
        return None
    return int(match.group(1)), int(match.group(2))


def import_legacy_file(
    *, content, filename, period, term=None, user=None, dry_run=False, sheet=None
):
    """Import one legacy export into a reporting period and return what happened.

    Every row after the header ends as an entry, a structural row, an anomaly or
    a blank; the summary's counts add up to the rows read. Raises
    LegacyFileError, with nothing written, for a file that cannot be read. Of a workbook,
    the sheet named `sheet` is read, or the first.
    Importing the same file into the same period again changes nothing.
    """
    table = read_table(content, filename, sheet=sheet)
    rows = understand(table)
    label = ReportingPeriod.canonical_label(period)
    if label is None:
        raise LegacyFileError(
            filename,
            _("“%(period)s” is not a reporting period; write it like 1-8/2022 or 2022")
            % {"period": period},
        )
    with transaction.atomic():
        writer = _Writer(
            content=content,
            filename=filename,
            label=label,
            term=term,
            user=user,
            dry_run=dry_run,
        )
        summary = writer.write(table, rows)
        summary.read_as = {
            **asdict(table.reading),
            "header_line": table.header_line,
            "description": table.reading.describe(),
        }
        if dry_run:
            transaction.set_rollback(True)
            summary.period_id = summary.batch_id = None  # rolled back with everything else
        elif summary.changed:
            PublicRevision.bump()  # a goal's title may have been filled in
    return summary


class _Writer:
    def __init__(self, *, content, filename, label, term, user, dry_run):
        self.content = content
        self.filename = filename
        self.stored_name = PurePath(filename).name[-255:]
        self.user = user
        year, start, end = ReportingPeriod.dates_for(label)
        self.strategy = self._strategy(term, year)
        self.period, period_created = ReportingPeriod.objects.get_or_create(
            strategy=self.strategy,
            label=label,
            defaults={"year": year, "start_date": start, "end_date": end},
        )
        # One import into a period at a time: the same file imported twice at once would
        # otherwise make two batches (or fail on a goal both create), each run reading the
        # period before the other wrote. The lock is held to the end of the import's
        # transaction; the second run then reads the first one's batch, persons, goals and
        # entries, and changes nothing. A "no key" lock leaves writes of rows that refer to
        # the period, such as a reporter's new entry, free to go on meanwhile.
        self.period = ReportingPeriod.objects.select_for_update(no_key=True).get(pk=self.period.pk)
        self.year = year
        self.sha256 = hashlib.sha256(content).hexdigest()
        self.batch = ImportBatch.objects.filter(period=self.period, sha256=self.sha256).first()
        self.batch_is_new = False
        self.recorded_lines = (
            set(self.batch.anomalies.values_list("line", flat=True)) if self.batch else set()
        )
        self.summary = ImportSummary(
            filename=filename, period=label, term=self.strategy.term, dry_run=dry_run
        )
        self.summary.changed = period_created
        self.summary.period_id = self.period.pk
        self.persons = ResponsiblePerson.objects.by_title()
        self.title_noted = set()
        self.goals = {
            (goal.year, goal.code): goal
            for goal in Goal.objects.filter(
                Q(year__isnull=True) | Q(year=year), strategy=self.strategy
            )
        }
        # The period's entries, their rows locked to the end of the import: a reporter's
        # save meanwhile waits, and then finds the entry changed; none is overwritten.
        self.entries = {
            entry.goal_id: entry
            for entry in ProgressEntry.objects.select_for_update(of=("self",)).filter(
                period=self.period
            )
        }
        self.writes = services.ImportWrites(period=self.period, user=user)
        self.new_goals = []  # made as rows need them, saved together at the end
        self.touched = set()  # (year, code) of the goals whose entry a row of this file gave

    def _strategy(self, term, year):
        if term:
            years = parse_term(term)
            if years is None:
                raise LegacyFileError(
                    self.filename,
                    _("“%(term)s” is not a council term; write it like 2021-2025") % {"term": term},
                )
            if not years[0] <= year <= years[1]:
                raise LegacyFileError(
                    self.filename,
                    _("the period's year %(year)s is outside the term %(term)s")
                    % {"year": year, "term": term},
                )
            strategy, _created = Strategy.objects.get_or_create(
                start_year=years[0], end_year=years[1]
            )
            return strategy
        candidates = list(Strategy.objects.filter(start_year__lte=year, end_year__gte=year))
        if len(candidates) != 1:
            raise LegacyFileError(
                self.filename,
                _("name the council term of year %(year)s with --term, e.g. --term 2021-2025")
                % {"year": year},
            )
        return candidates[0]

    def get_batch(self):
        if self.batch is None:
            self.batch = ImportBatch.objects.create(
                period=self.period,
                filename=self.stored_name,
                sha256=self.sha256,
                content=self.content,
                imported_by=self.user,
            )
            self.batch_is_new = True
        return self.batch

    def write(self, table, rows):
        summary = self.summary
        summary.rows_read = len(rows)
        unknown = self._unknown_titles(rows)
        # Unknown titles that look like spellings of one another: with no known title to
        # compare with, none of them is taken for the right one (`Talusohtaja`,
        # `Talusojohtaja` and `Taloustohtaja` in one file are all reported).
        self.variants = spelling_groups(unknown)
        self.known_titles = NearTitles()
        for key in self.persons:
            self.known_titles.add(key)
        for header in table.ignored_columns:
            summary.notes.append(
                {
                    "line": table.header_line,
                    "message": _("column “%(header)s” is not read") % {"header": header},
                }
            )
        placed_lines = set()
        for row in rows:
            for note in row.notes:
                summary.notes.append({"line": row.line, "message": note})
            if row.outcome == "blank":
                summary.blank += 1
                continue
            if row.outcome != "anomaly":
                person = self._person(row)
                if person is False:
                    continue  # recorded as an anomaly
                goal = self._goal(row.codes, row.line)
                if row.outcome == "structural" and self._progress_removed(row, goal):
                    continue  # recorded as an anomaly
                if row.outcome == "structural":
                    summary.structural += 1
                    if person and goal.responsible_id is None:
                        self._set_responsible(goal, person)
                elif not self._entry(row, goal, person):
                    continue  # recorded as an anomaly
                placed_lines.add(row.line)
                continue
            self._anomaly(row.line, row.cells, row.reason, row.message)

        for kind in (Goal.Kind.GOAL, Goal.Kind.ANNUAL_GOAL, Goal.Kind.ACTION):
            # Parents first, so that each goal's parent has its id when it is saved.
            create_with_history(
                [goal for goal in self.new_goals if goal.kind == kind], Goal, user=self.user
            )
        self.writes.save()

        if self.batch is not None and not self.batch_is_new:
            # Rows that an earlier import of this file could not place, and now could.
            now_placed = services.resolve_anomalies(
                self.batch.anomalies.filter(line__in=placed_lines),
                status=ImportAnomaly.Status.PLACED,
                user=self.user,
            )
            summary.changed |= bool(now_placed)

        if summary.changed:
            batch = self.get_batch()
            batch.summary = summary.as_dict()
            batch.save(update_fields=["summary"])
            summary.batch_id = batch.pk
        return summary

    def _unknown_titles(self, rows):
        """The file's responsible-person titles that no person has: comparison form -> title."""
        unknown = {}
        for row in rows:
            title = " ".join(row.responsible.split())
            key = normalize_title(title)
            if title and key not in self.persons and len(title) <= LONGEST_TITLE:
                unknown.setdefault(key, title)
        return unknown

    def _progress_removed(self, row, goal):
        """Whether a title-only row stands where the period already had progress stored.

        A corrected file would otherwise say "nothing changed" while it no longer
        holds the progress that the database keeps.
        """
        entry = self.entries.get(goal.pk) if goal.pk else None
        if entry is None or (goal.year, goal.code) in self.touched:
            return False
        self._anomaly(
            row.line,
            row.cells,
            ImportAnomaly.Reason.PROGRESS_REMOVED,
            _(
                "%(code)s has no progress in this row, but progress is stored for this period "
                "(level %(level)s); the stored progress was kept"
            )
            % {"code": goal.code, "level": entry.level or "–"},
        )
        return True

    def _person(self, row):
        """The row's responsible person: None if it names none, False if made an anomaly."""
        title = " ".join(row.responsible.split())
        if not title:
            return None
        key = normalize_title(title)
        if key in self.persons:
            return self.persons[key]
        if len(title) > LONGEST_TITLE:
            self._anomaly(
                row.line,
                row.cells,
                ImportAnomaly.Reason.BAD_PERSON,
                _("the responsible-person cell holds %(length)s characters: not a job title")
                % {"length": len(title)},
            )
            return False
        known = closest_title(key, self.known_titles.near(key))
        if known:
            self._anomaly(
                row.line,
                row.cells,
                ImportAnomaly.Reason.SUSPECTED_MISSPELLING,
                _(
                    "responsible person “%(title)s” looks like a misspelling of “%(known)s”: "
                    "add it as an alias of that person, or as a new person, and import again"
                )
                % {"title": title, "known": self.persons[known].title},
            )
            return False
        if key in self.variants:
            self._anomaly(
                row.line,
                row.cells,
                ImportAnomaly.Reason.SUSPECTED_MISSPELLING,
                _(
                    "responsible persons %(titles)s in this file look like spellings of one "
                    "title: add the right one as a person and the others as its aliases, and "
                    "import again"
                )
                % {"titles": ", ".join(f"“{variant}”" for variant in self.variants[key])},
            )
            return False
        person = ResponsiblePerson.objects.create(title=title)
        self.persons[key] = person
        self.known_titles.add(key)
        self.summary.new_persons.append(person.title)
        self.summary.changed = True
        return person

    def _goal(self, codes, line):
        """The row's subject goal, creating it and its ancestors as needed."""
        titles = {code.text: code.title for code in codes}
        subject = codes[-1]
        parent = None
        for code in [*subject.ancestors(), subject]:
            year = None if code.kind == Goal.Kind.GOAL else self.year
            goal = self.goals.get((year, code.text))
            title = titles.get(code.text, "")
            if goal is None:
                goal = Goal(
                    strategy=self.strategy,
                    year=year,
                    kind=code.kind,
                    code=code.text,
                    title=title,
                    parent=parent,
                )
                self.new_goals.append(goal)
                self.goals[(year, code.text)] = goal
                self.summary.goals_created += 1
                self.summary.changed = True
            elif title and not goal.title:
                goal.title = title
                if goal.pk is not None:
                    goal.save(update_fields=["title"])
                self.summary.changed = True
            elif title and title != goal.title and code.text not in self.title_noted:
                self.title_noted.add(code.text)
                self.summary.notes.append(
                    {
                        "line": line,
                        "message": _(
                            "the title of %(code)s differs from the stored one, which was kept: "
                            "“%(title)s”"
                        )
                        % {"code": code.text, "title": title},
                    }
                )
            parent = goal
        return parent

    def _entry(self, row, goal, person):
        """Create or update the goal's entry; False if the row became an anomaly instead."""
        values = {
            "level": row.level,
            "status_text": row.status_text,
            "risks": row.risks,
            "overall_status": row.overall_status,
            "responsible_id": person.pk if person else None,
        }
        if person and goal.responsible_id is None:
            self._set_responsible(goal, person)
        self.touched.add((goal.year, goal.code))
        outcome, entry = self.writes.add(
            entry=self.entries.get(goal.pk) if goal.pk else None,
            goal=goal,
            values=values,
            get_batch=self.get_batch,
            line=row.line,
        )
        if outcome == services.ImportOutcome.EDITED_SINCE_IMPORT:
            # Staff or an official changed it in Seuranta: their work is not overwritten.
            self._anomaly(
                row.line,
                row.cells,
                ImportAnomaly.Reason.EDITED_SINCE_IMPORT,
                _(
                    "%(code)s was changed in Seuranta after it was imported; the file's "
                    "values were not applied"
                )
                % {"code": goal.code},
            )
            return False
        if goal.pk is not None:
            self.entries[goal.pk] = entry
        if outcome == services.ImportOutcome.UNCHANGED:
            self.summary.unchanged += 1
        else:
            setattr(self.summary, outcome, getattr(self.summary, outcome) + 1)
            self.summary.changed = True
        return True

    def _set_responsible(self, goal, person):
        goal.responsible = person
        if goal.pk is not None:  # a new goal is saved with it
            goal.save(update_fields=["responsible"])
        self.summary.changed = True

    def _anomaly(self, line, cells, reason, message):
        self.summary.anomalies.append({"line": line, "reason": str(reason), "message": message})
        if line in self.recorded_lines:
            return  # recorded by an earlier import of this same file
        ImportAnomaly.objects.create(
            batch=self.get_batch(), line=line, cells=cells, reason=reason, message=message
        )
        self.summary.changed = True
