"""The password reset request's limits (reports/reset_limit.py): a few reset mails per
email address and a few requests per client address in a window, without the page ever
telling which addresses have an account."""

import logging
import re
import time

import pytest
from django.contrib.auth import get_user_model
from django.core.cache.backends import locmem

pytestmark = pytest.mark.django_db

RESET = "/reporting/password-reset/"
DONE = "/reporting/password-reset/sent/"
TRY_LATER = "Too many password reset links have been requested from your network. Try again later."


@pytest.fixture
def users(db):
    User = get_user_model()
    return [
        User.objects.create_user("talous", "talous@example.fi", "x-long-password"),
        User.objects.create_user("tekninen", "tekninen@example.fi", "x-long-password"),
    ]


@pytest.fixture
def clock(monkeypatch):
    """The cache's clock (the tests' cache is in memory), moved on instead of waiting."""

    class Clock:
        minutes = 0

        def time(self):
            return time.time() + self.minutes * 60

    clock = Clock()
    monkeypatch.setattr(locmem, "time", clock)
    return clock


def ask(client, email, address="127.0.0.1"):
    return client.post(RESET, {"email": email}, REMOTE_ADDR=address)


def without_csrf(content):
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b"", content)


def security_lines(caplog):
    return [record.getMessage() for record in caplog.records if record.name == "seuranta.security"]


def test_the_fourth_request_for_an_address_sends_nothing_but_looks_the_same(
    client, users, mailoutbox
):
    first = ask(client, "talous@example.fi")
    ask(client, "talous@example.fi")
    ask(client, "talous@example.fi")

    fourth = ask(client, "talous@example.fi")
    page = client.get(fourth["Location"]).content.decode()

    assert len(mailoutbox) == 3
    assert fourth.status_code == first.status_code == 302
    assert fourth["Location"] == first["Location"] == DONE
    assert "If an account has the address you entered" in page


def test_the_address_is_counted_whatever_its_case_and_spaces(client, users, mailoutbox):
    for email in ["talous@example.fi", "Talous@Example.FI", " TALOUS@example.fi "]:
        ask(client, email)

    fourth = ask(client, "talous@EXAMPLE.fi")

    assert len(mailoutbox) == 3
    assert fourth["Location"] == DONE


def test_another_address_still_gets_its_mail(client, users, mailoutbox):
    for _ in range(4):
        ask(client, "talous@example.fi")

    response = ask(client, "tekninen@example.fi")

    assert response["Location"] == DONE
    assert [mail.to for mail in mailoutbox] == [["talous@example.fi"]] * 3 + [
        ["tekninen@example.fi"]
    ]


def test_the_eleventh_request_from_one_address_is_asked_to_wait(client, users, mailoutbox):
    for number in range(10):
        assert ask(client, f"person{number}@example.fi", "192.0.2.10")["Location"] == DONE

    refused = ask(client, "talous@example.fi", "192.0.2.10")
    elsewhere = ask(client, "talous@example.fi", "192.0.2.20")

    content = refused.content.decode()
    assert refused.status_code == 429
    assert TRY_LATER in content
    assert 'value="talous@example.fi"' in content  # the form again, as typed
    assert elsewhere["Location"] == DONE
    assert [mail.to for mail in mailoutbox] == [["talous@example.fi"]]


def test_mail_flows_again_after_the_window(client, users, mailoutbox, clock):
    for number in range(10):
        ask(client, f"person{number}@example.fi")
    for _ in range(4):
        ask(client, "talous@example.fi", "192.0.2.20")
    assert ask(client, "tekninen@example.fi").status_code == 429
    assert len(mailoutbox) == 3

    clock.minutes = 59
    still_refused = ask(client, "tekninen@example.fi")
    ask(client, "talous@example.fi", "192.0.2.20")
    clock.minutes = 61
    again = ask(client, "tekninen@example.fi")
    ask(client, "talous@example.fi", "192.0.2.20")

    assert still_refused.status_code == 429
    assert again["Location"] == DONE
    assert [mail.to for mail in mailoutbox[3:]] == [
        ["tekninen@example.fi"],
        ["talous@example.fi"],
    ]


def test_the_limits_and_the_window_are_settings(client, users, mailoutbox, clock, settings):
    settings.PASSWORD_RESET_LIMIT_PER_ADDRESS = 1
    settings.PASSWORD_RESET_LIMIT_PER_IP = 2
    settings.PASSWORD_RESET_LIMIT_WINDOW_MINUTES = 5

    ask(client, "talous@example.fi")
    ask(client, "talous@example.fi")
    refused = ask(client, "tekninen@example.fi")
    clock.minutes = 6
    again = ask(client, "talous@example.fi")

    assert refused.status_code == 429
    assert again["Location"] == DONE
    assert [mail.to for mail in mailoutbox] == [["talous@example.fi"]] * 2


def test_an_unknown_and_a_limited_address_get_the_same_answer(client, users, mailoutbox):
    for _ in range(3):
        ask(client, "talous@example.fi")

    answers = []
    for email in ["nobody@example.fi", "talous@example.fi"]:
        response = ask(client, email)
        page = client.get(response["Location"])
        answers.append(
            (
                response.status_code,
                sorted(response.headers.items()),
                response.content,
                page.status_code,
                sorted(page.headers.items()),
                without_csrf(page.content),
            )
        )

    assert answers[0] == answers[1]
    assert len(mailoutbox) == 3


def test_it_logs_each_refusal_once_without_the_address(client, users, caplog):
    caplog.set_level(logging.INFO, logger="seuranta.security")
    for _ in range(4):
        ask(client, "talous@example.fi", "192.0.2.10")
    for number in range(6):
        ask(client, f"person{number}@example.fi", "192.0.2.10")
    ask(client, "tekninen@example.fi", "192.0.2.10")

    assert security_lines(caplog) == [
        'password-reset-refused limit=address user="t***@example.fi" ip="192.0.2.10" '
        'path="/reporting/password-reset/"',
        'password-reset-refused limit=ip user="t***@example.fi" ip="192.0.2.10" '
        'path="/reporting/password-reset/"',
    ]
    assert "talous@" not in caplog.text and "tekninen@" not in caplog.text
