"""The dispatch tick and the sends, against the local push service (real TLS, VAPID, ECE).

Sends run in this process (``queued`` captures what would go to the broker); the
integration tests run the same code in a real Celery worker.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from reminders import dispatch, sending
from reminders.models import Delivery, PushSubscription, ScheduledReminder

from .support.factories import ScheduledReminderFactory, UserFactory
from .support.reminder_fixtures import add_device, as_if_the_tables_were_large, send_all

pytestmark = pytest.mark.django_db


def due_test_reminder(user, family=None, *, late=timedelta(0), **payload) -> ScheduledReminder:
    body = {"title": "Bedtime for Sam in 10 minutes", "body": "Starts at 19:30.", "url": "/#/x"}
    body.update(payload, tag="routine-1-2026-03-29", topic="dG9waWMtb25lLXR3bw")
    return ScheduledReminderFactory(
        kind="test",
        family=family,
        user=user,
        state="pending",
        fire_at=timezone.now() - late,
        payload=body,
    )


def test_a_due_reminder_becomes_one_delivery_per_device(tick, owner, push, queued):
    add_device(push, owner, "phone")
    add_device(push, owner, "tablet")
    reminder = due_test_reminder(owner)

    report = tick()

    assert (report.reminders, report.deliveries) == (1, 2)
    reminder.refresh_from_db()
    assert reminder.state == "done"
    assert sorted(queued) == sorted(Delivery.objects.values_list("pk", flat=True))
    assert send_all(queued) == ["sent", "sent"]
    messages = push.wait_for(2)
    assert {m.device_id for m in messages} == {"phone", "tablet"}
    message = messages[0]
    assert message.payload["title"] == "Bedtime for Sam in 10 minutes"
    assert message.payload["tag"] == "routine-1-2026-03-29"
    assert message.payload["url"] == "/#/x"
    assert "topic" not in message.payload
    assert message.topic == "dG9waWMtb25lLXR3bw"
    assert message.urgency == "normal"
    assert 60 <= message.ttl <= 15 * 60
    assert message.vapid_claims["sub"] == "mailto:reminders@example.com"
    assert push.errors == []
    sent = Delivery.objects.get(subscription__endpoint=push.endpoint("phone"))
    assert (sent.state, sent.attempts, sent.status_code) == ("sent", 1, 201)
    assert sent.sent_at is not None
    assert PushSubscription.objects.get(pk=sent.subscription_id).last_success_at is not None


def test_a_reminder_is_dispatched_once(tick, owner, push, queued):
    add_device(push, owner, "phone")
    due_test_reminder(owner)
    tick()
    again = tick()
    assert again.reminders == 0
    assert Delivery.objects.count() == 1


def test_a_duplicate_send_task_sends_once(tick, owner, push, queued):
    add_device(push, owner, "phone")
    due_test_reminder(owner)
    tick()
    [delivery_id] = queued
    assert sending.send_delivery(delivery_id).state == "sent"
    assert sending.send_delivery(delivery_id).state == "not-pending"
    assert len(push.messages) == 1


def test_future_reminders_wait(tick, owner, push, queued):
    add_device(push, owner, "phone")
    reminder = due_test_reminder(owner, late=-timedelta(minutes=1))
    assert tick().reminders == 0
    reminder.refresh_from_db()
    assert reminder.state == "pending"


def test_a_reminder_later_than_the_grace_period_is_recorded_as_missed(tick, owner, push, queued):
    add_device(push, owner, "phone")
    reminder = due_test_reminder(owner, late=timedelta(minutes=16))
    report = tick()
    assert report.missed == 1
    reminder.refresh_from_db()
    assert reminder.state == "missed"
    delivery = Delivery.objects.get()
    assert delivery.state == "missed"
    assert "late" in delivery.error
    assert queued == []
    assert push.attempts == []


def test_a_gone_subscription_is_pruned(tick, owner, push, queued):
    device = add_device(push, owner, "phone")
    push.expire("phone")
    due_test_reminder(owner)
    tick()
    assert send_all(queued) == ["failed"]
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.status_code, delivery.subscription) == ("failed", 410, None)
    assert "410" in delivery.error
    assert not PushSubscription.objects.filter(pk=device.pk).exists()


def test_a_server_error_is_retried_with_backoff(tick, owner, push, queued, settings):
    settings.REMINDER_RETRY_BASE_SECONDS = 2
    add_device(push, owner, "phone")
    push.script("phone", [500])
    due_test_reminder(owner)
    tick()
    [delivery_id] = queued

    outcome = sending.send_delivery(delivery_id)
    assert outcome.state == "pending"
    assert 1.5 <= outcome.retry_in <= 2.5
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.status_code) == ("pending", 1, 500)
    assert delivery.next_attempt_at > timezone.now()
    # An early duplicate of the retry task does nothing.
    assert sending.send_delivery(delivery_id).state == "not-pending"

    Delivery.objects.update(next_attempt_at=timezone.now())
    assert sending.send_delivery(delivery_id).state == "sent"
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("sent", 2)
    assert [a.status for a in push.attempts] == [500, 201]


def test_retry_after_is_honoured(tick, owner, push, queued, settings):
    settings.REMINDER_RETRY_BASE_SECONDS = 1
    add_device(push, owner, "phone")
    push.script("phone", [(429, {"Retry-After": "120"})])
    due_test_reminder(owner)
    tick()
    outcome = sending.send_delivery(queued[0])
    assert outcome.state == "pending"
    assert outcome.retry_in >= 120


def test_it_gives_up_after_the_last_attempt(tick, owner, push, queued, settings):
    settings.REMINDER_MAX_ATTEMPTS = 2
    settings.REMINDER_RETRY_BASE_SECONDS = 0.01
    device = add_device(push, owner, "phone")
    push.script("phone", [503, 503])
    due_test_reminder(owner)
    tick()
    [delivery_id] = queued
    assert sending.send_delivery(delivery_id).state == "pending"
    Delivery.objects.update(next_attempt_at=timezone.now())
    assert sending.send_delivery(delivery_id).state == "failed"
    delivery = Delivery.objects.get()
    assert delivery.attempts == 2
    assert delivery.error.startswith("Gave up after 2 attempts")
    device.refresh_from_db()
    assert device.failures == 1


def test_it_does_not_retry_past_the_grace_period(tick, owner, push, queued, settings):
    settings.REMINDER_RETRY_BASE_SECONDS = 1
    add_device(push, owner, "phone")
    push.script("phone", [(503, {"Retry-After": "3600"})])
    due_test_reminder(owner)
    tick()
    assert sending.send_delivery(queued[0]).state == "failed"


def test_a_network_error_is_retried(tick, owner, push, queued, settings):
    settings.REMINDER_SEND_TIMEOUT = 2
    device = add_device(push, owner, "phone")
    port = push.port
    due_test_reminder(owner)
    tick()
    push.stop()  # nobody listens any more
    settings.WEBPUSH_ALLOWED_HOSTS = [f"127.0.0.1:{port}"]
    assert sending.send_delivery(queued[0]).state == "pending"
    delivery = Delivery.objects.get()
    assert delivery.error.startswith("Network error")
    assert delivery.subscription == device


def test_a_refused_message_fails_without_pruning_the_device(tick, owner, push, queued, settings):
    device = add_device(push, owner, "phone")
    push.script("phone", [403])
    due_test_reminder(owner)
    tick()
    assert send_all(queued) == ["failed"]
    device.refresh_from_db()
    assert device.failures == 1


def test_redirects_are_never_followed(tick, owner, push, queued):
    add_device(push, owner, "phone")
    add_device(push, owner, "elsewhere")
    push.script("phone", [(307, {"Location": push.endpoint("elsewhere")})])
    reminder = due_test_reminder(owner)
    tick()
    phone = Delivery.objects.get(subscription__endpoint=push.endpoint("phone"))
    assert sending.send_delivery(phone.pk).state == "failed"
    assert [a.device_id for a in push.attempts] == ["phone"]
    assert reminder.deliveries.count() == 2


def test_an_endpoint_no_longer_allowed_is_not_called(tick, owner, push, queued, settings):
    add_device(push, owner, "phone")
    due_test_reminder(owner)
    tick()
    settings.WEBPUSH_ALLOWED_HOSTS = ["fcm.googleapis.com"]
    assert send_all(queued) == ["failed"]
    assert push.attempts == []


def test_a_device_that_changed_hands_does_not_get_the_old_owners_reminder(
    tick, owner, push, queued
):
    device = add_device(push, owner, "phone")
    due_test_reminder(owner)
    tick()
    device.user = UserFactory()
    device.save()
    assert send_all(queued) == ["failed"]
    assert push.attempts == []


def test_lost_tasks_are_enqueued_again_by_the_tick(tick, owner, push, queued, settings):
    settings.REMINDER_REQUEUE_SECONDS = 30
    settings.REMINDER_SEND_LEASE_SECONDS = 60
    add_device(push, owner, "phone")
    add_device(push, owner, "tablet")
    due_test_reminder(owner)
    tick()
    queued.clear()  # the broker lost both messages...
    phone, tablet = Delivery.objects.order_by("pk")
    long_ago = timezone.now() - timedelta(minutes=2)
    Delivery.objects.filter(pk=phone.pk).update(next_attempt_at=long_ago)
    # ...and a worker died while sending to the tablet.
    Delivery.objects.filter(pk=tablet.pk).update(state="sending", next_attempt_at=long_ago)

    assert tick().requeued == 2
    assert sorted(queued) == [phone.pk, tablet.pk]
    assert send_all(queued) == ["sent", "sent"]
    assert tick().requeued == 0


def test_a_fresh_send_is_not_enqueued_twice(tick, owner, push, queued):
    add_device(push, owner, "phone")
    due_test_reminder(owner)
    tick()
    Delivery.objects.update(state="sending", next_attempt_at=timezone.now())
    assert dispatch.requeue_stale(enqueue=queued.extend) == 0


def test_the_tick_costs_the_same_queries_for_one_or_many_due(
    tick, owner, push, queued, django_assert_num_queries, django_assert_max_num_queries, settings
):
    settings.REMINDER_BATCH_SIZE = 500
    add_device(push, owner, "phone")
    due_test_reminder(owner)
    # Without row locks (SQLite) the due rows are read once more, unlocked, to be planned
    # before the batch's write transaction (dispatch.can_lock_rows).
    with django_assert_max_num_queries(8 if dispatch.can_lock_rows() else 9) as one:
        tick()
    for _ in range(40):
        due_test_reminder(owner)
    with django_assert_num_queries(len(one.captured_queries)):
        report = tick()
    assert report.deliveries == 40


def test_the_claim_reads_only_due_pending_rows_from_the_partial_index(owner):
    """The tick's cost follows the due rows, not the history or the future (O(due))."""
    for days in (1, 30):
        due_test_reminder(owner, late=-timedelta(days=days))  # pending, in the future
        ScheduledReminderFactory(user=owner, fire_at=timezone.now() - timedelta(days=days))
    as_if_the_tables_were_large()
    explained = dispatch.claim_query(timezone.now(), 500, set()).explain()
    assert "reminder_due_idx" in explained, explained
    if connection.vendor == "sqlite":
        assert "TEMP B-TREE" not in explained  # no sort: the index gives the order
