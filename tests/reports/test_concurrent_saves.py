"""Several people at once, for real: threads with their own database connections saving
through the staff page and the importer on PostgreSQL, where rows are really locked.

SQLite serialises every write to the whole file, so these races cannot happen there;
the suite's PostgreSQL round runs them.
"""

import threading

import pytest
from django.apps import apps
from django.db import connection, connections, transaction
from django.test import Client

from goals.models import Goal
from reports.models import ImportAnomaly, ProgressEntry
from reports.roles import create_groups
from reports.services import Edit, save_entries
from tests.builders import FILE_2022, World, official, run_import
from tests.reports.test_staff_reporting import form_data

THREADS = 10
# How long a thread may wait for the others before the test fails instead of hanging.
TIMEOUT = 60

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks are PostgreSQL's; see the docstring"
    ),
]


@pytest.fixture
def world():
    create_groups(apps)  # emptied by the transactional test before this one
    return World()


def run_in_threads(work, count):
    """Run work(i) in `count` threads that start together; return their results by i."""
    start = threading.Barrier(count, timeout=TIMEOUT)
    results = [None] * count

    def run(i):
        try:
            start.wait()
            results[i] = work(i)
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            results[i] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    assert not any(thread.is_alive() for thread in threads)
    assert not [r for r in results if isinstance(r, BaseException)], results
    return results


def logged_in_client(user):
    client = Client()
    client.force_login(user)
    return client


def test_it_lets_exactly_one_of_ten_saves_from_the_same_version_win(world):
    entry = world.entry("open", "a")
    loaded = entry.version
    url = f"/reporting/{world.open.pk}/"
    clients = [logged_in_client(world.staff_a) for _ in range(THREADS)]
    posts = [
        form_data([entry], values={entry.pk: {"level": "3", "status_text": f"Thread {i}"}})
        for i in range(THREADS)
    ]

    responses = run_in_threads(lambda i: clients[i].post(url, posts[i]), THREADS)

    winners = [i for i, response in enumerate(responses) if response.status_code == 302]
    refused = [response for response in responses if response.status_code == 200]
    assert len(winners) == 1 and len(refused) == THREADS - 1
    for response in refused:
        assert "Not saved, because it was saved again" in response.content.decode()
        # Each refused thread keeps its own typed text for a second try.
        assert response.context["groups"][0]["rows"][0]["conflict"] is not None
    stored = world.entry("open", "a")
    assert stored.status_text == f"Thread {winners[0]}"
    assert stored.version == loaded + 1
    assert list(stored.history.values_list("version", flat=True)) == [loaded + 1, loaded]


def test_it_stores_all_of_ten_concurrent_saves_of_different_entries(world):
    parent = world.goal_a.parent
    entries = [
        ProgressEntry.objects.create(
            period=world.open,
            responsible=world.person_a,
            goal=Goal.objects.create(
                strategy=world.strategy,
                year=2024,
                kind="action",
                code=f"01.01.{10 + i}",
                title=f"Action {i}",
                parent=parent,
                responsible=world.person_a,
            ),
        )
        for i in range(THREADS)
    ]
    page = [world.entry("open", "a"), *entries]
    url = f"/reporting/{world.open.pk}/"
    clients = [logged_in_client(world.staff_a) for _ in range(THREADS)]
    # Every thread posts the whole page as loaded, with only its own entry changed.
    posts = [
        form_data(page, values={entries[i].pk: {"level": "2", "status_text": f"Entry {i}"}})
        for i in range(THREADS)
    ]

    responses = run_in_threads(lambda i: clients[i].post(url, posts[i]), THREADS)

    assert [response.status_code for response in responses] == [302] * THREADS
    stored = ProgressEntry.objects.filter(pk__in=[entry.pk for entry in entries])
    assert sorted(stored.values_list("status_text", flat=True)) == sorted(
        f"Entry {i}" for i in range(THREADS)
    )


def test_it_turns_an_import_that_meets_a_reporters_save_into_an_anomaly(tmp_path, world):
    run_import(FILE_2022)
    entry = ProgressEntry.objects.get(goal__code="01.03.02", period__label="1–8/2022")
    corrected = tmp_path / "corrected.txt"
    corrected.write_text(
        FILE_2022.read_text(encoding="utf-8").replace(
            "Keusoten taloutta seurataan aktiivisesti.", "Text from a new export."
        ),
        encoding="utf-8",
    )
    saved, may_commit = threading.Event(), threading.Event()
    user = official()

    def save_and_hold(_):
        # The save is written but not committed until the import waits for its row.
        with transaction.atomic():
            save_entries(
                [
                    Edit(
                        entry_id=entry.pk,
                        loaded_version=entry.version,
                        values={"status_text": "Saved in Seuranta during the import"},
                    )
                ],
                user=user,
            )
            saved.set()
            assert may_commit.wait(TIMEOUT)

    def import_when_saved(_):
        assert saved.wait(TIMEOUT)
        return run_import(corrected, period="1-8/2022", term="2021-2025")

    def release_when_import_waits(_):
        assert saved.wait(TIMEOUT)
        with connection.cursor() as cursor:
            for _attempt in range(TIMEOUT * 20):
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                )
                if cursor.fetchone()[0]:
                    break
                threading.Event().wait(0.05)
        may_commit.set()

    work = [save_and_hold, import_when_saved, release_when_import_waits]
    _saved, summary, _released = run_in_threads(lambda i: work[i](i), len(work))

    entry = ProgressEntry.objects.get(pk=entry.pk)
    assert entry.status_text == "Saved in Seuranta during the import"
    assert [(a["line"], a["reason"]) for a in summary["anomalies"]] == [(4, "edited")]
    assert ImportAnomaly.objects.filter(line=4, reason="edited").exists()
    versions = list(entry.history.values_list("version", flat=True))
    assert len(versions) == len(set(versions))
