"""Routine warnings: materialise each (routine, offset)'s next occurrence; plan its dispatch.

One pending ``ScheduledReminder`` per (routine, offset) holds the next fire time,
computed from the family's time zone, the routine's weekdays and local start time
(``scheduling.next_routine_fire``, exact across DST). ``sync_routines`` brings the rows in
step after any change (routine saved, family time zone changed) and after a dispatch;
it keeps a pending row that still matches the routine — even one already due, so an
edit at 19:20:05 does not lose the 19:20 warning — and replaces the rest. The dispatcher
re-checks every due row against the routine as it is then (``mismatch``), so a row that
went stale through any path is cancelled rather than sent at the wrong time.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, time
from functools import partial

from django.db import connection, transaction
from django.utils import timezone

from care.handover import duty_by_child
from families.away import away_days
from routines.models import Routine

from . import messages
from .models import ReminderKind, ReminderState, ScheduledReminder
from .recipients import Plan, member_prefs, route
from .scheduling import local_date, next_routine_fire, occurrence_start


def _start_time(routine: Routine) -> time:
    """The routine's local start time (a model saved with ``"19:30"`` still holds a str)."""
    return Routine._meta.get_field("start_time").to_python(routine.start_time)


def _offsets(routine: Routine) -> list[int]:
    """The routine's distinct reminder offsets, or none when it cannot fire."""
    if not routine.is_active or not routine.days_of_week:
        return []
    return sorted({int(m) for m in routine.reminder_offsets or []})


def mismatch(reminder: ScheduledReminder, routine: Routine) -> str:
    """Why ``reminder`` no longer matches ``routine`` ('' if it still does)."""
    if not routine.is_active:
        return "The routine is paused."
    if reminder.offset_minutes not in _offsets(routine):
        return "The reminder times of the routine changed."
    day = reminder.occurrence_date
    if day is None or not routine.is_scheduled_on(day):
        return "The days of the routine changed."
    start = occurrence_start(tz=routine.family.zone, day=day, start_time=_start_time(routine))
    if start != reminder.occurrence_at:
        return "The start time or time zone of the routine changed."
    return ""


def sync_routines(routines: Iterable[Routine], *, now: datetime | None = None) -> None:
    """Make the pending rows of ``routines`` match them (joins the caller's transaction).

    Rows that still match are kept; the others are deleted and the next occurrence after
    ``now`` is inserted (``ignore_conflicts``: the unique constraints make a concurrent
    second insert of the same occurrence a no-op, never a duplicate).
    """
    routines = list(routines)
    if routines:
        with transaction.atomic():
            _sync(routines, now or timezone.now())


def _sync(routines: list[Routine], now: datetime) -> None:
    pending = ScheduledReminder.objects.filter(
        kind=ReminderKind.ROUTINE,
        state=ReminderState.PENDING,
        routine_id__in=[r.pk for r in routines],
    )
    if connection.features.has_select_for_update:
        # Waits for a dispatcher holding one of these rows; it never waits for us.
        pending = pending.select_for_update(of=("self",))
    existing: dict[tuple[int | None, int | None], ScheduledReminder] = {}
    stale: list[int] = []
    for held in pending:
        key = (held.routine_id, held.offset_minutes)
        if key in existing:
            stale.append(held.pk)  # cannot happen with the constraint; heal anyway
        else:
            existing[key] = held

    create: list[ScheduledReminder] = []
    for routine in routines:
        zone = routine.family.zone
        start_time = _start_time(routine)
        for offset in _offsets(routine):
            row = existing.pop((routine.pk, offset), None)
            if row is not None and not mismatch(row, routine):
                continue
            if row is not None:
                stale.append(row.pk)
            found = next_routine_fire(
                tz=zone,
                weekdays=routine.days_of_week,
                start_time=start_time,
                offset_minutes=offset,
                after=now,
            )
            if found is None:
                continue
            fire_at, day = found
            create.append(
                ScheduledReminder(
                    kind=ReminderKind.ROUTINE,
                    family_id=routine.family_id,
                    routine=routine,
                    offset_minutes=offset,
                    occurrence_at=occurrence_start(tz=zone, day=day, start_time=start_time),
                    occurrence_date=day,
                    fire_at=fire_at,
                )
            )
    stale.extend(row.pk for row in existing.values())  # offsets the routines no longer have
    if stale:
        ScheduledReminder.objects.filter(pk__in=stale, state=ReminderState.PENDING).delete()
    if create:
        ScheduledReminder.objects.bulk_create(create, batch_size=500, ignore_conflicts=True)


def sync_routine(routine: Routine, *, now: datetime | None = None) -> None:
    """``sync_routines`` for one routine."""
    sync_routines([routine], now=now)


def forget_routine(routine_id: int) -> None:
    """Drop the pending reminders of a routine being deleted (history stays)."""
    ScheduledReminder.objects.filter(
        kind=ReminderKind.ROUTINE, state=ReminderState.PENDING, routine_id=routine_id
    ).delete()


def _routines_for(rows: Sequence[ScheduledReminder], *, lock: bool) -> dict[int, Routine]:
    query = Routine.objects.filter(
        pk__in={r.routine_id for r in rows if r.routine_id}
    ).select_related("family")
    if lock:
        query = query.prefetch_related("children")
    if lock and connection.features.has_select_for_update_skip_locked:
        # A routine being edited right now is skipped: its reminders wait for the next tick
        # and are checked against the edited routine then.
        query = query.select_for_update(skip_locked=True, of=("self",))
    return {r.pk: r for r in query}


def plan(rows: Sequence[ScheduledReminder], now: datetime) -> dict[int, Plan]:
    """Payload and recipients for due routine reminders (a few queries for the batch)."""
    if not rows:
        return {}
    routines = _routines_for(rows, lock=True)
    prefs = member_prefs({r.family_id for r in routines.values()})
    on_duty = duty_by_child({r.family_id for r in routines.values()})
    days = [r.occurrence_date for r in rows if r.occurrence_date is not None]
    away = away_days(
        {c.pk for r in routines.values() for c in r.children.all()},
        min(days, default=now.date()),
        max(days, default=now.date()),
    )
    plans: dict[int, Plan] = {}
    for row in rows:
        if row.routine_id is None:
            plans[row.pk] = Plan(cancel="The routine was deleted.")
            continue
        routine = routines.get(row.routine_id)
        if routine is None:
            continue  # locked by an edit in progress: next tick
        reason = mismatch(row, routine)
        if reason:
            plans[row.pk] = Plan(cancel=reason)
            continue
        zone = routine.family.zone
        day = row.occurrence_date or local_date(row.fire_at, zone)
        children = list(routine.children.all())
        # Children away that day are left out of the reminder; when all are, it is skipped.
        here = [c for c in children if not away.is_away(c.pk, day)]
        wanting = [p for p in prefs.get(routine.family_id, []) if routine.pk not in p.opted_out]
        child_ids = [c.pk for c in (here or children)]
        recipients = [p.recipient(zone) for p in route(wanting, child_ids, on_duty)]
        payload = messages.localized(
            partial(
                messages.routine_payload,
                family_id=routine.family_id,
                routine_id=routine.pk,
                routine_name=routine.name,
                icon=routine.icon,
                child_names=[c.name for c in (here or children)],
                offset_minutes=row.offset_minutes or 0,
                occurrence_at=row.occurrence_at or row.fire_at,
                occurrence_date=day,
                zone=zone,
            ),
            {r.language for r in recipients},
        )
        if children and not here:
            plans[row.pk] = Plan(
                payload={**payload, "skipped": "away"},
                recipients=recipients,
                skip="away",
                skip_note=messages.away_note([c.name for c in children]),
            )
        else:
            plans[row.pk] = Plan(payload=payload, recipients=recipients)
    return plans


def after_dispatch(rows: Sequence[ScheduledReminder], *, now: datetime) -> None:
    """Materialise the next occurrence of the routines whose reminders were just handled."""
    if not rows:
        return
    routines = _routines_for(rows, lock=False)
    sync_routines(routines.values(), now=now)
