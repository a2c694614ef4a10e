"""Celery tasks: a few lines each around the service functions (like paperless-ngx).

``dispatch_due`` runs on the ``dispatch`` queue from beat every ``REMINDER_TICK_SECONDS``;
``send_deliveries`` on the ``push`` queue, so a burst of sends never starves the tick.
Sends are ``acks_late`` and rejected back to the queue if their worker dies; and since a
delivery's state lives in the database, the tick re-enqueues any send whose task was lost.
"""

from __future__ import annotations

from celery import shared_task

from . import dispatch, sending


@shared_task(name="reminders.dispatch_due", ignore_result=True)
def dispatch_due() -> None:
    """The dispatch tick."""
    dispatch.dispatch_due()


@shared_task(
    name="reminders.send_deliveries",
    ignore_result=True,
    acks_late=True,
    reject_on_worker_lost=True,
)
def send_deliveries(delivery_ids: list[int]) -> None:
    """Send a few deliveries (one task per chunk keeps the broker's share of the work small);
    schedule a retry for each one the push service asked to try again later."""
    for delivery_id, outcome in sending.send_deliveries(delivery_ids).items():
        if outcome.retry_in is not None:
            # The retry time is also in the database: if this message is lost, the tick
            # re-enqueues the delivery once it is overdue.
            dispatch.enqueue_sends([delivery_id], countdown=outcome.retry_in)
