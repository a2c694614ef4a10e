"""Daily runs of a routine and their step completions: starting a run, ticking and
un-ticking steps (also by routine, child and day, as an offline phone replays them)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Count, FilteredRelation, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.api import validation_error
from core.timeutils import family_today
from families.models import Child, Family, User

from .board import board_changed
from .models import Routine, RoutineRun, RoutineStep, StepCompletion

# A run may be recorded for tomorrow at most: a phone near midnight in another zone.
_FUTURE_SLACK = timedelta(days=1)


def check_run_date(family: Family, day: date) -> None:
    """A run's date may be any past day, today or tomorrow (family-local), not later."""
    if day > family_today(family) + _FUTURE_SLACK:
        raise validation_error("date", _("That day has not come yet."))


def start_run(
    *, routine: Routine, child: Child, day: date, start: bool = True
) -> tuple[RoutineRun, bool]:
    """The run of ``routine`` for ``child`` on ``day``, created if missing.

    Idempotent: a repeated call returns the same run (``created`` is then False).
    ``start`` stamps ``started_at`` if it is not set yet.
    """
    # children.all(): the view prefetched them, so this costs no query of its own.
    if child.family_id != routine.family_id or child not in routine.children.all():
        raise validation_error("child", _("This routine is not for that child."))
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
        raise validation_error("step", _("This step belongs to another routine."))


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
        raise validation_error("step", _("This step belongs to another routine."))
    run, _created = start_run(routine=routine, child=child, day=day, start=done)
    if done:
        return complete_step(run=run, step=step, user=user)
    return undo_step(run=run, step=step)
