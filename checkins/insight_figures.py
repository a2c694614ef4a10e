"""The figures of the insights that answer a parent's questions, each one SQL aggregate.

Every figure is computed from ``GROUP BY`` queries over the period's check-ins (the
database does the counting and the family-local hour and weekday: Django passes the
family's zone to SQLite's and PostgreSQL's date functions), so the number of queries is
the same for a week as for a year. Shares are only given from ``MIN_TRIES`` answers up:
below it a figure says "too few to tell" (``enough: false``, the share ``None``) and still
shows its counts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay, TruncDate
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from core.contributions import RoutineDays, routine_days_source, routines_kept_source
from core.timeutils import family_days_bounds, family_today
from families.models import Child, Family

from . import vocabulary
from .models import CheckIn, Outcome
from .strategy_catalogue import shown_title

# Fewer answered follow-ups (or compared days) than this: "too few to tell", no share.
MIN_TRIES = 3

BIG_UNPLEASANT = "high_unpleasant"
CALM = "low_pleasant"

# Times of day of the hard-moments heatmap: [start, end) in family-local hours.
TIMES_OF_DAY: tuple[tuple[str, str, int, int], ...] = (
    ("night", N_("Night (0–6)"), 0, 6),
    ("morning", N_("Morning (6–12)"), 6, 12),
    ("afternoon", N_("Afternoon (12–18)"), 12, 18),
    ("evening", N_("Evening (18–24)"), 18, 24),
)
WEEKDAYS: tuple[str, ...] = (
    N_("Mon"),
    N_("Tue"),
    N_("Wed"),
    N_("Thu"),
    N_("Fri"),
    N_("Sat"),
    N_("Sun"),
)


def quadrant_keys(quadrant: str) -> list[str]:
    """The vocabulary's feelings in ``quadrant``."""
    return [e.key for e in vocabulary.EMOTIONS if e.quadrant == quadrant]


def share(part: int, whole: int) -> float | None:
    """``part / whole`` to three places, or ``None`` when ``whole`` is too few to tell."""
    return round(part / whole, 3) if whole >= MIN_TRIES else None


def period_checkins(
    family: Family, child: Child | None, first: date, last: date
) -> QuerySet[CheckIn]:
    """The children's check-ins (not the caregivers' own) of the local days first … last."""
    start, end = family_days_bounds(family, first, last)
    query = CheckIn.objects.filter(family=family, occurred_at__gte=start, occurred_at__lt=end)
    return query.filter(child=child) if child else query.filter(child__isnull=False)


def mood_meter(checkins: QuerySet[CheckIn]) -> dict[str, Any]:
    """Check-ins placed by energy × pleasantness: per feeling and intensity (one query)."""
    rows = checkins.values("emotion", "intensity").annotate(n=Count("id")).order_by()
    per_quadrant: dict[str, int] = defaultdict(int)
    points = []
    for row in rows:
        emotion = vocabulary.EMOTIONS_BY_KEY.get(row["emotion"])
        if emotion is None:
            continue
        per_quadrant[emotion.quadrant] += row["n"]
        points.append({**emotion.as_dict(), "intensity": row["intensity"], "count": row["n"]})
    points.sort(key=lambda p: (-p["count"], p["key"], p["intensity"]))
    return {
        "total": sum(per_quadrant.values()),
        "quadrants": [
            {"key": key, "label": _(label), "count": per_quadrant.get(key, 0)}
            for key, label in vocabulary.QUADRANTS
        ],
        "points": points,
    }


def _time_of_day(hour: int) -> str:
    return next(key for key, _, start, end in TIMES_OF_DAY if start <= hour < end)


def hard_moments(checkins: QuerySet[CheckIn], family: Family) -> dict[str, Any]:
    """Big unpleasant feelings by family-local weekday × time of day (one query)."""
    zone = family.zone
    rows = (
        checkins.filter(emotion__in=quadrant_keys(BIG_UNPLEASANT))
        .annotate(
            weekday=ExtractIsoWeekDay("occurred_at", tzinfo=zone),
            hour=ExtractHour("occurred_at", tzinfo=zone),
        )
        .values("weekday", "hour")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts: dict[tuple[int, str], int] = defaultdict(int)
    for row in rows:
        counts[(row["weekday"], _time_of_day(row["hour"]))] += row["n"]
    cells = [
        {"weekday": weekday, "time": key, "count": counts.get((weekday, key), 0)}
        for weekday in range(1, 8)
        for key, *_ in TIMES_OF_DAY
    ]
    return {
        "quadrant": BIG_UNPLEASANT,
        "total": sum(counts.values()),
        "max": max(counts.values(), default=0),
        "weekdays": [{"key": n, "label": _(label)} for n, label in enumerate(WEEKDAYS, start=1)],
        "times": [
            {"key": key, "label": _(label), "start": start, "end": end}
            for key, label, start, end in TIMES_OF_DAY
        ],
        "cells": cells,
    }


def what_helps(checkins: QuerySet[CheckIn]) -> list[dict[str, Any]]:
    """Per quadrant, strategies by their share of "better" follow-ups (one query).

    Strategies with at least ``MIN_TRIES`` answered follow-ups come first, best share
    first; the others follow ("too few to tell"), most tried first.
    """
    rows = (
        checkins.filter(strategy__isnull=False)
        .values("emotion", "strategy_id", "strategy__key", "strategy__title")
        .annotate(
            used=Count("id"),
            tried=Count("id", filter=Q(outcome__isnull=False)),
            helped=Count("id", filter=Q(outcome=Outcome.BETTER)),
        )
        .order_by()
    )
    per: dict[str, dict[int, dict[str, Any]]] = defaultdict(dict)
    for row in rows:
        emotion = vocabulary.EMOTIONS_BY_KEY.get(row["emotion"])
        if emotion is None:
            continue
        entry = per[emotion.quadrant].setdefault(
            row["strategy_id"],
            {
                "id": row["strategy_id"],
                "key": row["strategy__key"],
                "title": shown_title(row["strategy__key"], row["strategy__title"]),
                "used": 0,
                "tried": 0,
                "helped": 0,
            },
        )
        for name in ("used", "tried", "helped"):
            entry[name] += row[name]
    answer = []
    for key, label in vocabulary.QUADRANTS:
        strategies = list(per.get(key, {}).values())
        for s in strategies:
            s["helped_share"] = share(s["helped"], s["tried"])
            s["enough"] = s["helped_share"] is not None
        strategies.sort(
            key=lambda s: (
                not s["enough"],
                -(s["helped_share"] or 0),
                -s["tried"],
                -s["used"],
                s["title"],
            )
        )
        answer.append({"quadrant": key, "label": _(label), "strategies": strategies})
    return answer


def _bucket(days: int, checkins: int) -> dict[str, Any]:
    return {
        "days": days,
        "checkins": checkins,
        "per_day": round(checkins / days, 2) if days >= MIN_TRIES else None,
        "enough": days >= MIN_TRIES,
    }


def routines_and_feelings(
    checkins: QuerySet[CheckIn],
    family: Family,
    child: Child | None,
    first: date,
    last: date,
    routine: int | None,
) -> dict[str, Any]:
    """Big unpleasant check-ins per day on days after the chosen routine (default: the
    bedtime one) was completed, versus after it was scheduled and not completed.

    Days compared run up to today; a (child, day) counts once in one bucket. Which days
    the routine was kept comes from the routines app (``core.contributions.RoutineDays``).
    """
    source = routine_days_source()
    found: RoutineDays | None = None
    if source is not None:
        found = source(family, child, first - timedelta(days=1), last - timedelta(days=1), routine)
    if found is None or found.routine is None:
        empty = _bucket(0, 0)
        return {
            "routine": None,
            "routines": found.choices if found else [],
            "after_completed": empty,
            "after_not_completed": empty,
            "min_days": MIN_TRIES,
        }
    zone = family.zone
    per_day = {
        (row["child_id"], row["day"]): row["n"]
        for row in checkins.filter(emotion__in=quadrant_keys(BIG_UNPLEASANT))
        .annotate(day=TruncDate("occurred_at", tzinfo=zone))
        .values("child_id", "day")
        .annotate(n=Count("id"))
        .order_by()
    }
    today = family_today(family)

    def bucket(before: Iterable[tuple[int, date]]) -> dict[str, Any]:
        days = [(cid, d + timedelta(days=1)) for cid, d in before]
        days = [(cid, d) for cid, d in days if first <= d <= min(last, today)]
        return _bucket(len(days), sum(per_day.get(key, 0) for key in days))

    return {
        "routine": found.routine,
        "routines": found.choices,
        "after_completed": bucket(found.kept),
        "after_not_completed": bucket(found.not_kept),
        "min_days": MIN_TRIES,
    }


def coregulation(checkins: QuerySet[CheckIn]) -> dict[str, Any]:
    """In joint check-ins, the child's follow-up when the caregiver checked in calm (low
    energy, pleasant) versus not (one query, the caregiver's half as a subquery)."""
    caregiver = CheckIn.objects.filter(pair=OuterRef("pair"), member__isnull=False).values(
        "emotion"
    )[:1]
    rows = (
        checkins.filter(pair__isnull=False)
        .annotate(caregiver_emotion=Subquery(caregiver))
        .filter(caregiver_emotion__isnull=False)
        .values("caregiver_emotion", "outcome")
        .annotate(n=Count("id"))
        .order_by()
    )
    calm = set(quadrant_keys(CALM))
    groups: dict[str, dict[str, int]] = {
        name: {"checkins": 0, "answered": 0, "better": 0, "same": 0, "worse": 0}
        for name in ("calm", "not_calm")
    }
    for row in rows:
        group = groups["calm" if row["caregiver_emotion"] in calm else "not_calm"]
        group["checkins"] += row["n"]
        if row["outcome"] in Outcome.values:
            group["answered"] += row["n"]
            group[row["outcome"]] += row["n"]
    return {
        **{
            name: {
                **group,
                "better_share": share(group["better"], group["answered"]),
                "enough": group["answered"] >= MIN_TRIES,
            }
            for name, group in groups.items()
        },
        "min_tries": MIN_TRIES,
    }


def child_summaries(
    family: Family, children: Sequence[Child], first: date, last: date
) -> list[dict[str, Any]]:
    """Per child, the figures of the weekly digest's line for the local days ``first`` …
    ``last`` ("Sam's week: 5 calm days, bedtime kept 6 of 7, box breathing helped 3 of
    4"), in five queries whatever the number of children:

    * ``checkin_days``: local days with at least one check-in of the child;
    * ``calm_days``: of those, the days with no big unpleasant feeling (high energy,
      unpleasant: angry, scared, …) among them — a day without check-ins is not counted
      as calm, it is unknown;
    * ``helped``: the strategy that helped most (most follow-ups answered "better", then
      the best share, then the most answered), ``{"id", "title", "helped", "tried"}``,
      or ``None`` when no strategy helped at all;
    * ``routine``: the child's default routine (the bedtime one) and how many of its
      scheduled days were kept (``{"id", "name", "kept", "scheduled"}``, from the routines
      app through ``core.contributions``), or ``None`` when the child has none scheduled.
    """
    ids = [c.pk for c in children]
    if not ids:
        return []
    checkins = period_checkins(family, None, first, last).filter(
        child_id__in=ids, emotion__in=list(vocabulary.EMOTIONS_BY_KEY)
    )
    days: dict[int, list[int]] = defaultdict(lambda: [0, 0])  # child -> [days, calm days]
    for day_row in (
        checkins.annotate(day=TruncDate("occurred_at", tzinfo=family.zone))
        .values("child_id", "day")
        .annotate(big=Count("id", filter=Q(emotion__in=quadrant_keys(BIG_UNPLEASANT))))
        .order_by()
    ):
        days[day_row["child_id"]][0] += 1
        days[day_row["child_id"]][1] += day_row["big"] == 0
    helped: dict[int, dict[str, Any]] = {}
    for row in (
        checkins.filter(strategy__isnull=False)
        .values("child_id", "strategy_id", "strategy__key", "strategy__title")
        .annotate(
            tried=Count("id", filter=Q(outcome__isnull=False)),
            helped=Count("id", filter=Q(outcome=Outcome.BETTER)),
        )
        .order_by()
    ):
        if not row["helped"]:
            continue
        entry = {
            "id": row["strategy_id"],
            "title": shown_title(row["strategy__key"], row["strategy__title"]),
            "helped": row["helped"],
            "tried": row["tried"],
        }
        best = helped.get(row["child_id"])
        if best is None or _helps_more(entry, best):
            helped[row["child_id"]] = entry
    source = routines_kept_source()
    kept = source(family, ids, first, last) if source is not None else {}
    answer = []
    for child in children:
        found = kept.get(child.pk)
        checkin_days, calm_days = days.get(child.pk, (0, 0))
        answer.append(
            {
                "child": child,
                "checkin_days": checkin_days,
                "calm_days": calm_days,
                "helped": helped.get(child.pk),
                "routine": (
                    {**found["routine"], "kept": found["kept"], "scheduled": found["scheduled"]}
                    if found and found["scheduled"]
                    else None
                ),
            }
        )
    return answer


def _helps_more(a: dict[str, Any], b: dict[str, Any]) -> bool:
    def rank(s: dict[str, Any]) -> tuple[int, float, int, str]:
        return (-s["helped"], -s["helped"] / s["tried"], -s["tried"], s["title"])

    return rank(a) < rank(b)


def figures(
    *, family: Family, child: Child | None, first: date, last: date, routine: int | None = None
) -> dict[str, Any]:
    """Every figure for the local days ``first`` … ``last`` (a fixed number of queries)."""
    checkins = period_checkins(family, child, first, last)
    return {
        "mood_meter": mood_meter(checkins),
        "hard_moments": hard_moments(checkins, family),
        "what_helps": what_helps(checkins),
        "routines_and_feelings": routines_and_feelings(
            checkins, family, child, first, last, routine
        ),
        "coregulation": coregulation(checkins),
        "min_tries": MIN_TRIES,
    }
