"""The officials' review screen per entry, the review queue, the confirmation before a
period is published, and what the public period page says of entries left out — all
through HTTP, as an official uses them in the admin."""

import html
import re

import pytest
from django.contrib.messages import get_messages

from goals.models import Goal
from reports.models import PublishedEntry
from reports.services import Edit, save_entries

pytestmark = pytest.mark.django_db


def submit(world, who, text, level=3, user=None):
    """Staff's submission of their entry in the open period 1–8/2024."""
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
        submit=True,
    )
    assert result.submitted
    return world.entry("open", who)


def review_url(entry):
    return f"/admin/reports/progressentry/{entry.pk}/review/"


def loaded_form(page):
    """What the review form posts untouched: the version shown and the override loaded."""
    form = page.context["form"]
    data = {"loaded_version": form["loaded_version"].value()}
    for name in ("public_level", "public_status_text"):
        value = form.initial.get(name)
        data[name] = data[f"initial-{name}"] = "" if value is None else value
    return data


def decide(client, entry, decision, **typed):
    page = client.get(review_url(entry))
    return client.post(review_url(entry), {**loaded_form(page), "decision": decision, **typed})


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def official(client, world):
    client.force_login(world.official)
    return world.official


def test_it_shows_the_entry_beside_the_previous_periods_version(client, world, official):
    closed = world.entry("closed", "a")
    closed.risks, closed.overall_status = "Earlier risk a", "yellow"
    closed.save()
    entry = submit(world, "a", "Earlier text a, now with figures", level=4)

    page = client.get(review_url(entry))

    content = page.content.decode()
    assert page.status_code == 200
    assert "1–4/2024" in content and "Earlier text a" in content  # approved in 1–4/2024
    assert "2 – In planning" in content and "4 – Nearly complete" in content
    comparison = content[content.index('class="review__compare"') :]
    assert re.search(
        r'Main risks</th>\s*<td><span lang="fi">Earlier risk a</span></td>\s*<td>–</td>', comparison
    )
    assert re.search(r"Overall status</th>\s*<td>Yellow</td>", comparison)
    assert (
        'text a<ins><span class="visually-hidden" lang="en"> [added: </span>, now with figures'
        '<span class="visually-hidden" lang="en">] </span></ins>'
    ) in content
    assert "Talousjohtaja" in content  # the responsible person
    assert page.context["submitted_by"] == world.staff_a


def test_it_escapes_the_texts_it_marks(client, world, official):
    entry = submit(world, "a", "Earlier text <script>alert(1)</script>")

    content = client.get(review_url(entry)).content.decode()

    assert "<script>alert(1)" not in content
    assert (
        '<del><span class="visually-hidden" lang="en"> [removed: </span>a'
        '<span class="visually-hidden" lang="en">] </span></del>'
        '<ins><span class="visually-hidden" lang="en"> [added: </span>'
        "&lt;script&gt;alert(1)&lt;/script&gt;"
        '<span class="visually-hidden" lang="en">] </span></ins>'
    ) in content


def test_it_approves_and_opens_the_next_submitted_entry(client, world, official):
    a = submit(world, "a", "A's text")
    b = submit(world, "b", "B's text")

    response = decide(client, a, "approve")

    assert response.status_code == 302 and response["Location"] == review_url(b)
    assert world.entry("open", "a").review_state == "approved"
    assert world.entry("open", "b").review_state == "submitted"
    assert "01.01.01 approved." in messages_of(response)


def test_it_returns_an_entry_with_its_comment(client, world, official):
    a = submit(world, "a", "A's text")
    submit(world, "b", "B's text")

    decide(client, a, "return", comment="Add this year's figures.")

    returned = world.entry("open", "a")
    assert (returned.review_state, returned.review_comment) == (
        "returned",
        "Add this year's figures.",
    )
    assert world.staff_a.has_perm("reports.edit_entry", returned)


def test_it_returns_nothing_without_a_comment(client, world, official):
    a = submit(world, "a", "A's text")

    response = decide(client, a, "return", comment="  ")

    assert response.status_code == 200
    assert "Write a comment for the author before returning." in response.content.decode()
    assert world.entry("open", "a").review_state == "submitted"


def test_it_publishes_with_the_level_and_text_the_official_wrote(client, world, official):
    a = submit(world, "a", "Staff's own words", level=3)

    response = decide(
        client, a, "publish", public_level="4", public_status_text="The official's words"
    )

    published = PublishedEntry.objects.get(entry=a)
    assert (published.level, published.status_text) == (4, "The official's words")
    assert world.entry("open", "a").review_state == "published"
    assert "01.01.01 published." in messages_of(response)


def test_it_publishes_staffs_version_when_no_override_is_written(client, world, official):
    a = submit(world, "a", "Staff's own words", level=3)

    decide(client, a, "publish")

    published = PublishedEntry.objects.get(entry=a)
    assert (published.level, published.status_text) == (3, "Staff's own words")


def test_it_says_when_the_queue_is_empty(client, world, official):
    a = submit(world, "a", "The only one")

    response = decide(client, a, "approve")

    assert response["Location"] == (
        f"/admin/reports/progressentry/?period__id__exact={world.open.pk}"
    )
    assert "The queue is empty: no submitted entries are waiting in 1–8/2024." in (
        messages_of(response)
    )


def test_it_links_the_next_entry_in_the_queue(client, world, official):
    a = submit(world, "a", "A's text")
    b = submit(world, "b", "B's text")

    on_a = client.get(review_url(a)).content.decode()
    on_b = client.get(review_url(b)).content.decode()

    assert f'href="{review_url(b)}"' in on_a
    assert f'href="{review_url(a)}"' in on_b  # from the end, back to the first still waiting


def test_it_keeps_to_the_filtered_list_it_was_opened_from(client, world, official):
    """An official working through one person's entries goes from one of them to the
    next, not to another person's that lies between them in the period."""
    c_goal = Goal.objects.create(
        strategy=world.strategy,
        year=2024,
        kind="action",
        code="01.01.03",
        title="Action C",
        parent=world.goal_a.parent,
        responsible=world.person_a,
    )
    world.entries[("open", "c")] = world.open.entries.create(
        goal=c_goal, responsible=world.person_a, review_state="draft"
    )
    a = submit(world, "a", "A's text")
    submit(world, "b", "B's text")  # 01.01.02, someone else's
    c = submit(world, "c", "C's text", user=world.staff_a)
    filters = f"period__id__exact={world.open.pk}&responsible__id__exact={world.person_a.pk}"

    listing = client.get(f"/admin/reports/progressentry/?{filters}").content.decode()
    link = re.search(rf'href="({review_url(a)}\?_changelist_filters=[^"]+)"', listing).group(1)
    on_a = client.get(html.unescape(link))
    approved = client.post(html.unescape(link), {**loaded_form(on_a), "decision": "approve"})

    to_c = approved["Location"]
    assert to_c.startswith(review_url(c) + "?_changelist_filters=")
    assert "(1 other entry waiting in your list)" in on_a.content.decode()
    on_c = client.get(to_c)
    assert "No other submitted entries of 1–8/2024 are waiting in your list." in (
        on_c.content.decode()
    )
    done = client.post(to_c, {**loaded_form(on_c), "decision": "approve"})
    assert done["Location"] == f"/admin/reports/progressentry/?{filters}"
    assert world.entry("open", "b").review_state == "submitted"


def test_it_refuses_a_stale_form_and_keeps_what_the_official_typed(client, world, official):
    a = submit(world, "a", "First submission")
    page = client.get(review_url(a))
    submit(world, "a", "Second submission, written meanwhile")  # staff, after the page loaded

    refused = client.post(
        review_url(a),
        {**loaded_form(page), "decision": "publish", "public_status_text": "Official text"},
        follow=True,
    )

    entry = world.entry("open", "a")
    content = refused.content.decode()
    assert entry.review_state == "submitted" and entry.public_status_text == ""
    assert not PublishedEntry.objects.filter(entry=a).exists()
    assert "while you were editing; nothing of yours was saved" in content
    assert "Their version: submitted, level 3" in content
    assert "Second submission, written meanwhile" in content
    assert "Official text" in content

    again = client.post(review_url(a), {**refused.context["form"].data.dict()})

    assert again.status_code == 302
    assert PublishedEntry.objects.get(entry=a).status_text == "Official text"


def test_it_returns_a_published_entry_and_keeps_it_public_until_republished(
    client, world, official
):
    a = submit(world, "a", "Published text")
    decide(client, a, "publish")

    returned = decide(client, world.entry("open", "a"), "return", comment="Update the figures")

    entry = world.entry("open", "a")
    assert returned.status_code == 302
    assert (entry.review_state, entry.review_comment) == ("returned", "Update the figures")
    assert PublishedEntry.objects.get(entry=a).status_text == "Published text"


def test_it_is_forbidden_to_a_reporter(client, world):
    a = submit(world, "a", "A's text")
    world.staff_a.is_staff = True  # even with staff status, reporting is all they may do
    world.staff_a.save()
    client.force_login(world.staff_a)

    page = client.get(review_url(a))
    post = client.post(review_url(a), {"decision": "approve", "loaded_version": a.version})

    assert (page.status_code, post.status_code) == (403, 403)
    assert world.entry("open", "a").review_state == "submitted"


def test_it_sends_a_reporter_without_staff_status_to_the_login(client, world):
    a = submit(world, "a", "A's text")
    client.force_login(world.staff_a)

    response = client.get(review_url(a))

    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_it_links_the_review_screen_from_the_change_page_and_the_change_list(
    client, world, official
):
    a = submit(world, "a", "A's text")

    change_page = client.get(f"/admin/reports/progressentry/{a.pk}/change/").content.decode()
    change_list = client.get("/admin/reports/progressentry/").content.decode()

    assert f'href="{review_url(a)}"' in change_page
    assert f'href="{review_url(a)}"' in change_list


def test_it_filters_the_queue_by_department_person_and_review_state(client, world, official):
    from goals.models import Department

    world.person_a.department = Department.objects.create(name="Talous")
    world.person_a.save()
    a = submit(world, "a", "A's text")
    submit(world, "b", "B's text")
    queue = {"period__id__exact": world.open.pk, "review_state__exact": "submitted"}

    def codes(**filters):
        response = client.get("/admin/reports/progressentry/", {**queue, **filters})
        return [entry.goal.code for entry in response.context["cl"].result_list]

    assert codes() == ["01.01.01", "01.01.02"]
    assert codes(responsible__department__id__exact=world.person_a.department_id) == ["01.01.01"]
    assert codes(responsible__id__exact=world.person_b.pk) == ["01.01.02"]
    decide(client, a, "approve")
    assert codes() == ["01.01.02"]


def test_it_links_each_dashboard_count_to_the_entries_it_counts(client, world, official):
    submit(world, "a", "Done")

    dashboard = client.get(f"/admin/reports/reportingperiod/{world.open.pk}/dashboard/")

    rows = dashboard.context["people"] + dashboard.context["departments"]
    linked = [(count, url) for row in rows for count, url in row["cells"] if count]
    assert linked
    for count, url in linked:
        assert f'href="{url.replace("&", "&amp;")}"' in dashboard.content.decode()
        entries = client.get(url).context["cl"].result_count
        assert entries == count, url


def test_it_asks_for_confirmation_before_publishing_a_period(client, world, official):
    response = client.post(
        "/admin/reports/reportingperiod/",
        {"action": "publish", "_selected_action": [world.open.pk]},
    )

    assert response["Location"] == f"/admin/reports/reportingperiod/{world.open.pk}/publish/"
    world.open.refresh_from_db()
    assert not world.open.published


def test_it_lists_what_publishing_leaves_out_and_publishes_nothing_on_get(client, world, official):
    submit(world, "a", "Approved soon")
    client.post(  # approve a, leaving b a blank draft
        review_url(world.entry("open", "a")),
        {**loaded_form(client.get(review_url(world.entry("open", "a")))), "decision": "approve"},
    )
    Goal.objects.create(
        strategy=world.strategy,
        year=2024,
        kind="action",
        code="01.01.09",
        title="Never reported action",
        parent=world.goal_a.parent,
    )

    page = client.get(f"/admin/reports/reportingperiod/{world.open.pk}/publish/")

    content = page.content.decode()
    assert "1–8/2024 is still open for reporting" in content
    assert [entry.goal.code for entry in page.context["preview"].approved] == ["01.01.01"]
    # Left out: b, a draft nobody has touched, called what the dashboard calls it.
    assert re.search(
        r'01\.01\.02</a></th><td><span lang="fi">Action B</span></td><td>Not started</td>', content
    )
    assert "Never reported action" in content
    assert "Never reported: no entry in this period" in content
    world.open.refresh_from_db()
    assert not world.open.published
    assert world.entry("open", "a").review_state == "approved"
    assert not PublishedEntry.objects.exists()


def test_it_publishes_the_period_on_confirmation(client, world, official):
    a = submit(world, "a", "To be published")
    decide(client, a, "approve")
    page = client.get(f"/admin/reports/reportingperiod/{world.open.pk}/publish/")

    response = client.post(
        f"/admin/reports/reportingperiod/{world.open.pk}/publish/",
        {"shown": page.context["form"]["shown"].value()},
    )

    assert response.status_code == 302
    world.open.refresh_from_db()
    assert world.open.published
    assert PublishedEntry.objects.get(entry=a).status_text == "To be published"
    assert "1–8/2024 is public; 1 approved entry published." in messages_of(response)


def test_it_refuses_a_confirmation_of_a_list_that_has_changed(client, world, official):
    a, b = submit(world, "a", "A's text"), submit(world, "b", "B's text")
    decide(client, a, "approve")
    page = client.get(f"/admin/reports/reportingperiod/{world.open.pk}/publish/")
    decide(client, b, "approve")  # another official, meanwhile

    response = client.post(
        f"/admin/reports/reportingperiod/{world.open.pk}/publish/",
        {"shown": page.context["form"]["shown"].value()},
    )

    assert response.status_code == 200
    assert "nothing was published" in response.content.decode()
    world.open.refresh_from_db()
    assert not world.open.published and not PublishedEntry.objects.exists()


def test_the_public_period_page_says_how_many_entries_were_published(client, world, official):
    a = submit(world, "a", "Published one")
    submit(world, "b", "Left out")
    decide(client, a, "approve")
    page = client.get(f"/admin/reports/reportingperiod/{world.open.pk}/publish/")
    client.post(
        f"/admin/reports/reportingperiod/{world.open.pk}/publish/",
        {"shown": page.context["form"]["shown"].value()},
    )

    public = client.get(f"/periods/{world.open.pk}/").content.decode()

    assert "1 of 2 entries published" in public
    assert "Left out" not in public
