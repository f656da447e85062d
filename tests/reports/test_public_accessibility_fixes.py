"""The accessibility and language review's fixes to the residents' pages, through the test
client on the demo data: the period page's entries have a heading of their own, a sort
link's name keeps the column's name and its hint apart, a goal page names the goal in
its breadcrumbs and says what its levels count, the comparison's empty choice is words,
and the licence's deed is in the page's language."""

import re
from html.parser import HTMLParser

import pytest
from django.utils.text import Truncator

from goals.models import Goal

pytestmark = pytest.mark.django_db


def html(response):
    assert response.status_code == 200, response.status_code
    return response.content.decode()


class _Spoken(HTMLParser):
    """The text of a fragment as a screen reader reads it: without what is aria-hidden."""

    VOID = {"br", "img", "input", "meta", "link", "hr", "wbr"}

    def __init__(self):
        super().__init__()
        self.hidden, self.depth, self.parts = [], 0, []

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        hidden = dict(attrs).get("aria-hidden") == "true"
        self.hidden.append(hidden)
        self.depth += hidden

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.hidden:
            self.depth -= self.hidden.pop()

    def handle_data(self, data):
        if not self.depth:
            self.parts.append(data)


def spoken(fragment):
    parser = _Spoken()
    parser.feed(fragment)
    parser.close()
    return " ".join("".join(parser.parts).split())


def headings(content):
    """[(level, spoken text)] of the page's headings, in order."""
    return [
        (int(level), spoken(text))
        for level, text in re.findall(r"<h([1-6])\b[^>]*>(.*?)</h\1>", content, re.S)
    ]


# 1. The period page: the entries under a heading of their own, before their filters.


def test_it_gives_the_entries_of_a_period_a_heading_of_their_own(client, demo):
    period = demo["1–8/2023"]

    content = html(client.get(f"/sv/periods/{period.pk}/"))

    assert headings(content) == [
        (1, "Uppföljningsperiod 1–8/2023"),
        (2, "Lägesrapporter för 1–8/2023 (49 lägesrapporter)"),
        (3, "Vad nivåerna betyder"),
        (2, "Öppna data och utskrift"),
    ]


def test_it_puts_the_filters_legend_and_table_under_the_entries_heading(client, demo):
    period = demo["1–8/2023"]

    response = client.get(f"/periods/{period.pk}/", {"level": "3"})

    content = html(response)
    heading = re.search(r'<h2 id="entries-heading">(.*?)</h2>', content, re.S)
    assert heading, "no heading of the entries"
    # The count of the entries the filters show, with the label kept on one line.
    shown = response.context["table"].paginator.count
    assert 1 < shown < 49
    assert spoken(heading.group(1)) == f"Progress entries of 1–8/2023 ({shown} entries)"
    assert '<span class="nowrap">1–8/2023</span>' in heading.group(1)
    section = content.index('<section class="entries" aria-labelledby="entries-heading">')
    order = [
        section,
        heading.start(),
        content.index('<form class="filters"'),
        content.index('<h3 class="legend__title">'),
        content.index("<table "),
        content.index("</section>", section),
        content.index('<h2 id="data-heading">'),
    ]
    assert order == sorted(order)
    # The table keeps its caption, which names it for screen readers.
    caption = re.search(r'<caption id="table-caption"[^>]*>(.*?)</caption>', content, re.S)
    assert spoken(caption.group(1)) == f"Progress entries of 1–8/2023 ({shown} entries)"


def test_the_entries_heading_counts_none_when_no_entry_matches(client, demo):
    period = demo["1–8/2023"]

    content = html(client.get(f"/periods/{period.pk}/", {"q": "no-such-word-anywhere"}))

    heading = re.search(r'<h2 id="entries-heading">(.*?)</h2>', content, re.S)
    assert spoken(heading.group(1)) == "Progress entries of 1–8/2023 (0 entries)"
    assert "No entries match the filters." in content


def test_the_printable_report_keeps_the_legend_heading_an_h2(client, demo):
    content = html(client.get(f"/periods/{demo['1–8/2023'].pk}/print/"))

    assert '<h2 class="legend__title">What the levels mean</h2>' in content


# 2. A sort link: the column's name, a space, then the hint.


@pytest.mark.parametrize(
    ("prefix", "names"),
    [
        ("/sv", ["Kod (sortera i fallande ordning)", "Rubrik (sortera i stigande ordning)"]),
        ("", ["Code (sort descending)", "Title (sort ascending)"]),
    ],
)
def test_a_sort_links_name_has_a_space_before_the_hint(client, demo, prefix, names):
    period = demo["1–8/2023"]

    content = html(client.get(f"{prefix}/periods/{period.pk}/"))

    links = re.findall(r'<a href="\?sort=[^"]*">(.*?)</a>', content, re.S)
    assert [spoken(link) for link in links[:2]] == names


# 3. A goal's page: its breadcrumbs name it; its levels say what they count.


def current_crumb(content):
    nav = re.search(r'<nav class="breadcrumbs".*?</nav>', content, re.S).group(0)
    return re.search(r'<a [^>]*aria-current="page">(.*?)</a>', nav, re.S).group(1)


def test_the_breadcrumbs_name_a_council_term_goal_by_code_and_title(client, demo):
    goal = Goal.objects.get(code="01.", kind=Goal.Kind.GOAL, strategy=demo["1–8/2023"].strategy)

    crumb = current_crumb(html(client.get(f"/sv/goals/{goal.pk}/")))

    # The title as the municipality wrote it, marked as Finnish on a Swedish page.
    assert crumb.startswith('01. <span lang="fi">')
    assert spoken(crumb) == f"01. {Truncator(goal.title).words(8, truncate=' …')}"


def test_the_breadcrumbs_name_an_action_by_code_and_title(client, demo):
    action = Goal.objects.get(code="01.06.01", year=2022)

    crumb = current_crumb(html(client.get(f"/sv/goals/{action.pk}/")))

    assert crumb.startswith('01.06.01 <span lang="fi">')
    assert spoken(crumb) == f"01.06.01 {Truncator(action.title).words(8, truncate=' …')}"


def test_it_shortens_a_long_title_in_the_breadcrumbs_not_in_the_heading(client, demo):
    goal = Goal.objects.get(code="01.", kind=Goal.Kind.GOAL, strategy=demo["1–8/2023"].strategy)
    goal.title_en = "One two three four five six seven eight nine ten"
    goal.save()

    content = html(client.get(f"/goals/{goal.pk}/"))

    # Cut after eight words, as the page's <title> is; the heading has it all.
    assert spoken(current_crumb(content)) == "01. One two three four five six seven eight …"
    assert "01. One two three four five six seven eight nine ten</h1>" in content


def test_a_goals_levels_say_how_many_entries_are_at_each_level(client, demo):
    goal = Goal.objects.get(code="01.", kind=Goal.Kind.GOAL, strategy=demo["1–8/2023"].strategy)

    response = client.get(f"/goals/{goal.pk}/")

    content = html(response)
    lists = re.findall(r'<ul class="rollup-distribution">(.*?)</ul>', content, re.S)
    rollups = [row["rollup"] for row in response.context["term_levels"] if row["rollup"]]
    assert len(lists) == len(rollups) > 0
    for items, rollup in zip(lists, rollups, strict=True):
        read = [spoken(item) for item in re.findall(r"<li\b[^>]*>(.*?)</li>", items, re.S)]
        expected = [
            f"{count} {'entry' if count == 1 else 'entries'} at level {level}"
            for level, count in rollup.distribution
        ]
        assert read[:5] == expected
    # Both forms appear in the demo: 1–8/2022 has one entry at level 1, three at level 2.
    assert "1 entry at level 1" in spoken(lists[0])
    assert "3 entries at level 2" in spoken(lists[0])


# 4. Compare: the empty choice of each select is words, not dashes.


def test_the_compare_selects_offer_choose_a_period_as_their_empty_choice(client, demo):
    content = html(client.get("/compare/"))

    for name in ("first", "second"):
        select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', content, re.S)
        options = re.findall(r"<option ([^>]*)>(.*?)</option>", select.group(1))
        assert options[0] == ('value="" selected', "Choose a period"), name
    assert "---------" not in content


# 5. The licence's deed in the page's language.


@pytest.mark.parametrize(("prefix", "code"), [("", "en"), ("/sv", "sv"), ("/fi", "fi")])
def test_it_links_the_licence_deed_in_the_pages_language(client, demo, prefix, code):
    period = demo["1–8/2023"]

    for path in ("/", f"/periods/{period.pk}/", "/about/"):
        content = html(client.get(f"{prefix}{path}"))
        deeds = re.findall(r'href="https://creativecommons\.org/licenses/by/4\.0/([^"]*)"', content)
        # The footer's link, and on the period page its open data's too.
        assert deeds == [f"deed.{code}"] * (2 if "periods" in path else 1), path
