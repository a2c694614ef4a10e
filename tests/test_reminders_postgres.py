"""On PostgreSQL several dispatch ticks can run side by side (SELECT … FOR UPDATE SKIP
LOCKED): each due reminder is dispatched once, each routine's next occurrence is
materialised once, and nobody deadlocks or trips a unique constraint. A busy tick in a
real Celery worker starts helping dispatchers that do share the work."""

from __future__ import annotations

import json
import shutil
import time

import pytest

from testing.servers import CeleryWorker, RedisServer

from .conftest import skip_or_fail
from .support.processes import run

pytestmark = pytest.mark.integration

TEST_REMINDERS = 300
ROUTINES = 60


def test_dispatchers_side_by_side_dispatch_each_reminder_once(postgres, tmp_path):
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": postgres.url,
        "DATA_DIR": str(tmp_path / "data"),
        "LOG_LEVEL": "WARNING",
    }
    run(env, "manage.py", "migrate", "--noinput", "-v", "0")
    out = run(
        env,
        "-m",
        "tests.support.dispatch_drill",
        "--dispatchers",
        "3",
        "--test-reminders",
        str(TEST_REMINDERS),
        "--routines",
        str(ROUTINES),
    )
    result = json.loads(out.strip().splitlines()[-1])

    assert result["vendor"] == "postgresql"
    errors = [error for *_, error in result["dispatchers"] if error]
    assert errors == []
    handled = sum(reminders for _, reminders, _, _ in result["dispatchers"])
    assert handled == TEST_REMINDERS + ROUTINES
    assert result["states"] == {
        "test:done": TEST_REMINDERS,
        "routine:done": ROUTINES,
        "routine:pending": ROUTINES,  # tomorrow's, once per routine
    }
    expected = (TEST_REMINDERS + ROUTINES) * 2  # two devices
    assert result["deliveries"] == result["pairs"] == expected
    assert result["routine_rows_per_state"] == [1]


def test_a_busy_tick_starts_helping_dispatchers_in_a_real_worker(postgres, tmp_path):
    """1,200 reminders due at once, claimed 50 at a time: the tick's first full batch
    queues REMINDER_DISPATCHERS - 1 helpers on the dispatch queue, the worker's other
    processes take them, and between them every reminder is dispatched once."""
    if shutil.which("redis-server") is None:
        skip_or_fail("redis-server is not installed (apt-get install redis-server)")
    import psycopg  # noqa: PLC0415 - only this test talks to the cluster directly

    with psycopg.connect(postgres.url, autocommit=True) as admin:
        admin.execute("CREATE DATABASE fan_out")
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": postgres.url.rsplit("/", 1)[0] + "/fan_out",
        "DATA_DIR": str(tmp_path / "data"),
        "LOG_LEVEL": "INFO",
    }
    run(env, "manage.py", "migrate", "--noinput", "-v", "0")
    run(env, "-m", "tests.support.dispatch_drill", "--stage", "seed",
        "--test-reminders", "1200", "--routines", "0")  # fmt: skip
    redis = RedisServer(tmp_path / "redis").start()
    worker = CeleryWorker(
        tmp_path / "worker",
        {
            **env,
            "CELERY_BROKER_URL": redis.url,
            "REMINDER_BATCH_SIZE": "50",
            "REMINDER_DISPATCHERS": "3",
            "REMINDER_TICK_SECONDS": "30",  # one tick does it all (beat runs it at start)
            # The drill's devices are at a push service this machine cannot reach: refused
            # at once (only dispatch is under test here).
            "WEBPUSH_ALLOWED_HOSTS": "127.0.0.1:9",
        },
        concurrency=3,
        queues=None,
    )
    try:
        worker.start()
        deadline = time.monotonic() + 120
        while True:
            result = json.loads(
                run(env, "-m", "tests.support.dispatch_drill", "--stage", "summary")
            )
            if result["states"].get("test:done") == 1200 or time.monotonic() > deadline:
                break
            time.sleep(1)
    finally:
        worker.stop()
        redis.stop()
    log = worker.log_path.read_text()
    assert result["states"] == {"test:done": 1200}, log[-3000:]
    assert result["deliveries"] == result["pairs"] == 2400  # two devices, each once
    helped = [line for line in log.splitlines() if "reminder tick (helping)" in line]
    assert helped, log[-3000:]
    assert all("reminders=0" not in line for line in helped)
