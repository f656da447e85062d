"""Public pages are cached until the next change residents may see, and revalidate
with a 304; publishing and officials' edits show at once."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports.models import PublicRevision
from reports.services import Edit, publish_entries, review_entries, save_entries

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def published(world):
    """Entry A of the open period published with a first text, its period public."""
    entry = world.entry("open", "a")
    save_entries(
        [Edit(entry.pk, entry.version, {"level": 2, "status_text": "First published text"})],
        user=world.staff_a,
        submit=True,
    )
    review_entries([world.entry("open", "a")], user=world.official, approve=True)
    publish_entries([world.entry("open", "a")], user=world.official)
    world.open.published = True
    world.open.save()
    PublicRevision.bump()
    return world


def republish(world, text):
    entry = world.entry("open", "a")
    save_entries(
        [Edit(entry.pk, entry.version, {"status_text": text})], user=world.official, submit=True
    )
    review_entries([world.entry("open", "a")], user=world.official, approve=True)
    publish_entries([world.entry("open", "a")], user=world.official)


def test_it_answers_a_repeated_request_from_the_cache_in_one_query(client, published):
    url = f"/goals/{published.goal_a.pk}/"
    client.get(url)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)

    assert response.status_code == 200
    assert "First published text" in response.content.decode()
    assert len(queries) == 1  # the public revision


def test_it_revalidates_with_a_304(client, published):
    url = f"/periods/{published.open.pk}/"
    first = client.get(url)

    by_etag = client.get(url, headers={"If-None-Match": first["ETag"]})
    by_date = client.get(url, headers={"If-Modified-Since": first["Last-Modified"]})

    assert first["ETag"] and "no-cache" in first["Cache-Control"]
    assert by_etag.status_code == 304 and by_etag.content == b""
    assert by_date.status_code == 304


def test_it_shows_a_new_publishing_at_once(client, published):
    url = f"/goals/{published.goal_a.pk}/"
    before = client.get(url)

    republish(published, "Second published text")
    after = client.get(url)
    revalidated = client.get(url, headers={"If-None-Match": before["ETag"]})

    assert "Second published text" in after.content.decode()
    assert "First published text" not in after.content.decode()
    assert revalidated.status_code == 200
    assert after["ETag"] != before["ETag"]


def test_it_keeps_an_unpublished_edit_out_of_the_cached_page(client, published):
    url = f"/goals/{published.goal_a.pk}/"
    etag = client.get(url)["ETag"]
    entry = published.entry("open", "a")

    save_entries(
        [Edit(entry.pk, entry.version, {"status_text": "Not yet published"})],
        user=published.staff_a,
    )

    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert "Not yet published" not in client.get(url).content.decode()


def test_it_shows_an_officials_edit_of_a_goal_title_at_once(client, published):
    url = f"/goals/{published.goal_a.pk}/"
    client.get(url)
    client.force_login(published.official)
    goal = published.goal_a
    page = client.get(f"/admin/goals/goal/{goal.pk}/change/").context["adminform"].form

    client.post(
        f"/admin/goals/goal/{goal.pk}/change/",
        {
            **{k: ("" if v is None else v) for k, v in page.initial.items() if k in page.fields},
            "title": "Renamed action",
        },
    )
    client.logout()

    assert "Renamed action" in client.get(url).content.decode()


def test_it_caches_each_language_apart(client, published, settings):
    url = f"/goals/{published.goal_a.pk}/"

    default = client.get(url)
    swedish = client.get("/sv" + url)

    assert default["ETag"] != swedish["ETag"]
    assert '<html lang="sv">' in swedish.content.decode()
    assert f'<html lang="{settings.LANGUAGE_CODE}">' in client.get(url).content.decode()
