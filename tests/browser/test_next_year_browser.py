"""The officials' next-year pages in Chromium: the copy preview and the page that gives
many goals one responsible person, with no axe violations."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.test import Client

from tests.browser.conftest import WCAG_21_AA


@pytest.fixture
def official_page(page, live_server, world_live):
    """The page of an official who has logged in, second factor included (the session
    comes from the test client, whose force_login passes the second factor)."""
    client = Client()
    client.force_login(world_live.official)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    # The admin names no icon, so Chromium asks for /favicon.ico on its own.
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    return page


def test_the_copy_preview_has_no_accessibility_violations(live_server, world_live, official_page):
    page = official_page
    page.goto(
        live_server.url
        + f"/admin/goals/goal/copy-year/?strategy={world_live.strategy.pk}&year=2024"
    )

    assert page.locator("textarea").count() == 3
    results = Axe().run(page, options=WCAG_21_AA)
    assert results.violations_count == 0, results.generate_report()
    assert page.console_errors == []


def test_the_assign_page_has_no_accessibility_violations(live_server, world_live, official_page):
    page = official_page
    page.goto(live_server.url + "/admin/goals/goal/?year=2024")
    page.locator("#action-toggle").check()
    page.locator("select[name=action]").select_option("assign_responsible")
    page.locator("button[name=index]").click()
    page.wait_for_load_state()

    assert page.locator("select[name=person]").count() == 1
    results = Axe().run(page, options=WCAG_21_AA)
    assert results.violations_count == 0, results.generate_report()
    assert page.console_errors == []
