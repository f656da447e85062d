"""`make run`'s demo data: the three legacy files, published, and a demo admin."""

import io

import pytest
from django.core.management import call_command

from goals.models import ResponsiblePerson
from reports.models import ImportAnomaly, Notice, PublishedEntry, ReportingPeriod
from tests.builders import table_counts

pytestmark = pytest.mark.django_db


def load_demo():
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def test_it_loads_the_three_legacy_files_as_published_periods():
    load_demo()

    periods = ReportingPeriod.objects.filter(published=True).order_by("end_date")
    assert [(p.label, p.strategy.term, p.published) for p in periods] == [
        ("1–9/2021", "2017–2021", True),
        ("1–8/2022", "2021–2025", True),
        ("1–8/2023", "2021–2025", True),
    ]
    assert PublishedEntry.objects.published().count() == 59 + 49 + 49
    assert ImportAnomaly.objects.count() == 2
    titles = set(ResponsiblePerson.objects.values_list("title", flat=True))
    assert titles == {"Talousjohtaja", "Henkilöstöjohtaja", "Hallintojohtaja"}


def test_it_duplicates_nothing_when_run_twice():
    load_demo()
    counts = table_counts()

    output = load_demo()

    assert table_counts() == counts
    assert output.count("Nothing changed") == 3


def test_it_prints_a_demo_login_that_works(client):
    output = load_demo()

    assert "user “demo”, password “seuranta-demo”" in output
    codes = output.split("one-time codes: ")[1].split()[0].rstrip(",")
    assert client.login(username="demo", password="seuranta-demo")
    assert client.get("/admin/").status_code == 302  # the second factor first
    assert client.post("/admin/two-factor/", {"code": codes}).status_code == 302
    assert client.get("/admin/").status_code == 200


def test_it_opens_a_period_for_a_demo_reporter(client):
    output = load_demo()

    period = ReportingPeriod.objects.get(label="2021")
    assert period.is_open and not period.published
    assert "user “talous”, password “seuranta-demo”" in output
    assert client.login(username="talous", password="seuranta-demo")
    response = client.get(f"/reporting/{period.pk}/")
    assert response.status_code == 200
    rows = [row for group in response.context["groups"] for row in group["rows"]]
    assert rows and all(row["entry"].responsible.title == "Talousjohtaja" for row in rows)
    assert client.get("/admin/").status_code == 302  # a reporter has no admin access


def test_it_shows_a_quarter_under_way():
    load_demo()

    period = ReportingPeriod.objects.get(label="2021")
    states = list(
        period.entries.filter(responsible__user__username="talous")
        .order_by("goal__code")
        .values_list("review_state", flat=True)
    )
    assert states[:3] == ["returned", "submitted", "submitted"]
    assert set(states[3:]) == {"draft"}
    returned = period.entries.get(review_state="returned")
    assert returned.review_comment
    assert Notice.objects.filter(period=period, kind=Notice.Kind.RETURNED).count() == 1
