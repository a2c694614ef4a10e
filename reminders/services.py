"""Reminder rules behind the API: subscriptions, member settings, test notifications.

Scheduling lives in ``routine_reminders`` / ``followups`` (materialisation) and
``dispatch`` / ``sending`` (the tick and the sends); this module is what views call.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from families.models import Family, Membership, User

from . import digest, messages, tasks
from .models import (
    Delivery,
    PushSubscription,
    ReminderKind,
    ReminderSettings,
    ReminderState,
    ScheduledReminder,
)


def subscribe(
    *, user: User, endpoint: str, p256dh: str, auth: str, user_agent: str = ""
) -> tuple[PushSubscription, bool]:
    """Store a (validated) browser subscription; returns ``(subscription, created)``.

    Upsert by endpoint: a device belongs to one user, so re-subscribing an endpoint that
    another account used on the same browser moves it to ``user`` (and resets failures).
    """
    defaults = {
        "user": user,
        "p256dh": p256dh,
        "auth": auth,
        "user_agent": user_agent[:300],
        "failures": 0,
    }
    for _ in range(2):  # a concurrent first subscribe of the same endpoint: update it
        try:
            with transaction.atomic():
                return PushSubscription.objects.update_or_create(
                    endpoint=endpoint, defaults=defaults
                )
        except IntegrityError:
            continue
    raise IntegrityError("could not store the subscription")  # pragma: no cover


def unsubscribe(*, user: User, endpoint: str) -> bool:
    """Forget the caller's subscription for ``endpoint`` (idempotent); True if one went."""
    deleted, _ = PushSubscription.objects.filter(user=user, endpoint=endpoint).delete()
    return bool(deleted)


def settings_for(membership: Membership) -> ReminderSettings:
    """The member's settings, or unsaved defaults (reminders on, no quiet hours)."""
    try:
        return membership.reminder_settings
    except ReminderSettings.DoesNotExist:
        return ReminderSettings(membership=membership)


def update_settings(membership: Membership, changes: Mapping[str, Any]) -> ReminderSettings:
    """Apply validated ``changes`` (``enabled``, ``quiet_start``, ``quiet_end``,
    ``opted_out_routines``, ``weekly_digest``) to a member's reminder settings.

    Settings are read when each reminder is dispatched, so a change applies to the very
    next reminder without rescheduling anything; only ``weekly_digest`` materialises (or
    drops) the member's next Sunday digest, in the same transaction.
    """
    with transaction.atomic():
        current, _ = ReminderSettings.objects.select_for_update().get_or_create(
            membership=membership
        )
        for name in ("enabled", "quiet_start", "quiet_end", "weekly_digest"):
            if name in changes:
                setattr(current, name, changes[name])
        current.save()
        if "opted_out_routines" in changes:
            current.opted_out_routines.set(changes["opted_out_routines"])
        if "weekly_digest" in changes:
            digest.sync_families([membership.family_id], users=[membership.user_id])
    membership.reminder_settings = current
    return current


def send_test(*, user: User, family: Family | None = None) -> list[Delivery]:
    """Send a test notification to each of the user's devices, now (no quiet hours).

    It takes the same path as every reminder: a ``ScheduledReminder`` (already done) with
    one pending ``Delivery`` per device, sent by the push workers after the commit.
    """
    now = timezone.now()
    with transaction.atomic():
        devices = list(PushSubscription.objects.filter(user=user).order_by("pk"))
        reminder = ScheduledReminder.objects.create(
            kind=ReminderKind.TEST,
            family=family,
            user=user,
            fire_at=now,
            occurrence_at=now,
            state=ReminderState.DONE,
            processed_at=now,
        )
        with translation.override(user.language):
            reminder.payload = messages.test_payload(
                reminder_id=reminder.pk, family_id=family.pk if family else None
            )
        reminder.save(update_fields=["payload"])
        deliveries = Delivery.objects.bulk_create(
            [
                Delivery(
                    reminder=reminder,
                    subscription=device,
                    user=user,
                    device=device.device_label[:80],
                    next_attempt_at=now,
                )
                for device in devices
            ]
        )
        ids = [d.pk for d in deliveries]
        transaction.on_commit(lambda: tasks.enqueue_sends(ids))
    return deliveries
