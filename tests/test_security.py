"""The defences a municipal service is expected to have: login throttling, a security log,
browser policies, an idle timeout, a password policy, and quiet logs for bad host names."""

import base64
import datetime
import hashlib
import logging
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.utils import timezone

pytestmark = pytest.mark.django_db

PASSWORD = "x-long-password"
LOGIN_PAGES = ["/reporting/login/", "/admin/login/"]


@pytest.fixture
def users():
    User = get_user_model()
    return (
        User.objects.create_user("virkailija", password=PASSWORD, is_staff=True),
        User.objects.create_user("kollega", password=PASSWORD, is_staff=True),
    )


def log_in(client, path, username, password, address="127.0.0.1"):
    return client.post(path, {"username": username, "password": password}, REMOTE_ADDR=address)


def fail_five_times(client, path, username, address="127.0.0.1"):
    statuses = [
        log_in(client, path, username, "wrong-password", address).status_code for _ in range(5)
    ]
    # The form again with its error four times; the fifth failure already locks out.
    assert statuses == [200, 200, 200, 200, 429]


# Login throttling


@pytest.mark.parametrize("path", LOGIN_PAGES)
def test_it_refuses_the_right_password_after_five_wrong_ones(client, users, path):
    fail_five_times(client, path, "virkailija")

    response = log_in(client, path, "virkailija", PASSWORD)

    assert response.status_code == 429
    content = response.content.decode()
    assert "Too many failed logins" in content
    assert "blocked for 15 minutes" in content
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("path", LOGIN_PAGES)
def test_it_still_lets_another_user_log_in_from_the_same_address(client, users, path):
    fail_five_times(client, path, "virkailija")

    response = log_in(client, path, "kollega", PASSWORD)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(users[1].pk)


def test_it_still_lets_the_locked_out_user_in_from_another_address(client, users):
    fail_five_times(client, "/reporting/login/", "virkailija", address="192.0.2.10")

    response = log_in(client, "/reporting/login/", "virkailija", PASSWORD, address="192.0.2.20")

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(users[0].pk)


def test_it_counts_failures_by_the_address_our_proxy_saw(client, users, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for forged in ["198.51.100.1", "198.51.100.2", "198.51.100.3", "198.51.100.4", "x"]:
        client.post(
            "/reporting/login/",
            {"username": "virkailija", "password": "wrong-password"},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR=f"{forged}, 203.0.113.7",
        )

    from_the_same_client = client.post(
        "/reporting/login/",
        {"username": "virkailija", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="198.51.100.99, 203.0.113.7",
    )
    from_another_client = client.post(
        "/reporting/login/",
        {"username": "virkailija", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="203.0.113.8",
    )

    assert from_the_same_client.status_code == 429
    assert from_another_client.status_code == 302


# The security log


def security_lines(caplog):
    return [record.getMessage() for record in caplog.records if record.name == "seuranta.security"]


def test_it_logs_a_failed_login_a_login_and_a_logout(client, users, caplog):
    caplog.set_level(logging.INFO, logger="seuranta.security")

    log_in(client, "/reporting/login/", "virkailija", "wrong-password")
    log_in(client, "/reporting/login/", "virkailija", PASSWORD)
    client.post("/reporting/logout/", REMOTE_ADDR="127.0.0.1")

    assert security_lines(caplog) == [
        'login-failed user="virkailija" ip="127.0.0.1" path="/reporting/login/"',
        'login user="virkailija" ip="127.0.0.1" path="/reporting/login/"',
        'logout user="virkailija" ip="127.0.0.1" path="/reporting/logout/"',
    ]


def test_it_logs_an_admin_login(client, users, caplog):
    caplog.set_level(logging.INFO, logger="seuranta.security")

    log_in(client, "/admin/login/", "virkailija", PASSWORD)

    assert security_lines(caplog) == ['login user="virkailija" ip="127.0.0.1" path="/admin/login/"']


def test_it_keeps_a_crafted_username_on_one_line_of_the_log(client, users, caplog):
    caplog.set_level(logging.INFO, logger="seuranta.security")

    log_in(client, "/reporting/login/", 'x"\nlogin user="virkailija', "wrong-password")

    assert security_lines(caplog) == [
        r'login-failed user="x\"\nlogin user=\"virkailija" ip="127.0.0.1" path="/reporting/login/"'
    ]


# Browser policies

PAGES = ["/", "/reporting/login/", "/admin/login/"]


def directives(response):
    policy = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in policy.split(";") if part.strip())
    }


@pytest.mark.parametrize("path", PAGES)
def test_it_allows_scripts_and_styles_only_from_the_site_itself(client, path):
    response = client.get(path)

    assert response.status_code == 200
    policy = directives(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["script-src-attr"]
    assert policy["style-src-elem"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]


@pytest.mark.parametrize("path", PAGES)
def test_it_denies_the_browser_features_the_site_does_not_use(client, path):
    response = client.get(path)

    denied = response["Permissions-Policy"].split(", ")
    for feature in ["camera", "microphone", "geolocation", "payment", "usb"]:
        assert f"{feature}=()" in denied


def test_it_allows_the_inline_handlers_of_the_admins_export_form(client):
    """django-import-export's export form has an inline onchange handler ("Select all");
    the policy allows it by its hash, which must change when the package changes it."""
    admin = get_user_model().objects.create_superuser("paakayttaja", password=PASSWORD)
    client.force_login(admin)

    response = client.get("/admin/reports/progressentry/export/")

    assert response.status_code == 200
    handlers = re.findall(r'\son[a-z]+="([^"]*)"', response.content.decode())
    assert handlers
    allowed = directives(response)["script-src-attr"]
    for handler in handlers:
        digest = base64.b64encode(hashlib.sha256(handler.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in allowed, handler


# Idle timeout


@pytest.mark.parametrize("path", ["/reporting/", "/admin/"])
def test_it_logs_out_a_session_idle_for_longer_than_the_timeout(client, users, path):
    client.force_login(users[0])
    assert client.get(path).status_code == 200
    # As if that request had been 31 minutes ago.
    session = Session.objects.get(session_key=client.session.session_key)
    session.expire_date -= datetime.timedelta(minutes=31)
    session.save()

    response = client.get(path)

    assert response.status_code == 302
    assert "login" in response["Location"]


def test_it_restarts_the_idle_timeout_on_every_request(client, users):
    client.force_login(users[0])
    session = Session.objects.get(session_key=client.session.session_key)
    session.expire_date = timezone.now() + datetime.timedelta(minutes=1)
    session.save()

    response = client.get("/reporting/")

    assert response.status_code == 200
    session.refresh_from_db()
    assert session.expire_date > timezone.now() + datetime.timedelta(minutes=29)
    assert session.expire_date <= timezone.now() + datetime.timedelta(minutes=30)
    # No Max-Age or Expires: the browser forgets the session when it closes.
    cookie = response.cookies["sessionid"]
    assert cookie["max-age"] == "" and cookie["expires"] == ""


# Password policy


@pytest.mark.parametrize("password", ["lyhyt-sana1", "password1234", "123456789012"])
def test_it_refuses_a_short_or_common_password(password):
    with pytest.raises(ValidationError):
        validate_password(password)


def test_it_refuses_a_password_like_the_username(users):
    with pytest.raises(ValidationError):
        validate_password("virkailija-2024", user=users[0])


def test_it_accepts_a_long_passphrase(users):
    validate_password("kesäinen-sade-42", user=users[0])


# Requests for other host names


def test_it_logs_a_request_for_another_host_as_one_line(client, settings, caplog):
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["seuranta.example.fi"]

    response = client.get("/", HTTP_HOST="scanner.example")

    assert response.status_code == 400
    records = [r for r in caplog.records if r.name == "django.security.DisallowedHost"]
    assert len(records) == 1
    assert records[0].levelno == logging.WARNING
    assert "Traceback" not in caplog.text
    # As the console handler of settings.LOGGING writes it.
    line = logging.Formatter(settings.LOGGING["formatters"]["plain"]["format"]).format(records[0])
    assert "\n" not in line
    assert "Invalid HTTP_HOST header: 'scanner.example'" in line
