"""Two browser windows on one reporter's period page, in Chromium: edits of different
entries are both kept; the second save of the same entry shows the first one's version
and, saved again, keeps the second window's text."""

import pytest
from django.utils import translation

from reports.models import ProgressEntry
from tests.browser.conftest import finnish
from tests.browser.test_staff_browser import log_in

CONFLICT_SCREENSHOT = "/tmp/two_tabs_conflict.png"


def finnish_plural(singular, plural, count):
    with translation.override("fi"):
        return translation.ngettext(singular, plural, count) % {"count": count}


@pytest.fixture
def reporter(world_live):
    """Person A (staff_a) answers for two actions in the open period: X and Y."""
    from goals.models import Goal

    extra_goal = Goal.objects.create(
        strategy=world_live.strategy,
        year=2024,
        kind="action",
        code="01.01.03",
        title="Action C",
        parent=world_live.goal_a.parent,
        responsible=world_live.person_a,
    )
    world_live.extra = ProgressEntry.objects.create(
        period=world_live.open, goal=extra_goal, responsible=world_live.person_a
    )
    return world_live


@pytest.fixture
def windows(browser, live_server):
    """Opens browser windows (separate contexts, so separate sessions) logged in as a
    user; closes them all at the end."""
    contexts = []

    def open_window(username):
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fi-FI")
        contexts.append(context)
        page = context.new_page()
        page.console_errors = []
        page.on(
            "console",
            lambda message: message.type == "error" and page.console_errors.append(message.text),
        )
        page.on("pageerror", lambda error: page.console_errors.append(str(error)))
        log_in(page, live_server, username)
        return page

    yield open_window
    for context in contexts:
        context.close()


def period_url(live_server, world):
    return live_server.url + f"/reporting/{world.open.pk}/"


def save_draft(page):
    with page.expect_navigation():
        page.get_by_role("button", name=finnish("Save draft")).click()
    page.wait_for_load_state()


def test_it_keeps_both_windows_edits_of_different_entries(live_server, reporter, windows):
    x, y = reporter.entry("open", "a"), reporter.extra
    tab_a, tab_b = windows("staff_a"), windows("staff_a")
    tab_a.goto(period_url(live_server, reporter))
    tab_b.goto(period_url(live_server, reporter))  # opened before tab A saves

    tab_a.locator(f"#id_entry-{x.pk}-status_text").fill("From tab A")
    tab_a.locator(f"#id_entry-{x.pk}-level").select_option("3")
    save_draft(tab_a)
    tab_b.locator(f"#id_entry-{y.pk}-status_text").fill("From tab B")
    tab_b.locator(f"#id_entry-{y.pk}-level").select_option("2")
    save_draft(tab_b)

    saved_one = finnish_plural(
        "%(count)s entry saved as a draft.", "%(count)s entries saved as drafts.", 1
    )
    for tab in (tab_a, tab_b):
        assert tab.url == period_url(live_server, reporter)
        assert tab.get_by_role("status").inner_text().strip() == saved_one
        assert tab.locator(".conflict").count() == 0
        assert tab.locator(".message-error").count() == 0
        assert tab.console_errors == []
    # Tab B's page, reloaded after its save, shows tab A's text for X too.
    assert tab_b.locator(f"#id_entry-{x.pk}-status_text").input_value() == "From tab A"
    x, y = reporter.entry("open", "a"), ProgressEntry.objects.get(pk=y.pk)
    assert (x.level, x.status_text) == (3, "From tab A")
    assert (y.level, y.status_text) == (2, "From tab B")


def test_it_shows_the_first_save_to_the_second_window_and_keeps_its_text(
    live_server, reporter, windows
):
    x = reporter.entry("open", "a")
    first, second = windows("staff_a"), windows("staff_a")
    first.goto(period_url(live_server, reporter))
    second.goto(period_url(live_server, reporter))
    text = f"#id_entry-{x.pk}-status_text"

    first.locator(text).fill("First window's text")
    first.locator(f"#id_entry-{x.pk}-level").select_option("3")
    save_draft(first)
    second.locator(text).fill("Second window's text")
    save_draft(second)

    # The first save won; the second window shows it beside its own, kept text.
    assert reporter.entry("open", "a").status_text == "First window's text"
    conflict = second.locator(f"#entry-{x.pk} .conflict")
    assert conflict.count() == 1
    assert conflict.is_visible()
    assert "First window's text" in conflict.inner_text()
    assert "staff_a" in conflict.inner_text()
    assert second.locator(text).input_value() == "Second window's text"
    # Its level, left alone in the second window, now shows the first window's choice.
    assert second.locator(f"#id_entry-{x.pk}-level").input_value() == "3"
    assert second.locator(".message-error").count() == 1
    conflict.scroll_into_view_if_needed()
    second.screenshot(path=CONFLICT_SCREENSHOT, full_page=True)

    save_draft(second)

    assert second.locator(".conflict").count() == 0
    assert second.get_by_role("status").inner_text().strip() == finnish_plural(
        "%(count)s entry saved as a draft.", "%(count)s entries saved as drafts.", 1
    )
    x = reporter.entry("open", "a")
    assert (x.level, x.status_text) == (3, "Second window's text")
    assert first.console_errors == [] and second.console_errors == []
