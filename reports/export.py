"""A period's entries as open data: the same fields in JSON, CSV and XLSX.

The JSON and the XLSX also say what they are, so that a downloaded file stands alone:
the source, the licence, the period's dates and when it was published (`metadata()`).
"""

import csv
import io
import json

from django.conf import settings
from openpyxl import Workbook

from reports.models import ProgressEntry, PublishedEntry

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


def to_xlsx(period, records):
    """An .xlsx workbook: the entries on the first sheet, text that looks like a formula
    kept as text; what the data is on a second sheet and in the document's properties."""
    about = metadata(period)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Seuranta"
    sheet.append(FIELDS)
    for record in records:
        sheet.append([spreadsheet_safe(record[key]) for key in FIELDS])
    described = workbook.create_sheet("metadata")
    for key, value in about.items():
        described.append([key, spreadsheet_safe(value)])
    workbook.properties.title = about["title"]
    workbook.properties.creator = about["source"]
    workbook.properties.description = f"{about['source']}, {LICENCE} ({LICENCE_URL})"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
