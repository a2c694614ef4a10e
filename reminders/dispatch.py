"""The dispatch tick: turn due ``ScheduledReminder`` rows into ``Delivery`` rows.

It first makes the follow-up rows of check-ins recorded since the previous tick
(``followups.materialise``). Each batch is one transaction that claims due rows
(``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several dispatchers can run side
by side; SQLite has one writer at a time anyway), decides per recipient — reminders off
or opted out: nothing; every child of the routine away that day, or in quiet hours: a
``skipped`` delivery; later than the grace period: ``missed`` — creates one pending
delivery per device (unique per reminder and device), materialises the routine's
next occurrence, and enqueues the sends only after the commit. The same tick re-enqueues
deliveries whose task was lost (a killed worker, a restarted broker): the database, not
the broker, is the source of truth.

On SQLite (no row locks, one writer for the whole database) one dispatcher works at a
time, and it plans each batch before taking the write lock (:func:`can_lock_rows`), so
the senders' writes are not held up behind the whole tick at a peak minute.
"""

from __future__ import annotations

import fcntl
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.backends.sqlite3.creation import DatabaseCreation as SQLiteCreation
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from . import digest, followups, routine_reminders
from .models import (
    Delivery,
    DeliveryState,
    PushSubscription,
    ReminderKind,
    ReminderState,
    ScheduledReminder,
)
from .recipients import Plan, Recipient
from .scheduling import in_quiet_hours, is_too_late

logger = logging.getLogger(__name__)


# Queues the sends of these delivery ids (``tasks.enqueue_sends``; tests capture them).
Enqueue = Callable[[Iterable[int]], None]
# Starts this many more dispatchers for the same tick (``tasks.start_dispatchers``).
FanOut = Callable[[int], None]


@dataclass
class TickReport:
    """What one tick did (logged, and returned for tests and the benchmark)."""

    reminders: int = 0
    cancelled: int = 0
    missed: int = 0
    deliveries: int = 0
    skipped: int = 0
    requeued: int = 0


def claim_query(now: datetime, limit: int, exclude: set[int]) -> QuerySet[ScheduledReminder]:
    """Up to ``limit`` due pending reminders, oldest first, locked (skipping those other
    dispatchers hold) where the database can: the query ``_claim`` runs."""
    query = ScheduledReminder.objects.filter(state=ReminderState.PENDING, fire_at__lte=now)
    if exclude:
        query = query.exclude(pk__in=exclude)
    if connection.features.has_select_for_update_skip_locked:
        query = query.select_for_update(skip_locked=True, of=("self",))
    return query.order_by("fire_at", "pk")[:limit]


def _claim(now: datetime, limit: int, exclude: set[int]) -> list[ScheduledReminder]:
    return list(claim_query(now, limit, exclude))


def _test_plans(rows: Sequence[ScheduledReminder]) -> dict[int, Plan]:
    # A test notification was asked for explicitly: no quiet hours, no settings.
    plans: dict[int, Plan] = {}
    for r in rows:
        assert r.user_id is not None  # a test notification is always for one user
        plans[r.pk] = Plan(payload=r.payload, recipients=[Recipient(r.user_id)])
    return plans


def _plans(batch: Sequence[ScheduledReminder], now: datetime) -> dict[int, Plan]:
    """Plan per reminder id; a reminder missing from the answer is left for the next tick."""
    by_kind: dict[str, list[ScheduledReminder]] = defaultdict(list)
    for reminder in batch:
        by_kind[reminder.kind].append(reminder)
    plans: dict[int, Plan] = {}
    plans.update(routine_reminders.plan(by_kind[ReminderKind.ROUTINE], now))
    plans.update(followups.plan(by_kind[ReminderKind.FOLLOW_UP], now))
    plans.update(_test_plans(by_kind[ReminderKind.TEST]))
    # A handover goes to its adult at once, like a test: it was asked for now.
    plans.update(_test_plans(by_kind[ReminderKind.HANDOVER]))
    # A child asking for a grown-up does not wait for quiet hours (docs/reminders.md).
    plans.update(_test_plans(by_kind[ReminderKind.CHILD_CHECKIN]))
    plans.update(digest.plan(by_kind[ReminderKind.DIGEST], now))
    return plans


def _process(
    batch: Sequence[ScheduledReminder],
    now: datetime,
    report: TickReport,
    planned: dict[int, Plan] | None = None,
) -> list[int]:
    """Decide and record the outcome of each claimed reminder; return delivery ids to send.

    ``planned``: plans already made for (some of) these rows; the others are planned here.
    """
    plans = dict(planned or {})
    if unplanned := [r for r in batch if r.pk not in plans]:
        plans.update(_plans(unplanned, now))
    user_ids = {rec.user_id for plan in plans.values() for rec in plan.recipients}
    devices: dict[int, list[PushSubscription]] = defaultdict(list)
    for subscription in PushSubscription.objects.filter(user_id__in=user_ids).order_by("pk"):
        devices[subscription.user_id].append(subscription)

    grace = settings.REMINDER_GRACE
    deliveries: list[Delivery] = []
    processed: list[ScheduledReminder] = []
    for reminder in batch:
        plan = plans.get(reminder.pk)
        if plan is None:
            continue
        processed.append(reminder)
        reminder.processed_at = now
        if plan.cancel:
            reminder.state = ReminderState.CANCELLED
            reminder.payload = {**reminder.payload, "cancelled": plan.cancel}
            report.cancelled += 1
            continue
        late = is_too_late(reminder.fire_at, now, grace)
        reminder.state = ReminderState.MISSED if late else ReminderState.DONE
        reminder.payload = plan.payload
        report.missed += int(late)
        for recipient in plan.recipients:
            quiet = recipient.zone is not None and in_quiet_hours(
                now, recipient.zone, recipient.quiet_start, recipient.quiet_end
            )
            if plan.skip:
                state, note = DeliveryState.SKIPPED, plan.skip_note or plan.skip
            elif late:
                state, note = DeliveryState.MISSED, f"More than {_minutes(grace)} late."
            elif quiet:
                state, note = DeliveryState.SKIPPED, "Quiet hours."
            else:
                state, note = DeliveryState.PENDING, ""
            for device in devices.get(recipient.user_id, ()):
                deliveries.append(
                    Delivery(
                        reminder=reminder,
                        subscription=device,
                        user_id=recipient.user_id,
                        device=device.device_label[:80],
                        state=state,
                        error=note,
                        next_attempt_at=now if state == DeliveryState.PENDING else None,
                    )
                )
    Delivery.objects.bulk_create(deliveries, batch_size=500)
    _record_processed(processed)
    # Materialise the next occurrence of every routine dispatched (or cancelled) here.
    routine_reminders.after_dispatch(
        [r for r in processed if r.kind == ReminderKind.ROUTINE], now=now
    )
    # ...and next Sunday's digest of every member whose digest was handled.
    digest.after_dispatch([r for r in processed if r.kind == ReminderKind.DIGEST], now=now)
    report.reminders += len(processed)
    report.skipped += sum(d.state == DeliveryState.SKIPPED for d in deliveries)
    pending = [d.pk for d in deliveries if d.state == DeliveryState.PENDING]
    report.deliveries += len(pending)
    return pending


def _record_processed(rows: Sequence[ScheduledReminder]) -> None:
    """Write each row's state, payload and processed_at: one prepared UPDATE run for all
    rows (``executemany``), where ``bulk_update`` would build a CASE per column and row,
    which cost half the tick."""
    if not rows:
        return
    meta = ScheduledReminder._meta
    payload = meta.get_field("payload")
    processed_at = meta.get_field("processed_at")
    quote = connection.ops.quote_name
    cast = "::jsonb" if connection.vendor == "postgresql" else ""
    sql = (
        f"UPDATE {quote(meta.db_table)} SET {quote('state')} = %s, "  # noqa: S608 (names only)
        f"{quote('payload')} = %s{cast}, {quote('processed_at')} = %s WHERE {quote('id')} = %s"
    )
    params = [
        (
            r.state,
            payload.get_db_prep_save(r.payload, connection),
            processed_at.get_db_prep_save(r.processed_at, connection),
            r.pk,
        )
        for r in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _minutes(delta: timedelta) -> str:
    return f"{int(delta.total_seconds() // 60)} minutes"


def dispatch_due(
    *,
    enqueue: Enqueue,
    now: datetime | None = None,
    batch_size: int | None = None,
    fan_out: FanOut | None = None,
    helping: bool = False,
) -> TickReport:
    """Dispatch every reminder due at ``now`` (default: the current time), batch by batch.

    ``enqueue`` queues the sends of the deliveries it made (``tasks.enqueue_sends``),
    after each batch's commit. On PostgreSQL, a first batch that is full means more are
    due than one dispatcher should work through alone (a peak minute): ``fan_out`` is
    asked, once, for ``REMINDER_DISPATCHERS - 1`` more, which claim other rows beside it
    (``SKIP LOCKED``). A ``helping`` dispatcher is one of those: it leaves the follow-ups
    and the sweep for lost sends to the tick that started it.
    """
    with sole_dispatcher() as alone:
        if not alone:
            logger.info("reminder tick: another dispatcher is at work; it has the due rows")
            return TickReport()
        return _dispatch(enqueue, now, batch_size or settings.REMINDER_BATCH_SIZE, fan_out, helping)


def _dispatch(
    enqueue: Enqueue,
    now: datetime | None,
    batch_size: int,
    fan_out: FanOut | None,
    helping: bool,
) -> TickReport:
    report = TickReport()
    if not helping:
        followups.materialise(now or timezone.now())
    deferred: set[int] = set()
    while True:
        at = now or timezone.now()
        planned = None
        if not can_lock_rows():
            due = _claim(at, batch_size, deferred)
            if not due:
                break  # an idle tick takes no write lock
            planned = _plans(due, at)
        with transaction.atomic():
            batch = _claim(at, batch_size, deferred)
            if not batch:
                break
            to_send = _process(batch, at, report, planned)
            done = {r.pk for r in batch if r.state != ReminderState.PENDING}
            deferred.update(r.pk for r in batch if r.pk not in done)
            if to_send:
                transaction.on_commit(partial(enqueue, to_send))
        if len(batch) < batch_size:
            break
        if fan_out is not None and can_fan_out():
            fan_out(settings.REMINDER_DISPATCHERS - 1)
            fan_out = None  # once per tick
    if not helping:
        report.requeued = requeue_stale(enqueue=enqueue, now=now)
    if report.reminders or report.requeued:
        logger.info("reminder tick%s: %s", " (helping)" if helping else "", report)
    return report


def can_lock_rows() -> bool:
    """Whether a dispatcher can lock the rows it claims and skip those another holds
    (PostgreSQL). Then a batch is planned on its locked rows, and several dispatchers can
    share a tick.

    Without (SQLite), one writer holds the whole database, and a writer waiting for it is
    not queued: it polls, and gets the lock only when it finds it free. So a batch is
    planned (its reads, most of its work) before its write transaction, from the same
    due rows read unlocked; the transaction claims them again and plans only rows that
    were not there then (a routine edited meanwhile replaced its row). The senders'
    claims and outcome writes get in between two batches instead of waiting for the
    whole tick. A change committed between the plan and the claim counts as made just
    after the tick.
    """
    return bool(connection.features.has_select_for_update_skip_locked)


def dispatcher_lock_path() -> Path | None:
    """The file whose lock makes a dispatcher the only one, where rows cannot be locked
    (beside the SQLite database)."""
    return None if can_lock_rows() else lock_path_beside(connection.settings_dict["NAME"])


def lock_path_beside(database: str | Path) -> Path | None:
    """``<database>.dispatch-lock`` for an SQLite file (a path or a ``file:`` URI); None
    for a database in memory, which no other process sees."""
    if SQLiteCreation.is_in_memory_db(database):
        return None
    path = str(database).removeprefix("file:").split("?", 1)[0]
    return Path(f"{path}.dispatch-lock")


@contextmanager
def sole_dispatcher(path: Path | None = None) -> Iterator[bool]:
    """Whether this dispatcher works alone, held for the ``with`` block.

    Without row locks a second tick (started while a long one runs) would plan the same
    due rows again and wait for the same write lock: it stands down instead. A ``flock``
    on ``path`` (default :func:`dispatcher_lock_path`), which the kernel releases if the
    process dies; the embedded setup is one machine.
    """
    path = path or dispatcher_lock_path()
    if path is None:
        yield True
        return
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True  # closing the file releases the lock


def can_fan_out() -> bool:
    """Several dispatchers help only where each can skip the rows another holds: on
    SQLite one writer works at a time anyway."""
    return can_lock_rows() and settings.REMINDER_DISPATCHERS > 1


# The condition of the partial index ``delivery_open_idx``, written as a literal: SQLite
# uses a partial index only when the query repeats its condition, and Django would bind
# ``state__in`` as parameters (a full scan of the ledger: 2 s at 10 million rows).
_OPEN = RawSQL(
    "\"reminders_delivery\".\"state\" IN ('pending', 'sending')", (), output_field=BooleanField()
)


def _stale(now: datetime) -> Q:
    pending_cutoff = now - timedelta(seconds=settings.REMINDER_REQUEUE_SECONDS)
    lease_cutoff = now - timedelta(seconds=settings.REMINDER_SEND_LEASE_SECONDS)
    return Q(state=DeliveryState.PENDING, next_attempt_at__lte=pending_cutoff) | Q(
        state=DeliveryState.SENDING, next_attempt_at__lte=lease_cutoff
    )


def stale_query(now: datetime) -> QuerySet[Delivery]:
    """Deliveries a lost task left behind, oldest first: a range of ``delivery_open_idx``
    (open deliveries only), so the sweep's cost does not grow with the ledger."""
    latest = now - timedelta(
        seconds=min(settings.REMINDER_REQUEUE_SECONDS, settings.REMINDER_SEND_LEASE_SECONDS)
    )
    return Delivery.objects.filter(_OPEN, _stale(now), next_attempt_at__lte=latest).order_by(
        "next_attempt_at"
    )


def requeue_stale(*, enqueue: Enqueue, now: datetime | None = None, limit: int = 2000) -> int:
    """Send again what a lost task left behind; returns how many deliveries were enqueued.

    * ``pending`` whose send time passed ``REMINDER_REQUEUE_SECONDS`` ago: the task was
      lost (broker restarted without persistence, worker killed with it prefetched);
    * ``sending`` whose lease (``REMINDER_SEND_LEASE_SECONDS``, well above the HTTP
      timeout) ran out: the worker died mid-send. It is sent again — the push service
      collapses a repeat by its ``Topic`` and the device by its ``tag``.

    A duplicate task is harmless: the send claims the delivery with a conditional update.
    """
    now = now or timezone.now()
    stale = _stale(now)
    ids = list(stale_query(now).values_list("pk", flat=True)[:limit])
    if not ids:
        return 0
    # Back to pending, due now; re-checking the state keeps a concurrent send's result.
    Delivery.objects.filter(pk__in=ids).filter(stale).update(
        state=DeliveryState.PENDING, lease="", next_attempt_at=now, updated_at=now
    )
    enqueue(ids)
    return len(ids)
