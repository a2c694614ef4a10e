"""Reminders benchmark (not a test): a burst of reminders due in the same minute.

    .venv/bin/python bench/reminders.py [--n 10000] [--latency-ms 100] [--concurrency 2]
        [--tick 5] [--raw-n 2000] [--idle 1000000] [--old 0] [--postgres] [--no-redis]

1. N families, each with a caregiver, a child, a "Bedtime" routine with a 10-minute
   warning and one subscribed device (keys generated as a browser would), spread over four
   time zones; the routines are timed so that all N warnings fall due at the same instant
   T (the start of a minute) and are materialised by the real ``sync_routines``.
2. Real Celery workers (``celery -A config worker -B``, no ``-Q``: the queues the app
   declares; Redis when ``redis-server`` is installed, else the embedded file-system
   broker) dispatch and send them to the local push service of the tests (TLS, VAPID
   check, aes128gcm decryption), run in a separate process. The burst runs twice in one
   run: the push service answering at once, then ``--latency-ms`` late (real services
   take 50-200 ms). Printed per burst: the delivery rate, p50/p99/max lateness (arrival
   - T, tick phase included); the two rates' ratio; and the ratio to a raw concurrent
   pywebpush loop (``webpush_async`` over one aiohttp session, as many in flight as the
   workers allow, signing per push) in this process at the same latency.
3. The tick's time (dispatching 200 due reminders, and an idle tick) with 10,000 versus
   ``--idle`` (1,000,000) idle future reminders in the table: it must stay flat, since the
   claim query is a range scan of a partial index on pending ``fire_at`` (O(due)).
4. With ``--old N`` (10,000,000 in the README): N old delivery rows (processed reminders
   40-70 days back, 10 deliveries each) are added, and the tick, the send claim and one
   pruning batch are timed before and after; they must stay flat too.
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
            elif isinstance(command, tuple) and command[0] == "latency":
                push.latency = command[1] / 1000.0
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

    def ask(self, command):
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


def raw_concurrent(infos: list[dict], cafile: str, private_key: str, in_flight: int) -> float:
    """Pushes per second of a bare concurrent pywebpush loop in this process:
    ``webpush_async`` over one aiohttp session, ``in_flight`` at a time, signing the VAPID
    header per push as pywebpush does, recording nothing."""
    import asyncio
    import ssl

    import aiohttp
    from py_vapid import Vapid02
    from pywebpush import webpush_async

    key = Vapid02.from_string(private_key)
    payload = json.dumps(
        {
            "title": "Bedtime for Sam in 10 minutes",
            "body": "🌙 Starts at 19:30.",
            "url": "/#/families/1/today?routine=1",
            "tag": "routine-1-2026-03-02",
            "id": 1,
        }
    )

    async def run() -> float:
        connector = aiohttp.TCPConnector(
            limit=0, limit_per_host=in_flight, ssl=ssl.create_default_context(cafile=cafile)
        )
        async with aiohttp.ClientSession(connector=connector) as session:
            slots = asyncio.Semaphore(in_flight)

            async def one(info: dict) -> None:
                async with slots:
                    await webpush_async(
                        info,
                        data=payload,
                        vapid_private_key=key,
                        vapid_claims={"sub": "mailto:bench@example.com"},
                        ttl=900,
                        headers={"Urgency": "high", "Topic": "dG9waWMtb25lLXR3bw"},
                        content_encoding="aes128gcm",
                        aiohttp_session=session,
                        timeout=10,
                    )

            started = time.perf_counter()
            await asyncio.gather(*(one(info) for info in infos))
            return len(infos) / (time.perf_counter() - started)

    return asyncio.run(run())


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


def _insert_old_rows(count: int, user_id: int) -> None:
    """``count`` sent deliveries of processed reminders 40-70 days old, 10 per reminder,
    generated by the database itself (a recursive CTE on SQLite, generate_series on
    PostgreSQL): the history a busy year leaves without pruning."""
    from django.db import connection

    reminders = max(1, count // 10)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM reminders_scheduledreminder")
        first = cursor.fetchone()[0] + 1
        if connection.vendor == "postgresql":
            series = "SELECT g AS i FROM generate_series(0, %s - 1) AS g"
            at = "now() - interval '40 days' - (i %% 2592000) * interval '1 second'"
        else:
            series = (
                "WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i + 1 < %s) "
                "SELECT i FROM s"
            )
            at = (
                "strftime('%%Y-%%m-%%d %%H:%%M:%%f', 'now', '-40 days', "
                "'-' || (i %% 2592000) || ' seconds')"
            )
        cursor.execute(
            "INSERT INTO reminders_scheduledreminder "
            "(id, kind, user_id, fire_at, state, payload, created_at, processed_at) "
            f"SELECT {first} + i, 'test', {user_id}, {at}, 'done', '{{}}', {at}, {at} "
            f"FROM ({series}) AS q",
            [reminders],
        )
        cursor.execute(
            "INSERT INTO reminders_delivery (reminder_id, user_id, device, state, attempts, "
            "lease, next_attempt_at, created_at, updated_at, sent_at, status_code, error) "
            f"SELECT {first} + i / 10, {user_id}, 'Chrome on Android', 'sent', 1, '', "
            f"{at}, {at}, {at}, {at}, 201, '' FROM ({series}) AS q",
            [reminders * 10],
        )
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('reminders_scheduledreminder', 'id'), "
                "(SELECT MAX(id) FROM reminders_scheduledreminder))"
            )
            cursor.execute("ANALYZE")
        else:
            cursor.execute("ANALYZE")


def old_row_times(user, device) -> dict[str, float]:
    """Median ms of the tick (200 due), the send claim (100 deliveries) and one pruning
    batch (nothing old enough yet: the scan's cost alone) at the current table size."""
    from django.utils import timezone

    from reminders import dispatch, pruning, sending
    from reminders.models import Delivery, ScheduledReminder

    ticks, claims, prunes = [], [], []
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
        dispatch.dispatch_due(enqueue=lambda ids: None)
        ticks.append(time.perf_counter() - t)
        ids = list(
            Delivery.objects.filter(state="pending")
            .order_by("-pk")
            .values_list("pk", flat=True)[:100]
        )
        t = time.perf_counter()
        claimed = sending.claim(ids)
        claims.append(time.perf_counter() - t)
        assert len(claimed) == len(ids) == 100, (len(claimed), len(ids))
        Delivery.objects.filter(pk__in=ids).update(state="sent", lease="")
        t = time.perf_counter()
        pruning.prune_batch(timezone.now() - timedelta(days=100), 2000)
        prunes.append(time.perf_counter() - t)
    return {
        "delivery_rows": Delivery.objects.count(),
        "tick_200_due_ms": statistics.median(ticks) * 1000,
        "claim_100_ms": statistics.median(claims) * 1000,
        "prune_scan_ms": statistics.median(prunes) * 1000,
    }


def prune_old(count: int) -> dict[str, float]:
    """Prune the old rows (REMINDER_KEEP_DAYS = 30) and time one full batch."""
    from reminders import pruning

    t = time.perf_counter()
    reminders, deliveries = pruning.prune_ledger(max_batches=1)
    batch = time.perf_counter() - t
    return {"batch_reminders": reminders, "batch_deliveries": deliveries, "batch_ms": batch * 1000}


def group_cpu_seconds(pgid: int) -> float:
    """User + system CPU seconds of the processes in a process group (the worker, its
    pool and its beat), from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # fields after the name: state, ppid, pgrp, ...
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


def print_burst(label: str, r: dict) -> None:
    print(f"  {label}")
    print(f"    delivered   {r['delivered']} of {r['n']}, repeats {r['duplicates']}, ", end="")
    print(f"push-service errors {len(r['push_errors'])}, sent rows {r['sent_rows']}")
    print(f"    rate        {r['throughput_per_s']:.0f} deliveries/s (first to last arrival)")
    print(
        f"    worker CPU  {r['worker_cpu_ms']:.2f} ms per delivery (dispatch + send, all processes)"
    )
    if r.get("dispatched_after_s") is not None:
        print(f"    dispatched  all deliveries written {r['dispatched_after_s']:.1f} s after T")
    print(
        f"    lateness    p50 {r['lateness_p50_s']:.2f} s, p99 {r['lateness_p99_s']:.2f} s, "
        f"max {r['lateness_max_s']:.2f} s (arrival - due time), early {r['early']}"
    )
    print(
        f"    raw loop    {r['raw_per_s']:.0f} pushes/s (webpush_async, {r['raw_in_flight']} "
        f"in flight, this process); ratio {r['ratio_to_raw']:.2f}"
    )


def print_report(r: dict) -> None:
    n = r["n"]
    print()
    print(f"Reminders benchmark: {n} due at once, {r['concurrency']} worker processes, ", end="")
    print(f"broker {r['broker']}, database {r['database']}")
    fast, slow = r["bursts"]["0"], r["bursts"][f"{r['latency_ms']:g}"]
    print_burst("push service answering at once (0 ms)", fast)
    print_burst(f"push service answering {r['latency_ms']:g} ms late", slow)
    print(
        f"  rate at {r['latency_ms']:g} ms / rate at 0 ms: {r['latency_ratio']:.2f} "
        f"(target >= 0.8); p99 lateness at {r['latency_ms']:g} ms {slow['lateness_p99_s']:.1f} s "
        f"(target <= 30); ratio to the raw loop {slow['ratio_to_raw']:.2f} (target >= 0.6)"
    )
    for key in ("tick_10k", "tick_idle"):
        t = r[key]
        print(
            f"  tick, {t['idle_rows']:>9,} idle rows: idle tick {t['idle_tick_ms']:.1f} ms, ",
            end="",
        )
        print(f"tick with 200 due {t['tick_200_due_ms']:.1f} ms")
    if "old_before" in r:
        for key in ("old_before", "old_after"):
            t = r[key]
            print(
                f"  {t['delivery_rows']:>11,} delivery rows: tick with 200 due "
                f"{t['tick_200_due_ms']:.1f} ms, claim of 100 {t['claim_100_ms']:.2f} ms, "
                f"pruning scan {t['prune_scan_ms']:.2f} ms"
            )
        pr = r["old_prune"]
        print(
            f"  pruning batch: {pr['batch_reminders']} reminders + {pr['batch_deliveries']} "
            f"deliveries in {pr['batch_ms']:.0f} ms (insert of the old rows "
            f"{r['old_insert_s']:.0f} s)"
        )
        print(f"  pruning scan plan: {r['prune_plan']}")
    print(f"  claim query plan: {r['claim_plan']}")


# --- main ------------------------------------------------------------------------------


def run_burst(args, push, routines, worker, fire_hint: str) -> dict:
    """Time all N routines' warnings to the next minute boundary and wait for the pushes."""
    from reminders.models import Delivery
    from testing.servers import wait_until

    push.ask("reset")
    ahead = datetime.now(UTC) + timedelta(seconds=5 + args.n / 400)  # slow when shared
    fire_at = ahead.replace(second=0, microsecond=0) + timedelta(minutes=1)
    started = time.perf_counter()
    schedule(routines, fire_at)
    materialise_s = time.perf_counter() - started
    if datetime.now(UTC) > fire_at:
        print("  (materialising ran past T: this burst's lateness includes that)", flush=True)
    print(f"{fire_hint}: materialised {args.n} reminders in {materialise_s:.1f} s, ", end="")
    print(f"all due at {fire_at:%H:%M:%S}Z", flush=True)
    sent_before = Delivery.objects.filter(state="sent").count()
    made_before = Delivery.objects.count()
    dispatched: list[float] = []

    def arrived() -> bool:
        if not dispatched and Delivery.objects.count() - made_before >= args.n:
            dispatched.append(time.time() - fire_at.timestamp())
        return push.ask("count")[0] >= args.n

    wait_until(
        arrived,
        max(600, args.n / 5),
        interval=0.5,
        message=f"not all pushes arrived: {push.ask('count')}\n{worker.log()[-3000:]}",
    )
    records, errors = push.ask("collect")
    wait_until(
        lambda: Delivery.objects.filter(state="sent").count() - sent_before >= args.n, 60, 0.5
    )
    arrivals = [at for _, at, _ in records]
    lateness = [at - fire_at.timestamp() for at in arrivals]
    span = max(arrivals) - min(arrivals)
    return {
        "n": args.n,
        "materialise_s": materialise_s,
        "dispatched_after_s": dispatched[0] if dispatched else None,
        "delivered": len({r[2] for r in records}),
        "duplicates": len(records) - len({r[2] for r in records}),
        "push_errors": errors,
        "throughput_per_s": args.n / span if span else float("inf"),
        "lateness_p50_s": percentile(lateness, 0.5),
        "lateness_p99_s": percentile(lateness, 0.99),
        "lateness_max_s": max(lateness),
        "early": sum(1 for x in lateness if x < 0),
        "sent_rows": Delivery.objects.filter(state="sent").count() - sent_before,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10_000, help="reminders due together")
    parser.add_argument(
        "--latency-ms", type=float, default=100.0, help="push service's answer delay, 2nd burst"
    )
    parser.add_argument("--concurrency", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--tick", type=float, default=5.0, help="REMINDER_TICK_SECONDS")
    parser.add_argument("--raw-n", type=int, default=2000, help="pushes in the raw loop")
    parser.add_argument("--idle", type=int, default=1_000_000, help="idle rows, second tick run")
    parser.add_argument("--old", type=int, default=0, help="old delivery rows (e.g. 10000000)")
    parser.add_argument(
        "--repeat", type=int, default=1, help="rounds of the two bursts (best of each kept)"
    )
    parser.add_argument("--no-redis", action="store_true", help="use the file-system broker")
    parser.add_argument(
        "--postgres", action="store_true", help="a throw-away PostgreSQL 15 instead of SQLite"
    )
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument("--log-level", default="WARNING", help="the worker's LOG_LEVEL")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()

    from reminders.vapid import generate_key_pair
    from testing.servers import CeleryWorker, PostgresServer, RedisServer

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
        "LOG_LEVEL": args.log_level,
    }
    os.environ.update(env)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from families.models import User
    from reminders.models import PushSubscription

    call_command("migrate", verbosity=0)
    worker = None
    in_flight = args.concurrency * settings.REMINDER_PUSH_HOST_CONCURRENCY
    results: dict[str, object] = {
        "n": args.n,
        "concurrency": args.concurrency,
        "latency_ms": args.latency_ms,
        "broker": broker.split(":")[0],
        "database": "postgresql" if args.postgres else "sqlite",
        "bursts": {},
    }
    try:
        started = time.perf_counter()
        routines = build_families(args.n, push.infos)
        results["setup_s"] = time.perf_counter() - started
        print(f"set-up {results['setup_s']:.1f} s", flush=True)
        # A plain worker: no -Q, the queues the app declares.
        worker = CeleryWorker(
            work / "worker", env, concurrency=args.concurrency, queues=None
        ).start()
        for _round in range(args.repeat):
            for latency in (0.0, args.latency_ms):
                push.ask(("latency", latency))
                cpu = group_cpu_seconds(worker.process.pid)
                burst = run_burst(args, push, routines, worker, f"burst at {latency:g} ms")
                burst["worker_cpu_ms"] = (
                    (group_cpu_seconds(worker.process.pid) - cpu) * 1000 / args.n
                )
                burst["raw_in_flight"] = in_flight
                burst["raw_per_s"] = raw_concurrent(
                    push.infos[: args.raw_n], push.ca_bundle, private, in_flight
                )
                burst["ratio_to_raw"] = burst["throughput_per_s"] / burst["raw_per_s"]
                key = f"{latency:g}"
                results.setdefault("all_bursts", []).append({"latency_ms": latency, **burst})
                best = results["bursts"].get(key)
                if best is None or burst["throughput_per_s"] > best["throughput_per_s"]:
                    results["bursts"][key] = burst  # the machine is shared: best of rounds
                print(
                    f"  {burst['throughput_per_s']:.0f}/s, p99 {burst['lateness_p99_s']:.1f} s, "
                    f"raw {burst['raw_per_s']:.0f}/s, worker CPU "
                    f"{burst['worker_cpu_ms']:.2f} ms/delivery",
                    flush=True,
                )
        worker.stop()
        worker = None
        bursts = results["bursts"]
        results["latency_ratio"] = (
            bursts[f"{args.latency_ms:g}"]["throughput_per_s"] / bursts["0"]["throughput_per_s"]
        )

        user = User.objects.order_by("pk").first()
        results["tick_10k"] = tick_times(10_000, user)
        print(f"tick at 10,000 idle: {results['tick_10k']}", flush=True)
        results["tick_idle"] = tick_times(args.idle, user)
        print(f"tick at {args.idle:,} idle: {results['tick_idle']}", flush=True)
        results["claim_plan"] = claim_plan()
        if args.old:
            from django.utils import timezone

            from reminders import pruning

            device = PushSubscription.objects.filter(user=user).first()
            results["old_before"] = old_row_times(user, device)
            print(f"before the old rows: {results['old_before']}", flush=True)
            started = time.perf_counter()
            _insert_old_rows(args.old, user.pk)
            results["old_insert_s"] = time.perf_counter() - started
            results["old_after"] = old_row_times(user, device)
            print(f"with {args.old:,} old rows: {results['old_after']}", flush=True)
            results["prune_plan"] = pruning.prunable(timezone.now() - timedelta(days=30))[
                :2000
            ].explain()
            results["old_prune"] = prune_old(args.old)
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
