"""Celery tasks: a few lines each around the service functions (like paperless-ngx).

``dispatch_due`` runs on the ``dispatch`` queue from beat every ``REMINDER_TICK_SECONDS``
(on PostgreSQL a busy tick starts helping dispatchers there too);
``send_deliveries`` on the ``push`` queue, so a burst of sends never starves the tick.
Sends are ``acks_late`` and rejected back to the queue if their worker dies; and since a
delivery's state lives in the database, the tick re-enqueues any send whose task was lost.
"""

from __future__ import annotations

import logging
import math
from collections import defaultdict
from collections.abc import Iterable

from celery import shared_task
from django.conf import settings

from . import dispatch, pruning, sending

logger = logging.getLogger(__name__)


@shared_task(name="reminders.dispatch_due", ignore_result=True)
def dispatch_due(helping: bool = False) -> None:
    """The dispatch tick; ``helping``: one of the dispatchers a busy tick started."""
    fan_out = None if helping else start_dispatchers
    dispatch.dispatch_due(enqueue=enqueue_sends, fan_out=fan_out, helping=helping)


def start_dispatchers(count: int) -> None:
    """Queue ``count`` helping dispatchers on the dispatch queue; each expires with the
    tick (a helper that starts after the next tick would only find that tick's rows).
    A broker outage only means the tick works alone."""
    for _ in range(count):
        try:
            dispatch_due.apply_async(
                kwargs={"helping": True},
                expires=max(1.0, settings.REMINDER_TICK_SECONDS * 0.9),
                retry=False,
            )
        except Exception:
            logger.warning("broker unavailable; this tick dispatches alone", exc_info=True)
            return


@shared_task(
    name="reminders.send_deliveries",
    ignore_result=True,
    acks_late=True,
    reject_on_worker_lost=True,
)
def send_deliveries(delivery_ids: list[int]) -> None:
    """Send a chunk of deliveries (posted concurrently; one task per chunk keeps the
    broker's share of the work small); schedule a retry for each one the push service
    asked to try again later, one task per second of delay."""
    retries: dict[int, list[int]] = defaultdict(list)
    for delivery_id, outcome in sending.send_deliveries(delivery_ids).items():
        if outcome.retry_in is not None:
            # The retry time is also in the database: if this message is lost, the tick
            # re-enqueues the delivery once it is overdue.
            retries[math.ceil(outcome.retry_in)].append(delivery_id)
    for countdown, ids in sorted(retries.items()):
        enqueue_sends(ids, countdown=countdown)


@shared_task(name="reminders.prune_ledger", ignore_result=True)
def prune_ledger() -> None:
    """Hourly: drop processed reminders and their deliveries older than REMINDER_KEEP_DAYS."""
    pruning.prune_ledger()


def enqueue_sends(delivery_ids: Iterable[int], *, countdown: float | None = None) -> None:
    """Queue the sends, ``REMINDER_SEND_CHUNK`` deliveries per task. A broker outage is
    logged, not raised: the deliveries stay pending in the database and the next tick
    enqueues them again."""
    ids = list(delivery_ids)
    size = max(1, settings.REMINDER_SEND_CHUNK)
    for start in range(0, len(ids), size):
        try:
            send_deliveries.apply_async(
                (ids[start : start + size],), countdown=countdown, retry=False
            )
        except Exception:
            logger.warning(
                "broker unavailable; %d deliveries stay pending for the next tick",
                len(ids) - start,
                exc_info=True,
            )
            return
