"""The period's XLSX is for people, in the language of the page its link was on: headers,
the kind, level and overall status, and a sheet that says what the data is and what each
column holds. The CSV and the JSON are for programs: the same bytes in every language."""

import csv
import io
import json

import pytest
from django.utils import translation
from openpyxl import load_workbook

from reports.export import FIELDS, FORMULA_PREFIXES
from reports.models import PublishedEntry, ReportingPeriod
from tests.builders import FILE_2022, publish, run_import, use_language

pytestmark = pytest.mark.django_db

# Finnish is the default language, at /; Swedish and English have a prefix.
PREFIXES = {"fi": "", "sv": "/sv", "en": "/en"}
HEADERS = {
    "fi": [
        "Koodi",
        "Otsikko",
        "Tyyppi",
        "Etenemisaste",
        "Tilannekuvaus",
        "Merkittävimmät riskit",
        "Kokonaistilanne",
        "Vastuuhenkilö",
    ],
    "sv": [
        "Kod",
        "Rubrik",
        "Typ",
        "Framstegsnivå",
        "Lägesbeskrivning",
        "De största riskerna",
        "Helhetsläge",
        "Ansvarsperson",
    ],
    "en": [
        "Code",
        "Title",
        "Kind",
        "Progress level",
        "Status text",
        "Main risks",
        "Overall status",
        "Responsible person",
    ],
}
# 01.05.01: an action at level 3, given a green overall status below.
ACTION_ROW = {
    "fi": ("Toimenpide", "3 – Toteutus on aloitettu, ei vielä valmis", "Vihreä"),
    "sv": ("Åtgärd", "3 – Genomförandet har inletts, ännu inte klart", "Grön"),
    "en": ("Action", "3 – Implementation started, not yet complete", "Green"),
}
ANNUAL_GOAL = {"fi": "Vuositavoite", "sv": "Årsmål", "en": "Annual goal"}
# The metadata's labels that the catalogues already translate (the period's fields).
PERIOD_LABELS = {
    "fi": {
        "Valtuustokausi": "2021–2025",
        "Seurantakausi": "1–8/2022",
        "Alkamispäivä": "2022-01-01",
        "Päättymispäivä": "2022-08-31",
    },
    "sv": {
        "Fullmäktigeperiod": "2021–2025",
        "Uppföljningsperiod": "1–8/2022",
        "Startdatum": "2022-01-01",
        "Slutdatum": "2022-08-31",
    },
    "en": {
        "Council term": "2021–2025",
        "Reporting period": "1–8/2022",
        "Start date": "2022-01-01",
        "End date": "2022-08-31",
    },
}
PUBLISHED_AT = {"fi": "Julkaisuaika", "sv": "Publiceringstidpunkt", "en": "Published at"}


@pytest.fixture
def period(settings, demo_persons):
    """The demo's period 1–8/2022 imported and published, with Finnish the site's default
    language (as in production): 01.05.01 green and with a responsible person (the period's
    file names none the demo knows), 01.05.02's texts formulas, 01.06 without a level."""
    with use_language(settings, "fi"):
        run_import(FILE_2022)
        period = ReportingPeriod.objects.get(label="1–8/2022")
        publish(period)
        period.refresh_from_db()
        entries = PublishedEntry.objects.filter(period=period)
        entries.filter(goal__code="01.05.01").update(
            overall_status="green", responsible=demo_persons["Talousjohtaja"]
        )
        entries.filter(goal__code="01.05.02").update(status_text="=1+1", risks="@risk")
        entries.filter(goal__code="01.06").update(level=None)
        yield period


def download(client, language, period, fmt):
    response = client.get(f"{PREFIXES[language]}/periods/{period.pk}/data.{fmt}")
    assert response.status_code == 200
    return response.content


def workbook_in(client, language, period):
    return load_workbook(io.BytesIO(download(client, language, period, "xlsx")))


def rows(sheet):
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def columns_explained(sheet):
    """The rows under the column-explanation heading of the second sheet."""
    all_rows = rows(sheet)
    heading = next(i for i, row in enumerate(all_rows) if row[2] is not None)
    return all_rows[heading], all_rows[heading + 1 :]


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_the_entries_sheet_is_headed_and_labelled_in_the_pages_language(client, period, language):
    workbook = workbook_in(client, language, period)

    entries = rows(workbook.worksheets[0])
    assert entries[0] == HEADERS[language]
    assert len(entries) == 1 + 49
    by_code = {row[0]: dict(zip(FIELDS, row, strict=True)) for row in entries[1:]}
    action = by_code["01.05.01"]
    assert (action["kind"], action["level"], action["overall_status"]) == ACTION_ROW[language]
    assert by_code["01.05"]["kind"] == ANNUAL_GOAL[language]
    assert by_code["01.06"]["level"] is None  # no level given: an empty cell
    # Texts written by the municipality stay as written, in every language.
    written = {
        entry.goal.code: [
            entry.goal.title,
            entry.status_text or None,
            entry.risks or None,
            entry.responsible.title if entry.responsible else None,
        ]
        for entry in PublishedEntry.objects.filter(period=period)
        .exclude(goal__code="01.05.02")  # its texts are formulas, escaped
        .select_related("goal", "responsible")
    }
    assert {
        code: [row["title"], row["status_text"], row["risks"], row["responsible"]]
        for code, row in by_code.items()
        if code in written
    } == written
    assert written["01.05.01"][3] == "Talousjohtaja"


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_the_second_sheet_says_what_the_data_is_in_the_pages_language(
    client, period, language, settings
):
    settings.MUNICIPALITY_NAME = "Tuusulan kunta"

    workbook = workbook_in(client, language, period)

    assert len(workbook.worksheets) == 2
    about = workbook.worksheets[1]
    with translation.override(language):
        assert about.title == translation.gettext("About the data")
        source = translation.pgettext("open data", "Source")
        licence = translation.gettext("Licence")
    labels = {row[0]: row[1] for row in rows(about) if row[0] and row[2] is None}
    assert {label: labels[label] for label in PERIOD_LABELS[language]} == PERIOD_LABELS[language]
    assert labels[PUBLISHED_AT[language]] == period.published_at.isoformat(timespec="seconds")
    assert labels[source] == "Tuusulan kunta"
    assert labels[licence] == "CC BY 4.0"
    assert "https://creativecommons.org/licenses/by/4.0/" in labels.values()
    # The document's properties stay.
    assert workbook.properties.creator == "Tuusulan kunta"
    assert "CC BY 4.0" in workbook.properties.description
    assert workbook.properties.title == "Seuranta: 2021–2025, 1–8/2022"


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_the_second_sheet_explains_every_column_of_the_entries_sheet(client, period, language):
    workbook = workbook_in(client, language, period)

    heading, explained = columns_explained(workbook.worksheets[1])
    headers = rows(workbook.worksheets[0])[0]
    with translation.override(language):
        assert heading == [
            translation.gettext("Column"),
            translation.gettext("Meaning"),
            translation.gettext("Name in CSV and JSON"),
        ]
    assert [row[0] for row in explained] == headers
    assert [row[2] for row in explained] == FIELDS
    meanings = [row[1] for row in explained]
    assert all(meanings) and len(set(meanings)) == len(FIELDS)
    if language == "fi":
        # The overall status is explained in the about page's words, already translated.
        assert explained[FIELDS.index("overall_status")][1].startswith(
            "Kokonaistilanne on vastuuhenkilön asettama liikennevalo"
        )


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_text_that_looks_like_a_formula_stays_text_in_every_cell(client, period, language):
    workbook = workbook_in(client, language, period)

    entries = rows(workbook.worksheets[0])
    action = dict(zip(FIELDS, next(row for row in entries if row[0] == "01.05.02"), strict=True))
    assert action["status_text"] == "'=1+1"
    assert action["risks"] == "'@risk"
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", cell.coordinate
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(FORMULA_PREFIXES), cell.coordinate


def test_each_language_gets_its_own_xlsx_from_the_cache(client, period):
    first_finnish = download(client, "fi", period, "xlsx")
    swedish = download(client, "sv", period, "xlsx")
    finnish_again = download(client, "fi", period, "xlsx")

    assert rows(load_workbook(io.BytesIO(swedish)).worksheets[0])[0] == HEADERS["sv"]
    assert rows(load_workbook(io.BytesIO(finnish_again)).worksheets[0])[0] == HEADERS["fi"]
    assert finnish_again == first_finnish


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_the_csv_and_json_are_the_same_bytes_in_every_language(client, period, fmt):
    files = {language: download(client, language, period, fmt) for language in PREFIXES}

    assert files["sv"] == files["fi"]
    assert files["en"] == files["fi"]
    # Machine keys and stored values, as before.
    if fmt == "csv":
        records = list(csv.DictReader(io.StringIO(files["fi"].decode("utf-8-sig"))))
    else:
        records = json.loads(files["fi"])["entries"]
    assert list(records[0]) == FIELDS
    action = next(record for record in records if record["code"] == "01.05.01")
    assert action["kind"] == "action"
    assert str(action["level"]) == "3"
    assert action["overall_status"] == "green"


def test_the_period_page_says_the_csv_and_json_are_for_programs(client, period):
    content = client.get(f"/en/periods/{period.pk}/").content.decode()

    assert content.count("for programs: the same file in every language") == 2
    assert "opens directly in Excel in Finnish, Swedish or English" in content
