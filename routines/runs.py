"""Daily runs of a routine and their step completions: starting a run, ticking and
un-ticking steps (also by routine, child and day, as an offline phone replays them)."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

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


def completions_prefetch() -> Prefetch:
    """A run's completions as ``RunSerializer`` shows them (``run.completion_list``)."""
    return Prefetch(
        "completions",
        queryset=StepCompletion.objects.select_related("completed_by"),
        to_attr="completion_list",
    )


def _step_count() -> Subquery:
    # A scalar subquery, not a join with GROUP BY: PostgreSQL refuses FOR UPDATE with one.
    steps = (
        RoutineStep.objects.filter(routine_id=OuterRef("routine_id"))
        .order_by()
        .values("routine_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(steps, output_field=IntegerField()), 0)


def run_state(run_id: int) -> RoutineRun:
    """A run loaded with everything ``RunSerializer`` shows, in two queries."""
    return (
        RoutineRun.objects.annotate(step_count=_step_count())
        .prefetch_related(completions_prefetch())
        .get(pk=run_id)
    )


def _locked_run(**lookup: object) -> RoutineRun | None:
    # Locked so two caregivers ticking the last two steps at once each see the other's
    # tick when deciding whether the run is complete (PostgreSQL; SQLite serialises
    # writers anyway); with its step count, for the answer.
    try:
        return (
            RoutineRun.objects.select_for_update(of=("self",))
            .annotate(step_count=_step_count())
            .get(**lookup)
        )
    except RoutineRun.DoesNotExist:
        return None


def _tick(run: RoutineRun, step: RoutineStep, done: bool, user: User | None) -> bool:
    """Tick or un-tick ``step`` in the locked ``run``; sets ``run.completion_list``.

    Whether anything changed. Written with ``update()`` and ``bulk_create()``, which send
    no signal: the caller marks the board changed once for all of it.
    """
    completions = list(StepCompletion.objects.filter(run_id=run.pk).select_related("completed_by"))
    mine = next((c for c in completions if c.step_id == step.pk), None)
    now = timezone.now()
    changed = False
    if done and mine is None:
        # The run's lock keeps a concurrent tick of the same step waiting until this
        # commits, so it then finds this row instead of hitting the unique constraint.
        mine = StepCompletion(run=run, step=step, completed_by=user, completed_at=now)
        StepCompletion.objects.bulk_create([mine])
        completions.append(mine)
        changed = True
    elif not done and mine is not None:
        StepCompletion.objects.filter(pk=mine.pk).delete()
        completions.remove(mine)
        changed = True
    before = (run.started_at, run.completed_at)
    if done and run.started_at is None:
        run.started_at = now
    total = run.step_count  # type: ignore[attr-defined]
    if total > 0 and len(completions) >= total:
        run.completed_at = run.completed_at or now
    else:
        run.completed_at = None
    if (run.started_at, run.completed_at) != before:
        RoutineRun.objects.filter(pk=run.pk).update(
            started_at=run.started_at, completed_at=run.completed_at
        )
        changed = True
    run.completion_list = completions  # type: ignore[attr-defined]
    return changed


def _require_step_of(run: RoutineRun, step: RoutineStep) -> None:
    if step.routine_id != run.routine_id:
        raise validation_error("step", "This step belongs to another routine.")


@transaction.atomic
def set_step_done(
    *, run: RoutineRun, step: RoutineStep, done: bool, user: User | None
) -> RoutineRun:
    """Mark ``step`` done in ``run`` (``done``) or undo it. Repeating it changes nothing.

    The first completion starts the run; completing the last step completes it, undoing
    one makes it incomplete again. The answer carries ``step_count`` and
    ``completion_list`` for ``RunSerializer``.
    """
    _require_step_of(run, step)
    locked = _locked_run(pk=run.pk)
    assert locked is not None  # runs are deleted only with their routine or child
    if _tick(locked, step, done, user):
        board_changed(routines=locked.routine_id)
    return locked


def complete_step(*, run: RoutineRun, step: RoutineStep, user: User | None) -> RoutineRun:
    """Mark ``step`` done in ``run`` (see :func:`set_step_done`)."""
    return set_step_done(run=run, step=step, done=True, user=user)


def undo_step(*, run: RoutineRun, step: RoutineStep) -> RoutineRun:
    """Un-tick ``step`` in ``run`` (see :func:`set_step_done`)."""
    return set_step_done(run=run, step=step, done=False, user=None)


def for_routine(children: QuerySet[Child], routine: Routine) -> QuerySet[Child]:
    """``children``, each with ``for_routine``: whether ``routine`` is for that child (so
    the child named in a URL is found and checked in one query)."""
    links = Routine.children.through.objects.filter(routine_id=routine.pk, child_id=OuterRef("pk"))
    return children.annotate(for_routine=Exists(links))


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
    lock is taken once). A ``child`` found through :func:`for_routine` costs no query to
    check.
    """
    if step.routine_id != routine.pk:
        raise validation_error("step", "This step belongs to another routine.")
    known = getattr(child, "for_routine", None)
    if child.family_id != routine.family_id or not (
        known if known is not None else routine.children.filter(pk=child.pk).exists()
    ):
        raise validation_error("child", "This routine is not for that child.")
    check_run_date(routine.family, day)
    lookup = {"routine_id": routine.pk, "child_id": child.pk, "date": day}
    run = _locked_run(**lookup)
    created = run is None
    if run is None:
        # Without a signal (the board is marked below) and without a savepoint: a run
        # created meanwhile by another request is kept, and locked and read next.
        started = timezone.now() if done else None
        RoutineRun.objects.bulk_create(
            [RoutineRun(**lookup, started_at=started)], ignore_conflicts=True
        )
        run = _locked_run(**lookup)
        assert run is not None
    if _tick(run, step, done, user) or created:
        board_changed(pk=routine.family_id)
    return run
