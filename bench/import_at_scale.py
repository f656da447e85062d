"""A 10,000-row legacy import on PostgreSQL against its floor (csv parse + COPY).

Builds a flat tab-separated export in the format of bench/import_legacy.py (the real
demo file's header and texts, a blank line after every ten rows) but of 10,000 data
rows: 20 council-term goals × 20 annual goals × (the annual goal + 24 actions). The
reader refuses a file of more rows or bytes than reports/legacy/reader.py's upload
limits (MAX_ROWS, MAX_FILE_BYTES), so the rows are cut into as few files as those limits
allow, each with the header, all imported into the same period. Then, in a scratch
database of its own (seuranta_bench_import on the same server, migrated, dropped at the
end):

- the first import into a fresh period, through reports.legacy.importer.import_legacy_file;
- the same files again (nothing changes);
- reading and understanding the rows alone (reader + rows, no database);
- the floor: parsing the same bytes with the csv module and COPYing the 10,000 rows
  into a temporary table with psycopg (median of 5);
- the database's own share: the rows the first import wrote (goals, entries and both
  history tables) COPYed back as ready-made tuples into the emptied real tables, with
  their indexes, foreign keys (checked at commit) and write-ahead log, and committed
  (median of 3). No importer can write the same rows faster than this; it runs last, as
  it empties the tables.

    .venv/bin/python bench/import_at_scale.py
    .venv/bin/python bench/import_at_scale.py --rows 4000   # one file, if the limits allow
"""

import argparse
import csv
import io
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.exports import export_lines  # noqa: E402
from bench.scale import (  # noqa: E402
    create_database,
    database_url,
    drop_database,
    is_postgresql,
    libpq_url,
)

SCRATCH_NAME = "seuranta_bench_import"
FLOOR_TARGET = 10
COLUMNS = 7  # the header's: goal, annual goal, action, risks, overall status, level, text


def split_for_upload(header, lines, *, max_rows, max_bytes):
    """The lines cut into files of the header and at most `max_rows` lines and
    `max_bytes` bytes each."""
    files, current, size = [], [], 0
    header_size = len(header.encode()) + 1
    for line in lines:
        line_size = len(line.encode()) + 1
        if current and (len(current) >= max_rows or header_size + size + line_size > max_bytes):
            files.append(current)
            current, size = [], 0
        current.append(line)
        size += line_size
    files.append(current)
    return ["\n".join([header, *chunk]).encode("utf-8") for chunk in files]


def floor_ms(connection, files):
    """Parse the bytes with the csv module and COPY the data rows into a temporary table."""
    connection.execute("TRUNCATE legacy_rows")
    connection.commit()
    start = time.perf_counter()
    rows = []
    for content in files:
        reader = csv.reader(io.StringIO(content.decode("utf-8")), delimiter="\t")
        next(reader)  # the header
        rows += [(row + [""] * COLUMNS)[:COLUMNS] for row in reader if any(row)]
    with connection.cursor() as cursor, cursor.copy("COPY legacy_rows FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
    connection.commit()
    return (time.perf_counter() - start) * 1000, len(rows)


# What an import of new goals and entries writes, parents first.
WRITTEN_TABLES = (
    "goals_goal",
    "goals_historicalgoal",
    "reports_progressentry",
    "reports_historicalprogressentry",
)


def database_share_ms(connection):
    """COPY the imported rows back into their emptied tables and commit (see the docstring)."""
    rows = {}
    for table in WRITTEN_TABLES:
        cursor = connection.execute(f"SELECT * FROM {table}")
        rows[table] = ([column.name for column in cursor.description], cursor.fetchall())
    timings = []
    for _ in range(3):
        connection.execute(f"TRUNCATE {', '.join(WRITTEN_TABLES)} CASCADE")
        connection.commit()
        start = time.perf_counter()
        with connection.cursor() as cursor:
            for table, (columns, values) in rows.items():
                statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
                with cursor.copy(statement) as copy:
                    for row in values:
                        copy.write_row(row)
        connection.commit()  # the deferred foreign-key checks run here
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings), sum(len(values) for _columns, values in rows.values())


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=10_000, help="data rows (10,000)")
    args = parser.parse_args()
    server = database_url()
    if not is_postgresql(server):
        sys.exit(f"DATABASE_URL is not PostgreSQL: {server}")
    scratch = urlunsplit(urlsplit(server)._replace(path=f"/{SCRATCH_NAME}"))
    drop_database(scratch)  # left over from a run that was killed
    create_database(scratch)
    try:
        run(scratch, args.rows)
    finally:
        drop_database(scratch)  # WITH (FORCE): Django's open connection does not hold it


def run(scratch, rows):
    os.environ["DATABASE_URL"] = scratch
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "seuranta.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from reports.legacy import reader
    from reports.legacy.importer import import_legacy_file
    from reports.legacy.rows import understand

    call_command("migrate", verbosity=0)
    official = get_user_model().objects.create_superuser("bench", password="bench-password")
    header, lines = export_lines(rows, annual_per_goal=20, actions_per_annual=24)
    limits = {
        "max_rows": getattr(reader, "MAX_ROWS", len(lines)),
        "max_bytes": getattr(reader, "MAX_FILE_BYTES", 2**62),
    }
    files = split_for_upload(header, lines, **limits)
    load = f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"

    def import_all():
        start = time.perf_counter()
        summaries = [
            import_legacy_file(
                content=content,
                filename=f"bench-{number}.txt",
                period="1-8/2022",
                term="2021-2025",
                user=official,
            )
            for number, content in enumerate(files, start=1)
        ]
        return summaries, (time.perf_counter() - start) * 1000

    first, first_ms = import_all()
    again, again_ms = import_all()
    parsed = []
    for _ in range(3):
        start = time.perf_counter()
        for content in files:
            understand(reader.read_table(content, "bench.txt"))
        parsed.append((time.perf_counter() - start) * 1000)
    with psycopg.connect(libpq_url(scratch)) as connection:
        connection.execute(
            "CREATE TEMPORARY TABLE legacy_rows ("
            + ", ".join(f"c{number} text" for number in range(COLUMNS))
            + ")"
        )
        floors = [floor_ms(connection, files) for _ in range(5)]
        database_ms, written = database_share_ms(connection)
    floor = statistics.median(ms for ms, _rows in floors)
    copied = floors[0][1]
    parse_ms = statistics.median(parsed)

    print(
        f"\nPostgreSQL, scratch database {SCRATCH_NAME}; {rows} data rows "
        f"({sum(s.rows_read for s in first)} rows read with the blank lines) in {len(files)} "
        f"file(s) of {', '.join(f'{len(f) / 1024:.0f}' for f in files)} KB: the reader takes "
        f"at most {limits['max_rows']} rows and {limits['max_bytes'] / 2**20:.0f} MB a "
        f"file. {load} at the start.\n"
    )
    print("| step | time | rows/s |")
    print("|---|---:|---:|")
    print(
        f"| first import into a fresh period ({sum(s.created for s in first)} entries, "
        f"{sum(s.goals_created for s in first)} goals created) | {first_ms:.0f} ms | "
        f"{rows / first_ms * 1000:.0f} |"
    )
    print(
        f"| same files again ({sum(s.unchanged for s in again)} unchanged) | {again_ms:.0f} ms | "
        f"{rows / again_ms * 1000:.0f} |"
    )
    print(
        f"| of it: reading and understanding the rows (no database, median of 3) | "
        f"{parse_ms:.0f} ms | {rows / parse_ms * 1000:.0f} |"
    )
    print(
        f"| floor: csv parse + COPY of {copied} rows into a temporary table (median of 5) | "
        f"{floor:.0f} ms | {copied / floor * 1000:.0f} |"
    )
    print(
        f"| the database's share: COPY of the {written} rows it wrote, as ready tuples, into "
        f"the real tables, and commit (median of 3) | {database_ms:.0f} ms | "
        f"{written / database_ms * 1000:.0f} |"
    )
    ratio = first_ms / floor
    print(
        f"\nfirst import / floor = {ratio:.0f}× (target ≤ {FLOOR_TARGET}×: "
        f"{'met' if ratio <= FLOOR_TARGET else '**not met**'}); reading and understanding / "
        f"floor = {parse_ms / floor:.1f}×; the database's share / floor = "
        f"{database_ms / floor:.1f}×"
    )


if __name__ == "__main__":
    main()
