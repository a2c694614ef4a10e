"""A routine's history: per-day completion, streaks and completion rate, and the routine
runs per day that the check-ins app's insights show (an ``InsightPart``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Prefetch, Q
from django.utils.translation import gettext as _

from core.api import check_date_range, validation_error
from core.contributions import InsightPart, RoutineDays
from core.timeutils import family_local_date, family_today
from families.away import away_days
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
    # Every child (of those counted) was away: the day is neither kept nor missed.
    away: bool = False


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


def routine_history(
    routine: Routine, first: date, last: date, *, child: Child | None = None
) -> RoutineHistory:
    """Per-day completion, streaks and completion rate of ``routine`` (constant queries).

    Counted days start when the routine was created (or at its earliest completed
    run, for imported data) and end today; a day counts as complete for "all children"
    when every child the routine is for and not away completed it. A day a child is
    away is not scheduled for them: it neither counts nor breaks a streak.
    """
    check_date_range(first, last, max_days=MAX_HISTORY_DAYS)
    family = routine.family
    today = family_today(family)
    children = [c for c in routine.children.all() if child is None or c.pk == child.pk]
    if child is not None and not children:
        raise validation_error("child", _("This routine is not for that child."))
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
    away = away_days([c.pk for c in children], min(since, first), last)

    def present(child_ids: list[int], day: date) -> list[int]:
        return [cid for cid in child_ids if not away.is_away(cid, day)]

    def day_result(child_ids: list[int], day: date) -> DayResult:
        here = present(child_ids, day)
        results = [done_by_run.get((cid, day), (0, False)) for cid in here]
        all_away = bool(child_ids) and not here
        return DayResult(
            date=day,
            scheduled=since <= day and is_scheduled(routine.days_of_week, day) and not all_away,
            done=sum(r[0] for r in results),
            total=total * len(here),
            complete=bool(here) and all(r[1] for r in results),
            away=all_away,
        )

    def history_for(child_ids: list[int], subject: Child | None) -> History:
        day_results = [day_result(child_ids, d) for d in days]
        life = []
        for d in streak_days:
            here = present(child_ids, d)
            if here or not child_ids:
                life.append((d, bool(here) and all((cid, d) in completed for cid in here)))
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


def _is_bedtime(routine: Routine) -> bool:
    name = routine.name.casefold()
    return "bed" in name or "sleep" in name or "night" in name


def routine_days(
    family: Family, child: Child | None, first: date, last: date, routine_id: int | None
) -> RoutineDays:
    """Which of the local days ``first`` … ``last`` the chosen routine was kept (3 queries).

    The default routine is the bedtime one (a name with "bed", "sleep" or "night"), else
    the first of the child's routines. A day counts when the routine was scheduled on it,
    existed by then (or has a completed run, for imported data), is over (before today)
    and the child was not away (4 queries).
    """
    routines = [
        r
        for r in Routine.objects.filter(family=family).prefetch_related(
            Prefetch("children", queryset=Child.objects.only("id"))
        )
        if child is None or any(c.pk == child.pk for c in r.children.all())
    ]
    choices = [{"id": r.pk, "name": r.name} for r in routines]
    if routine_id is not None:
        chosen = next((r for r in routines if r.pk == routine_id), None)
        if chosen is None:
            raise validation_error("routine", _("No such routine for this child in this family."))
    else:
        chosen = next((r for r in routines if _is_bedtime(r)), routines[0] if routines else None)
    if chosen is None:
        return RoutineDays(routine=None, choices=choices)
    child_ids = [c.pk for c in chosen.children.all() if child is None or c.pk == child.pk]
    completed = set(
        RoutineRun.objects.filter(
            routine=chosen,
            child_id__in=child_ids,
            date__gte=first,
            date__lte=last,
            completed_at__isnull=False,
        ).values_list("child_id", "date")
    )
    since = min([family_local_date(family, chosen.created_at), *(d for _, d in completed)])
    today = family_today(family)
    away = away_days(child_ids, first, last)
    kept: set[tuple[int, date]] = set()
    not_kept: set[tuple[int, date]] = set()
    for n in range((last - first).days + 1):
        day = first + timedelta(days=n)
        if day < since or day >= today or not is_scheduled(chosen.days_of_week, day):
            continue
        for cid in child_ids:
            if not away.is_away(cid, day):
                (kept if (cid, day) in completed else not_kept).add((cid, day))
    return RoutineDays(
        routine={"id": chosen.pk, "name": chosen.name},
        choices=choices,
        kept=frozenset(kept),
        not_kept=frozenset(not_kept),
    )


def routines_kept(
    family: Family, child_ids: Sequence[int], first: date, last: date
) -> dict[int, dict[str, Any]]:
    """Per child, how often their default routine (the bedtime one, as ``routine_days``
    chooses it) was kept on the local days ``first`` … ``last``: ``{"routine": {"id",
    "name"}, "kept", "scheduled"}`` (3 queries, whatever the number of children).

    A scheduled day counts once it is over, or today once completed; days before the
    routine existed and days away do not count. Children without routines are left out
    (4 queries).
    """
    wanted = set(child_ids)
    routines = list(
        Routine.objects.filter(family=family, children__in=wanted)
        .distinct()
        .prefetch_related(Prefetch("children", queryset=Child.objects.only("id")))
    )
    chosen: dict[int, Routine] = {}
    for cid in wanted:
        mine = [r for r in routines if any(c.pk == cid for c in r.children.all())]
        found = next((r for r in mine if _is_bedtime(r)), mine[0] if mine else None)
        if found is not None:
            chosen[cid] = found
    if not chosen:
        return {}
    completed = set(
        RoutineRun.objects.filter(
            routine__in={r.pk for r in chosen.values()},
            child_id__in=chosen.keys(),
            date__gte=first,
            date__lte=last,
            completed_at__isnull=False,
        ).values_list("routine_id", "child_id", "date")
    )
    today = family_today(family)
    away = away_days(chosen.keys(), first, last)
    answer: dict[int, dict[str, Any]] = {}
    for cid, routine in chosen.items():
        since = family_local_date(family, routine.created_at)
        kept = scheduled = 0
        for n in range((last - first).days + 1):
            day = first + timedelta(days=n)
            done = (routine.pk, cid, day) in completed
            if not is_scheduled(routine.days_of_week, day) or (day < since and not done):
                continue
            if away.is_away(cid, day):
                continue
            if day < today or done:
                scheduled += 1
                kept += done
        answer[cid] = {
            "routine": {"id": routine.pk, "name": routine.name},
            "kept": kept,
            "scheduled": scheduled,
        }
    return answer


INSIGHT_PARTS = (InsightPart("routines", runs_per_day),)
