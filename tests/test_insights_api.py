"""Insights: counts per family-local day (across DST), top feelings, helped-rates."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine

from checkins import insights
from checkins.models import Strategy
from routines.models import Routine, RoutineRun

from .support.factories import CheckInFactory, ChildFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def url(family):
    return f"/api/v1/families/{family.pk}/insights/"


def at(*args):
    return datetime(*args, tzinfo=UTC)


def day(data, iso):
    return next(d for d in data["days"] if d["date"] == iso)


@pytest.fixture
def autumn(family, child):
    """Madrid leaves summer time at 03:00 on Sunday 25 October 2026 (01:00 UTC), so that
    local day lasts 25 hours: 22:00 UTC on the 24th to 23:00 UTC on the 25th."""
    box = Strategy.objects.get(family=None, key="box_breathing")
    belly = Strategy.objects.get(family=None, key="belly_breathing")
    hug = Strategy.objects.get(family=None, key="hug_or_hold_hands")

    def make(instant, emotion, strategy=None, outcome=None):
        return CheckInFactory(
            family=family,
            child=child,
            occurred_at=instant,
            emotion=emotion,
            strategy=strategy,
            outcome=outcome,
        )

    make(at(2026, 10, 24, 21, 59), "angry", box, "better")  # 23:59 CEST on the 24th
    make(at(2026, 10, 24, 22, 0), "angry", box, "better")  # 00:00 CEST on the 25th
    make(at(2026, 10, 25, 0, 30), "worried", box, "worse")  # 02:30 CEST, first time
    make(at(2026, 10, 25, 1, 30), "happy", belly, "better")  # 02:30 CET, second time
    make(at(2026, 10, 25, 22, 59), "sad", belly)  # 23:59 CET on the 25th
    make(at(2026, 10, 25, 23, 0), "angry", hug)  # 00:00 CET on Monday the 26th
    # Neither another child's nor a caregiver's own check-in counts for Sam.
    CheckInFactory(
        family=family, child=ChildFactory(family=family), occurred_at=at(2026, 10, 25, 9)
    )
    member = MembershipFactory(family=family)
    CheckInFactory(family=family, child=None, member=member, occurred_at=at(2026, 10, 25, 9))


def test_a_week_across_the_dst_change_counts_family_local_days(owner_client, child, autumn):
    response = owner_client.get(url(child.family), {"child": child.pk, "date": "2026-10-25"})
    assert response.status_code == 200, response.json()
    data = response.json()
    assert (data["start"], data["end"], data["period"]) == ("2026-10-19", "2026-10-25", "week")
    assert [d["date"] for d in data["days"]] == [f"2026-10-{n}" for n in range(19, 26)]
    assert data["total"] == 5
    assert day(data, "2026-10-24")["quadrants"]["high_unpleasant"] == 1
    sunday = day(data, "2026-10-25")
    assert sunday["total"] == 4
    assert sunday["quadrants"] == {
        "high_unpleasant": 2,
        "high_pleasant": 1,
        "low_unpleasant": 1,
        "low_pleasant": 0,
    }
    assert data["child"] == {"id": child.pk, "name": "Sam"}


def test_top_feelings_and_strategies_by_helped_rate(owner_client, child, autumn):
    data = owner_client.get(
        url(child.family), {"child": child.pk, "period": "month", "date": "2026-10-01"}
    ).json()
    assert data["total"] == 6
    assert len(data["days"]) == 31
    assert day(data, "2026-10-26")["total"] == 1
    assert [(f["key"], f["count"]) for f in data["feelings"]][:2] == [("angry", 3), ("happy", 1)]
    assert data["feelings"][0]["emoji"] == "😠"
    rates = [
        (s["key"], s["used"], s["tried"], s["helped"], s["helped_rate"]) for s in data["strategies"]
    ]
    assert rates == [
        ("belly_breathing", 2, 1, 1, 1.0),
        ("box_breathing", 3, 3, 2, 0.667),
        ("hug_or_hold_hands", 1, 0, 0, None),
    ]
    assert [q["key"] for q in data["quadrants"]] == [
        "high_unpleasant",
        "high_pleasant",
        "low_unpleasant",
        "low_pleasant",
    ]


def test_without_a_child_it_covers_all_children_but_not_the_grown_ups(owner_client, family, autumn):
    data = owner_client.get(url(family), {"date": "2026-10-25"}).json()
    assert data["child"] is None
    assert data["total"] == 6  # Sam's five this week and his sibling's one


def test_the_default_period_is_this_family_local_week(owner_client, family, child):
    CheckInFactory(
        family=family, child=child, occurred_at=at(2026, 3, 1, 23, 30)
    )  # Mon 2nd, Madrid
    with time_machine.travel(at(2026, 3, 1, 23, 30)):
        data = owner_client.get(url(family), {"child": child.pk}).json()
    assert (data["start"], data["end"]) == ("2026-03-02", "2026-03-08")
    assert data["total"] == 1


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"period": "year"}, "period"),
        ({"date": "25/10/2026"}, "date"),
        ({"child": 999999}, "child"),
    ],
)
def test_bad_insight_queries_name_the_field(owner_client, family, params, field):
    response = owner_client.get(url(family), params)
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_another_familys_child_is_a_400_and_strangers_a_404(
    owner_client, outsider_client, family, other_family
):
    theirs = ChildFactory(family=other_family)
    response = owner_client.get(url(family), {"child": theirs.pk})
    assert response.status_code == 400
    assert "child" in response.json()["errors"]
    assert outsider_client.get(url(family)).status_code == 404


def test_the_query_count_does_not_grow_with_check_ins_or_days(
    owner_client, family, child, django_assert_max_num_queries
):
    box = Strategy.objects.get(family=None, key="box_breathing")
    CheckInFactory(family=family, child=child, occurred_at=at(2026, 10, 5, 9))

    def count():
        with django_assert_max_num_queries(20) as ctx:
            response = owner_client.get(
                url(family), {"child": child.pk, "period": "month", "date": "2026-10-05"}
            )
            assert response.status_code == 200
        return len(ctx.captured_queries)

    one = count()
    for n in range(60):
        CheckInFactory(
            family=family,
            child=child,
            occurred_at=at(2026, 10, 1, 8) + timedelta(hours=11 * n),
            strategy=box,
            outcome="better" if n % 2 else None,
        )
    assert count() == one


def test_routine_runs_per_day_are_part_of_the_insights(family, child):
    routine = Routine.objects.create(family=family, name="Bedtime", start_time=time(19, 30))
    RoutineRun.objects.create(
        routine=routine,
        child=child,
        date=date(2026, 10, 20),
        started_at=at(2026, 10, 20, 18, 30),
        completed_at=at(2026, 10, 20, 19),
    )
    RoutineRun.objects.create(routine=routine, child=child, date=date(2026, 10, 21))
    answer = insights.build_insights(
        family=family, child=child, period="week", day=date(2026, 10, 22)
    )
    days = answer["routines"]
    assert len(days) == 7
    assert days[1] == {"date": date(2026, 10, 20), "runs": 1, "completed": 1}
    assert days[2] == {"date": date(2026, 10, 21), "runs": 1, "completed": 0}
    assert days[0]["runs"] == 0
