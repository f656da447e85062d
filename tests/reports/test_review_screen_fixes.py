"""The review screen after a usability review: a refused decision is summarised at the
top of the page with links to what to correct, and an entry submitted again after it was
returned is compared with the text the official returned."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports.services import Edit, save_entries
from tests.reports.test_review_screen import decide, loaded_form, review_url, submit

pytestmark = pytest.mark.django_db

SUMMARY = re.compile(r'<div class="errornote review__errors"[^>]*>(.*?)</div>', re.S)


@pytest.fixture
def official(client, world):
    client.force_login(world.official)
    return world.official


def summary_of(response):
    """The error summary's opening tag and its content, or None if the page has none."""
    content = response.content.decode()
    found = SUMMARY.search(content)
    return found and (found.group(0)[: found.group(0).index(">") + 1], found.group(1))


def links_of(summary_content):
    return re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary_content)


def save_draft(world, who, text):
    """Staff's save of their entry without submitting it."""
    entry = world.entry("open", who)
    save_entries(
        [Edit(entry_id=entry.pk, loaded_version=entry.version, values={"status_text": text})],
        user=getattr(world, f"staff_{who}"),
    )


def test_a_page_without_a_refused_decision_has_no_error_summary(client, world, official):
    a = submit(world, "a", "A's text")

    page = client.get(review_url(a))

    assert summary_of(page) is None
    assert page.context["errors"] == []
    assert "<title>Error:" not in page.content.decode()


def test_a_return_without_a_comment_is_summarised_at_the_top_with_a_link_to_the_box(
    client, world, official
):
    a = submit(world, "a", "A's text")

    response = decide(client, a, "return", comment="  ")

    content = response.content.decode()
    tag, summary = summary_of(response)
    assert 'role="alert"' in tag and 'tabindex="-1"' in tag and "autofocus" in tag
    assert links_of(summary) == [
        ("id_comment", "Comment for the author: Write a comment for the author before returning.")
    ]
    assert "Nothing was decided." in summary
    # At the top of the content, before the entry and the form, and named in the title.
    assert content.index('id="review-errors"') < content.index('class="review__facts"')
    assert "<title>Error: Review 01.01.01" in content
    # The link leads to the comment box, which names its error for screen readers.
    box = re.search(r"<textarea[^>]*name=\"comment\"[^>]*>", content).group(0)
    assert 'id="id_comment"' in box and 'aria-invalid="true"' in box
    assert "id_comment_error" in box and 'id="id_comment_error"' in content
    assert world.entry("open", "a").review_state == "submitted"


def test_a_post_with_no_decision_links_to_the_decision_buttons(client, world, official):
    a = submit(world, "a", "A's text")
    page = client.get(review_url(a))

    response = client.post(review_url(a), loaded_form(page))

    assert response.status_code == 200
    _tag, summary = summary_of(response)
    assert links_of(summary) == [("decide-approve", "Choose what to do with the entry.")]
    assert 'id="decide-approve"' in response.content.decode()
    assert world.entry("open", "a").review_state == "submitted"


@pytest.mark.parametrize(
    ("typed", "field", "error"),
    [
        ({"public_level": "9"}, "id_public_level", "Level to publish: Select a valid choice."),
        (
            {"public_status_text": "x" * 20000},
            "id_public_status_text",
            "Text to publish: Ensure this value has at most",
        ),
    ],
)
def test_an_invalid_override_links_to_its_field(client, world, official, typed, field, error):
    a = submit(world, "a", "A's text")

    response = decide(client, a, "publish", **typed)

    _tag, summary = summary_of(response)
    [(target, text)] = links_of(summary)
    assert target == field and text.startswith(error)
    assert f'id="{field}"' in response.content.decode()
    assert world.entry("open", "a").review_state == "submitted"


def test_every_refused_part_of_a_decision_is_listed(client, world, official):
    a = submit(world, "a", "A's text")

    response = decide(client, a, "return", comment="", public_level="9")

    _tag, summary = summary_of(response)
    assert [target for target, _text in links_of(summary)] == ["id_public_level", "id_comment"]
    assert "correct these and decide again" in summary.lower()


def test_a_form_posted_without_its_version_says_to_load_the_page_again(client, world, official):
    a = submit(world, "a", "A's text")

    response = client.post(review_url(a), {"decision": "approve"})

    _tag, summary = summary_of(response)
    assert "The page was incomplete: load it again and decide again." in summary
    assert world.entry("open", "a").review_state == "submitted"


def test_a_resubmitted_entry_shows_its_changes_since_it_was_returned(client, world, official):
    a = submit(world, "a", "Spending rose by a tenth.")
    decide(client, a, "return", comment="Add this year's figures.")
    a = submit(world, "a", "Spending rose by a tenth, to four million euros.")

    page = client.get(review_url(a))

    content = page.content.decode()
    section = content[content.index('class="review__since-return"') :]
    section = section[: section.index("</section>")]
    assert "Changes since it was returned" in section
    assert "Returned to its author by virkailija" in section
    assert "Add this year&#x27;s figures." in section
    assert (
        'a tenth<ins><span class="visually-hidden" lang="en"> [added: </span>'
        ', to four million euros<span class="visually-hidden" lang="en">] </span></ins>.'
    ) in section
    returned = page.context["returned"]
    assert (returned.by, returned.comment) == (world.official, "Add this year's figures.")
    assert returned.status_text == "Spending rose by a tenth."
    # The comparison with the previous period's approved text is still there.
    assert (
        '<del><span class="visually-hidden" lang="en"> [removed: </span>Earlier'
        '<span class="visually-hidden" lang="en">] </span></del>'
    ) in content and "Changes to the text" in content
    assert page.context["submitted_by"] == world.staff_a
    # The comment is shown once, with the return, not again as an earlier comment.
    assert "Earlier review comment" not in content


def test_it_compares_with_the_latest_return(client, world, official):
    a = submit(world, "a", "First try.")
    decide(client, a, "return", comment="Too short.")
    save_draft(world, "a", "Second try, a draft.")
    a = submit(world, "a", "Second try.")
    decide(client, a, "return", comment="Still too short.")
    save_draft(world, "a", "Third try, a draft.")
    a = submit(world, "a", "Third try, longer.")

    page = client.get(review_url(a))

    returned = page.context["returned"]
    assert (returned.comment, returned.status_text) == ("Still too short.", "Second try.")
    assert (
        '<del><span class="visually-hidden" lang="en"> [removed: </span>Second'
        '<span class="visually-hidden" lang="en">] </span></del>'
        '<ins><span class="visually-hidden" lang="en"> [added: </span>Third'
        '<span class="visually-hidden" lang="en">] </span></ins> try'
        '<ins><span class="visually-hidden" lang="en"> [added: </span>, longer'
        '<span class="visually-hidden" lang="en">] </span></ins>.'
    ) in page.content.decode()


def test_it_says_when_the_text_has_not_changed_since_the_return(client, world, official):
    a = submit(world, "a", "Same words.", level=3)
    decide(client, a, "return", comment="Is the level right?")
    a = submit(world, "a", "Same words.", level=4)

    content = client.get(review_url(a)).content.decode()

    assert "The status text has not changed since it was returned." in content


def test_an_entry_never_returned_or_not_resubmitted_has_no_such_comparison(client, world, official):
    a = submit(world, "a", "A's text")
    b = submit(world, "b", "B's text")
    decide(client, b, "return", comment="Add figures.")

    on_a = client.get(review_url(a))
    on_b = client.get(review_url(world.entry("open", "b")))  # returned, not yet resubmitted

    for page in (on_a, on_b):
        assert page.context["returned"] is None
        assert "Changes since it was returned" not in page.content.decode()


def test_the_comparison_takes_the_same_queries_however_long_the_history(client, world, official):
    submit(world, "b", "B's text")  # the queue around a stays the same
    a = submit(world, "a", "First try.")
    decide(client, a, "return", comment="Too short.")
    a = submit(world, "a", "Second try.")

    def queries():
        with CaptureQueriesContext(connection) as captured:
            page = client.get(review_url(world.entry("open", "a")))
        assert page.context["returned"] is not None
        return len(captured)

    short = queries()
    for attempt in range(5):
        decide(client, world.entry("open", "a"), "return", comment=f"Again {attempt}.")
        for draft in range(4):
            save_draft(world, "a", f"Draft {attempt}.{draft}")
        submit(world, "a", f"Try {attempt}.")

    assert queries() == short
