"""Backups without Docker (`make backup`, `make restore FILE=...`, the scripts docker-compose's
backup service runs) and what docker-compose.yml promises about what is published and trusted."""

import os
import re
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
LOCAL_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
LOCALHOST = {"127.0.0.1", "[::1]"}


def clean_env(**extra):
    """The environment of a shell on the server: no test settings, no outer make's flags."""
    dropped = {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "FILE", "MAKEFLAGS", "MFLAGS", "MAKELEVEL"}
    env = {key: value for key, value in os.environ.items() if key not in dropped}
    env.update(extra)
    return env


def make(*args, database_url, backup_dir):
    """`make backup` / `make restore FILE=...` as the README tells an operator to run them."""
    return subprocess.run(
        ["make", "--no-print-directory", *args],
        cwd=ROOT,
        env=clean_env(DATABASE_URL=database_url, BACKUP_DIR=str(backup_dir)),
        capture_output=True,
        text=True,
        timeout=120,
    )


def manage(*args, database_url):
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean_env(DATABASE_URL=database_url),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr + result.stdout


# --- PostgreSQL: the production database ---


@pytest.fixture
def scratch_database():
    """A PostgreSQL database of its own, dropped afterwards whatever happens."""
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://")):
        base = LOCAL_POSTGRES_URL
    try:
        psycopg.connect(base, connect_timeout=3).close()
    except psycopg.OperationalError:
        reason = f"no PostgreSQL answers at {base} to run pg_dump and pg_restore against"
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    name = f"seuranta_backup_test_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(base, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield base.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(base, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def entries(database_url):
    """Every progress entry's status text by id, and how many entries the public sees."""
    with psycopg.connect(database_url) as connection:
        texts = dict(connection.execute("SELECT id, status_text FROM reports_progressentry"))
        (published,) = connection.execute("SELECT count(*) FROM reports_publishedentry").fetchone()
    return texts, published


def test_it_restores_a_postgresql_backup_over_deleted_entries(scratch_database, tmp_path):
    manage("migrate", "--no-input", "-v0", database_url=scratch_database)
    manage("load_demo", database_url=scratch_database)
    texts, published = entries(scratch_database)
    entry_id, text = max((pk, text) for pk, text in texts.items() if text)
    assert len(texts) > 100 and published > 100

    backed_up = make("backup", database_url=scratch_database, backup_dir=tmp_path)

    assert backed_up.returncode == 0, backed_up.stderr + backed_up.stdout
    (dump,) = tmp_path.iterdir()
    assert re.fullmatch(r"seuranta-\d{8}T\d{6}Z\.dump", dump.name)
    assert str(dump) in backed_up.stdout

    delete = "from reports.models import ProgressEntry; ProgressEntry.objects.all().delete()"
    manage("shell", "-c", delete, database_url=scratch_database)
    assert entries(scratch_database) == ({}, 0)

    restored = make("restore", f"FILE={dump}", database_url=scratch_database, backup_dir=tmp_path)

    assert restored.returncode == 0, restored.stderr + restored.stdout
    texts_after, published_after = entries(scratch_database)
    assert len(texts_after) == len(texts)
    assert texts_after[entry_id] == text
    assert texts_after == texts
    assert published_after == published


# --- SQLite: a fresh checkout's database ---


@pytest.fixture
def sqlite_database(tmp_path):
    path = tmp_path / "seuranta.sqlite3"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE entry (status_text TEXT)")
        connection.execute("INSERT INTO entry VALUES ('Toteutunut suunnitellusti')")
    connection.close()
    return path


def status_texts(path):
    connection = sqlite3.connect(path)
    try:
        return [text for (text,) in connection.execute("SELECT status_text FROM entry")]
    finally:
        connection.close()


def test_it_restores_a_sqlite_backup(sqlite_database, tmp_path):
    url = f"sqlite:///{sqlite_database}"
    backups = tmp_path / "backups"

    backed_up = make("backup", database_url=url, backup_dir=backups)
    assert backed_up.returncode == 0, backed_up.stderr + backed_up.stdout
    (copy,) = backups.iterdir()
    assert re.fullmatch(r"seuranta-\d{8}T\d{6}Z\.sqlite3", copy.name)
    with sqlite3.connect(sqlite_database) as connection:
        connection.execute("DELETE FROM entry")
    connection.close()

    restored = make("restore", f"FILE={copy}", database_url=url, backup_dir=backups)

    assert restored.returncode == 0, restored.stderr + restored.stdout
    assert status_texts(sqlite_database) == ["Toteutunut suunnitellusti"]


def test_it_keeps_backups_readable_by_their_owner_only(sqlite_database, tmp_path):
    backups = tmp_path / "backups"

    make("backup", database_url=f"sqlite:///{sqlite_database}", backup_dir=backups)

    (copy,) = backups.iterdir()
    assert copy.stat().st_mode & 0o077 == 0
    assert backups.stat().st_mode & 0o077 == 0


def test_it_refuses_to_restore_without_a_file(sqlite_database, tmp_path):
    result = make("restore", database_url=f"sqlite:///{sqlite_database}", backup_dir=tmp_path)

    assert result.returncode != 0
    assert "usage: make restore FILE=" in result.stderr
    assert status_texts(sqlite_database) == ["Toteutunut suunnitellusti"]


def test_it_refuses_a_database_it_cannot_back_up(tmp_path):
    result = make("backup", database_url="mysql://seuranta@db/seuranta", backup_dir=tmp_path)

    assert result.returncode != 0
    assert "neither PostgreSQL nor SQLite" in result.stderr
    assert list(tmp_path.iterdir()) == []


# --- docker-compose.yml, as `docker compose` reads it when only the required variables are set ---


def compose_services():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))["services"]


def by_default(value):
    """A value with ${NAME:-default} and ${NAME-default} read as their defaults."""
    return re.sub(r"\$\{\w+:?-([^}]*)\}", r"\1", str(value))


def environment(service):
    env = service.get("environment", {})
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return env


def published_host_addresses(service):
    """The host address of every published port; none written means all interfaces."""
    for port in service.get("ports", []):
        if isinstance(port, dict):
            yield by_default(port.get("host_ip", "0.0.0.0"))
        else:
            parts = by_default(port).rsplit(":", 2)
            yield parts[0] if len(parts) == 3 else "0.0.0.0"


def test_it_publishes_the_app_on_localhost_only_by_default():
    services = compose_services()

    assert list(published_host_addresses(services["web"])) == ["127.0.0.1"]
    for name, service in services.items():
        assert set(published_host_addresses(service)) <= LOCALHOST, name
        assert service.get("network_mode") != "host", name


def test_it_publishes_neither_the_database_nor_the_cache():
    services = compose_services()

    assert "ports" not in services["db"]
    assert "ports" not in services["redis"]
    assert environment(services["web"])["REDIS_URL"] == "redis://redis:6379/0"


def test_it_has_no_default_database_password():
    text = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    services = compose_services()

    uses = re.findall(r"\$\{POSTGRES_PASSWORD([^}]*)\}", text)
    assert uses and all(use.startswith(":?") for use in uses)
    assert environment(services["db"])["POSTGRES_PASSWORD"].startswith("${POSTGRES_PASSWORD:?")
    for name in ("web", "backup"):
        assert "${POSTGRES_PASSWORD:?" in environment(services[name])["DATABASE_URL"], name


def test_it_believes_forwarded_headers_only_from_the_proxy():
    web = environment(compose_services()["web"])

    assert by_default(web["FORWARDED_ALLOW_IPS"]) == "127.0.0.1"
    assert "*" not in web["FORWARDED_ALLOW_IPS"]


def test_it_restarts_and_health_checks_every_long_running_service():
    for name, service in compose_services().items():
        if "backup" in service.get("profiles", []):
            continue
        assert service["restart"] == "unless-stopped", name
        assert service["healthcheck"]["test"], name


def test_it_backs_up_into_backups_with_the_script_make_backup_runs():
    backup = compose_services()["backup"]

    assert backup["profiles"] == ["backup"]
    assert backup["command"] == ["deploy/backup"]
    assert "./backups:/app/backups" in backup["volumes"]
