"""Next year without a spreadsheet: an official copies a year's goals into the next year,
imports a list of goals, and gives many goals one responsible person, in the admin."""

import io
import re

import pytest
from django.contrib.messages import get_messages
from openpyxl import Workbook

from goals.models import Goal

pytestmark = pytest.mark.django_db

COPY_URL = "/admin/goals/goal/copy-year/"


@pytest.fixture
def official(client, world):
    client.force_login(world.official)
    return world.official


def codes(world, year):
    return set(
        Goal.objects.filter(strategy=world.strategy, year=year).values_list("code", flat=True)
    )


def preview(client, world, year=2024):
    return client.get(COPY_URL, {"strategy": world.strategy.pk, "year": year})


def confirm(client, world, response, *, untick=(), titles=None, year=2024):
    """Post the preview's form back: every row as shown, but the codes in `untick`
    unticked and the titles in `titles` changed."""
    rows = response.context["rows"]
    data = {key: value for key, value in rows.management_form.initial.items()}
    data = {f"{rows.prefix}-{key}": value for key, value in data.items()}
    for form in rows:
        data[f"{form.prefix}-source"] = form.goal.pk
        data[f"{form.prefix}-title"] = (titles or {}).get(form.goal.code, form.goal.title)
        if form.initial["copy"] and form.goal.code not in untick:
            data[f"{form.prefix}-copy"] = "on"
    return client.post(f"{COPY_URL}?strategy={world.strategy.pk}&year={year}", data, follow=True)


def texts(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_it_previews_the_copy_and_creates_nothing(client, world, official):
    response = preview(client, world)

    assert response.status_code == 200
    content = response.content.decode()
    for code, title in (("01.01", "Annual"), ("01.01.01", "Action A"), ("01.01.02", "Action B")):
        assert code in content and title in content
    assert "Talousjohtaja" in content
    assert codes(world, 2025) == set()
    # Each title box is named in the page's language and holds the municipality's Finnish.
    box = re.search(r'<textarea[^>]*aria-labelledby="([^"]+)"[^>]*>\s*Action A', content)
    assert box and 'lang="fi"' in box.group(0)
    assert re.search(rf'id="{box.group(1)}"[^>]*>Title of 01.01.01 in 2025<', content)


def test_it_creates_exactly_the_ticked_goals_with_their_history(client, world, official):
    response = confirm(
        client,
        world,
        preview(client, world),
        untick={"01.01.02"},
        titles={"01.01.01": "Action A, second year"},
    )

    assert codes(world, 2025) == {"01.01", "01.01.01"}
    annual = Goal.objects.get(strategy=world.strategy, year=2025, code="01.01")
    action = Goal.objects.get(strategy=world.strategy, year=2025, code="01.01.01")
    assert annual.parent.code == "01." and annual.parent.year is None
    assert annual.kind == Goal.Kind.ANNUAL_GOAL
    assert action.parent == annual
    assert action.title == "Action A, second year"
    assert action.responsible == world.person_a
    record = action.history.get()
    assert record.history_type == "+"
    assert record.history_user == official
    assert record.history_change_reason == "Copied from 2024"
    assert "2 goals copied into 2025." in texts(response)
    assert codes(world, 2024) == {"01.01", "01.01.01", "01.01.02"}


def test_it_skips_goals_the_next_year_already_has_and_says_so(client, world, official):
    shown = preview(client, world)
    # Someone else creates 01.01 for 2025 while the preview is open.
    existing = Goal.objects.create(
        strategy=world.strategy,
        year=2025,
        kind="annual_goal",
        code="01.01",
        title="Made by hand",
        parent=Goal.objects.get(code="01."),
    )

    response = confirm(client, world, shown)

    assert codes(world, 2025) == {"01.01", "01.01.01", "01.01.02"}
    existing.refresh_from_db()
    assert existing.title == "Made by hand"
    assert Goal.objects.get(year=2025, code="01.01.01").parent == existing
    assert "2 goals copied into 2025." in texts(response)
    assert "1 goal skipped because 2025 already has it: 01.01." in texts(response)


def test_it_shows_goals_the_next_year_has_as_skipped(client, world, official):
    Goal.objects.create(
        strategy=world.strategy,
        year=2025,
        kind="annual_goal",
        code="01.01",
        title="Made by hand",
        parent=Goal.objects.get(code="01."),
    )

    response = preview(client, world)

    assert "1 goal already exists in 2025 and is skipped." in response.content.decode()
    response = confirm(client, world, response)
    assert codes(world, 2025) == {"01.01", "01.01.01", "01.01.02"}
    assert "1 goal skipped because 2025 already has it: 01.01." in texts(response)


def test_it_refuses_an_action_without_its_annual_goal_and_creates_nothing(client, world, official):
    response = confirm(client, world, preview(client, world), untick={"01.01"})

    assert codes(world, 2025) == set()
    assert "Nothing was copied: 01.01.01, 01.01.02 would have no annual goal in 2025." in (
        response.content.decode()
    )


def test_it_refuses_to_copy_the_last_year_of_the_term(client, world, official):
    response = preview(client, world, year=2025)

    assert "rows" not in response.context
    assert "the year after it must be in the council term 2021–2025" in (response.content.decode())


def test_it_lets_only_officials_copy(client, world):
    client.force_login(world.administrator)

    assert preview(client, world).status_code == 403


def csv_file(text, name="goals.csv"):
    upload = io.BytesIO(text.encode("utf-8-sig"))
    upload.name = name
    return upload


def xlsx_file(rows, name="goals.xlsx"):
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    upload = io.BytesIO()
    workbook.save(upload)
    upload.seek(0)
    upload.name = name
    return upload


XLSX, CSV = "0", "1"


def upload(client, world, file, file_format):
    return client.post(
        "/admin/goals/goal/import/",
        {"strategy": world.strategy.pk, "import_file": file, "format": file_format},
    )


GOOD_CSV = (
    "code,title,parent code,responsible person,year\r\n"
    "01.02,Second annual goal,01.,talousjohtaja,2024\r\n"
    "01.02.01,An action under it,,Hallintojohtaja,2024\r\n"
    "01.01,Annual renamed,01.,,2024\r\n"
)


def test_it_imports_goals_after_a_preview(client, world, official):
    response = upload(client, world, csv_file(GOOD_CSV), CSV)

    assert response.status_code == 200
    result = response.context["result"]
    assert not result.has_errors() and not result.has_validation_errors()
    assert [row.import_type for row in result.rows] == ["new", "new", "update"]
    assert codes(world, 2024) == {"01.01", "01.01.01", "01.01.02"}
    confirm_form = response.context["confirm_form"]

    response = client.post(
        "/admin/goals/goal/process_import/",
        {name: confirm_form[name].value() for name in confirm_form.fields},
        follow=True,
    )

    assert codes(world, 2024) == {"01.01", "01.01.01", "01.01.02", "01.02", "01.02.01"}
    annual = Goal.objects.get(year=2024, code="01.02")
    action = Goal.objects.get(year=2024, code="01.02.01")
    assert (annual.kind, annual.parent.code, annual.responsible) == (
        "annual_goal",
        "01.",
        world.person_a,
    )
    assert (action.kind, action.parent, action.responsible) == ("action", annual, world.person_b)
    assert Goal.objects.get(year=2024, code="01.01").title == "Annual renamed"
    assert action.history.get().history_user == official
    assert "2 goals imported as new." in texts(response)
    assert "1 goal updated." in texts(response)


def test_it_imports_a_workbook_with_the_field_names_as_headers(client, world, official):
    rows = [
        ["code", "title", "parent", "responsible", "year"],
        ["02.", "A new council-term goal", None, None, None],
        ["02.01", "Its annual goal", "02.", "Talousjohtaja", 2024],
        [None, None, None, None, None],
    ]
    response = upload(client, world, xlsx_file(rows), XLSX)
    confirm_form = response.context["confirm_form"]

    client.post(
        "/admin/goals/goal/process_import/",
        {name: confirm_form[name].value() for name in confirm_form.fields},
    )

    term_goal = Goal.objects.get(strategy=world.strategy, code="02.")
    assert (term_goal.kind, term_goal.year) == ("goal", None)
    assert Goal.objects.get(code="02.01", year=2024).parent == term_goal


def test_it_refuses_bad_rows_naming_line_and_column_and_writes_nothing(client, world, official):
    before = Goal.objects.count()
    bad = (
        "code,title,parent code,responsible person,year\r\n"
        "01.03,A good row,01.,Talousjohtaja,2024\r\n"
        "01.04,Misspelt person,01.,Talousjohtja,2024\r\n"
        "01.09.01,No annual goal,,,2024\r\n"
        "01.05,Outside the term,01.,,2031\r\n"
        "01.06,Wrong parent,02.,,2024\r\n"
        "01.03,Twice,01.,,2024\r\n"
    )

    response = upload(client, world, csv_file(bad), CSV)

    content = response.content.decode()
    assert "confirm_form" not in response.context
    assert (
        "Line 3, column “responsible person”: No responsible person is called “Talousjohtja”."
        in content
    )
    assert "Line 4, column “parent code”: 2024 has no annual goal 01.09" in content
    assert "Line 5, column “year”: 2031 is outside the council term 2021–2025." in content
    assert "Line 6, column “parent code”: The goal above 01.06 is 01., not “02.”." in content
    assert "Line 7, column “code”: 01.03 is already on line 2 of this file." in content
    assert Goal.objects.count() == before


def test_it_refuses_a_code_that_the_spreadsheet_turned_into_a_number(client, world, official):
    rows = [["code", "title", "year"], [1.1, "Was 01.10", 2024]]

    response = upload(client, world, xlsx_file(rows), XLSX)

    assert "Line 2, column “code”: 1.1 is a number in the file" in response.content.decode()
    assert not Goal.objects.filter(title="Was 01.10").exists()


def test_it_names_the_columns_a_file_lacks(client, world, official):
    response = upload(client, world, csv_file("tunnus,nimi\r\n01.03,x\r\n"), CSV)

    content = response.content.decode()
    assert "The file has no columns “code”, “title”, “year”." in content
    assert "it has: “tunnus”, “nimi”" in content


def test_it_lets_only_officials_import(client, world):
    client.force_login(world.administrator)

    assert client.get("/admin/goals/goal/import/").status_code == 403


def test_it_assigns_a_responsible_person_to_many_goals(client, world, official):
    goals = [Goal.objects.get(code="01.01"), world.goal_a, world.goal_b]
    selected = {"action": "assign_responsible", "_selected_action": [g.pk for g in goals]}

    page = client.post("/admin/goals/goal/", selected)

    assert page.status_code == 200
    assert "Assign a responsible person" in page.content.decode()
    headers = re.findall(r'<th scope="col">([^<]*)</th>', page.content.decode())
    assert ["Code", "Year", "Title", "Responsible person now"] == headers[-4:]
    assert Goal.objects.filter(responsible=world.person_b).count() == 1

    response = client.post(
        "/admin/goals/goal/", {**selected, "apply": "1", "person": world.person_b.pk}, follow=True
    )

    assert Goal.objects.filter(responsible=world.person_b).count() == 3
    assert "Hallintojohtaja is now responsible for 2 more goals." in texts(response)
    record = world.goal_a.history.first()
    assert (record.history_user, record.responsible_id) == (official, world.person_b.pk)


def test_it_asks_again_when_no_person_is_chosen(client, world, official):
    response = client.post(
        "/admin/goals/goal/",
        {"action": "assign_responsible", "_selected_action": [world.goal_a.pk], "apply": "1"},
    )

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    world.goal_a.refresh_from_db()
    assert world.goal_a.responsible == world.person_a


def test_it_imports_a_semicolon_separated_csv_from_a_finnish_excel(client, world, official):
    text = "code;title;year\r\n01.07;Yhteisöllisyys;2024\r\n"
    upload_ = io.BytesIO(text.encode("cp1252"))
    upload_.name = "tavoitteet.csv"

    response = upload(client, world, upload_, CSV)
    confirm_form = response.context["confirm_form"]
    client.post(
        "/admin/goals/goal/process_import/",
        {name: confirm_form[name].value() for name in confirm_form.fields},
    )

    assert Goal.objects.get(year=2024, code="01.07").title == "Yhteisöllisyys"


def test_it_offers_the_latest_year_to_copy(client, world, official):
    response = client.get(COPY_URL)

    choice = response.context["choice"]
    assert (choice["strategy"].value(), choice["year"].value()) == (world.strategy.pk, 2024)
    assert Goal.objects.filter(year=2025).count() == 0


def test_it_reads_headers_written_in_finnish(client, world, official):
    text = "Koodi,Otsikko,Vastuuhenkilö,Vuosi\r\n01.08,Suomeksi,Talousjohtaja,2024\r\n"

    response = upload(client, world, csv_file(text), CSV)

    result = response.context["result"]
    assert not result.has_errors() and not result.has_validation_errors()
    assert [row.import_type for row in result.rows] == ["new"]
