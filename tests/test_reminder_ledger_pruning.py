"""The delivery ledger does not grow forever: processed reminders older than
REMINDER_KEEP_DAYS go with their deliveries, in bounded batches read from an index;
recent history and everything pending stay. Also: the queues a plain worker consumes."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from config.celery import app
from core import health
from reminders import dispatch, pruning, tasks
from reminders.models import Delivery, ScheduledReminder

from .support.factories import DeliveryFactory, ScheduledReminderFactory
from .support.reminder_fixtures import add_device, as_if_the_tables_were_large

pytestmark = pytest.mark.django_db


def processed(owner, days_ago: float, deliveries: int = 2, state="done") -> ScheduledReminder:
    at = timezone.now() - timedelta(days=days_ago)
    reminder = ScheduledReminderFactory(
        user=owner, family=None, state=state, fire_at=at, processed_at=at
    )
    for _ in range(deliveries):
        DeliveryFactory(reminder=reminder, user=owner, subscription=None, state="sent")
    return reminder


def test_old_history_is_pruned_in_batches_and_recent_kept(owner, settings):
    settings.REMINDER_KEEP_DAYS = 30
    old = [processed(owner, 31 + i) for i in range(7)]
    old.append(processed(owner, 40, state="cancelled", deliveries=0))
    old.append(processed(owner, 35, state="missed"))
    recent = [processed(owner, 29), processed(owner, 1), processed(owner, 0.01)]
    # A reminder still waiting is never pruned, however old its fire time.
    waiting = ScheduledReminderFactory(
        user=owner, family=None, state="pending", fire_at=timezone.now() - timedelta(days=90)
    )

    with CaptureQueriesContext(connection) as queries:
        reminders, deliveries = pruning.prune_ledger(batch_size=3)

    assert (reminders, deliveries) == (9, 16)
    deletes = [
        q["sql"]
        for q in queries
        if q["sql"].startswith('DELETE FROM "reminders_scheduledreminder"')
    ]
    assert len(deletes) == 3  # 9 rows, 3 per batch
    kept = set(ScheduledReminder.objects.values_list("pk", flat=True))
    assert kept == {r.pk for r in recent} | {waiting.pk}
    assert Delivery.objects.count() == 2 * len(recent)
    assert pruning.prune_ledger() == (0, 0)


def test_a_batch_costs_the_same_queries_whatever_the_history(owner):
    cutoff = timezone.now() - timedelta(days=30)
    processed(owner, 60, deliveries=1)
    with CaptureQueriesContext(connection) as one:
        assert pruning.prune_batch(cutoff, 10) == (1, 1)
    for i in range(30):
        processed(owner, 50 + i, deliveries=3)
    with CaptureQueriesContext(connection) as many:
        assert pruning.prune_batch(cutoff, 10) == (10, 30)
    assert len(many.captured_queries) == len(one.captured_queries)


def test_the_pruning_scan_reads_the_index(owner):
    processed(owner, 40)
    as_if_the_tables_were_large()
    explained = pruning.prunable(timezone.now() - timedelta(days=30))[:2000].explain()
    assert "reminder_processed_idx" in explained, explained
    if connection.vendor == "sqlite":
        assert "TEMP B-TREE" not in explained  # no sort: the index gives the order


def test_the_task_prunes(owner, settings):
    settings.REMINDER_KEEP_DAYS = 30
    processed(owner, 31)
    tasks.prune_ledger()
    assert not ScheduledReminder.objects.exists()


def test_beat_runs_the_pruning(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["reminders-prune"]
    assert entry["task"] == "reminders.prune_ledger"
    assert "reminders.prune_ledger" in app.tasks


def test_a_worker_without_q_consumes_every_queue_the_app_uses():
    """``celery -A config worker`` with no -Q consumes app.amqp.queues: all declared."""
    declared = set(app.amqp.queues)
    routed = {route["queue"] for route in app.conf.task_routes.values()}
    assert routed | {app.conf.task_default_queue} <= declared
    assert declared >= {"dispatch", "push", "default"}


def test_healthz_says_when_a_queue_has_no_consumer(monkeypatch):
    monkeypatch.setattr(health, "_checked_at", -math.inf)
    monkeypatch.setattr(health, "_inspect", lambda: {"dispatch", "default"})
    assert health.queue_consumers(wait=True) == {
        "dispatch": "ok",
        "push": "no consumer",
        "default": "ok",
    }
    # Cached: no second inspection within QUEUES_TTL.
    monkeypatch.setattr(health, "_inspect", lambda: pytest.fail("inspected again"))
    assert health.queue_consumers()["push"] == "no consumer"


def test_healthz_does_not_wait_for_the_workers(monkeypatch):
    monkeypatch.setattr(health, "_checked_at", -math.inf)
    monkeypatch.setattr(health, "_consumed", None)
    started = []
    monkeypatch.setattr(health, "_refresh", lambda: started.append(True))
    monkeypatch.setattr(health.threading, "Thread", _ImmediateThread)
    assert set(health.queue_consumers().values()) == {"unknown"}
    assert started == [True]


class _ImmediateThread:
    def __init__(self, target, name, daemon):
        self.target = target

    def start(self):
        self.target()


def test_the_tick_reads_no_old_history(owner):
    """The tick's queries read indexes of pending reminders and open deliveries only, so
    ten million old deliveries (bench/reminders.py --old) cost it nothing."""
    processed(owner, 40)
    processed(owner, 1)
    as_if_the_tables_were_large()
    now = timezone.now()
    explained = dispatch.stale_query(now)[:2000].explain()
    assert "delivery_open_idx" in explained, explained
    if connection.vendor == "sqlite":
        assert "TEMP B-TREE" not in explained
        assert "SCAN reminders_delivery\n" not in explained + "\n"  # never the whole table
    assert "reminder_due_idx" in dispatch.claim_query(now, 500, set()).explain()


def test_the_tick_costs_the_same_queries_with_old_history(owner, tick, push, queued):
    add_device(push, owner, "phone")
    ScheduledReminderFactory(user=owner, family=None, state="pending", fire_at=timezone.now())
    with CaptureQueriesContext(connection) as fresh:
        tick()
    for i in range(20):
        processed(owner, 40 + i, deliveries=5)
    ScheduledReminderFactory(user=owner, family=None, state="pending", fire_at=timezone.now())
    with CaptureQueriesContext(connection) as old:
        tick()
    assert len(old.captured_queries) == len(fresh.captured_queries)
