"""A period's entries as open data: the same fields in JSON, CSV and XLSX.

The JSON and the CSV are for programs: their keys and values are the same whatever the
language (`FIELDS`; the kind, level and overall status as stored). The XLSX is for people:
in the active language, headed and labelled as the admin's export heads and labels them
(reports/resources.py), with a second sheet that explains every column.

The JSON and the XLSX also say what they are, so that a downloaded file stands alone:
the source, the licence, the period's dates and when it was published (`metadata()`).
"""

import csv
import io
import json
import re

from django.conf import settings
from django.utils.text import capfirst
from django.utils.translation import get_language, gettext_lazy, pgettext_lazy
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from goals.models import Goal
from reports.models import ProgressEntry, PublishedEntry, ReportingPeriod

FIELDS = [
    "code",
    "title",
    "kind",
    "level",
    "status_text",
    "risks",
    "overall_status",
    "responsible",
]
LICENCE = "CC BY 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
# Spreadsheet programs run a cell that starts with one of these as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

# What each column of the XLSX holds, on its second sheet.
COLUMN_MEANINGS = {
    "code": gettext_lazy(
        "The code of the goal or action: 01. is a council-term goal, 01.05 an annual goal "
        "under it and 01.05.02 an action under that."
    ),
    "title": gettext_lazy("The title of the goal or action, as the municipality wrote it."),
    "kind": gettext_lazy(
        "Whether the entry is of a council-term goal, an annual goal or an action."
    ),
    "level": gettext_lazy(
        "How far the goal or action has progressed in the reporting period, on a scale of "
        "1 to 5, with what the level means; empty when no level was given."
    ),
    "status_text": gettext_lazy(
        "What the person responsible reported on the progress, as they wrote it."
    ),
    "risks": gettext_lazy(
        "The main risks to the goal or action, as the person responsible wrote them."
    ),
    # The about page's sentence (templates/public/about.html).
    "overall_status": gettext_lazy(
        "The overall status is a traffic light (green, yellow, red) set by the person "
        "responsible; older reports may not have one."
    ),
    "responsible": gettext_lazy("The title of the person responsible for the goal or action."),
}
# The XLSX's labels of metadata()'s keys.
METADATA_LABELS = {
    "title": gettext_lazy("Data set"),
    "source": pgettext_lazy("open data", "Source"),
    "licence": gettext_lazy("Licence"),
    "licence_url": gettext_lazy("Licence text"),
    "term": gettext_lazy("council term"),
    "period": ReportingPeriod._meta.verbose_name,
    "period_start": ReportingPeriod._meta.get_field("start_date").verbose_name,
    "period_end": ReportingPeriod._meta.get_field("end_date").verbose_name,
    "published_at": ReportingPeriod._meta.get_field("published_at").verbose_name,
}
# Characters that a sheet's name may not hold, and its greatest length.
SHEET_NAME_FORBIDDEN = re.compile(r"[\\/*?:\[\]]")
SHEET_NAME_LENGTH = 31


def period_records(period, *, published=False):
    """One dict per entry of the period, in code order.

    With `published`, the published versions that the public sees (and only those);
    otherwise every entry as staff and officials have it now.
    """
    if published:
        entries = PublishedEntry.objects.published().filter(period=period)
    else:
        entries = ProgressEntry.objects.filter(period=period)
    rows = entries.order_by("goal__code").values_list(
        "goal__code",
        "goal__title",
        "goal__kind",
        "level",
        "status_text",
        "risks",
        "overall_status",
        "responsible__title",
    )
    return [
        {
            "code": code,
            "title": title,
            "kind": kind,
            "level": level,
            "status_text": status_text,
            "risks": risks,
            "overall_status": overall_status or None,
            "responsible": responsible,
        }
        for code, title, kind, level, status_text, risks, overall_status, responsible in rows
    ]


def spreadsheet_safe(value):
    """A cell value that Excel shows as text, never runs as a formula."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def metadata(period):
    """What the data is and whose: the same keys in the JSON and the XLSX."""
    published_at = period.published_at
    return {
        "title": f"Seuranta: {period.strategy}, {period.label}",
        "source": settings.MUNICIPALITY_NAME,
        "licence": LICENCE,
        "licence_url": LICENCE_URL,
        "term": period.strategy.term,
        "period": period.label,
        "period_start": period.start_date.isoformat(),
        "period_end": period.end_date.isoformat(),
        "published_at": published_at.isoformat(timespec="seconds") if published_at else None,
    }


def to_json(period, records):
    return json.dumps(
        {**metadata(period), "entries": records},
        ensure_ascii=False,
        indent=2,
    )


def to_csv(records):
    """CSV with a byte-order mark, so that Excel opens it as UTF-8."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=FIELDS, lineterminator="\r\n")
    writer.writeheader()
    for record in records:
        writer.writerow({key: spreadsheet_safe(value) for key, value in record.items()})
    return "\ufeff" + buffer.getvalue()


def column_headers():
    """The XLSX's column headers in the active language, by key of FIELDS: the headers of
    the admin's export (reports/resources.py), as its column checkboxes show them."""
    # Imported here: reports.resources imports this module.
    from reports.resources import ProgressEntryResource

    return {name: capfirst(str(ProgressEntryResource.fields[name].column_name)) for name in FIELDS}


def readable(record):
    """A record's values as a person reads them in the active language: the kind, level
    and overall status by their labels ("Action", "3 – Implementation started, not yet
    complete", "Green"). Texts written by the municipality stay as written."""
    from reports.resources import _choice

    return {
        **record,
        "kind": capfirst(str(_choice(Goal.Kind, record["kind"]))),
        "level": str(_choice(ProgressEntry.Level, record["level"])),
        "overall_status": capfirst(
            str(_choice(ProgressEntry.OverallStatus, record["overall_status"]))
        ),
    }


def sheet_name(text):
    """`text` as a name that Excel takes for a sheet."""
    return SHEET_NAME_FORBIDDEN.sub(" ", str(text))[:SHEET_NAME_LENGTH].strip()


def append_row(sheet, values, *, font=None):
    """Append a row to a sheet, every value through `spreadsheet_safe`."""
    sheet.append([spreadsheet_safe(value) for value in values])
    if font is not None:
        for cell in sheet[sheet.max_row]:
            cell.font = font


def to_xlsx(period, records):
    """An .xlsx workbook in the active language, for people.

    The entries on the first sheet, headed and labelled in the language; what the data is
    (source, licence, the period, its publication) and what each column holds on the
    second, and in the document's properties. Every cell goes through `spreadsheet_safe`
    (`append_row`): text that looks like a formula stays text.
    """
    about = metadata(period)
    headers = column_headers()
    bold = Font(bold=True)
    workbook = Workbook()

    sheet = workbook.active
    sheet.title = sheet_name(capfirst(ProgressEntry._meta.verbose_name_plural))
    append_row(sheet, [headers[key] for key in FIELDS], font=bold)
    for record in records:
        shown = readable(record)
        append_row(sheet, [shown[key] for key in FIELDS])
    sheet.freeze_panes = "A2"
    for column, width in zip("ABCDEFGH", (10, 50, 18, 40, 60, 40, 16, 24), strict=True):
        sheet.column_dimensions[column].width = width

    described = workbook.create_sheet(sheet_name(_("About the data")))
    for key, value in about.items():
        append_row(described, [capfirst(str(METADATA_LABELS[key])), value])
        described.cell(row=described.max_row, column=1).font = bold
    described.append([])
    append_row(described, [_("Column"), _("Meaning"), _("Name in CSV and JSON")], font=bold)
    for key in FIELDS:
        append_row(described, [headers[key], str(COLUMN_MEANINGS[key]), key])
        described.cell(row=described.max_row, column=2).alignment = Alignment(wrap_text=True)
    for column, width in zip("ABC", (24, 80, 22), strict=True):
        described.column_dimensions[column].width = width

    workbook.properties.title = about["title"]
    workbook.properties.creator = about["source"]
    workbook.properties.description = f"{about['source']}, {LICENCE} ({LICENCE_URL})"
    workbook.properties.language = get_language()
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
