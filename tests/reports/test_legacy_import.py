"""Importing the municipality's three real legacy exports."""

import pytest

from goals.models import Goal, ResponsiblePerson
from reports.models import ImportAnomaly, ImportBatch, ProgressEntry
from tests.builders import FILE_2021, FILE_2022, FILE_2023, run_import

pytestmark = pytest.mark.django_db


def entry(code, year, label):
    return ProgressEntry.objects.select_related("goal", "goal__parent", "responsible").get(
        goal__code=code, goal__year=year, period__label=label
    )


def test_it_accounts_for_every_row_of_the_2022_file():
    summary = run_import(FILE_2022)

    assert summary["counts"] == {
        "rows_read": 58,
        "blank": 9,
        "created": 49,
        "updated": 0,
        "unchanged": 0,
        "structural": 0,
        "anomalies": 0,
    }
    assert ProgressEntry.objects.count() == 49


def test_it_places_an_action_under_the_annual_goal_its_code_names():
    run_import(FILE_2022)

    action = entry("01.06.01", 2022, "1–8/2022")
    assert action.level == 5  # "5 Toimenpide on toteutettu ja käytönotettu" (typo in label)
    assert action.goal.kind == Goal.Kind.ACTION
    assert action.goal.parent.code == "01.06"
    assert action.goal.parent.parent.code == "01."
    assert action.status_text.startswith("Keusote alueen kuntien yhteinen aktivoin")
    assert action.risks.startswith("Lainsäädännön muuttuminen")


def test_it_creates_a_missing_annual_goal_from_the_code():
    run_import(FILE_2022)

    action = entry("01.09.01", 2022, "1–8/2022")
    assert action.goal.title == "Kehitämme työntantajakuvaa"
    assert action.goal.parent.code == "01.09"
    assert action.goal.parent.title == ""  # the file never names it: an official fills it in
    assert not ProgressEntry.objects.filter(goal=action.goal.parent).exists()


def test_it_reads_codes_with_a_trailing_dot():
    run_import(FILE_2022)

    action = entry("10.04.01", 2022, "1–8/2022")
    assert action.level == 3
    assert action.goal.title.startswith("Rakennamme toimintamallia")


def test_it_reports_on_annual_goals_and_actions_separately():
    run_import(FILE_2022)

    annual = entry("01.05", 2022, "1–8/2022")
    assert annual.goal.kind == Goal.Kind.ANNUAL_GOAL
    assert annual.risks.startswith("Henkilöstö- ja taloudellisten resurssien")
    assert annual.goal.children.count() == 2
    # 10.04 has a level but no text.
    level_only = entry("10.04", 2022, "1–8/2022")
    assert level_only.level == 2
    assert level_only.status_text == ""


def test_it_accounts_for_every_row_of_the_indented_2021_file(demo_persons):
    summary = run_import(FILE_2021)

    assert summary["counts"] == {
        "rows_read": 73,
        "blank": 6,
        "created": 59,
        "updated": 0,
        "unchanged": 0,
        "structural": 7,
        "anomalies": 1,
    }
    assert summary["term"] == "2017–2021"


def test_it_keeps_the_row_without_a_code_as_an_anomaly(demo_persons):
    summary = run_import(FILE_2021)

    assert [(a["line"], a["reason"]) for a in summary["anomalies"]] == [(27, "no_code")]
    anomaly = ImportAnomaly.objects.get()
    assert anomaly.line == 27
    assert anomaly.cells[3] == "Resurssipula"
    assert anomaly.cells[6].startswith("Sisäisten palveluiden prosessien kehittä")
    assert anomaly.cells[7] == "Talusohtaja"
    assert anomaly.status == ImportAnomaly.Status.OPEN


def test_it_maps_misspelled_titles_to_one_person_through_aliases(demo_persons):
    run_import(FILE_2021)

    talousjohtaja = demo_persons["Talousjohtaja"]
    assert entry("03.06", 2021, "1–9/2021").responsible == talousjohtaja  # Talusohtaja
    assert entry("05.01", 2021, "1–9/2021").responsible == talousjohtaja  # Talusojohtaja
    # Taloustohtaja stands on the council-term goal's own row, which has no progress.
    assert Goal.objects.get(code="03.", strategy__start_year=2017).responsible == talousjohtaja
    assert ResponsiblePerson.objects.count() == 3


def test_it_reports_a_suspected_misspelling_instead_of_merging_it():
    ResponsiblePerson.objects.create(title="Talousjohtaja")

    summary = run_import(FILE_2021)

    misspelled = [a for a in summary["anomalies"] if a["reason"] == "misspelling"]
    assert misspelled, "rows naming Talusohtaja must not be merged silently"
    messages = {a["line"]: a["message"] for a in misspelled}
    assert "“Talusohtaja” looks like a misspelling of “Talousjohtaja”" in messages[23]
    assert "“Talusojohtaja” looks like a misspelling of “Talousjohtaja”" in messages[35]
    assert not ResponsiblePerson.objects.filter(title__iexact="Talusohtaja").exists()
    c = summary["counts"]
    total = c["blank"] + c["created"] + c["updated"] + c["unchanged"] + c["structural"]
    assert total + c["anomalies"] == c["rows_read"]


def test_it_reads_shifted_cells_by_their_codes(demo_persons):
    run_import(FILE_2021)

    # Line 60: an action code in the annual-goal column, risk text in the action column.
    action = entry("12.03.01", 2021, "1–9/2021")
    assert action.goal.kind == Goal.Kind.ACTION
    assert action.goal.parent.code == "12.03"
    assert action.level == 4
    assert action.risks.startswith("Lisäämme henkilökunnan tietosuoja")
    # Line 64: an annual goal in the council-term column.
    annual = entry("15.01", 2021, "1–9/2021")
    assert annual.goal.kind == Goal.Kind.ANNUAL_GOAL
    assert annual.goal.parent.code == "15."
    assert annual.level == 2
    # Line 79: an annual goal in the action column.
    assert entry("30.08", 2021, "1–9/2021").goal.kind == Goal.Kind.ANNUAL_GOAL


def test_it_records_progress_reported_on_a_council_term_goal(demo_persons):
    run_import(FILE_2021)

    goal_entry = ProgressEntry.objects.get(goal__code="10.", goal__strategy__start_year=2017)
    assert goal_entry.goal.kind == Goal.Kind.GOAL
    assert goal_entry.goal.year is None
    assert goal_entry.level == 2
    assert entry("15.", None, "1–9/2021").risks.startswith("Henkilöstöpalveluiden kapea")


def test_it_keeps_goal_title_rows_as_structure(demo_persons):
    run_import(FILE_2021)

    goal = Goal.objects.get(code="01.", strategy__start_year=2017)
    assert goal.title.startswith("Uudistamme kuntaa")
    assert not goal.entries.exists()
    assert goal.children.get().code == "01.05"


def test_it_accounts_for_every_row_of_the_2023_file():
    summary = run_import(FILE_2023)

    assert summary["counts"] == {
        "rows_read": 58,
        "blank": 6,
        "created": 49,
        "updated": 0,
        "unchanged": 0,
        "structural": 2,
        "anomalies": 1,
    }


def test_it_keeps_a_duplicate_code_as_an_anomaly_not_a_second_entry():
    summary = run_import(FILE_2023)

    assert summary["anomalies"] == [
        {
            "line": 31,
            "reason": "duplicate",
            "message": "07.02.02 was already reported on line 30 of this file",
        }
    ]
    kept = entry("07.02.02", 2023, "1–8/2023")
    assert kept.status_text.startswith("Palveluverkkoa hyödynnetään")
    duplicate = ImportAnomaly.objects.get(line=31)
    assert duplicate.cells[6].startswith("Markkinointikampanjat")


def test_it_keeps_an_action_without_progress_as_structure():
    run_import(FILE_2023)

    goal = Goal.objects.get(code="06.08.01", year=2023)
    assert goal.title.startswith("Hoidamme ja ehkäisemme")
    assert not goal.entries.exists()


def test_it_separates_same_codes_of_different_years():
    run_import(FILE_2022)
    run_import(FILE_2023)

    goal_2022 = Goal.objects.get(code="01.05", year=2022)
    goal_2023 = Goal.objects.get(code="01.05", year=2023)
    assert goal_2022 != goal_2023
    assert goal_2022.title.startswith("Kehitämme sähköisten palveluiden")
    assert goal_2023.title.startswith("Kehitämme asiakkuuksien johtamista")
    # The council-term goal is shared by both years of the term.
    assert goal_2022.parent == goal_2023.parent
    assert Goal.objects.filter(code="01.", strategy__start_year=2021).count() == 1


def test_it_keeps_the_original_file_for_tracing_an_entry():
    run_import(FILE_2022)

    action = entry("01.06.01", 2022, "1–8/2022")
    assert action.source_line == 10
    assert bytes(action.source_batch.content) == FILE_2022.read_bytes()
    line = FILE_2022.read_text(encoding="utf-8").splitlines()[action.source_line - 1]
    assert line.split("\t")[2].startswith("01.06.01")
    assert ImportBatch.objects.get().filename == FILE_2022.name


def test_it_notes_a_differing_title_instead_of_overwriting_it():
    run_import(FILE_2022)

    summary = run_import(FILE_2023)

    notes = {note["line"]: note["message"] for note in summary["notes"]}
    assert notes[4].startswith("the title of 01. differs from the stored one, which was kept")
    assert "laadukkaita" in notes[4]
    assert notes[24].startswith("the title of 06.03 differs")  # 06.03 is spelled two ways in 2023
    goal = Goal.objects.get(code="01.", strategy__start_year=2021)
    assert goal.title.startswith("Tarjoamme laadukkaat ja saavutettavat")


def test_it_records_each_goal_and_entry_it_creates_in_their_history():
    run_import(FILE_2022)

    goals = Goal.objects.all()
    entries = ProgressEntry.objects.select_related("goal")
    assert goals.count() > 49 and entries.count() == 49
    for record in Goal.history.all():
        assert record.history_type == "+"
    assert sorted(Goal.history.values_list("id", flat=True)) == sorted(
        goals.values_list("pk", flat=True)
    )
    for stored in entries:
        (record,) = stored.history.all()
        assert record.history_type == "+"
        assert (record.level, record.status_text, record.goal_id) == (
            stored.level,
            stored.status_text,
            stored.goal_id,
        )
    # The ids came from the tables' own sequences: the next goal gets a new one.
    action = entry("01.06.01", 2022, "1–8/2022")
    later = Goal.objects.create(
        strategy=action.goal.strategy,
        year=2022,
        kind=Goal.Kind.ACTION,
        code="01.06.99",
        parent=action.goal.parent,
    )
    assert later.pk > max(goals.exclude(pk=later.pk).values_list("pk", flat=True))
