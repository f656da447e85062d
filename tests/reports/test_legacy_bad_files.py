"""A file that cannot be imported is refused whole, with one clear line, and nothing changes."""

import io
import zipfile

import pytest
from django.core.management import CommandError, call_command

from goals.models import Strategy
from reports.models import ProgressEntry
from tests.builders import FILE_2022, FILE_2023, run_import, table_counts

pytestmark = pytest.mark.django_db


def original_text():
    return FILE_2022.read_text(encoding="utf-8")


def a_zip_that_is_no_workbook():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "hello")
    return buffer.getvalue()


BAD_FILES = {
    "empty": (b"", "the file is empty"),
    "only-line-breaks": (b"\r\n\r\n  \r\n", "the file is empty"),
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary data"),
    "no-header": (b"Seuranta 1-8/2022\nsome notes\n", "no header row found"),
    "comma-separated-unquoted": (
        # Commas in the texts, none of them quoted: the rows no longer line up.
        original_text().replace("\t", ",").encode("utf-8"),
        "line 4: the row has 8 cells but the header row (line 3) has 7",
    ),
    "unknown-encoding": (
        original_text().encode("cp1252").replace(b"Keusote", b"Keu\x81ote", 1),
        "unknown text encoding",
    ),
    "zip-not-xlsx": (a_zip_that_is_no_workbook(), "not a readable .xlsx or .ods workbook"),
    "broken-utf16": (b"\xff\xfe" + "Valtuustokauden".encode("utf-16-le") + b"\x00\xd8", "UTF-16"),
}


@pytest.fixture
def stored_data(demo_persons):
    """Something already in the database that a bad import must not touch."""
    run_import(FILE_2023)
    return table_counts()


@pytest.mark.parametrize("name", BAD_FILES)
def test_it_refuses_a_bad_file_and_changes_nothing(tmp_path, stored_data, name):
    content, expected = BAD_FILES[name]
    path = tmp_path / f"{name}.txt"
    path.write_bytes(content)

    with pytest.raises(CommandError) as error:
        run_import(path, period="1-8/2022", term="2021-2025")

    message = str(error.value)
    assert message.startswith(f"{path}: ")
    assert expected in message
    assert "\n" not in message
    assert table_counts() == stored_data


def test_it_names_the_line_of_an_undecodable_byte(tmp_path, stored_data):
    path = tmp_path / "mac.txt"
    path.write_bytes(BAD_FILES["unknown-encoding"][0])

    with pytest.raises(CommandError, match=r"mac\.txt: line 4: unknown text encoding"):
        run_import(path, period="1-8/2022", term="2021-2025")


@pytest.mark.parametrize(
    ("period", "term", "expected"),
    [
        ("syksy", "2021-2025", "“syksy” is not a reporting period"),
        ("13-14/2022", "2021-2025", "is not a reporting period"),
        ("1-8/2022", "2021", "“2021” is not a council term"),
        ("1-8/2022", "2017-2021", "the period's year 2022 is outside the term 2017-2021"),
    ],
)
def test_it_refuses_a_bad_period_or_term(stored_data, period, term, expected):
    with pytest.raises(CommandError, match=expected):
        run_import(FILE_2022, period=period, term=term)

    assert table_counts() == stored_data


def test_it_finds_the_only_term_of_a_year_by_itself(stored_data):
    out = io.StringIO()

    call_command("import_legacy", str(FILE_2022), "--period", "1-8/2022", stdout=out)

    assert "(term 2021–2025)" in out.getvalue()
    assert ProgressEntry.objects.filter(period__label="1–8/2022").count() == 49


def test_it_asks_for_the_term_when_the_year_is_ambiguous(stored_data):
    Strategy.objects.create(start_year=2017, end_year=2021)
    counts = table_counts()

    with pytest.raises(CommandError, match="name the council term of year 2021 with --term"):
        call_command("import_legacy", str(FILE_2022), "--period", "2021", stdout=io.StringIO())

    assert table_counts() == counts


def test_it_reports_a_missing_file(tmp_path, stored_data):
    with pytest.raises(CommandError, match="missing.txt: No such file"):
        run_import(tmp_path / "missing.txt", period="1-8/2022", term="2021-2025")
