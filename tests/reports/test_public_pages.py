"""The residents' pages through the test client, on the demo data."""

import io
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from goals.models import Goal
from reports.models import ProgressEntry, PublicRevision, PublishedEntry, ReportingPeriod
from tests.builders import (
    FILE_2022,
    publish,
    run_import,
)

pytestmark = pytest.mark.django_db


def html(response):
    assert response.status_code == 200
    return response.content.decode()


# On an empty database: these come before the first test on the demo data, which stays
# loaded until the module's end.


def test_it_says_so_when_nothing_is_published(client):
    run_import(FILE_2022)

    content = html(client.get("/"))

    assert "No reporting period has been published yet." in content


QUERY_COUNTED_PATHS = [
    "/",
    "/periods/{period}/",
    "/periods/{period}/?level=3&sort=-level",
    "/periods/{period}/print/",
    "/goals/{goal}/",
    "/goals/{action}/",
    "/compare/?first={earlier}&second={period}",
    "/periods/{period}/data.json",
]


def test_it_uses_the_same_number_of_queries_for_ten_times_the_entries(client, tmp_path):
    def queries_of_each_page():
        for each in ReportingPeriod.objects.all():
            publish(each)
        period = ReportingPeriod.objects.get(label="1–8/2022")
        ids = {
            "period": period.pk,
            "earlier": ReportingPeriod.objects.get(label="1–4/2022").pk,
            "goal": Goal.objects.get(code="01.", strategy__start_year=2021).pk,
            "action": Goal.objects.get(code="01.05", year=2022).pk,
        }
        counts = {}
        for path in QUERY_COUNTED_PATHS:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(path.format(**ids)).status_code == 200, path
            counts[path] = len(queries)
        return counts

    run_import(FILE_2022)
    run_import(FILE_2022, period="1-4/2022")
    small = queries_of_each_page()
    bigger = tmp_path / "bigger.txt"
    lines = FILE_2022.read_text(encoding="utf-8").split("\n")
    extra = [
        f"01. Goal\t01.{n:02} Extra annual goal {n}\t01.{n:02}.{m:02} Action {m}\t\t\t3 x\tText"
        for n in range(20, 61)
        for m in range(1, 12)
    ]
    bigger.write_text("\n".join(lines + extra), encoding="utf-8")
    run_import(bigger, period="1-8/2022", term="2021-2025")
    run_import(bigger, period="1-4/2022", term="2021-2025")
    assert ProgressEntry.objects.filter(period__label="1–8/2022").count() >= 10 * 49

    # Publishing between the two rounds raised the public revision: no page is cached.
    assert queries_of_each_page() == small


# On the demo data


def test_it_shows_the_latest_period_and_its_levels_on_the_home_page(client, demo):
    response = client.get("/")

    content = html(response)
    assert "The latest published reporting period is 1–8/2023" in content
    distribution = response.context["distribution"]
    assert [row["count"] for row in distribution.rows] == [0, 14, 32, 3, 0]
    assert distribution.total == 49
    # Every published period, newest first.
    assert content.index("1–8/2023</a>") < content.index("1–8/2022</a>")
    assert content.index("1–8/2022</a>") < content.index("1–9/2021</a>")


def test_it_lists_each_council_term_goal_with_its_distribution(client, demo):
    goals = dict(client.get("/").context["goals"])

    goal_01 = next(goal for goal in goals if goal.code == "01.")
    assert [row["count"] for row in goals[goal_01].rows] == [0, 2, 11, 1, 0]


def test_it_lists_a_periods_entries_in_an_accessible_table(client, demo):
    period = demo["1–8/2022"]

    content = html(client.get(f"/periods/{period.pk}/"))

    assert "<caption" in content and "Progress entries of 1–8/2022" in content
    assert "(49 entries)" in content
    assert '<th scope="col" role="columnheader" aria-sort="ascending" class="col-code">' in content
    assert '<nav class="pagination" aria-label="Pages">' in content
    assert 'aria-current="page"' in content
    # Level as number and words, never colour alone.
    assert "5 – Implemented and in use as planned" in content


@pytest.mark.parametrize(
    ("query", "expected_codes"),
    [
        ({"level": "5"}, {"01.06.01", "06.03.05", "09.02.01"}),
        ({"goal": "04."}, {"04.03", "04.03.01", "04.03.02"}),
        ({"q": "robotiikan"}, {"01.13.01"}),
        ({"q": "01.13 tekninen"}, {"01.13.02"}),  # every word must match
    ],
)
def test_it_filters_entries_by_the_url(client, demo, query, expected_codes):
    period = demo["1–8/2022"]

    response = client.get(f"/periods/{period.pk}/", {**query, "per_page": 100})

    codes = {row.record.goal.code for row in response.context["table"].paginated_rows}
    assert codes == expected_codes


def test_it_filters_by_responsible_person_and_overall_status(client, demo):
    period = demo["1–9/2021"]
    person = PublishedEntry.objects.get(period=period, goal__code="03.06").responsible
    PublishedEntry.objects.filter(period=period, goal__code="03.06").update(overall_status="red")

    by_person = client.get(f"/periods/{period.pk}/", {"responsible": person.pk, "per_page": 100})
    by_status = client.get(f"/periods/{period.pk}/", {"overall_status": "red"})

    rows = list(by_person.context["table"].paginated_rows)
    assert rows and all(row.record.responsible == person for row in rows)
    assert [row.record.goal.code for row in by_status.context["table"].paginated_rows] == ["03.06"]


def test_it_sorts_by_level_descending(client, demo):
    period = demo["1–8/2022"]

    response = client.get(f"/periods/{period.pk}/", {"sort": "-level"})

    levels = [row.record.level for row in response.context["table"].paginated_rows]
    assert levels == sorted(levels, reverse=True)
    assert 'aria-sort="descending"' in response.content.decode()


def test_it_pages_through_the_entries(client, demo):
    period = demo["1–8/2022"]

    second = client.get(f"/periods/{period.pk}/", {"page": 2})

    assert len(list(second.context["table"].paginated_rows)) == 49 - 25
    assert 'rel="prev"' in second.content.decode()


def test_it_prints_every_entry_grouped_by_goal(client, demo):
    period = demo["1–8/2022"]

    response = client.get(f"/periods/{period.pk}/print/")

    content = html(response)
    assert response.context["report"].total == 49
    assert content.count('class="print-goal term-goal"') == 7
    assert "1–8/2022" in content
    # The annual goals' headings above their actions, as in the PDF.
    assert content.index("<h3>01.05 ") < content.index("<h4>01.05.01 ")


def test_it_shows_a_council_term_goal_one_year_at_a_time(client, demo):
    goal = Goal.objects.get(code="01.", strategy__start_year=2021)

    latest = client.get(f"/goals/{goal.pk}/")
    earlier = client.get(f"/goals/{goal.pk}/", {"year": "2022"})

    assert latest.context["years"] == [2022, 2023]
    assert latest.context["year"] == 2023
    assert "Annual goals and actions 2023" in html(latest)
    assert 'href="?year=2022"' in html(latest)
    row = next(r for r in earlier.context["rows"] if r["goal"].code == "01.06.01")
    assert row["levels"] == [5]
    assert "Annual goals and actions 2023" not in html(earlier)


def test_it_shows_everything_published_about_an_action(client, demo):
    action = Goal.objects.get(code="01.06.01", year=2022)

    content = html(client.get(f"/goals/{action.pk}/"))

    assert "5 – Implemented and in use as planned" in content
    assert "Keusote alueen kuntien yhteinen aktivoin" in content
    assert "Lainsäädännön muuttuminen" in content  # the risks
    assert "01.06" in content  # its annual goal, in the breadcrumbs


def test_it_compares_two_periods_of_the_same_year(client, demo, tmp_path):
    earlier = tmp_path / "1-4.txt"
    earlier.write_text(
        FILE_2022.read_text(encoding="utf-8")
        .replace("5 Toimenpide on toteutettu ja käytönotettu", "4 Toteutusvaiheessa")
        .replace("2 Suunnitteluvaiheessa, on edetty hieman", "3 Toteutus on aloitettu"),
        encoding="utf-8",
    )
    run_import(earlier, period="1-4/2022", term="2021-2025")
    first = ReportingPeriod.objects.get(label="1–4/2022")
    publish(first)

    response = client.get("/compare/", {"first": first.pk, "second": demo["1–8/2022"].pk})

    groups = {key: rows for key, _title, rows in response.context["groups"]}
    assert [row["code"] for row in groups["rose"]] == ["01.06.01"]
    assert (groups["rose"][0]["before"], groups["rose"][0]["after"]) == (4, 5)
    assert len(groups["fell"]) == 8  # every "2" of 1–8/2022 was a "3" in 1–4/2022
    assert len(groups["stayed"]) == 49 - 1 - 8
    assert groups["appeared"] == groups["disappeared"] == []
    assert "Level rose" in html(response)


def test_it_refuses_to_compare_periods_of_different_terms(client, demo):
    response = client.get(
        "/compare/", {"first": demo["1–9/2021"].pk, "second": demo["1–8/2022"].pk}
    )

    assert "Choose two periods of the same council term." in html(response)
    assert "groups" not in response.context


def test_it_serves_open_data_equal_to_the_published_entries(client, demo):
    period = demo["1–8/2022"]
    PublishedEntry.objects.filter(period=period, goal__code="01.05").update(
        status_text="=1+1", risks="@evil"
    )

    csv_response = client.get(f"/periods/{period.pk}/data.csv")
    xlsx_response = client.get(f"/periods/{period.pk}/data.xlsx")
    json_response = client.get(f"/periods/{period.pk}/data.json")

    assert csv_response.content.startswith(b"\xef\xbb\xbf")
    assert "attachment" in csv_response["Content-Disposition"]
    assert "\r\n01.05,Kehitämme" in csv_response.content.decode("utf-8-sig")
    assert "'=1+1" in csv_response.content.decode("utf-8-sig")
    sheet = load_workbook(io.BytesIO(xlsx_response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == (
        "Code",
        "Title",
        "Kind",
        "Progress level",
        "Status text",
        "Main risks",
        "Overall status",
        "Responsible person",
    )
    assert len(rows) == 1 + 49
    row = next(r for r in rows if r[0] == "01.05")
    assert row[4] == "'=1+1" and row[5] == "'@evil"
    data = json.loads(json_response.content)
    assert len(data["entries"]) == 49
    assert {e["code"] for e in data["entries"]} == {r[0] for r in rows[1:]}


def test_its_open_data_says_whose_it_is_and_under_what_licence(client, demo, settings):
    settings.MUNICIPALITY_NAME = "Tuusulan kunta"
    period = demo["1–8/2022"]

    data = client.get(f"/periods/{period.pk}/data.json").json()
    workbook = load_workbook(io.BytesIO(client.get(f"/periods/{period.pk}/data.xlsx").content))

    # (The workbook's sheet about the data, in the page's language, has tests of its own in
    # test_public_xlsx_language.py.)
    published = period.published_at.isoformat(timespec="seconds")
    expected = {
        "source": "Tuusulan kunta",
        "licence": "CC BY 4.0",
        "licence_url": "https://creativecommons.org/licenses/by/4.0/",
        "term": "2021–2025",
        "period": "1–8/2022",
        "period_start": "2022-01-01",
        "period_end": "2022-08-31",
        "published_at": published,
    }
    assert {key: data[key] for key in expected} == expected
    assert workbook.properties.creator == "Tuusulan kunta"
    assert "CC BY 4.0" in workbook.properties.description


def test_it_escapes_html_in_texts_everywhere(client, demo):
    period = demo["1–8/2022"]
    entry = PublishedEntry.objects.get(period=period, goal__code="01.06.01")
    entry.status_text = "<script>alert('x')</script> <b>bold</b>"
    entry.save()

    for url in (
        f"/periods/{period.pk}/",
        f"/periods/{period.pk}/print/",
        f"/goals/{entry.goal_id}/",
    ):
        content = html(client.get(url))
        assert "<script>alert" not in content
        assert "&lt;script&gt;alert" in content


def test_it_announces_published_periods_in_an_atom_feed(client, demo):
    ReportingPeriod.objects.filter(label="1–9/2021").update(published=False)

    content = client.get("/feed/").content.decode()

    assert 'xmlns="http://www.w3.org/2005/Atom"' in content
    assert "1–8/2023" in content and "1–8/2022" in content
    assert "1–9/2021" not in content


def test_its_feed_names_its_author_and_keeps_its_ids(client, demo, settings):
    settings.SITE_URL = "https://seuranta.tuusula.fi"
    settings.MUNICIPALITY_NAME = "Tuusulan kunta"
    period = demo["1–8/2022"]

    first = client.get("/feed/").content.decode()
    # Published again later: a new date, the same entry.
    ReportingPeriod.objects.filter(pk=period.pk).update(published_at=timezone.now())
    PublicRevision.bump()
    again = client.get("/feed/").content.decode()

    assert "<author><name>Tuusulan kunta</name></author>" in first
    assert "<id>tag:seuranta.tuusula.fi,2026:seuranta/feed</id>" in first
    entry_id = f"<id>tag:seuranta.tuusula.fi,2026:seuranta/period/{period.pk}</id>"
    assert entry_id in first and entry_id in again


def test_it_explains_the_scale_and_states_accessibility(client):
    about = html(client.get("/about/"))
    statement = html(client.get("/accessibility/"))

    assert "3 – Implementation started, not yet complete" in about
    for part in (
        "Compliance status",
        "Content that is not accessible",
        "Feedback",
        "Enforcement procedure",
        "How this statement was prepared",
    ):
        assert part in statement


class TestUnpublishedData:
    """Unpublished periods do not exist for the public: 404 everywhere, and no leaks."""

    @pytest.fixture
    def hidden(self, demo):
        period = demo["1–9/2021"]
        period.published = False
        period.save()
        return period

    @pytest.mark.parametrize(
        "path",
        [
            "/periods/{pk}/",
            "/periods/{pk}/print/",
            "/periods/{pk}/data.csv",
            "/periods/{pk}/data.xlsx",
            "/periods/{pk}/data.json",
        ],
    )
    def test_it_answers_404_for_an_unpublished_period(self, client, hidden, path):
        assert client.get(path.format(pk=hidden.pk)).status_code == 404

    def test_it_answers_404_for_goals_of_an_unpublished_term(self, client, hidden):
        goal = Goal.objects.get(code="03.06", year=2021)

        assert client.get(f"/goals/{goal.pk}/").status_code == 404

    def test_it_leaves_unpublished_periods_out_of_home_and_compare(self, client, hidden):
        home = html(client.get("/"))
        compare = client.get("/compare/")

        assert "1–9/2021" not in home
        assert hidden not in compare.context["form"].fields["first"].queryset
        assert (
            client.get("/compare/", {"first": hidden.pk, "second": hidden.pk})
            .context["form"]
            .errors
        )

    def test_it_leaves_unpublished_entries_out_of_search(self, client, hidden, demo):
        response = client.get(f"/periods/{demo['1–8/2022'].pk}/", {"q": "Talusohtaja"})

        assert list(response.context["table"].paginated_rows) == []


def test_it_keeps_goals_without_published_progress_from_the_public(client, demo):
    from goals.models import Strategy

    strategy = Strategy.objects.get(start_year=2021)
    secret = Goal.objects.create(strategy=strategy, kind="goal", code="77.", title="Secret goal")
    hidden_action = Goal.objects.create(
        strategy=strategy,
        year=2022,
        kind="action",
        code="01.03.77",
        title="Hidden action",
        parent=Goal.objects.get(code="01.03", year=2022),
    )
    ProgressEntry.objects.create(
        period=demo["1–8/2022"], goal=hidden_action, level=2, status_text="Not published"
    )
    council_goal = Goal.objects.get(code="01.", strategy=strategy)

    assert client.get(f"/goals/{secret.pk}/").status_code == 404
    assert client.get(f"/goals/{hidden_action.pk}/").status_code == 404
    assert "Hidden action" not in html(client.get(f"/goals/{council_goal.pk}/"))
    assert "Hidden action" not in html(
        client.get(f"/goals/{Goal.objects.get(code='01.03', year=2022).pk}/")
    )
    assert "Secret goal" not in html(client.get("/"))
    assert "Secret goal" not in html(client.get(f"/periods/{demo['1–8/2022'].pk}/"))


def test_it_marks_the_municipalitys_finnish_texts_on_swedish_and_english_pages(client, demo):
    action = (
        PublishedEntry.objects.published()
        .select_related("goal", "responsible", "period")
        .filter(responsible__isnull=False, goal__kind="annual_goal")
        .exclude(status_text="")
        .first()
    )
    period = action.period
    title = f'<span lang="fi">{action.goal.title}</span>'
    status = f'<span lang="fi">{action.status_text[:40]}'

    for prefix in ("/sv", ""):  # Swedish, and English (the tests' default language)
        item = client.get(f"{prefix}/goals/{action.goal_id}/").content.decode()
        listing = client.get(f"{prefix}/periods/{period.pk}/?q={action.goal.code}").content.decode()
        report = client.get(f"{prefix}/periods/{period.pk}/print/").content.decode()
        assert title in item and status in item
        assert title in listing and f'<span lang="fi">{action.responsible.title}' in listing
        assert title in report and status in report

    finnish = client.get(f"/fi/goals/{action.goal_id}/").content.decode()
    assert 'lang="fi">' + action.goal.title not in finnish  # the page's own language
    assert action.goal.title in finnish


def meta_tags(content):
    """A page's <meta> tags: name or property -> the content of each (a list)."""
    tags = {}
    for name, value in re.findall(r'<meta (?:name|property)="([^"]+)" content="([^"]*)">', content):
        tags.setdefault(name, []).append(value)
    return tags


def public_pages(demo):
    period = demo["1–8/2022"]
    return {
        "home": "/",
        "period": f"/periods/{period.pk}/",
        "goal": f"/goals/{Goal.objects.get(code='01.', strategy__start_year=2021).pk}/",
        "item": f"/goals/{Goal.objects.get(code='01.06.01', year=2022).pk}/",
        "compare": f"/compare/?first={period.pk}&second={demo['1–8/2023'].pk}",
        "about": "/about/",
    }


def test_it_describes_every_public_page_for_link_previews(client, demo, settings):
    settings.SITE_URL = "https://seuranta.tuusula.fi"

    for name, path in public_pages(demo).items():
        content = html(client.get(path))
        tags = meta_tags(content)
        title = re.search(r"<title>(.*) – Seuranta</title>", content)[1]

        assert tags["description"][0], name
        assert tags["og:description"] == tags["description"], name
        assert tags["og:title"] == [title], name
        assert tags["og:type"] == ["website"], name
        # Absolute, on the site's public address, without the query string.
        assert tags["og:url"] == ["https://seuranta.tuusula.fi" + path.split("?")[0]], name
        assert tags["og:locale"] == ["en_GB"], name


def test_it_describes_each_page_in_its_own_words(client, demo):
    descriptions = {
        name: meta_tags(html(client.get(path)))["description"][0]
        for name, path in public_pages(demo).items()
    }

    assert len(set(descriptions.values())) == len(descriptions)
    assert "Tuusula" in descriptions["home"] and "1–8/2023" in descriptions["home"]
    assert "1–8/2022" in descriptions["period"]
    assert descriptions["goal"].startswith("01. ")
    assert descriptions["item"].startswith("01.06.01 ")
    assert "Compare" in descriptions["compare"]
    assert "progress levels 1 to 5" in descriptions["about"]


def test_it_names_each_languages_locale_for_link_previews(client, demo, settings):
    settings.SITE_URL = "https://seuranta.tuusula.fi"

    swedish = meta_tags(html(client.get("/sv/about/")))
    finnish = meta_tags(html(client.get("/fi/about/")))

    assert swedish["og:locale"] == ["sv_FI"]
    assert sorted(swedish["og:locale:alternate"]) == ["en_GB", "fi_FI"]
    assert swedish["og:url"] == ["https://seuranta.tuusula.fi/sv/about/"]
    assert finnish["og:locale"] == ["fi_FI"]


def test_it_escapes_a_titles_quotes_in_the_meta_tags(client, demo):
    action = Goal.objects.get(code="01.06.01", year=2022)
    Goal.objects.filter(pk=action.pk).update(title='Koulu "Uusi" <b>heti</b>')
    PublicRevision.bump()

    content = html(client.get(f"/goals/{action.pk}/"))

    assert (
        '<meta property="og:title" '
        'content="01.06.01 Koulu &quot;Uusi&quot; &lt;b&gt;heti&lt;/b&gt;">' in content
    )
    assert "<b>heti</b>" not in content


def test_it_shows_a_level_as_a_short_chip_with_its_full_label_for_screen_readers(client, demo):
    period = demo["1–8/2022"]

    content = html(client.get(f"/periods/{period.pk}/", {"level": "5"}))

    chip = (
        '<span class="level-chip" title="5 – Implemented and in use as planned">'
        '<span class="level level-5" aria-hidden="true">5</span>'
        '<span class="level-chip__label" aria-hidden="true">Done</span>'
        '<span class="visually-hidden">5 – Implemented and in use as planned</span></span>'
    )
    assert content.count(chip) == 3
    # The full scale in the legend above the table.
    assert '<strong>Done</strong> <span class="muted">Implemented and in use as planned' in content


def test_it_shows_the_overall_status_as_a_dot_and_a_word(client, demo):
    period = demo["1–9/2021"]
    PublishedEntry.objects.filter(period=period, goal__code="03.06").update(overall_status="red")
    PublicRevision.bump()

    content = html(client.get(f"/periods/{period.pk}/", {"overall_status": "red"}))

    assert (
        '<span class="status status-red"><span class="status__dot" aria-hidden="true">'
        "</span>Red</span>"
    ) in content


def test_it_shows_a_goals_swedish_or_english_title_where_one_is_written(client, demo):
    period = demo["1–8/2022"]
    entry = PublishedEntry.objects.select_related("goal").get(period=period, goal__code="01.05")
    goal = entry.goal
    Goal.objects.filter(pk=goal.pk).update(title_sv="Vi utvecklar e-tjänsterna")
    PublicRevision.bump()

    swedish = client.get(f"/sv/goals/{goal.pk}/").content.decode()
    swedish_list = client.get(f"/sv/periods/{period.pk}/?q=01.05").content.decode()
    english = client.get(f"/goals/{goal.pk}/").content.decode()  # none written in English

    swedish_compare = client.get(
        "/sv/compare/", {"first": period.pk, "second": demo["1–8/2023"].pk}
    ).content.decode()
    english_compare = client.get(
        "/compare/", {"first": period.pk, "second": demo["1–8/2023"].pk}
    ).content.decode()

    assert "<h1>01.05 Vi utvecklar e-tjänsterna</h1>" in swedish
    assert f'/{goal.pk}/">Vi utvecklar e-tjänsterna</a>' in swedish_compare
    assert f'/{goal.pk}/"><span lang="fi">{goal.title}</span></a>' in english_compare
    assert ">Vi utvecklar e-tjänsterna</a>" in swedish_list
    assert f'<h1>01.05 <span lang="fi">{goal.title}</span></h1>' in english
