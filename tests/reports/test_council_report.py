"""The council report of a published period as a PDF: cover, summary, contents, the
goals' headings above their actions, A4 pages with page numbers."""

import io
import re
import time

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import clear_url_caches
from django.utils import translation
from pypdf import PdfReader

from reports import council_report
from reports.models import CouncilReportFile, PublicRevision, PublishedEntry, ReportingPeriod
from tests.builders import World, publish

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def report(django_db_setup, django_db_blocker):
    """The demo's 1–8/2022 report, laid out once for the module (WeasyPrint takes seconds)."""
    from django.test import Client

    # Built in a transaction rolled back at the end, so the module leaves no data behind.
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", stdout=io.StringIO())
        period = ReportingPeriod.objects.get(label="1–8/2022")
        clear_url_caches()  # Finnish, the site's default, has no prefix
        with translation.override("fi"):
            response = Client().get(f"/periods/{period.pk}/report.pdf")
        codes = list(
            PublishedEntry.objects.published()
            .filter(period=period)
            .values_list("goal__code", flat=True)
        )
        published_on = period.published_at
        transaction.set_rollback(True)
    assert response.status_code == 200, response.content[:300]
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages]
    return {"response": response, "pages": pages, "codes": codes, "published": published_on}


def test_it_downloads_as_a_pdf(report):
    response = report["response"]

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="seuranta-2021-2025-1-8-2022.pdf"' in response["Content-Disposition"]


def test_its_cover_names_the_municipality_strategy_period_and_publication(report):
    cover = report["pages"][0]

    assert "TUUSULA" in cover.upper()
    assert "Strategian seuranta 1–8/2022" in cover
    assert "2021–2025" in cover
    assert "1.1.2022–31.8.2022" in cover
    published = report["published"]
    assert f"{published.day}. " in cover and str(published.year) in cover


def test_it_holds_every_published_entry_under_its_annual_goal(report):
    text = "\n".join(report["pages"][1:])

    for code in report["codes"]:
        assert re.search(rf"(^|\s){re.escape(code)}\s", text), code
    body = "\n".join(report["pages"][2:])
    assert body.index("01.05 ") < body.index("01.05.01 ") < body.index("01.05.02 ")


def test_it_sums_up_the_levels_and_lists_its_contents_with_pages(report):
    second = report["pages"][1]

    assert "Etenemisasteiden yhteenveto" in second or "Yhteenveto" in second
    assert "Sisällys" in second
    assert re.search(r"01\. .*\.{3,} ?\d+", second)


def test_its_pages_are_numbered_and_none_is_left_half_empty(report):
    pages = report["pages"]
    total = len(pages)

    assert total > 3
    for number, text in enumerate(pages[1:], start=2):
        assert f"{number} / {total}" in text
    for text in pages[1:-1]:  # the cover and the last page may be short
        assert len(text.splitlines()) >= 20, text


def test_an_unpublished_period_has_no_report(client):
    world = World()

    assert client.get(f"/periods/{world.open.pk}/report.pdf").status_code == 404


def test_it_shows_only_what_was_published(client):
    world = World()
    entry = world.entry("closed", "a")
    publish(world.closed)
    entry.status_text = "Luonnos, jota ei ole julkaistu"
    entry.save()

    response = client.get(f"/periods/{world.closed.pk}/report.pdf")

    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert entry.goal.code in text
    assert "Luonnos, jota ei ole julkaistu" not in text


@pytest.fixture
def published_world(transactional_db):
    from django.apps import apps

    from reports.roles import create_groups

    create_groups(apps)  # emptied by the transactional test before
    world = World()
    publish(world.closed)
    return world


def test_a_large_period_is_laid_out_in_the_background_meanwhile_the_resident_is_told(
    client, settings, published_world
):
    settings.COUNCIL_REPORT_SYNC_ENTRIES = 0  # every period counts as large
    url = f"/periods/{published_world.closed.pk}/report.pdf"

    waiting = client.get(url)

    assert waiting.status_code == 503
    assert waiting["Retry-After"] == "60"
    page = waiting.content.decode()
    assert "is being prepared" in page
    assert f'href="/periods/{published_world.closed.pk}/print/"' in page
    for _ in range(300):  # the background thread lays it out
        if CouncilReportFile.objects.filter(period=published_world.closed).exists():
            break
        time.sleep(0.1)
    ready = client.get(url)
    assert ready.status_code == 200
    assert ready["Content-Type"] == "application/pdf"


def test_a_command_lays_out_every_stale_report_for_cron(published_world):
    out = io.StringIO()
    call_command("build_council_reports", stdout=out)

    languages = set(
        CouncilReportFile.objects.filter(period=published_world.closed).values_list(
            "language", flat=True
        )
    )
    assert languages == {"fi", "sv", "en"}
    again = io.StringIO()
    call_command("build_council_reports", stdout=again)
    assert "up to date" in again.getvalue()
    PublicRevision.bump()  # a publishing: the reports kept are stale
    assert council_report.stored_pdf(published_world.closed, "fi") is None
