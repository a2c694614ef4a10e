"""Check-in follow-ups ("How is Sam now?"): same table, same dispatch path as routines.

A check-in with ``follow_up_at`` and no outcome yet has one ``follow_up`` reminder for the
caregiver who made it; answering the check-in (an outcome) or clearing ``follow_up_at``
removes it. The dispatcher re-checks the check-in when the reminder falls due.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import connection, transaction

from care.handover import duty_by_child
from checkins.models import CheckIn
from checkins.strategies import title_of

from . import messages
from .models import ReminderKind, ReminderState, ScheduledReminder
from .recipients import Plan, member_prefs


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
    """Create, move or drop the check-in's pending follow-up (call in the same transaction).

    A follow-up that was already sent (or missed) is left alone: it is asked once.
    ``created``: the check-in was just inserted, so it has no follow-up yet to look up.
    """
    if created:
        if wants_follow_up(checkin):
            _insert(checkin)
        return
    with transaction.atomic():
        _sync(checkin)


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


def _insert(checkin: CheckIn) -> None:
    assert checkin.follow_up_at is not None  # only called when wants_follow_up(checkin)
    # ignore_conflicts: a concurrent save of the same check-in inserts it once.
    ScheduledReminder.objects.bulk_create(
        [
            ScheduledReminder(
                kind=ReminderKind.FOLLOW_UP,
                family_id=checkin.family_id,
                checkin_id=checkin.pk,
                user_id=checkin.created_by_id,
                occurrence_at=checkin.follow_up_at,
                fire_at=checkin.follow_up_at,
            )
        ],
        ignore_conflicts=True,
    )


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
