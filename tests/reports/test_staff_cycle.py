"""A reporter's round, over HTTP: the home page's counts and returned entries, the period
page's error summary, progress and filter, the closed period's read-only view, and a
forgotten password reset by email."""

import datetime
import re

import pytest

from goals.models import Goal
from reports.models import ProgressEntry
from reports.services import Edit, publish_entries, review_entries, save_entries
from tests.builders import use_language
from tests.reports.test_staff_reporting import form_data

pytestmark = pytest.mark.django_db


def add_entry(world, code, **values):
    """Another action of person A in the open period, with `values` as stored."""
    goal = Goal.objects.create(
        strategy=world.strategy,
        year=2024,
        kind="action",
        code=code,
        title=f"Action {code}",
        parent=world.goal_a.parent,
        responsible=world.person_a,
    )
    return ProgressEntry.objects.create(
        period=world.open, goal=goal, responsible=world.person_a, **values
    )


def returned(world, entry, comment):
    save_entries(
        [Edit(entry_id=entry.pk, loaded_version=entry.version, values={"level": 2})],
        user=world.staff_a,
        submit=True,
    )
    review_entries([entry], user=world.official, approve=False, comment=comment)
    entry.refresh_from_db()
    return entry


@pytest.fixture
def reporter(client, world):
    """Person A's entries in the open period: a blank one (01.01.01), a begun draft, a
    complete draft, a submitted and a returned one."""
    world.begun = add_entry(world, "01.01.03", risks="Only risks so far")
    world.complete = add_entry(world, "01.01.04", level=3, status_text="Done half")
    world.submitted = add_entry(
        world, "01.01.05", level=4, status_text="Nearly", review_state="submitted"
    )
    world.returned = returned(
        world,
        add_entry(world, "01.01.06", status_text="Thin"),
        comment="Please add the budget figures.",
    )
    client.force_login(world.staff_a)
    return world


def period_url(world, period="open"):
    return f"/reporting/{getattr(world, period).pk}/"


def text(content):
    """The page's text, tags removed and white space collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", content).split())


def test_it_counts_the_reporters_entries_of_each_period_by_state(client, reporter):
    response = client.get("/reporting/")

    counts = {period.label: period.counts for period in response.context["periods"]}
    assert counts["1–8/2024"] == {
        "to_do": 1,
        "draft": 2,
        "returned": 1,
        "submitted": 1,
        "published": 0,
    }
    # The closed period's approved entry is out of the reporter's hands.
    assert counts["1–4/2024"]["submitted"] == 1
    page = text(response.content.decode())
    assert "Not started 1 Drafts 2 Returned 1 Submitted 1 Published 0" in page


def test_it_shows_each_periods_deadline_on_the_home_page(client, reporter):
    reporter.open.deadline = datetime.date(2024, 9, 15)
    reporter.open.save()

    page = text(client.get("/reporting/").content.decode())

    assert "Reporting deadline: 15 September 2024." in page


def test_it_lists_returned_entries_first_with_the_comment_and_a_link(client, reporter):
    content = client.get("/reporting/").content.decode()

    link = f'href="/reporting/{reporter.open.pk}/#entry-{reporter.returned.pk}"'
    assert link in content
    assert content.index(link) < content.index("Reporting periods")
    page = text(content)
    assert "Returned to you for changes" in page
    assert "Comment from the strategy team: Please add the budget figures." in page


def test_it_shows_how_many_entries_are_ready(client, reporter):
    page = text(client.get(period_url(reporter)).content.decode())

    # Complete: the complete draft and the submitted entry; the returned one needs work.
    assert "2 of 5 entries complete (1 of them submitted or reviewed)" in page
    assert "Only unfinished (3)" in page


def test_it_shows_only_the_unfinished_entries_when_asked(client, reporter):
    response = client.get(period_url(reporter) + "?show=unfinished")

    shown = [row["entry"].goal.code for row in response.context["groups"][0]["rows"]]
    assert shown == ["01.01.01", "01.01.03", "01.01.06"]
    assert 'aria-current="page">Only unfinished (3)' in response.content.decode()


def test_it_saves_the_filtered_page_and_keeps_the_filter(client, reporter):
    blank, begun = reporter.entry("open", "a"), reporter.begun
    page = client.get(period_url(reporter) + "?show=unfinished")
    shown = [row["entry"] for row in page.context["groups"][0]["rows"]]

    response = client.post(
        period_url(reporter) + "?show=unfinished",
        form_data(shown, values={blank.pk: {"level": "2", "status_text": "Planned"}}),
    )

    assert response.status_code == 302
    assert response["Location"] == period_url(reporter) + "?show=unfinished"
    assert (reporter.entry("open", "a").level, reporter.entry("open", "a").status_text) == (
        2,
        "Planned",
    )
    begun.refresh_from_db()
    assert begun.risks == "Only risks so far"
    # The entries the filter hid are as they were.
    assert ProgressEntry.objects.get(pk=reporter.complete.pk).version == 1


def test_it_sums_up_the_errors_with_links_to_their_fields(client, reporter):
    entries = [
        row["entry"] for row in client.get(period_url(reporter)).context["groups"][0]["rows"]
    ]
    blank = reporter.entry("open", "a")

    response = client.post(
        period_url(reporter),
        form_data(entries, values={blank.pk: {"level": "9", "status_text": "x" * 4001}}),
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert "<title>Error:" in content
    summary = content[content.index('class="error-summary"') : content.index("<h1>")]
    assert "There is a problem" in summary
    assert "Nothing was saved: correct the entries marked below." in summary
    assert f'href="#id_entry-{blank.pk}-level"' in summary
    assert f'href="#id_entry-{blank.pk}-status_text"' in summary
    assert "01.01.01 Progress level: Select a valid choice." in summary
    assert "at most 4000 characters" in summary
    assert f'id="id_entry-{blank.pk}-level"' in content  # the link's target


def test_it_links_incomplete_drafts_from_the_summary_after_submitting(client, reporter):
    entries = [
        row["entry"] for row in client.get(period_url(reporter)).context["groups"][0]["rows"]
    ]
    blank = reporter.entry("open", "a")

    response = client.post(
        period_url(reporter),
        form_data(entries, submit=True, values={blank.pk: {"status_text": "No level yet"}}),
        follow=True,
    )

    summary = response.context["summary"]
    assert {
        "href": f"#id_entry-{blank.pk}-level",
        "text": "01.01.01: give a progress level to submit it",
    } in summary
    assert {
        "href": f"#id_entry-{reporter.begun.pk}-level",
        "text": "01.01.03: give a progress level and write a status text to submit it",
    } in summary
    # One link an entry, also for an entry that lacks both.
    codes = [item["text"].split(":")[0] for item in summary]
    assert len(codes) == len(set(codes))
    assert "There is a problem" in response.content.decode()
    # Shown once: the next visit has no summary.
    assert client.get(period_url(reporter)).context["summary"] == []


def test_it_links_a_conflict_from_the_summary(client, reporter):
    entries = [
        row["entry"] for row in client.get(period_url(reporter)).context["groups"][0]["rows"]
    ]
    blank = reporter.entry("open", "a")
    loaded = form_data(entries, values={blank.pk: {"status_text": "Mine"}})
    save_entries(
        [Edit(entry_id=blank.pk, loaded_version=blank.version, values={"status_text": "Theirs"})],
        user=reporter.official,
    )

    response = client.post(period_url(reporter), loaded)

    content = response.content.decode()
    assert f'<a href="#entry-{blank.pk}">01.01.01: saved by someone else' in content
    assert f'id="entry-{blank.pk}"' in content


def test_it_shows_a_closed_periods_entries_by_their_labels(client, reporter, settings):
    closed = reporter.entry("closed", "a")
    ProgressEntry.objects.filter(pk=closed.pk).update(overall_status="yellow", risks="Budget")

    with use_language(settings, "fi"):
        content = client.get(period_url(reporter, "closed")).content.decode()
        level = str(ProgressEntry.Level(2).label)

    page = text(content)
    assert "keltainen" in page and "yellow" not in page
    assert level in page
    assert "<label" not in content
    assert "<dt>" in content
    assert "<form" not in content.split("<main", 1)[1].split("</main>")[0]


def test_it_sends_a_reset_link_to_the_accounts_address(client, world, mailoutbox):
    world.staff_a.email = "talous@example.fi"
    world.staff_a.save()

    response = client.post("/reporting/password-reset/", {"email": "talous@example.fi"})

    assert response.status_code == 302
    assert response["Location"] == "/reporting/password-reset/sent/"
    (mail,) = mailoutbox
    assert mail.to == ["talous@example.fi"]
    assert "staff_a" in mail.body
    assert re.search(r"http://testserver/reporting/password-reset/[\w-]+/[\w-]+/", mail.body)


def test_it_answers_the_same_for_an_unknown_address(client, world, mailoutbox):
    response = client.post("/reporting/password-reset/", {"email": "nobody@example.fi"})
    page = client.get(response["Location"]).content.decode()

    assert response.status_code == 302
    assert response["Location"] == "/reporting/password-reset/sent/"
    assert mailoutbox == []
    assert "If an account has the address you entered" in page


def test_it_resets_a_forgotten_password_through_the_emailed_link(client, world, mailoutbox, caplog):
    world.staff_a.email = "talous@example.fi"
    world.staff_a.save()
    assert "Forgot your password?" in client.get("/reporting/login/").content.decode()
    client.post("/reporting/password-reset/", {"email": "talous@example.fi"})
    link = re.search(r"http://testserver(\S+)", mailoutbox[0].body).group(1)

    form_page = client.get(link, follow=True)
    set_password_url = form_page.redirect_chain[-1][0]
    done = client.post(
        set_password_url,
        {"new_password1": "a new long passphrase", "new_password2": "a new long passphrase"},
    )
    logged_in = client.post(
        "/reporting/login/",
        {"username": "staff_a", "password": "a new long passphrase"},
        REMOTE_ADDR="127.0.0.1",
    )
    used_again = client.get(link, follow=True).content.decode()

    assert "Choose a new password" in form_page.content.decode()
    assert done["Location"] == "/reporting/password-reset/done/"
    assert logged_in.status_code == 302 and logged_in["Location"] == "/reporting/"
    assert "This link does not work any more" in used_again
    assert 'password-reset user="staff_a"' in caplog.text


def test_it_refuses_a_short_new_password(client, world, mailoutbox):
    world.staff_a.email = "talous@example.fi"
    world.staff_a.save()
    client.post("/reporting/password-reset/", {"email": "talous@example.fi"})
    link = re.search(r"http://testserver(\S+)", mailoutbox[0].body).group(1)
    set_password_url = client.get(link, follow=True).redirect_chain[-1][0]

    response = client.post(set_password_url, {"new_password1": "short", "new_password2": "short"})

    assert response.status_code == 200
    assert "This password is too short" in response.content.decode()
    world.staff_a.refresh_from_db()
    assert world.staff_a.check_password("x-long-password")


def test_it_resubmits_a_returned_entry_once_it_is_changed(client, reporter):
    entries = [
        row["entry"] for row in client.get(period_url(reporter)).context["groups"][0]["rows"]
    ]
    returned = reporter.returned

    client.post(
        period_url(reporter),
        form_data(entries, submit=True, values={returned.pk: {"status_text": "Thin, plus €"}}),
    )

    assert ProgressEntry.objects.get(pk=returned.pk).review_state == "submitted"


def test_it_submits_the_ready_entries_without_calling_the_untouched_ones_errors(client, reporter):
    """A reporter who submits what they have finished is told so first; entries with
    nothing entered yet are mentioned, not listed as problems."""
    entries = [
        row["entry"] for row in client.get(period_url(reporter)).context["groups"][0]["rows"]
    ]

    response = client.post(period_url(reporter), form_data(entries, submit=True), follow=True)

    assert reporter.entry("open", "a").review_state == "draft"  # the blank one
    assert ProgressEntry.objects.get(pk=reporter.complete.pk).review_state == "submitted"
    page = text(response.content.decode())
    assert "1 entry submitted for review." in page  # the complete draft
    assert "1 entry has nothing entered yet; it was left as it is." in page
    assert "01.01.01 Action A Review state: not started" in page
    # The returned entry, untouched, is not sent back to the strategy team as it was.
    assert ProgressEntry.objects.get(pk=reporter.returned.pk).review_state == "returned"
    assert "Not submitted again: 01.01.06 was returned to you with a comment and is unchanged." in (
        page
    )
    # The begun draft and the returned entry need the reporter's attention; the news first.
    linked = [item["text"].split(":")[0] for item in response.context["summary"]]
    assert linked == ["01.01.03", "01.01.06"]
    assert page.index("1 entry submitted for review.") < page.index("There is a problem")


def test_it_shows_an_approved_entry_read_only_and_keeps_its_approval(client, reporter):
    review_entries([reporter.submitted], user=reporter.official, approve=True)

    page = client.get(period_url(reporter))

    content = page.content.decode()
    approved = reporter.submitted
    assert f'name="entry-{approved.pk}-status_text"' not in content
    assert f'name="entry-{approved.pk}-version"' not in content
    assert "Approved by the strategy team. It is theirs to change now" in text(content)
    entries = [row["entry"] for row in page.context["groups"][0]["rows"]]
    saved = client.post(period_url(reporter), form_data(entries), follow=True)
    assert saved.status_code == 200
    assert ProgressEntry.objects.get(pk=approved.pk).review_state == "approved"


def test_it_keeps_what_a_reporter_wrote_when_the_entry_was_approved_meanwhile(client, reporter):
    entries = [
        row["entry"] for row in client.get(period_url(reporter)).context["groups"][0]["rows"]
    ]
    submitted = reporter.submitted
    loaded = form_data(entries, values={submitted.pk: {"status_text": "My better text"}})
    review_entries([submitted], user=reporter.official, approve=True)

    response = client.post(period_url(reporter), loaded)

    entry = ProgressEntry.objects.get(pk=submitted.pk)
    assert (entry.review_state, entry.status_text) == ("approved", "Nearly")
    page = text(response.content.decode())
    assert "What you wrote was not saved; copy it from here if you need it:" in page
    assert "Your status text My better text" in page
    assert f'name="entry-{submitted.pk}-status_text"' not in response.content.decode()


def test_it_refuses_a_change_to_a_published_entry_posted_by_hand(client, reporter):
    review_entries([reporter.submitted], user=reporter.official, approve=True)
    publish_entries([reporter.submitted], user=reporter.official)
    submitted = ProgressEntry.objects.get(pk=reporter.submitted.pk)

    response = client.post(
        period_url(reporter),
        form_data([submitted], values={submitted.pk: {"status_text": "Rewritten"}}),
        follow=True,
    )

    assert ProgressEntry.objects.get(pk=submitted.pk).status_text == "Nearly"
    assert "Not saved, because the strategy team has approved or published it" in text(
        response.content.decode()
    )


def test_it_gives_each_entry_a_heading_and_names_its_previous_period_apart(
    client, reporter, settings
):
    """A screen-reader user moving by heading or landmark knows which entry they are in;
    the municipality's Finnish titles are marked as Finnish on a Swedish page."""
    with use_language(settings, "sv"):
        content = client.get(period_url(reporter)).content.decode()

    assert '<h3 class="entry-title">01.01.01 <span lang="fi">Action A</span></h3>' in content
    labels = re.findall(r'<aside class="previous" aria-label="([^"]+)"', content)
    assert len(labels) == 5 and len(set(labels)) == 5
    assert "01.01.01" in labels[0]


def test_it_says_when_there_was_nothing_to_save_and_takes_the_focus_to_it(client, reporter):
    entries = [
        row["entry"] for row in client.get(period_url(reporter)).context["groups"][0]["rows"]
    ]

    response = client.post(period_url(reporter), form_data(entries), follow=True)

    content = response.content.decode()
    assert "No changes to save." in text(content)
    assert '<div class="messages" role="status" tabindex="-1" autofocus>' in content
