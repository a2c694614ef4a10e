"""Keep the delivery ledger bounded: drop what is older than ``REMINDER_KEEP_DAYS``.

The Deliveries screen shows recent deliveries, and the exactly-once rule only needs the
rows of occurrences that could still be materialised or dispatched: pending reminders
(never pruned) and the processed ones of the last days (each routine's next occurrence
is always later than the one just dispatched, so a pruned occurrence is never made
again). Everything processed before the cutoff goes, with its deliveries, in batches
of ``REMINDER_PRUNE_BATCH`` reminders, one short transaction each, oldest first, read
from the partial index ``reminder_processed_idx`` so that a batch costs the same
whatever the table holds. Run hourly by beat (``reminders.prune_ledger``).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from .models import Delivery, ReminderState, ScheduledReminder

logger = logging.getLogger(__name__)


def prunable(cutoff: datetime) -> QuerySet[ScheduledReminder]:
    """Processed reminders older than ``cutoff``, oldest first (the pruning scan)."""
    return (
        ScheduledReminder.objects.filter(processed_at__lt=cutoff)
        .exclude(state=ReminderState.PENDING)
        .order_by("processed_at")
    )


def prune_batch(cutoff: datetime, batch_size: int) -> tuple[int, int]:
    """Delete one batch; returns (reminders, deliveries) deleted. The same few statements
    whatever the batch holds: the ids from the index, then Django's cascade (the
    reminders, their deliveries through the (reminder, subscription) index, the
    reminders)."""
    with transaction.atomic():
        ids = list(prunable(cutoff).values_list("pk", flat=True)[:batch_size])
        if not ids:
            return 0, 0
        _, counts = ScheduledReminder.objects.filter(pk__in=ids).delete()
    return len(ids), counts.get(Delivery._meta.label, 0)


def prune_ledger(
    *,
    now: datetime | None = None,
    keep_days: int | None = None,
    batch_size: int | None = None,
    max_batches: int = 500,
) -> tuple[int, int]:
    """Prune in batches until nothing old is left (or ``max_batches``, to bound one run);
    returns (reminders, deliveries) deleted."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=keep_days or settings.REMINDER_KEEP_DAYS)
    size = batch_size or settings.REMINDER_PRUNE_BATCH
    reminders = deliveries = 0
    for _ in range(max_batches):
        r, d = prune_batch(cutoff, size)
        reminders += r
        deliveries += d
        if r < size:
            break
    if reminders:
        logger.info(
            "pruned %d reminders and %d deliveries before %s", reminders, deliveries, cutoff
        )
    return reminders, deliveries
