"""A reporter's page in Chromium: by keyboard alone, and with no axe violations."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.conftest import WCAG_21_AA, finnish


def log_in(page, live_server, username):
    page.goto(live_server.url + "/reporting/login/")
    page.get_by_label(finnish("Username")).fill(username)
    page.get_by_label(finnish("Password")).fill("x-long-password")
    page.get_by_label(finnish("Password")).press("Enter")
    page.wait_for_url(live_server.url + "/reporting/")


@pytest.mark.parametrize("path", ["/reporting/login/", "/reporting/", "/reporting/{open}/"])
def test_it_has_no_accessibility_violations(live_server, world_live, page, path):
    if path != "/reporting/login/":
        log_in(page, live_server, "staff_a")

    page.goto(live_server.url + path.format(open=world_live.open.pk))

    results = Axe().run(page, options=WCAG_21_AA)
    assert results.violations_count == 0, results.generate_report()
    assert page.console_errors == []


def test_it_can_be_filled_in_and_saved_by_keyboard_alone(live_server, world_live, page):
    log_in(page, live_server, "staff_a")
    page.goto(live_server.url + f"/reporting/{world_live.open.pk}/")
    entry = world_live.entry("open", "a")
    prefix = f"#id_entry-{entry.pk}"

    page.locator(prefix + "-level").focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")  # 3 – Implementation started
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == f"id_entry-{entry.pk}-status_text"
    page.keyboard.type("Typed with the keyboard.")
    page.keyboard.press("Tab")
    page.keyboard.type("Staff shortage")
    page.get_by_role("button", name=finnish("Save draft")).focus()
    page.keyboard.press("Enter")

    page.wait_for_load_state()
    assert page.get_by_role("status").inner_text() != ""
    entry = world_live.entry("open", "a")
    assert (entry.level, entry.status_text, entry.risks) == (
        3,
        "Typed with the keyboard.",
        "Staff shortage",
    )


def test_it_copies_the_previous_text_with_one_click(live_server, world_live, page):
    log_in(page, live_server, "staff_a")
    page.goto(live_server.url + f"/reporting/{world_live.open.pk}/")
    entry = world_live.entry("open", "a")

    page.get_by_role("button", name=finnish("Copy from the previous period")).click()

    text = page.locator(f"#id_entry-{entry.pk}-status_text")
    assert text.input_value() == "Earlier text a"
    assert page.evaluate("document.activeElement.id") == f"id_entry-{entry.pk}-status_text"


def test_it_fits_a_tablet(live_server, world_live, page):
    page.set_viewport_size({"width": 768, "height": 1024})
    log_in(page, live_server, "staff_a")

    page.goto(live_server.url + f"/reporting/{world_live.open.pk}/")

    assert page.evaluate("document.documentElement.scrollWidth") <= 768
