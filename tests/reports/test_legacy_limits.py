"""What a file may not do: be too large, too long or too wide, unpack to gigabytes, mix
encodings, hold texts an entry cannot; and neither many unknown titles nor the same file
imported twice at once may cost or write more than the file is worth."""

import io
import random
import threading
import zipfile

import pytest
from django.apps import apps
from django.core.management import CommandError
from django.db import connection, connections
from django.template.defaultfilters import filesizeformat

from goals.models import ResponsiblePerson, Strategy
from reports.legacy import titles
from reports.legacy.errors import LegacyFileError
from reports.legacy.importer import import_legacy_file
from reports.legacy.reader import (
    MAX_CELLS_PER_ROW,
    MAX_FILE_BYTES,
    MAX_ROWS,
    MAX_XLSX_UNPACKED_BYTES,
    read_table,
)
from reports.legacy.rows import understand
from reports.models import ImportAnomaly, ImportBatch, ProgressEntry, ReportingPeriod
from reports.roles import create_groups
from tests.builders import FILE_2022, FILE_2023, run_import, table_counts
from tests.reports.test_legacy_formats import as_windows_1252_crlf, as_xlsx

HEADER = [
    "Valtuustokauden tavoite",
    "Vuositavoite",
    "Toimenpide",
    "Merkittävimmät riskit",
    "Kokonaistilanne",
    "Etenemisaste",
    "Teksti",
]
# How long a thread may wait for the other before the test fails instead of hanging.
TIMEOUT = 60


def export(rows, header=HEADER):
    """A tab-separated UTF-8 export of `rows`, lists of cells, under a header row."""
    return "\n".join("\t".join(cells) for cells in [header, *rows]).encode("utf-8")


def action(number, *, risks="", text="Teksti", responsible=None):
    """A row reporting on action number `number` (0–999), each with its own code."""
    goal, annual, step = number // 100 + 1, number // 10 % 10 + 1, number % 10 + 1
    code = f"{goal:02}.{annual:02}.{step:02}"
    cells = [f"{goal:02}.", f"{goal:02}.{annual:02}", f"{code} Toimenpide", risks, "", "3", text]
    return cells if responsible is None else [*cells, responsible]


def original_lines():
    return FILE_2022.read_text(encoding="utf-8").split("\n")


def too_large():
    content = FILE_2022.read_bytes()
    return content + b"\n" * (MAX_FILE_BYTES + 1 - len(content))


def too_many_rows():
    return export([action(number % 1000) for number in range(MAX_ROWS + 1)])


def too_wide():
    lines = original_lines()
    lines[5] += "\tlisätieto" * MAX_CELLS_PER_ROW
    return "\n".join(lines).encode("utf-8")


def zip_bomb():
    """The 2022 file as a real workbook whose sheet unpacks to 300 MB from 300 KB."""
    workbook = zipfile.ZipFile(io.BytesIO(as_xlsx(FILE_2022)))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bomb:
        for member in workbook.infolist():
            if member.filename != "xl/worksheets/sheet1.xml":
                bomb.writestr(member, workbook.read(member))
                continue
            with bomb.open(member.filename, "w", force_zip64=True) as sheet:
                sheet.write(workbook.read(member)[: -len(b"</worksheet>")])
                for _megabyte in range(300):
                    sheet.write(b" " * 1024 * 1024)
                sheet.write(b"</worksheet>")
    return buffer.getvalue()


def windows_1252_line_in_utf8():
    """The 2022 file in UTF-8 but for line 24 ("…lisää…"), pasted in from a Windows-1252 file."""
    lines = [line.encode("utf-8") for line in original_lines()]
    lines[23] = original_lines()[23].encode("cp1252")
    return b"\n".join(lines)


TOO_MUCH = {
    "too-large": (too_large, "the file is larger than {file_limit}, the most that", None),
    "too-many-rows": (too_many_rows, f"more than {MAX_ROWS} rows after its header", MAX_ROWS + 2),
    "too-wide": (too_wide, f"at most {MAX_CELLS_PER_ROW} are read in one row", 6),
    "zip-bomb": (zip_bomb, "the workbook would unpack to more than {xlsx_limit}, the", None),
    "windows-1252-line": (windows_1252_line_in_utf8, "this line is not UTF-8 like the rest", 24),
}


@pytest.fixture
def stored_data(demo_persons):
    """Something already in the database that a refused import must not touch."""
    run_import(FILE_2023)
    return table_counts()


@pytest.mark.django_db
@pytest.mark.parametrize("name", TOO_MUCH)
def test_it_refuses_a_file_beyond_a_limit_and_changes_nothing(tmp_path, stored_data, name):
    build, expected, line = TOO_MUCH[name]
    path = tmp_path / (f"{name}.xlsx" if name == "zip-bomb" else f"{name}.txt")
    path.write_bytes(build())

    with pytest.raises(CommandError) as error:
        run_import(path, period="1-8/2022", term="2021-2025")

    message = str(error.value)
    assert message.startswith(f"{path}: " + (f"line {line}: " if line else ""))
    limits = {
        "file_limit": filesizeformat(MAX_FILE_BYTES),
        "xlsx_limit": filesizeformat(MAX_XLSX_UNPACKED_BYTES),  # 50.0 MB
    }
    assert expected.format(**limits) in message
    assert "\n" not in message
    assert table_counts() == stored_data


def test_it_refuses_a_zip_bomb_before_openpyxl_inflates_anything(monkeypatch):
    import openpyxl

    opened = []
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *args, **kwargs: opened.append(args))
    content = zip_bomb()
    assert len(content) < 400 * 1024

    with pytest.raises(LegacyFileError, match="the workbook would unpack to more than"):
        read_table(content, "bomb.xlsx")

    assert opened == []


def test_it_reads_a_workbook_within_the_limits():
    table = read_table(as_xlsx(FILE_2022), "2022.xlsx")

    assert sum(not row.is_blank for row in table.rows) == 49


def test_it_reads_a_file_exactly_at_the_row_and_cell_limits():
    wide_header = [*HEADER, *(f"Kommentti {n}" for n in range(MAX_CELLS_PER_ROW - len(HEADER)))]
    rows = [action(number % 1000) for number in range(MAX_ROWS)]
    rows[0] = [*rows[0], *(["x"] * (MAX_CELLS_PER_ROW - len(rows[0])))]

    table = read_table(export(rows, header=wide_header), "limits.txt")

    assert len(table.rows) == MAX_ROWS
    assert len(table.rows[0].cells) == MAX_CELLS_PER_ROW


def test_it_ignores_blank_rows_past_the_row_limit():
    content = export([action(number % 1000) for number in range(MAX_ROWS)]) + b"\n\t\t" * 20

    table = read_table(content, "trailing.txt")

    assert len(table.rows) == MAX_ROWS
    assert not table.rows[-1].is_blank


def test_it_does_not_count_empty_cells_at_the_end_of_a_row():
    rows = [[*action(1), *([""] * 3 * MAX_CELLS_PER_ROW)]]

    table = read_table(export(rows), "wide-range.txt")

    assert table.rows[0].cells[6] == "Teksti"


def test_it_names_the_line_of_a_windows_1252_line_in_a_utf8_file_with_a_bom():
    content = b"\xef\xbb\xbf" + windows_1252_line_in_utf8()

    with pytest.raises(LegacyFileError, match=r"bom\.txt: line 24: the file is not valid UTF-8"):
        read_table(content, "bom.txt")


def test_it_still_reads_a_windows_1252_export():
    table = read_table(as_windows_1252_crlf(FILE_2022), "2022.txt")

    texts = [table.cell(row, "status_text") for row in table.rows]
    assert any("lisää" in text for text in texts)
    assert not any("Ã" in text for text in texts)


@pytest.mark.parametrize(
    ("cells", "column"),
    [
        ({"text": "x" * 4001}, "G “Teksti”"),
        ({"risks": "x" * 4001}, "D “Merkittävimmät riskit”"),
    ],
)
def test_it_makes_a_row_with_a_text_longer_than_an_entry_holds_an_anomaly(settings, cells, column):
    assert settings.ENTRY_TEXT_LIMIT == 4000
    table = read_table(export([action(1), action(2, **cells), action(3, text="x" * 4000)]), "t")

    first, long, at_limit = understand(table)

    assert first.outcome == at_limit.outcome == "entry"
    assert long.outcome == "anomaly"
    assert long.reason == ImportAnomaly.Reason.TEXT_TOO_LONG
    assert long.message == (
        f"the text in column {column} is 4001 characters long; at most 4000 fit in an entry"
    )


def test_it_reads_the_text_limit_from_the_settings(settings):
    settings.ENTRY_TEXT_LIMIT = 10
    table = read_table(export([action(1, text="x" * 11)]), "t")

    (row,) = understand(table)

    assert row.reason == ImportAnomaly.Reason.TEXT_TOO_LONG


@pytest.mark.django_db
def test_it_keeps_a_row_with_an_overlong_text_whole_and_imports_the_others(tmp_path):
    long_text = "Pitkä teksti. " * 300  # 4200 characters
    path = tmp_path / "long.txt"
    path.write_bytes(export([action(1), action(2, text=long_text), action(3)]))

    summary = run_import(path, period="1-8/2022", term="2021-2025")

    assert summary["counts"]["created"] == 2
    assert [(a["line"], a["reason"]) for a in summary["anomalies"]] == [(3, "text_too_long")]
    anomaly = ImportAnomaly.objects.get()
    assert anomaly.cells == action(2, text=long_text.strip())
    assert "4199 characters long" in anomaly.message
    assert not ProgressEntry.objects.filter(goal__code="01.01.03").exists()


PREFIXES = ["Projekti", "Palvelu", "Talous", "Hanke", "Kehitys", ""]
SUFFIXES = ["johtaja", "päällikkö", "suunnittelija", "asiantuntija", "sihteeri", "vastaava"]


def distinct_titles(count):
    """Job titles that share beginnings and endings but are far apart in between."""
    rng = random.Random(2022)
    found = {}
    while len(found) < count:
        middle = "".join(rng.choice("abdefghijklmnoprstuvyäö") for _ in range(7))
        found[f"{rng.choice(PREFIXES)}{middle}{rng.choice(SUFFIXES)}".capitalize()] = None
    return list(found)


@pytest.mark.django_db
def test_it_compares_a_thousand_unknown_titles_in_linear_work(tmp_path, demo_persons, monkeypatch):
    unknown = distinct_titles(1000)
    path = tmp_path / "many-titles.txt"
    path.write_bytes(
        export(
            [action(number, responsible=title) for number, title in enumerate(unknown)],
            header=[*HEADER, "Vastuuhenkilö"],
        )
    )
    calls = []
    real = titles.edit_distance
    monkeypatch.setattr(
        titles, "edit_distance", lambda first, second: calls.append(1) or real(first, second)
    )

    summary = run_import(path, period="1-8/2022", term="2021-2025")

    # Fewer comparisons than titles; comparing every pair, as the importer once did, took
    # over half a million.
    assert len(calls) <= len(unknown)
    assert summary["new_persons"] == unknown  # none taken for a misspelling
    assert ResponsiblePerson.objects.count() == len(demo_persons) + len(unknown)


def similar_titles(rng):
    """A few made-up titles and many misspellings of them, over four letters."""
    words = ["".join(rng.choice("abcä") for _ in range(rng.randint(1, 30))) for _ in range(4)]
    spellings = []
    for _ in range(30):
        title = rng.choice(words)
        for _edit in range(rng.randint(0, 3)):
            position = rng.randrange(len(title) + 1)
            letter = rng.choice("abcä")
            title = rng.choice(
                [
                    title[:position] + title[position + 1 :],
                    title[:position] + letter + title[position:],
                    title[:position] + letter + title[position + 1 :],
                    title[:position]  # two neighbours swapped
                    + title[position + 1 : position + 2]
                    + title[position : position + 1]
                    + title[position + 2 :],
                ]
            )
        if title:
            spellings.append(title)
    return list(dict.fromkeys(spellings))


def test_it_finds_every_title_that_comparing_all_pairs_finds():
    rng = random.Random(7)
    for _trial in range(200):
        spellings = similar_titles(rng)
        known, unknown = spellings[: len(spellings) // 2], spellings[len(spellings) // 2 :]
        near = titles.NearTitles()
        for title in known:
            near.add(title)

        for title in unknown:
            assert titles.closest_title(title, near.near(title)) == titles.closest_title(
                title, known
            )
        assert titles.spelling_groups({t: t for t in spellings}) == all_pairs_groups(spellings)


def all_pairs_groups(spellings):
    """The groups as the importer made them before: every pair compared."""
    group_of = {title: {title} for title in spellings}
    for position, title in enumerate(spellings):
        for other in spellings[position + 1 :]:
            if titles.edit_distance(title, other) <= titles.misspelling_limit(title):
                merged = group_of[title] | group_of[other]
                for member in merged:
                    group_of[member] = merged
    return {title: sorted(group) for title, group in group_of.items() if len(group) > 1}


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks are PostgreSQL's; SQLite serialises"
)
def test_it_imports_the_same_file_once_when_two_imports_run_at_once():
    create_groups(apps)  # emptied by the transactional test before this one
    # The period is open already, as an official opened it: neither import creates it.
    strategy = Strategy.objects.create(start_year=2021, end_year=2025)
    year, start, end = ReportingPeriod.dates_for("1-8/2022")
    ReportingPeriod.objects.create(
        strategy=strategy, label="1–8/2022", year=year, start_date=start, end_date=end
    )
    content = FILE_2022.read_bytes()
    barrier = threading.Barrier(2, timeout=TIMEOUT)
    results = [None, None]

    def run(i):
        try:
            barrier.wait()
            results[i] = import_legacy_file(
                content=content, filename="2022.txt", period="1-8/2022", term="2021-2025"
            )
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            results[i] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)

    assert not any(thread.is_alive() for thread in threads)
    assert not [r for r in results if isinstance(r, BaseException)], results
    assert sorted(summary.changed for summary in results) == [False, True]
    assert sorted(summary.created for summary in results) == [0, 49]
    assert ImportBatch.objects.count() == 1
    entries = ProgressEntry.objects.all()
    assert entries.count() == 49
    assert {entry.history.count() for entry in entries} == {1}
