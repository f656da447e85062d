"""Who may do what: the rules as a matrix, then the same through HTTP and the admin."""

import pytest
from django.contrib.auth.models import AnonymousUser

from reports.models import PublishedEntry

pytestmark = pytest.mark.django_db

# user, entry (period, whose) -> may edit/submit
EDIT_MATRIX = [
    ("anonymous", ("open", "a"), False),
    ("staff_a", ("open", "a"), True),
    ("staff_a", ("open", "b"), False),
    ("staff_a", ("closed", "a"), False),
    ("staff_b", ("open", "a"), False),
    ("staff_b", ("open", "b"), True),
    ("official", ("open", "a"), True),
    ("official", ("closed", "b"), True),
    ("administrator", ("open", "a"), False),
]


def who(world, name):
    return AnonymousUser() if name == "anonymous" else getattr(world, name)


@pytest.mark.parametrize(("user", "entry", "allowed"), EDIT_MATRIX)
@pytest.mark.parametrize("permission", ["reports.edit_entry", "reports.submit_entry"])
def test_it_lets_only_the_author_edit_in_an_open_period_and_officials_always(
    world, user, entry, allowed, permission
):
    assert who(world, user).has_perm(permission, world.entry(*entry)) is allowed


@pytest.mark.parametrize(
    ("user", "allowed"),
    [
        ("anonymous", False),
        ("staff_a", False),
        ("staff_b", False),
        ("official", True),
        ("administrator", False),
    ],
)
@pytest.mark.parametrize("permission", ["reports.review_entry", "reports.manage_period"])
def test_it_lets_only_officials_review_and_publish(world, user, allowed, permission):
    assert who(world, user).has_perm(permission, world.entry("open", "a")) is allowed


def test_it_sends_an_anonymous_visitor_to_the_login(client, world):
    response = client.get(f"/reporting/{world.open.pk}/")

    assert response.status_code == 302
    assert response["Location"].startswith("/reporting/login/")


def test_it_shows_a_reporter_only_their_own_entries(client, world):
    client.force_login(world.staff_a)

    response = client.get(f"/reporting/{world.open.pk}/")

    entries = [row["entry"] for group in response.context["groups"] for row in group["rows"]]
    assert entries == [world.entry("open", "a")]
    assert "Action B" not in response.content.decode()


def test_it_hides_periods_where_the_user_answers_for_nothing(client, world):
    client.force_login(world.administrator)

    assert client.get(f"/reporting/{world.open.pk}/").status_code == 404


def test_it_ignores_a_crafted_post_for_someone_elses_entry(client, world):
    client.force_login(world.staff_a)
    other = world.entry("open", "b")
    own = world.entry("open", "a")

    response = client.post(
        f"/reporting/{world.open.pk}/",
        {
            f"entry-{other.pk}-level": "5",
            f"entry-{other.pk}-status_text": "Hijacked",
            f"entry-{other.pk}-version": other.version,
            f"entry-{own.pk}-level": "3",
            f"entry-{own.pk}-status_text": "Mine",
            f"entry-{own.pk}-version": own.version,
            "save": "",
        },
    )

    assert response.status_code == 302
    assert world.entry("open", "b").status_text == ""
    assert world.entry("open", "a").status_text == "Mine"


def test_it_refuses_posts_to_a_closed_period(client, world):
    client.force_login(world.staff_a)
    entry = world.entry("closed", "a")

    response = client.post(
        f"/reporting/{world.closed.pk}/",
        {f"entry-{entry.pk}-level": "5", f"entry-{entry.pk}-version": entry.version, "save": ""},
    )

    assert response.status_code == 403
    assert world.entry("closed", "a").level == 2


def test_it_shows_a_closed_period_read_only(client, world):
    client.force_login(world.staff_a)

    content = client.get(f"/reporting/{world.closed.pk}/").content.decode()

    assert "This period is closed for reporting" in content
    assert "<textarea" not in content


def test_it_keeps_reporters_out_of_the_admin(client, world):
    client.force_login(world.staff_a)
    entry = world.entry("open", "b")

    listing = client.get("/admin/reports/progressentry/")
    action = client.post(
        "/admin/reports/progressentry/",
        {"action": "publish_selected", "_selected_action": [entry.pk]},
    )

    assert listing.status_code == 302 and "/admin/login/" in listing["Location"]
    assert action.status_code == 302
    assert not PublishedEntry.objects.filter(entry=world.entry("open", "b")).exists()


@pytest.mark.parametrize(
    ("user", "url", "status"),
    [
        ("official", "/admin/reports/progressentry/", 200),
        ("official", "/admin/goals/responsibleperson/", 200),
        ("official", "/admin/reports/importanomaly/", 200),
        ("official", "/admin/auth/user/", 403),
        ("administrator", "/admin/auth/user/", 200),
        ("administrator", "/admin/auth/group/", 200),
        ("administrator", "/admin/reports/progressentry/", 403),
    ],
)
def test_it_gives_officials_and_administrators_their_parts_of_the_admin(
    client, world, user, url, status
):
    client.force_login(getattr(world, user))

    assert client.get(url).status_code == status


def test_it_creates_the_three_roles_as_groups():
    from django.contrib.auth.models import Group

    names = set(Group.objects.values_list("name", flat=True))

    assert {"Toimialojen raportoijat", "Strategiatiimi", "Pääkäyttäjät"} <= names
    officials = Group.objects.get(name="Strategiatiimi")
    assert officials.permissions.filter(codename="change_progressentry").exists()
    assert not officials.permissions.filter(codename="change_user").exists()


def test_it_keeps_administrators_from_making_anyone_a_superuser(client, world):
    client.force_login(world.administrator)
    page = client.get(f"/admin/auth/user/{world.administrator.pk}/change/")
    form = page.context["adminform"].form

    assert "is_superuser" not in form.fields
    assert "user_permissions" not in form.fields


def test_it_does_not_place_an_anomaly_twice(client):
    from reports.models import ImportAnomaly
    from tests.builders import FILE_2023, official, run_import

    run_import(FILE_2023)
    anomaly = ImportAnomaly.objects.get(line=31)
    anomaly.status = ImportAnomaly.Status.DISMISSED
    anomaly.save()
    client.force_login(official())

    response = client.get(f"/admin/reports/importanomaly/{anomaly.pk}/place/")

    assert response.status_code == 302
    assert response["Location"].endswith(f"/importanomaly/{anomaly.pk}/change/")
