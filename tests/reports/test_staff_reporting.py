"""A reporter's period page: load, edit, errors, drafts, submit, conflicts."""

import datetime

import pytest

from reports.models import ProgressEntry
from reports.services import EntryChange, save_entries

pytestmark = pytest.mark.django_db


def form_data(entries, submit=False, values=None):
    """The page's POST: every shown entry, with `values[pk]` overriding its fields."""
    data = {"submit" if submit else "save": ""}
    for entry in entries:
        fields = {
            "level": entry.level or "",
            "status_text": entry.status_text,
            "risks": entry.risks,
            "overall_status": entry.overall_status,
            "version": entry.version,
            **(values or {}).get(entry.pk, {}),
        }
        for name, value in fields.items():
            data[f"entry-{entry.pk}-{name}"] = value
    return data


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
    assert "Previous period 1–4/2024" in content
    assert "Copy previous text" in content
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
    assert (a.level, a.status_text, a.risks, a.status) == (3, "Going well", "Budget", "draft")
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
                c.pk: {"level": "", "status_text": "Typed but no level"},
            },
        ),
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert "Nothing was saved: correct the entries marked below." in content
    assert "Give a progress level before submitting." in content
    assert "Typed but no level" in content and "Ready" in content
    rows = {row["entry"].pk: row["form"] for row in response.context["groups"][0]["rows"]}
    assert rows[c.pk].errors and not rows[a.pk].errors
    assert reporter.entry("open", "a").status_text == ""  # all or nothing


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
        ).values_list("status", flat=True)
    ) == {"submitted"}


def test_it_refuses_the_second_of_two_concurrent_saves_and_shows_the_first(client, reporter):
    a, c = reporter.entry("open", "a"), reporter.extra
    loaded = form_data([a, c], values={a.pk: {"level": "2", "status_text": "My late version"}})
    # Meanwhile an official corrects the same entry.
    save_entries(
        [
            EntryChange(
                entry=a,
                version=a.version,
                values={
                    "level": 5,
                    "status_text": "Official's version",
                    "risks": "",
                    "overall_status": "",
                },
            )
        ],
        user=reporter.official,
    )

    response = client.post(url(reporter), loaded)

    assert response.status_code == 200
    content = response.content.decode()
    assert "Nothing was saved: 01.01.01 was changed by virkailija" in content
    assert "Official&#x27;s version" in content or "Official's version" in content
    assert "My late version" in content  # what the reporter typed is kept
    assert reporter.entry("open", "a").status_text == "Official's version"

    # Saving again, having seen the other version, keeps the reporter's text.
    again = response.context["groups"][0]["rows"][0]["form"].data.copy()
    response = client.post(url(reporter), again)

    assert response.status_code == 302
    assert reporter.entry("open", "a").status_text == "My late version"


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
    values = {"level": 2, "status_text": "Thin", "risks": "", "overall_status": ""}
    save_entries(
        [EntryChange(entry=entry, version=entry.version, values=values)],
        user=reporter.staff_a,
        submit=True,
    )
    review_entries(
        [entry], user=reporter.official, approve=False, comment="Please add the budget figures."
    )

    content = client.get(url(reporter)).content.decode()

    assert "Comment from the strategy team: Please add the budget figures." in content


def test_it_lists_the_reporters_periods_open_first(client, reporter):
    content = client.get("/reporting/").content.decode()

    assert content.index("1–8/2024") < content.index("1–4/2024")
    assert "open for reporting" in content
