"""Streak arithmetic and the per-routine history endpoint."""

from datetime import UTC, date, datetime, timedelta

import pytest

from routines.history import completion_rate, streaks
from routines.models import RoutineRun

from .support.factories import ChildFactory, RoutineFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("wednesday_evening")]

TODAY = date(2026, 6, 10)  # a Wednesday


def days(*pattern: str, end: date = TODAY):
    """``days("x.x", "xx")`` → outcomes ending at ``end``: x done, . not done."""
    flat = "".join(pattern)
    first = end - timedelta(days=len(flat) - 1)
    return [(first + timedelta(days=i), c == "x") for i, c in enumerate(flat)]


@pytest.mark.parametrize(
    ("pattern", "current", "best"),
    [
        ("", 0, 0),
        ("xxx", 3, 3),
        ("xxx.", 3, 3),  # today still open does not break the current streak
        ("xx.x", 1, 2),  # yesterday missed: today done starts again
        ("x.xx.", 2, 2),
        ("xxxx.xx", 2, 4),
        ("....", 0, 0),
        ("xxx..", 0, 3),  # yesterday missed breaks it
    ],
)
def test_streaks(pattern, current, best):
    result = streaks(days(pattern), TODAY)
    assert (result.current, result.best) == (current, best)


def test_streaks_skip_days_that_are_not_scheduled():
    # Mon/Wed/Fri routine: only those days are passed in; the gaps between are days off.
    scheduled = [(date(2026, 6, d), True) for d in (1, 3, 5, 8, 10)]
    result = streaks(scheduled, TODAY)
    assert (result.current, result.best) == (5, 5)
    with_gap = [(d, d != date(2026, 6, 5)) for d, _ in scheduled]
    result = streaks(with_gap, TODAY)
    assert (result.current, result.best) == (2, 2)


def test_future_days_are_ignored():
    result = streaks(days("xx", end=TODAY + timedelta(days=1)), TODAY)
    assert (result.current, result.best) == (1, 1)


def test_completion_rate_counts_today_only_once_done():
    assert completion_rate(days("x.x."), TODAY) == round(2 / 3, 4)
    assert completion_rate(days("x.xx"), TODAY) == 0.75
    assert completion_rate(days("."), TODAY) is None
    assert completion_rate([], TODAY) is None


# --- the endpoint ------------------------------------------------------------------------


def history_url(family, routine, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"/api/v1/families/{family.pk}/routines/{routine.pk}/history/?{query}"


def complete_on(routine, child, day, *, full=True):
    run = RoutineRun.objects.create(
        routine=routine,
        child=child,
        date=day,
        started_at=datetime(2026, 1, 1, tzinfo=UTC),
        completed_at=datetime(2026, 1, 1, tzinfo=UTC) if full else None,
    )
    steps = list(routine.steps.all())
    run.completions.bulk_create(
        run.completions.model(run=run, step=s) for s in (steps if full else steps[:1])
    )


def test_history_per_day_with_streaks_over_gaps(family, owner_client, child):
    # Mon-Fri routine created on Monday 1 June.
    routine = RoutineFactory(
        family=family,
        children=[child],
        days_of_week=[1, 2, 3, 4, 5],
        created_at=datetime(2026, 6, 1, 5, 0, tzinfo=UTC),
    )
    for d in (1, 2, 3, 5, 8, 9):  # Thu 4 June missed; weekend is off
        complete_on(routine, child, date(2026, 6, d))
    complete_on(routine, child, date(2026, 6, 7))  # done on a Sunday anyway: not counted
    complete_on(routine, child, date(2026, 6, 10), full=False)  # today, in progress

    data = owner_client.get(history_url(family, routine, **{"from": "2026-05-30"})).json()
    assert data["from"] == "2026-05-30"
    assert data["to"] == "2026-06-10"
    by_day = {d["date"]: d for d in data["days"]}
    assert len(by_day) == 12
    assert by_day["2026-05-31"]["scheduled"] is False  # before the routine existed
    assert by_day["2026-06-04"] == {
        "date": "2026-06-04",
        "scheduled": True,
        "done": 0,
        "total": 3,
        "complete": False,
        "away": False,
    }
    assert by_day["2026-06-06"]["scheduled"] is False
    assert by_day["2026-06-07"]["complete"] is True
    assert not by_day["2026-06-07"]["scheduled"]
    assert by_day["2026-06-10"]["done"] == 1
    # 5, 8, 9 June in a row (weekend skipped); today still open does not break it.
    assert data["current_streak"] == 3
    assert data["best_streak"] == 3
    # Scheduled so far: 1-5 and 8-9 June = 7 days, 6 done; today not counted yet.
    assert data["scheduled_days"] == 7
    assert data["completed_days"] == 6
    assert data["completion_rate"] == round(6 / 7, 4)
    assert data["children"][0]["child"]["name"] == "Sam"
    assert data["children"][0]["current_streak"] == 3


def test_streaks_are_not_cut_short_by_the_range(family, owner_client, child):
    routine = RoutineFactory(
        family=family, children=[child], created_at=datetime(2026, 5, 1, tzinfo=UTC)
    )
    for offset in range(1, 31):
        complete_on(routine, child, date(2026, 6, 10) - timedelta(days=offset))
    data = owner_client.get(history_url(family, routine, **{"from": "2026-06-08"})).json()
    assert len(data["days"]) == 3
    assert data["current_streak"] == 30


def test_a_day_counts_for_everyone_only_when_every_child_did_it(family, owner_client, child):
    lea = ChildFactory(family=family, name="Lea")
    routine = RoutineFactory(
        family=family, children=[child, lea], created_at=datetime(2026, 6, 8, tzinfo=UTC)
    )
    for d in (8, 9):
        complete_on(routine, child, date(2026, 6, d))
    complete_on(routine, lea, date(2026, 6, 9))
    data = owner_client.get(history_url(family, routine, **{"from": "2026-06-08"})).json()
    assert [d["complete"] for d in data["days"]] == [False, True, False]
    assert data["current_streak"] == 1
    per_child = {c["child"]["name"]: c["current_streak"] for c in data["children"]}
    assert per_child == {"Sam": 2, "Lea": 1}
    only_lea = owner_client.get(history_url(family, routine, child=lea.pk)).json()
    assert [c["child"]["name"] for c in only_lea["children"]] == ["Lea"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "yesterday"}, "from"),
        ({"to": "2026-13-01"}, "to"),
        ({"from": "2026-06-10", "to": "2026-06-01"}, "from"),
        ({"from": "2024-01-01", "to": "2026-06-10"}, "from"),
        ({"child": 999999}, "child"),
    ],
)
def test_bad_history_ranges_are_a_400_naming_the_field(family, owner_client, child, params, field):
    routine = RoutineFactory(family=family, children=[child])
    response = owner_client.get(history_url(family, routine, **params))
    assert response.status_code == 400
    assert field in response.json()["errors"]
