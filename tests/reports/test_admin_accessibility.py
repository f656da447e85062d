"""The officials' admin pages in Swedish and English, as a screen reader reads them: the
municipality's texts marked as Finnish (WCAG 3.1.2), the review links named by the entry
they open, the review screen's text diff saying what was removed and added, and the
wording the accessibility review asked for.

The site's language is Finnish here, as in production, so that the notices are written
in Finnish; the pages are read under /sv/ and /en/."""

import re
from html.parser import HTMLParser

import pytest

from goals.models import Department, Goal
from reports.models import Notice
from reports.services import Edit, save_entries
from tests.builders import use_language

pytestmark = pytest.mark.django_db

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class _Texts(HTMLParser):
    """The page's text nodes, each with the language it is read in (the `lang` of its
    nearest element that has one), whether it is visually hidden, and the <a>, <del> or
    <ins> it is in."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []  # (tag, attributes)
        self.texts = []

    def handle_starttag(self, tag, attrs):
        if tag not in VOID:
            self.stack.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                return

    def handle_data(self, data):
        if not data.strip():
            return
        lang = next((a["lang"] for _t, a in reversed(self.stack) if "lang" in a), None)
        hidden = any("visually-hidden" in a.get("class", "").split() for _t, a in self.stack)
        inside = [tag for tag, _a in self.stack]
        self.texts.append({"text": data, "lang": lang, "hidden": hidden, "inside": inside})


def texts_of(response):
    parser = _Texts()
    parser.feed(response.content.decode())
    return parser.texts


def language_of(response, text, *, outside=()):
    """The languages the text is read in wherever the page shows it (a text node that
    contains it), but in the elements named in `outside`."""
    found = {
        node["lang"]
        for node in texts_of(response)
        if text in node["text"] and not set(outside) & set(node["inside"])
    }
    assert found, f"{text!r} is not on the page"
    return found


def read_aloud(html):
    """What a screen reader reads of a piece of HTML: its text, hidden or not, tags gone."""
    return re.sub(r"<[^>]+>", "", html)


@pytest.fixture
def site_in_finnish(settings):
    with use_language(settings, "fi"):
        yield


@pytest.fixture
def official(client, world, site_in_finnish):
    # Titles as the municipality writes them, found on a page by words no UI text has.
    Goal.objects.filter(code="01.").update(title="Elinvoimainen kunta")
    Goal.objects.filter(code="01.01").update(title="Hyvinvoiva henkilöstö")
    client.force_login(world.official)
    return world.official


def submit(world, who, text, *, risks="", level=3):
    entry = world.entry("open", who)
    result = save_entries(
        [
            Edit(
                entry_id=entry.pk,
                loaded_version=entry.version,
                values={"level": level, "status_text": text, "risks": risks},
            )
        ],
        user=getattr(world, f"staff_{who}"),
        submit=True,
    )
    assert result.submitted
    return world.entry("open", who)


def review_url(entry, language):
    return f"/{language}/admin/reports/progressentry/{entry.pk}/review/"


def decide(client, entry, decision, **typed):
    url = review_url(entry, "en")
    form = client.get(url).context["form"]
    data = {"loaded_version": form["loaded_version"].value(), "decision": decision}
    for name in ("public_level", "public_status_text"):
        value = form.initial.get(name)
        data[name] = data[f"initial-{name}"] = "" if value is None else value
    return client.post(url, {**data, **typed})


@pytest.fixture
def returned_and_resubmitted(client, world, official):
    """Entry a of the open period: submitted, returned with a comment (a notice sent in
    Finnish), and submitted again with its text changed; a's person has a department."""
    world.person_a.department = Department.objects.create(name="Talousosasto")
    world.person_a.email = "talousjohtaja@example.fi"
    world.person_a.save()
    closed = world.entry("closed", "a")
    closed.status_text, closed.risks = "Asiantuntijakoulutukset alkoivat.", "Vanha riski"
    closed.save()
    a = submit(world, "a", "Asiantuntijakoulutukset alkoivat.")
    decide(client, a, "return", comment="Lisää luvut.")
    return submit(world, "a", "Työ alkoi.", risks="Resurssipula")


def test_the_review_screen_marks_the_municipalitys_texts_as_finnish(
    client, world, returned_and_resubmitted
):
    page = client.get(review_url(returned_and_resubmitted, "sv"))

    assert page.status_code == 200
    for text in (
        "Action A",  # the goal's title
        "Hyvinvoiva henkilöstö",  # its parent's
        "Talousjohtaja",
        "Talousosasto",
        "Vanha riski",  # the previous period's risks
        "Resurssipula",
        "Lisää luvut.",  # the return comment
        "alkoivat",  # the previous period's status text, and the diffs
        "alkoi.",
    ):
        assert language_of(page, text) == {"fi"}, text
    # Django's and our own texts are read in Swedish.
    assert language_of(page, "Lägesbeskrivning") == {"sv"}
    assert language_of(page, "De största riskerna") == {"sv"}
    assert language_of(page, "Granskningsstatus") == {"sv"}
    assert language_of(page, "01.01.01") == {"sv"}  # the code, outside the title's mark


def test_a_goal_title_translated_into_the_pages_language_is_not_marked(
    client, world, returned_and_resubmitted
):
    Goal.objects.filter(pk=world.goal_a.pk).update(title_sv="Åtgärd A")

    page = client.get(review_url(returned_and_resubmitted, "sv"))

    assert language_of(page, "Åtgärd A") == {"sv"}
    assert "Action A" not in page.content.decode()


def test_the_diff_says_for_a_screen_reader_what_was_removed_and_added(
    client, world, returned_and_resubmitted
):
    page = client.get(review_url(returned_and_resubmitted, "en"))

    diffs = re.findall(r'<div class="review__diff">(.*?)</div>', page.content.decode(), re.S)
    assert len(diffs) == 2  # since the return, and since the previous period
    for diff in diffs:
        assert diff.startswith('<span lang="fi">')
        assert " ".join(read_aloud(diff).split()) == (
            "[removed: Asiantuntijakoulutukset] [added: Työ] [removed: alkoivat] [added: alkoi] ."
        )
    hidden = [node for node in texts_of(page) if node["hidden"] and "[" in node["text"]]
    assert {node["text"].strip() for node in hidden} == {"[removed:", "[added:"}
    assert all(node["lang"] == "en" for node in hidden)
    assert all(node["inside"][-2] in ("del", "ins") for node in hidden)
    # The visible words stay struck through or underlined, and are read in Finnish.
    assert language_of(page, "Asiantuntijakoulutukset") == {"fi"}


def test_the_diffs_hidden_marks_are_escaped(client, world, official):
    a = submit(world, "a", "Earlier text <b>bold</b> & more")

    content = client.get(review_url(a, "en")).content.decode()

    assert "<b>bold" not in content
    assert (
        '<ins><span class="visually-hidden" lang="en"> [added: </span>'
        "&lt;b&gt;bold&lt;/b&gt; &amp; more"
        '<span class="visually-hidden" lang="en">] </span></ins>'
    ) in content


def test_each_review_link_in_the_change_list_names_its_entry(client, world, official):
    submit(world, "a", "A's text")
    submit(world, "b", "B's text")

    page = client.get("/sv/admin/reports/progressentry/")

    links = re.findall(r'<a href="[^"]*/review/[^"]*">(.*?)</a>', page.content.decode())
    names = [" ".join(read_aloud(link).split()) for link in links]
    assert len(names) == 4  # two entries in each of the two periods
    assert sorted(names) == [
        "Granskning 01.01.01, 1–4/2024",
        "Granskning 01.01.01, 1–8/2024",
        "Granskning 01.01.02, 1–4/2024",
        "Granskning 01.01.02, 1–8/2024",
    ]
    # What the row shows already is hidden: the link still reads "Granskning".
    for link in links:
        assert re.fullmatch(r'Granskning<span class="visually-hidden"> [^<]+</span>', link)


def test_the_review_screen_links_all_submitted_entries(client, world, official):
    a = submit(world, "a", "A's text")

    content = client.get(review_url(a, "en")).content.decode()

    assert "All submitted entries of 1–8/2024" in content
    assert "Every submitted entry" not in content


def test_the_dashboard_marks_names_and_finnish_notices_and_links_the_subject(
    client, world, returned_and_resubmitted
):
    notice = Notice.objects.get()
    assert notice.subject.startswith("Palautettu sinulle: 01.01.01")  # written in Finnish

    page = client.get(f"/sv/admin/reports/reportingperiod/{world.open.pk}/dashboard/")

    content = page.content.decode()
    assert language_of(page, notice.subject) == {"fi"}
    assert language_of(page, "Talousjohtaja") == {"fi"}
    assert language_of(page, "Hallintojohtaja") == {"fi"}
    assert language_of(page, "Talousosasto") == {"fi"}
    assert language_of(page, "Skickade meddelanden") == {"sv"}
    change_url = f"/sv/admin/reports/progressentry/{returned_and_resubmitted.pk}/change/"
    assert f'<a href="{change_url}"><span lang="fi">{notice.subject}</span></a>' in content
    assert "(<a " not in content  # the code is not repeated after the subject
    assert "LANGUAGE_CODE" not in content  # the template's comment stays a comment


def test_the_dashboard_marks_the_titles_of_goals_whose_level_fell(client, world, official):
    submit(world, "a", "Takaisin suunnitteluun", level=1)  # 2 in the closed period

    page = client.get(f"/en/admin/reports/reportingperiod/{world.open.pk}/dashboard/")

    assert language_of(page, "Action A") == {"fi"}


def test_the_publish_confirmation_marks_titles_and_names_an_untitled_goal(client, world, official):
    Goal.objects.create(
        strategy=world.strategy,
        year=2024,
        kind="action",
        code="01.01.09",
        title="",
        parent=world.goal_a.parent,
        responsible=world.person_b,
    )
    submit(world, "a", "Valmis")
    decide(client, world.entry("open", "a"), "approve")

    page = client.get(f"/en/admin/reports/reportingperiod/{world.open.pk}/publish/")

    content = page.content.decode()
    assert language_of(page, "Action A") == {"fi"}  # will be published
    assert language_of(page, "Action B") == {"fi"}  # left out
    assert language_of(page, "Hallintojohtaja") == {"fi"}
    assert '<th scope="row">01.01.09</th><td>(untitled)</td>' in content
    assert language_of(page, "(untitled)") == {"en"}


def test_the_copy_year_preview_marks_titles_and_names(client, world, official):
    world.person_a.department = Department.objects.create(name="Talousosasto")
    world.person_a.save()

    page = client.get(
        "/sv/admin/goals/goal/copy-year/", {"strategy": world.strategy.pk, "year": 2024}
    )

    assert page.status_code == 200
    # Not in the text areas of the titles to copy: a field is named in our language.
    assert language_of(page, "Hyvinvoiva henkilöstö", outside={"textarea"}) == {"fi"}
    assert language_of(page, "Elinvoimainen kunta") == {"fi"}  # the annual goal's
    assert language_of(page, "Talousjohtaja") == {"fi"}
    assert language_of(page, "Talousosasto") == {"fi"}


def test_the_copy_year_and_import_pages_ask_for_a_council_term(client, world, official):
    copy_page = client.get(
        "/en/admin/goals/goal/copy-year/", {"strategy": world.strategy.pk, "year": 2024}
    )
    import_page = client.get("/en/admin/goals/goal/import/")

    for page in (copy_page, import_page):
        content = page.content.decode()
        assert re.search(r'<label[^>]*for="id_strategy"[^>]*>Council term:</label>', content)
        assert ">Strategy:</label>" not in content
    table = copy_page.content.decode().split('<table class="copy-year">')[1].split("</thead>")[0]
    headers = re.findall(r'<th scope="col">([^<]*)</th>', table)
    assert headers == [
        "Copy",
        "Kind",
        "Title in the new year",
        "Under",
        "Responsible person",
        "Department",
    ]


def test_the_bulk_assign_page_marks_titles_and_names(client, world, official):
    page = client.post(
        "/sv/admin/goals/goal/",
        {"action": "assign_responsible", "_selected_action": [world.goal_a.pk, world.goal_b.pk]},
    )

    assert page.status_code == 200
    assert language_of(page, "Action A") == {"fi"}
    assert language_of(page, "Hallintojohtaja") == {"fi"}
    assert language_of(page, "Valda mål") == {"sv"}  # the caption


def test_the_lists_mark_the_municipalitys_titles_as_finnish(client, world, settings):
    """The goals' and entries' change lists on an English admin page: the titles are
    the municipality's Finnish."""
    client.force_login(world.official)
    with use_language(settings, "en"):
        entries = client.get("/admin/reports/progressentry/").content.decode()
        goals = client.get("/admin/goals/goal/").content.decode()

    assert '<span lang="fi">Action A</span>' in entries
    assert '<span lang="fi">Action A</span>' in goals
