"""Council-term goals' and annual goals' levels derived from the levels under them
(reports/rollup.py): the method on plain values, then on the real legacy files through
the public pages."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from goals.models import Goal
from reports.models import LevelOverride, PublicRevision, ReportingPeriod
from reports.rollup import (
    Source,
    distribution,
    lower_median,
    overridden,
    published_rollups,
    roll_up_annual_goal,
    roll_up_term_goal,
)
from tests.builders import FILE_2022, FILE_2023, add_demo_persons, official, publish, run_import

# --- The method, on plain values: no database. ---


@pytest.mark.parametrize(
    ("levels", "median"),
    [
        ([3], 3),
        ([1, 3, 5], 3),
        ([5, 1, 3], 3),  # the order given does not matter
        ([2, 4], 2),  # even: the lower of the two middle levels, never 3
        ([2, 3], 2),  # never 2.5
        ([1, 2, 3, 4], 2),
        ([1, 2, 2, 2, 5, 5], 2),
        ([3, 3, 3, 1], 3),  # ties
        ([1, 1, 5, 5], 1),
        ([None, 4, None], 4),  # no level: left out
        ([4, None, 2, None, None], 2),
        ([None, None], None),
        ([], None),
    ],
)
def test_it_takes_the_lower_median(levels, median):
    assert lower_median(levels) == median


def test_it_never_averages_an_ordinal_scale():
    # A mean would be 3; no item is anywhere near the middle.
    assert lower_median([1, 1, 5, 5]) == 1
    assert lower_median([1, 5]) == 1


def test_it_counts_the_distribution_and_the_levels_missing():
    assert distribution([1, 1, 3, None, 5, None]) == ((2, 0, 1, 0, 1), 2)
    assert distribution([]) == ((0, 0, 0, 0, 0), 0)


def test_it_derives_an_annual_goals_level_from_its_actions():
    rollup = roll_up_annual_goal([5, 2, None], own_level=4)

    assert rollup.level == 2  # the lower median of 2 and 5; the own 4 does not count
    assert rollup.source == Source.DERIVED
    assert rollup.counts == (0, 1, 0, 0, 1)
    assert rollup.without_level == 1
    assert rollup.explanation == "derived from 2 actions"


def test_it_takes_an_annual_goals_own_level_when_no_action_has_one():
    reported = roll_up_annual_goal([None], own_level=3)
    nothing = roll_up_annual_goal([], own_level=None)

    assert (reported.level, reported.source, reported.explanation) == (
        3,
        Source.REPORTED,
        "as reported",
    )
    assert reported.derived_level is None
    assert (nothing.level, nothing.source, nothing.counted) == (None, Source.NONE, 0)


def test_it_counts_actions_and_annual_goals_without_actions_for_a_council_term_goal():
    rollup = roll_up_term_goal(
        [
            (4, [2, 2]),  # its actions count; its own 4 does not
            (5, []),  # no actions: its own level counts
            (None, [None]),  # nothing with a level
            (1, [None, 3]),  # the action with a level speaks for it
        ],
        own_level=1,  # the goal's own level only stands if nothing under it has one
    )

    assert rollup.level == 2  # 2, 2, 3, 5
    assert (rollup.actions, rollup.annual_goals, rollup.without_level) == (3, 1, 2)
    assert rollup.counts == (0, 2, 1, 0, 1)
    assert rollup.explanation == "derived from 3 actions and 1 annual goal"


def test_it_says_a_council_term_goal_without_levels_under_it_has_none():
    assert roll_up_term_goal([]).source == Source.NONE
    assert roll_up_term_goal([(None, [None, None])]).without_level == 2
    assert roll_up_term_goal([], own_level=4).source == Source.REPORTED


def test_it_keeps_the_derived_level_beside_an_official_one():
    rollup = overridden(roll_up_term_goal([(None, [2, 3])]), level=4, reason="New data")

    assert (rollup.level, rollup.derived_level, rollup.reason) == (4, 2, "New data")
    assert rollup.counts == (0, 1, 1, 0, 0)
    assert rollup.explanation == "set by the strategy team"
    assert overridden(None, level=2, reason="x").derived_level is None


# --- On the real legacy files, through the public pages. ---

# What the municipality's files hold: which council-term goals had actions reported in
# 1–8/2022 and 1–8/2023, and the levels derived from them (by hand from the files).
BOTH_YEARS = {"01.": (3, 3), "06.": (3, 2), "10.": (3, 2), "14.": (3, 3)}
ONLY_2022 = {"04.", "09.", "11."}
ONLY_2023 = {"07.", "08."}


@pytest.fixture
def term(db):
    """The 2021–2025 term's two real files, imported and published as officials do."""
    add_demo_persons()
    run_import(FILE_2022)
    run_import(FILE_2023)
    periods = {p.label: p for p in ReportingPeriod.objects.all()}
    for period in periods.values():
        publish(period)
    goals = {g.code: g for g in Goal.objects.filter(kind=Goal.Kind.GOAL)}
    return periods["1–8/2022"], periods["1–8/2023"], goals


def html(response):
    assert response.status_code == 200
    return response.content.decode()


def test_it_derives_every_council_term_goals_level_in_the_periods_it_was_reported(
    term, django_assert_num_queries
):
    first, second, goals = term

    with django_assert_num_queries(2):  # the levels counted, and the overrides
        rollups = published_rollups([first, second])

    assert set(goals) == set(BOTH_YEARS) | ONLY_2022 | ONLY_2023
    for code, goal in goals.items():
        before, after = rollups.get((goal.pk, first.pk)), rollups.get((goal.pk, second.pk))
        if code in BOTH_YEARS:
            assert (before.level, after.level) == BOTH_YEARS[code]
        # A council-term goal with nothing reported under it in a year gets no level then:
        # none is made up.
        assert (before is not None) == (code not in ONLY_2023)
        assert (after is not None) == (code not in ONLY_2022)
        for rollup in (before, after):
            if rollup is not None:
                assert rollup.source == Source.DERIVED
                assert rollup.level is not None
    goal_01 = rollups[(goals["01."].pk, first.pk)]
    # 01.03, 01.05, 01.06, 01.09, 01.11, 01.12 and 01.13 have 12 actions between them.
    assert (goal_01.actions, goal_01.annual_goals) == (12, 0)
    assert goal_01.counts == (1, 3, 7, 0, 1)
    # 11.03 has no actions: its own level, 2, is what 11. is derived from.
    goal_11 = rollups[(goals["11."].pk, first.pk)]
    assert (goal_11.level, goal_11.actions, goal_11.annual_goals) == (2, 0, 1)


def test_it_shows_the_council_term_goals_level_in_every_published_period(client, term):
    first, second, goals = term

    response = client.get(f"/goals/{goals['01.'].pk}/")

    content = html(response)
    assert [row["period"] for row in response.context["term_levels"]] == [first, second]
    assert "level in each period" in content
    assert "derived from 12 actions" in content and "derived from 14 actions" in content
    assert "the lower of the two middle ones" in content
    assert "unchanged at 3" in content  # the trend across the years of the term
    # The annual goals and actions are still shown one year at a time.
    assert "Annual goals and actions 2023" in content
    assert "Annual goals and actions 2022" not in content


def test_it_shows_annual_goals_their_level_derived_from_their_actions(client, term):
    _first, _second, goals = term

    response = client.get(f"/goals/{goals['06.'].pk}/", {"year": "2022"})

    row = next(r for r in response.context["rows"] if r["goal"].code == "06.03")
    # Reported as 4 on the annual goal itself; its five actions are 3, 3, 3, 4, 5.
    assert row["levels"] == [3]


def test_it_says_which_council_term_goals_rose_fell_or_stayed(client, term):
    first, second, goals = term

    response = client.get("/compare/", {"first": first.pk, "second": second.pk})

    content = html(response)
    groups = {
        key: [row["goal"].code for row in rows] for key, _t, rows in response.context["term_groups"]
    }
    assert groups == {
        "rose": [],
        "fell": ["06.", "10."],
        "stayed": ["01.", "14."],
        "not_comparable": sorted(ONLY_2022 | ONLY_2023),
    }
    assert "Council-term goals whose level fell" in content
    assert "derived from 7 actions" in content  # 06. in 1–8/2022


def test_it_compares_a_level_set_by_the_strategy_team(client, term):
    first, second, goals = term
    LevelOverride.objects.create(
        goal=goals["14."],
        period=second,
        level=4,
        reason="Talouden tasapainotus eteni ennakoitua nopeammin",
        set_by=official(),
    )

    response = client.get("/compare/", {"first": first.pk, "second": second.pk})

    content = html(response)
    rose = next(rows for key, _t, rows in response.context["term_groups"] if key == "rose")
    assert [row["goal"].code for row in rose] == ["14."]
    assert "set by the strategy team" in content
    assert "Talouden tasapainotus eteni ennakoitua nopeammin" in content


def test_it_shows_a_level_set_by_the_strategy_team_with_its_reason(client, term):
    first, second, goals = term
    LevelOverride.objects.create(
        goal=goals["01."], period=second, level=4, reason="Kampukset valmistuivat etuajassa"
    )

    content = html(client.get(f"/goals/{goals['01.'].pk}/"))

    assert "set by the strategy team" in content
    assert "Kampukset valmistuivat etuajassa" in content
    assert "the level derived from the levels under it would be 3" in content
    assert "rose from 3 to 4" in content


def test_it_marks_an_annual_goals_level_set_by_the_strategy_team(client, term):
    _first, second, goals = term
    annual = Goal.objects.get(code="01.05", year=2023)
    LevelOverride.objects.create(goal=annual, period=second, level=5, reason="Valmis")

    response = client.get(f"/goals/{goals['01.'].pk}/")

    content = html(response)
    row = next(r for r in response.context["rows"] if r["goal"] == annual)
    assert row["levels"] == [5]
    assert f'href="#set-{annual.pk}-{second.pk}"' in content
    assert f'id="set-{annual.pk}-{second.pk}"' in content and "Valmis" in content
    # The council-term goal is still derived from the actions, not from the override.
    assert response.context["term_levels"][1]["rollup"].level == 3


def test_it_never_shows_an_unpublished_periods_levels(client, term):
    first, second, goals = term
    LevelOverride.objects.create(goal=goals["01."], period=second, level=5, reason="Secret")
    second.published = False
    second.save()
    PublicRevision.bump()

    goal_page = client.get(f"/goals/{goals['01.'].pk}/")
    compare = client.get("/compare/", {"first": first.pk, "second": second.pk})

    content = html(goal_page)
    assert [row["period"] for row in goal_page.context["term_levels"]] == [first]
    assert "1–8/2023" not in content and "Secret" not in content
    assert "derived from 14 actions" not in content
    assert "term_groups" not in compare.context and compare.context["form"].errors
    assert published_rollups([second]) == {}
    # A council-term goal reported only in the unpublished period is not there at all.
    assert client.get(f"/goals/{goals['07.'].pk}/").status_code == 404


def test_it_lets_an_official_set_a_level_with_a_reason_in_the_admin(client, term):
    _first, second, goals = term
    user = official()
    client.force_login(user)
    before = PublicRevision.current().number
    form = {"goal": goals["06."].pk, "period": second.pk, "level": 3}

    refused = client.post("/admin/reports/leveloverride/add/", {**form, "reason": " "})
    assert refused.status_code == 200 and not LevelOverride.objects.exists()
    saved = client.post("/admin/reports/leveloverride/add/", {**form, "reason": "Arvioitu"})

    assert saved.status_code == 302
    override = LevelOverride.objects.get()
    assert (override.level, override.reason, override.set_by) == (3, "Arvioitu", user)
    assert override.history.count() == 1
    assert PublicRevision.current().number > before
    assert "Arvioitu" in html(client.get(f"/goals/{goals['06.'].pk}/"))


def test_it_refuses_an_override_of_an_action_or_of_another_year(client, term):
    first, _second, goals = term
    client.force_login(official())
    action = Goal.objects.get(code="01.05.01", year=2023)
    annual_2023 = Goal.objects.get(code="01.05", year=2023)

    for goal in (action, annual_2023):
        response = client.post(
            "/admin/reports/leveloverride/add/",
            {"goal": goal.pk, "period": first.pk, "level": 3, "reason": "x"},
        )
        assert response.status_code == 200
    assert not LevelOverride.objects.exists()


@pytest.mark.parametrize("page", ["goal", "compare"])
def test_it_uses_the_same_number_of_queries_for_ten_times_the_data(client, db, tmp_path, page):
    add_demo_persons()

    def page_queries():
        for each in ReportingPeriod.objects.all():
            publish(each)
        first = ReportingPeriod.objects.get(label="1–8/2022")
        second = ReportingPeriod.objects.get(label="1–8/2023")
        goal = Goal.objects.get(code="01.")
        for period in (first, second):
            for annual in Goal.objects.filter(kind=Goal.Kind.ANNUAL_GOAL, year=period.year):
                LevelOverride.objects.get_or_create(
                    goal=annual, period=period, defaults={"level": 4, "reason": "Arvio"}
                )
        LevelOverride.objects.get_or_create(
            goal=goal, period=second, defaults={"level": 4, "reason": "Arvio"}
        )
        PublicRevision.bump()
        url = (
            f"/goals/{goal.pk}/?year=2022"
            if page == "goal"
            else f"/compare/?first={first.pk}&second={second.pk}"
        )
        with CaptureQueriesContext(connection) as queries:
            html(client.get(url))
        return len(queries)

    run_import(FILE_2022)
    run_import(FILE_2023)
    small = page_queries()
    bigger = tmp_path / "bigger.txt"
    lines = FILE_2022.read_text(encoding="utf-8").split("\n")
    extra = [
        f"01. Goal\t01.{n:02} Extra annual goal {n}\t01.{n:02}.{m:02} Action {m}"
        f"\t\t\t{m % 5 + 1} x\tText"
        for n in range(20, 61)
        for m in range(1, 12)
    ]
    bigger.write_text("\n".join(lines + extra), encoding="utf-8")
    run_import(bigger, period="1-8/2022", term="2021-2025")

    assert Goal.objects.filter(year=2022).count() >= 10 * 49
    assert page_queries() == small
