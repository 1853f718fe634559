"""`make bench`: load-test LearnCircle's thread page and thread list against a minimal floor app.

1. Seed a fresh instance in bench/results/instance through the domain models.
2. Serve it with the production server (`learncircle serve`, waitress) and the floor app
   (bench/floor.py, same server and thread count) on loopback ports.
3. Check the pages really show the seeded posts, then measure a first visit's bytes and requests.
4. Load each page with wrk at 1 and 8 connections; read the server's memory afterwards.
5. Count the SQL statements of each page in a separate, instrumented server (bench/serve_counted.py).
6. Print a table, write bench/results/latest.json and the results section of docs/performance.md.
"""
import argparse
import datetime as dt
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

import first_load
import load
import machine
import report

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS = BENCH / "results"
INSTANCE = RESULTS / "instance"
LOGS = RESULTS / "logs"
DOCS = ROOT / "docs" / "performance.md"
HOST = "127.0.0.1"
START_TIMEOUT = 30


class BenchError(RuntimeError):
    pass


# ---- servers ------------------------------------------------------------------------------------

def free_port():
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class Server:
    """A server process on a loopback port, stopped when the benchmark ends, whatever happens."""

    def __init__(self, name, command, env):
        self.name, self.port = name, free_port()
        self.command = [part.format(port=self.port) for part in command]
        self.env = env
        self.process = None

    @property
    def url(self):
        return f"http://{HOST}:{self.port}"

    def __enter__(self):
        LOGS.mkdir(parents=True, exist_ok=True)
        self.log = open(LOGS / f"{self.name}.log", "w")
        self.process = subprocess.Popen(self.command, cwd=ROOT, env=self.env, stdout=self.log,
                                        stderr=subprocess.STDOUT)
        try:
            self._wait_until_listening()
        except BaseException:
            self.__exit__()
            raise
        return self

    def _wait_until_listening(self):
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"{self.name} exited at start-up; see {LOGS / (self.name + '.log')}")
            try:
                socket.create_connection((HOST, self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        raise BenchError(f"{self.name} did not listen on port {self.port} within {START_TIMEOUT} s")

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.log.close()

    def memory_kb(self):
        """Resident and peak resident memory of the server process, from /proc (kB)."""
        fields = {}
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            name, _, value = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                fields[name] = int(value.split()[0])
        return {"rss_kb": fields["VmRSS"], "peak_rss_kb": fields["VmHWM"]}


# ---- checks -------------------------------------------------------------------------------------

def check_page(url, headers, *, expect_articles=None, expect_thread_links=None):
    """GET a page as the benchmark will and refuse to go on unless it shows the seeded content."""
    response = requests.get(url, headers=headers, allow_redirects=False, timeout=10)
    problems = []
    if response.status_code != 200:
        problems.append(f"status {response.status_code}"
                        + (f" to {response.headers.get('Location')}" if response.is_redirect else ""))
    body = response.text
    if expect_articles is not None:
        articles = len(re.findall(r"<article\b", body))
        if articles != expect_articles:
            problems.append(f"{articles} <article> elements instead of {expect_articles}")
    if expect_thread_links is not None:
        links = len(set(re.findall(r'href="/t/(\d+)', body)))
        if links < expect_thread_links:
            problems.append(f"links to {links} threads instead of at least {expect_thread_links}")
    if "set-cookie" in response.headers:
        problems.append("it sets a cookie, so the session would be rewritten on every request")
    if problems:
        raise BenchError(f"{url} is not ready to measure: {'; '.join(problems)}. "
                         "Is the view implemented? Numbers against it would mean nothing.")
    return len(response.content)


# ---- the run ------------------------------------------------------------------------------------

def prepare_instance(folder=INSTANCE, seed=None):
    """A fresh instance folder with a migrated database filled by seed (seed_data.seed by default); return
    the seed's facts (with how long it took), the server's environment and a signed-in viewer's headers."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    env = dict(os.environ, LEARNCIRCLE_INSTANCE_PATH=str(folder),
               LEARNCIRCLE_DATABASE_URL=f"sqlite:///{folder / 'learncircle.sqlite3'}")
    os.environ.update(env)

    import seed_data
    from learncircle import create_app, db
    from seed_data import USER_AGENT, session_cookie

    app = create_app()
    db.upgrade()
    started = time.monotonic()
    facts = (seed or seed_data.seed)()
    facts["seed_seconds"] = round(time.monotonic() - started, 1)
    cookie = session_cookie(app, facts["viewer_session_id"])
    db.close_all()  # the servers open their own; a second instance may be prepared in this process next
    headers = {"User-Agent": USER_AGENT, "Cookie": f"{app.config['SESSION_COOKIE_NAME']}={cookie}"}
    return facts, env, headers


def measure_load(targets, *, seconds, warmup, connections, rounds):
    """Warm every target up, then measure each at each connection count in interleaved rounds.

    A shared or virtual machine runs faster and slower by turns for seconds at a time. Measuring
    the floor and LearnCircle in alternating short rounds, rather than one long run each, lets every
    page meet the same spells, so their ratio holds steady from one run to the next.
    """
    for target in targets:
        load.run(target["url"], connections=max(connections), seconds=warmup, headers=target["headers"])
    figures = {target["key"]: {} for target in targets}
    slice_seconds = max(1, round(seconds / rounds))
    for count in connections:
        print(f"  {count} connection{'s' if count > 1 else ''}: {rounds} rounds of {slice_seconds} s per page …",
              flush=True)
        measured = {target["key"]: [] for target in targets}
        for _ in range(rounds):
            for target in targets:
                result = load.run(target["url"], connections=count, seconds=slice_seconds,
                                  headers=target["headers"])
                if result["bytes_per_response"] < target["expected_bytes"] * 0.5:
                    raise BenchError(f"{target['label']}: responses of {result['bytes_per_response']} bytes under "
                                     f"load, {target['expected_bytes']} when checked: the server answered "
                                     "something else")
                measured[target["key"]].append(result)
        for key, results in measured.items():
            figures[key][str(count)] = load.combine(results)
    return figures


def count_queries(env, headers, pages, threads):
    """Per-page SQL statements, from an instrumented server: single requests, then a short burst."""
    command = [sys.executable, str(BENCH / "serve_counted.py"), "--host", HOST, "--port", "{port}",
               "--threads", str(threads)]
    with Server("learncircle-counted", command, env) as server:
        for path in pages.values():
            for _ in range(3):
                status = requests.get(server.url + path, headers=headers, timeout=10).status_code
                if status != 200:
                    raise BenchError(f"{path} answered {status} on the counting server; "
                                     f"see {LOGS / (server.name + '.log')}")
        for path in pages.values():
            load.run(server.url + path, connections=8, seconds=2, headers=headers)
        counts = requests.get(server.url + "/_bench/queries", timeout=10).json()
    per_page = {}
    for key, path in pages.items():
        entry = counts[f"GET {path}"]
        per_page[key] = {
            "path": path,
            "requests": entry["requests"],
            "statuses": entry["statuses"],
            "queries": len(entry["last_statements"]),
            "queries_max": entry["queries_max"],
            "queries_mean": round(entry["queries_total"] / entry["requests"], 2),
            "writes": entry["writes"],
            "transactions": entry["transactions"],
            "statements": entry["last_statements"],
        }
    return per_page


def serve_command(threads):
    """LearnCircle's production server, exactly as an operator starts it."""
    script = Path(sys.executable).with_name("learncircle")
    if not script.exists():
        raise BenchError(f"{script} is missing: install LearnCircle into the virtual environment (make run)")
    return [str(script), "serve", "--host", HOST, "--port", "{port}", "--threads", str(threads)]


def run(args):
    started = time.monotonic()
    wrk_version = load.wrk_version()
    load_before = os.getloadavg()[0]
    cpus = len(os.sched_getaffinity(0))
    if load_before > cpus / 2:
        print(f"Note: the machine is busy (load average {load_before:.1f} on {cpus} CPUs); "
              "the figures will be noisier than on an idle machine.", flush=True)
    print("Seeding a fresh instance in", INSTANCE.relative_to(ROOT), "…", flush=True)
    facts, env, headers = prepare_instance()
    thread_path, list_path = f"/t/{facts['thread_id']}", f"/c/{facts['circle_slug']}"
    database = INSTANCE / "learncircle.sqlite3"

    learncircle_cmd = serve_command(args.threads)
    floor_cmd = [sys.executable, str(BENCH / "floor.py"), "--database", str(database), "--host", HOST,
                 "--port", "{port}", "--threads", str(args.threads)]
    # Both servers run as a SQLite installation does, without the test suite's PostgreSQL driver.
    sqlite_only = dict(env, PYTHONPATH=os.pathsep.join(filter(None, [str(BENCH / "sqlite_only"),
                                                                      env.get("PYTHONPATH")])))
    with Server("learncircle", learncircle_cmd, sqlite_only) as app, \
            Server("floor", floor_cmd, sqlite_only) as floor:
        print("Checking the pages show the seeded thread …", flush=True)
        thread_bytes = check_page(app.url + thread_path, headers, expect_articles=facts["big_thread_posts"])
        list_bytes = check_page(app.url + list_path, headers, expect_thread_links=25)
        floor_bytes = check_page(floor.url + thread_path, {}, expect_articles=facts["big_thread_posts"])
        compressed = {**headers, "Accept-Encoding": "br"}
        compressed_bytes = len(requests.get(app.url + thread_path, headers=compressed, stream=True,
                                            timeout=10).raw.read())

        print("Measuring a first visit to the thread page …", flush=True)
        first_visit = first_load.measure(app.url + thread_path, headers)

        targets = [
            {"key": "floor_thread", "label": "floor thread page", "url": floor.url + thread_path,
             "headers": {}, "expected_bytes": floor_bytes},
            {"key": "thread", "label": "LearnCircle thread page", "url": app.url + thread_path,
             "headers": headers, "expected_bytes": thread_bytes},
            {"key": "thread_list", "label": "LearnCircle thread list", "url": app.url + list_path,
             "headers": headers, "expected_bytes": list_bytes},
            {"key": "thread_br", "label": "LearnCircle thread page, brotli", "url": app.url + thread_path,
             "headers": compressed, "expected_bytes": compressed_bytes},
        ]
        print(f"Loading with wrk ({args.seconds} s each, after a {args.warmup} s warm-up) …", flush=True)
        latency = measure_load(targets, seconds=args.seconds, warmup=args.warmup, connections=(1, 8),
                               rounds=args.rounds)
        memory = {"learncircle": app.memory_kb(), "floor": floor.memory_kb()}

    print("Counting SQL statements per page …", flush=True)
    queries = count_queries(env, headers, {"thread": thread_path, "thread_list": list_path}, args.threads)

    results = {
        "measured_at": dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(),
        "machine": machine.describe(wrk_version),
        "settings": {"seconds": args.seconds, "rounds": args.rounds, "warmup_seconds": args.warmup,
                     "server_threads": args.threads,
                     "connections": [1, 8], "wrk_threads": 1},
        "data": {key: facts[key] for key in ("users", "threads", "big_thread_posts", "thread_title")}
                | {"thread_path": thread_path, "thread_list_path": list_path},
        "latency": latency,
        "queries": queries,
        "first_load": first_visit,
        "memory": memory,
        "duration_seconds": round(time.monotonic() - started, 1),
        "load_average_before": round(load_before, 2),
    }
    results["targets"] = report.evaluate(results)
    return results


def main():
    parser = argparse.ArgumentParser(description="Benchmark LearnCircle against a minimal floor app.")
    parser.add_argument("--seconds", type=int, default=10,
                        help="seconds each page is measured for, over all rounds (default 10)")
    parser.add_argument("--rounds", type=int, default=5,
                        help="interleaved rounds the measurement is split into (default 5)")
    parser.add_argument("--warmup", type=int, default=2, help="warm-up per page before measuring (default 2)")
    parser.add_argument("--threads", type=int, default=4,
                        help="waitress worker threads, both servers (default 4, as `learncircle serve`)")
    parser.add_argument("--no-docs", action="store_true", help="do not update docs/performance.md")
    parser.add_argument("--strict", action="store_true", help="exit with status 1 when a target is missed")
    args = parser.parse_args()
    try:
        load.wrk_path()
        results = run(args)
    except (BenchError, load.LoadError, first_load.FetchError) as error:
        print(f"\nbench: {error}", file=sys.stderr)
        return 2
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(results, indent=2) + "\n")
    print()
    print(report.text_table(results))
    print(f"\nWrote {(RESULTS / 'latest.json').relative_to(ROOT)}", end="")
    if not args.no_docs:
        report.update_docs(DOCS, results)
        print(f" and {os.path.relpath(DOCS, ROOT)}", end="")
    print(f" ({results['duration_seconds']} s).")
    missed = [target["name"] for target in results["targets"] if not target["passed"]]
    if missed:
        print("Missed targets: " + "; ".join(missed))
    return 1 if missed and args.strict else 0


if __name__ == "__main__":
    sys.exit(main())
