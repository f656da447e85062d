"""What an attacker tried and must not get: a superuser's account, every entry through the
export, unlimited text, a period label that breaks a download."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from reports.models import ProgressEntry, ReportingPeriod
from reports.roles import ADMINISTRATORS_GROUP, OFFICIALS_GROUP
from tests.reports.test_staff_reporting import form_data

pytestmark = pytest.mark.django_db

TOO_LONG = "x" * 4001


@pytest.fixture
def superuser(world):
    return get_user_model().objects.create_superuser("root", password="root-long-password")


@pytest.fixture
def administrator(client, world):
    client.force_login(world.administrator)
    return world.administrator


def test_it_keeps_administrators_from_a_superusers_password(client, superuser, administrator):
    url = f"/admin/auth/user/{superuser.pk}/password/"

    page = client.get(url)
    post = client.post(url, {"password1": "taken-over-123!", "password2": "taken-over-123!"})

    assert page.status_code in (403, 404) and post.status_code in (403, 302, 404)
    superuser.refresh_from_db()
    assert superuser.check_password("root-long-password")


def test_it_keeps_administrators_from_deactivating_a_superuser(client, superuser, administrator):
    response = client.post(
        f"/admin/auth/user/{superuser.pk}/change/",
        {"username": "root", "is_active": "", "date_joined_0": "2026-01-01"},
    )

    assert response.status_code in (302, 403, 404)
    superuser.refresh_from_db()
    assert superuser.is_active
    assert "root" not in client.get("/admin/auth/user/").content.decode()


def test_it_keeps_administrators_from_widening_their_own_groups_rights(client, administrator):
    group = Group.objects.get(name=ADMINISTRATORS_GROUP)
    before = set(group.permissions.all())
    everything = Permission.objects.filter(content_type__app_label="reports")

    client.post(
        f"/admin/auth/group/{group.pk}/change/",
        {"name": group.name, "permissions": [p.pk for p in everything]},
    )

    assert set(group.permissions.all()) == before
    assert client.get("/admin/reports/progressentry/").status_code == 403


def test_it_keeps_administrators_from_giving_themselves_the_officials_role(client, administrator):
    officials = Group.objects.get(name=OFFICIALS_GROUP)
    page = client.get(f"/admin/auth/user/{administrator.pk}/change/")
    data = {
        name: value
        for name, value in page.context["adminform"].form.initial.items()
        if value is not None and name in page.context["adminform"].form.fields
    }

    client.post(
        f"/admin/auth/user/{administrator.pk}/change/",
        {**data, "groups": [officials.pk], "date_joined_0": "2026-01-01", "date_joined_1": "0:00"},
    )

    assert not administrator.groups.filter(pk=officials.pk).exists()


def test_it_lets_administrators_set_an_ordinary_users_password(client, world, administrator):
    response = client.post(
        f"/admin/auth/user/{world.staff_a.pk}/password/",
        {"password1": "a-new-long-password-1", "password2": "a-new-long-password-1"},
    )

    assert response.status_code == 302
    world.staff_a.refresh_from_db()
    assert world.staff_a.check_password("a-new-long-password-1")


def test_it_lets_only_those_who_may_view_entries_export_them(client, world, administrator):
    refused = client.post("/admin/reports/progressentry/export/", {"format": "0", "resource": "0"})
    client.force_login(world.official)
    allowed = client.get("/admin/reports/progressentry/export/")

    assert refused.status_code == 403
    assert allowed.status_code == 200


def test_it_refuses_a_status_text_over_the_limit_on_the_staff_page(client, world):
    entry = world.entry("open", "a")
    client.force_login(world.staff_a)

    response = client.post(
        f"/reporting/{world.open.pk}/",
        form_data([entry], values={entry.pk: {"status_text": TOO_LONG, "risks": "ok"}}),
    )

    assert response.status_code == 200
    assert "at most 4000 characters" in response.content.decode()
    assert world.entry("open", "a").status_text == ""


def test_it_refuses_risks_over_the_limit_in_the_admin(client, world):
    from tests.reports.test_no_lost_edits import admin_form_data, change_url

    entry = world.entry("open", "a")
    client.force_login(world.official)

    response = client.post(change_url(entry), {**admin_form_data(client, entry), "risks": TOO_LONG})

    assert response.status_code == 200
    assert world.entry("open", "a").risks == ""


def test_it_refuses_text_over_the_limit_in_the_database(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgressEntry.objects.filter(pk=world.entry("open", "a").pk).update(status_text=TOO_LONG)


@pytest.mark.parametrize("label", ['1–8/2022"', "1–8/2022\nx", "anything", "13–14/2022"])
def test_it_refuses_period_labels_that_are_no_periods(world, label):
    period = ReportingPeriod(
        strategy=world.strategy,
        year=2022,
        label=label,
        start_date="2022-01-01",
        end_date="2022-08-31",
    )

    with pytest.raises(ValidationError):
        period.full_clean()


def test_it_names_a_download_safely_whatever_the_label(client, world):
    odd = ReportingPeriod.objects.create(
        strategy=world.strategy,
        year=2024,
        label='1–8/2024 "x"\r\nSet-Cookie: a=b',
        start_date="2024-01-01",
        end_date="2024-08-31",
        published=True,
    )

    for fmt in ("csv", "xlsx"):
        response = client.get(f"/periods/{odd.pk}/data.{fmt}")

        assert response.status_code == 200
        disposition = response["Content-Disposition"]
        assert "\n" not in disposition and "\r" not in disposition
        assert disposition.startswith('attachment; filename="seuranta-2021-2025-1-8-2024')
        assert not response.has_header("Set-Cookie")


def test_it_logs_who_exported_entries_from_the_admin(client, world, caplog):
    client.force_login(world.official)

    with caplog.at_level("INFO", logger="seuranta.security"):
        response = client.post(
            "/admin/reports/progressentry/export/",
            {"format": "0", "resource": "0", "progressentryresource_code": "on"},
        )

    assert response.status_code == 200
    lines = [r.getMessage() for r in caplog.records if r.name == "seuranta.security"]
    assert any(
        line.startswith("export format=xlsx entries=4") and 'user="virkailija"' in line
        for line in lines
    ), lines
