"""The public pages' behaviour in Chromium: the filter form, the trend, the print view.

Every page's accessibility (axe) and its fit on a phone, in all three languages, are in
test_public_design_browser.py."""

from goals.models import Goal
from reports.models import ReportingPeriod
from tests.browser.conftest import finnish


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


def test_it_filters_the_period_table_with_the_form(live_server, demo, page):
    page.goto(live_server.url + public_paths()["period"])

    page.get_by_label(finnish("Progress level")).select_option("5")
    page.get_by_role("button", name=finnish("Show entries")).click()

    page.wait_for_url("**level=5**")
    levels = page.locator("table.entries tbody .col-level .level-chip")
    assert levels.count() == 3
    assert all(
        title.startswith("5 –") for title in levels.evaluate_all("es => es.map(e => e.title)")
    )


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
