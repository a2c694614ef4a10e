"""Push subscriptions, reminder settings, scheduled reminders and their deliveries.

The database is the source of truth for reminders (docs/reminders.md): the next occurrence of
every reminder is a ``ScheduledReminder`` row with its UTC ``fire_at``; the dispatch tick
turns due rows into one ``Delivery`` per device, and every send attempt is recorded on
the delivery. Nothing lives only in the broker, so a lost task is found again.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from checkins.models import CheckIn
from families.models import Family, Membership
from routines.models import Routine


class PushSubscription(models.Model):
    """One browser's push subscription (``PushSubscription.toJSON()``); a device has one user."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions"
    )
    endpoint = models.CharField(max_length=2048, unique=True)
    p256dh = models.CharField(max_length=100)
    auth = models.CharField(max_length=50)
    user_agent = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    # Consecutive failed deliveries; reset by a success.
    failures = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.device_label} of {self.user}"

    @property
    def device_label(self) -> str:
        """A short human name for the device, from its user agent."""
        return device_label(self.user_agent)


def device_label(user_agent: str) -> str:
    """``"Chrome on Android"``-style label; good enough to tell a family's phones apart."""
    ua = user_agent or ""
    browser = next(
        (
            name
            for key, name in (
                ("Edg/", "Edge"),
                ("Firefox/", "Firefox"),
                ("CriOS/", "Chrome"),
                ("Chrome/", "Chrome"),
                ("Safari/", "Safari"),
            )
            if key in ua
        ),
        "Browser",
    )
    system = next(
        (
            name
            for key, name in (
                ("Android", "Android"),
                ("iPhone", "iPhone"),
                ("iPad", "iPad"),
                ("Mac OS X", "Mac"),
                ("Windows", "Windows"),
                ("Linux", "Linux"),
            )
            if key in ua
        ),
        "",
    )
    return f"{browser} on {system}" if system else browser


class ReminderSettings(models.Model):
    """A member's reminder preferences in one family (no row = the defaults: enabled)."""

    membership = models.OneToOneField(
        Membership, on_delete=models.CASCADE, related_name="reminder_settings"
    )
    enabled = models.BooleanField(default=True)
    # Family-local wall times; the interval may wrap midnight (21:00-07:00).
    quiet_start = models.TimeField(null=True, blank=True)
    quiet_end = models.TimeField(null=True, blank=True)
    # Routines of the family this member wants no reminders for.
    opted_out_routines = models.ManyToManyField(Routine, blank=True, related_name="+")
    # Opt-in: a push on Sunday evening (family-local) summing up each child's week.
    weekly_digest = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "reminder settings"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quiet_start__isnull=True, quiet_end__isnull=True)
                | models.Q(quiet_start__isnull=False, quiet_end__isnull=False),
                name="reminder_settings_quiet_both_or_neither",
            ),
        ]

    def __str__(self) -> str:
        return f"Reminder settings of {self.membership}"


class ReminderKind(models.TextChoices):
    ROUTINE = "routine", "Routine warning"
    FOLLOW_UP = "follow_up", "Check-in follow-up"
    TEST = "test", "Test notification"
    HANDOVER = "handover", "Handover"
    DIGEST = "digest", "Weekly digest"
    CHILD_CHECKIN = "child_checkin", "Child's own check-in"


class ReminderState(models.TextChoices):
    PENDING = "pending", "Pending"  # waiting for its fire time
    DONE = "done", "Done"  # deliveries created (sent, skipped or failed per device)
    MISSED = "missed", "Missed"  # found later than the grace period: not sent
    CANCELLED = "cancelled", "Cancelled"  # its routine/check-in changed or went away


class ScheduledReminder(models.Model):
    """The next occurrence of one reminder, with its UTC fire time.

    Routine warnings: one pending row per (routine, offset); ``occurrence_at`` is the UTC
    start of the routine occurrence it is about, ``occurrence_date`` that start's local
    date. Follow-ups: one row per check-in, for the caregiver who made it. Test
    notifications: created already done. Weekly digests: one pending row per opted-in
    member (``family``, ``user``), ``occurrence_date`` the Sunday that ends its week.
    """

    kind = models.CharField(max_length=16, choices=ReminderKind.choices)
    family = models.ForeignKey(
        Family, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # The only recipient (follow-ups, tests); null means every member of the family.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    # Kept (as null) when the routine is deleted, so that the history stays.
    routine = models.ForeignKey(
        Routine, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    checkin = models.ForeignKey(
        CheckIn, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    offset_minutes = models.IntegerField(null=True, blank=True)
    occurrence_at = models.DateTimeField(null=True, blank=True)
    occurrence_date = models.DateField(null=True, blank=True)
    fire_at = models.DateTimeField()  # indexed for the tick by reminder_due_idx below
    state = models.CharField(
        max_length=16, choices=ReminderState.choices, default=ReminderState.PENDING
    )
    # {title, body, url, tag, topic}: written when the reminder is dispatched, from the
    # routine/check-in as it is then (a renamed child shows the new name).
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["fire_at", "id"]
        indexes = [
            # The tick's scan: due pending rows in (fire_at, id) order straight from the
            # index, so LIMIT stops early with no sort: O(due), not O(table).
            models.Index(
                fields=["fire_at", "id"],
                condition=models.Q(state="pending"),
                name="reminder_due_idx",
            ),
            # The hourly pruning's scan (reminders/pruning.py): processed rows, oldest
            # first, so each batch costs the same however long the history is.
            models.Index(
                fields=["processed_at"],
                condition=models.Q(processed_at__isnull=False),
                name="reminder_processed_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=["pending", "done", "missed", "cancelled"]),
                name="reminder_state_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    kind__in=["routine", "follow_up", "test", "handover", "digest", "child_checkin"]
                ),
                name="reminder_kind_valid",
            ),
            # One next occurrence per (routine, offset) waiting at any time...
            models.UniqueConstraint(
                fields=["routine", "offset_minutes"],
                condition=models.Q(state="pending", routine__isnull=False),
                name="reminder_one_pending_per_routine_offset",
            ),
            # ...and each occurrence of it materialised (so fired) at most once.
            models.UniqueConstraint(
                fields=["routine", "offset_minutes", "occurrence_at"],
                condition=models.Q(routine__isnull=False),
                name="reminder_once_per_routine_occurrence",
            ),
            # A check-in is followed up at most once...
            models.UniqueConstraint(
                fields=["checkin"],
                condition=models.Q(checkin__isnull=False, kind="follow_up"),
                name="reminder_one_follow_up_per_checkin",
            ),
            # ...and a child's own check-in reaches each grown-up at most once.
            models.UniqueConstraint(
                fields=["checkin", "user"],
                condition=models.Q(checkin__isnull=False, kind="child_checkin"),
                name="reminder_child_checkin_once_per_user",
            ),
            # One weekly digest waiting per member of a family...
            models.UniqueConstraint(
                fields=["family", "user"],
                condition=models.Q(kind="digest", state="pending"),
                name="reminder_one_pending_digest_per_member",
            ),
            # ...and each week's digest materialised (so sent) at most once.
            models.UniqueConstraint(
                fields=["family", "user", "occurrence_date"],
                condition=models.Q(kind="digest"),
                name="reminder_digest_once_per_week",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} reminder at {self.fire_at:%Y-%m-%d %H:%M}Z ({self.state})"


class DeliveryState(models.TextChoices):
    PENDING = "pending", "Pending"  # waiting to be sent (or to be retried)
    SENDING = "sending", "Sending"  # claimed by a worker
    SENT = "sent", "Sent"  # the push service accepted it
    FAILED = "failed", "Failed"  # gave up, or the subscription is gone
    SKIPPED = "skipped", "Skipped"  # quiet hours
    MISSED = "missed", "Missed"  # too late to be useful


class Delivery(models.Model):
    """One reminder to one device, with every attempt's outcome."""

    reminder = models.ForeignKey(
        ScheduledReminder, on_delete=models.CASCADE, related_name="deliveries"
    )
    # Kept (as null) when the subscription is pruned, so the history stays.
    subscription = models.ForeignKey(
        PushSubscription,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deliveries",
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    device = models.CharField(max_length=80, blank=True)
    state = models.CharField(
        max_length=16, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    # The claim of the task sending it (state "sending"): only that task records the result.
    lease = models.CharField(max_length=16, blank=True)
    # When a pending delivery may be (re)sent; a sending one's lease start.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name_plural = "deliveries"
        ordering = ["-created_at", "-id"]
        indexes = [
            # The tick's sweep for deliveries whose task was lost.
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(state__in=["pending", "sending"]),
                name="delivery_open_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["reminder", "subscription"], name="delivery_once_per_device"
            ),
            models.CheckConstraint(
                condition=models.Q(
                    state__in=["pending", "sending", "sent", "failed", "skipped", "missed"]
                ),
                name="delivery_state_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"Delivery {self.pk} ({self.state})"
