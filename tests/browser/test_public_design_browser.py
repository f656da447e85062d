"""The public pages' design in Chromium: at a phone's, a tablet's and a laptop's width no
page scrolls sideways, the period page stays compact, and every page in every language
passes axe-core's WCAG 2.1 A/AA rules.

Screenshots go to the test's temporary directory (pytest --basetemp=DIR keeps them where
you can look at them)."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import translation

from goals.models import Goal
from reports.models import ReportingPeriod
from tests.browser.conftest import WCAG_21_AA, finnish

WIDTHS = [360, 768, 1280]
# The period page with its first 25 entries, at a laptop's width. The level used to be
# written out in full in every row; as a chip it leaves a row only as tall as its title.
PERIOD_PAGE_MAX_HEIGHT = 2800  # it was about 5,900 px
ROW_MAX_HEIGHT = 110
ROW_MEAN_MAX_HEIGHT = 70


def finnish_short(text):
    with translation.override("fi"):
        return translation.pgettext("progress level, short", text)


def paths():
    period = ReportingPeriod.objects.get(label="1–8/2022")
    later = ReportingPeriod.objects.get(label="1–8/2023")
    return {
        "home": "/",
        "period": f"/periods/{period.pk}/",
        "period-filtered": f"/periods/{period.pk}/?level=3&sort=-level&page=2",
        "goal": f"/goals/{Goal.objects.get(code='01.', strategy__start_year=2021).pk}/",
        "item": f"/goals/{Goal.objects.get(code='01.06.01', year=2022).pk}/",
        "compare": f"/compare/?first={period.pk}&second={later.pk}",
        "print": f"/periods/{period.pk}/print/",
        "about": "/about/",
        "accessibility": "/accessibility/",
        "404": "/no-such-page/",
    }


def sideways_overflow(page):
    """The elements that reach past the viewport's right edge, for the failure message."""
    return page.evaluate(
        """() => [...document.querySelectorAll("body *")]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth)
            .map(e => e.tagName + "." + e.className + ": " + e.textContent.trim().slice(0, 40))
            .slice(0, 10)"""
    )


@pytest.mark.parametrize("name", ["home", "period", "goal", "compare", "print"])
def test_it_fits_a_phone_a_tablet_and_a_laptop_without_sideways_scrolling(
    live_server, demo, page, tmp_path, name
):
    path = paths()[name]

    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(live_server.url + path)
        page.screenshot(path=tmp_path / f"{name}-{width}.png", full_page=True)

        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= width, (width, sideways_overflow(page))
    assert page.console_errors == []


@pytest.mark.parametrize("name", ["period", "goal", "compare"])
def test_it_shows_a_phone_its_tables_as_cards_without_a_scrolling_region(
    live_server, demo, page, name
):
    page.set_viewport_size({"width": 360, "height": 740})

    page.goto(live_server.url + paths()[name])

    scrolling = page.evaluate(
        """() => [...document.querySelectorAll(".table-scroll")]
            .filter(e => e.scrollWidth > e.clientWidth)
            .map(e => e.querySelector("table").className)"""
    )
    assert page.locator("table.stacked").count() >= 1
    assert scrolling == []
    # A card names the column of a value: generated content from the cell's data-label.
    named = page.evaluate(
        """() => [...document.querySelectorAll("table.stacked tbody td[data-label]")]
            .filter(e => getComputedStyle(e, "::before").content.includes(e.dataset.label))
            .length"""
    )
    assert named > 0


def test_it_keeps_the_period_pages_first_25_entries_compact(live_server, demo, page, tmp_path):
    page.goto(live_server.url + paths()["period"])
    page.screenshot(path=tmp_path / "period-1280.png", full_page=True)

    assert page.locator("table.entries tbody tr").count() == 25
    # No row taller than its content needs: a title of two or three lines and the status
    # cut to two lines (the full level label in every row made them twice as tall).
    heights = page.evaluate(
        "[...document.querySelectorAll('table.entries tbody tr')]"
        ".map(row => row.getBoundingClientRect().height)"
    )
    assert max(heights) <= ROW_MAX_HEIGHT
    assert sum(heights) / len(heights) <= ROW_MEAN_MAX_HEIGHT
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height <= PERIOD_PAGE_MAX_HEIGHT


def test_it_shows_each_level_as_a_chip_and_its_full_label_to_screen_readers(
    live_server, demo, page
):
    page.goto(live_server.url + paths()["period"] + "?level=4")

    chip = page.locator("table.entries tbody .col-level .level-chip").first
    full = finnish("4 – Nearly complete, not yet finalised or in use")

    # The number and a word or two for the eye, the full label for a screen reader and
    # as a tooltip.
    assert chip.get_attribute("title") == full
    assert chip.locator(".level-chip__label").inner_text() == finnish_short("Nearly done")
    assert chip.locator("[aria-hidden=true]").count() == 2
    assert chip.locator(".visually-hidden").inner_text() == full


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_it_has_no_accessibility_violations_in_any_language(live_server, demo, page, language):
    prefix = "" if language == "fi" else f"/{language}"
    violations = {}

    for name, path in paths().items():
        if name == "print":
            continue
        response = page.goto(live_server.url + prefix + path)
        assert response.status == (404 if name == "404" else 200), name
        assert page.locator("html").get_attribute("lang") == language
        results = Axe().run(page, options=WCAG_21_AA)
        if results.violations_count:
            violations[name] = results.generate_report()

    assert violations == {}
    # The 404 page's own status is the one error a browser reports.
    assert [error for error in page.console_errors if "404" not in error] == []
