"""An official places an anomalous legacy row by hand."""

import pytest

from goals.models import Goal
from reports.models import ImportAnomaly, ProgressEntry
from tests.builders import FILE_2021, FILE_2023, official, run_import

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged_in(client):
    client.force_login(official())
    return client


def place_url(anomaly):
    return f"/admin/reports/importanomaly/{anomaly.pk}/place/"


def test_it_prefills_the_form_from_the_rows_cells(logged_in):
    run_import(FILE_2023)
    anomaly = ImportAnomaly.objects.get(line=31)

    response = logged_in.get(place_url(anomaly))

    form = response.context["form"]
    assert form.initial["goal"].code == "07.02.02"
    assert form.initial["level"] == 3
    assert form.initial["status_text"].startswith("Markkinointikampanjat")
    assert "Markkinointikampanjat" in response.content.decode()


def test_it_places_a_row_without_a_code_where_the_official_says(logged_in, demo_persons):
    run_import(FILE_2021)
    anomaly = ImportAnomaly.objects.get(line=27)
    goal = Goal.objects.get(code="03.07", year=2021)
    initial = logged_in.get(place_url(anomaly)).context["form"].initial

    response = logged_in.post(
        place_url(anomaly),
        {
            "goal": goal.pk,
            "level": "",
            "status_text": initial["status_text"],
            "risks": initial["risks"],
            "overall_status": "",
            "responsible": initial["responsible"].pk,
        },
    )

    assert response.status_code == 302
    entry = ProgressEntry.objects.get(goal=goal)
    assert entry.risks == "Resurssipula"
    assert entry.status_text.startswith("Sisäisten palveluiden prosessien kehittä")
    assert entry.responsible == demo_persons["Talousjohtaja"]
    assert (entry.source_line, entry.review_state) == (27, "submitted")
    anomaly.refresh_from_db()
    assert anomaly.status == "placed"
    assert anomaly.resolved_by.username == "virkailija"


def test_it_lets_only_officials_place(client, world):
    run_import(FILE_2023)
    client.force_login(world.staff_a)

    response = client.get(place_url(ImportAnomaly.objects.get(line=31)))

    assert response.status_code == 302  # to the admin login
