"""The usability review's fixes to the residents' pages, through the test client on the
demo data: a comparison the wrong way round is refused, the period page leaves out a
column and a filter that no published entry has a value for, and a period's label is
kept on one line in the headings."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from goals.models import ResponsiblePerson
from reports import council_report
from reports.models import PublishedEntry, ReportingPeriod

pytestmark = pytest.mark.django_db

# On the demo data (the `demo` fixture, tests/conftest.py): no published entry of 1–8/2022
# or 1–8/2023 has a responsible person or an overall status; most of 1–9/2021 have a
# responsible person.


def html(response):
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def element(content, element_id):
    """The start tag of the element with the id."""
    match = re.search(rf'<[a-z]+[^>]*\bid="{element_id}"[^>]*>', content)
    assert match, element_id
    return match.group(0)


# 1. Compare: the later period must end after the earlier one.


def test_it_refuses_a_later_period_that_ends_before_the_earlier_one(client, demo):
    earlier, later = demo["1–8/2022"], demo["1–8/2023"]

    response = client.get("/compare/", {"first": later.pk, "second": earlier.pk})

    content = html(response)
    assert "groups" not in response.context
    form = response.context["form"]
    assert form.has_error("second", code="not_later")
    message = (
        "The later period must end after the earlier one, but "
        '<span class="nowrap">1–8/2022</span> ends before <span class="nowrap">1–8/2023</span>. '
        'Choose <span class="nowrap">1–8/2022</span> as the earlier period and '
        '<span class="nowrap">1–8/2023</span> as the later one.'
    )
    assert message in content
    # Nothing said about levels that rose or fell.
    assert "Level rose" not in content and "Level fell" not in content
    assert "whose level fell" not in content


def test_it_shows_the_error_with_the_field_it_concerns(client, demo):
    response = client.get(
        "/compare/", {"first": demo["1–8/2023"].pk, "second": demo["1–8/2022"].pk}
    )

    content = html(response)
    select = element(content, "id_second")
    assert 'aria-invalid="true"' in select
    assert 'aria-describedby="id_second_error"' in select
    # The error list, named by the select, holds the message, between label and select.
    error_list = content[content.index('id="id_second_error"') :]
    assert error_list.index("must end after the earlier one") < error_list.index("</ul>")
    label = content.index('<label for="id_second">')
    assert label < content.index('id="id_second_error"') < content.index('id="id_second"')
    assert 'aria-invalid="true"' not in element(content, "id_first")
    assert re.search(r"<title>\s*Error: Compare two periods", content)


def test_it_refuses_a_later_period_that_ends_on_the_same_day(client, demo):
    whole = demo["1–8/2023"]
    part = ReportingPeriod.objects.create(
        strategy=whole.strategy,
        year=2023,
        label="5–8/2023",
        start_date=datetime.date(2023, 5, 1),
        end_date=whole.end_date,
        published=True,
        published_at=timezone.now(),
    )

    response = client.get("/compare/", {"first": whole.pk, "second": part.pk})

    content = html(response)
    assert response.context["form"].has_error("second", code="not_later")
    assert (
        'but <span class="nowrap">5–8/2023</span> and <span class="nowrap">1–8/2023</span> '
        "end on the same day"
    ) in content


def test_it_still_compares_an_earlier_period_with_a_later_one(client, demo):
    earlier, later = demo["1–8/2022"], demo["1–8/2023"]

    response = client.get("/compare/", {"first": earlier.pk, "second": later.pk})

    content = html(response)
    assert response.context["form"].is_valid()
    assert response.context["first"] == earlier and response.context["second"] == later
    assert "Level fell" in content or "Level rose" in content
    assert "<title>Error" not in content


# 2. The period page: no column and no filter that nothing fills.


def columns_and_filters(response):
    table = response.context["table"]
    return (
        [column.name for column in table.columns],
        [field.name for field in response.context["filter"].shown_fields],
    )


def test_it_leaves_out_the_columns_and_filters_that_no_entry_fills(client, demo):
    period = demo["1–8/2023"]

    response = client.get(f"/periods/{period.pk}/")

    content = html(response)
    columns, filters = columns_and_filters(response)
    assert columns == ["code", "title", "level", "status_text"]
    assert filters == ["q", "goal", "level"]
    # Neither a header, nor a cell of a card on a phone, nor a filter.
    assert "col-responsible" not in content and "col-overall_status" not in content
    assert 'data-label="Responsible person"' not in content
    assert 'name="responsible"' not in content and 'name="overall_status"' not in content
    assert "Everyone" not in content and "Any status" not in content
    assert "(49 entries)" in content


def test_it_shows_a_column_and_its_filter_when_one_entry_fills_it(client, demo):
    period = demo["1–8/2023"]
    person = ResponsiblePerson.objects.create(title="Hyvinvointijohtaja")
    entry = PublishedEntry.objects.filter(period=period).order_by("goal__code").first()
    PublishedEntry.objects.filter(pk=entry.pk).update(responsible=person, overall_status="green")

    response = client.get(f"/periods/{period.pk}/")

    content = html(response)
    columns, filters = columns_and_filters(response)
    assert columns == ["code", "title", "level", "responsible", "overall_status", "status_text"]
    assert filters == ["q", "goal", "level", "responsible", "overall_status"]
    assert f'<option value="{person.pk}">Hyvinvointijohtaja</option>' in content
    assert content.count('class="col-responsible"') == 1 + 25  # header and each row shown


def test_it_shows_a_column_filled_by_some_entries_and_hides_the_other(client, demo):
    period = demo["1–9/2021"]  # most entries have a responsible person, none a status

    response = client.get(f"/periods/{period.pk}/")

    columns, filters = columns_and_filters(response)
    assert "responsible" in columns and "overall_status" not in columns
    assert "responsible" in filters and "overall_status" not in filters


def test_it_shows_the_status_column_alone_when_only_a_status_is_given(client, demo):
    period = demo["1–8/2022"]
    PublishedEntry.objects.filter(period=period, goal__code="01.05").update(overall_status="yellow")

    response = client.get(f"/periods/{period.pk}/")

    columns, filters = columns_and_filters(response)
    assert "overall_status" in columns and "responsible" not in columns
    assert "overall_status" in filters and "responsible" not in filters


def test_it_offers_no_goal_to_choose_in_a_period_without_published_entries(client, demo):
    period = ReportingPeriod.objects.create(
        strategy=demo["1–8/2023"].strategy,
        year=2023,
        label="1–4/2023",
        start_date=datetime.date(2023, 1, 1),
        end_date=datetime.date(2023, 4, 30),
        published=True,
        published_at=timezone.now(),
    )

    response = client.get(f"/periods/{period.pk}/")

    content = html(response)
    assert columns_and_filters(response)[1] == ["q", "level"]
    assert "All goals" not in content and "No entries match the filters." in content


def test_it_still_filters_by_a_column_left_out_and_shows_that_filter(client, demo):
    """A shared link asking for green entries of a period that has none finds none (it
    does not quietly show every entry) and shows the filter it used."""
    period = demo["1–8/2023"]

    response = client.get(f"/periods/{period.pk}/", {"overall_status": "green"})

    content = html(response)
    assert "No entries match the filters." in content
    assert columns_and_filters(response)[1] == ["q", "goal", "level", "overall_status"]
    assert 'name="overall_status"' in content


def test_it_reads_only_published_entries_to_decide_what_to_show(client, demo):
    period = demo["1–8/2023"]
    person = ResponsiblePerson.objects.create(title="Hyvinvointijohtaja")
    # The staff's entry has both, but its published version has neither.
    period.entries.filter(goal__code="01.05.01").update(responsible=person, overall_status="red")

    columns, filters = columns_and_filters(client.get(f"/periods/{period.pk}/"))

    assert "responsible" not in columns and "overall_status" not in columns
    assert "responsible" not in filters and "overall_status" not in filters


def test_it_asks_no_more_queries_of_a_period_whose_every_entry_has_a_person(client, demo):
    period = demo["1–8/2023"]
    person = ResponsiblePerson.objects.create(title="Hyvinvointijohtaja")
    entries = PublishedEntry.objects.filter(period=period).order_by("goal__code")

    def queries():
        from django.core.cache import cache

        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            html(client.get(f"/periods/{period.pk}/"))
        return len(captured)

    PublishedEntry.objects.filter(pk=entries.first().pk).update(
        responsible=person, overall_status="green"
    )
    one = queries()
    entries.update(responsible=person, overall_status="green")

    assert queries() == one


# 4. A period's label is never broken inside a heading.


def test_it_keeps_the_periods_label_on_one_line_in_its_headings(client, demo):
    period = demo["1–8/2023"]
    unbroken = '<span class="nowrap">1–8/2023</span>'

    page = html(client.get(f"/periods/{period.pk}/"))
    printed = html(client.get(f"/periods/{period.pk}/print/"))
    compared = html(client.get("/compare/", {"first": demo["1–8/2022"].pk, "second": period.pk}))

    assert f"<h1>Reporting period {unbroken}</h1>" in page
    assert f">Strategy follow-up {unbroken}</h1>" in printed
    assert f'<h2>From <span class="nowrap">1–8/2022</span> to {unbroken}</h2>' in compared
    # Only where it is shown: a page's title is plain text.
    assert "<title>Reporting period 1–8/2023" in page


def test_it_keeps_the_label_on_one_line_while_the_report_is_being_prepared(
    client, demo, settings, monkeypatch
):
    period = demo["1–8/2023"]
    settings.COUNCIL_REPORT_SYNC_ENTRIES = 0  # every period counts as large
    monkeypatch.setattr(council_report, "build_in_background", lambda period, language: None)

    response = client.get(f"/periods/{period.pk}/report.pdf")

    assert response.status_code == 503
    content = response.content.decode()
    assert '<h1>The report of <span class="nowrap">1–8/2023</span> is being prepared</h1>' in (
        content
    )


# 6. Search: a Finnish word finds its inflected forms.


@pytest.mark.parametrize(
    ("word", "stems"),
    [
        ("kampus", ["kampuks"]),
        ("Yritys", ["Yrityks"]),
        ("tavoite", ["tavoit"]),
        ("digitaalinen", ["digitaalis"]),
        ("palvelu", []),  # palvelujen, palveluiden: found as they are
        ("tie", []),  # too short to cut
    ],
)
def test_it_knows_the_stems_of_finnish_words_whose_inflected_forms_differ(word, stems):
    from reports.filters import finnish_stems

    assert finnish_stems(word) == stems


def test_it_finds_an_inflected_form_of_the_word_a_resident_types(client, demo):
    period = demo["1–8/2023"]

    def found(word):
        response = client.get(f"/periods/{period.pk}/", {"q": word})
        return {row.record.goal.code for row in response.context["table"].paginated_rows}

    inflected = found("kampuksen")
    assert inflected  # the demo's texts speak of "kampuksen" …
    assert found("kampus") >= inflected  # … which a resident types as "kampus"
