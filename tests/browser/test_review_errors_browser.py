"""A refused decision on the review screen, in Chromium by keyboard alone: the error
summary at the top takes the focus, and its link takes the official to the field."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from reports.services import Decision, Edit, decide_entry, save_entries
from tests.browser.conftest import WCAG_21_AA, finnish
from tests.browser.test_review_browser import log_in_official


def submit_a(world, text):
    entry = world.entry("open", "a")
    save_entries(
        [
            Edit(
                entry_id=entry.pk,
                loaded_version=entry.version,
                values={"level": 3, "status_text": text},
            )
        ],
        user=world.staff_a,
        submit=True,
    )
    return world.entry("open", "a")


@pytest.fixture
def resubmitted_a(world_live):
    """Reporter A's entry of the open period 1–8/2024, returned to them once and
    submitted again: the page shows its changes since the return too."""
    entry = submit_a(world_live, "Earlier text a, and more")
    decide_entry(
        entry,
        user=world_live.official,
        loaded_version=entry.version,
        decision=Decision.RETURN,
        comment="Add this year's figures.",
    )
    return submit_a(world_live, "Earlier text a, and more: 4 million euros")


def test_a_return_without_a_comment_focuses_the_summary_that_leads_to_the_comment(
    live_server, world_live, resubmitted_a, page
):
    log_in_official(page, live_server, world_live)
    page.goto(live_server.url + f"/admin/reports/progressentry/{resubmitted_a.pk}/review/")

    for _press in range(150):  # to the return button, by way of the empty comment box
        if page.evaluate("document.activeElement.value") == "return":
            break
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.value") == "return"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state()

    summary = page.locator("#review-errors")
    assert summary.is_visible()
    page.wait_for_function("document.activeElement.id === 'review-errors'")
    assert summary.get_attribute("role") == "alert"
    assert finnish("Write a comment for the author before returning.") in summary.inner_text()
    assert page.locator(".review__since-return").is_visible()
    assert summary.bounding_box()["y"] < 900  # on the first screen, not 1,240 px down
    assert page.title().startswith(finnish("Error:") + " ")

    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#id_comment"
    page.keyboard.press("Enter")
    page.wait_for_function("document.activeElement.id === 'id_comment'")
    assert page.locator("#id_comment").is_visible()

    results = Axe().run(page, options=WCAG_21_AA)
    assert results.violations_count == 0, results.generate_report()
    assert world_live.entry("open", "a").review_state == "submitted"
    assert page.console_errors == []
