"""Reminders benchmark (not a test): a burst of reminders due in the same minute.

    .venv/bin/python bench/reminders.py [--n 10000] [--concurrency 2] [--tick 5]
                                        [--raw-n 2000] [--idle 1000000] [--no-redis]

1. N families, each with a caregiver, a child, a "Bedtime" routine with a 10-minute
   warning and one subscribed device (keys generated as a browser would), spread over four
   time zones; the routines are timed so that all N warnings fall due at the same instant
   T (the start of a minute) and are materialised by the real ``sync_routines``.
2. Real Celery workers (``-Q dispatch,push,default -B``, Redis when ``redis-server`` is
   installed, else the embedded file-system broker) dispatch and send them to the local
   push service of the tests (TLS, VAPID check, aes128gcm decryption), run in a separate
   process. Printed: throughput, p50/p99/max lateness (arrival − T, tick phase included),
   and the ratio to a raw pywebpush encrypt-and-post loop in this process.
3. The tick's time (dispatching 200 due reminders, and an idle tick) with 10,000 versus
   ``--idle`` (1,000,000) idle future reminders in the table: it must stay flat, since the
   claim query is a range scan of a partial index on pending ``fire_at`` (O(due)).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ZONES = ["Europe/Madrid", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe"]


# --- the push service, in its own process (its decryption must not share our GIL) ------


def _push_service_process(conn, public_key: str, devices: int, tmpdir: str) -> None:
    from testing.pushservice import PushService

    with PushService(tmpdir=tmpdir, require_vapid_key=public_key) as push:
        infos = [push.register_device(f"d{i}") for i in range(devices)]
        conn.send((push.port, str(push.ca_bundle_path), str(push.cert_path), infos))
        while True:
            command = conn.recv()
            if command == "count":
                conn.send((len(push.messages), len(push.errors)))
            elif command == "collect":
                conn.send(
                    (
                        [
                            (m.device_id, m.received_at.timestamp(), m.payload.get("id"))
                            for m in push.messages
                        ],
                        [e.reason for e in push.errors][:5],
                    )
                )
            elif command == "reset":
                push.reset()
                conn.send(True)
            elif command == "stop":
                conn.send(True)
                return


class PushProcess:
    def __init__(self, public_key: str, devices: int, tmpdir: Path) -> None:
        context = mp.get_context("spawn")
        self.conn, child = context.Pipe()
        self.process = context.Process(
            target=_push_service_process,
            args=(child, public_key, devices, str(tmpdir)),
            daemon=True,
        )
        self.process.start()
        self.port, self.ca_bundle, self.cert, self.infos = self.conn.recv()

    def ask(self, command: str):
        self.conn.send(command)
        return self.conn.recv()

    def stop(self) -> None:
        if self.process.is_alive():
            self.ask("stop")
            self.process.join(timeout=10)


# --- helpers -----------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def build_families(n: int, infos: list[dict]) -> list:
    """N families with a caregiver, a child, a subscribed device and a routine."""
    from families.models import Child, Family, Membership, Role, User
    from reminders.models import PushSubscription
    from routines.models import Routine

    users = User.objects.bulk_create(
        User(email=f"bench{i}@example.com", display_name=f"Carer {i}", password="!")
        for i in range(n)
    )
    families = Family.objects.bulk_create(
        Family(name=f"Family {i}", timezone=ZONES[i % len(ZONES)]) for i in range(n)
    )
    Membership.objects.bulk_create(
        Membership(user=u, family=f, role=Role.OWNER) for u, f in zip(users, families, strict=True)
    )
    children = Child.objects.bulk_create(Child(family=f, name="Sam") for f in families)
    # bulk_create sends no signals: nothing is scheduled until schedule() below.
    routines = Routine.objects.bulk_create(
        Routine(
            family=f,
            name="Bedtime",
            icon="🌙",
            days_of_week=[1, 2, 3, 4, 5, 6, 7],
            start_time=datetime.min.time(),
            reminder_offsets=[10],
        )
        for f in families
    )
    Routine.children.through.objects.bulk_create(
        Routine.children.through(routine=r, child=c)
        for r, c in zip(routines, children, strict=True)
    )
    PushSubscription.objects.bulk_create(
        PushSubscription(
            user=u,
            endpoint=info["endpoint"],
            p256dh=info["keys"]["p256dh"],
            auth=info["keys"]["auth"],
            user_agent="Mozilla/5.0 (Linux; Android 14) Chrome/126.0 Mobile Safari/537.36",
        )
        for u, info in zip(users, infos, strict=True)
    )
    by_id = {f.pk: f for f in families}
    for routine in routines:
        routine.family = by_id[routine.family_id]
    return routines


def schedule(routines: list, fire_at: datetime) -> None:
    """Time every routine so that its 10-minute warning is due at ``fire_at``, and let the
    real materialisation (``sync_routines``) write the ScheduledReminder rows."""
    from reminders.routine_reminders import sync_routines
    from routines.models import Routine

    start = fire_at + timedelta(minutes=10)
    for routine in routines:
        routine.start_time = start.astimezone(routine.family.zone).time()
    Routine.objects.bulk_update(routines, ["start_time"], batch_size=1000)
    for batch in chunks(routines, 1000):
        sync_routines(batch, now=fire_at - timedelta(seconds=1))


def raw_loop(infos: list[dict], cert: str, private_key: str) -> float:
    """Deliveries per second of a bare pywebpush encrypt-and-post loop, one process."""
    import requests
    from py_vapid import Vapid02
    from pywebpush import webpush

    key = Vapid02.from_string(private_key)
    session = requests.Session()
    session.trust_env = False
    session.verify = cert
    payload = json.dumps(
        {
            "title": "Bedtime for Sam in 10 minutes",
            "body": "🌙 Starts at 19:30.",
            "url": "/#/families/1/today?routine=1",
            "tag": "routine-1-2026-03-02",
            "id": 1,
        }
    )
    started = time.perf_counter()
    for info in infos:
        webpush(
            info,
            data=payload,
            vapid_private_key=key,
            vapid_claims={"sub": "mailto:bench@example.com"},
            ttl=900,
            headers={"Urgency": "high", "Topic": "dG9waWMtb25lLXR3bw"},
            content_encoding="aes128gcm",
            requests_session=session,
            timeout=10,
        )
    return len(infos) / (time.perf_counter() - started)


INSERT_IDLE = (
    "INSERT INTO reminders_scheduledreminder (kind, user_id, fire_at, state, payload, created_at) "
    "VALUES (%s, %s, %s, %s, %s, %s)"
)


def tick_times(idle_target: int, user) -> dict[str, float]:
    """Time an idle tick and a tick dispatching 200 due reminders, at ``idle_target`` idle rows."""
    from django.db import connection
    from django.utils import timezone

    from reminders import dispatch
    from reminders.models import ScheduledReminder

    now = timezone.now()
    have = ScheduledReminder.objects.filter(state="pending", fire_at__gt=now).count()
    missing = max(0, idle_target - have)
    started = time.perf_counter()
    # Raw inserts: a million ORM objects would time the ORM, not the tick.
    rows = (
        (
            "test",
            user.pk,
            (now + timedelta(days=1, seconds=i % (30 * 86400))).isoformat(),
            "pending",
            "{}",
            now.isoformat(),
        )
        for i in range(missing)
    )
    with connection.cursor() as cursor:
        batch = []
        for row in rows:
            batch.append(row)
            if len(batch) == 20000:
                cursor.executemany(INSERT_IDLE, batch)
                batch.clear()
        if batch:
            cursor.executemany(INSERT_IDLE, batch)
        if connection.vendor == "sqlite":
            cursor.execute("ANALYZE")
    inserted = time.perf_counter() - started

    def enqueue(ids):  # measure the tick alone
        pass

    idle = []
    for _ in range(5):
        t = time.perf_counter()
        dispatch.dispatch_due(enqueue=enqueue)
        idle.append(time.perf_counter() - t)
    due = []
    for _ in range(3):
        ScheduledReminder.objects.bulk_create(
            ScheduledReminder(
                kind="test",
                user=user,
                state="pending",
                fire_at=timezone.now() - timedelta(seconds=1),
                payload={"title": "Due", "tag": "t", "topic": "t"},
            )
            for _ in range(200)
        )
        t = time.perf_counter()
        report = dispatch.dispatch_due(enqueue=enqueue)
        due.append(time.perf_counter() - t)
        assert report.deliveries == 200, report
    return {
        "idle_rows": ScheduledReminder.objects.filter(state="pending").count(),
        "insert_s": inserted,
        "idle_tick_ms": statistics.median(idle) * 1000,
        "tick_200_due_ms": statistics.median(due) * 1000,
    }


def claim_plan() -> str:
    from django.utils import timezone

    from reminders.models import ScheduledReminder

    query = ScheduledReminder.objects.filter(state="pending", fire_at__lte=timezone.now()).order_by(
        "fire_at", "pk"
    )[:500]
    return query.explain()


def print_report(r: dict) -> None:
    n = r["n"]
    print()
    print(f"Reminders benchmark: {n} due at once, {r['concurrency']} worker processes, ", end="")
    print(f"broker {r['broker']}, database {r['database']}")
    print(f"  delivered     {r['delivered']} of {n}, repeats {r['duplicates']}, ", end="")
    print(f"push-service errors {len(r['push_errors'])}, sent rows {r['sent_rows']}")
    print(f"  throughput    {r['throughput_per_s']:.0f} deliveries/s (first to last arrival)")
    print(
        f"  lateness      p50 {r['lateness_p50_s']:.2f} s, p99 {r['lateness_p99_s']:.2f} s, ",
        end="",
    )
    print(f"max {r['lateness_max_s']:.2f} s (arrival - due time), early {r['early']}")
    print(f"  raw loop      {r['raw_per_s']:.0f} pushes/s (pywebpush, one process); ", end="")
    print(f"ratio {r['ratio_to_raw']:.2f}")
    for key in ("tick_10k", "tick_idle"):
        t = r[key]
        print(
            f"  tick, {t['idle_rows']:>9,} idle rows: idle tick {t['idle_tick_ms']:.1f} ms, ",
            end="",
        )
        print(f"tick with 200 due {t['tick_200_due_ms']:.1f} ms")
    print(f"  claim query plan: {r['claim_plan']}")


# --- main ------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10_000, help="reminders due together")
    parser.add_argument("--concurrency", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--tick", type=float, default=5.0, help="REMINDER_TICK_SECONDS")
    parser.add_argument("--raw-n", type=int, default=2000, help="pushes in the raw loop")
    parser.add_argument("--idle", type=int, default=1_000_000, help="idle rows, second tick run")
    parser.add_argument("--no-redis", action="store_true", help="use the file-system broker")
    parser.add_argument(
        "--postgres", action="store_true", help="a throw-away PostgreSQL 15 instead of SQLite"
    )
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()

    from reminders.vapid import generate_key_pair
    from testing.servers import CeleryWorker, PostgresServer, RedisServer, wait_until

    work = Path(tempfile.mkdtemp(prefix="tandem-bench-reminders-"))
    private, public = generate_key_pair()
    print(f"work folder {work}; generating {args.n} device keys…", flush=True)
    push = PushProcess(public, args.n, work / "push")
    redis = None
    if not args.no_redis and shutil.which("redis-server"):
        redis = RedisServer(work / "redis").start()
    broker = redis.url if redis else "filesystem://"
    postgres = None
    database = f"sqlite:///{work / 'bench.sqlite3'}"
    if args.postgres:
        postgres = PostgresServer(Path(tempfile.mkdtemp(prefix="tandem-bench-pg-"))).start()
        database = postgres.url
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_ENV": "development",
        "SECRET_KEY": "bench-" + "x" * 60,
        "DATA_DIR": str(work / "data"),
        "DATABASE_URL": database,
        "DEBUG": "false",
        "CELERY_BROKER_URL": broker,
        "VAPID_PRIVATE_KEY": private,
        "VAPID_PUBLIC_KEY": public,
        "VAPID_SUBJECT": "mailto:bench@example.com",
        "WEBPUSH_ALLOWED_HOSTS": f"127.0.0.1:{push.port}",
        "REQUESTS_CA_BUNDLE": push.ca_bundle,
        "SSL_CERT_FILE": push.ca_bundle,
        "REMINDER_TICK_SECONDS": str(args.tick),
        "REMINDER_REQUEUE_SECONDS": "120",
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    from families.models import User
    from reminders.models import Delivery

    call_command("migrate", verbosity=0)
    worker = None
    results: dict[str, object] = {
        "n": args.n,
        "concurrency": args.concurrency,
        "broker": broker.split(":")[0],
        "database": "postgresql" if args.postgres else "sqlite",
    }
    try:
        started = time.perf_counter()
        routines = build_families(args.n, push.infos)
        results["setup_s"] = time.perf_counter() - started
        worker = CeleryWorker(work / "worker", env, concurrency=args.concurrency).start()
        # T: the next minute boundary with time to materialise N reminders before it.
        ahead = datetime.now(UTC) + timedelta(seconds=3 + args.n / 2000)
        fire_at = ahead.replace(second=0, microsecond=0) + timedelta(minutes=1)
        started = time.perf_counter()
        schedule(routines, fire_at)
        results["materialise_s"] = time.perf_counter() - started
        print(f"set-up {results['setup_s']:.1f} s; materialised {args.n} reminders in ", end="")
        print(f"{results['materialise_s']:.1f} s, all due at {fire_at:%H:%M:%S}Z", flush=True)
        wait_until(
            lambda: push.ask("count")[0] >= args.n,
            max(600, args.n / 5),
            interval=0.5,
            message=f"not all pushes arrived: {push.ask('count')}\n{worker.log()[-3000:]}",
        )
        records, errors = push.ask("collect")
        worker.stop()
        worker = None
        arrivals = [at for _, at, _ in records]
        lateness = [at - fire_at.timestamp() for at in arrivals]
        span = max(arrivals) - min(arrivals)
        results.update(
            delivered=len({r[2] for r in records}),
            duplicates=len(records) - len({r[2] for r in records}),
            push_errors=errors,
            throughput_per_s=args.n / span if span else float("inf"),
            lateness_p50_s=percentile(lateness, 0.5),
            lateness_p99_s=percentile(lateness, 0.99),
            lateness_max_s=max(lateness),
            early=sum(1 for x in lateness if x < 0),
            sent_rows=Delivery.objects.filter(state="sent").count(),
        )
        results["raw_per_s"] = raw_loop(push.infos[: args.raw_n], push.cert, private)
        results["ratio_to_raw"] = results["throughput_per_s"] / results["raw_per_s"]

        user = User.objects.order_by("pk").first()
        results["tick_10k"] = tick_times(10_000, user)
        print(f"tick at 10,000 idle: {results['tick_10k']}", flush=True)
        results["tick_idle"] = tick_times(args.idle, user)
        print(f"tick at {args.idle:,} idle: {results['tick_idle']}", flush=True)
        results["claim_plan"] = claim_plan()
    finally:
        if worker is not None:
            worker.stop()
        push.stop()
        if redis is not None:
            redis.stop()
        if postgres is not None:
            postgres.stop()
            shutil.rmtree(postgres.directory, ignore_errors=True)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    print_report(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    main()
