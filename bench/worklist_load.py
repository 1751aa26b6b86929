"""Benchmark: the collector's worklist page served from PostgreSQL under load.

    .venv/bin/python bench/worklist_load.py [--customers 2000] [--users 20] [--requests 2000]
        [--database postgres://postgres@127.0.0.1:5432/revdesk_bench] [--json]

1. Builds the demo company with --customers customers into a fresh PostgreSQL database
   (dropped and created again; the server must let `postgres` in without a password, as on
   these machines), then gives every customer to one collector: a portfolio of that size.
2. Runs the collections daily job (the worklist rows are worked out and stored).
3. Serves the web app with waitress as `revdesk serve --processes N` does (default: one
   process per core) and signs the collector in.
4. Loads the worklist page (the first page, 50 rows) with ApacheBench (`ab`, Debian's
   apache2-utils) on loopback: --users concurrent users, each keeping its connection as a
   browser does (`ab -k`; --no-keep-alive for a new one per request), --requests requests in
   all, after a warm-up; prints the latencies (50th, 90th, 95th, 99th percentile, longest) and the
   requests per second. Every response must be 200.

Target (issue 5): the 95th percentile under 300 ms with 20 concurrent users.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
REVDESK = ROOT / ".venv" / "bin" / "revdesk"
PASSWORD = "halden-demo-2026"
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/revdesk_bench"


def _run(args: list[str], env: dict, say) -> str:
    say("$ " + " ".join(args if len(args) < 12 else [*args[:6], f"... ({len(args)} arguments)"]))
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def _database_fresh(url: str, say) -> None:
    parts = urllib.parse.urlparse(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    for sql in (f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"'):
        _run(["psql", admin, "-v", "ON_ERROR_STOP=1", "-q", "-c", sql], dict(os.environ), say)


def _sign_in(base: str, username: str) -> str:
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD, "next": "/"}
    ).encode()
    request = urllib.request.Request(f"{base}/login/", data=data, headers={"Referer": base})
    opener.open(request).read()
    cookies = {cookie.name: cookie.value for cookie in jar}
    if "sessionid" not in cookies:
        raise SystemExit(f"could not sign {username} in")
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def _ab(url: str, cookie: str, users: int, requests: int, keep_alive: bool = True) -> dict:
    # -k: each user keeps its connection, as a browser does (HTTP keep-alive)
    load = ["-n", str(requests), "-c", str(users), "-C", cookie]
    out = subprocess.run(
        ["ab", "-q", *(["-k"] if keep_alive else []), *load, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    figures = {
        "requests_per_second": float(re.search(r"Requests per second:\s+([\d.]+)", out).group(1)),
        "failed": int(re.search(r"Failed requests:\s+(\d+)", out).group(1)),
        "non_2xx": int(m.group(1)) if (m := re.search(r"Non-2xx responses:\s+(\d+)", out)) else 0,
    }
    for share in (50, 90, 95, 99, 100):
        found = re.search(rf"^\s+{share}%\s+(\d+)", out, re.MULTILINE)
        figures[f"p{share}_ms"] = int(found.group(1))
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--database", default=DEFAULT_DATABASE)
    parser.add_argument("--port", type=int, default=8931)
    parser.add_argument(
        "--processes",
        type=int,
        default=os.cpu_count() or 1,
        help="web processes (revdesk serve --processes; default one per core)",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="serve the database a previous run built (migrated first) instead of building it",
    )
    parser.add_argument(
        "--no-keep-alive",
        action="store_true",
        help="a new connection for every request (default: each user keeps one, as browsers do)",
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    def say(text: str) -> None:
        if not args.json:
            print(text, flush=True)

    if shutil.which("ab") is None:
        raise SystemExit("ab is missing: apt-get install -y apache2-utils")
    home = tempfile.mkdtemp(prefix="revdesk-bench-")
    env = {**os.environ, "DATABASE_URL": args.database, "REVDESK_HOME": home}
    began = time.perf_counter()
    if args.reuse:
        _run([str(REVDESK), "migrate"], env, say)
    else:
        _database_fresh(args.database, say)
        scale = args.customers / 500
        _run([str(REVDESK), "demo", "--scale", str(scale), "--no-serve", "--json"], env, say)
    built = time.perf_counter() - began
    printed = _run(
        [
            str(REVDESK),
            "manage",
            "shell",
            "-c",
            "from revdesk.parties.models import Customer;"
            "print(' '.join(Customer.objects.values_list('code', flat=True)))",
        ],
        env,
        say,
    )
    codes = printed.strip().splitlines()[-1].split()  # the shell may say something first
    _run([str(REVDESK), "collections", "assign", *codes, "--collector", "collector"], env, say)
    _run([str(REVDESK), "collections", "daily"], env, say)
    server = subprocess.Popen(
        [
            str(REVDESK),
            "serve",
            "--port",
            str(args.port),
            "--no-worker",
            "--processes",
            str(args.processes),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{args.port}"
    try:
        for _ in range(60):
            try:
                urllib.request.urlopen(f"{base}/login/").read()
                break
            except OSError:
                time.sleep(1)
        cookie = _sign_in(base, "collector")
        url = f"{base}/collections/"
        rows = (
            urllib.request.urlopen(urllib.request.Request(url, headers={"Cookie": cookie}))
            .read()
            .decode()
            .count('data-testid="work-row"')
        )
        say(f"worklist of collector: {rows} rows on the first page")
        keep = not args.no_keep_alive
        _ab(url, cookie, args.users, max(args.users * 5, 100), keep)  # warm-up
        figures = _ab(url, cookie, args.users, args.requests, keep)
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(home, ignore_errors=True)
    report = {
        "date": dt.date.today().isoformat(),
        "machine": f"{os.cpu_count()} cpus, Python {platform.python_version()}",
        "customers_in_portfolio": len(codes),
        "demo_build_seconds": round(built, 1),
        "users": args.users,
        "processes": args.processes,
        "requests": args.requests,
        **figures,
    }
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        say(
            f"{args.requests} requests, {args.users} at a time: p50 {figures['p50_ms']} ms, "
            f"p90 {figures['p90_ms']} ms, p95 {figures['p95_ms']} ms, p99 {figures['p99_ms']} "
            f"ms, longest {figures['p100_ms']} ms; {figures['requests_per_second']:.1f} "
            f"requests/s; failed {figures['failed']}, non-2xx {figures['non_2xx']}"
        )
    ok = figures["failed"] == 0 and figures["non_2xx"] == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
