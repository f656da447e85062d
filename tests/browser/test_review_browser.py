"""An official's review screens in Chromium: an entry reviewed by keyboard alone, and no
axe violations on the review screen, the publish confirmation and the dashboard."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django_otp.plugins.otp_totp.models import TOTPDevice

from reports.services import Edit, save_entries
from tests.browser.conftest import WCAG_21_AA
from tests.test_two_factor import PASSWORD, code_of


def log_in_official(page, live_server, world):
    """Through the admin's own login: the password, then a code from the app."""
    device = TOTPDevice.objects.create(user=world.official, name="app", confirmed=True)
    # The admin names no icon, so Chromium asks for /favicon.ico on its own: a 404 of the
    # browser's guess, not an error of the page.
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    page.goto(live_server.url + "/admin/login/?next=/admin/")
    page.locator("#id_username").fill(world.official.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    page.wait_for_url("**/admin/two-factor/**")
    page.locator("#id_code").fill(code_of(device))
    page.locator("#id_code").press("Enter")
    page.wait_for_url(live_server.url + "/admin/")


@pytest.fixture
def submitted(world_live):
    """Both reporters have submitted their entries of the open period 1–8/2024."""
    for who in ("a", "b"):
        entry = world_live.entry("open", who)
        save_entries(
            [
                Edit(
                    entry_id=entry.pk,
                    loaded_version=entry.version,
                    values={"level": 3, "status_text": f"Earlier text {who}, and more"},
                )
            ],
            user=getattr(world_live, f"staff_{who}"),
            submit=True,
        )
    return world_live


def test_it_returns_an_entry_by_keyboard_alone_and_opens_the_next(live_server, submitted, page):
    a, b = submitted.entry("open", "a"), submitted.entry("open", "b")
    log_in_official(page, live_server, submitted)
    page.goto(live_server.url + f"/admin/reports/progressentry/{a.pk}/review/")

    for _press in range(150):
        if page.evaluate("document.activeElement.id") == "id_comment":
            break
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_comment"
    page.keyboard.type("Add this year's figures.")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.value") == "return"
    with page.expect_navigation():
        page.keyboard.press("Enter")

    page.wait_for_url(live_server.url + f"/admin/reports/progressentry/{b.pk}/review/")
    returned = submitted.entry("open", "a")
    assert (returned.review_state, returned.review_comment) == (
        "returned",
        "Add this year's figures.",
    )
    assert page.get_by_text(b.goal.title, exact=False).first.is_visible()
    assert page.console_errors == []


@pytest.mark.parametrize("screen", ["review", "publish", "dashboard"])
def test_it_has_no_accessibility_violations(live_server, submitted, page, screen):
    a = submitted.entry("open", "a")
    path = {
        "review": f"/admin/reports/progressentry/{a.pk}/review/",
        "publish": f"/admin/reports/reportingperiod/{submitted.open.pk}/publish/",
        "dashboard": f"/admin/reports/reportingperiod/{submitted.open.pk}/dashboard/",
    }[screen]
    log_in_official(page, live_server, submitted)

    page.goto(live_server.url + path)

    results = Axe().run(page, options=WCAG_21_AA)
    assert results.violations_count == 0, results.generate_report()
    assert page.console_errors == []
