"""API under load, against a bare-Django baseline measured in the same run.

    .venv/bin/python bench/api_load.py                 # SQLite (seeded once, then reused)
    DATABASE_URL=postgres://… .venv/bin/python bench/api_load.py   # PostgreSQL

Seeds a data folder with ``manage.py seed_demo`` (kept in ``bench/out/`` and reused by
later runs with the same parameters), starts gunicorn with production settings and
``DJANGO_SETTINGS_MODULE=bench.settings`` (which mounts ``bench/views.baseline``: a bare Django view
answering a JSON body as large as the Today board, through the same middleware), logs
every load user in once, and runs locust headless as its own process:

1. **Capacity**: each endpoint alone, ``--users`` users without pause. Its requests per
   second divided by the baseline's is the ratio to the baseline. The *write floor*
   (``bench/views.write_floor``: the membership query and one check-in row in
   autocommit, nothing else) shows how close to the baseline any durable write can get,
   and the *bare view* (``bench/views.bare``: no session, no user, no database) what
   Django and the middleware cost alone: every endpoint is reported against both.
2. **Mix**: a caregiver's day (Today board, step ticks, check-ins, the list, insights)
   by ``--users`` users with a phone user's pause between taps: latency at that load.

Targets on this 2-core machine (issue 18): Today board ≥ 0.6× the baseline's requests per
second; step completion ≥ 0.5× and check-in create ≥ 0.8× the write floor's; p99 < 100 ms
in the mix; no errors anywhere.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import http.cookies
import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from testing.server import ROOT, gunicorn_process, manage, production_env

OUT = ROOT / "bench" / "out"
# locust scenario → the request name it reports (see bench/locustfile.py).
ENDPOINTS = {
    "bare": "bare view",
    "baseline": "baseline",
    "today": "today board",
    "complete": "step completion",
    "checkin": "check-in create",
    "checkins": "check-in list",
    "insights": "insights",
    "floor": "write floor",
}
RATIO_TARGETS = {"today board": 0.6}  # × the signed-in baseline's req/s
FLOOR_TARGETS = {"step completion": 0.5, "check-in create": 0.8}  # × the write floor's
P99_TARGET_MS = 100


def data_folder(args: argparse.Namespace) -> tuple[Path, dict[str, str]]:
    """The seeded data folder for these parameters (seeded now unless already there)."""
    database = os.environ.get("DATABASE_URL", "")
    kind = "pg-" + hashlib.sha256(database.encode()).hexdigest()[:8] if database else "sqlite"
    folder = OUT / "data" / f"{kind}-f{args.families}-d{args.days}-s{args.seed}"
    env = production_env(folder, DJANGO_SETTINGS_MODULE="bench.settings")
    marker = folder / "seeded.json"
    if args.reseed or not marker.exists():
        if folder.exists() and not database:
            for name in ("tandem.sqlite3", "tandem.sqlite3-wal", "tandem.sqlite3-shm"):
                (folder / name).unlink(missing_ok=True)
        folder.mkdir(parents=True, exist_ok=True)
        if database:
            manage(env, "flush", "--noinput")
        manage(env, "migrate", "--noinput", "-v0")
        started = time.perf_counter()
        manage(
            env,
            "seed_demo",
            f"--families={args.families}",
            f"--days={args.days}",
            f"--seed={args.seed}",
            f"--credentials={folder / 'seed-credentials.json'}",
        )
        marker.write_text(json.dumps({"seconds": round(time.perf_counter() - started, 1)}))
    else:
        manage(env, "migrate", "--noinput", "-v0")
    return folder, env


def _cookies(response: object) -> dict[str, str]:
    jar = http.cookies.SimpleCookie()
    for header in response.headers.get_all("Set-Cookie") or []:
        jar.load(header)
    return {name: morsel.value for name, morsel in jar.items()}


def _call(base: str, method: str, path: str, cookies: dict, body: object = None) -> tuple:
    headers = {
        "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
        "Accept": "application/json",
        "Content-Type": "application/json",
    }
    if "csrftoken" in cookies:
        headers["X-CSRFToken"] = cookies["csrftoken"]
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, headers=headers, method=method)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read() or b"null"), _cookies(response)


def log_in(base: str, email: str, password: str, family: int) -> dict:
    """Log one seeded owner in (once) and collect what the load user needs to know."""
    cookies = _call(base, "GET", "/api/v1/auth/csrf/", {})[1]
    login = {"email": email, "password": password}
    cookies |= _call(base, "POST", "/api/v1/auth/login/", cookies, login)[1]
    board, _ = _call(base, "GET", f"/api/v1/families/{family}/today/", cookies)
    strategies, _ = _call(base, "GET", f"/api/v1/families/{family}/strategies/", cookies)
    steps = [
        [entry["routine"]["id"], child["child"]["id"], step["id"]]
        for child in board["children"]
        for entry in child["routines"]
        for step in entry["steps"]
    ]
    return {
        "cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
        "csrf": cookies["csrftoken"],
        "family": family,
        "day": board["date"],
        "children": [c["child"]["id"] for c in board["children"]],
        "steps": steps,
        "strategies": [s["id"] for s in strategies["results"] if not s["caregiver_first"]],
        "board_bytes": len(json.dumps(board, separators=(",", ":")).encode()),
    }


def sessions(base: str, folder: Path, users: int) -> list[dict]:
    creds = json.loads((folder / "seed-credentials.json").read_text())
    accounts = [a for a in creds["accounts"] if a["children"]][:users]
    with ThreadPoolExecutor(4) as pool:
        return list(
            pool.map(lambda a: log_in(base, a["email"], creds["password"], a["family"]), accounts)
        )


def cpu_seconds(master: subprocess.Popen) -> Callable[[], float]:
    """A clock of the CPU time used by gunicorn's master and workers (user + system)."""
    import psutil

    def clock() -> float:
        processes = [psutil.Process(master.pid)]
        processes += processes[0].children(recursive=True)
        total = 0.0
        for process in processes:
            try:
                times = process.cpu_times()
                total += times.user + times.system
            except psutil.NoSuchProcess:
                pass
        return total

    return clock


def locust(
    base: str, scenario: str, args: argparse.Namespace, env: dict, run: Path, clock: Callable
) -> dict:
    """Run one locust scenario as its own process; its stats per request name, and the
    server's CPU milliseconds per request over the whole run (``cpu_ms``)."""
    prefix = run / scenario
    capacity = scenario != "mix"
    command = [
        sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py"),
        "--headless", "--host", base, "-u", str(args.users),
        "-r", str(args.users if capacity else args.spawn_rate),
        "-t", f"{args.capacity_seconds if capacity else args.mix_seconds}s",
        "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING",
    ]  # fmt: skip
    cpu_before = clock()
    with open(f"{prefix}.log", "w") as log:
        subprocess.run(
            command,
            env={**env, "TANDEM_SCENARIO": scenario},
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            check=False,  # locust exits 1 when any request failed: reported below
        )
    cpu = clock() - cpu_before
    with open(f"{prefix}_stats.csv") as f:
        stats = {row["Name"]: row for row in csv.DictReader(f)}
    total = int(stats["Aggregated"]["Request Count"])
    for row in stats.values():
        row["cpu_ms"] = 1000 * cpu / total if total else 0.0
    return stats


def forget_load(env: dict[str, str], since: float) -> None:
    """Delete the check-ins the load test made, so a reused data folder stays as seeded
    (step ticks only toggle today's runs, which stay bounded)."""
    code = (
        "from datetime import UTC, datetime; from checkins.models import CheckIn; "
        f"CheckIn.objects.filter(created_at__gte=datetime.fromtimestamp({since - 1}, UTC)).delete()"
    )
    manage(env, "shell", "-c", code)


def _stat(row: dict) -> dict:
    return {
        "requests": int(row["Request Count"]),
        "failures": int(row["Failure Count"]),
        "rps": float(row["Requests/s"]),
        "p50": float(row["50%"]),
        "p99": float(row["99%"]),
        "cpu_ms": row["cpu_ms"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--families", type=int, default=1000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--reseed", action="store_true", help="Seed again even if seeded.")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=int, default=10)
    parser.add_argument("--mix-seconds", type=int, default=30)
    parser.add_argument("--capacity-seconds", type=int, default=12)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--only", nargs="*", choices=[*ENDPOINTS, "mix"], help="Run only these scenarios."
    )
    args = parser.parse_args()
    # The mix first: its latencies come from a server no capacity run has worn down.
    scenarios = args.only or ["mix", *ENDPOINTS]

    folder, env = data_folder(args)
    run = OUT / "api_load" / time.strftime("%Y%m%d-%H%M%S")
    run.mkdir(parents=True, exist_ok=True)
    database = "PostgreSQL" if os.environ.get("DATABASE_URL") else "SQLite"
    print(f"Data: {folder} ({database}); gunicorn {args.workers} workers × {args.threads} threads")
    with gunicorn_process(env, workers=args.workers, threads=args.threads) as (base, master):
        clock = cpu_seconds(master)
        accounts = sessions(base, folder, args.users)
        board_bytes = sorted(a["board_bytes"] for a in accounts)[len(accounts) // 2]
        (run / "sessions.json").write_text(json.dumps(accounts))
        locust_env = {
            **os.environ,
            "TANDEM_SESSIONS": str(run / "sessions.json"),
            "TANDEM_BASELINE_BYTES": str(board_bytes),
        }
        started = time.time()
        try:
            results = {s: locust(base, s, args, locust_env, run, clock) for s in scenarios}
        finally:
            forget_load(env, started)

    report(results, args, board_bytes, run)


def report(results: dict, args: argparse.Namespace, board_bytes: int, run: Path) -> None:
    capacity = {
        name: _stat(results[s][name])
        for s, name in ENDPOINTS.items()
        if s in results and name in results[s]
    }
    mix = {k: _stat(v) for k, v in results.get("mix", {}).items() if k != "Aggregated"}
    base, floor, bare = (capacity.get(n) for n in ("baseline", "write floor", "bare view"))
    print(
        f"\n{args.users} users; baseline body {board_bytes} bytes (median Today board).\n"
        f"Capacity: each endpoint alone, no pause ({args.capacity_seconds} s); "
        "CPU ms = the server's CPU time per request (gunicorn master and workers).\n"
        f"Mix: a caregiver's day with 0.5–1.5 s between taps ({args.mix_seconds} s)."
    )
    header = (
        f"{'endpoint':<16}{'req/s':>7}{'× base':>8}{'× floor':>8}{'× bare':>8}{'p50':>6}"
        f"{'p99':>6}{'CPU ms':>8}{'│ mix req/s':>12}{'p50':>6}{'p99':>6}{'errors':>8}"
    )
    print(header + "\n" + "─" * len(header))
    problems = []
    ratios: dict[str, dict[str, float]] = {}
    for name in ENDPOINTS.values():
        cap, m = capacity.get(name), mix.get(name)
        if cap is None and m is None:
            continue
        errors = (cap or {}).get("failures", 0) + (m or {}).get("failures", 0)
        line = f"{name:<16}"
        if cap:
            ratios[name] = {
                label: cap["rps"] / other["rps"]
                for label, other in (("base", base), ("floor", floor), ("bare", bare))
                if other and other["rps"]
            }
            line += f"{cap['rps']:>7.0f}"
            for label in ("base", "floor", "bare"):
                value = ratios[name].get(label)
                line += f"{value:>7.2f}×" if value is not None else f"{'':>8}"
            line += f"{cap['p50']:>6.0f}{cap['p99']:>6.0f}{cap['cpu_ms']:>8.2f}"
        else:
            line += " " * 52
        line += f"{m['rps']:>12.1f}{m['p50']:>6.0f}{m['p99']:>6.0f}" if m else f"{'│':>12}{'':>12}"
        print(line + f"{errors:>8}")
        for targets, label, what in (
            (RATIO_TARGETS, "base", "baseline"),
            (FLOOR_TARGETS, "floor", "write floor"),
        ):
            ratio = ratios.get(name, {}).get(label)
            if name in targets and ratio is not None and ratio < targets[name]:
                problems.append(f"{name}: {ratio:.2f}× the {what}'s req/s < {targets[name]}×")
        if m and m["p99"] >= P99_TARGET_MS:
            problems.append(f"{name}: mix p99 {m['p99']:.0f} ms ≥ {P99_TARGET_MS} ms")
        if errors:
            problems.append(f"{name}: {errors} errors (see {run}/*_failures.csv)")
    print(
        "(times in ms; × base / floor / bare: req/s over the signed-in baseline's, the write "
        "floor's and the bare view's)"
    )
    (run / "results.json").write_text(
        json.dumps({"capacity": capacity, "ratios": ratios, "mix": mix}, indent=1)
    )
    print(f"Raw locust output: {run}")
    if problems:
        print("Targets missed:\n  " + "\n  ".join(problems))
        sys.exit(1)
    print(
        "Targets met: Today board ≥ 0.6× the baseline, step completion ≥ 0.5× and check-in "
        "create ≥ 0.8× the write floor, mix p99 < 100 ms, no errors."
    )


if __name__ == "__main__":
    main()
