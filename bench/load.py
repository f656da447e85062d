"""The period page's throughput under 32 concurrent connections, against a static file's.

Starts the app as bench/public_at_scale.py does (deploy/start, one gunicorn worker,
DEBUG off, the database bench/scale.py built) and loads it from 127.0.0.1 for a fixed
time with 32 connections, one after the other:

  (a) the static file /static/css/seuranta.css,
  (b) the latest period's page, the same URL every time (a cache, if any, serves it),
  (c) the same page with a query parameter of its own on every request (?_bench=N),
      so that no cache has it and each one is built.

The load comes from wrk if it is installed (apt-get install wrk), otherwise from Python
threads, each with its own keep-alive http.client connection. Either way the load
generator runs on the same two cores as gunicorn and PostgreSQL, and takes its share.

    .venv/bin/python bench/load.py                 # 15 s a target
    .venv/bin/python bench/load.py --duration 30 --connections 32 --python
"""

import argparse
import http.client
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.public_at_scale import (  # noqa: E402
    BROWSER_HEADERS,
    HOST,
    STATIC,
    Client,
    machine_load,
    pick,
    production_server,
)
from bench.scale import ANY_NAME_HELP, bench_database_url, drop_database  # noqa: E402

THROUGHPUT_TARGET = 0.15  # the period page's requests/s at least 15 % of the static file's
P99_TARGET = 5  # p99 under 5 × the median


@dataclass
class Result:
    label: str
    path: str
    generator: str
    requests: int
    seconds: float
    median_ms: float
    p99_ms: float
    errors: int

    @property
    def per_second(self):
        return self.requests / self.seconds


# --- wrk --------------------------------------------------------------------------------

UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}
# Each request a URL of its own, so that no cache has seen it.
FRESH_LUA = """
counter = 0
request = function()
  counter = counter + 1
  return wrk.format(nil, wrk.path .. "?_bench=" .. counter)
end
"""


def wrk_ms(text, percent):
    match = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s|m)\s*$", text, re.MULTILINE)
    return float(match.group(1)) * UNITS[match.group(2)]


def run_wrk(label, port, path, *, connections, duration, threads, fresh):
    command = [
        "wrk",
        f"--threads={threads}",
        f"--connections={connections}",
        f"--duration={duration}s",
        "--timeout=60s",  # a slow answer is a slow answer, not an error
        "--latency",
    ]
    for name, value in BROWSER_HEADERS.items():
        command += ["--header", f"{name}: {value}"]
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        if fresh:
            script.write(FRESH_LUA)
            script.flush()
            command += ["--script", script.name]
        command.append(f"http://{HOST}:{port}{path}")
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    done = re.search(r"(\d+) requests in ([\d.]+)(ms|s|m)", output)
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = (sum(int(n) for n in sockets.groups()) if sockets else 0) + (
        int(non_2xx.group(1)) if non_2xx else 0
    )
    return Result(
        label=label,
        path=path,
        generator=f"wrk, {threads} thread(s)",
        requests=int(done.group(1)),
        seconds=float(done.group(2)) * UNITS[done.group(3)] / 1000,
        median_ms=wrk_ms(output, 50),
        p99_ms=wrk_ms(output, 99),
        errors=errors,
    )


# --- Python threads ---------------------------------------------------------------------


def run_python(label, port, path, *, connections, duration, fresh):
    latencies = [[] for _ in range(connections)]
    errors = [0] * connections
    start_line = threading.Barrier(connections + 1)
    deadline = [0.0]
    counter = iter(range(10**9))  # next() on it is atomic under the GIL

    def connection_loop(number):
        connection = http.client.HTTPConnection(HOST, port, timeout=60)
        start_line.wait()
        while time.perf_counter() < deadline[0]:
            url = f"{path}?_bench={next(counter)}" if fresh else path
            started = time.perf_counter()
            try:
                connection.request("GET", url, headers=BROWSER_HEADERS)
                response = connection.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                errors[number] += 1
                connection.close()
                continue
            if response.status == 200:
                latencies[number].append((time.perf_counter() - started) * 1000)
            else:
                errors[number] += 1
        connection.close()

    threads = [
        threading.Thread(target=connection_loop, args=(number,)) for number in range(connections)
    ]
    for thread in threads:
        thread.start()
    started = time.perf_counter()
    deadline[0] = started + duration
    start_line.wait()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    every = sorted(ms for per_connection in latencies for ms in per_connection)
    return Result(
        label=label,
        path=path,
        generator=f"Python, {connections} threads",
        requests=len(every),
        seconds=seconds,
        median_ms=statistics.median(every) if every else float("nan"),
        p99_ms=statistics.quantiles(every, n=100)[-1] if len(every) > 1 else float("nan"),
        errors=sum(errors),
    )


# --- the run ----------------------------------------------------------------------------


def warm_up(port, path):
    client = Client(port)
    for _ in range(10):
        client.get(path)
    client.close()


def verdict(met):
    return "met" if met else "**not met**"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=15, help="seconds a target (15)")
    parser.add_argument("--connections", type=int, default=32, help="concurrent (32)")
    parser.add_argument("--threads", type=int, default=1, help="wrk's threads (1)")
    parser.add_argument("--python", action="store_true", help="Python threads even with wrk")
    parser.add_argument("--drop", action="store_true", help="drop the bench database after")
    parser.add_argument("--any-name", action="store_true", help=ANY_NAME_HELP)
    args = parser.parse_args()
    database = bench_database_url(any_name=args.any_name)
    pages, summary = pick(database)
    period_path = next(page.path for page in pages if page.label == "period page, first page")
    use_wrk = shutil.which("wrk") and not args.python
    targets = [
        ("static file", STATIC, False),
        ("period page", period_path, False),
        ("period page, fresh URL each time", period_path, True),
    ]
    results = []
    before = machine_load()
    try:
        with production_server(database) as server:
            for label, path, fresh in targets:
                warm_up(server.port, path)
                if use_wrk:
                    result = run_wrk(
                        label,
                        server.port,
                        path,
                        connections=args.connections,
                        duration=args.duration,
                        threads=args.threads,
                        fresh=fresh,
                    )
                else:
                    result = run_python(
                        label,
                        server.port,
                        path,
                        connections=args.connections,
                        duration=args.duration,
                        fresh=fresh,
                    )
                results.append(result)
    finally:
        if args.drop:
            drop_database(database)
    after = machine_load()

    print(
        f"\n{args.connections} concurrent connections for {args.duration} s a target from "
        f"{results[0].generator}, on 127.0.0.1; one gunicorn sync worker, DEBUG off, "
        f"PostgreSQL; period {summary['period'][1]} of {summary['entries']} entries.\n"
        f"The load generator runs on the same machine and takes CPU from gunicorn and "
        f"PostgreSQL. Machine: {before} before, {after} after.\n"
    )
    print("| target | requests/s | median ms | p99 ms | p99 / median | errors |")
    print("|---|---:|---:|---:|---:|---:|")
    for result in results:
        print(
            f"| {result.label} | {result.per_second:.0f} | {result.median_ms:.1f} | "
            f"{result.p99_ms:.1f} | {result.p99_ms / result.median_ms:.1f} | {result.errors} |"
        )
    static = results[0]
    print()
    for result in results[1:]:
        ratio = result.per_second / static.per_second
        print(
            f"{result.label}: {100 * ratio:.0f} % of the static file's requests/s "
            f"(target ≥ {100 * THROUGHPUT_TARGET:.0f} %: {verdict(ratio >= THROUGHPUT_TARGET)}); "
            f"p99 {result.p99_ms / result.median_ms:.1f}× the median "
            f"(target < {P99_TARGET}×: {verdict(result.p99_ms < P99_TARGET * result.median_ms)}); "
            f"{result.errors} errors (target 0: {verdict(result.errors == 0)})"
        )


if __name__ == "__main__":
    main()
