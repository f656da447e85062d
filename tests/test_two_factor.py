"""Officials and administrators enter the admin with a password and a code from an
authenticator app; the first time, they set the app up from a QR code."""

import pytest
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.builders import official

pytestmark = pytest.mark.django_db

PASSWORD = "virkailija-salasana"
TWO_FACTOR = "/admin/two-factor/"


def code_of(device, steps_ahead=0):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + steps_ahead * device.step
    return f"{totp.token():06d}"


def log_in_with_password(client, user):
    response = client.post(
        "/admin/login/?next=/admin/reports/progressentry/",
        {"username": user.username, "password": PASSWORD},
        follow=True,
    )
    assert response.redirect_chain, "the password was not accepted"
    return response


@pytest.fixture
def user():
    return official()


def test_it_asks_for_the_code_after_the_password(user):
    client = Client()

    response = log_in_with_password(client, user)

    assert response.request["PATH_INFO"] == TWO_FACTOR
    assert client.get("/admin/reports/progressentry/").status_code == 302
    assert client.get("/admin/").status_code == 302


def test_it_sets_up_the_app_the_first_time_with_a_qr_code(user):
    client = Client()
    page = log_in_with_password(client, user)
    device = TOTPDevice.objects.get(user=user)
    content = page.content.decode()

    right = client.post(TWO_FACTOR, {"code": code_of(device), "next": "/admin/"})

    assert "two-factor-qr" in content and page.context["key"] in content
    assert right.status_code == 302 and right["Location"] == "/admin/"
    assert client.get("/admin/reports/progressentry/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed


def test_it_asks_only_for_the_code_once_the_app_is_set_up(user):
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    client = Client()

    page = log_in_with_password(client, user)
    response = client.post(TWO_FACTOR, {"code": code_of(device, steps_ahead=1)})

    assert "two-factor-qr" not in page.content.decode()
    assert TOTPDevice.objects.filter(user=user).count() == 1
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_it_refuses_a_code_used_once_already(user):
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    code = code_of(device)
    first, second = Client(), Client()
    log_in_with_password(first, user)
    log_in_with_password(second, user)

    assert first.post(TWO_FACTOR, {"code": code}).status_code == 302
    assert second.post(TWO_FACTOR, {"code": code}).status_code == 200
    assert second.get("/admin/").status_code == 302


def test_it_sends_someone_without_admin_rights_back_to_the_login(world):
    client = Client()
    client.post("/reporting/login/", {"username": "staff_a", "password": "x-long-password"})

    assert client.get(TWO_FACTOR)["Location"].startswith("/admin/login/")
    assert client.get(f"/reporting/{world.open.pk}/").status_code == 200  # no code needed


def test_it_does_not_redirect_to_another_site_after_the_code(user):
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    client = Client()
    log_in_with_password(client, user)

    response = client.post(TWO_FACTOR, {"code": code_of(device), "next": "https://evil.example/"})

    assert response["Location"] == "/admin/"


def test_it_refuses_a_wrong_code_and_then_slows_down(user):
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    client = Client()
    log_in_with_password(client, user)

    wrong = client.post(TWO_FACTOR, {"code": "000000"})
    right_too_soon = client.post(TWO_FACTOR, {"code": code_of(device)})

    assert "The code is wrong or too old" in wrong.content.decode()
    assert "Too many wrong codes" in right_too_soon.content.decode()
    assert client.get("/admin/").status_code == 302
