"""Reminders end to end: a real redis-server, a real Celery worker (with beat), the local
HTTPS push service (TLS, VAPID signature, aes128gcm decryption) and fault drills.

The test process and the worker share the file-based SQLite test database; the worker
trusts the push service's throw-away certificate through REQUESTS_CA_BUNDLE/SSL_CERT_FILE
and allows it through WEBPUSH_ALLOWED_HOSTS, exactly as a deployment would be configured.
"""

from __future__ import annotations

import shutil
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from care.handover import start_duty
from reminders.models import Delivery, PushSubscription, ReminderSettings, ScheduledReminder
from reminders.scheduling import next_routine_fire
from reminders.vapid import generate_key_pair
from testing.pushservice import PushService
from testing.servers import CeleryWorker, RedisServer, wait_until

from .conftest import skip_or_fail
from .support.factories import ChildFactory, FamilyFactory, MembershipFactory, RoutineFactory
from .support.reminder_fixtures import add_device

pytestmark = [
    pytest.mark.integration,
    pytest.mark.shared_db,
    pytest.mark.django_db(transaction=True),
]

TICK_SECONDS = 1


@dataclass
class Stack:
    redis: RedisServer
    push: PushService
    vapid_private: str
    vapid_public: str
    directory: Path


@pytest.fixture(scope="module")
def stack(tmp_path_factory) -> Iterator[Stack]:
    if shutil.which("redis-server") is None:
        skip_or_fail("redis-server is not installed (apt-get install redis-server)")
    directory = tmp_path_factory.mktemp("reminders-stack")
    private, public = generate_key_pair()
    redis = RedisServer(directory / "redis").start()
    push = PushService(tmpdir=directory / "push", require_vapid_key=public).start()
    try:
        yield Stack(redis, push, private, public, directory)
    finally:
        push.stop()
        redis.stop()


def worker_env(stack: Stack, tmp_path: Path, broker: str) -> dict[str, str]:
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_ENV": "test",
        "SECRET_KEY": "integration-" + "x" * 50,
        "DATA_DIR": str(tmp_path / "worker-data"),
        "DATABASE_URL": f"sqlite:///{connection.settings_dict['NAME']}",
        "CELERY_BROKER_URL": broker,
        "VAPID_PRIVATE_KEY": stack.vapid_private,
        "VAPID_PUBLIC_KEY": stack.vapid_public,
        "VAPID_SUBJECT": "mailto:integration@example.com",
        "WEBPUSH_ALLOWED_HOSTS": f"127.0.0.1:{stack.push.port}",
        "REQUESTS_CA_BUNDLE": str(stack.push.ca_bundle_path),
        "SSL_CERT_FILE": str(stack.push.ca_bundle_path),
        "REMINDER_TICK_SECONDS": str(TICK_SECONDS),
        "REMINDER_REQUEUE_SECONDS": "3",
        "REMINDER_SEND_LEASE_SECONDS": "4",
        "REMINDER_SEND_TIMEOUT": "3",
        "REMINDER_RETRY_BASE_SECONDS": "0.5",
        "LOG_LEVEL": "WARNING",
    }


@pytest.fixture
def worker(stack, transactional_db, tmp_path) -> Iterator[CeleryWorker]:
    """A Celery worker with embedded beat and Redis, sharing this test's database."""
    stack.push.reset()
    celery = CeleryWorker(tmp_path / "worker", worker_env(stack, tmp_path, stack.redis.url))
    try:
        yield celery.start()
    finally:
        celery.stop()


@pytest.fixture
def member(db):
    family = FamilyFactory(name="The Riveras", timezone="Europe/Madrid")
    return MembershipFactory(family=family, user__display_name="Ana")


def reminder_for(user, family, *, fire_at=None, title="Bedtime for Sam in 10 minutes", n=0):
    tag = f"test-{n}"
    return ScheduledReminder(
        kind="test",
        family=family,
        user=user,
        state="pending",
        fire_at=fire_at or timezone.now(),
        payload={
            "title": title,
            "body": "Starts at 19:30.",
            "url": "/#/today",
            "tag": tag,
            "topic": f"topic-{n}",
        },
    )


def wait_for_deliveries(count: int, states: set[str], timeout: float, worker: CeleryWorker):
    def settled() -> bool:
        return Delivery.objects.filter(state__in=states).count() >= count

    try:
        wait_until(settled, timeout, interval=0.2)
    except TimeoutError:
        summary = Counter(Delivery.objects.values_list("state", flat=True))
        raise AssertionError(f"deliveries: {dict(summary)}\n{worker.log()[-4000:]}") from None


def test_a_due_reminder_arrives_on_every_device_on_time(stack, worker, member):
    push = stack.push
    add_device(push, member.user, "ana-phone")
    add_device(push, member.user, "ana-tablet")
    fire_at = timezone.now() + timedelta(seconds=2)
    reminder_for(member.user, member.family, fire_at=fire_at).save()

    messages = push.wait_for(2, timeout=20)

    assert push.errors == []
    assert {m.device_id for m in messages} == {"ana-phone", "ana-tablet"}
    for message in messages:
        assert message.payload["title"] == "Bedtime for Sam in 10 minutes"
        assert message.vapid_public_key == stack.vapid_public
        assert message.vapid_claims["aud"] == push.origin
        assert message.topic == "topic-0"
        assert message.ttl >= 60
        # Never early, and late by at most a tick plus a little work.
        assert fire_at <= message.received_at <= fire_at + timedelta(seconds=TICK_SECONDS + 3)
    wait_for_deliveries(2, {"sent"}, 10, worker)


def test_killing_the_worker_mid_burst_delivers_everything_and_nothing_twice(stack, worker, member):
    push = stack.push
    devices = [add_device(push, member.user, f"burst-{i}") for i in range(2)]
    ScheduledReminder.objects.bulk_create(
        [reminder_for(member.user, member.family, n=i) for i in range(200)]
    )
    expected = 200 * len(devices)

    push.wait_for(60, timeout=30)
    worker.kill()  # SIGKILL the worker, its pool and its beat: a crash mid-burst
    killed_at = timezone.now()
    in_flight = set(Delivery.objects.filter(state="sending").values_list("pk", flat=True))
    arrived_before = len(push.messages)
    assert arrived_before < expected, "the burst finished before the kill; make it bigger"

    worker.start()
    wait_for_deliveries(expected, {"sent"}, 60, worker)

    # In the database: exactly one delivery per (reminder, device), every one sent.
    pairs = Counter(Delivery.objects.values_list("reminder_id", "subscription_id"))
    assert len(pairs) == expected
    assert set(pairs.values()) == {1}
    assert Delivery.objects.exclude(state="sent").count() == 0
    # At the push service: every delivery arrived; a repeat is only possible for a send
    # that was on the wire at the moment of the kill (its outcome was never recorded).
    wait_until(lambda: len({m.payload["id"] for m in push.messages}) == expected, 10)
    seen = Counter(m.payload["id"] for m in push.messages)
    repeated = {delivery_id for delivery_id, n in seen.items() if n > 1}
    assert repeated <= in_flight, (repeated, in_flight)
    # Sends overlap (reminders/pushclient.py): at most each process's claimed chunk.
    assert len(repeated) <= worker.concurrency * settings.REMINDER_SEND_CHUNK
    # Each repeat carries the same Topic and tag, so the push service and the device
    # collapse it into the one notification.
    for delivery_id in repeated:
        copies = [m for m in push.messages if m.payload["id"] == delivery_id]
        assert len({(m.topic, m.payload["tag"]) for m in copies}) == 1
    # The only malformed requests are those the kill cut off mid-body.
    cut_off = [e for e in push.errors if e.received_at <= killed_at + timedelta(seconds=2)]
    assert cut_off == push.errors
    assert all(e.reason == "empty body" or "decrypt" in e.reason for e in cut_off)
    assert len(cut_off) <= worker.concurrency * settings.REMINDER_PUSH_HOST_CONCURRENCY


def test_reminders_resume_after_redis_restarts(stack, worker, member):
    push = stack.push
    add_device(push, member.user, "redis-phone")
    stack.redis.stop()  # the queue is gone, and with it anything it held
    ScheduledReminder.objects.bulk_create(
        [reminder_for(member.user, member.family, n=i) for i in range(20)]
    )
    time.sleep(2 * TICK_SECONDS)
    assert push.messages == []
    stack.redis.start()

    push.wait_for(20, timeout=60)
    wait_for_deliveries(20, {"sent"}, 20, worker)
    assert len(push.messages) == 20
    assert push.errors == []


def test_a_send_lost_with_the_broker_is_sent_by_the_next_tick(stack, worker, member):
    push = stack.push
    device = add_device(push, member.user, "lost-phone")
    reminder = reminder_for(member.user, member.family)
    reminder.state = "done"
    reminder.save()
    # A pending delivery whose task was in a Redis that restarted without persistence.
    Delivery.objects.create(
        reminder=reminder,
        subscription=device,
        user=member.user,
        next_attempt_at=timezone.now() - timedelta(seconds=10),
    )
    push.wait_for(1, timeout=20)
    wait_for_deliveries(1, {"sent"}, 10, worker)


def test_a_gone_device_is_pruned_and_a_server_error_retried(stack, worker, member):
    push = stack.push
    gone = add_device(push, member.user, "gone-phone")
    add_device(push, member.user, "flaky-phone")
    push.expire("gone-phone")
    push.script("flaky-phone", [500, 201])
    reminder_for(member.user, member.family).save()

    push.wait_for(1, timeout=20, device_id="flaky-phone")
    wait_for_deliveries(2, {"sent", "failed"}, 20, worker)
    flaky = Delivery.objects.get(subscription__endpoint=push.endpoint("flaky-phone"))
    assert (flaky.state, flaky.attempts) == ("sent", 2)
    failed = Delivery.objects.get(state="failed")
    assert (failed.status_code, failed.subscription) == (410, None)
    assert not PushSubscription.objects.filter(pk=gone.pk).exists()
    assert [a.status for a in push.attempts if a.device_id == "flaky-phone"] == [500, 201]


def test_a_reminder_found_too_late_is_recorded_as_missed_not_sent(stack, worker, member):
    push = stack.push
    add_device(push, member.user, "late-phone")
    late = reminder_for(member.user, member.family, fire_at=timezone.now() - timedelta(minutes=20))
    late.save()
    on_time = reminder_for(member.user, member.family, n=1)
    on_time.save()

    push.wait_for(1, timeout=20)
    wait_until(lambda: ScheduledReminder.objects.get(pk=late.pk).state == "missed", 10)
    assert Delivery.objects.get(reminder=late).state == "missed"
    assert [m.payload["tag"] for m in push.messages] == ["test-1"]


def test_a_routine_warning_reaches_the_family_and_respects_quiet_hours(stack, worker, member):
    """The routine path in the worker: text from the routine, recipients, quiet hours,
    and tomorrow's occurrence materialised after the send."""
    push = stack.push
    family = member.family
    grandma = MembershipFactory(family=family, user__display_name="Grandma").user
    add_device(push, member.user, "routine-phone")
    add_device(push, grandma, "grandma-phone")
    now = timezone.now()
    local = now.astimezone(family.zone)
    start = (local + timedelta(minutes=10)).time().replace(second=0, microsecond=0)
    # Grandma's quiet hours cover this very minute.
    ReminderSettings.objects.create(
        membership=grandma.memberships.get(),
        quiet_start=(local - timedelta(minutes=5)).time().replace(second=0, microsecond=0),
        quiet_end=(local + timedelta(minutes=5)).time().replace(second=0, microsecond=0),
    )
    sam = ChildFactory(family=family, name="Sam")
    routine = RoutineFactory(
        family=family,
        name="Bedtime",
        icon="🌙",
        children=[sam],
        start_time=start,
        reminder_offsets=[10],
    )
    # Today's 10-minute warning fell due a moment ago (its row was materialised earlier,
    # as it would have been yesterday); the worker's next tick must send it now.
    fire_at, day = next_routine_fire(
        tz=family.zone,
        weekdays=routine.days_of_week,
        start_time=start,
        offset_minutes=10,
        after=now - timedelta(seconds=61),
    )
    assert fire_at <= timezone.now()
    ScheduledReminder.objects.filter(routine=routine, state="pending").update(
        fire_at=fire_at, occurrence_date=day, occurrence_at=fire_at + timedelta(minutes=10)
    )

    [message] = push.wait_for(1, timeout=20)
    assert message.device_id == "routine-phone"
    assert message.payload["title"] == "Bedtime for Sam in 10 minutes"
    assert message.payload["body"] == f"🌙 Starts at {start:%H:%M}."
    wait_until(lambda: Delivery.objects.filter(state="skipped").exists(), 10)
    skipped = Delivery.objects.get(state="skipped")
    assert (skipped.user, skipped.error) == (grandma, "Quiet hours.")
    wait_until(
        lambda: ScheduledReminder.objects.filter(
            routine=routine, state="pending", occurrence_date=day + timedelta(days=1)
        ).exists(),
        10,
    )
    assert push.errors == []


def test_the_embedded_default_broker_delivers_too(stack, transactional_db, tmp_path, member):
    """No Redis: kombu's file-system transport in DATA_DIR, as ``make run`` starts it."""
    stack.push.reset()
    add_device(stack.push, member.user, "embedded-phone")
    reminder_for(member.user, member.family, fire_at=timezone.now() + timedelta(seconds=1)).save()
    celery = CeleryWorker(tmp_path / "worker", worker_env(stack, tmp_path, "filesystem://"))
    try:
        celery.start()
        [message] = stack.push.wait_for(1, timeout=30)
        assert message.payload["title"] == "Bedtime for Sam in 10 minutes"
        wait_for_deliveries(1, {"sent"}, 10, celery)
    finally:
        celery.kill()  # the file-system transport takes seconds to shut down warmly


def _due_routine(family, child, name):
    """A routine whose 10-minute warning fell due a moment ago (as the worker finds it)."""
    now = timezone.now()
    start = (
        (now.astimezone(family.zone) + timedelta(minutes=10))
        .time()
        .replace(second=0, microsecond=0)
    )
    routine = RoutineFactory(
        family=family, name=name, children=[child], start_time=start, reminder_offsets=[10]
    )
    fire_at, day = next_routine_fire(
        tz=family.zone,
        weekdays=routine.days_of_week,
        start_time=start,
        offset_minutes=10,
        after=now - timedelta(seconds=61),
    )
    ScheduledReminder.objects.filter(routine=routine, state="pending").update(
        fire_at=fire_at, occurrence_date=day, occurrence_at=fire_at + timedelta(minutes=10)
    )
    return routine


def test_a_routine_reminder_goes_to_the_adult_on_duty_else_to_everyone(stack, worker, member):
    """The real worker routes by duty: Grandma has Sam, so only her phone hears about
    Sam's bedtime; with nobody on duty for Lu, both phones hear about Lu's."""
    push = stack.push
    family = member.family
    grandma = MembershipFactory(family=family, user__display_name="Grandma")
    add_device(push, member.user, "ana-phone")
    add_device(push, grandma.user, "grandma-phone")
    sam = ChildFactory(family=family, name="Sam")
    lu = ChildFactory(family=family, name="Lu")
    start_duty(grandma, sam)

    _due_routine(family, sam, "Bedtime")
    [message] = push.wait_for(1, timeout=20)
    assert message.device_id == "grandma-phone"
    assert message.payload["title"].startswith("Bedtime for Sam")

    _due_routine(family, lu, "Teeth")
    messages = push.wait_for(3, timeout=20)
    lus = [m.device_id for m in messages if m.payload["title"].startswith("Teeth for Lu")]
    assert sorted(lus) == ["ana-phone", "grandma-phone"]
    assert push.errors == []
