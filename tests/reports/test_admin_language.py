"""The admin in the official's language: what opening a period did, the entries' export
and an entry's history, in Finnish and Swedish with their plural forms."""

import csv
import datetime
import io
from urllib.parse import unquote

import pytest
from django.contrib.messages import get_messages
from django.utils import translation
from openpyxl import load_workbook

from goals.models import Goal
from reports import services
from reports.models import ProgressEntry, ReportingPeriod
from tests.builders import use_language

pytestmark = pytest.mark.django_db


@pytest.fixture
def official(client, world):
    client.force_login(world.official)
    return world.official


def new_period(world, label, year, **extra):
    return ReportingPeriod.objects.create(
        strategy=world.strategy,
        year=year,
        label=label,
        start_date=datetime.date(year, 1, 1),
        end_date=datetime.date(year, 12, 31),
        **extra,
    )


def open_periods(client, *periods):
    response = client.post(
        "/admin/reports/reportingperiod/",
        {"action": "open_for_reporting", "_selected_action": [p.pk for p in periods]},
        follow=True,
    )
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_it_says_how_many_drafts_opening_created_and_who_has_none(client, world, official):
    period = new_period(world, "2024", 2024)

    said = open_periods(client, period)

    assert said == [
        "2024 is open for reporting; 3 new draft entries.",
        "1 goal of 2024 has no responsible person: nobody sees its draft until one is "
        "assigned under Goals.",
    ]
    assert period.entries.count() == 3


def test_it_says_why_opening_created_nothing_when_the_year_has_no_goals(client, world, official):
    period = new_period(world, "2023", 2023)

    said = open_periods(client, period)

    assert said == [
        "2023 is open for reporting, but no draft entries were created. The council term "
        "2021–2025 has no annual goals or actions for 2023. Copy the previous year's goals, "
        "or import them, under Goals."
    ]


def test_it_says_why_opening_created_nothing_when_every_entry_existed(client, world, official):
    Goal.objects.filter(code="01.01").update(responsible=world.person_a)
    open_periods(client, world.open)

    said = open_periods(client, world.open)

    assert said == [
        "1–8/2024 is open for reporting; no new draft entries, since all 3 goals of 2024 "
        "already had their entries."
    ]


@pytest.mark.parametrize(
    "language, one, many",
    [
        ("fi", "1–4/2024 on avattu raportoinnille; 1 uusi luonnos.", "uutta luonnosta"),
        ("sv", "1–4/2024 är öppen för rapportering; 1 nytt utkast.", "nya utkast"),
    ],
)
def test_it_counts_drafts_in_the_plural_forms_of_the_language(
    client, world, official, settings, language, one, many
):
    single = world.closed  # only the annual goal 01.01 has no entry in it yet
    several = new_period(world, "2025", 2025)
    for code in ("01.02", "01.03"):
        Goal.objects.create(
            strategy=world.strategy, year=2025, kind="annual_goal", code=code, title=code
        )

    with use_language(settings, language):
        said = open_periods(client, single, several)

    assert one in said
    assert any(
        message.startswith("2025 ") and message.endswith("; 2 " + many + ".") for message in said
    ), said


def test_it_says_what_opening_will_do_when_a_period_is_created(client, world, official):
    response = client.post(
        "/admin/reports/reportingperiod/add/",
        {
            "strategy": world.strategy.pk,
            "year": 2025,
            "label": "1–4/2025",
            "start_date": "2025-01-01",
            "end_date": "2025-04-30",
            "deadline": "",
        },
        follow=True,
    )

    said = [str(message) for message in get_messages(response.wsgi_request)]
    assert any(
        message.startswith("Opening 1–4/2025 for reporting would create no draft entries.")
        for message in said
    ), said


def finnish(text):
    with translation.override("fi"):
        return translation.gettext(text)


def edit(world, who, **values):
    entry = world.entry("open", who)
    return services.edit_entry(
        entry, user=world.official, loaded_version=entry.version, values=values
    )


def export(client, world, file_format):
    return client.post(
        f"/admin/reports/progressentry/export/?period__id__exact={world.open.pk}",
        {
            "format": file_format,
            "resource": "0",
            **{
                f"progressentryresource_{name}": "on"
                for name in ("period", "code", "kind", "level", "overall_status", "review_state")
            },
        },
    )


def test_it_exports_entries_in_finnish_with_a_bom_and_the_period_in_the_name(
    client, world, official, settings
):
    edit(world, "a", level=3, overall_status="yellow", status_text="Etenee")

    with use_language(settings, "fi"):
        response = export(client, world, "1")

    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "seurantakausi",
        "koodi",
        "tyyppi",
        "etenemisaste",
        "kokonaistilanne",
        "tarkastuksen tila",
    ]
    by_code = {row[1]: row for row in rows[1:]}
    assert by_code["01.01.01"] == [
        "1–8/2024",
        "01.01.01",
        "toimenpide",
        finnish(ProgressEntry.Level.STARTED.label),
        "keltainen",
        "luonnos",
    ]
    assert by_code["01.01.01"][3].startswith("3 – ")
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; filename*=utf-8''")
    filename = unquote(disposition.split("''", 1)[1])
    assert filename.startswith("Etenemismerkinnät 1–8-2024 ")
    assert filename.endswith(".csv")


def test_it_exports_a_workbook_with_finnish_headers_and_labels(client, world, official, settings):
    edit(world, "b", overall_status="green")

    with use_language(settings, "fi"):
        response = export(client, world, "0")

    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("seurantakausi", "koodi", "tyyppi")
    assert {row[1]: row[4] for row in rows[1:]}["01.01.02"] == "vihreä"
    assert unquote(response["Content-Disposition"]).endswith(".xlsx")


def test_it_shows_an_entrys_history_with_labels(client, world, official, settings):
    entry = edit(world, "a", overall_status="yellow")
    entry = edit(world, "a", overall_status="red", level=2)

    with use_language(settings, "fi"):
        content = client.get(f"/admin/reports/progressentry/{entry.pk}/history/").content.decode()

    assert "keltainen" in content and "punainen" in content
    assert finnish(ProgressEntry.Level.PLANNING.label) in content
    assert "yellow" not in content and ">red<" not in content
    assert "Deleted" not in content  # an empty "updated by" is a dash, not a deleted user


@pytest.mark.parametrize(
    ("language", "words", "foreign"),
    [
        ("sv", ["Importera", "Exportera", "Fil att importera", "Filformat"], ["Tuo", "Vie"]),
        ("fi", ["Tuo", "Vie", "Tuotava tiedosto", "Tiedostomuoto"], ["Importera"]),
    ],
)
def test_it_shows_the_import_and_export_pages_in_the_officials_language(
    client, world, official, settings, language, words, foreign
):
    """django-import-export has no Swedish catalogue; Django would fill its gaps with
    Finnish, the site's default language, on a Swedish page."""
    with use_language(settings, language):
        pages = "".join(
            client.get(url).content.decode()
            for url in (
                "/admin/goals/goal/",
                "/admin/goals/goal/import/",
                "/admin/reports/progressentry/export/",
            )
        )

    for word in words:
        assert f">{word}" in pages or f'"{word}"' in pages, word
    for word in foreign:
        assert f">{word}<" not in pages, word


@pytest.mark.parametrize(
    ("language", "names"),
    [("fi", ["Todennussovellukset", "Koodilistat"]), ("sv", ["Autentiseringsappar", "Kodlistor"])],
)
def test_it_names_the_two_factor_models_in_the_officials_language(
    client, db, settings, language, names
):
    """As the superuser who manages the officials' second factors sees them."""
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.create_superuser("root", password="x" * 12))
    with use_language(settings, language):
        content = client.get("/admin/").content.decode()

    assert "TOTP devices" not in content and "Static devices" not in content
    for name in names:
        assert f">{name}<" in content, name
