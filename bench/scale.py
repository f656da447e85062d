"""Builds the data of the hardening issue's performance figures into PostgreSQL, fast.

One strategy 2021–2025 with 20 council-term goals; each of its five years has its own
2,000 annual goals and actions (20 × 10 annual goals × (1 + 9 actions), codes like
07.10.05) and six published reporting periods (1–2, 1–4, 1–6, 1–8, 1–10 and the whole
year): 30 published periods of 2,000 published entries each, texts of about 300
characters taken from the demo's real Finnish ones.

This is a fixture for a benchmark, so it writes with bulk_create and never through
reports/services.py: no history rows, no versions raised one by one, no audit. Public
pages read only PublishedEntry, which is written here exactly as publishing writes it.

    .venv/bin/python bench/scale.py --create        # makes seuranta_bench and fills it
    .venv/bin/python bench/scale.py --create --years 1    # 6 periods: to see what grows
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/other \\
        .venv/bin/python bench/scale.py             # an existing, empty PostgreSQL database
    .venv/bin/python bench/scale.py --drop          # drops the bench database again

DATABASE_URL defaults to postgresql://postgres@127.0.0.1:5432/seuranta_bench. Only a
database whose name starts with "seuranta_bench" is used unless --any-name is given, and
only such a database is ever created or dropped.
"""

import argparse
import datetime
import os
import random
import re
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_URL = "postgresql://postgres@127.0.0.1:5432/seuranta_bench"
BENCH_PREFIX = "seuranta_bench"
ANY_NAME_HELP = "use a database not named seuranta_bench* (never created or dropped)"
DEMO_FILES = [
    ROOT / "demo" / "legacy" / "000_a8e44899ba0fbea9.txt",
    ROOT / "demo" / "legacy" / "002_af82b7c5da5914c7.txt",
]

FIRST_YEAR, LAST_YEAR = 2021, 2025
TERM_GOALS = 20
ANNUAL_PER_TERM_GOAL = 10
ACTIONS_PER_ANNUAL = 9  # 20 × 10 × (1 + 9) = 2,000 annual goals and actions a year
PERIOD_MONTHS = [2, 4, 6, 8, 10, 12]  # 1–2/2021 … 1–10/2021, then the whole year 2021
BATCH = 2000

ROLES = ["johtaja", "päällikkö", "suunnittelija", "asiantuntija"]
AREAS = [
    "Talous",
    "Henkilöstö",
    "Hallinto",
    "Sivistys",
    "Opetus",
    "Varhaiskasvatus",
    "Kulttuuri",
    "Liikunta",
    "Nuoriso",
    "Kaavoitus",
    "Ympäristö",
    "Rakennusvalvonta",
    "Tietohallinto",
    "Viestintä",
    "Elinvoima",
    "Maankäyttö",
]


def database_url():
    return os.environ.get("DATABASE_URL") or BENCH_URL


def bench_database_url(*, any_name=False):
    """DATABASE_URL (by default the bench database), if it is PostgreSQL and, unless
    `any_name`, named seuranta_bench*: an empty database of someone else's is no target."""
    url = database_url()
    if not is_postgresql(url):
        sys.exit(f"DATABASE_URL is not PostgreSQL: {url}")
    name = database_name(url)
    if not any_name and not name.startswith(BENCH_PREFIX):
        sys.exit(f"{name!r} is not named {BENCH_PREFIX}*; pass --any-name to use it all the same")
    return url


def database_name(url):
    return urlsplit(url).path.lstrip("/")


def is_postgresql(url):
    return urlsplit(url).scheme in {"postgres", "postgresql", "pgsql"}


def maintenance_url(url):
    """The same server's `postgres` database, to create and drop others from."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))


def libpq_url(url):
    return urlunsplit(urlsplit(url)._replace(scheme="postgresql"))


def exists(connection, name):
    query = "SELECT 1 FROM pg_database WHERE datname = %s"
    return connection.execute(query, [name]).fetchone() is not None


def create_database(url):
    name = database_name(url)
    if not name.startswith(BENCH_PREFIX):
        sys.exit(f"refusing to create {name!r}: only databases named {BENCH_PREFIX}*")
    with psycopg.connect(maintenance_url(url), autocommit=True) as connection:
        if exists(connection, name):
            sys.exit(f"database {name!r} exists already; drop it first (bench/scale.py --drop)")
        connection.execute(f'CREATE DATABASE "{name}"')


def drop_database(url):
    """Drop a bench database (never one whose name does not start with seuranta_bench)."""
    name = database_name(url)
    if not name.startswith(BENCH_PREFIX):
        sys.exit(f"refusing to drop {name!r}: only databases named {BENCH_PREFIX}*")
    with psycopg.connect(maintenance_url(url), autocommit=True) as connection:
        if exists(connection, name):
            connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            print(f"dropped database {name}")


def require_empty(url):
    with psycopg.connect(libpq_url(url)) as connection:
        tables = connection.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchone()[0]
    if tables:
        sys.exit(f"database {database_name(url)!r} is not empty ({tables} tables); refusing")


class Texts:
    """Goal titles, status texts and risks made of the demo files' real Finnish texts."""

    def __init__(self, rng):
        self.rng = rng
        titles, sentences, risks = ([], [], []), [], []
        for path in DEMO_FILES:
            for line in path.read_text(encoding="utf-8").split("\n")[3:]:
                cells = line.split("\t")
                if len(cells) < 7:
                    continue
                for level in range(3):
                    title = re.sub(r"^[\d.]+\s*", "", cells[level].strip())
                    if title and title not in titles[level]:
                        titles[level].append(title)
                if cells[3].strip():
                    risks.append(cells[3].strip())
                sentences += [s.strip() for s in re.split(r"(?<=\.)\s+", cells[6]) if s.strip()]
        self.titles, self.sentences, self.risks = titles, sentences, risks

    def title(self, level, number):
        return self.titles[level][number % len(self.titles[level])]

    def status_text(self):
        """About 300 characters: whole sentences until the text is at least 260 long."""
        text = ""
        while len(text) < 260:
            text = f"{text} {self.rng.choice(self.sentences)}".strip()
        return text[:600]

    def risk(self):
        return self.rng.choice(self.risks) if self.rng.random() < 0.6 else ""


def build(years):
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from goals.models import Department, Goal, ResponsiblePerson, Strategy
    from reports.models import ProgressEntry, PublishedEntry, ReportingPeriod

    rng = random.Random(2021)
    texts = Texts(rng)
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrated = time.perf_counter()

    with transaction.atomic():
        department = Department.objects.create(name="Konsernipalvelut")
        persons = ResponsiblePerson.objects.bulk_create(
            ResponsiblePerson(title=f"{area}{role}", department=department)
            for area in AREAS
            for role in ROLES
        )
        strategy = Strategy.objects.create(
            start_year=FIRST_YEAR, end_year=LAST_YEAR, name=f"Strategia {FIRST_YEAR}–{LAST_YEAR}"
        )
        term_goals = Goal.objects.bulk_create(
            Goal(
                strategy=strategy,
                kind=Goal.Kind.GOAL,
                code=f"{number:02}.",
                title=texts.title(0, number),
                responsible=rng.choice(persons),
            )
            for number in range(1, TERM_GOALS + 1)
        )
        entry_count = 0
        for year in range(FIRST_YEAR, FIRST_YEAR + years):
            annual_goals = Goal.objects.bulk_create(
                Goal(
                    strategy=strategy,
                    year=year,
                    kind=Goal.Kind.ANNUAL_GOAL,
                    code=f"{term_goal.code}{annual:02}",
                    title=texts.title(1, annual * 7 + year),
                    parent=term_goal,
                    responsible=rng.choice(persons),
                )
                for term_goal in term_goals
                for annual in range(1, ANNUAL_PER_TERM_GOAL + 1)
            )
            actions = Goal.objects.bulk_create(
                (
                    Goal(
                        strategy=strategy,
                        year=year,
                        kind=Goal.Kind.ACTION,
                        code=f"{annual_goal.code}.{action:02}",
                        title=texts.title(2, action * 13 + annual_goal.pk),
                        parent=annual_goal,
                        responsible=rng.choice(persons),
                    )
                    for annual_goal in annual_goals
                    for action in range(1, ACTIONS_PER_ANNUAL + 1)
                ),
                batch_size=BATCH,
            )
            goals = annual_goals + actions
            # Each goal's level climbs through the year, now and then falling back.
            level = {goal.pk: rng.choice([1, 1, 2, 2, 3]) for goal in goals}
            for months in PERIOD_MONTHS:
                label = str(year) if months == 12 else f"1–{months}/{year}"
                _year, start, end = ReportingPeriod.dates_for(label)
                published_at = timezone.make_aware(
                    datetime.datetime.combine(end + datetime.timedelta(days=20), datetime.time(9))
                )
                period = ReportingPeriod.objects.create(
                    strategy=strategy,
                    year=year,
                    label=label,
                    start_date=start,
                    end_date=end,
                    published=True,
                    published_at=published_at,
                )
                entries = []
                for goal in goals:
                    step = rng.random()
                    if step < 0.3:
                        level[goal.pk] = min(5, level[goal.pk] + 1)
                    elif step < 0.35:
                        level[goal.pk] = max(1, level[goal.pk] - 1)
                    entries.append(
                        ProgressEntry(
                            period=period,
                            goal=goal,
                            level=None if rng.random() < 0.04 else level[goal.pk],
                            status_text=texts.status_text(),
                            risks=texts.risk(),
                            overall_status=rng.choice(["", "", "green", "green", "yellow", "red"]),
                            responsible_id=goal.responsible_id,
                            review_state=ProgressEntry.ReviewState.PUBLISHED,
                            version=3,  # entered, approved, published
                            content_version=1,
                        )
                    )
                entries = ProgressEntry.objects.bulk_create(entries, batch_size=BATCH)
                PublishedEntry.objects.bulk_create(
                    (
                        PublishedEntry(
                            entry=entry,
                            period=period,
                            goal_id=entry.goal_id,
                            level=entry.level,
                            status_text=entry.status_text,
                            risks=entry.risks,
                            overall_status=entry.overall_status,
                            responsible_id=entry.responsible_id,
                            version=entry.version,
                            published_at=published_at,
                        )
                        for entry in entries
                    ),
                    batch_size=BATCH,
                )
                entry_count += len(entries)
            print(f"  {year}: {len(goals)} annual goals and actions, {len(PERIOD_MONTHS)} periods")
    written = time.perf_counter()
    # Statistics, as autovacuum would have them on a database that has been in use.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    done = time.perf_counter()
    periods = ReportingPeriod.objects.published().count()
    print(
        f"{periods} published periods, {entry_count} entries (each with its published "
        f"version), {Goal.objects.count()} goals, {len(persons)} persons\n"
        f"migrate {migrated - started:.1f} s, data {written - migrated:.1f} s, "
        f"VACUUM ANALYZE {done - written:.1f} s; {done - started:.1f} s in all"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--create", action="store_true", help="create the database first")
    parser.add_argument("--drop", action="store_true", help="drop the database and stop")
    parser.add_argument(
        "--years", type=int, default=5, help="years of six published periods each (default 5)"
    )
    parser.add_argument("--any-name", action="store_true", help=ANY_NAME_HELP)
    args = parser.parse_args()
    url = bench_database_url(any_name=args.any_name)
    if args.drop:
        drop_database(url)
        return
    if not 1 <= args.years <= LAST_YEAR - FIRST_YEAR + 1:
        sys.exit(f"--years: 1 to 5 (the strategy is {FIRST_YEAR}–{LAST_YEAR})")
    if args.create:
        create_database(url)
    require_empty(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "seuranta.settings")
    print(f"building into {database_name(url)}")
    build(args.years)


if __name__ == "__main__":
    main()
