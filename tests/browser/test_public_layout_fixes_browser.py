"""What only a browser shows of the usability review's fixes, in Debian's Chromium: the
period page's filters show their whole text at a laptop's width and fit a phone's, a
period's label is never broken inside a heading, and the reporter's sticky save bar
never hides the field that has the focus.

Screenshots go to the test's temporary directory (pytest --basetemp=DIR keeps them)."""

import pytest

from goals.models import Goal, ResponsiblePerson
from reports.models import ProgressEntry, PublishedEntry, ReportingPeriod
from tests.browser.test_staff_browser import log_in

# The text each select shows, against what it would take to show it whole: a select as
# wide as its text alone (one option, no set width), in the same place and font.
CLIPPED_SELECTS = """() => [...document.querySelectorAll("form.filters select")].flatMap(select => {
    const text = select.options[select.selectedIndex].text;
    const probe = document.createElement("select");
    probe.className = select.className;
    probe.style.cssText =
        "position: absolute; visibility: hidden; width: auto; min-width: 0; max-width: none";
    probe.add(new Option(text));
    select.parentElement.append(probe);
    const needed = probe.getBoundingClientRect().width;
    probe.remove();
    const shown = select.getBoundingClientRect().width;
    return shown + 0.5 < needed ? [`${select.name}: "${text}" ${shown} < ${needed} px`] : [];
})"""

# How many lines the characters of a label in a heading fall on (the tops of their boxes).
LABEL_LINES = """([heading, label]) => {
    const walker = document.createTreeWalker(heading, NodeFilter.SHOW_TEXT);
    const characters = [];
    while (walker.nextNode()) {
        const node = walker.currentNode;
        for (let offset = 0; offset < node.data.length; offset++) {
            characters.push([node, offset]);
        }
    }
    const start = characters.map(([node, offset]) => node.data[offset]).join("").indexOf(label);
    if (start < 0) return null;
    const tops = characters.slice(start, start + label.length).map(([node, offset]) => {
        const range = document.createRange();
        range.setStart(node, offset);
        range.setEnd(node, offset + 1);
        return Math.round(range.getBoundingClientRect().top);
    });
    return new Set(tops).size;
}"""


def give_some_entries_a_person_and_a_status(period):
    """The demo's entries have neither; a period whose entries have both shows their
    filters too, the widest of the page."""
    person = ResponsiblePerson.objects.create(title="Hyvinvointijohtaja")
    first = PublishedEntry.objects.filter(period=period).order_by("goal__code")[:3]
    PublishedEntry.objects.filter(pk__in=[entry.pk for entry in first]).update(
        responsible=person, overall_status="green"
    )


@pytest.mark.parametrize("with_every_filter", [False, True], ids=["demo", "every-filter"])
def test_each_filter_shows_its_whole_text_on_a_laptop_and_fits_a_phone(
    live_server, demo, page, tmp_path, with_every_filter
):
    period = ReportingPeriod.objects.get(label="1–8/2023")
    if with_every_filter:
        give_some_entries_a_person_and_a_status(period)
    url = f"{live_server.url}/periods/{period.pk}/"

    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(url)
        page.locator("form.filters").screenshot(path=tmp_path / f"filters-{width}.png")

        assert page.evaluate(CLIPPED_SELECTS) == [], width
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    if with_every_filter:
        assert page.locator("form.filters select").count() == 4
    assert page.console_errors == []


def test_a_chosen_filter_shows_its_whole_text_on_a_laptop(live_server, demo, page):
    period = ReportingPeriod.objects.get(label="1–8/2023")
    give_some_entries_a_person_and_a_status(period)
    page.set_viewport_size({"width": 1280, "height": 900})

    page.goto(f"{live_server.url}/periods/{period.pk}/?level=3&overall_status=green")

    assert page.evaluate(CLIPPED_SELECTS) == []


@pytest.mark.parametrize("width", [320, 360])
def test_a_period_heading_keeps_the_label_on_one_line_on_a_phone(
    live_server, demo, page, tmp_path, width
):
    period = ReportingPeriod.objects.get(label="1–8/2023")
    earlier = ReportingPeriod.objects.get(label="1–8/2022")
    page.set_viewport_size({"width": width, "height": 740})

    for name, path in (
        ("period", f"/periods/{period.pk}/"),
        ("print", f"/periods/{period.pk}/print/"),
        ("compare", f"/compare/?first={earlier.pk}&second={period.pk}"),
    ):
        page.goto(live_server.url + path)
        heading = page.locator("h1" if name != "compare" else "h2").first
        heading.screenshot(path=tmp_path / f"{name}-heading-{width}.png")

        labels = [earlier.label, period.label] if name == "compare" else [period.label]
        for label in labels:
            assert page.evaluate(LABEL_LINES, [heading.element_handle(), label]) == 1, name
        # Kept whole, the label still fits beside or under the heading's words.
        assert heading.evaluate("h => h.scrollWidth <= h.clientWidth"), name


def add_entries_for(world, count):
    """More actions for reporter A in the open period, so that the page scrolls."""
    annual = Goal.objects.get(code="01.01", strategy=world.strategy)
    for n in range(count):
        goal = Goal.objects.create(
            strategy=world.strategy,
            year=2024,
            kind="action",
            code=f"01.01.{n + 10:02}",
            title=f"Toimenpide, jonka otsikko on hieman pidempi {n}",
            parent=annual,
            responsible=world.person_a,
        )
        ProgressEntry.objects.create(
            period=world.open, goal=goal, responsible=world.person_a, review_state="draft"
        )


@pytest.mark.parametrize("width", [320, 360])
def test_the_save_bar_never_covers_the_focused_field_on_a_phone(
    live_server, world_live, page, tmp_path, width
):
    add_entries_for(world_live, 4)
    page.set_viewport_size({"width": width, "height": 740})
    log_in(page, live_server, "staff_a")
    page.goto(f"{live_server.url}/reporting/{world_live.open.pk}/")
    first = page.locator("form.entry-form select").first

    first.focus()
    covered = []
    for step in range(200):
        state = page.evaluate(
            """() => {
                const field = document.activeElement;
                const bar = document.querySelector(".form-actions").getBoundingClientRect();
                const rect = field.getBoundingClientRect();
                return {
                    id: field.id || field.tagName,
                    inBar: !!field.closest(".form-actions"),
                    inForm: !!field.closest("form.entry-form"),
                    top: rect.top, bottom: rect.bottom, barTop: bar.top,
                };
            }"""
        )
        if state["inBar"] or not state["inForm"]:
            break
        if state["bottom"] > state["barTop"] + 0.5 or state["top"] < 0:
            covered.append(state)
            page.screenshot(path=tmp_path / f"covered-{step}.png")
        page.keyboard.press("Tab")
    assert state["inBar"], "tabbing never reached the save bar"
    assert covered == []
