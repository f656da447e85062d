"""No public view, export, feed or print reads a staff-side field.

The demo data is loaded and published; then an official edits every entry of every
published period through reports.services.edit_entry (status text, risks, level, overall
status, responsible person and the override to publish), a new period is imported that
stays unpublished, with an action that exists only there, and one of its entries is
edited too. Nothing of that is published, so every text written carries the marker
"UNPUBLISHED". The tests then walk every public URL, in Finnish, Swedish and English,
and find the marker in none of the responses, while the published versions are still
there.
"""

import io
import json

import pytest
from django.core.management import call_command
from django.db.models import Q
from openpyxl import load_workbook

from goals.models import Goal, ResponsiblePerson
from reports.legacy.importer import import_legacy_file
from reports.models import ProgressEntry, PublishedEntry, ReportingPeriod
from reports.services import edit_entry
from tests.builders import (
    FILE_2022,
    default_language,
    official,
    rolled_back_after_the_module,
    use_language,
)

pytestmark = pytest.mark.django_db

MARKER = "UNPUBLISHED"
# An action that only the unpublished period 1–4/2022 has, under a published annual goal.
NEW_ACTION_CODE = "01.03.99"


def snapshot_published():
    """What the public may see, per period and goal code."""
    return {
        (published.period_id, published.goal.code): {
            "level": published.level,
            "status_text": published.status_text,
            "risks": published.risks,
            "overall_status": published.overall_status or None,
            "responsible": published.responsible.title if published.responsible else None,
        }
        for published in PublishedEntry.objects.published().select_related("goal", "responsible")
    }


def other_level(level):
    return 1 if level != 1 else 2


def import_unpublished_period(user):
    """1–4/2022 from the 2022 file plus one action of its own; the period stays unpublished."""
    lines = FILE_2022.read_text(encoding="utf-8").split("\n")
    first_row = next(line for line in lines if line.startswith("01. "))
    goal_cell, annual_cell = first_row.split("\t")[:2]
    assert annual_cell.startswith("01.03 ")
    extra = (
        f"{goal_cell}\t{annual_cell}\t{NEW_ACTION_CODE} {MARKER}-GOAL toimenpide\t\t\t"
        "3 Toteutus on aloitettu, ei vielä valmis\tTeksti"
    )
    content = "\n".join([*lines, extra]).encode("utf-8")
    summary = import_legacy_file(
        content=content,
        filename="1-4-2022.txt",
        period="1-4/2022",
        term="2021-2025",
        user=user,
    )
    period = ReportingPeriod.objects.get(pk=summary.period_id)
    assert not period.published
    return period


@pytest.fixture
def finnish(settings):
    """The site's own default language: Finnish without a prefix, /sv/ and /en/ beside it."""
    with use_language(settings, "fi"):
        yield


@pytest.fixture(scope="module")
def edited_once(django_db_setup, django_db_blocker):
    """The edited demo data, built once for the module rather than before each test (editing
    every entry takes seconds); in Finnish, the language of the tests that read it."""
    with rolled_back_after_the_module(django_db_blocker):
        with default_language("fi"):
            built = edit_the_demo()
        yield built


def edit_the_demo():
    """The demo data, published; then unpublished edits of every entry, and a new entry."""
    call_command("load_demo", stdout=io.StringIO())
    user = official()
    published_before = snapshot_published()
    published_periods = list(ReportingPeriod.objects.published())
    assert len(published_periods) == 3

    # A responsible person no published entry has.
    stranger = ResponsiblePerson.objects.create(title=f"{MARKER}-PERSON")
    entries = list(ProgressEntry.objects.filter(period__in=published_periods).order_by("pk"))
    assert len(entries) > 100
    for entry in entries:
        new_level = other_level(entry.level)
        edit_entry(
            entry,
            user=user,
            loaded_version=entry.version,
            values={
                "status_text": f"{MARKER}-TEXT-{entry.pk}",
                "risks": f"{MARKER}-RISK",
                "level": new_level,
                "overall_status": "red",
                "responsible": stranger,
                "public_level": new_level,
                "public_status_text": f"{MARKER}-OVERRIDE",
            },
        )

    new_period = import_unpublished_period(user)
    new_entry = ProgressEntry.objects.get(period=new_period, goal__code=NEW_ACTION_CODE)
    edit_entry(
        new_entry,
        user=user,
        loaded_version=new_entry.version,
        values={"status_text": f"{MARKER}-NEW", "risks": f"{MARKER}-NEW-RISK"},
    )
    # Every other entry of an unpublished period (1–4/2022 and the demo's open 2021) too.
    for entry in ProgressEntry.objects.filter(period__published=False).exclude(pk=new_entry.pk):
        edit_entry(
            entry,
            user=user,
            loaded_version=entry.version,
            values={"status_text": f"{MARKER}-NEW-{entry.pk}"},
        )

    # The edits are in place, and none of them reached the public side.
    for entry in ProgressEntry.objects.filter(period__in=published_periods):
        assert entry.status_text.startswith(MARKER)
        assert entry.review_state == ProgressEntry.ReviewState.APPROVED
        assert entry.override_applies
    assert not PublishedEntry.objects.filter(
        Q(status_text__contains=MARKER) | Q(risks__contains=MARKER)
    ).exists()
    assert not PublishedEntry.objects.filter(entry__period=new_period).exists()
    assert snapshot_published() == published_before
    return {
        "periods": [period.pk for period in published_periods],
        "unpublished_periods": list(
            ReportingPeriod.objects.filter(published=False).values_list("pk", flat=True)
        ),
        "new_entry": new_entry.pk,
        "published": published_before,
    }


@pytest.fixture
def edited(edited_once, finnish):
    """The edited data's periods and new entry, read afresh for each test."""
    periods = ReportingPeriod.objects.in_bulk(
        [*edited_once["periods"], *edited_once["unpublished_periods"]]
    )
    return {
        "periods": [periods[pk] for pk in edited_once["periods"]],
        "unpublished_periods": [periods[pk] for pk in edited_once["unpublished_periods"]],
        "new_entry": ProgressEntry.objects.get(pk=edited_once["new_entry"]),
        "published": edited_once["published"],
    }


def body_text(response):
    """The response as text; an XLSX workbook as all its cell values joined."""
    if response["Content-Type"].startswith("application/vnd.openxmlformats"):
        workbook = load_workbook(io.BytesIO(response.content), read_only=True)
        return "\n".join(
            str(value)
            for sheet in workbook.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        )
    return response.content.decode("utf-8-sig")


def rows_of(response):
    return list(response.context["table"].paginated_rows)


class Walk:
    """Fetches public URLs and keeps each 200 response's text."""

    def __init__(self, client):
        self.client = client
        self.bodies = {}
        self.statuses = {}

    def get(self, url):
        response = self.client.get(url)
        self.statuses[url] = response.status_code
        if response.status_code == 200:
            self.bodies[url] = body_text(response)
        else:
            assert response.status_code == 404, (url, response.status_code)
        return response

    def period_pages(self, base, extra=""):
        """Every page of a period's table, following the pagination to its end."""
        page = 1
        while True:
            response = self.get(f"{base}?page={page}{extra}")
            assert response.status_code == 200
            if not response.context["table"].page.has_next():
                return response
            page += 1


def search_echo_removed(url, text):
    """The period page repeats a search in its form and its links; that is no leak."""
    if f"q={MARKER}" not in url:
        return text
    for echo in (f'value="{MARKER}"', f"q={MARKER}"):
        text = text.replace(echo, "")
    return text


def walk_every_public_url(client, edited):
    walk = Walk(client)
    periods = edited["periods"]
    for prefix in ("", "/sv", "/en"):
        walk.get(f"{prefix}/")
        for period in periods:
            base = f"{prefix}/periods/{period.pk}/"
            walk.get(base)
            walk.get(f"{base}?per_page=100")
            walk.period_pages(base)
        for goal in Goal.objects.order_by("pk"):
            walk.get(f"{prefix}/goals/{goal.pk}/")
    for period in periods:
        base = f"/periods/{period.pk}/"
        for query in (
            f"&q={MARKER}",
            f"&q={MARKER.lower()}",
            "&overall_status=red",
            "&sort=-level",
            "&sort=responsible",
            "&sort=overall_status",
            "&level=1",
            "&level=2",
            "&level=none",
        ):
            walk.period_pages(base, query)
        walk.get(f"{base}print/")
        for fmt in ("csv", "xlsx", "json"):
            walk.get(f"{base}data.{fmt}")
    for first in periods:
        for second in periods:
            if first != second and first.strategy_id == second.strategy_id:
                walk.get(f"/compare/?first={first.pk}&second={second.pk}")
    for url in ("/compare/", "/feed/", "/about/", "/accessibility/"):
        walk.get(url)
    # Periods the public may not see at all.
    for period in edited["unpublished_periods"]:
        for suffix in ("", "print/", "data.csv", "data.xlsx", "data.json"):
            walk.get(f"/periods/{period.pk}/{suffix}")
    return walk


def goals_with_published_progress():
    """Every goal that has published progress, its own or under it."""
    ids = set()
    for goal in Goal.objects.filter(published_entries__period__published=True).select_related(
        "parent__parent"
    ):
        ids.add(goal.pk)
        if goal.parent_id:
            ids.add(goal.parent_id)
            if goal.parent.parent_id:
                ids.add(goal.parent.parent_id)
    return ids


def test_it_shows_no_unpublished_text_on_any_public_url(client, edited):
    walk = walk_every_public_url(client, edited)

    leaks = {
        url: text[max(text.index(MARKER) - 200, 0) : text.index(MARKER) + 200]
        for url, text in (
            (url, search_echo_removed(url, text)) for url, text in walk.bodies.items()
        )
        if MARKER in text
    }
    assert leaks == {}

    # The walk saw the pages, not a wall of 404s.
    goal_pages = {
        int(url.rstrip("/").rsplit("/", 1)[1]): status
        for url, status in walk.statuses.items()
        if url.startswith("/goals/")
    }
    shown = {pk for pk, status in goal_pages.items() if status == 200}
    assert len(shown) >= 100
    assert shown == goals_with_published_progress()
    new_goal = edited["new_entry"].goal_id
    assert goal_pages[new_goal] == 404
    for prefix in ("/sv", "/en"):
        assert walk.statuses[f"{prefix}/goals/{new_goal}/"] == 404
        assert sum(
            1
            for url, status in walk.statuses.items()
            if url.startswith(f"{prefix}/goals/") and status == 200
        ) == len(shown)
    for period in edited["unpublished_periods"]:
        assert walk.statuses[f"/periods/{period.pk}/"] == 404
    assert len(walk.bodies) >= 600


def test_it_still_shows_the_published_versions(client, edited):
    published = edited["published"]
    entry = PublishedEntry.objects.select_related("goal", "period").get(
        period__label="1–8/2022", goal__code="01.06.01"
    )
    assert entry.status_text and entry.risks

    for prefix in ("", "/sv", "/en"):
        content = client.get(f"{prefix}/goals/{entry.goal_id}/").content.decode()
        assert entry.status_text[:40] in content
        assert entry.risks[:40] in content
    print_page = client.get(f"/periods/{entry.period_id}/print/").content.decode()
    assert entry.status_text[:40] in print_page

    # The open data is exactly the published versions, levels and statuses included.
    for period in edited["periods"]:
        data = json.loads(client.get(f"/periods/{period.pk}/data.json").content)
        assert {
            record["code"]: {key: record[key] for key in published[(period.pk, record["code"])]}
            for record in data["entries"]
        } == {
            code: values
            for (period_pk, code), values in published.items()
            if period_pk == period.pk
        }

    # The home page counts the published levels, not the edited ones.
    distribution = client.get("/").context["distribution"]
    assert [row["count"] for row in distribution.rows] == [0, 14, 32, 3, 0]


def test_it_finds_nothing_when_searching_for_unpublished_text(client, edited):
    for period in edited["periods"]:
        for query in (MARKER, MARKER.lower(), f"{MARKER}-TEXT", f"{MARKER}-GOAL"):
            response = client.get(f"/periods/{period.pk}/", {"q": query, "per_page": 100})
            assert rows_of(response) == []

        everything = rows_of(client.get(f"/periods/{period.pk}/", {"per_page": 100}))
        assert len(everything) == PublishedEntry.objects.filter(period=period).count()
        red = rows_of(
            client.get(f"/periods/{period.pk}/", {"overall_status": "red", "per_page": 100})
        )
        assert (
            len(red) == PublishedEntry.objects.filter(period=period, overall_status="red").count()
        )
        assert len(red) < len(everything)  # every staff-side entry is red now
        # The responsible filter offers only persons of published entries: the staff-side
        # person is no choice (the form refuses it, and the table stays unfiltered).
        stranger = ResponsiblePerson.objects.get(title=f"{MARKER}-PERSON")
        response = client.get(f"/periods/{period.pk}/", {"responsible": stranger.pk})
        assert stranger not in response.context["filter"].filters["responsible"].queryset
        assert "responsible" in response.context["filter"].form.errors


def test_it_leaves_the_never_published_action_out_of_its_goals_pages(client, edited):
    new_goal = Goal.objects.get(pk=edited["new_entry"].goal_id)
    assert (new_goal.strategy.start_year, new_goal.year) == (2021, 2022)
    assert not PublishedEntry.objects.filter(goal=new_goal).exists()

    assert client.get(f"/goals/{new_goal.pk}/").status_code == 404
    for goal in (new_goal.parent, new_goal.parent.parent):
        response = client.get(f"/goals/{goal.pk}/")
        assert response.status_code == 200
        assert NEW_ACTION_CODE not in response.content.decode()
