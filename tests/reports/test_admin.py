"""The admin, as an official uses it on the demo data."""

import pytest
from django.contrib.auth import get_user_model

from reports.models import ImportAnomaly, ProgressEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def official(client, demo_loaded):
    user = get_user_model().objects.create_superuser("virkailija", password="x-long-password")
    client.force_login(user)
    return user


@pytest.mark.parametrize(
    "url",
    [
        "/admin/goals/strategy/",
        "/admin/goals/department/",
        "/admin/goals/responsibleperson/",
        "/admin/goals/goal/",
        "/admin/goals/goal/?kind=action&year=2022",
        "/admin/reports/reportingperiod/",
        "/admin/reports/progressentry/",
        "/admin/reports/importbatch/",
        "/admin/reports/importanomaly/",
    ],
)
def test_it_lists_every_model(client, official, url):
    response = client.get(url)

    assert response.status_code == 200


def test_it_shows_import_anomalies_with_their_line_and_reason(client, official):
    response = client.get("/admin/reports/importanomaly/")

    content = response.content.decode()
    assert "07.02.02 was already reported on line 30 of this file" in content
    assert "the row has content but no goal or action code" in content
    anomaly = ImportAnomaly.objects.get(line=27)
    detail = client.get(f"/admin/reports/importanomaly/{anomaly.pk}/change/").content.decode()
    assert "Resurssipula" in detail


def test_it_dismisses_anomalies(client, official):
    anomaly = ImportAnomaly.objects.get(line=27)

    response = client.post(
        "/admin/reports/importanomaly/",
        {"action": "dismiss", "_selected_action": [anomaly.pk]},
        follow=True,
    )

    assert "1 anomaly dismissed." in response.content.decode()
    anomaly.refresh_from_db()
    assert anomaly.status == ImportAnomaly.Status.DISMISSED
    assert anomaly.resolved_by == official


def test_it_filters_entries_by_period_and_level_and_searches_text(client, official):
    entry = ProgressEntry.objects.get(goal__code="01.06.01", period__label="1–8/2022")

    response = client.get(
        "/admin/reports/progressentry/",
        {"period__id__exact": entry.period_id, "level": 5, "q": "aktivointi"},
    )

    rows = response.context["cl"].result_list
    assert list(rows) == [entry]


def test_it_finds_goals_by_code(client, official):
    response = client.get("/admin/goals/goal/", {"q": "01.06.01"})

    codes = {goal.code for goal in response.context["cl"].result_list}
    assert codes == {"01.06.01"}


def test_it_lists_the_open_periods_entries_first(client, official):
    response = client.get("/admin/reports/progressentry/")

    listed = response.context["cl"].result_list
    assert listed[0].period.is_open and listed[0].period.label == "2021"
    assert [entry.goal.code for entry in listed[:3]] == sorted(e.goal.code for e in listed[:3])
