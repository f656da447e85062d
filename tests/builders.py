"""Small helpers shared by the tests: the real legacy files and ways to run the importer."""

import io
import json
from contextlib import contextmanager
from pathlib import Path

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.urls import clear_url_caches
from django.utils import translation

from goals.models import Department, PersonAlias, ResponsiblePerson

ROOT = Path(__file__).resolve().parent.parent
LEGACY = ROOT / "demo" / "legacy"
FILE_2022 = LEGACY / "000_a8e44899ba0fbea9.txt"
FILE_2021 = LEGACY / "001_0b0f9272e7aa69ab.txt"
FILE_2023 = LEGACY / "002_af82b7c5da5914c7.txt"
PERIOD_OF = {
    FILE_2022: ("1-8/2022", "2021-2025"),
    FILE_2021: ("1-9/2021", "2017-2021"),
    FILE_2023: ("1-8/2023", "2021-2025"),
}


def add_demo_persons():
    manifest = json.loads((ROOT / "demo" / "persons.json").read_text(encoding="utf-8"))
    department = Department.objects.create(name=manifest["departments"][0])
    persons = {}
    for item in manifest["persons"]:
        person = ResponsiblePerson.objects.create(title=item["title"], department=department)
        for alias in item["aliases"]:
            PersonAlias.objects.create(person=person, alias=alias)
        persons[item["title"]] = person
    return persons


def run_import(path, *extra, period=None, term=None):
    """Run the import_legacy command on a file; returns its JSON summary."""
    default_period, default_term = PERIOD_OF.get(Path(path), (None, None))
    out = io.StringIO()
    call_command(
        "import_legacy",
        str(path),
        "--period",
        period or default_period,
        "--term",
        term or default_term,
        "--json",
        *extra,
        stdout=out,
    )
    return json.loads(out.getvalue())


def table_counts():
    """Rows in every table of Seuranta's own apps, but uploads waiting for confirmation."""
    models = [
        *apps.get_app_config("goals").get_models(),
        *apps.get_app_config("reports").get_models(),
    ]
    return {
        model._meta.label: model.objects.count()
        for model in models
        if model._meta.label != "reports.PendingImport"
    }


@contextmanager
def use_language(settings, code):
    """Make `code` the site's default language for one test.

    URL reversing caches the language prefix per language, so the caches are cleared
    whenever the default changes.
    """
    settings.LANGUAGE_CODE = code
    clear_url_caches()
    try:
        with translation.override(code):
            yield
    finally:
        clear_url_caches()


@contextmanager
def default_language(code):
    """Make `code` the site's default language outside a test, where no `settings` fixture is
    at hand: while a module-scoped fixture builds its data. The importer's anomalies and the
    notices keep their texts in the language they were written in, so the data is built in
    the language its tests read it in, as use_language would have it for one test."""
    with override_settings(LANGUAGE_CODE=code):
        clear_url_caches()
        try:
            with translation.override(code):
                yield
        finally:
            clear_url_caches()


@contextmanager
def rolled_back_after_the_module(django_db_blocker):
    """Keep data built once for a test module, rather than once for each of its tests, until
    the module's end, and leave nothing of it behind.

    A module-scoped fixture builds and yields inside this. The data stays in a transaction
    open while the module's tests run, rolled back after the last; each test runs inside it
    in a savepoint of its own (the `db` fixture's), so what one test writes the next does not
    see. The module's database tests run in file order, and every one after the first that
    asks for the data sees it too: a test that needs an empty database comes before that one.
    A test with transaction=True or a live server cannot use the data: it commits, or reads
    from another connection.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)


def official():
    """A user in the officials' group (the strategy team), with admin access."""
    from django.contrib.auth.models import Group

    from reports.rules import OFFICIALS_GROUP

    user, created = get_user_model().objects.get_or_create(
        username="virkailija", defaults={"is_staff": True}
    )
    if created:
        user.set_password("virkailija-salasana")
        user.save()
        user.groups.add(Group.objects.get(name=OFFICIALS_GROUP))
    return user


def publish(period):
    """Approve and publish every submitted entry of a period, as an official would."""
    from reports.models import ProgressEntry
    from reports.services import publish_period, review_entries

    user = official()
    review_entries(
        period.entries.filter(review_state=ProgressEntry.ReviewState.SUBMITTED),
        user=user,
        approve=True,
    )
    publish_period(period, user=user)


class World:
    """A small term with an open and a closed period, two reporters and every other role.

    Person A answers for action 01.01.01, person B for 01.01.02; `staff_a` and
    `staff_b` are their logins.
    """

    def __init__(self):
        import datetime

        from django.contrib.auth.models import Group

        from goals.models import Goal, Strategy
        from reports.models import ProgressEntry, ReportingPeriod
        from reports.rules import ADMINISTRATORS_GROUP, STAFF_GROUP

        User = get_user_model()
        self.strategy = Strategy.objects.create(start_year=2021, end_year=2025)
        goal = Goal.objects.create(strategy=self.strategy, kind="goal", code="01.", title="Goal")
        annual = Goal.objects.create(
            strategy=self.strategy,
            year=2024,
            kind="annual_goal",
            code="01.01",
            title="Annual",
            parent=goal,
        )
        self.person_a = ResponsiblePerson.objects.create(title="Talousjohtaja")
        self.person_b = ResponsiblePerson.objects.create(title="Hallintojohtaja")
        self.goal_a = Goal.objects.create(
            strategy=self.strategy,
            year=2024,
            kind="action",
            code="01.01.01",
            title="Action A",
            parent=annual,
            responsible=self.person_a,
        )
        self.goal_b = Goal.objects.create(
            strategy=self.strategy,
            year=2024,
            kind="action",
            code="01.01.02",
            title="Action B",
            parent=annual,
            responsible=self.person_b,
        )

        def period(label, first, last, **extra):
            return ReportingPeriod.objects.create(
                strategy=self.strategy,
                year=2024,
                label=label,
                start_date=datetime.date(2024, first, 1),
                end_date=datetime.date(2024, last, 28),
                **extra,
            )

        self.closed = period("1–4/2024", 1, 4, is_open=False)
        self.open = period("1–8/2024", 1, 8, is_open=True)
        self.entries = {}
        for period_, key in ((self.closed, "closed"), (self.open, "open")):
            for goal_, person, who in (
                (self.goal_a, self.person_a, "a"),
                (self.goal_b, self.person_b, "b"),
            ):
                self.entries[(key, who)] = ProgressEntry.objects.create(
                    period=period_,
                    goal=goal_,
                    responsible=person,
                    level=2 if key == "closed" else None,
                    status_text=f"Earlier text {who}" if key == "closed" else "",
                    review_state="approved" if key == "closed" else "draft",
                )

        def user(name, group=None, **extra):
            account = User.objects.create_user(name, password="x-long-password", **extra)
            if group:
                account.groups.add(Group.objects.get(name=group))
            return account

        self.staff_a = user("staff_a", STAFF_GROUP)
        self.staff_b = user("staff_b", STAFF_GROUP)
        self.person_a.user = self.staff_a
        self.person_a.save()
        self.person_b.user = self.staff_b
        self.person_b.save()
        self.official = official()
        self.administrator = user("admin", ADMINISTRATORS_GROUP, is_staff=True)

    def entry(self, period, who):
        entry = self.entries[(period, who)]
        entry.refresh_from_db()
        return entry
