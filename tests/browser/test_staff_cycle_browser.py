"""A reporter's round in Chromium: by keyboard alone, with the character count, copying
the previous period, the warning before leaving unsaved changes, the error summary, the
password reset pages; no axe violations, and no sideways scrolling on a 360 px phone."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from reports.models import ProgressEntry
from reports.services import Edit, review_entries, save_entries
from tests.browser.conftest import WCAG_21_AA, finnish
from tests.browser.test_staff_browser import log_in


def period_page(page, live_server, world, period="open"):
    page.goto(live_server.url + f"/reporting/{getattr(world, period).pk}/")


def field(page, entry, name):
    return page.locator(f"#id_entry-{entry.pk}-{name}")


def counter(page, entry, name):
    return page.locator(f"#id_entry-{entry.pk}-{name}_helptext")


def live_status(page):
    return page.locator("#char-count-status")


def returned_entry(world):
    entry = world.entry("open", "a")
    save_entries(
        [
            Edit(
                entry_id=entry.pk,
                loaded_version=entry.version,
                values={"level": 2, "status_text": "Thin"},
            )
        ],
        user=world.staff_a,
        submit=True,
    )
    review_entries([entry], user=world.official, approve=False, comment="Add the figures.")
    return world.entry("open", "a")


def show_error_summary(page, live_server, world):
    """Submit the entry with a status text over the limit: the page comes back with the
    error summary."""
    entry = world.entry("open", "a")
    period_page(page, live_server, world)
    field(page, entry, "status_text").fill("x" * 4010)
    page.get_by_role("button", name=finnish("Save draft")).click()
    page.wait_for_selector(".error-summary")
    page.wait_for_load_state("load")  # the page's script has run: what has the focus is final
    return entry


def test_it_is_filled_in_by_keyboard_with_a_character_count(live_server, world_live, page):
    log_in(page, live_server, "staff_a")
    period_page(page, live_server, world_live)
    entry = world_live.entry("open", "a")

    field(page, entry, "level").focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")  # 2 – In planning
    page.keyboard.press("Tab")
    page.keyboard.type("Typed with the keyboard.")

    assert re.fullmatch(r"24 / 4\s000 .+", counter(page, entry, "status_text").inner_text())
    description = field(page, entry, "status_text").get_attribute("aria-describedby")
    assert f"id_entry-{entry.pk}-status_text_helptext" in description.split()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == f"id_entry-{entry.pk}-risks"
    page.keyboard.type("Staff")
    page.get_by_role("button", name=finnish("Save draft")).focus()
    page.keyboard.press("Enter")

    page.wait_for_selector(".message-success")
    entry = world_live.entry("open", "a")
    assert (entry.level, entry.status_text, entry.risks) == (2, "Typed with the keyboard.", "Staff")
    assert page.console_errors == []


def test_it_announces_the_count_politely_near_and_over_the_limit(live_server, world_live, page):
    log_in(page, live_server, "staff_a")
    period_page(page, live_server, world_live)
    entry = world_live.entry("open", "a")
    assert live_status(page).get_attribute("aria-live") == "polite"
    # Every text the live region is given, in order.
    page.evaluate(
        """() => {
            window.announced = [];
            const status = document.getElementById("char-count-status");
            new MutationObserver(() => window.announced.push(status.textContent))
                .observe(status, {childList: true, characterData: true, subtree: true});
        }"""
    )
    remaining = finnish("Characters remaining: %(count)s") % {"count": "300"}
    over = finnish("Characters over the limit: %(count)s") % {"count": "10"}

    field(page, entry, "risks").focus()
    page.keyboard.type("Far from the limit")
    field(page, entry, "risks").fill("x" * 3700)
    expect(live_status(page)).to_have_text(remaining)
    page.keyboard.type("yy")
    field(page, entry, "risks").fill("x" * 4010)
    expect(live_status(page)).to_have_text(over)

    assert page.evaluate("window.announced") == [remaining, over]
    assert "char-count-over" in counter(page, entry, "risks").get_attribute("class")
    # Over the limit can be typed (the count says by how much); the server refuses it.
    assert len(field(page, entry, "risks").input_value()) == 4010


def test_it_copies_the_previous_period_after_asking_before_replacing(live_server, world_live, page):
    log_in(page, live_server, "staff_a")
    period_page(page, live_server, world_live)
    entry = world_live.entry("open", "a")
    dialogs = []

    def answer(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss() if len(dialogs) == 1 else dialog.accept()

    page.on("dialog", answer)
    field(page, entry, "status_text").focus()
    page.keyboard.type("My own words")
    copy = page.get_by_role("button", name=finnish("Copy from the previous period"))

    copy.focus()
    page.keyboard.press("Enter")  # asked, and cancelled: nothing replaced
    assert field(page, entry, "status_text").input_value() == "My own words"
    copy.focus()
    page.keyboard.press("Enter")  # asked again, and accepted

    assert dialogs == ["confirm", "confirm"]
    assert field(page, entry, "status_text").input_value() == "Earlier text a"
    assert field(page, entry, "level").input_value() == "2"
    assert page.evaluate("document.activeElement.id") == f"id_entry-{entry.pk}-status_text"
    assert re.match(r"14 / ", counter(page, entry, "status_text").inner_text())


def test_it_copies_without_asking_into_an_empty_entry(live_server, world_live, page):
    log_in(page, live_server, "staff_a")
    period_page(page, live_server, world_live)
    entry = world_live.entry("open", "a")
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.accept()))

    page.get_by_role("button", name=finnish("Copy from the previous period")).click()

    assert dialogs == []
    assert field(page, entry, "status_text").input_value() == "Earlier text a"


def test_it_warns_before_leaving_unsaved_changes_but_not_on_saving(live_server, world_live, page):
    log_in(page, live_server, "staff_a")
    period_page(page, live_server, world_live)
    entry = world_live.entry("open", "a")
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))

    field(page, entry, "status_text").focus()
    page.keyboard.type("Not saved yet")
    page.get_by_role("link", name=finnish("My reporting")).focus()
    with page.expect_event("dialog"):
        page.keyboard.press("Enter")

    assert dialogs == ["beforeunload"]
    assert page.url == live_server.url + f"/reporting/{world_live.open.pk}/"
    assert field(page, entry, "status_text").input_value() == "Not saved yet"

    page.get_by_role("button", name=finnish("Save draft")).focus()
    page.keyboard.press("Enter")
    page.wait_for_selector(".message-success")

    assert dialogs == ["beforeunload"]
    assert world_live.entry("open", "a").status_text == "Not saved yet"


def test_it_focuses_the_error_summary_and_its_links_lead_to_the_fields(
    live_server, world_live, page
):
    log_in(page, live_server, "staff_a")
    entry = show_error_summary(page, live_server, world_live)

    assert page.evaluate("document.activeElement.className") == "error-summary"
    assert page.title().startswith(finnish("Error:"))
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")

    assert page.evaluate("document.activeElement.id") == f"id_entry-{entry.pk}-status_text"
    assert page.console_errors == []


def test_it_shows_only_unfinished_entries_from_a_link(live_server, world_live, page):
    log_in(page, live_server, "staff_a")
    save_entries(
        [
            Edit(
                entry_id=world_live.entry("open", "a").pk,
                loaded_version=world_live.entry("open", "a").version,
                values={"level": 3, "status_text": "Ready"},
            )
        ],
        user=world_live.staff_a,
    )
    period_page(page, live_server, world_live)

    page.get_by_role("link", name=re.compile(r"\(0\)")).click()

    assert page.url.endswith("?show=unfinished")
    assert page.locator("fieldset.entry-row").count() == 0


STAFF_PAGES = [
    "home",
    "period",
    "error-summary",
    "closed",
    "login",
    "password-reset",
    "password-reset-sent",
    "password-reset-confirm",
    "password-reset-done",
]


def open_staff_page(page, live_server, world, name, outbox):
    """Go to one of the staff pages, as the reporter sees it."""
    if name.startswith("password-reset") or name == "login":
        paths = {
            "login": "/reporting/login/",
            "password-reset": "/reporting/password-reset/",
            "password-reset-sent": "/reporting/password-reset/sent/",
            "password-reset-done": "/reporting/password-reset/done/",
        }
        if name == "password-reset-confirm":
            world.staff_a.email = "talous@example.fi"
            world.staff_a.save()
            page.goto(live_server.url + "/reporting/password-reset/")
            page.get_by_label(finnish("Email")).fill("talous@example.fi")
            page.get_by_label(finnish("Email")).press("Enter")
            page.wait_for_url("**/sent/")
            link = re.search(r"http://[^/\s]+(\S+)", outbox[-1].body).group(1)
            page.goto(live_server.url + link)
            page.wait_for_selector("form.narrow-form")
            return
        page.goto(live_server.url + paths[name])
        return
    returned_entry(world)
    ProgressEntry.objects.filter(pk=world.entry("closed", "a").pk).update(
        overall_status="yellow", risks="Budget"
    )
    log_in(page, live_server, "staff_a")
    if name == "period":
        period_page(page, live_server, world)
    elif name == "error-summary":
        show_error_summary(page, live_server, world)
    elif name == "closed":
        period_page(page, live_server, world, "closed")


@pytest.mark.parametrize("name", STAFF_PAGES)
def test_it_has_no_accessibility_violations(live_server, world_live, page, name, mailoutbox):
    open_staff_page(page, live_server, world_live, name, mailoutbox)

    results = Axe().run(page, options=WCAG_21_AA)

    assert results.violations_count == 0, results.generate_report()
    assert page.console_errors == []


@pytest.mark.parametrize("name", STAFF_PAGES)
def test_it_needs_no_sideways_scrolling_on_a_phone(live_server, world_live, page, name, mailoutbox):
    page.set_viewport_size({"width": 360, "height": 740})

    open_staff_page(page, live_server, world_live, name, mailoutbox)

    assert page.evaluate("document.documentElement.scrollWidth") <= 360
