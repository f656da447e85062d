"""The legacy import in the admin: upload, dry-run preview, confirm or cancel."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from reports.models import ImportAnomaly, ImportBatch, ProgressEntry
from tests.builders import FILE_2023, official, table_counts

pytestmark = pytest.mark.django_db
URL = "/admin/reports/importbatch/import/"


@pytest.fixture
def logged_in(client):
    client.force_login(official())
    return client


def upload(client, content=None, name=FILE_2023.name, period="1-8/2023", term="2021-2025"):
    content = FILE_2023.read_bytes() if content is None else content
    return client.post(
        URL, {"file": SimpleUploadedFile(name, content), "period": period, "term": term}
    )


def test_it_previews_an_import_without_writing(logged_in):
    before = table_counts()

    response = upload(logged_in)

    content = response.content.decode()
    assert response.status_code == 200
    assert "Dry run of 002_af82b7c5da5914c7.txt into 1–8/2023" in content
    assert response.context["summary"].created == 49
    assert "line 31: 07.02.02 was already reported on line 30 of this file" in content
    assert table_counts() == before


def confirm(client, pending):
    return client.post(URL, {"confirm": "1", "pending": pending.pk}, follow=True)


def test_it_imports_on_confirm(logged_in):
    pending = upload(logged_in).context["pending"]

    response = confirm(logged_in, pending)

    assert ProgressEntry.objects.count() == 49
    assert ImportAnomaly.objects.get().line == 31
    batch = ImportBatch.objects.get()
    assert bytes(batch.content) == FILE_2023.read_bytes()
    assert batch.imported_by.username == "virkailija"
    assert "entries created: 49" in response.content.decode()


def test_it_writes_nothing_on_cancel(logged_in):
    pending = upload(logged_in).context["pending"]
    before = table_counts()

    logged_in.post(URL, {"cancel": "1", "pending": pending.pk})
    confirm(logged_in, pending)  # nothing pending any more

    assert table_counts() == before


def test_it_imports_once_when_confirm_is_pressed_twice(logged_in):
    pending = upload(logged_in).context["pending"]

    confirm(logged_in, pending)
    second = confirm(logged_in, pending)

    assert ImportBatch.objects.count() == 1
    assert ProgressEntry.objects.count() == 49
    assert "This import was already confirmed or cancelled." in second.content.decode()
    assert ImportBatch.objects.get().entries.first().history.count() == 1


def test_it_lets_no_one_else_confirm_an_officials_upload(logged_in, client, world):
    pending = upload(logged_in).context["pending"]
    other = world.official.__class__.objects.create_user(
        "toinen", password="x-long-password", is_staff=True, is_superuser=True
    )
    client.force_login(other)

    confirm(client, pending)

    assert ImportBatch.objects.count() == 0


def test_it_shows_why_a_bad_file_cannot_be_imported(logged_in):
    response = upload(logged_in, content=b"a,b,c\n1,2,3\n", name="bad.csv")

    assert "bad.csv: no header row found" in response.content.decode()
    assert "summary" not in response.context


def test_it_reads_xlsx_uploads_too(logged_in):
    from tests.reports.test_legacy_formats import as_xlsx

    response = upload(logged_in, content=as_xlsx(FILE_2023), name="export.xlsx")

    assert response.context["summary"].created == 49


def test_it_links_the_import_from_the_batch_list(logged_in):
    content = logged_in.get("/admin/reports/importbatch/").content.decode()

    assert URL in content


def test_it_refuses_reporters(client, world):
    client.force_login(world.staff_a)

    response = upload(client)

    assert response.status_code == 302
    assert ProgressEntry.objects.count() == 4


def test_it_offers_the_sheets_of_a_workbook_and_imports_the_one_chosen(logged_in):
    from tests.reports.test_legacy_formats import as_ods

    workbook = as_ods(FILE_2023, sheets=("Ohje", "Seuranta"))
    form = {"period": "1-8/2023", "term": "2021-2025"}

    first_sheet = upload(logged_in, content=workbook, name="export.ods")
    chosen = logged_in.post(
        URL, {**form, "file": SimpleUploadedFile("export.ods", workbook), "sheet": "Seuranta"}
    )
    pending = chosen.context["pending"]
    notes_again = logged_in.post(URL, {"reread": "1", "pending": pending.pk, "sheet": "Ohje"})
    confirm(logged_in, pending)

    assert "no header row found" in first_sheet.content.decode()
    assert chosen.context["sheets"] == ["Ohje", "Seuranta"]
    assert "OpenDocument spreadsheet (.ods), sheet “Seuranta”" in chosen.content.decode()
    assert "no header row found" in notes_again.content.decode()
    assert notes_again.context["summary"].read_as["sheet"] == "Seuranta"  # kept
    assert ProgressEntry.objects.count() == 49
