"""Check-in follow-ups ("How is Sam now?"): same table, same dispatch path as routines.

A check-in with ``follow_up_at`` and no outcome yet has one ``follow_up`` reminder for the
caregiver who made it. Recording the check-in does not write it: the check-in row is
durable on its own (one ``INSERT``, the commonest write kept as cheap as the write floor),
and every dispatch tick first makes the rows of the check-ins recorded since the last
(:func:`materialise`), long before they fall due. Answering the check-in (an outcome) or
clearing ``follow_up_at`` removes a pending row; the dispatcher re-checks the check-in
when the reminder falls due.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef

from care.handover import duty_by_child
from checkins.models import CheckIn
from checkins.strategies import title_of
from families.models import FOLLOW_UP_MINUTES_MAX

from . import messages
from .models import ReminderKind, ReminderState, ScheduledReminder
from .recipients import Plan, member_prefs

logger = logging.getLogger(__name__)

_LONGEST_WAIT = timedelta(minutes=FOLLOW_UP_MINUTES_MAX)
# Transactions still committing when a tick starts: their check-ins carry an earlier
# ``created_at`` than the tick, so each tick looks back this far past the previous one.
_COMMIT_MARGIN = timedelta(minutes=5)


def wants_follow_up(checkin: CheckIn) -> bool:
    """A follow-up is due for a check-in with ``follow_up_at`` and no outcome yet.

    The caregiver's own half of a coregulation check-in is not asked about separately:
    the child's follow-up ("How is Sam now?") covers the moment they shared.
    """
    if checkin.member_id is not None and checkin.pair is not None:
        return False
    return (
        checkin.follow_up_at is not None
        and not checkin.outcome
        and checkin.created_by_id is not None
    )


def sync_follow_up(checkin: CheckIn, *, created: bool = False) -> None:
    """Move or drop the check-in's pending follow-up, or make it if a change now wants one
    (call in the same transaction).

    A follow-up that was already sent (or missed) is left alone: it is asked once.
    ``created``: the check-in was just inserted; the next tick makes its row.
    """
    if created:
        return
    with transaction.atomic():
        _sync(checkin)


class _Watermark:
    """Where the previous tick of this process started its scan; None before the first."""

    started: datetime | None = None


_watermark = _Watermark()


def forget_watermark() -> None:
    """Scan from the longest look-back at the next tick (a new process does; tests too)."""
    _watermark.started = None


def materialise(now: datetime) -> int:
    """Make the follow-up row of every check-in recorded since the previous tick that
    wants one; returns how many rows it made.

    The first tick of a process (or one whose clock went back) looks back as far as a
    follow-up could still be sent: the longest wait plus the grace period, so a
    dispatcher that was down loses no follow-up it could still deliver on time; later
    ticks look back to the previous one's start, less a margin for transactions that
    were committing. Re-scanning is harmless: a check-in with a row is left out, and the
    one-per-check-in constraint settles two dispatchers inserting at once.
    """
    previous = _watermark.started
    if previous is None or previous > now:
        since = now - _LONGEST_WAIT - settings.REMINDER_GRACE
    else:
        since = previous - _COMMIT_MARGIN
    has_row = ScheduledReminder.objects.filter(
        kind=ReminderKind.FOLLOW_UP, checkin_id=OuterRef("pk")
    )
    # The index narrows to new check-ins with a follow-up time; wants_follow_up, the one
    # rule, decides the rest.
    candidates = (
        CheckIn.objects.filter(created_at__gte=since, follow_up_at__isnull=False)
        .exclude(Exists(has_row))
        .only("family_id", "created_by_id", "follow_up_at", "outcome", "member_id", "pair")
        .order_by()
    )
    rows = [_row(checkin) for checkin in candidates if wants_follow_up(checkin)]
    if rows:
        try:
            with transaction.atomic():
                ScheduledReminder.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
        except IntegrityError:  # a check-in deleted since the scan: the next tick retries
            logger.warning("follow-ups: a check-in went away while its row was made")
            return 0
    _watermark.started = now
    return len(rows)


def _sync(checkin: CheckIn) -> None:
    query = ScheduledReminder.objects.filter(kind=ReminderKind.FOLLOW_UP, checkin_id=checkin.pk)
    if connection.features.has_select_for_update:
        query = query.select_for_update(of=("self",))
    row = query.first()
    if not wants_follow_up(checkin):
        if row is not None and row.state == ReminderState.PENDING:
            row.delete()
        return
    if row is None:
        _insert(checkin)
    elif row.state == ReminderState.PENDING and row.fire_at != checkin.follow_up_at:
        assert checkin.follow_up_at is not None  # wants_follow_up checked it
        row.fire_at = row.occurrence_at = checkin.follow_up_at
        row.save(update_fields=["fire_at", "occurrence_at"])


def _row(checkin: CheckIn) -> ScheduledReminder:
    assert checkin.follow_up_at is not None  # only called when wants_follow_up(checkin)
    return ScheduledReminder(
        kind=ReminderKind.FOLLOW_UP,
        family_id=checkin.family_id,
        checkin_id=checkin.pk,
        user_id=checkin.created_by_id,
        occurrence_at=checkin.follow_up_at,
        fire_at=checkin.follow_up_at,
    )


def _insert(checkin: CheckIn) -> None:
    # ignore_conflicts: a concurrent save of the same check-in (or a tick) inserts it once.
    ScheduledReminder.objects.bulk_create([_row(checkin)], ignore_conflicts=True)


def forget_follow_up(checkin_id: Any) -> None:
    """Drop the pending follow-up of a check-in being deleted."""
    ScheduledReminder.objects.filter(
        kind=ReminderKind.FOLLOW_UP, state=ReminderState.PENDING, checkin_id=checkin_id
    ).delete()


def plan(rows: Sequence[ScheduledReminder], now: datetime) -> dict[int, Plan]:
    """Payload and recipients for due follow-ups: whoever is on duty for the child, else
    the caregiver who checked in."""
    if not rows:
        return {}
    checkins = {
        c.pk: c
        for c in CheckIn.objects.filter(
            pk__in={r.checkin_id for r in rows if r.checkin_id}
        ).select_related("family", "child", "strategy")
    }
    prefs = member_prefs({r.family_id for r in rows if r.family_id})
    on_duty = duty_by_child({r.family_id for r in rows if r.family_id})
    plans: dict[int, Plan] = {}
    for row in rows:
        checkin = checkins.get(row.checkin_id) if row.checkin_id is not None else None
        if checkin is None:
            plans[row.pk] = Plan(cancel="The check-in was deleted.")
            continue
        if not wants_follow_up(checkin):
            plans[row.pk] = Plan(cancel="The check-in was already answered.")
            continue
        family_prefs = prefs.get(checkin.family_id, [])
        duty = on_duty.get(checkin.child_id, set()) if checkin.child_id else set()
        duty_children = [checkin.child_id] if checkin.child_id else []
        chosen = [
            p
            for p in family_prefs
            if p.membership_id in duty and p.enabled and p.active and p.sees(duty_children)
        ]
        if not chosen:  # nobody on duty: the caregiver who checked in, as always
            chosen = [p for p in family_prefs if p.user_id == row.user_id and p.enabled]
        recipients = [p.recipient(checkin.family.zone) for p in chosen]

        def build(checkin: CheckIn = checkin) -> dict[str, str]:
            # Inside each language: a built-in strategy's title is translated too.
            return messages.follow_up_payload(
                family_id=checkin.family_id,
                checkin_id=str(checkin.pk),
                child_name=checkin.child.name if checkin.child else None,
                strategy_title=title_of(checkin.strategy) if checkin.strategy else None,
            )

        payload = messages.localized(build, {r.language for r in recipients})
        plans[row.pk] = Plan(payload=payload, recipients=recipients)
    return plans
