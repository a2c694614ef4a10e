"""A routine's history: per-day completion, streaks and completion rate, and the routine
runs per day that the check-ins app's insights show (an ``InsightPart``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Q

from core.api import validation_error
from core.contributions import InsightPart
from core.timeutils import family_local_date, family_today
from families.models import Child, Family

from .models import Routine, RoutineRun, RoutineStep, is_scheduled

MAX_HISTORY_DAYS = 366


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


def runs_per_day(
    family: Family, child: Child | None, first: date, last: date
) -> list[dict[str, Any]]:
    """Per local day, the child's (or family's) routine runs and how many were completed."""
    runs = RoutineRun.objects.filter(routine__family=family, date__gte=first, date__lte=last)
    if child is not None:
        runs = runs.filter(child=child)
    counts: dict[date, Mapping[str, Any]] = {
        row["date"]: row
        for row in runs.values("date").annotate(
            runs=Count("id"), completed=Count("id", filter=Q(completed_at__isnull=False))
        )
    }
    return [
        {
            "date": first + timedelta(days=n),
            "runs": counts.get(first + timedelta(days=n), {}).get("runs", 0),
            "completed": counts.get(first + timedelta(days=n), {}).get("completed", 0),
        }
        for n in range((last - first).days + 1)
    ]


INSIGHT_PARTS = (InsightPart("routines", runs_per_day),)
