"""The level charts: reports/charts.py without a database, then the home page's charts on
the demo data through the test client."""

import datetime
import xml.etree.ElementTree as ET
from collections import Counter
from html.parser import HTMLParser

import pytest
from django.core.cache import cache
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from goals.models import Goal, Strategy
from reports import charts
from reports.models import ProgressEntry, PublishedEntry, ReportingPeriod

# Inline SVG in HTML has no namespace of its own.
SVG = ""

# reports/charts.py, no database


def test_it_stacks_the_levels_in_order_across_the_whole_bar():
    bar = charts.stacked_bar("01.", {3: 11, 2: 2, 4: 1})

    assert [segment.level for segment in bar.segments] == [2, 3, 4]
    assert [segment.count for segment in bar.segments] == [2, 11, 1]
    assert bar.total == 14
    assert bar.segments[0].x == 0
    end = bar.segments[-1].x + bar.segments[-1].width
    assert end == pytest.approx(charts.BAR_WIDTH)
    assert bar.segments[1].width == pytest.approx(charts.BAR_WIDTH * 11 / 14, abs=0.01)


def test_it_leaves_no_gap_or_overlap_between_segments():
    bar = charts.stacked_bar("x", {1: 1, 2: 1, 3: 1, 4: 1, 5: 1, None: 1})

    for before, after in zip(bar.segments, bar.segments[1:], strict=False):
        assert after.x == pytest.approx(before.x + before.width, abs=0.01)


def test_it_draws_entries_without_a_level_last():
    bar = charts.stacked_bar("x", {None: 2, 5: 3})

    assert [segment.level for segment in bar.segments] == [5, None]
    assert [segment.key for segment in bar.segments] == ["5", "none"]


def test_it_writes_a_count_only_in_a_segment_wide_enough_for_it():
    bar = charts.stacked_bar("x", {1: 1, 3: 120})

    assert [segment.text for segment in bar.segments] == ["", "120"]


def test_it_sets_every_level_apart_by_more_than_its_colour():
    keys = [charts.stacked_bar("x", {level: 1}).segments[0] for level in charts.ORDER]

    # A pattern for each level but the solid, dark 5; the count on each in a colour that
    # reads on it.
    assert [segment.patterned for segment in keys] == [True, True, True, True, False, True]
    assert len({segment.fill for segment in keys}) == len(keys)
    assert keys[4].text_fill == charts.LIGHT_TEXT
    assert {segment.text_fill for segment in keys[:4]} == {charts.DARK_TEXT}


def test_it_describes_a_bar_in_words():
    bar = charts.stacked_bar("01.", {2: 2, 3: 11, 4: 1, None: 1})

    assert bar.description == "level 2: 2, level 3: 11, level 4: 1, no level: 1 (15 entries)"


def test_it_draws_no_segment_for_a_bar_without_entries():
    bar = charts.stacked_bar("x", {})

    assert bar.segments == []
    assert bar.total == 0
    assert bar.description == "no entries"


def test_it_groups_bars_in_the_order_given():
    groups = charts.grouped_bars(
        [
            ("2017–2021", "1–9/2021", {3: 4}),
            ("2021–2025", "1–8/2022", {2: 1}),
            ("2021–2025", "1–8/2023", {5: 2}),
        ]
    )

    assert [(g.label, [bar.label for bar in g.bars]) for g in groups] == [
        ("2017–2021", ["1–9/2021"]),
        ("2021–2025", ["1–8/2022", "1–8/2023"]),
    ]


def test_it_names_in_the_legend_only_what_the_chart_draws():
    chart = charts.Chart(
        "c", [charts.Group("", [charts.stacked_bar("a", {2: 1}), charts.stacked_bar("b", {5: 1})])]
    )

    assert [(key.key, key.label, key.full_label) for key in chart.legend] == [
        ("2", "Planning", "2 – In planning, progressed a little"),
        ("5", "Done", "5 – Implemented and in use as planned"),
    ]


def render_chart(chart):
    return render_to_string(
        "public/_chart.html", {"chart": chart, "caption": "Caption", "note": "Note"}
    )


def svg_elements(markup):
    """The chart's markup as XML: every SVG of it must parse."""
    return ET.fromstring(f"<root>{markup}</root>")


def test_it_draws_valid_svg_with_coordinates_that_no_language_turns_into_commas():
    chart = charts.Chart("c", charts.grouped_bars([("T", "1–8/2022", {1: 1, 2: 2, 3: 4})]))

    with translation.override("fi"):
        markup = render_chart(chart)

    root = svg_elements(markup)
    rects = root.findall(f".//{SVG}rect")
    assert rects
    for rect in rects:
        for name in ("x", "y", "width", "height"):
            float(rect.get(name))  # "42,86" would fail here
    bar = root.find(f".//{SVG}svg[@class='chart-bar']")
    assert bar.get("viewBox") == f"0 0 {charts.BAR_WIDTH} {charts.BAR_HEIGHT}"


def test_it_names_each_bar_by_its_title_and_description():
    chart = charts.Chart(
        "c", charts.grouped_bars([("T", "1–8/2022", {3: 4}), ("T", "1–8/2023", {4: 2})])
    )

    root = svg_elements(render_chart(chart))

    ids = [element.get("id") for element in root.iter() if element.get("id")]
    assert len(ids) == len(set(ids))
    images = [svg for svg in root.iter(f"{SVG}svg") if svg.get("role") == "img"]
    assert len(images) == 2
    for image in images:
        title_id, desc_id = image.get("aria-labelledby").split()
        assert image.find(f"{SVG}title").get("id") == title_id
        assert image.find(f"{SVG}desc").get("id") == desc_id
    assert images[1].find(f"{SVG}desc").text == "level 4: 2 (2 entries)"


def test_it_outlines_a_bar_without_entries():
    chart = charts.Chart("c", charts.grouped_bars([("", "empty", {})]))

    root = svg_elements(render_chart(chart))

    bar = root.find(f".//{SVG}svg[@class='chart-bar']")
    assert [rect.get("class") for rect in bar.iter(f"{SVG}rect")] == ["chart-empty"]
    assert bar.find(f"{SVG}desc").text == "no entries"


def test_it_has_a_pattern_for_every_patterned_segment_it_draws():
    chart = charts.Chart(
        "c", charts.grouped_bars([("", "p", {1: 5, 2: 5, 3: 5, 4: 5, 5: 5, None: 5})])
    )

    root = svg_elements(render_chart(chart))

    patterns = {pattern.get("id") for pattern in root.iter(f"{SVG}pattern")}
    used = {
        rect.get("fill")[len("url(#") : -1]
        for rect in root.iter(f"{SVG}rect")
        if rect.get("fill", "").startswith("url(")
    }
    assert used == {"c-pattern-1", "c-pattern-2", "c-pattern-3", "c-pattern-4", "c-pattern-none"}
    assert used <= patterns


# Queries: the same number however many periods and entries


def build_term(scale, start_year):
    """A council term with `scale` × 2 published periods, each with an entry for each of
    `scale` × 3 council-term goals, their annual goals and two actions under each."""
    strategy = Strategy.objects.create(start_year=start_year, end_year=start_year + 4)
    year = start_year + 1
    goals = []
    for number in range(1, scale * 3 + 1):
        goal = Goal.objects.create(
            strategy=strategy, kind="goal", code=f"{number:02}.", title=f"Goal {number}"
        )
        annual = Goal.objects.create(
            strategy=strategy, kind="annual_goal", year=year, code=f"{number:02}.01", parent=goal
        )
        goals += [goal, annual]
        for action in (1, 2):
            goals.append(
                Goal.objects.create(
                    strategy=strategy,
                    kind="action",
                    year=year,
                    code=f"{number:02}.01.{action:02}",
                    parent=annual,
                )
            )
    now = timezone.now()
    for index in range(scale * 2):
        period_year, last = year + index // 11, 2 + index % 11
        period = ReportingPeriod.objects.create(
            strategy=strategy,
            year=period_year,
            label=f"1–{last}/{period_year}",
            start_date=datetime.date(period_year, 1, 1),
            end_date=datetime.date(period_year, last, 28),
            published=True,
            published_at=now,
        )
        entries = ProgressEntry.objects.bulk_create(
            ProgressEntry(period=period, goal=goal, level=1 + i % 5, review_state="published")
            for i, goal in enumerate(goals)
        )
        PublishedEntry.objects.bulk_create(
            PublishedEntry(
                entry=entry,
                period=period,
                goal=entry.goal,
                level=entry.level,
                version=1,
                published_at=now,
            )
            for entry in entries
        )


def test_it_draws_the_charts_in_the_same_number_of_queries_for_ten_times_the_data(
    client, db, django_assert_max_num_queries
):
    build_term(1, 2017)
    with CaptureQueriesContext(connection) as queries:
        small = client.get("/")
    assert len(small.context["trend_chart"].groups[0].bars) == 2
    assert len(queries) <= 10

    # A later term, ten times the size: the first becomes the previous term.
    build_term(10, 2021)
    cache.clear()
    with django_assert_max_num_queries(len(queries)):
        large = client.get("/")

    trend = large.context["trend_chart"]
    assert [len(group.bars) for group in trend.groups] == [2, 20]
    assert trend.groups[1].bars[0].total == 120
    assert len(large.context["goals_chart"].groups[0].bars) == 30


# The home page on the demo data, loaded after the tests above: it stays until the module's
# end.


class Tables(HTMLParser):
    """Each <table>'s caption and rows of cell texts."""

    def __init__(self, html):
        super().__init__()
        self.tables, self._cell, self._in_caption = [], None, False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append({"caption": "", "rows": []})
        elif tag == "caption":
            self._in_caption = True
        elif tag == "tr":
            self.tables[-1]["rows"].append([])
        elif tag in ("td", "th"):
            self._cell = ""

    def handle_endtag(self, tag):
        if tag == "caption":
            self._in_caption = False
        elif tag in ("td", "th"):
            self.tables[-1]["rows"][-1].append(" ".join(self._cell.split()))
            self._cell = None

    def handle_data(self, data):
        if self._in_caption:
            self.tables[-1]["caption"] += data
        elif self._cell is not None:
            self._cell += data

    def captioned(self, caption):
        return next(table for table in self.tables if table["caption"].startswith(caption))


def published_counts(**filters):
    counts = Counter()
    for entry in PublishedEntry.objects.published().filter(**filters):
        counts[entry.level] += 1
    return counts


def bar_counts(bar):
    return {level: count for level, count in bar.counts.items() if count}


def test_it_draws_each_council_term_goals_levels_on_the_home_page(client, demo):
    latest = demo["1–8/2023"]

    response = client.get("/")

    content = response.content.decode()
    bars = response.context["goals_chart"].groups[0].bars
    assert [bar.subject.code for bar in bars] == sorted(bar.subject.code for bar in bars)
    for bar in bars:
        expected = published_counts(
            period=latest, goal__in=Goal.objects.self_and_under(bar.subject)
        )
        assert bar_counts(bar) == dict(expected)
        assert f">{bar.description}</desc>" in content
    goal_01 = next(bar for bar in bars if bar.subject.code == "01.")
    assert goal_01.description == "level 2: 2, level 3: 11, level 4: 1 (14 entries)"
    assert 'aria-labelledby="goals-chart-1-1-title goals-chart-1-1-desc"' in content


def test_it_puts_each_goals_chart_beside_a_table_of_the_same_numbers(client, demo):
    response = client.get("/")

    table = Tables(response.content.decode()).captioned("Number of entries at each progress")
    bars = response.context["goals_chart"].groups[0].bars
    rows = table["rows"][1:]
    assert len(rows) == len(bars)
    for row, bar in zip(rows, bars, strict=True):
        assert row[0].startswith(bar.subject.code)
        assert [int(cell) for cell in row[1:]] == list(bar.counts.values())


def test_it_draws_the_whole_strategys_levels_in_each_published_period_by_term(client, demo):
    response = client.get("/")

    groups = response.context["trend_chart"].groups
    assert [(group.label, [bar.label for bar in group.bars]) for group in groups] == [
        ("Council term 2017–2021", ["1–9/2021"]),
        ("Council term 2021–2025", ["1–8/2022", "1–8/2023"]),
    ]
    for group in groups:
        for bar in group.bars:
            assert bar_counts(bar) == dict(published_counts(period=demo[bar.label]))
    assert [row["count"] for row in response.context["distribution"].rows] == [
        groups[-1].bars[-1].counts[level] for level in charts.LEVELS
    ]


def test_it_offers_the_periods_chart_as_a_table_of_the_same_numbers(client, demo):
    response = client.get("/")

    content = response.content.decode()
    assert "<summary>Show as table</summary>" in content
    table = Tables(content).captioned("Number of entries at each progress level in each")
    rows = {row[0]: row[1:] for row in table["rows"][1:] if len(row) > 1}
    assert set(rows) == {"1–9/2021", "1–8/2022", "1–8/2023"}
    for label, cells in rows.items():
        counts = published_counts(period=demo[label])
        expected = [counts[level] for level in charts.ORDER] + [sum(counts.values())]
        assert [int(cell) for cell in cells] == expected
    assert ["Council term 2017–2021"] in table["rows"]


def test_it_never_counts_what_is_not_published(client, demo):
    latest = demo["1–8/2023"]
    before = published_counts(period=latest)
    # Staff's and officials' later changes wait for the next publishing ...
    ProgressEntry.objects.filter(period=latest).update(level=5, public_level=5)
    # ... and a period taken back from the public leaves the charts.
    ReportingPeriod.objects.filter(pk=demo["1–8/2022"].pk).update(published=False)

    response = client.get("/")

    trend = response.context["trend_chart"]
    labels = [bar.label for group in trend.groups for bar in group.bars]
    assert labels == ["1–9/2021", "1–8/2023"]
    assert bar_counts(trend.groups[-1].bars[-1]) == dict(before)
    goals = response.context["goals_chart"].groups[0].bars
    assert sum(bar.counts[5] for bar in goals) == before[5]
    unpublished = ReportingPeriod.objects.filter(published=False).values_list("label", flat=True)
    assert unpublished and not set(unpublished) & set(labels)
