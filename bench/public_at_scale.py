"""Public pages at 30 published periods of 2,000 entries, over HTTP, under gunicorn.

Starts the app as production does (deploy/start: migrate, collectstatic, gunicorn with
one worker, DEBUG off) on the database that bench/scale.py built, and requests every
public page over real HTTP from one client:

- cold: the page's first request after the start;
- median and p90 of N requests of the same URL (what a resident repeating a visit gets:
  served from the app's cache, if it has one);
- "fresh": median of N requests with a query parameter of their own (?_bench=7), which
  no cache has seen, so the page is built each time;
- the size of the response, and a conditional request with the validator it returned
  (If-None-Match for an ETag, If-Modified-Since for a Last-Modified).

The requests go round-robin (a round: every page's URL, the JSON's floor, then every
page's fresh URL), so that the pages, the floor and the static file are measured side
by side in the same minutes. The
JSON's floor is one raw SQL fetch of the period's published rows with psycopg, plus
json.dumps, plus the static file's median HTTP round trip.

    .venv/bin/python bench/scale.py --create       # once: the data
    .venv/bin/python bench/public_at_scale.py      # DATABASE_URL defaults to the bench DB
    .venv/bin/python bench/public_at_scale.py --requests 10 --drop
"""

import argparse
import contextlib
import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg.rows import dict_row

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.scale import (  # noqa: E402
    ANY_NAME_HELP,
    bench_database_url,
    drop_database,
    libpq_url,
)

HOST = "127.0.0.1"
STATIC = "/static/css/seuranta.css"
# What a browser sends; whitenoise answers it with the pre-compressed static file.
BROWSER_HEADERS = {"Host": HOST, "Accept-Encoding": "gzip"}
HTML_TARGET_MS = 100
JSON_FLOOR_TARGET = 3


# --- the server -------------------------------------------------------------------------


@dataclass
class Server:
    port: int
    log: Path


def free_port():
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def production_env(database, port, static_root):
    """deploy/start's environment: production settings, one worker, plain HTTP on loopback."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "DJANGO_SETTINGS_MODULE", "DATABASE_URL", "STATIC_ROOT"}
    }
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS=HOST,
        # No TLS proxy in front of it here: no redirect to https, cookies over plain HTTP.
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        WEB_CONCURRENCY="1",
        BIND=f"{HOST}:{port}",
        DATABASE_URL=database,
        # collectstatic writes here, not into the checkout's staticfiles/.
        STATIC_ROOT=str(static_root),
        # deploy/start runs `python` and `gunicorn`: the virtualenv's.
        PATH=f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}",
    )
    return env


@contextlib.contextmanager
def production_server(database, *, startup_timeout=180):
    """deploy/start under gunicorn on a free loopback port; stopped (its whole process
    group) however the block ends, a SIGTERM to this script included. Yields a Server
    once it answers."""
    # SIGTERM's default ends Python without running `finally`: the server would stay.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    port = free_port()
    scratch = Path(tempfile.mkdtemp(prefix="seuranta-bench-"))
    log_path = scratch / "server.log"
    with open(log_path, "wb") as log:
        server = subprocess.Popen(
            [str(ROOT / "deploy" / "start")],
            cwd=ROOT,
            env=production_env(database, port, scratch / "static"),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so that stopping reaches all
        )
    try:
        deadline = time.monotonic() + startup_timeout
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"deploy/start exited:\n{log_path.read_text()[-3000:]}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"no answer in {startup_timeout} s:\n{log_path.read_text()}")
            probe = Client(port, timeout=5)
            try:
                if probe.get(STATIC).status == 200:
                    break
            except OSError:
                pass
            finally:
                probe.close()
            time.sleep(0.3)
        yield Server(port=port, log=log_path)
    finally:
        stop(server)
        server_errors = [
            line for line in log_path.read_text(errors="replace").splitlines() if '" 5' in line
        ]
        if server_errors:
            print(f"\nthe server answered {len(server_errors)} requests with 5xx, e.g.:")
            print("\n".join(server_errors[:3]))
        shutil.rmtree(scratch, ignore_errors=True)


def stop(server):
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)


# --- the client -------------------------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: dict
    body: bytes
    ms: float


class Client:
    """One keep-alive HTTP connection. gunicorn's sync worker closes each connection after
    its response; http.client then opens a new one for the next request."""

    def __init__(self, port, timeout=120):
        self.connection = http.client.HTTPConnection(HOST, port, timeout=timeout)

    def get(self, path, **headers):
        for attempt in (1, 2):
            start = time.perf_counter()
            try:
                self.connection.request("GET", path, headers={**BROWSER_HEADERS, **headers})
                response = self.connection.getresponse()
                body = response.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # The server closed an idle keep-alive connection: once more, afresh.
                self.connection.close()
                if attempt == 2:
                    raise
                continue
            ms = (time.perf_counter() - start) * 1000
            headers = {key.lower(): value for key, value in response.getheaders()}
            return Response(response.status, headers, body, ms)

    def close(self):
        self.connection.close()


# --- what is measured -------------------------------------------------------------------


@dataclass
class Page:
    label: str
    path: str
    html: bool = False  # an HTML page the 100 ms target applies to
    cold: Response | None = None
    repeat: list = field(default_factory=list)
    fresh: list = field(default_factory=list)
    conditional: list = field(default_factory=list)
    statuses: set = field(default_factory=set)

    def fresh_path(self, number):
        return f"{self.path}{'&' if '?' in self.path else '?'}_bench={number}"


def pick(database):
    """The pages to request, chosen in the database: the latest published period, the one
    before it, the first council-term goal and the first action of the latest year."""
    with psycopg.connect(libpq_url(database)) as connection:
        periods = connection.execute(
            """SELECT p.id, p.label, p.year, p.strategy_id, s.start_year, s.end_year,
                      (SELECT count(*) FROM reports_publishedentry e WHERE e.period_id = p.id)
               FROM reports_reportingperiod p JOIN goals_strategy s ON s.id = p.strategy_id
               WHERE p.published ORDER BY p.end_date DESC, p.label"""
        ).fetchall()
        if len(periods) < 2:
            sys.exit("fewer than two published periods: build the data with bench/scale.py")
        latest, earlier = periods[0], next(p for p in periods[1:] if p[3] == periods[0][3])
        (term_goal,) = connection.execute(
            "SELECT id FROM goals_goal WHERE kind = 'goal' AND strategy_id = %s "
            "ORDER BY code LIMIT 1",
            [latest[3]],
        ).fetchone()
        (action,) = connection.execute(
            """SELECT g.id FROM goals_goal g
               WHERE g.kind = 'action' AND g.year = %s AND g.strategy_id = %s
                 AND EXISTS (SELECT 1 FROM reports_publishedentry e WHERE e.goal_id = g.id)
               ORDER BY g.code LIMIT 1""",
            [latest[2], latest[3]],
        ).fetchone()
    period = latest[0]
    pages = [
        Page("home", "/", html=True),
        Page("period page, first page", f"/periods/{period}/", html=True),
        Page(
            "period page, filtered + sorted", f"/periods/{period}/?level=3&sort=-level", html=True
        ),
        Page("period print (all rows)", f"/periods/{period}/print/"),
        Page("period CSV", f"/periods/{period}/data.csv"),
        Page("period XLSX", f"/periods/{period}/data.xlsx"),
        Page("period JSON", f"/periods/{period}/data.json"),
        Page("council-term goal page", f"/goals/{term_goal}/", html=True),
        Page("action page", f"/goals/{action}/", html=True),
        Page("compare two periods", f"/compare/?first={earlier[0]}&second={period}", html=True),
        Page("about", "/about/", html=True),
        Page("static file", STATIC),
    ]
    summary = {
        "periods": len(periods),
        "entries": latest[6],
        "period": latest,
        "earlier": earlier,
        "term": f"{latest[4]}–{latest[5]}",
    }
    return pages, summary


FLOOR_SQL = """
    SELECT g.code, g.title, g.kind, e.level, e.status_text, e.risks,
           NULLIF(e.overall_status, '') AS overall_status, r.title AS responsible
    FROM reports_publishedentry e
    JOIN reports_reportingperiod p ON p.id = e.period_id AND p.published
    JOIN goals_goal g ON g.id = e.goal_id
    LEFT JOIN goals_responsibleperson r ON r.id = e.responsible_id
    WHERE e.period_id = %s
    ORDER BY g.code
"""


def json_floor_ms(connection, period_id, label, term):
    """One fetch of the period's published rows and the same JSON the app writes (the
    same bytes: indent=2, which makes json use its pure-Python encoder)."""
    start = time.perf_counter()
    rows = connection.execute(FLOOR_SQL, [period_id]).fetchall()
    document = {"period": label, "term": term, "entries": rows}
    json.dumps(document, ensure_ascii=False, indent=2).encode()
    return (time.perf_counter() - start) * 1000


def machine_load():
    """The 1-minute load average and the CPUs: on a shared machine, what else was running."""
    return f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"


def median(values):
    return statistics.median(values) if values else float("nan")


def p90(values):
    return statistics.quantiles(values, n=10)[-1] if len(values) >= 2 else median(values)


def conditional_headers(response):
    if "etag" in response.headers:
        return {"If-None-Match": response.headers["etag"]}
    if "last-modified" in response.headers:
        return {"If-Modified-Since": response.headers["last-modified"]}
    return None


def measure(server, pages, summary, database, requests):
    client = Client(server.port)
    for page in pages:
        page.cold = client.get(page.path)
        page.statuses.add(page.cold.status)
    floor = []
    latest = summary["period"]
    with psycopg.connect(libpq_url(database), row_factory=dict_row) as connection:
        for number in range(requests):
            # The repeats first, so that none follows a page being built anew: the worker
            # may still be tidying up after a big response when the next request comes.
            for page in pages:
                response = client.get(page.path)
                page.repeat.append(response)
                page.statuses.add(response.status)
            floor.append(json_floor_ms(connection, latest[0], latest[1], summary["term"]))
            for page in pages:
                response = client.get(page.fresh_path(number))
                page.fresh.append(response)
                page.statuses.add(response.status)
    for page in pages:
        headers = conditional_headers(page.repeat[-1])
        if headers:
            page.conditional = [client.get(page.path, **headers) for _ in range(5)]
    client.close()
    return floor


# --- the report -------------------------------------------------------------------------


def size_kb(response):
    encoded = " gz" if response.headers.get("content-encoding") == "gzip" else ""
    return f"{len(response.body) / 1024:.0f}{encoded}"


def conditional_cell(page):
    if not page.conditional:
        return "no validator"
    status = page.conditional[-1].status
    return f"{status} in {median([r.ms for r in page.conditional]):.1f} ms"


def target_cell(page, json_ratio, fresh_ratio):
    repeat = median([r.ms for r in page.repeat])
    if page.statuses != {200}:
        return f"**status {sorted(page.statuses)}**"
    if page.html:
        fresh = median([r.ms for r in page.fresh])
        return (
            f"≤ {HTML_TARGET_MS} ms: {verdict(repeat <= HTML_TARGET_MS)} "
            f"(fresh URL: {verdict(fresh <= HTML_TARGET_MS)})"
        )
    if page.label == "period JSON":
        return (
            f"≤ {JSON_FLOOR_TARGET}× floor: {verdict(json_ratio <= JSON_FLOOR_TARGET)} "
            f"(fresh URL: {verdict(fresh_ratio <= JSON_FLOOR_TARGET)})"
        )
    return ""


def verdict(met):
    return "met" if met else "**not met**"


def report(pages, summary, floor, requests, loads):
    static = next(page for page in pages if page.path == STATIC)
    static_ms = median([r.ms for r in static.repeat])
    json_page = next(page for page in pages if page.label == "period JSON")
    floor_ms = median(floor) + static_ms
    json_ratio = median([r.ms for r in json_page.repeat]) / floor_ms
    fresh_ratio = median([r.ms for r in json_page.fresh]) / floor_ms
    latest, earlier = summary["period"], summary["earlier"]
    print(
        f"\n{summary['periods']} published periods; period {latest[1]} (term {summary['term']}) "
        f"has {summary['entries']} published entries; compare: {earlier[1]} → {latest[1]}.\n"
        f"One gunicorn sync worker, DEBUG off, PostgreSQL; {requests} requests a page "
        f"(round-robin), times in ms from sending the request to the last byte.\n"
        f"Machine: {loads[0]} before, {loads[1]} after.\n"
    )
    print("| page | cold | median | p90 | fresh URL median | KB | conditional request | target |")
    print("|---|---:|---:|---:|---:|---:|---|---|")
    for page in pages:
        repeat = [r.ms for r in page.repeat]
        fresh = [r.ms for r in page.fresh]
        print(
            f"| {page.label} | {page.cold.ms:.0f} | {median(repeat):.1f} | {p90(repeat):.1f} | "
            f"{median(fresh):.1f} | {size_kb(page.repeat[-1])} | {conditional_cell(page)} | "
            f"{target_cell(page, json_ratio, fresh_ratio)} |"
        )
    print(
        f"\nJSON floor: SQL fetch of {summary['entries']} rows + json.dumps "
        f"{median(floor):.1f} ms (median) + static file round trip {static_ms:.1f} ms "
        f"= {floor_ms:.1f} ms.\n"
        f"JSON median / floor = {json_ratio:.1f}× (target ≤ {JSON_FLOOR_TARGET}×); "
        f"fresh-URL JSON / floor = {fresh_ratio:.1f}×."
    )
    print(
        "\ncold = first request of that URL after the start (home's also opens the database "
        "connection); fresh URL = the same page with ?_bench=N added, so that no cache has "
        "it; KB as sent, with Accept-Encoding: gzip (gz = compressed); conditional = the "
        "same URL with If-None-Match (or If-Modified-Since), median of 5."
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=30, help="requests a page (default 30)")
    parser.add_argument("--drop", action="store_true", help="drop the bench database after")
    parser.add_argument("--any-name", action="store_true", help=ANY_NAME_HELP)
    args = parser.parse_args()
    database = bench_database_url(any_name=args.any_name)
    pages, summary = pick(database)
    before = machine_load()
    try:
        with production_server(database) as server:
            floor = measure(server, pages, summary, database, args.requests)
    finally:
        if args.drop:
            drop_database(database)
    report(pages, summary, floor, args.requests, (before, machine_load()))


if __name__ == "__main__":
    main()
