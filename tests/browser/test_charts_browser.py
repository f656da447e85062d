"""The home page's level charts in Chromium: accessible in every language, readable on a
360 px phone, their numbers a click away as a table."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.conftest import WCAG_21_AA, finnish

HOMES = ["/", "/sv/", "/en/"]


@pytest.mark.parametrize("path", HOMES)
def test_it_has_no_accessibility_violations_in_any_language(live_server, demo, page, path):
    response = page.goto(live_server.url + path)

    assert response.status == 200
    assert page.locator("svg.chart-bar[role=img]").count() >= 2
    results = Axe().run(page, options=WCAG_21_AA)
    assert results.violations_count == 0, results.generate_report()
    assert page.console_errors == []


@pytest.mark.parametrize("path", HOMES)
def test_it_fits_the_charts_on_a_360_pixel_phone(live_server, demo, page, path, tmp_path):
    page.set_viewport_size({"width": 360, "height": 740})

    page.goto(live_server.url + path)
    page.screenshot(path=tmp_path / "home-360.png", full_page=True)

    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    bars = page.locator("svg.chart-bar")
    assert bars.count() >= 2
    for box in (bars.nth(i).bounding_box() for i in range(bars.count())):
        assert box["x"] >= 0 and box["x"] + box["width"] <= 360
    # The counts in the bars stay readable as the bars shrink to the phone's width.
    heights = page.evaluate(
        """() => [...document.querySelectorAll("svg.chart-bar text")]
            .map(t => t.getBoundingClientRect().height)"""
    )
    assert heights and min(heights) >= 12


def test_it_draws_the_bars_in_the_levels_colours_with_their_counts(
    live_server, demo, page, tmp_path
):
    page.goto(live_server.url + "/")
    page.screenshot(path=tmp_path / "home-1280.png", full_page=True)

    first_goal = page.locator("#goals-chart svg.chart-bar").first
    fill = first_goal.locator("rect.chart-fill-3").evaluate("rect => getComputedStyle(rect).fill")
    level_3 = page.evaluate(
        "getComputedStyle(document.documentElement).getPropertyValue('--level-3').trim()"
    )
    red, green, blue = (int(level_3[i : i + 2], 16) for i in (1, 3, 5))
    assert fill == f"rgb({red}, {green}, {blue})"
    assert first_goal.locator("text").all_text_contents() == ["2", "11", "1"]


def test_it_shows_the_periods_chart_as_a_table_on_request(live_server, demo, page):
    page.goto(live_server.url + "/")
    table = page.locator(".chart-table table")
    assert not table.is_visible()

    page.get_by_text(finnish("Show as table")).focus()
    page.keyboard.press("Enter")

    assert table.is_visible()
    assert table.locator("tbody th[scope=row]").all_inner_texts() == [
        "1–9/2021",
        "1–8/2022",
        "1–8/2023",
    ]
