"""No edit is lost: the admin, the staff page, the importer and publishing write an entry
through one path, and a save over someone else's newer version is refused."""

import pytest

from reports.models import ProgressEntry, PublishedEntry
from reports.services import Edit, edit_entry, publish_entries, review_entries, save_entries
from tests.reports.test_staff_reporting import form_data

pytestmark = pytest.mark.django_db


def change_url(entry):
    return f"/admin/reports/progressentry/{entry.pk}/change/"


def admin_form_data(client, entry):
    """The admin change form as the official's browser loaded it."""
    form = client.get(change_url(entry)).context["adminform"].form
    return {
        name: ("" if value is None else getattr(value, "pk", value))
        for name, value in form.initial.items()
        if name in form.fields
    }


def staff_save(world, who, **values):
    entry = world.entry("open", who)
    result = save_entries(
        [Edit(entry_id=entry.pk, loaded_version=entry.version, values=values)],
        user=getattr(world, f"staff_{who}"),
    )
    assert not result.conflicts
    return world.entry("open", who)


def test_it_refuses_an_officials_stale_admin_form_and_keeps_the_reporters_save(client, world):
    """Story 1: the official opens the change form; the reporter saves; the official saves."""
    client.force_login(world.official)
    entry = world.entry("open", "a")
    loaded = admin_form_data(client, entry)
    reporter = client.__class__()
    reporter.force_login(world.staff_a)
    reporter.post(
        f"/reporting/{world.open.pk}/",
        form_data(
            [entry],
            values={entry.pk: {"level": "5", "status_text": "Reporter's new text"}},
        ),
    )

    stale = client.post(change_url(entry), {**loaded, "risks": "Official's risk note"})

    assert stale.status_code == 200
    content = stale.content.decode()
    assert "staff_a saved this entry" in content
    assert "Reporter&#x27;s new text" in content or "Reporter's new text" in content
    entry = world.entry("open", "a")
    assert (entry.level, entry.status_text, entry.risks) == (5, "Reporter's new text", "")

    # Saving again from the form that showed the conflict is a knowing decision.
    again = stale.context["adminform"].form.data.copy()
    assert client.post(change_url(entry), again).status_code == 302
    entry = world.entry("open", "a")
    assert (entry.level, entry.status_text, entry.risks) == (
        5,
        "Reporter's new text",
        "Official's risk note",
    )


def test_it_saves_only_what_the_official_changed_in_the_admin(client, world):
    client.force_login(world.official)
    entry = staff_save(world, "a", level=2, status_text="Staff text")
    loaded = admin_form_data(client, entry)

    client.post(change_url(entry), {**loaded, "review_comment": "Looks fine"})

    entry = world.entry("open", "a")
    assert (entry.status_text, entry.review_comment) == ("Staff text", "Looks fine")
    history = entry.history.order_by("-history_date").first()
    assert (history.history_user, history.version) == (world.official, entry.version)


def test_it_does_not_publish_an_override_written_for_an_earlier_version(client, world):
    entry = staff_save(world, "a", level=2, status_text="First text")
    save_entries(
        [Edit(entry_id=entry.pk, loaded_version=entry.version)], user=world.staff_a, submit=True
    )
    entry = world.entry("open", "a")
    edit_entry(
        entry,
        user=world.official,
        loaded_version=entry.version,
        values={"public_level": 3, "public_status_text": "Official's wording of the first text"},
    )
    review_entries([entry], user=world.official, approve=False, comment="Add the figures")
    # The reporter corrects and resubmits; the official approves without touching the override.
    entry = world.entry("open", "a")
    save_entries(
        [
            Edit(
                entry_id=entry.pk,
                loaded_version=entry.version,
                values={"level": 4, "status_text": "Second text, with figures"},
            )
        ],
        user=world.staff_a,
        submit=True,
    )
    review_entries([world.entry("open", "a")], user=world.official, approve=True)

    publish_entries([world.entry("open", "a")], user=world.official)

    published = PublishedEntry.objects.get(entry=entry)
    assert (published.level, published.status_text) == (4, "Second text, with figures")
    client.force_login(world.official)
    form = client.get(change_url(entry)).context["adminform"].form
    assert form.initial["public_status_text"] == ""
    assert "Official&#x27;s wording of the first text" in str(
        form["public_status_text"].help_text
    ) or "Official's wording of the first text" in str(form["public_status_text"].help_text)


def test_it_publishes_an_override_the_official_keeps_for_the_new_version(client, world):
    entry = staff_save(world, "a", level=2, status_text="Text")
    edit_entry(
        entry,
        user=world.official,
        loaded_version=entry.version,
        values={"public_status_text": "Early override"},
    )
    entry = staff_save(world, "a", status_text="Text, corrected")
    client.force_login(world.official)
    loaded = admin_form_data(client, entry)
    client.post(change_url(entry), {**loaded, "public_status_text": "Override kept"})
    save_entries(
        [Edit(entry_id=entry.pk, loaded_version=world.entry("open", "a").version)],
        user=world.staff_a,
        submit=True,
    )
    review_entries([world.entry("open", "a")], user=world.official, approve=True)

    publish_entries([world.entry("open", "a")], user=world.official)

    assert PublishedEntry.objects.get(entry=entry).status_text == "Override kept"


def test_it_shows_staff_nothing_of_an_unreviewed_edit_of_the_previous_period(client, world):
    # An official reopens the approved entry of 1–4/2024 as a draft with new text.
    previous = world.entry("closed", "a")
    save_entries(
        [
            Edit(
                entry_id=previous.pk,
                loaded_version=previous.version,
                values={"status_text": "Unreviewed edit"},
            )
        ],
        user=world.official,
    )
    client.force_login(world.staff_a)

    response = client.get(f"/reporting/{world.open.pk}/")

    row = response.context["groups"][0]["rows"][0]
    assert row["entry"].goal == world.goal_a
    assert row["previous"] is None  # never published, and no longer approved
    assert "Unreviewed edit" not in response.content.decode()


def test_it_shows_staff_the_published_version_while_an_edit_waits(client, world):
    publish_entries([world.entry("closed", "a")], user=world.official)
    previous = world.entry("closed", "a")
    save_entries(
        [
            Edit(
                entry_id=previous.pk,
                loaded_version=previous.version,
                values={"status_text": "Edited after publishing"},
            )
        ],
        user=world.official,
    )
    client.force_login(world.staff_a)

    response = client.get(f"/reporting/{world.open.pk}/")

    row = response.context["groups"][0]["rows"][0]
    assert row["previous"].status_text == "Earlier text a"
    assert "Edited after publishing" not in response.content.decode()


def test_it_gives_every_write_its_own_version_in_the_history(world):
    first = staff_save(world, "a", level=1, status_text="One").version
    second = staff_save(world, "a", status_text="Two")
    save_entries(
        [Edit(entry_id=second.pk, loaded_version=second.version)], user=world.staff_a, submit=True
    )

    history = world.entry("open", "a").history.order_by("history_date")
    versions = list(history.values_list("version", flat=True))

    assert versions == [1, first, first + 1, first + 2]
    assert history.last().review_state == "submitted"


def test_it_lets_no_one_add_an_entry_around_the_services(client, world):
    client.force_login(world.official)

    assert client.get("/admin/reports/progressentry/add/").status_code == 403
    assert ProgressEntry.objects.count() == 4
