"""Reminders at scale, end to end: a real redis-server, a *plain* Celery worker
(``celery -A config worker`` without ``-Q``: it consumes the queues the app declares) and
two local HTTPS push services (two hosts) answering 100 ms late, as real ones do.

500 devices due at once all get their push once; a push service answering 429 slows
itself only; a worker SIGKILLed mid-burst loses nothing.
"""

from __future__ import annotations

import math
import shutil
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from celery import Celery
from django.conf import settings
from django.db import connection
from django.utils import timezone

from core import health
from reminders.models import Delivery, ScheduledReminder
from reminders.vapid import generate_key_pair
from testing.pushservice import PushService
from testing.servers import CeleryWorker, RedisServer, wait_until

from .conftest import skip_or_fail
from .support.factories import FamilyFactory, MembershipFactory
from .support.reminder_fixtures import add_device

pytestmark = [
    pytest.mark.integration,
    pytest.mark.shared_db,
    pytest.mark.django_db(transaction=True),
]

LATENCY_MS = 100
PER_HOST = 20  # pushes in flight per host and worker process


@dataclass
class Stack:
    redis: RedisServer
    a: PushService
    b: PushService
    bundle: Path
    vapid_private: str
    vapid_public: str


@pytest.fixture(scope="module")
def stack(tmp_path_factory) -> Iterator[Stack]:
    if shutil.which("redis-server") is None:
        skip_or_fail("redis-server is not installed (apt-get install redis-server)")
    directory = tmp_path_factory.mktemp("scale-stack")
    private, public = generate_key_pair()
    redis = RedisServer(directory / "redis").start()
    a = PushService(tmpdir=directory / "a", require_vapid_key=public, latency_ms=LATENCY_MS)
    b = PushService(tmpdir=directory / "b", require_vapid_key=public, latency_ms=LATENCY_MS)
    a.start()
    b.start()
    bundle = directory / "both.pem"
    bundle.write_bytes(a.ca_bundle_path.read_bytes() + b.cert_path.read_bytes())
    try:
        yield Stack(redis, a, b, bundle, private, public)
    finally:
        a.stop()
        b.stop()
        redis.stop()


@pytest.fixture
def worker(stack, transactional_db, tmp_path) -> Iterator[CeleryWorker]:
    stack.a.reset()
    stack.b.reset()
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_ENV": "test",
        "SECRET_KEY": "scale-" + "x" * 50,
        "DATA_DIR": str(tmp_path / "worker-data"),
        "DATABASE_URL": f"sqlite:///{connection.settings_dict['NAME']}",
        "CELERY_BROKER_URL": stack.redis.url,
        "VAPID_PRIVATE_KEY": stack.vapid_private,
        "VAPID_PUBLIC_KEY": stack.vapid_public,
        "VAPID_SUBJECT": "mailto:scale@example.com",
        "WEBPUSH_ALLOWED_HOSTS": f"127.0.0.1:{stack.a.port},127.0.0.1:{stack.b.port}",
        "REQUESTS_CA_BUNDLE": str(stack.bundle),
        "SSL_CERT_FILE": str(stack.bundle),
        "REMINDER_TICK_SECONDS": "1",
        "REMINDER_REQUEUE_SECONDS": "3",
        "REMINDER_SEND_LEASE_SECONDS": "4",
        "REMINDER_SEND_TIMEOUT": "3",
        "REMINDER_RETRY_BASE_SECONDS": "0.5",
        "REMINDER_PUSH_HOST_CONCURRENCY": str(PER_HOST),
        "LOG_LEVEL": "WARNING",
    }
    celery = CeleryWorker(tmp_path / "worker", env, queues=None)  # no -Q
    try:
        yield celery.start()
    finally:
        celery.stop()


@pytest.fixture
def member(db):
    family = FamilyFactory(name="The Riveras", timezone="Europe/Madrid")
    return MembershipFactory(family=family, user__display_name="Ana")


def due_reminder(member, fire_at=None, n=0) -> ScheduledReminder:
    return ScheduledReminder.objects.create(
        kind="test",
        family=member.family,
        user=member.user,
        state="pending",
        fire_at=fire_at or timezone.now(),
        payload={"title": "Bedtime", "body": "Now.", "url": "/", "tag": f"t{n}", "topic": f"t{n}"},
    )


def devices(push: PushService, member, prefix: str, n: int) -> list:
    return [add_device(push, member.user, f"{prefix}{i}") for i in range(n)]


def wait_sent(count: int, timeout: float, worker: CeleryWorker) -> None:
    try:
        wait_until(lambda: Delivery.objects.filter(state="sent").count() >= count, timeout, 0.2)
    except TimeoutError:
        summary = Counter(Delivery.objects.values_list("state", flat=True))
        raise AssertionError(f"deliveries: {dict(summary)}\n{worker.log()[-4000:]}") from None


def test_a_plain_worker_delivers_500_devices_due_at_once_each_once(stack, worker, member):
    devices(stack.a, member, "a", 250)
    devices(stack.b, member, "b", 250)
    fire_at = timezone.now() + timedelta(seconds=1)
    due_reminder(member, fire_at)

    messages = stack.a.wait_for(250, timeout=30) + stack.b.wait_for(250, timeout=30)
    wait_sent(500, 20, worker)

    assert stack.a.errors == []
    assert stack.b.errors == []
    ids = Counter(m.payload["id"] for m in messages)
    assert len(ids) == 500
    assert set(ids.values()) == {1}
    assert len(stack.a.messages) + len(stack.b.messages) == 500
    lateness = [(m.received_at - fire_at).total_seconds() for m in messages]
    assert min(lateness) >= 0
    assert max(lateness) < 15, max(lateness)
    # The worker was started without -Q: it consumes every queue the app declares...
    assert "-Q" not in worker.log()
    # ...and /healthz's check, asking the real broker, finds a consumer for each.
    app = Celery("scale-check", broker=stack.redis.url)
    app.conf.task_queues = settings.CELERY_TASK_QUEUES
    app.conf.task_default_queue = settings.CELERY_TASK_DEFAULT_QUEUE
    original = health.current_app
    health.current_app, health._checked_at = app, -math.inf
    try:
        assert health.queue_consumers(wait=True) == {
            "dispatch": "ok",
            "push": "ok",
            "default": "ok",
        }
    finally:
        health.current_app, health._checked_at = original, -math.inf


def test_a_429_from_one_push_service_does_not_delay_another(stack, worker, member):
    on_a = devices(stack.a, member, "slow", 100)
    devices(stack.b, member, "fast", 100)
    stack.a.throttle(3, retry_after=4)  # A: "too many requests, come back in 4 s"
    fire_at = timezone.now() + timedelta(seconds=1)
    due_reminder(member, fire_at)

    fast = stack.b.wait_for(100, timeout=15)
    # B's pushes are not held up by A's pause: all there within a tick and a few trips.
    b_done = max(m.received_at for m in fast)
    assert (b_done - fire_at).total_seconds() < 4, b_done - fire_at
    slow = stack.a.wait_for(100, timeout=30)
    wait_sent(200, 20, worker)

    # A was asked to wait: its pushes arrived only once the 4 s were over...
    first_429 = min(x.received_at for x in stack.a.attempts if x.status == 429)
    assert min(m.received_at for m in slow) >= first_429 + timedelta(seconds=3.5)
    # ...and it was not hammered meanwhile: at most the pushes already in flight.
    throttled = sum(1 for x in stack.a.attempts if x.status == 429)
    assert throttled <= worker.concurrency * PER_HOST, throttled
    assert Delivery.objects.filter(subscription__in=on_a, state="sent").count() == 100
    assert stack.a.errors == []
    assert stack.b.errors == []


def test_a_sigkilled_worker_mid_burst_loses_nothing(stack, worker, member):
    devices(stack.a, member, "k", 250)
    devices(stack.b, member, "l", 250)
    due_reminder(member)
    expected = 500

    wait_until(lambda: len(stack.a.messages) + len(stack.b.messages) >= 100, 30, 0.02)
    worker.kill()  # SIGKILL the worker, its pool and its beat
    in_flight = set(Delivery.objects.filter(state="sending").values_list("pk", flat=True))
    arrived = len(stack.a.messages) + len(stack.b.messages)
    assert arrived < expected, "the burst finished before the kill; make it bigger"

    worker.start()
    wait_sent(expected, 40, worker)

    assert Delivery.objects.count() == expected
    assert Delivery.objects.exclude(state="sent").count() == 0
    messages = stack.a.messages + stack.b.messages
    seen = Counter(m.payload["id"] for m in messages)
    assert len(seen) == expected  # everything arrived
    # A repeat is only possible for a push whose outcome was not written when the worker
    # died (still "sending": on the wire, or answered in the last instant).
    repeated = {pk for pk, n in seen.items() if n > 1}
    assert repeated <= in_flight, repeated - in_flight
