"""Finish by: Today's ``planned_seconds`` scale the remaining steps so a routine ends on
time; never "late" (a past finish time leaves each step its minimum), DST-correct."""

from datetime import UTC, datetime

import pytest
import time_machine

from routines.pacing import MIN_STEP_SECONDS, scale_to_fit

from .support.routine_fixtures import bedtime

pytestmark = pytest.mark.django_db

# Bedtime: Bath 15 min, Pyjamas (no duration: the default 2), Teeth 3, Story 10.
OWN = [900, 120, 180, 600]


def create(client, family, child, **overrides):
    response = client.post(
        f"/api/v1/families/{family.pk}/routines/", bedtime(child, **overrides), format="json"
    )
    assert response.status_code == 201, response.json()
    return response.json()


def board_entry(client, family, day):
    board = client.get(f"/api/v1/families/{family.pk}/today/?date={day}").json()
    [entry] = board["children"][0]["routines"]
    return entry


def planned(entry):
    return [s["planned_seconds"] for s in entry["steps"]]


def tick(client, family, routine, child, day, step):
    path = (
        f"/api/v1/families/{family.pk}/routines/{routine['id']}/children/{child.pk}"
        f"/days/{day}/steps/{step['id']}/completion/"
    )
    assert client.put(path).status_code == 200


def test_without_finish_by_each_step_plans_its_own_duration(family, owner_client, child):
    routine = create(owner_client, family, child)
    assert routine["finish_by"] is None
    entry = board_entry(owner_client, family, "2026-12-02")
    assert entry["routine"]["finish_by"] is None
    assert planned(entry) == OWN
    assert entry["now_step"]["planned_seconds"] == 900


def test_enough_time_keeps_the_own_durations(family, owner_client, child):
    routine = create(owner_client, family, child, finish_by="20:30")
    assert routine["finish_by"] == "20:30"
    entry = board_entry(owner_client, family, "2026-12-02")
    assert entry["routine"]["finish_by"] == "20:30"
    assert planned(entry) == OWN


def test_too_little_time_scales_the_steps_proportionally_with_a_minimum(
    family, owner_client, child
):
    # 15 minutes from the 19:30 start for 30 minutes of steps: each gets half, but the
    # minute-long Pyjamas (half of 2 min) keeps its minimum.
    create(owner_client, family, child, finish_by="19:45")
    assert planned(board_entry(owner_client, family, "2026-12-02")) == [450, 60, 90, 300]


def test_every_tick_rescales_what_remains_from_that_moment(family, owner_client, child):
    routine = create(owner_client, family, child, finish_by="20:00")
    day = "2026-12-02"
    first = board_entry(owner_client, family, day)
    assert planned(first) == OWN  # 30 minutes of steps in the 30 minutes to 20:00
    # Bath took 25 minutes (19:55 in Madrid, UTC+1): 5 minutes are left for 15 of steps.
    with time_machine.travel(datetime(2026, 12, 2, 18, 55, tzinfo=UTC), tick=False):
        tick(owner_client, family, routine, child, day, first["steps"][0])
    after = board_entry(owner_client, family, day)
    assert after["now_step"]["title"] == "Pyjamas"
    assert planned(after) == [900, 60, 60, 200]  # a third each, at least a minute
    assert after["now_step"]["planned_seconds"] == 60


def test_a_finish_time_already_past_gives_each_step_its_minimum_never_late(
    family, owner_client, child
):
    routine = create(owner_client, family, child, finish_by="19:45")
    day = "2026-12-02"
    with time_machine.travel(datetime(2026, 12, 2, 19, 10, tzinfo=UTC), tick=False):  # 20:10
        tick(
            owner_client,
            family,
            routine,
            child,
            day,
            board_entry(owner_client, family, day)["steps"][0],
        )
    entry = board_entry(owner_client, family, day)
    assert planned(entry)[1:] == [MIN_STEP_SECONDS] * 3
    assert all(s >= MIN_STEP_SECONDS for s in planned(entry))
    assert "late" not in str(entry).lower()


def test_a_finish_by_before_the_start_is_the_next_morning(family, owner_client, child):
    # A bedtime at 23:50 that should be over by 00:05: 15 minutes, across midnight.
    create(owner_client, family, child, start_time="23:50", finish_by="00:05")
    assert planned(board_entry(owner_client, family, "2026-12-02")) == [450, 60, 90, 300]


def test_finish_by_across_the_spring_dst_change_counts_real_time(family, owner_client, child):
    # Europe/Madrid, 29 March 2026: 02:00 becomes 03:00. 01:30 → 03:30 is one real hour,
    # not two: 4 steps of 30 minutes are scaled to 15 minutes each.
    steps = [{"title": t, "duration_minutes": 30} for t in ("Wash", "Dress", "Eat", "Pack")]
    create(owner_client, family, child, start_time="01:30", finish_by="03:30", steps=steps)
    assert planned(board_entry(owner_client, family, "2026-03-29")) == [900] * 4
    # The same routine on an ordinary day has its two hours.
    assert planned(board_entry(owner_client, family, "2026-03-30")) == [1800] * 4


def test_finish_by_across_the_autumn_dst_change_counts_real_time(family, owner_client, child):
    # 25 October 2026: 03:00 becomes 02:00 again, so 01:30 → 03:30 lasts three hours:
    # 200 minutes of steps get 180 (naively two hours, 120).
    steps = [{"title": t, "duration_minutes": 50} for t in ("Wash", "Dress", "Eat", "Pack")]
    create(owner_client, family, child, start_time="01:30", finish_by="03:30", steps=steps)
    assert planned(board_entry(owner_client, family, "2026-10-25")) == [2700] * 4


@pytest.mark.parametrize("value", ["25:00", "7:60", "07:30:00", "soon", 730, True, ""])
def test_a_bad_finish_by_is_a_400_naming_it(family, owner_client, child, value):
    response = owner_client.post(
        f"/api/v1/families/{family.pk}/routines/", bedtime(child, finish_by=value), format="json"
    )
    assert response.status_code == 400
    assert "finish_by" in response.json()["errors"]


def test_finish_by_can_be_changed_and_cleared(family, owner_client, child):
    routine = create(owner_client, family, child, finish_by="20:00")
    url = f"/api/v1/families/{family.pk}/routines/{routine['id']}/"
    assert owner_client.patch(url, {"finish_by": "19:45"}, format="json").json()["finish_by"] == (
        "19:45"
    )
    assert planned(board_entry(owner_client, family, "2026-12-02")) == [450, 60, 90, 300]
    assert owner_client.patch(url, {"finish_by": None}, format="json").json()["finish_by"] is None
    assert planned(board_entry(owner_client, family, "2026-12-02")) == OWN


@pytest.mark.parametrize(
    ("own", "left", "expected"),
    [
        ([600, 600], None, [600, 600]),
        ([600, 600], 1200, [600, 600]),
        ([600, 600], 600, [300, 300]),
        ([600, 600], 100, [60, 60]),
        ([600, 600], -3600, [60, 60]),
        ([], 100, []),
    ],
)
def test_the_scaling_rule(own, left, expected):
    assert scale_to_fit(own, left) == expected
