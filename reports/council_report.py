"""The council report of a published period: what a council member reads on paper or as
a PDF (reports/views/report.py).

A cover (the municipality, the strategy, the period, when it was published), a summary
of the levels, contents, then each council-term goal with its annual goals and, under
each annual goal's heading, its actions. Built only from published entries.

The PDF is laid out by WeasyPrint from templates/public/report_pdf.html (CSS paged media:
A4, page numbers, no browser headers). That takes about 45 s for a period of 2,000 entries
(bench/council_report_pdf.py), so a period of more than
settings.COUNCIL_REPORT_SYNC_ENTRIES entries is laid out in a background thread or by
`manage.py build_council_reports` (cron, deploy/start), and every PDF is kept
(CouncilReportFile) until a publishing raises the public revision.
"""

import logging
import threading
from collections import Counter
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import connection
from django.template.loader import render_to_string
from django.utils import timezone, translation

from goals.models import Goal
from reports.models import (
    CouncilReportFile,
    ProgressEntry,
    PublicRevision,
    PublishedEntry,
    ReportingPeriod,
    SiteIdentity,
)

logger = logging.getLogger(__name__)

Kind = Goal.Kind


@dataclass
class AnnualSection:
    goal: Goal
    entry: PublishedEntry | None = None  # the annual goal's own published entry
    actions: list = field(default_factory=list)


@dataclass
class TermSection:
    goal: Goal
    entry: PublishedEntry | None = None  # the council-term goal's own published entry
    annual: dict = field(default_factory=dict)  # annual goal id -> AnnualSection
    levels: Counter = field(default_factory=Counter)  # level (or None) -> entries

    @property
    def annual_sections(self):
        return sorted(self.annual.values(), key=lambda section: section.goal.code)

    @property
    def distribution(self):
        return level_rows(self.levels)


def level_rows(levels):
    """Each level 1–5 with its label and number of entries, and the entries with none."""
    rows = [
        {"level": level, "label": label, "count": levels.get(level, 0)}
        for level, label in ProgressEntry.Level.choices
    ]
    return {"rows": rows, "no_level": levels.get(None, 0), "total": sum(levels.values())}


@dataclass
class Report:
    period: object
    sections: list
    levels: Counter

    @property
    def total(self):
        return sum(self.levels.values())

    @property
    def summary(self):
        return level_rows(self.levels)


def build(period):
    """The report of a published period, in two queries."""
    entries = (
        PublishedEntry.objects.published()
        .filter(period=period)
        .select_related("goal__parent__parent", "responsible")
        .order_by("goal__code")
    )
    sections = {}
    levels = Counter()

    def term_section(goal):
        return sections.setdefault(goal.pk, TermSection(goal))

    for entry in entries:
        goal = entry.goal
        levels[entry.level] += 1
        section = term_section(goal.term_goal)
        section.levels[entry.level] += 1
        if goal.kind == Kind.GOAL:
            section.entry = entry
            continue
        annual_goal = goal if goal.kind == Kind.ANNUAL_GOAL else goal.parent
        annual = section.annual.setdefault(annual_goal.pk, AnnualSection(annual_goal))
        if goal.kind == Kind.ANNUAL_GOAL:
            annual.entry = entry
        else:
            annual.actions.append(entry)
    ordered = sorted(sections.values(), key=lambda section: section.goal.code)
    return Report(period=period, sections=ordered, levels=levels)


def stored_pdf(period, language):
    """The period's PDF in `language` laid out for the current public revision, or None."""
    return (
        CouncilReportFile.objects.filter(
            period=period, language=language, revision=PublicRevision.current().number
        )
        .values_list("pdf", flat=True)
        .first()
    )


def lay_out(period, language):
    """The period's report as PDF bytes, in `language`."""
    # Imported here: WeasyPrint loads Pango when imported, which only the report needs.
    from weasyprint import HTML

    with translation.override(language):
        identity = SiteIdentity.current()
        html = render_to_string(
            "public/report_pdf.html",
            {
                "report": build(period),
                "period": period,
                "municipality": identity.name_in(language),
                "LANGUAGE_CODE": language,
            },
        )
    return HTML(string=html, url_fetcher=_fetch_nothing).write_pdf()


def build_and_store(period, language):
    """Lay out the period's PDF in `language` and keep it for the current revision (read
    before laying out: a publishing meanwhile leaves the new PDF stale, not wrong)."""
    revision = PublicRevision.current().number
    pdf = lay_out(period, language)
    CouncilReportFile.objects.update_or_create(
        period=period,
        language=language,
        defaults={"revision": revision, "pdf": pdf, "built_at": timezone.now()},
    )
    return pdf


def build_in_background(period, language):
    """Start laying out the PDF in a thread of this process, once per period, language
    and revision however many residents ask meanwhile. Returns the thread, or None if
    one is already at it."""
    key = f"council-report:{period.pk}:{language}:{PublicRevision.current().number}"
    if not cache.add(key, True, timeout=15 * 60):
        return None
    thread = threading.Thread(
        target=_build_then_close, args=(period.pk, language, key), daemon=True
    )
    thread.start()
    return thread


def _build_then_close(period_pk, language, key):
    try:
        build_and_store(ReportingPeriod.objects.get(pk=period_pk), language)
    except Exception:
        logger.exception("the council report of period %s could not be laid out", period_pk)
        cache.delete(key)  # the next request tries again
    finally:
        connection.close()  # the thread's own database connection


def _fetch_nothing(url, *args, **kwargs):
    """The report needs no file from anywhere: its style is in the page."""
    raise ValueError(f"the council report fetches nothing ({url})")
