"""Every public page in Chromium: no console errors, no axe violations, usable at 360 px."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from goals.models import Goal
from reports.models import ReportingPeriod
from tests.browser.conftest import finnish

WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def public_paths():
    period = ReportingPeriod.objects.get(label="1–8/2022")
    later = ReportingPeriod.objects.get(label="1–8/2023")
    return {
        "home": "/",
        "period": f"/periods/{period.pk}/",
        "period-filtered": f"/periods/{period.pk}/?level=3&sort=-level&page=2",
        "print": f"/periods/{period.pk}/print/",
        "goal": f"/goals/{Goal.objects.get(code='01.', strategy__start_year=2021).pk}/",
        "action": f"/goals/{Goal.objects.get(code='01.06.01', year=2022).pk}/",
        "compare": f"/compare/?first={period.pk}&second={later.pk}",
        "about": "/about/",
        "accessibility": "/accessibility/",
        "swedish-home": "/sv/",
        "english-period": f"/en/periods/{period.pk}/",
    }


PAGES = [
    "home",
    "period",
    "period-filtered",
    "print",
    "goal",
    "action",
    "compare",
    "about",
    "accessibility",
    "swedish-home",
    "english-period",
]


@pytest.mark.parametrize("name", PAGES)
def test_it_has_no_accessibility_violations(live_server, demo, page, name):
    response = page.goto(live_server.url + public_paths()[name])

    assert response.status == 200
    results = Axe().run(page, options=WCAG_21_AA)
    assert results.violations_count == 0, results.generate_report()
    assert page.console_errors == []


@pytest.mark.parametrize("name", PAGES)
def test_it_fits_a_360_pixel_phone_without_horizontal_scrolling(live_server, demo, page, name):
    page.set_viewport_size({"width": 360, "height": 740})

    page.goto(live_server.url + public_paths()[name])

    too_wide = page.evaluate(
        """() => [...document.querySelectorAll("body *")]
            .filter(e => e.getBoundingClientRect().right > 360 && !e.closest(".table-scroll"))
            .map(e => e.tagName + "." + e.className + ": " + e.textContent.trim().slice(0, 40))"""
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, too_wide


def test_it_filters_the_period_table_with_the_form(live_server, demo, page):
    page.goto(live_server.url + public_paths()["period"])

    page.get_by_label(finnish("Progress level")).select_option("5")
    page.get_by_role("button", name=finnish("Show entries")).click()

    page.wait_for_url("**level=5**")
    levels = page.locator("table.entries tbody .col-level").all_inner_texts()
    assert len(levels) == 3
    assert all(text.startswith("5 –") for text in levels)


def test_it_lets_a_keyboard_user_skip_to_the_content(live_server, demo, page):
    page.goto(live_server.url + "/")

    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    page.keyboard.press("Enter")

    assert focused == finnish("Skip to content")
    assert page.evaluate("document.activeElement.id") == "content"


def test_it_switches_the_language(live_server, demo, page):
    page.goto(live_server.url + "/")

    page.get_by_role("navigation", name=finnish("Language")).get_by_role(
        "link", name="English"
    ).click()

    page.wait_for_url(live_server.url + "/en/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", level=1).inner_text() == (
        "How is the municipality's strategy progressing?"
    )


def test_it_prints_a_goals_year_without_the_navigation(live_server, demo, page):
    page.goto(live_server.url + public_paths()["goal"])

    page.emulate_media(media="print")

    assert not page.locator("header.site-header").is_visible()
    assert not page.locator(".year-nav").is_visible()
    assert page.locator(".print-goal table").is_visible()


def test_it_prints_as_a_clean_report_with_a_page_per_goal(live_server, demo, page):
    page.goto(live_server.url + public_paths()["print"])

    page.emulate_media(media="print")

    assert not page.locator("header.site-header").is_visible()
    assert not page.locator("footer.site-footer").is_visible()
    assert not page.locator(".breadcrumbs").is_visible()
    sections = page.locator(".print-goal")
    assert sections.count() >= 2
    assert sections.nth(1).evaluate("e => getComputedStyle(e).breakBefore") == "page"
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
