"""Hand-edited exports: nothing they do may lose or misplace a row silently."""

import io
import re
import zipfile

import pytest
from django.core.management import CommandError
from openpyxl import Workbook

from goals.models import ResponsiblePerson
from reports.models import ImportAnomaly, ProgressEntry
from tests.builders import FILE_2021, FILE_2022, run_import, table_counts

pytestmark = pytest.mark.django_db

HEADER = "Valtuustokauden tavoite\tVuositavoite\tToimenpide\tRiskit\tKokonais-tilanne"


def variant(tmp_path, text, name="variant.txt", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def original():
    return FILE_2022.read_text(encoding="utf-8")


def test_it_refuses_a_quote_that_is_never_closed(tmp_path):
    lines = original().split("\n")
    cells = lines[5].split("\t")
    cells[6] = '"' + cells[6]
    lines[5] = "\t".join(cells)
    path = variant(tmp_path, "\n".join(lines))

    with pytest.raises(CommandError, match=r"variant\.txt: line 6: a quoted cell .* never ends"):
        run_import(path, period="1-8/2022", term="2021-2025")

    assert table_counts()["reports.ProgressEntry"] == 0


@pytest.mark.parametrize(
    "mangled",
    ["01.06.01.Siirrämme uusien", "01,06,01 Siirrämme", "O1.06.01 Siirrämme", "01.060 Siirrämme"],
)
def test_it_keeps_a_cell_that_starts_like_a_code_as_an_anomaly(tmp_path, mangled):
    lines = original().split("\n")
    lines[9] = lines[9].replace("01.06.01 Siirrämme uusien", mangled)

    summary = run_import(variant(tmp_path, "\n".join(lines)), period="1-8/2022", term="2021-2025")

    assert [(a["line"], a["reason"]) for a in summary["anomalies"]] == [(10, "bad_code")]
    # Not misread as progress on the council-term goal 01.
    assert not ProgressEntry.objects.filter(goal__code="01.").exists()


def test_it_refuses_a_mac_roman_file(tmp_path):
    text = FILE_2021.read_text(encoding="utf-8").replace("\n", "\r")
    path = variant(tmp_path, text, encoding="mac_roman")

    with pytest.raises(CommandError, match="unknown text encoding"):
        run_import(path)


def test_it_reads_the_text_column_beside_an_empty_spacer_column(tmp_path):
    text = "\n".join(
        [
            HEADER + "\tEtenemisaste\t\tTeksti\tKommentit",
            "01. Goal\t01.01 Annual\t\t\t\t3 x\t\tThe status\tA comment",
        ]
    )

    summary = run_import(variant(tmp_path, text), period="1-4/2024", term="2021-2025")

    assert ProgressEntry.objects.get().status_text == "The status"
    assert {"line": 1, "message": "column “Kommentit” is not read"} in summary["notes"]


def test_it_says_which_of_two_level_columns_it_did_not_read(tmp_path):
    text = "\n".join(
        [
            HEADER + "\tEtenemisaste\tTeksti\tJulkaistava etenemisaste\tJulkaistava teksti",
            "01. Goal\t01.01 Annual\t\t\t\t3 x\tDraft\t4 y\tPublished",
        ]
    )

    summary = run_import(variant(tmp_path, text), period="1-4/2024", term="2021-2025")

    entry = ProgressEntry.objects.get()
    assert (entry.level, entry.status_text) == (3, "Draft")
    messages = [note["message"] for note in summary["notes"]]
    assert "column “Julkaistava etenemisaste” is not read" in messages
    assert "column “Julkaistava teksti” is not read" in messages


def workbook_bytes(rows):
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_it_reads_a_workbook_whose_recorded_size_is_stale(tmp_path):
    rows = [line.split("\t") for line in original().split("\n")]
    content = workbook_bytes([[cell or None for cell in row] for row in rows])
    stale = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(stale, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]+"', b'<dimension ref="A1:F30"', data)
            target.writestr(item, data)
    path = tmp_path / "stale.xlsx"
    path.write_bytes(stale.getvalue())

    summary = run_import(path, period="1-8/2022", term="2021-2025")

    assert summary["counts"]["created"] == 49
    assert ProgressEntry.objects.exclude(status_text="").count() == 48  # 10.04 has no text


def test_it_keeps_a_code_typed_as_a_number_in_excel_as_an_anomaly(tmp_path):
    path = tmp_path / "numbers.xlsx"
    path.write_bytes(
        workbook_bytes(
            [
                ["Valtuustokauden tavoite", "Vuositavoite", "Toimenpide", "Etenemisaste"],
                ["01. Goal", 1.1, None, 3],
            ]
        )
    )

    summary = run_import(path, period="1-4/2024", term="2021-2025")

    assert [a["reason"] for a in summary["anomalies"]] == ["bad_code"]
    assert "is a number or a date in the workbook" in summary["anomalies"][0]["message"]


def test_it_refuses_a_damaged_workbook(tmp_path):
    content = workbook_bytes([["Valtuustokauden tavoite", "Vuositavoite", "Toimenpide"]])
    damaged = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(damaged, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]
            target.writestr(item, data)
    path = tmp_path / "damaged.xlsx"
    path.write_bytes(damaged.getvalue())

    with pytest.raises(CommandError, match="damaged.xlsx: this is a ZIP file but not a readable"):
        run_import(path, period="1-4/2024", term="2021-2025")


def test_it_keeps_a_paragraph_in_the_person_column_as_an_anomaly(tmp_path):
    text = "\n".join(
        [
            HEADER + "\tEtenemisaste\tTeksti\tVastuuhenkilö",
            "01. Goal\t01.01 Annual\t\t\t\t3 x\tText\t" + "Pitkä selitys " * 20,
        ]
    )

    summary = run_import(variant(tmp_path, text), period="1-4/2024", term="2021-2025")

    assert [a["reason"] for a in summary["anomalies"]] == ["bad_person"]
    assert not ResponsiblePerson.objects.exists()


def test_it_refuses_nul_characters(tmp_path):
    text = original().replace("Keusoten taloutta", "Keusoten\x00taloutta", 1)
    path = tmp_path / "nul.txt"
    path.write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))

    with pytest.raises(CommandError, match="nul.txt: line 4: the file contains NUL characters"):
        run_import(path, period="1-8/2022", term="2021-2025")


def test_it_creates_no_person_from_spellings_of_one_unknown_title():
    summary = run_import(FILE_2021)

    titles = set(ResponsiblePerson.objects.values_list("title", flat=True))
    assert titles == {"Henkilöstöjohtaja", "Hallintojohtaja"}
    misspelled = [a for a in summary["anomalies"] if a["reason"] == "misspelling"]
    assert {a["line"] for a in misspelled} >= {19, 23, 24, 28, 35, 81}
    assert "“Taloustohtaja”, “Talusohtaja”, “Talusojohtaja”" in misspelled[0]["message"]


def test_it_reports_progress_that_a_corrected_file_no_longer_has(tmp_path):
    run_import(FILE_2022)
    lines = original().split("\n")
    cells = lines[3].split("\t")  # 01.03.02, level 3
    lines[3] = "\t".join(cells[:3] + ["", "", "", ""])

    summary = run_import(variant(tmp_path, "\n".join(lines)), period="1-8/2022", term="2021-2025")

    assert [(a["line"], a["reason"]) for a in summary["anomalies"]] == [(4, "progress_removed")]
    assert summary["changed"] is True
    assert ProgressEntry.objects.get(goal__code="01.03.02").level == 3
    assert ImportAnomaly.objects.get().reason == "progress_removed"


def test_it_refuses_a_file_with_a_header_but_no_rows(tmp_path):
    path = variant(tmp_path, HEADER + "\tEtenemisaste\tTeksti\n\n\n")

    with pytest.raises(CommandError, match="line 1: the file has a header row but no rows"):
        run_import(path, period="1-4/2024", term="2021-2025")


def test_it_reads_a_semicolon_separated_file_and_says_so(tmp_path):
    path = variant(tmp_path, original().replace("\t", ";"))

    summary = run_import(path, period="1-8/2022", term="2021-2025")

    assert summary["counts"]["created"] == 49
    assert summary["read_as"] == {
        "format": "text",
        "encoding": "UTF-8",
        "delimiter": ";",
        "sheet": "",
        "header_line": 3,
        "description": "semicolon-separated text, UTF-8",
    }


def test_it_reports_no_ids_of_a_dry_run():
    summary = run_import(FILE_2022, "--dry-run")

    assert summary["period_id"] is None
    assert summary["batch_id"] is None
