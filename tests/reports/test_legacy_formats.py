"""The same content in every form Excel saves it in imports to the same entries."""

import io

import pytest
from openpyxl import Workbook

from goals.models import Goal, Strategy
from reports.models import ImportAnomaly, ImportBatch, ProgressEntry, ReportingPeriod
from tests.builders import FILE_2021, FILE_2022, FILE_2023, run_import

pytestmark = pytest.mark.django_db

HEADER = [
    "Valtuustokauden tavoite",
    "Vuositavoite",
    "Toimenpide",
    "Merkittävimmät tavoitteen toteuttamista uhkaavat riskit",
    "Kokonais-tilanne",
    "Etenemisaste",
    "Teksti",
]


def snapshot():
    """What an import left in the database, independent of ids."""
    entries = sorted(
        (
            e.goal.code,
            e.goal.year,
            e.goal.kind,
            e.goal.title,
            e.goal.parent.code if e.goal.parent else None,
            e.level,
            e.status_text,
            e.risks,
            e.overall_status,
            e.responsible.title if e.responsible else None,
            e.source_line,
        )
        for e in ProgressEntry.objects.select_related("goal__parent", "responsible")
    )
    anomalies = sorted((a.line, a.reason, tuple(a.cells)) for a in ImportAnomaly.objects.all())
    return entries, anomalies


def forget_everything():
    ProgressEntry.objects.all().delete()
    ImportAnomaly.objects.all().delete()
    ImportBatch.objects.all().delete()
    ReportingPeriod.objects.all().delete()
    Goal.objects.all().delete()
    Strategy.objects.all().delete()


def as_windows_1252_crlf(path):
    return path.read_text(encoding="utf-8").replace("\n", "\r\n").encode("cp1252")


def as_utf16_unicode_text(path):
    text = path.read_text(encoding="utf-8").replace("\n", "\r\n")
    return "\ufeff".encode("utf-16-le") + text.encode("utf-16-le")


def as_utf8_with_bom(path):
    return b"\xef\xbb\xbf" + path.read_bytes()


def as_xlsx(path):
    workbook = Workbook()
    sheet = workbook.active
    lines = path.read_text(encoding="utf-8").split("\n")
    if lines[-1] == "":
        lines.pop()
    for line in lines:
        sheet.append([cell or None for cell in line.split("\t")])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("path", [FILE_2022, FILE_2021, FILE_2023], ids=["2022", "2021", "2023"])
@pytest.mark.parametrize(
    "convert",
    [as_windows_1252_crlf, as_utf16_unicode_text, as_utf8_with_bom, as_xlsx],
    ids=["cp1252-crlf", "utf16", "utf8-bom", "xlsx"],
)
def test_it_imports_every_export_format_to_the_same_entries(tmp_path, demo_persons, path, convert):
    original_summary = run_import(path)
    original = snapshot()
    assert original[0], "the original file must give entries to compare"
    forget_everything()

    variant = tmp_path / (path.stem + (".xlsx" if convert is as_xlsx else ".txt"))
    variant.write_bytes(convert(path))
    variant_summary = run_import(
        variant, period=original_summary["period"], term=original_summary["term"]
    )

    assert variant_summary["counts"] == original_summary["counts"]
    assert snapshot() == original


def tsv_file(tmp_path, rows, name="export.txt", header=HEADER, encoding="utf-8"):
    text = "\r\n".join("\t".join(row) for row in [header, *rows]) + "\r\n"
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_it_reads_quoted_cells_with_line_breaks_tabs_and_quotes(tmp_path):
    path = tmp_path / "quoted.txt"
    path.write_bytes(
        (
            "\t".join(HEADER) + "\r\n"
            '01. Goal\t01.01 Annual\t01.01.01 Action\t"Risk one\nrisk two"\t\t3 Toteutus\t'
            '"First line\nsecond\twith a tab and ""quotes"""\r\n'
            "01. Goal\t01.01 Annual\t01.01.02 Next action\t\t\t4\tPlain\r\n"
        ).encode("cp1252")
    )

    summary = run_import(path, period="1-4/2024", term="2021-2025")

    assert summary["counts"]["created"] == 2
    first = ProgressEntry.objects.get(goal__code="01.01.01")
    assert first.status_text == 'First line\nsecond\twith a tab and "quotes"'
    assert first.risks == "Risk one\nrisk two"
    second = ProgressEntry.objects.get(goal__code="01.01.02")
    assert second.level == 4
    assert second.source_line == 5  # the first row's quoted cells spanned lines 2–4


@pytest.mark.parametrize("level", ["7", "kolme", "0", "3.5", "-2 huono"])
def test_it_keeps_an_impossible_level_as_an_anomaly(tmp_path, level):
    path = tsv_file(tmp_path, [["01. Goal", "01.01 Annual", "", "", "", level, "Text"]])

    summary = run_import(path, period="1-4/2024", term="2021-2025")

    assert [a["reason"] for a in summary["anomalies"]] == ["bad_level"]
    assert level in summary["anomalies"][0]["message"]
    assert not ProgressEntry.objects.exists()
    assert ImportAnomaly.objects.get().cells[5] == level


def test_it_reads_overall_status_colours_and_keeps_unknown_ones_as_anomalies(tmp_path):
    path = tsv_file(
        tmp_path,
        [
            ["01. Goal", "01.01 Annual", "", "", "Vihreä", "3", ""],
            ["01. Goal", "01.02 Annual", "", "", "punainen", "", "Late"],
            ["01. Goal", "01.03 Annual", "", "", "sininen", "2", ""],
        ],
    )

    summary = run_import(path, period="1-4/2024", term="2021-2025")

    statuses = dict(ProgressEntry.objects.values_list("goal__code", "overall_status"))
    assert statuses == {"01.01": "green", "01.02": "red"}
    assert [(a["line"], a["reason"]) for a in summary["anomalies"]] == [(4, "bad_status")]


def test_it_keeps_rows_whose_codes_disagree_as_anomalies(tmp_path):
    path = tsv_file(tmp_path, [["01. Goal", "02.01 Annual", "", "", "", "3", "Text"]])

    summary = run_import(path, period="1-4/2024", term="2021-2025")

    assert [a["reason"] for a in summary["anomalies"]] == ["conflicting_codes"]
    assert not Goal.objects.exists()


def test_it_keeps_a_code_deeper_than_an_action_as_an_anomaly(tmp_path):
    path = tsv_file(tmp_path, [["", "", "01.01.01.01 Sub-action", "", "", "3", "Text"]])

    summary = run_import(path, period="1-4/2024", term="2021-2025")

    assert [a["reason"] for a in summary["anomalies"]] == ["bad_code"]


def test_it_keeps_a_row_with_cells_beyond_the_header_as_an_anomaly(tmp_path):
    path = tsv_file(tmp_path, [["01. Goal", "01.01 Annual", "", "", "", "3", "Text", "Stray"]])

    summary = run_import(path, period="1-4/2024", term="2021-2025")

    assert [a["reason"] for a in summary["anomalies"]] == ["extra_cells"]
    assert ImportAnomaly.objects.get().cells[-1] == "Stray"


def test_it_reads_a_text_column_with_an_empty_header(tmp_path):
    header = [*HEADER[:6], ""]
    path = tsv_file(
        tmp_path, [["01. Goal", "01.01 Annual", "", "", "", "2", "Text"]], header=header
    )

    run_import(path, period="1-4/2024", term="2021-2025")

    assert ProgressEntry.objects.get().status_text == "Text"
