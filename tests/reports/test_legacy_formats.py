"""The same content in every form Excel saves it in imports to the same entries."""

import csv
import io
import zipfile

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


def as_delimited(path, delimiter, encoding, bom=b""):
    """The export as Excel saves it as CSV: the same cells, quoted where they hold the
    delimiter, a quote or a line break, every row padded to the widest, CRLF."""
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline=""), "excel-tab"))
    width = max(len(row) for row in rows)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerows(row + [""] * (width - len(row)) for row in rows)
    return bom + buffer.getvalue().encode(encoding)


def as_finnish_excel_csv(path):
    """“CSV (semicolon-separated)” from a Finnish Excel: Windows-1252."""
    return as_delimited(path, ";", "cp1252")


def as_excel_csv_utf8(path):
    """“CSV UTF-8” from a Finnish Excel: semicolons, a byte-order mark."""
    return as_delimited(path, ";", "utf-8", bom=b"\xef\xbb\xbf")


def as_comma_csv(path):
    """CSV from an Excel whose list separator is a comma."""
    return as_delimited(path, ",", "utf-8")


def tab_rows(path):
    """The export's rows and cells, as Excel would have them in a sheet."""
    lines = path.read_text(encoding="utf-8").split("\n")
    if lines[-1] == "":
        lines.pop()
    return [line.split("\t") for line in lines]


def as_ods(path, sheets=("Seuranta",)):
    """The export saved from LibreOffice Calc as .ods (the rows on the last sheet named)."""
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    document = OpenDocumentSpreadsheet()
    for name in sheets:
        table = Table(name=name)
        for cells in tab_rows(path) if name == sheets[-1] else [["muistiinpanoja"]]:
            row = TableRow()
            for value in cells:
                cell = TableCell(valuetype="string") if value else TableCell()
                for line in value.split("\n") if value else []:
                    cell.addElement(P(text=line))
                row.addElement(cell)
            table.addElement(row)
        document.spreadsheet.addElement(table)
    buffer = io.BytesIO()
    document.write(buffer)
    return buffer.getvalue()


def as_xls(path, sheets=("Seuranta",)):
    """The export saved from an older Excel as .xls (the rows on the last sheet named)."""
    import xlwt

    workbook = xlwt.Workbook(encoding="utf-8")
    for name in sheets:
        sheet = workbook.add_sheet(name)
        for row, cells in enumerate(tab_rows(path) if name == sheets[-1] else [["muistio"]]):
            for column, value in enumerate(cells):
                if value:
                    sheet.write(row, column, value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def damaged_ods():
    """An .ods whose sheet is not XML: what a broken download leaves."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content><broken")
    return buffer.getvalue()


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
    [
        as_windows_1252_crlf,
        as_utf16_unicode_text,
        as_utf8_with_bom,
        as_xlsx,
        as_finnish_excel_csv,
        as_excel_csv_utf8,
        as_comma_csv,
        as_ods,
        as_xls,
    ],
    ids=[
        "cp1252-crlf",
        "utf16",
        "utf8-bom",
        "xlsx",
        "csv-semicolon",
        "csv-utf8",
        "csv-comma",
        "ods",
        "xls",
    ],
)
def test_it_imports_every_export_format_to_the_same_entries(tmp_path, demo_persons, path, convert):
    original_summary = run_import(path)
    original = snapshot()
    assert original[0], "the original file must give entries to compare"
    forget_everything()

    suffix = {as_xlsx: ".xlsx", as_ods: ".ods", as_xls: ".xls"}.get(convert, ".txt")
    variant = tmp_path / (path.stem + suffix)
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


def csv_file(tmp_path, lines, encoding="cp1252"):
    path = tmp_path / "export.csv"
    path.write_bytes(("\r\n".join([";".join(HEADER), *lines]) + "\r\n").encode(encoding))
    return path


def test_it_refuses_a_semicolon_file_whose_row_does_not_line_up_with_the_header(tmp_path):
    from django.core.management.base import CommandError

    from tests.builders import table_counts

    path = csv_file(
        tmp_path,
        [
            "01. Goal;01.01 Annual;01.01.01 Action;;;3 Toteutus;Fine",
            "01. Goal;01.01 Annual;01.01.02 Action;;;3 Toteutus;Costs; more than planned",
        ],
    )
    before = table_counts()

    with pytest.raises(CommandError, match="line 3: the row has 8 cells but the header row"):
        run_import(path, period="1-4/2024", term="2021-2025")

    assert table_counts() == before


def test_it_refuses_a_quote_that_never_closes_in_a_semicolon_file(tmp_path):
    from django.core.management.base import CommandError

    path = csv_file(
        tmp_path,
        [
            '01. Goal;01.01 Annual;01.01.01 Action;;;3 Toteutus;"Opened, never closed',
            "01. Goal;01.01 Annual;01.01.02 Action;;;4;Lost if read into the quote",
            "01. Goal;01.01 Annual;01.01.03 Action;;;4;Lost too",
        ],
    )

    with pytest.raises(CommandError, match="line 2: a quoted cell that starts on this line"):
        run_import(path, period="1-4/2024", term="2021-2025")


def test_it_tells_the_delimiter_from_the_header_not_from_the_texts(tmp_path):
    text = FILE_2022.read_text(encoding="utf-8").replace(
        "Keusoten taloutta seurataan aktiivisesti.", "Seurataan; aktiivisesti; viikoittain;"
    )
    path = tmp_path / "tabs.txt"
    path.write_text(text, encoding="utf-8")

    summary = run_import(path, period="1-8/2022", term="2021-2025")

    assert summary["read_as"]["delimiter"] == "\t"
    assert summary["counts"]["created"] == 49
    assert ProgressEntry.objects.get(goal__code="01.03.02").status_text.startswith(
        "Seurataan; aktiivisesti;"
    )


def test_it_says_how_the_file_was_read_in_the_admin_preview(client, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.builders import official

    client.force_login(official())

    response = client.post(
        "/admin/reports/importbatch/import/",
        {
            "file": SimpleUploadedFile("export.csv", as_finnish_excel_csv(FILE_2023)),
            "period": "1-8/2023",
            "term": "2021-2025",
        },
    )

    content = response.content.decode()
    assert "semicolon-separated text, Windows-1252; header row on line 3" in content
    assert response.context["summary"].created == 49


@pytest.mark.parametrize("convert", [as_ods, as_xls], ids=["ods", "xls"])
def test_it_reads_the_sheet_named_with_sheet(tmp_path, convert):
    from django.core.management.base import CommandError

    path = tmp_path / "workbook"
    path.write_bytes(convert(FILE_2022, sheets=("Ohje", "Seuranta 1-8")))
    options = {"period": "1-8/2022", "term": "2021-2025"}

    with pytest.raises(CommandError, match="no header row found"):
        run_import(path, **options)  # the first sheet holds notes
    with pytest.raises(CommandError, match="no sheet “Seuranta”; its sheets: “Ohje”, “Seuran"):
        run_import(path, "--sheet", "Seuranta", **options)
    summary = run_import(path, "--sheet", "Seuranta 1-8", **options)

    assert summary["counts"]["created"] == 49
    assert summary["read_as"]["sheet"] == "Seuranta 1-8"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "not a readable workbook"),
        (b"PK\x03\x04broken", "not a readable .xlsx or .ods workbook"),
        (damaged_ods(), "not a readable .xlsx or .ods workbook"),
    ],
    ids=["xls", "zip", "ods"],
)
def test_it_refuses_a_damaged_workbook_and_writes_nothing(tmp_path, content, message):
    from django.core.management.base import CommandError

    from tests.builders import table_counts

    path = tmp_path / "damaged"
    path.write_bytes(content)
    before = table_counts()

    with pytest.raises(CommandError, match=message):
        run_import(path, period="1-8/2022", term="2021-2025")

    assert table_counts() == before
