"""Email notices: an entry returned, a period opened, reminders before and after the
deadline; each recorded, none sent twice, none sent by an action that rolled back."""

import datetime
import io

import pytest
from django.core.mail import EmailMessage
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from reports.models import Notice, ProgressEntry, ReportingPeriod
from reports.services import Edit, review_entries, save_entries

pytestmark = pytest.mark.django_db

SITE = "https://seuranta.example.fi"
ADDRESS_A = "talous@example.fi"
ADDRESS_B = "hallinto@example.fi"


@pytest.fixture
def world(world, settings):
    """The world with a site address, and addresses for both reporters: A's own, B's
    through their login."""
    settings.SITE_URL = SITE
    world.person_a.email = ADDRESS_A
    world.person_a.save()
    world.staff_b.email = ADDRESS_B
    world.staff_b.save()
    return world


def submit(world, who, text="Done"):
    entry = world.entry("open", who)
    result = save_entries(
        [
            Edit(
                entry_id=entry.pk,
                loaded_version=entry.version,
                values={"level": 3, "status_text": text},
            )
        ],
        user=getattr(world, f"staff_{who}"),
        submit=True,
    )
    assert result.submitted
    return world.entry("open", who)


@pytest.fixture
def act(client, world, django_capture_on_commit_callbacks):
    """An admin action run by an official, and what it does once its transaction commits
    (the test's own transaction never does): what it mails is mailed."""
    client.force_login(world.official)

    def run(model, action, pks, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                f"/admin/reports/{model}/",
                {"action": action, "_selected_action": pks, **extra},
                follow=True,
            )

    return run


@pytest.fixture
def remind(django_capture_on_commit_callbacks):
    """The send_reminders command, committed; returns what it printed."""

    def run(label):
        out = io.StringIO()
        with django_capture_on_commit_callbacks(execute=True):
            call_command("send_reminders", label, "--term", "2021-2025", stdout=out)
        return out.getvalue()

    return run


def staff_page(world, period=None):
    return f"{SITE}/reporting/{(period or world.open).pk}/"


def test_it_mails_the_comment_and_a_link_when_an_official_returns_an_entry(act, world, mailoutbox):
    entry = submit(world, "a")

    act("progressentry", "return_selected", [entry.pk], comment="Add the figures")

    assert [message.to for message in mailoutbox] == [[ADDRESS_A]]
    body = mailoutbox[0].body
    assert "Add the figures" in body
    assert staff_page(world) in body
    assert "01.01.01" in mailoutbox[0].subject
    notice = Notice.objects.get()
    assert (notice.kind, notice.entry, notice.person) == ("returned", entry, world.person_a)
    assert (notice.address, notice.sent_by) == (ADDRESS_A, world.official)
    assert notice.subject == mailoutbox[0].subject


def test_it_mails_once_per_return(act, world, mailoutbox):
    entry = submit(world, "a")
    act("progressentry", "return_selected", [entry.pk], comment="Add the figures")

    # Returning it again, already returned, does nothing.
    act("progressentry", "return_selected", [entry.pk], comment="Add the figures")
    assert len(mailoutbox) == 1

    # Submitted again and returned again: a new return, a new notice.
    submit(world, "a", text="Figures added")
    act("progressentry", "return_selected", [entry.pk], comment="Still missing")
    assert len(mailoutbox) == 2
    assert "Still missing" in mailoutbox[1].body
    assert Notice.objects.filter(kind="returned").count() == 2


def test_it_tells_each_reporter_that_a_period_opened_with_its_deadline(act, world, mailoutbox):
    deadline = datetime.date(2024, 11, 15)
    period = ReportingPeriod.objects.create(
        strategy=world.strategy,
        year=2024,
        label="1–10/2024",
        start_date=datetime.date(2024, 1, 1),
        end_date=datetime.date(2024, 10, 31),
        deadline=deadline,
    )

    act("reportingperiod", "open_for_reporting", [period.pk])

    by_address = {message.to[0]: message for message in mailoutbox}
    assert set(by_address) == {ADDRESS_A, ADDRESS_B}
    assert "01.01.01 Action A" in by_address[ADDRESS_A].body
    assert "01.01.02 Action B" in by_address[ADDRESS_B].body
    for message in mailoutbox:
        assert date_format(deadline, "DATE_FORMAT") in message.body
        assert staff_page(world, period) in message.body
    assert Notice.objects.filter(kind="opened", period=period).count() == 2

    # Opened again (say, after a close): nobody is told twice.
    act("reportingperiod", "open_for_reporting", [period.pk])
    assert len(mailoutbox) == 2


def test_it_reminds_once_before_the_deadline_however_often_the_action_runs(act, world, mailoutbox):
    world.open.deadline = timezone.localdate() + datetime.timedelta(days=10)
    world.open.save()
    submit(world, "a")

    response = act("reportingperiod", "send_reminders", [world.open.pk])

    assert "1–8/2024: 1 reminder sent." in response.content.decode()
    assert [message.to for message in mailoutbox] == [[ADDRESS_B]]
    assert "01.01.02 Action B" in mailoutbox[0].body
    assert staff_page(world) in mailoutbox[0].body
    notice = Notice.objects.get()
    assert (notice.kind, notice.person, notice.sent_by) == (
        "before_deadline",
        world.person_b,
        world.official,
    )

    response = act("reportingperiod", "send_reminders", [world.open.pk])

    assert len(mailoutbox) == 1
    assert Notice.objects.count() == 1
    content = response.content.decode()
    assert "1–8/2024: 0 reminders sent." in content
    assert "Already reminded, not again: Hallintojohtaja." in content


def test_it_reminds_after_the_deadline_at_most_once_a_day(remind, world, mailoutbox):
    world.open.deadline = timezone.localdate() - datetime.timedelta(days=1)
    world.open.save()

    remind("1-8/2024")
    output = remind("1-8/2024")

    assert sorted(message.to[0] for message in mailoutbox) == [ADDRESS_B, ADDRESS_A]
    assert all(message.subject == "Overdue: report on 1–8/2024" for message in mailoutbox)
    assert date_format(world.open.deadline, "DATE_FORMAT") in mailoutbox[0].body
    assert "already reminded Hallintojohtaja today; not again" in output
    assert Notice.objects.filter(kind="after_deadline").count() == 2

    # The next day the late are reminded again.
    Notice.objects.update(sent_on=timezone.localdate() - datetime.timedelta(days=1))
    remind("1-8/2024")

    assert len(mailoutbox) == 4
    assert Notice.objects.filter(kind="after_deadline").count() == 4


def test_it_reminds_nobody_of_a_closed_period(remind, world, mailoutbox):
    output = remind("1-4/2024")

    assert mailoutbox == []
    assert "1–4/2024 is not open for reporting; no reminders sent." in output


def test_it_records_nothing_for_a_person_without_an_address(remind, world, mailoutbox):
    world.staff_b.email = ""
    world.staff_b.save()

    output = remind("1-8/2024")

    assert [message.to for message in mailoutbox] == [[ADDRESS_A]]
    assert "no email address for Hallintojohtaja (1 entry not submitted)" in output
    assert "emailed Talousjohtaja <talous@example.fi>: 1 entry not submitted" in output
    assert list(Notice.objects.values_list("person", flat=True)) == [world.person_a.pk]

    # Once they have an address, they are reminded.
    world.staff_b.email = ADDRESS_B
    world.staff_b.save()
    remind("1-8/2024")

    assert [message.to for message in mailoutbox] == [[ADDRESS_A], [ADDRESS_B]]


def test_it_shows_the_notices_sent_on_the_period_dashboard(client, act, world):
    entry = submit(world, "a")
    act("progressentry", "return_selected", [entry.pk], comment="Add the figures")
    act("reportingperiod", "send_reminders", [world.open.pk])

    response = client.get(f"/admin/reports/reportingperiod/{world.open.pk}/dashboard/")

    notices = response.context["notices"]
    assert sorted((notice.kind, notice.address) for notice in notices) == [
        ("before_deadline", ADDRESS_B),
        ("before_deadline", ADDRESS_A),
        ("returned", ADDRESS_A),
    ]
    content = response.content.decode()
    assert "Notices sent" in content
    assert f"&lt;{ADDRESS_B}&gt;" in content
    assert "Returned to you: 01.01.01 in 1–8/2024" in content


def test_it_sends_nothing_when_the_action_rolls_back(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    entry = submit(world, "a")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            review_entries([entry], user=world.official, approve=False, comment="Add the figures")
            raise RuntimeError("something later in the same transaction failed")

    assert callbacks == []
    assert mailoutbox == []
    assert not Notice.objects.exists()
    assert world.entry("open", "a").review_state == ProgressEntry.ReviewState.SUBMITTED


def test_it_records_no_mail_that_could_not_be_sent(remind, world, mailoutbox, monkeypatch):
    def refuse(message, fail_silently=False):
        raise ConnectionRefusedError("no mail server")

    monkeypatch.setattr(EmailMessage, "send", refuse)
    remind("1-8/2024")
    assert not Notice.objects.exists()

    monkeypatch.undo()
    remind("1-8/2024")  # repeated, it sends them

    assert len(mailoutbox) == 2
    assert Notice.objects.count() == 2


def test_it_lets_officials_read_the_notices_and_nobody_write_them(client, act, world):
    act("reportingperiod", "send_reminders", [world.open.pk])
    notice = Notice.objects.first()

    assert client.get("/admin/reports/notice/?kind=before_deadline").status_code == 200
    assert client.get(f"/admin/reports/notice/{notice.pk}/change/").status_code == 200
    assert client.get("/admin/reports/notice/add/").status_code == 403
    assert client.post(f"/admin/reports/notice/{notice.pk}/delete/").status_code == 403
    assert Notice.objects.filter(pk=notice.pk).exists()


def test_it_records_the_demos_notices(mailoutbox):
    call_command("load_demo", stdout=io.StringIO())

    notices = Notice.objects.filter(period__label="2021", address="talous@example.com")
    assert sorted(notices.values_list("kind", flat=True)) == ["opened", "returned"]
    returned = notices.get(kind="returned").entry
    assert returned.review_state == ProgressEntry.ReviewState.RETURNED
