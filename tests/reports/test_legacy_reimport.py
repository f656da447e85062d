"""Importing again, dry runs, and the command's output."""

import io
import json

import pytest
from django.core.management import call_command

from goals.models import PersonAlias, ResponsiblePerson
from reports.models import ImportAnomaly, ImportBatch, ProgressEntry
from tests.builders import FILE_2021, FILE_2022, FILE_2023, run_import, table_counts

pytestmark = pytest.mark.django_db


def test_it_changes_nothing_when_the_same_file_is_imported_again(demo_persons):
    first = run_import(FILE_2021)
    counts = table_counts()

    again = run_import(FILE_2021)

    assert table_counts() == counts
    assert again["changed"] is False
    assert again["counts"]["unchanged"] == first["counts"]["created"] == 59
    assert again["counts"]["created"] == again["counts"]["updated"] == 0
    assert again["anomalies"] == first["anomalies"]


def test_it_says_that_nothing_changed(demo_persons):
    run_import(FILE_2021)
    out = io.StringIO()

    call_command(
        "import_legacy", str(FILE_2021), "--period", "1-9/2021", "--term", "2017-2021", stdout=out
    )

    assert "Nothing changed" in out.getvalue()
    assert "59 unchanged" in out.getvalue()


def test_it_updates_entries_from_a_corrected_file(tmp_path):
    run_import(FILE_2022)
    corrected = tmp_path / "corrected.txt"
    corrected.write_text(
        FILE_2022.read_text(encoding="utf-8").replace(
            "Keusoten taloutta seurataan aktiivisesti.", "Korjattu teksti."
        ),
        encoding="utf-8",
    )

    summary = run_import(corrected, period="1-8/2022", term="2021-2025")

    assert summary["counts"]["updated"] == 1
    assert summary["counts"]["unchanged"] == 48
    entry = ProgressEntry.objects.get(goal__code="01.03.02")
    assert entry.status_text.startswith("Korjattu teksti.")
    assert entry.source_batch.filename == "corrected.txt"
    assert ImportBatch.objects.count() == 2


def test_it_places_a_row_once_its_misspelling_is_made_an_alias():
    talousjohtaja = ResponsiblePerson.objects.create(title="Talousjohtaja")
    first = run_import(FILE_2021)
    misspelled = [a["line"] for a in first["anomalies"] if a["reason"] == "misspelling"]
    assert 23 in misspelled
    for alias in ("Talusohtaja", "Talusojohtaja", "Taloustohtaja"):
        PersonAlias.objects.create(person=talousjohtaja, alias=alias)

    again = run_import(FILE_2021)

    assert [a["line"] for a in again["anomalies"]] == [27]
    placed = ImportAnomaly.objects.filter(status=ImportAnomaly.Status.PLACED)
    assert sorted(placed.values_list("line", flat=True)) == sorted(misspelled)
    assert all(anomaly.resolved_at for anomaly in placed)
    assert ProgressEntry.objects.get(goal__code="03.06").responsible == talousjohtaja


def test_it_writes_nothing_in_a_dry_run(demo_persons):
    run_import(FILE_2022)
    counts = table_counts()

    summary = run_import(FILE_2021, "--dry-run")

    assert table_counts() == counts
    assert summary["dry_run"] is True
    assert summary["counts"]["created"] == 59
    assert [a["line"] for a in summary["anomalies"]] == [27]


def test_it_prints_a_json_summary_whose_counts_add_up():
    out = io.StringIO()

    call_command(
        "import_legacy",
        str(FILE_2023),
        "--period",
        "1-8/2023",
        "--term",
        "2021-2025",
        "--json",
        stdout=out,
    )

    summary = json.loads(out.getvalue())
    counts = summary["counts"]
    assert counts["rows_read"] == sum(
        counts[key]
        for key in ("blank", "created", "updated", "unchanged", "structural", "anomalies")
    )
    assert summary["anomalies"][0]["line"] == 31
    assert summary["period"] == "1–8/2023"


def test_it_prints_a_readable_summary_with_anomalies():
    out = io.StringIO()

    call_command(
        "import_legacy", str(FILE_2023), "--period", "1-8/2023", "--term", "2021-2025", stdout=out
    )

    text = out.getvalue()
    assert "rows read 58: 49 entries created" in text
    assert "anomaly, line 31: 07.02.02 was already reported on line 30" in text


def test_it_never_overwrites_an_entry_changed_in_seuranta_since_its_import(tmp_path):
    run_import(FILE_2022)
    entry = ProgressEntry.objects.get(goal__code="01.03.02")
    entry.status_text = "Corrected by the strategy team"
    entry.version += 1
    entry.save()
    corrected = tmp_path / "corrected.txt"
    corrected.write_text(
        FILE_2022.read_text(encoding="utf-8").replace(
            "Keusoten taloutta seurataan aktiivisesti.", "Text from a new export."
        ),
        encoding="utf-8",
    )

    summary = run_import(corrected, period="1-8/2022", term="2021-2025")

    assert [(a["line"], a["reason"]) for a in summary["anomalies"]] == [(4, "edited")]
    assert ProgressEntry.objects.get(pk=entry.pk).status_text == "Corrected by the strategy team"
    assert summary["counts"]["updated"] == 0


def test_it_fills_blank_drafts_of_an_open_period(tmp_path, world):
    from reports.models import ProgressEntry as Entry

    blank = world.entry("open", "b")
    lines = [
        "Valtuustokauden tavoite\tVuositavoite\tToimenpide\tRiskit\tKokonais-tilanne\t"
        "Etenemisaste\tTeksti",
        "01. Goal\t01.01 Annual\t01.01.02 Action B\t\t\t4 x\tFrom the department's sheet",
    ]
    path = tmp_path / "department.txt"
    path.write_text("\n".join(lines), encoding="utf-8")

    summary = run_import(path, period="1-8/2024", term="2021-2025")

    assert summary["counts"]["updated"] == 1
    entry = Entry.objects.get(pk=blank.pk)
    assert (entry.level, entry.status_text, entry.review_state) == (
        4,
        "From the department's sheet",
        "submitted",
    )
