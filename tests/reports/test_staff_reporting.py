"""A reporter's period page: load, edit, errors, drafts, submit, conflicts."""

import datetime

import pytest

from reports.models import ProgressEntry
from reports.services import Edit, save_entries

pytestmark = pytest.mark.django_db


def form_data(entries, submit=False, values=None):
    """The page's POST as a browser sends it: every shown entry as it was loaded, with
    `values[pk]` typed over its fields."""
    data = {"submit" if submit else "save": ""}
    for entry in entries:
        loaded = {
            "level": entry.level or "",
            "status_text": entry.status_text,
            "risks": entry.risks,
            "overall_status": entry.overall_status,
        }
        typed = {**loaded, **(values or {}).get(entry.pk, {})}
        for name, value in typed.items():
            data[f"entry-{entry.pk}-{name}"] = value
            data[f"initial-entry-{entry.pk}-{name}"] = loaded[name]
        data[f"entry-{entry.pk}-version"] = entry.version
    return data


def edit(entry, **values):
    return Edit(entry_id=entry.pk, loaded_version=entry.version, values=values)


@pytest.fixture
def reporter(client, world):
    # Person A answers for two actions in the open period.
    from goals.models import Goal

    extra_goal = Goal.objects.create(
        strategy=world.strategy,
        year=2024,
        kind="action",
        code="01.01.03",
        title="Action C",
        parent=world.goal_a.parent,
        responsible=world.person_a,
    )
    world.extra = ProgressEntry.objects.create(
        period=world.open, goal=extra_goal, responsible=world.person_a
    )
    client.force_login(world.staff_a)
    return world


def url(world):
    return f"/reporting/{world.open.pk}/"


def test_it_shows_the_previous_periods_level_and_text_beside_each_entry(client, reporter):
    response = client.get(url(reporter))

    rows = {row["entry"].goal.code: row for row in response.context["groups"][0]["rows"]}
    assert rows["01.01.01"]["previous"].status_text == "Earlier text a"
    assert rows["01.01.03"]["previous"] is None
    content = response.content.decode()
    assert 'Previous period <span class="nowrap">1–4/2024</span>' in content
    assert "Copy from the previous period" in content
    assert "My reporting for 1–8/2024" in content


def test_it_saves_several_rows_as_drafts_and_shows_them_again(client, reporter):
    a, c = reporter.entry("open", "a"), reporter.extra

    response = client.post(
        url(reporter),
        form_data(
            [a, c],
            values={
                a.pk: {"level": "3", "status_text": "Going well", "risks": "Budget"},
                c.pk: {"level": "1", "overall_status": "red"},
            },
        ),
    )

    assert response.status_code == 302
    a, c = reporter.entry("open", "a"), ProgressEntry.objects.get(pk=c.pk)
    assert (a.level, a.status_text, a.risks, a.review_state) == (
        3,
        "Going well",
        "Budget",
        "draft",
    )
    assert (c.level, c.overall_status) == (1, "red")
    again = client.get(url(reporter), follow=True).content.decode()
    assert "Going well" in again
    assert "2 entries saved as drafts." in again


def test_it_shows_an_error_at_the_row_and_keeps_everything_typed(client, reporter):
    a, c = reporter.entry("open", "a"), reporter.extra

    response = client.post(
        url(reporter),
        form_data(
            [a, c],
            submit=True,
            values={
                a.pk: {"level": "4", "status_text": "Ready"},
                c.pk: {"level": "9", "status_text": "Typed with a level off the scale"},
            },
        ),
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert "Nothing was saved: correct the entries marked below." in content
    assert "Select a valid choice" in content
    assert "Typed with a level off the scale" in content and "Ready" in content
    rows = {row["entry"].pk: row["form"] for row in response.context["groups"][0]["rows"]}
    assert rows[c.pk].errors and not rows[a.pk].errors
    assert reporter.entry("open", "a").status_text == ""  # all or nothing


def test_it_submits_complete_entries_and_keeps_incomplete_ones_as_drafts(client, reporter):
    a, c = reporter.entry("open", "a"), reporter.extra

    response = client.post(
        url(reporter),
        form_data(
            [a, c],
            submit=True,
            values={
                a.pk: {"level": "4", "status_text": "Ready"},
                c.pk: {"level": "", "status_text": "Typed but no level yet"},
            },
        ),
        follow=True,
    )

    a, c = reporter.entry("open", "a"), ProgressEntry.objects.get(pk=c.pk)
    assert (a.review_state, a.status_text) == ("submitted", "Ready")
    assert (c.review_state, c.status_text) == ("draft", "Typed but no level yet")
    content = response.content.decode()
    assert "1 entry submitted for review." in content
    assert "kept as a draft until it has a progress level and a status text: 01.01.03" in content


def test_it_submits_entries_for_review(client, reporter):
    a, c = reporter.entry("open", "a"), reporter.extra

    client.post(
        url(reporter),
        form_data(
            [a, c],
            submit=True,
            values={
                a.pk: {"level": "4", "status_text": "Ready"},
                c.pk: {"level": "2", "status_text": "Planning"},
            },
        ),
    )

    assert set(
        ProgressEntry.objects.filter(
            period=reporter.open, responsible=reporter.person_a
        ).values_list("review_state", flat=True)
    ) == {"submitted"}


def test_it_refuses_the_second_of_two_concurrent_saves_and_shows_the_first(client, reporter):
    a, c = reporter.entry("open", "a"), reporter.extra
    loaded = form_data(
        [a, c],
        values={
            a.pk: {"level": "2", "status_text": "My late version"},
            c.pk: {"status_text": "Unrelated text of mine"},
        },
    )
    # Meanwhile an official corrects the same entry.
    save_entries(
        [edit(a, level=5, status_text="Official's version")],
        user=reporter.official,
    )

    response = client.post(url(reporter), loaded)

    assert response.status_code == 200
    content = response.content.decode()
    assert "by you in another window): 01.01.01. The saved version is shown" in content
    assert "virkailija saved this entry" in content
    assert "Official&#x27;s version" in content or "Official's version" in content
    assert "My late version" in content  # what the reporter typed is kept
    assert reporter.entry("open", "a").status_text == "Official's version"
    # The entry without a conflict was saved.
    assert ProgressEntry.objects.get(pk=c.pk).status_text == "Unrelated text of mine"
    assert "1 entry saved as a draft." in content

    # Saving again, having seen the other version, keeps the reporter's text.
    again = response.context["groups"][0]["rows"][0]["form"].data.copy()
    response = client.post(url(reporter), again)

    assert response.status_code == 302
    assert reporter.entry("open", "a").status_text == "My late version"
    assert ProgressEntry.objects.get(pk=c.pk).status_text == "Unrelated text of mine"


def test_it_keeps_both_tabs_edits_of_different_entries(client, reporter):
    """Story 2: tab A saves entry X; tab B, loaded before, changes only entry Y."""
    x, y = reporter.entry("open", "a"), reporter.extra
    tab_a = form_data([x, y], values={x.pk: {"level": "3", "status_text": "From tab A"}})
    tab_b = form_data([x, y], values={y.pk: {"level": "2", "status_text": "From tab B"}})

    first = client.post(url(reporter), tab_a)
    second = client.post(url(reporter), tab_b, follow=True)

    assert first.status_code == 302
    assert "1 entry saved as a draft." in second.content.decode()
    assert "Not saved" not in second.content.decode()
    x, y = reporter.entry("open", "a"), ProgressEntry.objects.get(pk=y.pk)
    assert (x.level, x.status_text) == (3, "From tab A")
    assert (y.level, y.status_text) == (2, "From tab B")


def test_it_reports_every_conflict_at_once(client, reporter):
    x, y = reporter.entry("open", "a"), reporter.extra
    loaded = form_data(
        [x, y], values={x.pk: {"status_text": "Mine X"}, y.pk: {"status_text": "Mine Y"}}
    )
    save_entries(
        [edit(x, status_text="Theirs X"), edit(y, status_text="Theirs Y")],
        user=reporter.official,
    )

    response = client.post(url(reporter), loaded)

    rows = response.context["groups"][0]["rows"]
    assert [row["conflict"].status_text for row in rows] == ["Theirs X", "Theirs Y"]
    assert "01.01.01, 01.01.03" in response.content.decode()
    assert [row["form"]["status_text"].value() for row in rows] == ["Mine X", "Mine Y"]


def test_it_does_not_submit_an_unseen_change_of_an_entry_the_reporter_left_alone(client, reporter):
    x, y = reporter.entry("open", "a"), reporter.extra
    loaded = form_data([x, y], submit=True, values={y.pk: {"level": "2", "status_text": "Y"}})
    save_entries([edit(x, level=4, status_text="Changed in the other tab")], user=reporter.staff_a)

    response = client.post(url(reporter), loaded, follow=True)

    assert reporter.entry("open", "a").review_state == "draft"
    assert ProgressEntry.objects.get(pk=y.pk).review_state == "submitted"
    assert "someone changed it after you opened this page: 01.01.01" in (response.content.decode())


def test_it_accepts_entries_after_the_deadline_but_says_they_are_late(client, reporter):
    reporter.open.deadline = datetime.date(2024, 9, 15)
    reporter.open.save()
    a = reporter.entry("open", "a")

    page = client.get(url(reporter)).content.decode()
    response = client.post(
        url(reporter),
        form_data(
            [a, reporter.extra], values={a.pk: {"level": "3", "status_text": "Late but here"}}
        ),
    )

    assert "The reporting deadline was" in page and "they are late" in page
    assert response.status_code == 302
    assert reporter.entry("open", "a").status_text == "Late but here"


def test_it_shows_the_comment_of_a_returned_entry(client, reporter):
    from reports.services import review_entries

    entry = reporter.entry("open", "a")
    save_entries([edit(entry, level=2, status_text="Thin")], user=reporter.staff_a, submit=True)
    review_entries(
        [entry], user=reporter.official, approve=False, comment="Please add the budget figures."
    )

    content = client.get(url(reporter)).content.decode()

    # Written in Finnish, the municipality's language: marked so on this English page.
    assert (
        'Comment from the strategy team: <span lang="fi">Please add the budget figures.</span>'
        in content
    )


def test_it_lists_the_reporters_periods_open_first(client, reporter):
    content = client.get("/reporting/").content.decode()

    assert content.index("1–8/2024") < content.index("1–4/2024")
    assert "open for reporting" in content
