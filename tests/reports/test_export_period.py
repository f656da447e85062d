"""The export_period command: a period's entries as open data."""

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command

from reports.models import ProgressEntry
from tests.builders import FILE_2021, FILE_2022, run_import

pytestmark = pytest.mark.django_db

FIELDS = ["code", "title", "kind", "level", "status_text", "risks", "overall_status", "responsible"]


def export(*args):
    out = io.StringIO()
    call_command("export_period", *args, stdout=out)
    return out.getvalue()


def test_it_exports_every_entry_of_the_period_as_json(demo_persons):
    run_import(FILE_2021)

    data = json.loads(export("1-9/2021", "--format", "json"))

    assert data["period"] == "1–9/2021"
    assert data["term"] == "2017–2021"
    assert len(data["entries"]) == 59
    by_code = {entry["code"]: entry for entry in data["entries"]}
    assert list(by_code["03.06"]) == FIELDS
    assert by_code["03.06"]["kind"] == "annual_goal"
    assert by_code["03.06"]["level"] == 3
    assert by_code["03.06"]["responsible"] == "Talousjohtaja"
    assert by_code["10."]["kind"] == "goal"
    assert by_code["12.03.01"]["kind"] == "action"
    assert by_code["12.03.01"]["overall_status"] is None


def test_it_writes_null_for_a_missing_level_and_person():
    run_import(FILE_2022)
    ProgressEntry.objects.filter(goal__code="01.03.02").update(level=None)

    data = json.loads(export("1-8/2022"))

    entry = next(e for e in data["entries"] if e["code"] == "01.03.02")
    assert entry["level"] is None
    assert entry["responsible"] is None


def test_it_exports_csv_that_excel_opens_as_utf8_and_never_runs_as_formulas(tmp_path):
    run_import(FILE_2022)
    ProgressEntry.objects.filter(goal__code="01.03.02").update(
        status_text='=HYPERLINK("http://evil")', risks="+358 40 123"
    )
    ProgressEntry.objects.filter(goal__code="01.05").update(status_text="@SUM(A1)")
    ProgressEntry.objects.filter(goal__code="01.06").update(status_text="-1 tavoite")
    output = tmp_path / "export.csv"

    export("1-8/2022", "--format", "csv", "--output", str(output))

    raw = output.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert list(rows[0]) == FIELDS
    assert len(rows) == 49
    by_code = {row["code"]: row for row in rows}
    assert by_code["01.03.02"]["status_text"] == '\'=HYPERLINK("http://evil")'
    assert by_code["01.03.02"]["risks"] == "'+358 40 123"
    assert by_code["01.05"]["status_text"] == "'@SUM(A1)"
    assert by_code["01.06"]["status_text"] == "'-1 tavoite"
    assert by_code["01.06.01"]["level"] == "5"
    assert by_code["01.06.01"]["title"].startswith("Siirrämme uusien aktivointi")


def test_it_refuses_an_unknown_period():
    run_import(FILE_2022)

    with pytest.raises(CommandError, match="there is no reporting period 1–4/2022"):
        export("1-4/2022")
