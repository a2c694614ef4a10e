"""The insights that answer a parent's questions, each figure checked on hand-built data:
the mood meter, hard moments (family-local hours across DST), what helps with what (the
"too few to tell" threshold), routines and feelings, and coregulation."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine

from checkins.insight_figures import MIN_TRIES
from checkins.models import Strategy
from families.models import Membership
from routines.models import Routine, RoutineRun

from .support.factories import CheckInFactory, ChildFactory

pytestmark = pytest.mark.django_db


def at(*args):
    return datetime(*args, tzinfo=UTC)


def get(client, family, **params):
    response = client.get(f"/api/v1/families/{family.pk}/insights/", params)
    assert response.status_code == 200, response.json()
    return response.json()


def cell(data, weekday, time_key):
    return next(
        c["count"]
        for c in data["hard_moments"]["cells"]
        if c["weekday"] == weekday and c["time"] == time_key
    )


def test_the_threshold_is_three_tries():
    assert MIN_TRIES == 3


def test_the_mood_meter_places_check_ins_by_feeling_and_intensity(owner_client, family, child):
    for emotion, intensity in [("angry", 5), ("angry", 5), ("angry", 2), ("calm", 1)]:
        CheckInFactory(
            family=family,
            child=child,
            emotion=emotion,
            intensity=intensity,
            occurred_at=at(2026, 5, 6, 10),
        )
    CheckInFactory(family=family, child=ChildFactory(family=family), occurred_at=at(2026, 5, 6))
    data = get(owner_client, family, child=child.pk, **{"from": "2026-05-01", "to": "2026-05-31"})
    assert data["period"] == "custom"
    assert (data["start"], data["end"]) == ("2026-05-01", "2026-05-31")
    meter = data["mood_meter"]
    assert meter["total"] == 4
    assert [(p["key"], p["intensity"], p["count"]) for p in meter["points"]] == [
        ("angry", 5, 2),
        ("angry", 2, 1),
        ("calm", 1, 1),
    ]
    assert meter["points"][0]["energy"] == "high"
    assert meter["points"][0]["pleasantness"] == "unpleasant"
    assert {q["key"]: q["count"] for q in meter["quadrants"]} == {
        "high_unpleasant": 3,
        "high_pleasant": 0,
        "low_unpleasant": 0,
        "low_pleasant": 1,
    }


def test_hard_moments_are_counted_in_family_local_hours_across_the_dst_change(
    owner_client, family, child
):
    """Madrid moves from UTC+1 to UTC+2 at 01:00 UTC on Sunday 29 March 2026."""
    CheckInFactory(family=family, child=child, emotion="angry", occurred_at=at(2026, 3, 28, 16, 30))
    # The same UTC time the next day is an hour later on the family's clocks: evening.
    CheckInFactory(
        family=family, child=child, emotion="furious", occurred_at=at(2026, 3, 29, 16, 30)
    )
    # 23:30 UTC on Sunday is 01:30 on Monday in Madrid: Monday night.
    CheckInFactory(
        family=family, child=child, emotion="scared", occurred_at=at(2026, 3, 29, 23, 30)
    )
    # Not big and unpleasant: not a hard moment.
    CheckInFactory(family=family, child=child, emotion="sad", occurred_at=at(2026, 3, 28, 16, 30))
    data = get(owner_client, family, child=child.pk, **{"from": "2026-03-23", "to": "2026-03-31"})
    hard = data["hard_moments"]
    assert hard["total"] == 3
    assert cell(data, 6, "afternoon") == 1  # Saturday 17:30 CET
    assert cell(data, 7, "evening") == 1  # Sunday 18:30 CEST
    assert cell(data, 7, "afternoon") == 0
    assert cell(data, 1, "night") == 1  # Monday 01:30 CEST
    assert cell(data, 7, "night") == 0
    assert len(hard["cells"]) == 7 * 4
    assert hard["max"] == 1


def test_what_helps_ranks_strategies_per_quadrant_and_says_too_few_under_the_threshold(
    owner_client, family, child
):
    box = Strategy.objects.get(family=None, key="box_breathing")
    hug = Strategy.objects.get(family=None, key="hug_or_hold_hands")
    belly = Strategy.objects.get(family=None, key="belly_breathing")

    def make(emotion, strategy, outcome):
        CheckInFactory(
            family=family,
            child=child,
            emotion=emotion,
            strategy=strategy,
            outcome=outcome,
            occurred_at=at(2026, 5, 6, 10),
        )

    for outcome in ("better", "better", "better", "worse", None):
        make("angry", box, outcome)
    for outcome in ("better", "better"):
        make("worried", hug, outcome)  # two tries, both "better": still too few to tell
    for outcome in ("better", "same", "same"):
        make("sad", belly, outcome)
    data = get(owner_client, family, child=child.pk, period="month", date="2026-05-10")
    helps = {q["quadrant"]: q for q in data["what_helps"]}
    assert list(helps) == ["high_unpleasant", "high_pleasant", "low_unpleasant", "low_pleasant"]
    big = [
        (s["key"], s["used"], s["tried"], s["helped"], s["helped_share"], s["enough"])
        for s in helps["high_unpleasant"]["strategies"]
    ]
    assert big == [
        ("box_breathing", 5, 4, 3, 0.75, True),
        ("hug_or_hold_hands", 2, 2, 2, None, False),
    ]
    [low] = helps["low_unpleasant"]["strategies"]
    assert (low["tried"], low["helped"], low["helped_share"]) == (3, 1, 0.333)
    assert helps["high_pleasant"]["strategies"] == []


@pytest.fixture
def bedtime(family, child):
    routine = Routine.objects.create(
        family=family,
        name="Bedtime",
        start_time=time(19, 30),
        days_of_week=[1, 2, 3, 4, 5, 6, 7],
    )
    Routine.objects.filter(pk=routine.pk).update(created_at=at(2026, 1, 1))
    routine.children.set([child])
    return routine


def run(routine, child, day, completed):
    RoutineRun.objects.create(
        routine=routine,
        child=child,
        date=day,
        started_at=at(2026, 10, 1),
        completed_at=at(2026, 10, 1) if completed else None,
    )


def big_feelings(family, child, day, n):
    for _ in range(n):
        CheckInFactory(
            family=family,
            child=child,
            emotion="frustrated",
            occurred_at=datetime.combine(day, time(9), tzinfo=UTC),
        )


@time_machine.travel(at(2026, 11, 5, 12), tick=False)
def test_routines_and_feelings_compares_days_after_a_kept_and_a_missed_bedtime(
    owner_client, family, child, bedtime
):
    # Kept on the 18th, 19th and 20th; started but not finished on the 21st; no run on
    # the 22nd to 24th: the days after are the 19th-21st and the 22nd-25th.
    for n in (18, 19, 20):
        run(bedtime, child, date(2026, 10, n), completed=True)
    run(bedtime, child, date(2026, 10, 21), completed=False)
    for n, count in {19: 1, 20: 0, 21: 2, 22: 2, 23: 2, 24: 0, 25: 4}.items():
        big_feelings(family, child, date(2026, 10, n), count)
    CheckInFactory(family=family, child=child, emotion="sad", occurred_at=at(2026, 10, 22, 9))
    data = get(owner_client, family, child=child.pk, date="2026-10-22")
    rf = data["routines_and_feelings"]
    assert rf["routine"] == {"id": bedtime.pk, "name": "Bedtime"}
    assert rf["after_completed"] == {"days": 3, "checkins": 3, "per_day": 1.0, "enough": True}
    assert rf["after_not_completed"] == {
        "days": 4,
        "checkins": 8,
        "per_day": 2.0,
        "enough": True,
    }


@time_machine.travel(at(2026, 11, 5, 12), tick=False)
def test_routines_and_feelings_says_too_few_under_the_threshold_and_takes_any_routine(
    owner_client, family, child, bedtime
):
    morning = Routine.objects.create(
        family=family, name="Morning", start_time=time(7), days_of_week=[1, 2, 3, 4, 5, 6, 7]
    )
    Routine.objects.filter(pk=morning.pk).update(created_at=at(2026, 1, 1))
    morning.children.set([child])
    for n in (19, 20):
        run(morning, child, date(2026, 10, n), completed=True)
    big_feelings(family, child, date(2026, 10, 21), 3)
    data = get(owner_client, family, child=child.pk, date="2026-10-22", routine=morning.pk)
    rf = data["routines_and_feelings"]
    assert rf["routine"]["name"] == "Morning"
    assert {r["name"] for r in rf["routines"]} == {"Bedtime", "Morning"}
    assert rf["after_completed"] == {"days": 2, "checkins": 3, "per_day": None, "enough": False}
    assert rf["after_not_completed"]["days"] == 5
    # Another family's routine, or nonsense, is a 400 naming the field.
    response = owner_client.get(
        f"/api/v1/families/{family.pk}/insights/", {"child": child.pk, "routine": 10**9}
    )
    assert response.status_code == 400
    assert "routine" in response.json()["errors"]


def test_coregulation_compares_the_childs_follow_up_by_the_caregivers_calm(
    owner_client, owner, family, child
):
    membership = Membership.objects.get(family=family, user=owner)

    def joint(caregiver_emotion, outcome):
        pair = uuid.uuid4()
        CheckInFactory(
            id=pair,
            pair=pair,
            family=family,
            child=child,
            emotion="angry",
            outcome=outcome,
            occurred_at=at(2026, 5, 6, 10),
        )
        CheckInFactory(
            pair=pair,
            family=family,
            child=None,
            member=membership,
            emotion=caregiver_emotion,
            occurred_at=at(2026, 5, 6, 10),
        )

    for outcome in ("better", "better", "same"):
        joint("calm", outcome)
    joint("relaxed", None)  # calm, not answered yet
    joint("stressed", "worse")
    joint("frustrated", "better")
    CheckInFactory(family=family, child=child, outcome="better", occurred_at=at(2026, 5, 6, 11))
    data = get(owner_client, family, child=child.pk, period="month", date="2026-05-01")
    co = data["coregulation"]
    assert co["calm"] == {
        "checkins": 4,
        "answered": 3,
        "better": 2,
        "same": 1,
        "worse": 0,
        "better_share": 0.667,
        "enough": True,
    }
    assert co["not_calm"] == {
        "checkins": 2,
        "answered": 2,
        "better": 1,
        "same": 0,
        "worse": 1,
        "better_share": None,
        "enough": False,
    }


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-05-01"}, "to"),
        ({"to": "2026-05-01"}, "from"),
        ({"from": "2026-05-10", "to": "2026-05-01"}, "from"),
        ({"from": "2025-01-01", "to": "2026-05-01"}, "to"),
        ({"routine": "x"}, "routine"),
    ],
)
def test_bad_ranges_name_the_field(owner_client, family, params, field):
    response = owner_client.get(f"/api/v1/families/{family.pk}/insights/", params)
    assert response.status_code == 400, response.json()
    assert field in response.json()["errors"]


def test_the_figures_cost_the_same_queries_for_a_week_as_for_a_year(
    owner_client, owner, family, child, bedtime, django_assert_max_num_queries
):
    def count(**params):
        with django_assert_max_num_queries(30) as ctx:
            get(owner_client, family, child=child.pk, **params)
        return len(ctx.captured_queries)

    week = count(**{"from": "2026-05-04", "to": "2026-05-10"})
    box = Strategy.objects.get(family=None, key="box_breathing")
    membership = Membership.objects.get(family=family, user=owner)
    for n in range(120):
        pair = uuid.uuid4()
        day = date(2026, 1, 1) + timedelta(days=n * 3)
        CheckInFactory(
            id=pair,
            pair=pair,
            family=family,
            child=child,
            emotion=["angry", "calm", "sad", "happy"][n % 4],
            strategy=box,
            outcome="better",
            occurred_at=datetime.combine(day, time(n % 24), tzinfo=UTC),
        )
        CheckInFactory(
            pair=pair, family=family, child=None, member=membership, occurred_at=at(2026, 2, 1)
        )
        if n % 3 == 0:
            run(bedtime, child, day, completed=bool(n % 2))
    assert count(**{"from": "2026-01-01", "to": "2026-12-31"}) == week
