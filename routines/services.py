"""Routine rules: editing routines and steps, runs and step completions, history and streaks.

The API, the admin and Celery tasks call these functions, so the rules hold whichever way
a routine is changed. Every date here is a family-local date (see ``families.timeutils``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count, F, FilteredRelation, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from config.api import validation_error
from families.models import Child, Family, User, new_board_version
from families.timeutils import family_local_date, family_today

from .models import (
    ISO_WEEKDAYS,
    MAX_OFFSET_MINUTES,
    MAX_OFFSETS,
    Routine,
    RoutineRun,
    RoutineStep,
    StepCompletion,
)

# Positions are rewritten in two passes: first out of the way (above this), then into
# place, so the (routine, position) unique constraint holds after every single UPDATE.
_POSITION_PARKING = 10_000
MAX_HISTORY_DAYS = 366
# A run may be recorded for tomorrow at most: a phone near midnight in another zone.
_FUTURE_SLACK = timedelta(days=1)


# --- Validation rules shared by the API and the admin ----------------------------------


def clean_days_of_week(days: Iterable[int]) -> list[int]:
    """ISO weekdays (Monday = 1 … Sunday = 7), at least one, no duplicates; sorted."""
    days = list(days)
    if not days:
        raise validation_error("days_of_week", "Choose at least one day of the week.")
    if any(isinstance(d, bool) or not isinstance(d, int) or d not in ISO_WEEKDAYS for d in days):
        raise validation_error("days_of_week", "Days are numbers from 1 (Monday) to 7 (Sunday).")
    if len(set(days)) != len(days):
        raise validation_error("days_of_week", "Each day may appear only once.")
    return sorted(days)


def clean_reminder_offsets(offsets: Iterable[int]) -> list[int]:
    """Minutes before the start (0 to 120), duplicates dropped, at most five; latest first."""
    unique = sorted(set(offsets), reverse=True)
    if any(not 0 <= m <= MAX_OFFSET_MINUTES for m in unique):
        raise validation_error(
            "reminder_offsets", f"Reminders are 0 to {MAX_OFFSET_MINUTES} minutes before the start."
        )
    if len(unique) > MAX_OFFSETS:
        raise validation_error("reminder_offsets", f"Use at most {MAX_OFFSETS} reminders.")
    return unique


def is_scheduled(days_of_week: Sequence[int], day: date) -> bool:
    """Whether a routine with these ISO weekdays happens on ``day``."""
    return day.isoweekday() in days_of_week


# --- Writing routines ------------------------------------------------------------------


@transaction.atomic
def save_routine(
    *,
    family: Family,
    fields: dict[str, Any],
    children: Sequence[Child] | None = None,
    steps: Sequence[dict[str, Any]] | None = None,
    routine: Routine | None = None,
) -> Routine:
    """Create (``routine=None``) or update a routine with its children and ordered steps.

    ``steps`` is the complete new list in order: items with an ``id`` keep that step
    (renamed/moved as given, so its completions survive), items without one are new,
    and steps left out are removed (ids are ignored when creating). ``None`` leaves
    steps (or children) unchanged.
    """
    if any(child.family_id != family.pk for child in children or ()):
        raise validation_error("children", "Choose children from this family.")
    created = routine is None
    if routine is None:
        if not steps:
            raise validation_error("steps", "Add at least one step.")
        routine = Routine(family=family)
    for name, value in fields.items():
        setattr(routine, name, value)
    routine.save()
    if children is not None:
        routine.children.set(children)
    if steps is not None:
        _write_steps(routine, steps, created=created)
        refresh_completion(routine)
    return routine


def _write_steps(routine: Routine, steps: Sequence[dict[str, Any]], *, created: bool) -> None:
    existing = {} if created else {s.pk: s for s in routine.steps.all()}
    seen: set[int] = set()
    for index, item in enumerate(steps):
        step_id = None if created else item.get("id")
        if step_id is None:
            continue
        if step_id not in existing:
            raise validation_error(f"steps.{index}.id", "This step is not part of this routine.")
        if step_id in seen:
            raise validation_error(f"steps.{index}.id", "This step is listed twice.")
        seen.add(step_id)

    removed = [pk for pk in existing if pk not in seen]
    if removed:
        RoutineStep.objects.filter(pk__in=removed).delete()
    if seen:
        RoutineStep.objects.filter(pk__in=seen).update(position=F("position") + _POSITION_PARKING)

    kept: list[RoutineStep] = []
    new: list[RoutineStep] = []
    for position, item in enumerate(steps):
        values = {
            "title": item["title"],
            "icon": item.get("icon", ""),
            "duration_minutes": item.get("duration_minutes"),
        }
        step_id = None if created else item.get("id")
        if step_id is None:
            new.append(RoutineStep(routine=routine, position=position, **values))
        else:
            step = existing[step_id]
            step.position = position
            for name, value in values.items():
                setattr(step, name, value)
            kept.append(step)
    if kept:
        RoutineStep.objects.bulk_update(
            kept, ["position", "title", "icon", "duration_minutes"], batch_size=100
        )
    if new:
        RoutineStep.objects.bulk_create(new)
    board_changed(pk=routine.family_id)  # bulk writes send no signals


def refresh_completion(routine: Routine) -> None:
    """Re-derive ``completed_at`` of the routine's runs from today on after steps changed.

    A run is complete when every current step is done. Past days keep what they were:
    adding a step today does not rewrite last week's history.
    """
    since = family_today(routine.family)
    total = RoutineStep.objects.filter(routine=routine).count()  # not a stale prefetch
    runs = list(
        RoutineRun.objects.filter(routine=routine, date__gte=since)
        .annotate(done=Count("completions"))
        .values_list("pk", "done", "completed_at")
    )
    # A routine without steps has no complete runs (nothing was done).
    reopen = [pk for pk, done, at in runs if at is not None and (not total or done < total)]
    close = [pk for pk, done, at in runs if at is None and total and done >= total]
    if reopen:
        RoutineRun.objects.filter(pk__in=reopen).update(completed_at=None)
    if close:
        now = timezone.now()
        RoutineRun.objects.filter(pk__in=close).update(
            completed_at=now, started_at=Coalesce("started_at", now)
        )
    if reopen or close:
        board_changed(pk=routine.family_id)  # QuerySet.update() sends no signals


def delete_routine(routine: Routine) -> None:
    """Delete a routine with its steps, runs and completions."""
    routine.delete()


def board_changed(**family_lookup: object) -> None:
    """Mark the Today board of the matching family as changed, e.g. ``board_changed(
    pk=family_id)`` or ``board_changed(routines=routine_id)``.

    Call it in the transaction that writes the change (after the write): a reader that
    sees the new version then also sees the new rows.
    """
    Family.objects.filter(**family_lookup).update(board_version=new_board_version())


# --- Runs and completions --------------------------------------------------------------


def check_run_date(family: Family, day: date) -> None:
    """A run's date may be any past day, today or tomorrow (family-local), not later."""
    if day > family_today(family) + _FUTURE_SLACK:
        raise validation_error("date", "That day has not come yet.")


def start_run(
    *, routine: Routine, child: Child, day: date, start: bool = True
) -> tuple[RoutineRun, bool]:
    """The run of ``routine`` for ``child`` on ``day``, created if missing.

    Idempotent: a repeated call returns the same run (``created`` is then False).
    ``start`` stamps ``started_at`` if it is not set yet.
    """
    # children.all(): the view prefetched them, so this costs no query of its own.
    if child.family_id != routine.family_id or child not in routine.children.all():
        raise validation_error("child", "This routine is not for that child.")
    check_run_date(routine.family, day)
    now = timezone.now()
    run, created = RoutineRun.objects.get_or_create(
        routine=routine, child=child, date=day, defaults={"started_at": now if start else None}
    )
    if start and run.started_at is None:
        run.started_at = now
        run.save(update_fields=["started_at"])
    return run, created


def _require_step_of(run: RoutineRun, step: RoutineStep) -> None:
    if step.routine_id != run.routine_id:
        raise validation_error("step", "This step belongs to another routine.")


def _sync_completed(run: RoutineRun, now: datetime) -> None:
    # One query: each step joined to its completion in this run only (if any).
    counts = (
        RoutineStep.objects.filter(routine_id=run.routine_id)
        .annotate(done_here=FilteredRelation("completions", condition=Q(completions__run=run)))
        .aggregate(total=Count("id"), done=Count("done_here"))
    )
    complete = counts["total"] > 0 and counts["done"] >= counts["total"]
    if complete and run.completed_at is None:
        run.completed_at = now
    elif not complete:
        run.completed_at = None


@transaction.atomic
def complete_step(*, run: RoutineRun, step: RoutineStep, user: User | None) -> RoutineRun:
    """Mark ``step`` done in ``run``. Repeating it changes nothing (same state).

    The first completion starts the run; completing the last step completes it.
    """
    _require_step_of(run, step)
    # Lock the run so two caregivers ticking the last two steps at once both see the
    # other's tick when deciding whether the run is complete (PostgreSQL; SQLite
    # serialises writers anyway).
    run = RoutineRun.objects.select_for_update().get(pk=run.pk)
    now = timezone.now()
    StepCompletion.objects.get_or_create(
        run=run, step=step, defaults={"completed_by": user, "completed_at": now}
    )
    before = (run.started_at, run.completed_at)
    if run.started_at is None:
        run.started_at = now
    _sync_completed(run, now)
    if (run.started_at, run.completed_at) != before:
        run.save(update_fields=["started_at", "completed_at"])
    return run


@transaction.atomic
def undo_step(*, run: RoutineRun, step: RoutineStep) -> RoutineRun:
    """Un-tick ``step`` in ``run`` (idempotent); the run is no longer complete."""
    _require_step_of(run, step)
    run = RoutineRun.objects.select_for_update().get(pk=run.pk)
    if StepCompletion.objects.filter(run=run, step=step).delete()[0]:
        board_changed(routines=run.routine_id)  # completions have no deletion receiver
    before = run.completed_at
    _sync_completed(run, timezone.now())
    if run.completed_at != before:
        run.save(update_fields=["completed_at"])
    return run


@transaction.atomic
def set_step_done_on_day(
    *,
    routine: Routine,
    child: Child,
    day: date,
    step: RoutineStep,
    done: bool,
    user: User | None,
) -> RoutineRun:
    """Complete or undo a step addressed by routine, child and day (no run id needed).

    This is what an offline phone replays: it never knew the run's id, and the unique
    (routine, child, date) run and (run, step) completion make a replay change nothing.
    One transaction: the run and the tick are written together (and on SQLite the write
    lock is taken once).
    """
    if step.routine_id != routine.pk:
        raise validation_error("step", "This step belongs to another routine.")
    run, _ = start_run(routine=routine, child=child, day=day, start=done)
    if done:
        return complete_step(run=run, step=step, user=user)
    return undo_step(run=run, step=step)


# --- History and streaks ---------------------------------------------------------------


@dataclass(frozen=True)
class DayResult:
    """One day of a routine for one child (or for all its children together)."""

    date: date
    scheduled: bool
    done: int
    total: int
    complete: bool


@dataclass(frozen=True)
class Streaks:
    current: int
    best: int


def streaks(outcomes: Sequence[tuple[date, bool]], today: date) -> Streaks:
    """Current and best streak over scheduled days, given in date order up to ``today``.

    Only scheduled days are passed in, so days off neither count nor break a streak. A
    scheduled day that was not fully completed breaks it, except ``today`` while it is
    still open: the current streak then ends yesterday.
    """
    run = best = 0
    for day, complete in outcomes:
        if day > today:
            break
        if complete:
            run += 1
            best = max(best, run)
        elif day != today:
            run = 0
    return Streaks(current=run, best=best)


def completion_rate(outcomes: Sequence[tuple[date, bool]], today: date) -> float | None:
    """Share of scheduled days completed; today counts only once it is complete."""
    counted = [c for d, c in outcomes if d < today or (d == today and c)]
    return round(sum(counted) / len(counted), 4) if counted else None


@dataclass(frozen=True)
class History:
    """A routine's history over ``first``…``last`` for one child or all its children.

    ``days`` and ``completion_rate`` cover the range; streaks are counted over the
    routine's whole life up to ``last`` so a range never cuts a streak short.
    """

    child: Child | None
    days: list[DayResult]
    current_streak: int
    best_streak: int
    completion_rate: float | None
    scheduled_days: int
    completed_days: int


@dataclass(frozen=True)
class RoutineHistory:
    routine: Routine
    first: date
    last: date
    overall: History
    children: list[History]


def check_history_range(first: date, last: date) -> None:
    """``first`` ≤ ``last`` and at most a year and a day apart, else a 400 naming the field."""
    if first > last:
        raise validation_error("from", "The start of the range is after its end.")
    if (last - first).days + 1 > MAX_HISTORY_DAYS:
        raise validation_error("from", f"Ask for at most {MAX_HISTORY_DAYS} days at a time.")


def routine_history(
    routine: Routine, first: date, last: date, *, child: Child | None = None
) -> RoutineHistory:
    """Per-day completion, streaks and completion rate of ``routine`` (constant queries).

    Counted days start when the routine was created (or at its earliest completed
    run, for imported data) and end today; a day counts as complete for "all children"
    when every child the routine is for completed it.
    """
    check_history_range(first, last)
    family = routine.family
    today = family_today(family)
    children = [c for c in routine.children.all() if child is None or c.pk == child.pk]
    if child is not None and not children:
        raise validation_error("child", "This routine is not for that child.")
    total = RoutineStep.objects.filter(routine=routine).count()  # not a stale prefetch
    done_by_run = {
        (r["child_id"], r["date"]): (r["done"], r["completed_at"] is not None)
        for r in RoutineRun.objects.filter(routine=routine, date__range=(first, last))
        .annotate(done=Count("completions"))
        .values("child_id", "date", "done", "completed_at")
    }
    completed = set(
        RoutineRun.objects.filter(routine=routine, date__lte=last, completed_at__isnull=False)
        .values_list("child_id", "date")
        .iterator()
    )
    since = min(
        [family_local_date(family, routine.created_at), *(d for _, d in completed)],
    )
    until = min(last, today)
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    streak_days = [
        since + timedelta(days=i)
        for i in range((until - since).days + 1)
        if is_scheduled(routine.days_of_week, since + timedelta(days=i))
    ]

    def day_result(child_ids: list[int], day: date) -> DayResult:
        results = [done_by_run.get((cid, day), (0, False)) for cid in child_ids]
        return DayResult(
            date=day,
            scheduled=since <= day and is_scheduled(routine.days_of_week, day),
            done=sum(r[0] for r in results),
            total=total * len(child_ids),
            complete=bool(child_ids) and all(r[1] for r in results),
        )

    def history_for(child_ids: list[int], subject: Child | None) -> History:
        day_results = [day_result(child_ids, d) for d in days]
        all_done = bool(child_ids)
        life = [
            (d, all_done and all((cid, d) in completed for cid in child_ids)) for d in streak_days
        ]
        in_range = [(r.date, r.complete) for r in day_results if r.scheduled and r.date <= today]
        s = streaks(life, today)
        return History(
            child=subject,
            days=day_results,
            current_streak=s.current,
            best_streak=s.best,
            completion_rate=completion_rate(in_range, today),
            scheduled_days=sum(1 for d, c in in_range if d < today or c),
            completed_days=sum(1 for _, c in in_range if c),
        )

    return RoutineHistory(
        routine=routine,
        first=first,
        last=last,
        overall=history_for([c.pk for c in children], None),
        children=[history_for([c.pk], c) for c in children],
    )
