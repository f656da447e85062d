"""How long importing a legacy file takes at ten times Tuusula's size.

Tuusula's exports have about 50–60 rows a period; this builds a flat export of
ten times that (600 rows, plus 10 % blank lines) from the real file's texts and
times the first import, a re-import that changes nothing, and a dry run.

    .venv/bin/python bench/import_legacy.py            # a scratch SQLite database
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/seuranta_bench \
        .venv/bin/python bench/import_legacy.py        # an existing, empty PostgreSQL database
"""

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SCRATCH = Path(tempfile.mkdtemp()) / "bench.sqlite3"
os.environ.setdefault("DATABASE_URL", f"sqlite:///{SCRATCH}")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "seuranta.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from bench.exports import export_lines  # noqa: E402
from reports.legacy.importer import import_legacy_file  # noqa: E402

ROWS = 600


def build_export():
    header, lines = export_lines(ROWS, annual_per_goal=6, actions_per_annual=4)
    return "\n".join([header, *lines]).encode("utf-8"), ROWS


def timed(label, **kwargs):
    start = time.perf_counter()
    summary = import_legacy_file(**kwargs)
    seconds = time.perf_counter() - start
    print(
        f"{label:<28} {seconds * 1000:8.0f} ms   {summary.rows_read / seconds:8.0f} rows/s   "
        f"created {summary.created}, unchanged {summary.unchanged}"
    )


def main():
    call_command("migrate", verbosity=0)
    content, rows = build_export()
    print(f"database: {django.db.connection.vendor}; file: {rows} data rows, {len(content)} bytes")
    args = {"content": content, "filename": "bench.txt", "period": "1-8/2022", "term": "2021-2025"}
    timed("first import", **args)
    timed("same file again (no change)", **args)
    timed("dry run", dry_run=True, **args)


if __name__ == "__main__":
    main()
