"""Backup and restore of DATABASE_URL's database: what `deploy/backup` and `deploy/restore` run.

PostgreSQL through pg_dump / pg_restore, SQLite through sqlite3's online backup API, so a
backup is consistent while the app is running. The standard library only: the scripts run
with any python3, outside the virtualenv and in the app's image (docker-compose's `backup`
service), without loading Django.
"""

import datetime
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
# What seuranta/settings.py uses when DATABASE_URL is unset.
DEFAULT_DATABASE_URL = f"sqlite:///{ROOT / 'db.sqlite3'}"
POSTGRES_SCHEMES = {"postgres", "postgresql", "pgsql"}
POSTGRES_MAGIC = b"PGDMP"  # the first bytes of pg_dump's custom format
SQLITE_MAGIC = b"SQLite format 3\x00"


class Refused(Exception):
    """A reason to stop before touching anything, shown to the operator as it is."""


def database_url():
    return os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL


def backup_dir():
    return Path(os.environ.get("BACKUP_DIR") or ROOT / "backups")


def scheme_of(url):
    return url.split(":", 1)[0].lower()


def sqlite_path(url):
    """The database file of a sqlite:// URL, read the way dj-database-url reads it."""
    name = unquote(urlsplit(url).path[1:])
    if not name or name == ":memory:":
        raise Refused("DATABASE_URL names an in-memory SQLite database: nothing to back up")
    return Path(name)


def postgres_connection(url):
    """libpq's connection string and environment for a postgres:// URL.

    The password goes into PGPASSWORD, not the command line, where `ps` would show it.
    """
    parts = urlsplit(url)
    keywords = {
        "host": unquote(parts.hostname or ""),
        "port": str(parts.port or ""),
        "user": unquote(parts.username or ""),
        "dbname": unquote(parts.path[1:]),
        **dict(parse_qsl(parts.query)),  # sslmode and the like, as the app passes them
    }
    conninfo = " ".join(
        "{}='{}'".format(key, value.replace("\\", "\\\\").replace("'", "\\'"))
        for key, value in keywords.items()
        if value
    )
    env = dict(os.environ)
    if parts.password:
        env["PGPASSWORD"] = unquote(parts.password)
    return conninfo, env


def refuse_other_databases(url):
    raise Refused(
        f"DATABASE_URL is neither PostgreSQL nor SQLite ({scheme_of(url)}://): "
        "back it up with that database's own tools"
    )


def backup():
    """Write backups/seuranta-<UTC timestamp>.dump (PostgreSQL) or .sqlite3; return its path."""
    url = database_url()
    scheme = scheme_of(url)
    if scheme not in POSTGRES_SCHEMES and scheme != "sqlite":
        refuse_other_databases(url)
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    suffix = ".dump" if scheme in POSTGRES_SCHEMES else ".sqlite3"
    directory = backup_dir()
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    target = directory / f"seuranta-{stamp}{suffix}"
    if target.exists():
        raise Refused(f"{target} exists already: try again in a second")
    # Written under another name first, so a failed backup never looks like a good one.
    partial = target.with_name(target.name + ".partial")
    try:
        if scheme in POSTGRES_SCHEMES:
            conninfo, env = postgres_connection(url)
            command = ["pg_dump", "--format=custom", "--no-owner", "--no-password"]
            run([*command, f"--file={partial}", f"--dbname={conninfo}"], env=env)
        else:
            source = sqlite_path(url)
            if not source.is_file():
                raise Refused(f"no SQLite database at {source}")
            copy_sqlite(source, partial)
        partial.rename(target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def restore(file):
    """Replace DATABASE_URL's data with the backup in `file`, in one transaction."""
    path = Path(file)
    if not path.is_file():
        raise Refused(f"no backup at {path}")
    with path.open("rb") as handle:
        head = handle.read(len(SQLITE_MAGIC))
    url = database_url()
    scheme = scheme_of(url)
    if scheme in POSTGRES_SCHEMES:
        if not head.startswith(POSTGRES_MAGIC):
            raise Refused(f"{path} is not a pg_dump archive; DATABASE_URL is PostgreSQL")
        conninfo, env = postgres_connection(url)
        command = ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction"]
        run([*command, "--no-password", f"--dbname={conninfo}", str(path)], env=env)
    elif scheme == "sqlite":
        if head != SQLITE_MAGIC:
            raise Refused(f"{path} is not a SQLite database; DATABASE_URL is SQLite")
        copy_sqlite(path, sqlite_path(url))
    else:
        refuse_other_databases(url)


def copy_sqlite(source_path, target):
    """Copy with SQLite's online backup API: consistent even while the app writes."""
    # Read-only, so a mistyped path is never created as an empty database.
    source = sqlite3.connect(source_path.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        destination = sqlite3.connect(target)
        try:
            source.backup(destination)
        finally:
            destination.close()
    finally:
        source.close()


def run(command, *, env):
    try:
        result = subprocess.run(command, env=env, stdin=subprocess.DEVNULL)
    except FileNotFoundError:
        raise Refused(f"{command[0]} is not installed (PostgreSQL's client tools)") from None
    if result.returncode != 0:
        # pg_restore runs in one transaction: when it fails, the database is as it was.
        nothing = "; nothing was changed" if command[0] == "pg_restore" else ""
        raise Refused(f"{command[0]} failed with exit code {result.returncode}{nothing}")


def main(argv):
    # Backups hold every account's password hash: readable by their owner only.
    os.umask(0o077)
    action, *args = argv
    try:
        if action == "backup" and not args:
            print(backup())
        elif action == "restore" and len(args) == 1:
            restore(args[0])
            print(f"restored {args[0]} into DATABASE_URL's database")
        else:
            usage = "deploy/backup" if action == "backup" else "deploy/restore FILE"
            print(f"usage: {usage}", file=sys.stderr)
            return 2
    except Refused as reason:
        print(f"{action}: {reason}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
