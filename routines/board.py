"""The Today board: each child's routines on a family-local date with now/next steps.

Built with a fixed number of queries however many routines, children or steps there are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Prefetch

from families.models import Child, Family

from .models import Routine, RoutineRun, RoutineStep, StepCompletion
from .services import is_scheduled


@dataclass(frozen=True)
class BoardStep:
    id: int
    title: str
    icon: str
    duration_minutes: int | None
    done: bool


@dataclass(frozen=True)
class BoardRoutine:
    """A routine for one child on one day: progress and the now/next steps."""

    routine: Routine
    run: RoutineRun | None
    steps: list[BoardStep]
    done: int
    total: int
    complete: bool
    now_step: BoardStep | None
    next_step: BoardStep | None
    # When the current step began: the latest tick, or the run's start (for a timer).
    now_since: datetime | None


@dataclass(frozen=True)
class BoardChild:
    child: Child
    routines: list[BoardRoutine]


@dataclass(frozen=True)
class Board:
    date: date
    children: list[BoardChild]


def _board_routine(routine: Routine, run: RoutineRun | None) -> BoardRoutine:
    completions = {c.step_id: c.completed_at for c in (run.completions.all() if run else ())}
    steps = [
        BoardStep(
            id=s.pk,
            title=s.title,
            icon=s.icon,
            duration_minutes=s.duration_minutes,
            done=s.pk in completions,
        )
        for s in routine.steps.all()
    ]
    open_steps = [s for s in steps if not s.done]
    done = len(steps) - len(open_steps)
    since = [t for t in (*completions.values(), run.started_at if run else None) if t]
    return BoardRoutine(
        routine=routine,
        run=run,
        steps=steps,
        done=done,
        total=len(steps),
        complete=bool(steps) and not open_steps,
        now_step=open_steps[0] if open_steps else None,
        next_step=open_steps[1] if len(open_steps) > 1 else None,
        now_since=max(since) if since and open_steps else None,
    )


def today_board(family: Family, day: date) -> Board:
    """Every child of ``family`` with the routines they have on ``day``, in time order.

    A child has a routine that day when it is active, scheduled on that weekday and for
    that child, or when a run of it exists for them that day (done anyway, or the
    schedule changed since).
    """
    routines = list(
        Routine.objects.filter(family=family).prefetch_related(
            Prefetch("steps", queryset=RoutineStep.objects.order_by("position")),
            Prefetch("children", queryset=Child.objects.only("id")),
        )
    )
    runs = {
        (run.routine_id, run.child_id): run
        for run in RoutineRun.objects.filter(routine__family=family, date=day).prefetch_related(
            Prefetch(
                "completions", queryset=StepCompletion.objects.only("run", "step", "completed_at")
            )
        )
    }
    board_children = []
    for child in family.children.all():
        entries = []
        for routine in routines:
            run = runs.get((routine.pk, child.pk))
            planned = (
                routine.is_active
                and is_scheduled(routine.days_of_week, day)
                and any(c.pk == child.pk for c in routine.children.all())
            )
            if planned or run is not None:
                entries.append(_board_routine(routine, run))
        entries.sort(key=lambda e: (e.routine.start_time, e.routine.name, e.routine.pk))
        board_children.append(BoardChild(child=child, routines=entries))
    return Board(date=day, children=board_children)
