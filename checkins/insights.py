"""Insights for a child over a week, a month or a chosen range, in the family's local days.

Each call runs a fixed number of queries (check-ins of the period, and those of the parts
other apps contribute: the routines app's runs per day), whatever the number of check-ins
or days; the grouping by local day happens here in Python so days stay right across DST changes.
"""

from __future__ import annotations

import calendar
from collections import Counter
from datetime import date, timedelta
from typing import Any

from django.utils.translation import gettext as _

from core.api import check_date_range, validation_error
from core.contributions import insight_parts
from core.timeutils import family_days_bounds, family_local_date, family_today
from families.models import Child, Family

from . import insight_figures, vocabulary
from .models import CheckIn, Outcome
from .strategy_catalogue import shown_title

PERIODS = ("week", "month")
# "custom": the range given by ``from`` and ``to``.
PERIOD_CHOICES = (*PERIODS, "custom")
MAX_RANGE_DAYS = 366
TOP_FEELINGS = 5


def period_days(period: str, day: date) -> tuple[date, date]:
    """First and last local day of the week (Monday to Sunday) or month containing ``day``."""
    if period == "week":
        first = day - timedelta(days=day.weekday())
        return first, first + timedelta(days=6)
    if period == "month":
        last_day = calendar.monthrange(day.year, day.month)[1]
        return day.replace(day=1), day.replace(day=last_day)
    raise ValueError(f"Unknown period {period!r}; use week or month.")


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def check_range(first: date, last: date) -> None:
    """An insights range: at most ``MAX_RANGE_DAYS`` days (a 400 naming ``to``)."""
    check_date_range(first, last, max_days=MAX_RANGE_DAYS, too_long_field="to")


def build_insights(
    *,
    family: Family,
    child: Child | None,
    period: str,
    day: date | None = None,
    first: date | None = None,
    last: date | None = None,
    routine: int | None = None,
) -> dict[str, Any]:
    """Check-ins per local day by quadrant, top feelings, strategies by helped-rate, and
    the figures of ``insight_figures`` (mood meter, hard moments, what helps with what,
    routines and feelings, coregulation) and, per child, the weekly digest's summary.

    The period is the week or month around ``day``, or (``period="custom"``) the local
    days ``first`` … ``last``. Without ``child`` it covers all of the family's children
    (not the caregivers' own check-ins). A strategy's helped-rate is the share of its
    answered follow-ups that were "better"; strategies without an answered follow-up rank
    last. ``routine``: the routine "routines and feelings" compares (default: bedtime).
    """
    if period == "custom":
        if first is None or last is None:
            raise validation_error("from", _("Give both from and to for a custom range."))
        check_range(first, last)
    else:
        first, last = period_days(period, day or family_today(family))
    start, end = family_days_bounds(family, first, last)
    checkins = CheckIn.objects.filter(family=family, occurred_at__gte=start, occurred_at__lt=end)
    checkins = checkins.filter(child=child) if child else checkins.filter(child__isnull=False)
    rows = checkins.values_list(
        "occurred_at", "emotion", "strategy_id", "strategy__key", "strategy__title", "outcome"
    )

    quadrant_keys = [key for key, _ in vocabulary.QUADRANTS]
    per_day: dict[date, Counter[str]] = {d: Counter() for d in _days(first, last)}
    feelings: Counter[str] = Counter()
    strategies: dict[int, dict[str, Any]] = {}
    for occurred_at, emotion, strategy_id, key, title, outcome in rows:
        local_day = family_local_date(family, occurred_at)
        known = vocabulary.EMOTIONS_BY_KEY.get(emotion)
        if local_day not in per_day or known is None:
            continue
        per_day[local_day][known.quadrant] += 1
        feelings[emotion] += 1
        if strategy_id is not None:
            entry = strategies.setdefault(
                strategy_id,
                {
                    "id": strategy_id,
                    "key": key,
                    "title": shown_title(key, title),
                    "used": 0,
                    "tried": 0,
                    "helped": 0,
                },
            )
            entry["used"] += 1
            entry["tried"] += outcome is not None
            entry["helped"] += outcome == Outcome.BETTER

    for entry in strategies.values():
        entry["helped_rate"] = (
            round(entry["helped"] / entry["tried"], 3) if entry["tried"] else None
        )
    ranked = sorted(
        strategies.values(),
        key=lambda s: (
            s["helped_rate"] is None,
            -(s["helped_rate"] or 0),
            -s["helped"],
            -s["used"],
            s["title"],
        ),
    )
    top = sorted(feelings.items(), key=lambda item: (-item[1], item[0]))[:TOP_FEELINGS]
    return {
        "child": child,
        "period": period,
        "start": first,
        "end": last,
        "total": sum(feelings.values()),
        "quadrants": [{"key": key, "label": _(label)} for key, label in vocabulary.QUADRANTS],
        "days": [
            {
                "date": d,
                "total": sum(counts.values()),
                "quadrants": {q: counts.get(q, 0) for q in quadrant_keys},
            }
            for d, counts in per_day.items()
        ],
        "feelings": [
            {**vocabulary.EMOTIONS_BY_KEY[key].as_dict(), "count": count} for key, count in top
        ],
        "strategies": ranked,
        **insight_figures.figures(
            family=family, child=child, first=first, last=last, routine=routine
        ),
        # Per child, the weekly digest's figures (calm days, what helped, routine kept).
        "summary": insight_figures.child_summaries(
            family, [child] if child else list(Child.objects.filter(family=family)), first, last
        ),
        # Parts other apps contribute ("routines": runs per day), each a few queries.
        **{part.name: part.compute(family, child, first, last) for part in insight_parts()},
    }
