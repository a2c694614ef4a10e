"""CPU per request of the hot endpoints, in one process, against the baseline view.

    .venv/bin/python bench/inprocess.py                  # after bench/api_load.py has seeded
    .venv/bin/python bench/inprocess.py --profile today  # where one endpoint's time goes

``bench/api_load.py`` measures throughput through gunicorn, but on a 2-core machine the
load generator takes its share of the CPU and the figures move with it. This script calls
Django's WSGI handler directly, with production settings on the same seeded data folder,
signed in as a seeded owner: no network, no load generator, just the server's own work
per request. It prints the milliseconds per request of each endpoint and the baseline's
(``bench/views.baseline``: signed in, same middleware, no DRF) over it, which is
the ratio the load test's req/s approaches when the server is the bottleneck.
``--profile NAME`` runs that endpoint under pyinstrument (from requirements-bench.txt).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from testing.server import ROOT, production_env

FEELINGS = ("worried", "angry", "sad", "tired", "happy", "calm", "frustrated", "excited")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data",
        type=Path,
        default=ROOT / "bench" / "out" / "data" / "sqlite-f1000-d365-s1",
        help="A data folder seeded by bench/api_load.py (default: its SQLite one).",
    )
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--profile", help="Profile this endpoint with pyinstrument.")
    parser.add_argument(
        "--only", help="Comma-separated endpoints to measure (the baseline always runs)."
    )
    parser.add_argument(
        "--all-frames", action="store_true", help="With --profile: show library frames too."
    )
    args = parser.parse_args()
    if not (args.data / "seed-credentials.json").exists():
        sys.exit(f"No seeded data in {args.data}: run bench/api_load.py (make bench-load) first.")

    os.environ.update(
        production_env(
            args.data, DJANGO_SETTINGS_MODULE="bench.settings", ALLOWED_HOSTS="localhost,testserver"
        )
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.cache import caches
    from django.core.handlers.wsgi import WSGIHandler
    from django.test import Client

    creds = json.loads((args.data / "seed-credentials.json").read_text())
    account = next(a for a in creds["accounts"] if a["children"])
    client = Client()
    login = client.post(
        "/api/v1/auth/login/",
        {"email": account["email"], "password": creds["password"]},
        content_type="application/json",
    )
    assert login.status_code in (200, 204), login.content
    base = f"/api/v1/families/{account['family']}"
    board = client.get(f"{base}/today/").json()
    children = [c["child"]["id"] for c in board["children"]]
    steps = [
        (entry["routine"]["id"], child["child"]["id"], step["id"])
        for child in board["children"]
        for entry in child["routines"]
        for step in entry["steps"]
    ]
    board_bytes = len(json.dumps(board, separators=(",", ":")))
    strategies = [
        s["id"]
        for s in client.get(f"{base}/strategies/").json()["results"]
        if not s["caregiver_first"]
    ]
    cookie = "; ".join(f"{m.key}={m.value}" for m in client.cookies.values())
    csrf = client.cookies["csrftoken"].value
    handler = WSGIHandler()
    made: list[str] = []

    def call(method: str, path: str, body: object = None) -> int:
        data = json.dumps(body).encode() if body is not None else b""
        path, _, query = path.partition("?")
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SERVER_NAME": "localhost",
            "SERVER_PORT": "80",
            "HTTP_HOST": "localhost",
            "HTTP_COOKIE": cookie,
            "HTTP_ACCEPT": "application/json",
            "HTTP_X_CSRFTOKEN": csrf,
            "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": str(len(data)),
            "wsgi.input": io.BytesIO(data),
            "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr,
            "REMOTE_ADDR": "127.0.0.1",
        }
        status: list[str] = []
        body_iter = handler(environ, lambda s, h, *a: status.append(s))
        b"".join(body_iter)
        getattr(body_iter, "close", lambda: None)()
        return int(status[0].split()[0])

    def checkin() -> int:
        body = {
            "id": str(uuid.uuid4()),
            "child": random.choice(children),
            "emotion": random.choice(FEELINGS),
            "intensity": random.randint(1, 5),
            "body_areas": random.choice([[], ["chest"], ["tummy:fluttery", "hands"]]),
        }
        if random.random() < 0.5:  # as bench/locustfile.py does
            body["strategy"] = random.choice(strategies)
        made.append(body["id"])
        return call("POST", f"{base}/checkins/", body)

    def complete() -> int:
        routine, child, step = random.choice(steps)
        day = board["date"]
        path = f"{base}/routines/{routine}/children/{child}/days/{day}/steps/{step}/completion/"
        return call("PUT" if random.random() < 0.8 else "DELETE", path)

    def today_built() -> int:
        caches["boards"].clear()  # what a board costs when something on it just changed
        return call("GET", f"{base}/today/")

    def floor() -> int:
        body = {"id": str(uuid.uuid4()), "child": random.choice(children)}
        body |= {"emotion": random.choice(FEELINGS), "intensity": 3}
        made.append(body["id"])
        return call("POST", f"/bench/write-floor/{account['family']}", body)

    endpoints: dict[str, Callable[[], int]] = {
        "baseline": lambda: call("GET", f"/bench/baseline?bytes={board_bytes}"),
        "bare": lambda: call("GET", f"/bench/bare?bytes={board_bytes}"),
        "floor": floor,
        "today": lambda: call("GET", f"{base}/today/"),
        "today-built": today_built,
        "checkin": checkin,
        "complete": complete,
        "checkins": lambda: call("GET", f"{base}/checkins/"),
    }
    try:
        if args.profile:
            from pyinstrument import Profiler

            if args.profile not in endpoints:
                sys.exit(f"--profile: one of {', '.join(endpoints)}")
            run = endpoints[args.profile]
            for _ in range(50):
                run()
            with Profiler(interval=0.0002) as profiler:
                for _ in range(args.requests):
                    run()
            profiler.print(show_all=args.all_frames)
            return
        wanted = set(args.only.split(",")) if args.only else set(endpoints)
        unknown = wanted - set(endpoints)
        if unknown:
            sys.exit(f"--only: unknown {', '.join(sorted(unknown))}; one of {', '.join(endpoints)}")
        results = {}
        for name, run in endpoints.items():
            if name != "baseline" and name not in wanted:
                continue
            status = run()
            assert status in (200, 201, 204), (name, status)
            for _ in range(50):  # warm up
                run()
            rounds = []
            for _ in range(5):
                started = time.process_time()
                for _ in range(args.requests // 5):
                    run()
                rounds.append(1000 * (time.process_time() - started) / (args.requests // 5))
            results[name] = statistics.median(rounds)
        print(f"{'endpoint':<12}{'CPU ms':>8}{'× base':>8}")
        for name, ms in results.items():
            print(f"{name:<12}{ms:>8.3f}{results['baseline'] / ms:>7.2f}×")
    finally:
        from checkins.models import CheckIn

        CheckIn.objects.filter(pk__in=made).delete()


if __name__ == "__main__":
    main()
