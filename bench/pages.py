"""Response times of the busiest pages at ten times Tuusula's size.

Builds three published periods of 600 entries each (Tuusula has about 50–60 a
period), then requests each page through Django's test client and prints the
median and slowest of 20 requests, and the number of queries.

    .venv/bin/python bench/pages.py            # a scratch SQLite database
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/seuranta_bench \\
        .venv/bin/python bench/pages.py        # an existing, empty PostgreSQL database
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SCRATCH = Path(tempfile.mkdtemp()) / "bench.sqlite3"
os.environ.setdefault("DATABASE_URL", f"sqlite:///{SCRATCH}")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "seuranta.settings")
# DEBUG on: static files without collectstatic. It also records every query, which
# makes these figures a little slower than production's.
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.import_legacy import build_export  # noqa: E402
from goals.models import Goal, ResponsiblePerson  # noqa: E402
from reports.legacy.importer import import_legacy_file  # noqa: E402
from reports.models import ProgressEntry, ReportingPeriod  # noqa: E402
from reports.services import open_period, publish_period, review_entries  # noqa: E402

REQUESTS = 20


def build():
    call_command("migrate", verbosity=0)
    admin = get_user_model().objects.create_superuser("bench", password="bench-password")
    content, _rows = build_export()
    for period in ("1-4/2022", "1-8/2022", "2022"):
        summary = import_legacy_file(
            content=content, filename="bench.txt", period=period, term="2021-2025", user=admin
        )
        entries = ProgressEntry.objects.filter(period_id=summary.period_id)
        review_entries(list(entries), user=admin, approve=True)
        publish_period(ReportingPeriod.objects.get(pk=summary.period_id), user=admin)
    # A reporter answering for a tenth of next period's entries.
    reporter = get_user_model().objects.create_user("reporter", password="bench-password")
    person = ResponsiblePerson.objects.create(title="Talousjohtaja", user=reporter)
    Goal.objects.filter(year=2022, code__startswith="0").update(responsible=person)
    upcoming = ReportingPeriod.objects.create(
        strategy=ReportingPeriod.objects.first().strategy,
        year=2022,
        label="1–10/2022",
        start_date="2022-01-01",
        end_date="2022-10-31",
    )
    open_period(upcoming, user=admin)
    return reporter, upcoming


def measure(client, label, url):
    times = []
    for _ in range(REQUESTS):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    print(
        f"{label:<34} median {statistics.median(times):6.0f} ms   "
        f"max {max(times):6.0f} ms   {len(queries):3d} queries"
    )


def main():
    reporter, upcoming = build()
    period = ReportingPeriod.objects.get(label="1–8/2022")
    goal = Goal.objects.get(code="01.", year__isnull=True)
    action = Goal.objects.filter(kind="action").first()
    entries = ProgressEntry.objects.filter(period=period).count()
    mine = ProgressEntry.objects.filter(period=upcoming, responsible__user=reporter).count()
    print(f"database: {connection.vendor}; {entries} entries a period, {mine} for the reporter")
    public = Client()
    measure(public, "home", "/")
    measure(public, "period page (25 rows)", f"/periods/{period.pk}/")
    measure(public, "period page, filtered + sorted", f"/periods/{period.pk}/?level=3&sort=-level")
    measure(public, "period print (all rows)", f"/periods/{period.pk}/print/")
    measure(public, "period CSV", f"/periods/{period.pk}/data.csv")
    measure(public, "council-term goal page", f"/goals/{goal.pk}/")
    measure(public, "action page", f"/goals/{action.pk}/")
    first = ReportingPeriod.objects.get(label="1–4/2022")
    measure(public, "compare two periods", f"/compare/?first={first.pk}&second={period.pk}")
    staff = Client()
    staff.force_login(reporter)
    measure(staff, f"reporter's page ({mine} entries)", f"/reporting/{upcoming.pk}/")


if __name__ == "__main__":
    main()
