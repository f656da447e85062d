"""Review and publishing: submit, return, approve, publish; what the public sees; history."""

import io

import pytest
from django.core import mail
from django.core.management import call_command
from openpyxl import load_workbook

from reports.models import PublishedEntry
from reports.services import (
    Edit,
    edit_entry,
    publish_entries,
    publish_period,
    review_entries,
    save_entries,
)

pytestmark = pytest.mark.django_db


def edit(world, who, text, level=3, submit=False, user=None):
    entry = world.entry("open", who)
    result = save_entries(
        [
            Edit(
                entry_id=entry.pk,
                loaded_version=entry.version,
                values={"level": level, "status_text": text},
            )
        ],
        user=user or getattr(world, f"staff_{who}"),
        submit=submit,
    )
    assert not result.conflicts
    return world.entry("open", who)


def published_of(entry):
    return PublishedEntry.objects.filter(entry=entry).first()


def public_text(client, world, who):
    entry = world.entry("open", who)
    return client.get(f"/goals/{entry.goal_id}/").content.decode()


def test_it_publishes_what_an_official_approved_and_only_that(client, world):
    edit(world, "a", "Staff's text", level=3, submit=True)
    entry = world.entry("open", "a")
    edit_entry(
        entry,
        user=world.official,
        loaded_version=entry.version,
        values={"public_status_text": "Text the strategy team publishes", "public_level": 4},
    )

    review_entries([entry], user=world.official, approve=True)
    published = publish_period(world.open, user=world.official)

    entry = world.entry("open", "a")
    assert [e.pk for e in published] == [entry.pk]  # B's draft was not approved
    assert (entry.review_state, published_of(entry).level) == ("published", 4)
    assert published_of(entry).status_text == "Text the strategy team publishes"
    assert entry.status_text == "Staff's text"  # the internal version is kept
    page = public_text(client, world, "a")
    assert "Text the strategy team publishes" in page
    assert "Staff&#x27;s text" not in page and "Staff's text" not in page
    assert published_of(world.entry("open", "b")) is None


def test_it_keeps_the_public_version_until_an_edit_is_republished(client, world):
    edit(world, "a", "First version", submit=True)
    review_entries([world.entry("open", "a")], user=world.official, approve=True)
    publish_period(world.open, user=world.official)
    # Published, the entry is the strategy team's: staff get it back when it is returned.
    review_entries(
        [world.entry("open", "a")], user=world.official, approve=False, comment="Update it"
    )

    edit(world, "a", "Second version, not reviewed yet")

    entry = world.entry("open", "a")
    assert entry.review_state == "draft"
    assert published_of(entry).status_text == "First version"
    assert "First version" in public_text(client, world, "a")
    assert "Second version" not in public_text(client, world, "a")

    publish_entries([entry], user=world.official)  # a draft is not published
    assert "Second version" not in public_text(client, world, "a")

    edit(world, "a", "Second version, reviewed", submit=True)
    review_entries([world.entry("open", "a")], user=world.official, approve=True)
    publish_entries([world.entry("open", "a")], user=world.official)
    assert "Second version, reviewed" in public_text(client, world, "a")


@pytest.mark.parametrize("state", ["approved", "published"])
def test_staff_cannot_change_an_entry_the_strategy_team_has_reviewed(world, state):
    """Approved or published, the entry is the strategy team's until it returns it: a
    reporter's change, from a page loaded before or after, writes nothing, and the
    approval is not lost."""
    edit(world, "a", "Approved text", submit=True)
    review_entries([world.entry("open", "a")], user=world.official, approve=True)
    if state == "published":
        publish_entries([world.entry("open", "a")], user=world.official)
    entry = world.entry("open", "a")

    result = save_entries(
        [Edit(entry_id=entry.pk, loaded_version=entry.version, values={"status_text": "Mine"})],
        user=world.staff_a,
        submit=False,
    )

    assert [e.pk for e in result.reviewed] == [entry.pk] and not result.saved
    after = world.entry("open", "a")
    assert (after.review_state, after.status_text, after.version) == (
        state,
        "Approved text",
        entry.version,
    )


def test_it_returns_an_entry_to_its_author_with_a_comment(world):
    edit(world, "a", "Thin", submit=True)

    review_entries(
        [world.entry("open", "a")], user=world.official, approve=False, comment="Add the figures"
    )

    entry = world.entry("open", "a")
    assert (entry.review_state, entry.review_comment) == ("returned", "Add the figures")
    assert world.staff_a.has_perm("reports.edit_entry", entry)


def test_it_refuses_reviews_by_anyone_but_officials(world):
    from django.core.exceptions import PermissionDenied

    edit(world, "a", "Text", submit=True)

    with pytest.raises(PermissionDenied):
        review_entries([world.entry("open", "a")], user=world.staff_a, approve=True)
    with pytest.raises(PermissionDenied):
        publish_period(world.open, user=world.staff_a)
    with pytest.raises(PermissionDenied):
        edit(world, "b", "Not mine", user=world.staff_a)


def test_it_records_who_changed_what_including_each_publishing(world):
    edit(world, "a", "Draft one")
    edit(world, "a", "Draft two", submit=True)
    review_entries([world.entry("open", "a")], user=world.official, approve=True)
    publish_period(world.open, user=world.official)

    history = list(world.entry("open", "a").history.order_by("history_date"))

    assert [(h.history_user, h.review_state, h.status_text) for h in history[-4:]] == [
        (world.staff_a, "draft", "Draft one"),
        (world.staff_a, "submitted", "Draft two"),
        (world.official, "approved", "Draft two"),
        (world.official, "published", "Draft two"),
    ]
    assert published_of(world.entry("open", "a")).published_by == world.official


def test_it_approves_returns_and_publishes_from_the_admin(client, world):
    edit(world, "a", "A's text", submit=True)
    edit(world, "b", "B's text", submit=True)
    client.force_login(world.official)
    changelist = "/admin/reports/progressentry/"
    a, b = world.entry("open", "a"), world.entry("open", "b")

    client.post(changelist, {"action": "approve_selected", "_selected_action": [a.pk]})
    refused = client.post(
        changelist,
        {"action": "return_selected", "_selected_action": [b.pk], "comment": ""},
        follow=True,
    )
    client.post(
        changelist,
        {"action": "return_selected", "_selected_action": [b.pk], "comment": "More detail"},
    )
    confirmation = client.post(
        "/admin/reports/reportingperiod/",
        {"action": "publish", "_selected_action": [world.open.pk]},
        follow=True,
    )
    client.post(
        confirmation.request["PATH_INFO"],
        {"shown": confirmation.context["form"]["shown"].value()},
    )

    assert "Write a comment for the author before returning." in refused.content.decode()
    assert world.entry("open", "a").review_state == "published"
    assert (
        world.entry("open", "b").review_state,
        world.entry("open", "b").review_comment,
    ) == (
        "returned",
        "More detail",
    )
    world.open.refresh_from_db()
    assert world.open.published


def test_it_shows_entry_history_in_the_admin(client, world):
    edit(world, "a", "Tracked text")
    client.force_login(world.official)

    response = client.get(f"/admin/reports/progressentry/{world.entry('open', 'a').pk}/history/")

    assert response.status_code == 200
    assert "staff_a" in response.content.decode()


def test_it_counts_who_has_reported_on_the_dashboard(client, world):
    edit(world, "a", "Done", submit=True)
    world.open.deadline = world.open.start_date
    world.open.save()
    client.force_login(world.official)

    response = client.get(f"/admin/reports/reportingperiod/{world.open.pk}/dashboard/")

    people = {str(row["key"]): row for row in response.context["people"]}
    assert people["Talousjohtaja"]["submitted"] == 1
    assert people["Hallintojohtaja"]["missing"] == 1
    assert [str(person) for person in response.context["overdue"]] == ["Hallintojohtaja"]
    assert "Overdue reporters" in response.content.decode()


def test_it_lists_entries_whose_level_fell(client, world):
    edit(world, "a", "Worse", level=1, submit=True)  # was 2 in 1–4/2024
    client.force_login(world.official)

    response = client.get(f"/admin/reports/reportingperiod/{world.open.pk}/dashboard/")

    assert [(entry.goal.code, before.level) for entry, before in response.context["fell"]] == [
        ("01.01.01", 2)
    ]


def test_it_reminds_exactly_those_who_have_not_submitted(world, django_capture_on_commit_callbacks):
    world.person_a.email = "talous@example.fi"
    world.person_a.save()
    world.staff_b.email = "hallinto@example.fi"
    world.staff_b.save()
    edit(world, "a", "Submitted", submit=True)
    out = io.StringIO()

    # Mail goes once the command's transaction commits (tests/reports/test_notices.py).
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", "1-8/2024", stdout=out)

    assert [message.to for message in mail.outbox] == [["hallinto@example.fi"]]
    assert "01.01.02 Action B" in mail.outbox[0].body
    assert "emailed Hallintojohtaja <hallinto@example.fi>: 1 entry not submitted" in (
        out.getvalue()
    )
    assert "Talousjohtaja" not in out.getvalue()


def test_it_exports_a_period_from_the_admin_with_formulas_escaped(client, world):
    edit(world, "a", '=HYPERLINK("x")', submit=True)
    client.force_login(world.official)

    response = client.post(
        f"/admin/reports/progressentry/export/?period__id__exact={world.open.pk}",
        {
            "format": "0",
            "resource": "0",
            "export_items": [],
            **{
                f"progressentryresource_{name}": "on"
                for name in ("period", "code", "title", "level", "status_text", "responsible")
            },
        },
    )

    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    by_code = {row[1]: row for row in rows[1:]}
    assert set(by_code) == {"01.01.01", "01.01.02"}
    assert by_code["01.01.01"][4] == '\'=HYPERLINK("x")'


def test_it_approves_only_submitted_entries_and_publishes_only_approved_ones(world):
    edit(world, "a", "Submitted", submit=True)
    edit(world, "b", "Still a draft")

    approved = review_entries(
        [world.entry("open", "a"), world.entry("open", "b")], user=world.official, approve=True
    )
    published = publish_entries(
        [world.entry("open", "a"), world.entry("open", "b")], user=world.official
    )

    assert [entry.goal.code for entry in approved] == ["01.01.01"]
    assert [entry.goal.code for entry in published] == ["01.01.01"]
    assert world.entry("open", "b").review_state == "draft"
    assert published_of(world.entry("open", "b")) is None


def test_it_sends_an_entry_edited_in_the_admin_back_for_publishing(client, world):
    edit(world, "a", "Published text", submit=True)
    review_entries([world.entry("open", "a")], user=world.official, approve=True)
    publish_period(world.open, user=world.official)
    entry = world.entry("open", "a")
    client.force_login(world.official)
    form = client.get(f"/admin/reports/progressentry/{entry.pk}/change/").context["adminform"]
    data = {
        name: ("" if value is None else value)
        for name, value in form.form.initial.items()
        if name in form.form.fields
    }
    data.update(status_text="Corrected by the strategy team", responsible=entry.responsible_id)

    response = client.post(f"/admin/reports/progressentry/{entry.pk}/change/", data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    entry = world.entry("open", "a")
    assert (entry.review_state, entry.status_text) == (
        "approved",
        "Corrected by the strategy team",
    )
    assert published_of(entry).status_text == "Published text"
    assert entry.version > 1


def test_it_keeps_a_reporters_page_saving_after_an_official_reviewed_another_entry(client, world):
    from goals.models import Goal
    from reports.models import ProgressEntry

    second = ProgressEntry.objects.create(
        period=world.open,
        goal=Goal.objects.create(
            strategy=world.strategy,
            year=2024,
            kind="action",
            code="01.01.03",
            title="C",
            parent=world.goal_a.parent,
        ),
        responsible=world.person_a,
    )
    first = edit(world, "a", "Sent", submit=True)
    client.force_login(world.staff_a)
    page = client.get(f"/reporting/{world.open.pk}/")
    data = {"save": ""}
    for group in page.context["groups"]:
        for row in group["rows"]:
            form = row["form"]
            for name in form.fields:
                value = form.initial.get(name)
                data[form.add_prefix(name)] = "" if value is None else value
                data[form.add_initial_prefix(name)] = "" if value is None else value
    review_entries([first], user=world.official, approve=False, comment="More")
    data[f"entry-{second.pk}-status_text"] = "Only this one edited"

    response = client.post(f"/reporting/{world.open.pk}/", data)

    assert response.status_code == 302
    assert ProgressEntry.objects.get(pk=second.pk).status_text == "Only this one edited"
    assert world.entry("open", "a").review_state == "returned"
