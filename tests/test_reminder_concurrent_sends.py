"""Sends that overlap their network waits, per push service: against the local push
service answering late (real TLS, VAPID and decryption), in this process.

A chunk's pushes are posted concurrently (at most REMINDER_PUSH_HOST_CONCURRENCY per
push service), the VAPID header is signed once per audience, the outcomes are written in
batches, and a push service that answers 429 pauses only itself.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.utils import timezone

from reminders import pushclient, sending
from reminders.models import Delivery, ScheduledReminder
from testing.pushservice import PushService

from .support.reminder_fixtures import DEFAULT_ALLOWED, add_device

pytestmark = pytest.mark.django_db

LATENCY_MS = 200


def pending_deliveries(user, devices, n=1) -> list[int]:
    """``n`` due test reminders for ``user`` with one pending delivery per device."""
    ids = []
    for i in range(n):
        reminder = ScheduledReminder.objects.create(
            kind="test",
            user=user,
            state="done",
            fire_at=timezone.now(),
            processed_at=timezone.now(),
            payload={
                "title": "Bedtime",
                "body": "Now.",
                "url": "/",
                "tag": f"t{i}",
                "topic": f"t{i}",
            },
        )
        for device in devices:
            ids.append(
                Delivery.objects.create(
                    reminder=reminder,
                    subscription=device,
                    user=user,
                    next_attempt_at=timezone.now(),
                ).pk
            )
    return ids


@pytest.fixture
def slow_push(tmp_path, settings, monkeypatch, vapid) -> Iterator[tuple[PushService, PushService]]:
    """Two push services (two hosts) answering LATENCY_MS late, both allowed and trusted."""
    with (
        PushService(tmpdir=tmp_path / "a", require_vapid_key=vapid, latency_ms=LATENCY_MS) as a,
        PushService(tmpdir=tmp_path / "b", require_vapid_key=vapid, latency_ms=LATENCY_MS) as b,
    ):
        bundle = tmp_path / "both.pem"
        bundle.write_bytes(a.ca_bundle_path.read_bytes() + b.cert_path.read_bytes())
        settings.WEBPUSH_ALLOWED_HOSTS = [
            *DEFAULT_ALLOWED,
            f"127.0.0.1:{a.port}",
            f"127.0.0.1:{b.port}",
        ]
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(bundle))
        pushclient.reset()
        yield a, b
        pushclient.reset()


def test_a_chunk_waits_out_one_round_trip_not_one_per_device(slow_push, owner, settings):
    settings.REMINDER_PUSH_HOST_CONCURRENCY = 50
    a, _ = slow_push
    devices = [add_device(a, owner, f"phone{i}") for i in range(20)]
    ids = pending_deliveries(owner, devices)

    started = time.monotonic()
    outcomes = sending.send_deliveries(ids)
    elapsed = time.monotonic() - started

    assert {o.state for o in outcomes.values()} == {"sent"}
    assert len(a.wait_for(20)) == 20
    assert a.errors == []
    # One after another, 20 round trips would take 4 s; overlapped, a little over one.
    assert elapsed < 10 * LATENCY_MS / 1000, elapsed
    assert Delivery.objects.filter(state="sent", attempts=1, status_code=201).count() == 20


def test_in_flight_pushes_are_bounded_per_host(slow_push, owner, settings):
    settings.REMINDER_PUSH_HOST_CONCURRENCY = 4
    a, _ = slow_push
    devices = [add_device(a, owner, f"phone{i}") for i in range(12)]
    started = time.monotonic()
    outcomes = sending.send_deliveries(pending_deliveries(owner, devices))
    elapsed = time.monotonic() - started
    assert {o.state for o in outcomes.values()} == {"sent"}
    # 12 pushes, 4 at a time: three round trips at least.
    assert elapsed >= 3 * LATENCY_MS / 1000 * 0.9, elapsed


def test_the_vapid_header_is_signed_once_per_audience_and_reused(slow_push, owner):
    a, b = slow_push
    devices = [add_device(a, owner, f"a{i}") for i in range(3)]
    devices += [add_device(b, owner, f"b{i}") for i in range(3)]
    sending.send_deliveries(pending_deliveries(owner, devices, n=2))
    assert len({authorization(m) for m in a.wait_for(6)}) == 1
    assert len({authorization(m) for m in b.wait_for(6)}) == 1
    [claims] = {tuple(sorted(m.vapid_claims.items())) for m in a.messages}
    claims_dict = dict(claims)
    assert claims_dict["aud"] == a.origin
    # Long enough to reuse, within the 24 hours RFC 8292 allows.
    assert 11 * 3600 <= claims_dict["exp"] - time.time() <= 24 * 3600
    assert b.messages[0].vapid_claims["aud"] == b.origin


def authorization(message) -> str:
    return {k.lower(): v for k, v in message.headers.items()}["authorization"]


def test_the_header_is_signed_again_before_it_expires(vapid, monkeypatch):
    first = sending.vapid_authorization("https://fcm.googleapis.com")
    assert sending.vapid_authorization("https://fcm.googleapis.com") == first
    later = time.time() + sending.VAPID_LIFETIME - sending.VAPID_RENEW_BEFORE + 1
    monkeypatch.setattr(sending.time, "time", lambda: later)
    assert sending.vapid_authorization("https://fcm.googleapis.com") != first


def test_outcomes_are_written_in_batches(slow_push, owner, django_assert_max_num_queries):
    a, _ = slow_push
    devices = [add_device(a, owner, f"phone{i}") for i in range(40)]
    ids = pending_deliveries(owner, devices)
    with django_assert_max_num_queries(20):  # one UPDATE per delivery would be 40 alone
        outcomes = sending.send_deliveries(ids)
    assert [o.state for o in outcomes.values()] == ["sent"] * 40
    assert Delivery.objects.filter(state="sent", lease="").count() == 40


def test_a_429_pauses_that_push_service_only(slow_push, owner, settings):
    settings.REMINDER_PUSH_HOST_CONCURRENCY = 2
    settings.REMINDER_RETRY_BASE_SECONDS = 1
    a, b = slow_push
    a.throttle(60, retry_after=30)
    on_a = [add_device(a, owner, f"a{i}") for i in range(10)]
    on_b = [add_device(b, owner, f"b{i}") for i in range(10)]
    ids = pending_deliveries(owner, on_a + on_b)

    outcomes = sending.send_deliveries(ids)

    # Every device on B got its push; A was asked once per slot, then left alone.
    assert len(b.wait_for(10)) == 10
    assert 1 <= len(a.attempts) <= settings.REMINDER_PUSH_HOST_CONCURRENCY
    a_rows = Delivery.objects.filter(subscription__in=on_a)
    assert {d.state for d in a_rows} == {"pending"}
    assert {outcomes[d.pk].state for d in a_rows} == {"pending"}
    soon = timezone.now() + timedelta(seconds=29)
    assert all(d.next_attempt_at >= soon for d in a_rows)
    # Only the pushes A actually answered count as attempts.
    assert sum(d.attempts for d in a_rows) == len(a.attempts)
    assert Delivery.objects.filter(subscription__in=on_b, state="sent").count() == 10

    # Another worker process (a fresh client) learns the pause from the shared cache.
    pushclient.reset()
    a_ids = list(a_rows.values_list("pk", flat=True))
    a_rows.update(next_attempt_at=timezone.now())
    again = sending.send_deliveries(a_ids)
    assert {o.state for o in again.values()} == {"pending"}
    assert len(a.attempts) <= settings.REMINDER_PUSH_HOST_CONCURRENCY  # nothing new posted


def test_a_pause_past_the_grace_period_fails_the_delivery(slow_push, owner, settings):
    a, _ = slow_push
    a.throttle(60, retry_after=3600)
    [device] = [add_device(a, owner, "phone")]
    [first] = pending_deliveries(owner, [device])
    assert sending.send_delivery(first).state == "failed"  # answered 429, retry too late
    [second] = pending_deliveries(owner, [device])
    assert sending.send_delivery(second).state == "failed"  # not even posted
    delivery = Delivery.objects.get(pk=second)
    assert (delivery.attempts, "past the grace period" in delivery.error) == (0, True)
    assert len(a.attempts) == 1
