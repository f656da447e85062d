"""Production settings and the production start path (deploy/start), without Docker."""

import http.client
import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_SECRET = "a-production-secret-" + "x7Kq2" * 10


def production_env(**extra):
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "DEBUG",
            "DATABASE_URL",
            "SECRET_KEY",
            "DJANGO_SETTINGS_MODULE",
            "DJANGO_ALLOW_ASYNC_UNSAFE",  # set for the browser tests' live server only
        }
    }
    env.update(
        DEBUG="0",
        SECRET_KEY=PRODUCTION_SECRET,
        ALLOWED_HOSTS="seuranta.example.fi,127.0.0.1",
        PATH=f"{Path(sys.executable).parent}:{env.get('PATH', '')}",
    )
    env.update(extra)
    return env


def manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_it_passes_the_deployment_checks_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())

    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off():
    env = production_env()
    del env["SECRET_KEY"]

    result = manage("check", env=env)

    assert result.returncode != 0
    assert "seuranta.E001" in result.stderr


@pytest.fixture
def production_database(tmp_path):
    """A database of its own for the started server: PostgreSQL when the tests run on it."""
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        yield f"sqlite:///{tmp_path / 'production.sqlite3'}"
        return
    base = os.environ["DATABASE_URL"]
    name = f"seuranta_start_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(base, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield base.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(base, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(port, path, **headers):
    """One request, redirects not followed, as the proxy in front of the app would send it."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", path, headers={"Host": "seuranta.example.fi", **headers})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def test_it_starts_migrated_under_gunicorn_and_serves_static_files(tmp_path, production_database):
    port = free_port()
    env = production_env(
        DATABASE_URL=production_database,
        BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="1",
        BEHIND_TLS_PROXY="1",
        STATIC_ROOT=str(tmp_path / "static"),
    )
    del env["DEBUG"]  # deploy/start itself must keep DEBUG off
    server = subprocess.Popen(
        ["deploy/start"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 90
        status = None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                status, _headers, body = get(port, "/", **{"X-Forwarded-Proto": "https"})
                break
            except OSError:
                time.sleep(0.5)
        assert server.poll() is None, server.stdout.read().decode()
        assert status == 200
        assert "Seuranta" in body.decode()

        status, _headers, _body = get(
            port, "/static/admin/css/base.css", **{"X-Forwarded-Proto": "https"}
        )
        assert status == 200

        status, headers, _body = get(port, "/")
        assert status == 301
        assert headers["Location"].startswith("https://seuranta.example.fi/")
    finally:
        server.terminate()
        server.wait(timeout=30)


def start(port, database, static_root):
    """deploy/start under gunicorn on `port`; returns the process once it answers."""
    env = production_env(
        DATABASE_URL=database,
        BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="1",
        BEHIND_TLS_PROXY="1",
        STATIC_ROOT=str(static_root),
    )
    server = subprocess.Popen(
        ["deploy/start"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and server.poll() is None:
        try:
            get(port, "/about/", **{"X-Forwarded-Proto": "https"})
            return server
        except OSError:
            time.sleep(0.5)
    server.terminate()
    raise AssertionError(server.stdout.read().decode())


def test_it_serves_the_same_published_data_from_two_processes(tmp_path, production_database):
    """Two gunicorn processes on one database, each with its own cache and disk: a
    publishing made elsewhere shows on both at once."""
    env = production_env(DATABASE_URL=production_database)
    assert manage("migrate", "--no-input", env=env).returncode == 0
    assert manage("load_demo", env=env).returncode == 0
    ports = [free_port(), free_port()]
    servers = [start(port, production_database, tmp_path / f"static{port}") for port in ports]
    https = {"X-Forwarded-Proto": "https"}
    try:
        goal_page = manage(
            "shell",
            "-v",
            "0",
            "-c",
            "from goals.models import Goal; print(Goal.objects.get(code='01.06.01', year=2022).pk)",
            env=env,
        ).stdout.strip()
        url = f"/goals/{goal_page}/"
        before = [get(port, url, **https) for port in ports]
        republish = manage(
            "shell",
            "-c",
            "from django.contrib.auth import get_user_model\n"
            "from reports.models import ProgressEntry\n"
            "from reports.services import edit_entry, publish_entries\n"
            "user = get_user_model().objects.get(username='demo')\n"
            "entry = ProgressEntry.objects.get(goal__code='01.06.01', period__label='1–8/2022')\n"
            "edit_entry(entry, user=user, loaded_version=entry.version,"
            " values={'status_text': 'Republished from a third process'})\n"
            "publish_entries([entry], user=user)\n",
            env=env,
        )
        after = [get(port, url, **https) for port in ports]
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=30)

    assert republish.returncode == 0, republish.stderr
    assert [status for status, _headers, _body in before + after] == [200] * 4
    assert before[0][2] == before[1][2]
    assert all(b"Republished from a third process" not in body for _s, _h, body in before)
    assert all(b"Republished from a third process" in body for _s, _h, body in after)
    assert after[0][1]["ETag"] == after[1][1]["ETag"] != before[0][1]["ETag"]
