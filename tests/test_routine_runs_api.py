"""Runs, step completions (idempotent, also by day for offline replays) and the Today board."""

import json
from datetime import UTC, date, datetime, time

import pytest
import time_machine
from django.db.models import Count, Prefetch

from families.models import Role
from routines.board import board_data, today_board
from routines.models import RoutineRun, StepCompletion
from routines.serializers_runs import BoardSerializer, RunSerializer

from .conftest import client_for
from .support.factories import ChildFactory, FamilyFactory, MembershipFactory, RoutineFactory
from .support.routine_fixtures import DAY

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("monday_noon")]


def runs_url(family, routine):
    return f"/api/v1/families/{family.pk}/routines/{routine.pk}/runs/"


def completion_url(family, run, step):
    return f"/api/v1/families/{family.pk}/runs/{run}/steps/{step}/completion/"


def day_url(family, routine, child, day, step):
    return (
        f"/api/v1/families/{family.pk}/routines/{routine.pk}/children/{child.pk}"
        f"/days/{day}/steps/{step}/completion/"
    )


def today_url(family, day=None):
    return f"/api/v1/families/{family.pk}/today/" + (f"?date={day}" if day else "")


# --- runs --------------------------------------------------------------------------------


def test_starting_a_run_twice_gives_the_same_run(family, owner_client, routine, child):
    first = owner_client.post(runs_url(family, routine), {"child": child.pk, "date": DAY})
    assert first.status_code == 201
    assert first.json()["started_at"] is not None
    again = owner_client.post(runs_url(family, routine), {"child": child.pk, "date": DAY})
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["started_at"] == first.json()["started_at"]
    assert RoutineRun.objects.count() == 1


def test_a_run_defaults_to_the_familys_today(owner_client, family, routine, child):
    response = owner_client.post(runs_url(family, routine), {"child": child.pk})
    assert response.json()["date"] == DAY


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "child"),
        ({"child": 999999}, "child"),
        ({"child": "Sam"}, "child"),
        ({"date": "01/06/2026"}, "date"),
        ({"date": "2026-02-30"}, "date"),
        ({"date": "2026-06-03"}, "date"),  # the day after tomorrow
    ],
)
def test_bad_run_input_is_a_400_naming_the_field(family, owner_client, routine, child, body, field):
    body = {"child": child.pk, **body} if field != "child" else body
    response = owner_client.post(runs_url(family, routine), body)
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not RoutineRun.objects.exists()


def test_a_child_the_routine_is_not_for_is_a_400(family, owner_client, routine):
    sibling = ChildFactory(family=family, name="Lea")
    response = owner_client.post(runs_url(family, routine), {"child": sibling.pk})
    assert response.status_code == 400
    assert "child" in response.json()["errors"]


def test_another_familys_child_is_a_400_naming_child(owner_client, family, routine, other_family):
    stranger = ChildFactory(family=other_family)
    response = owner_client.post(runs_url(family, routine), {"child": stranger.pk})
    assert response.status_code == 400
    assert "child" in response.json()["errors"]


# --- completions -------------------------------------------------------------------------


def start(client, family, routine, child):
    return client.post(runs_url(family, routine), {"child": child.pk, "date": DAY}).json()


def test_completing_is_idempotent_and_records_who(family, owner, owner_client, routine, child):
    run = start(owner_client, family, routine, child)
    step = routine.steps.first()
    first = owner_client.put(completion_url(family, run["id"], step.pk))
    assert first.status_code == 200
    assert first.json()["done"] == 1
    assert first.json()["completed_steps"] == [step.pk]
    assert first.json()["completions"][0]["completed_by_name"] == "Alice"
    again = owner_client.put(completion_url(family, run["id"], step.pk))
    assert again.json() == first.json()
    assert StepCompletion.objects.count() == 1


def test_the_last_step_completes_the_run_and_undo_reopens_it(
    family, owner_client, caregiver_client, routine, child
):
    run = start(owner_client, family, routine, child)
    steps = list(routine.steps.all())
    for step, client in zip(steps, [owner_client, caregiver_client, owner_client], strict=True):
        state = client.put(completion_url(family, run["id"], step.pk)).json()
    assert state["done"] == state["total"] == 3
    assert state["completed_at"] is not None
    assert {c["completed_by_name"] for c in state["completions"]} == {"Alice", "Bob"}

    undone = owner_client.delete(completion_url(family, run["id"], steps[1].pk))
    assert undone.status_code == 200
    assert undone.json()["done"] == 2
    assert undone.json()["completed_at"] is None
    assert owner_client.delete(completion_url(family, run["id"], steps[1].pk)).json() == (
        undone.json()
    )


def test_a_put_without_a_started_run_starts_it(family, owner_client, routine, child):
    run = RoutineRun.objects.create(routine=routine, child=child, date=date(2026, 6, 1))
    state = owner_client.put(completion_url(family, run.pk, routine.steps.first().pk)).json()
    assert state["started_at"] is not None


def test_a_step_of_another_routine_is_404(family, owner_client, routine, child):
    run = start(owner_client, family, routine, child)
    foreign = RoutineFactory(family=family).steps.first()
    assert owner_client.put(completion_url(family, run["id"], foreign.pk)).status_code == 404
    assert not StepCompletion.objects.exists()


def test_completion_by_day_creates_the_run_and_replays_change_nothing(
    family, owner_client, caregiver_client, routine, child
):
    step = routine.steps.first()
    target = day_url(family, routine, child, DAY, step.pk)
    first = owner_client.put(target)
    assert first.status_code == 200
    # The offline phone's queue replays the same request, maybe from another caregiver.
    assert caregiver_client.put(target).json()["completions"] == first.json()["completions"]
    assert StepCompletion.objects.count() == 1
    assert RoutineRun.objects.get().started_at is not None
    assert owner_client.delete(target).json()["done"] == 0
    assert owner_client.delete(target).json()["done"] == 0
    assert not StepCompletion.objects.exists()


def test_completion_by_day_checks_child_day_and_step(family, owner_client, routine, child):
    step = routine.steps.first()
    sibling = ChildFactory(family=family)
    assert owner_client.put(day_url(family, routine, sibling, DAY, step.pk)).status_code == 400
    assert owner_client.put(day_url(family, routine, child, "2027-01-01", step.pk)).json()[
        "errors"
    ].keys() == {"date"}
    assert owner_client.put(day_url(family, routine, child, "2026-02-30", step.pk)).status_code == (
        404
    )
    foreign = RoutineFactory(family=family).steps.first()
    assert owner_client.put(day_url(family, routine, child, DAY, foreign.pk)).status_code == 404
    assert not StepCompletion.objects.exists()


def test_a_run_completes_with_its_last_step_whatever_other_days_hold(
    family, owner_client, routine, child
):
    steps = list(routine.steps.all())
    for day in ("2026-05-30", "2026-05-31"):  # earlier days, fully done
        for step in steps:
            owner_client.put(day_url(family, routine, child, day, step.pk))
    for step in steps[:-1]:
        run = owner_client.put(day_url(family, routine, child, DAY, step.pk)).json()
        assert run["completed_at"] is None
    run = owner_client.put(day_url(family, routine, child, DAY, steps[-1].pk)).json()
    assert (run["done"], run["total"]) == (3, 3)
    assert run["completed_at"] is not None
    undone = owner_client.delete(day_url(family, routine, child, DAY, steps[0].pk)).json()
    assert undone["completed_at"] is None


def serialized(run_id):
    """The run as RunSerializer documents it, loaded the plain ORM way."""
    run = (
        RoutineRun.objects.annotate(step_count=Count("routine__steps", distinct=True))
        .prefetch_related(
            Prefetch("completions", queryset=StepCompletion.objects.select_related("completed_by"))
        )
        .get(pk=run_id)
    )
    return json.loads(json.dumps(RunSerializer(run).data))


def test_ticks_answer_exactly_what_the_run_serializer_documents(
    family, owner_client, caregiver_client, routine, child
):
    steps = list(routine.steps.all())
    started = owner_client.post(runs_url(family, routine), {"child": child.pk, "date": DAY})
    run_id = started.json()["id"]
    calls = [
        lambda: started,
        lambda: owner_client.put(day_url(family, routine, child, DAY, steps[0].pk)),
        lambda: caregiver_client.put(day_url(family, routine, child, DAY, steps[1].pk)),
        lambda: owner_client.put(completion_url(family, run_id, steps[2].pk)),  # completes
        lambda: owner_client.put(completion_url(family, run_id, steps[2].pk)),  # a repeat
        lambda: owner_client.delete(day_url(family, routine, child, DAY, steps[0].pk)),
        lambda: owner_client.delete(completion_url(family, run_id, steps[1].pk)),
    ]
    done = []
    for call in calls:
        answer = call()
        assert answer.status_code in (200, 201)
        assert answer.json() == serialized(run_id)
        done.append((answer.json()["done"], answer.json()["completed_at"] is not None))
    assert done == [
        (0, False),
        (1, False),
        (2, False),
        (3, True),
        (3, True),
        (2, False),
        (1, False),
    ]


def test_a_tick_by_day_of_another_familys_routine_or_child_is_404(
    family, owner_client, routine, child, other_family
):
    step = routine.steps.first()
    stranger = ChildFactory(family=other_family)
    foreign = RoutineFactory(family=other_family)
    foreign.children.add(stranger)
    assert owner_client.put(day_url(family, routine, stranger, DAY, step.pk)).status_code == 404
    assert (
        owner_client.put(day_url(family, foreign, child, DAY, foreign.steps.first().pk)).status_code
        == 404
    )
    assert owner_client.put(day_url(family, routine, child, DAY, 10**12)).status_code == 404
    assert not RoutineRun.objects.exists()


# --- Today board -------------------------------------------------------------------------


def test_the_board_lists_each_childs_routines_in_time_order(family, owner_client, child):
    lea = ChildFactory(family=family, name="Lea")
    RoutineFactory(family=family, name="Bedtime", start_time=time(19, 30), children=[child])
    RoutineFactory(family=family, name="Morning", start_time=time(7, 0), children=[child, lea])
    RoutineFactory(family=family, name="Weekend", days_of_week=[6, 7], children=[child])
    RoutineFactory(family=family, name="Paused", is_active=False, children=[child])
    data = owner_client.get(today_url(family, DAY)).json()
    assert data["date"] == DAY
    by_child = {
        c["child"]["name"]: [r["routine"]["name"] for r in c["routines"]] for c in data["children"]
    }
    assert by_child == {"Lea": ["Morning"], "Sam": ["Morning", "Bedtime"]}


def test_the_board_shows_progress_and_now_next(family, owner_client, routine, child):
    steps = list(routine.steps.all())
    owner_client.put(day_url(family, routine, child, DAY, steps[0].pk))
    entry = owner_client.get(today_url(family, DAY)).json()["children"][0]["routines"][0]
    assert (entry["done"], entry["total"], entry["complete"]) == (1, 3, False)
    assert [s["done"] for s in entry["steps"]] == [True, False, False]
    assert entry["now_step"]["id"] == steps[1].pk
    assert entry["next_step"]["id"] == steps[2].pk
    assert entry["run"]["started_at"] is not None
    assert entry["now_since"] == "2026-06-01T10:00:00Z"

    for step in steps[1:]:
        owner_client.put(day_url(family, routine, child, DAY, step.pk))
    entry = owner_client.get(today_url(family, DAY)).json()["children"][0]["routines"][0]
    assert entry["complete"] is True
    assert entry["now_step"] is None
    assert entry["next_step"] is None


def test_another_caregiver_sees_the_same_progress(
    family, owner_client, caregiver_client, routine, child
):
    owner_client.put(day_url(family, routine, child, DAY, routine.steps.first().pk))
    entry = caregiver_client.get(today_url(family, DAY)).json()["children"][0]["routines"][0]
    assert entry["done"] == 1


def test_the_board_answers_exactly_what_its_serializer_documents(
    family, owner_client, routine, child
):
    """The view writes the board directly for speed; the OpenAPI schema comes from
    BoardSerializer, so both must give the same JSON (with runs, without, half done)."""
    lea = ChildFactory(family=family, name="Lea")
    RoutineFactory(family=family, name="Morning", start_time=time(7, 5), children=[child, lea])
    steps = list(routine.steps.all())
    owner_client.put(day_url(family, routine, child, DAY, steps[0].pk))
    RoutineRun.objects.filter(child=child).update(
        started_at=datetime(2026, 6, 1, 9, 58, 1, 5, tzinfo=UTC)
    )

    board = today_board(family, date(2026, 6, 1))
    assert board_data(board) == BoardSerializer(board).data
    assert owner_client.get(today_url(family, DAY)).json() == BoardSerializer(board).data


def test_a_bad_board_date_is_a_400(family, owner_client):
    response = owner_client.get(today_url(family, "tomorrow"))
    assert response.status_code == 400
    assert "date" in response.json()["errors"]


def test_the_board_of_another_family_is_404(family, outsider):
    assert client_for(outsider).get(today_url(family)).status_code == 404


# --- the family's local date, never the server's -----------------------------------------


def family_with_routine(zone, days):
    family = FamilyFactory(timezone=zone)
    user = MembershipFactory(family=family, role=Role.OWNER).user
    child = ChildFactory(family=family)
    routine = RoutineFactory(family=family, children=[child], days_of_week=days)
    return client_for(user), family, routine, child


@pytest.mark.parametrize(
    ("zone", "instant", "local_day"),
    [
        # Sunday 31 May 23:30 UTC is already Monday 1 June in Auckland (UTC+12)…
        ("Pacific/Auckland", datetime(2026, 5, 31, 23, 30, tzinfo=UTC), "2026-06-01"),
        # …while Monday 1 June 06:30 UTC is still Sunday 31 May in Los Angeles (UTC-7).
        ("America/Los_Angeles", datetime(2026, 6, 1, 6, 30, tzinfo=UTC), "2026-05-31"),
        ("America/Los_Angeles", datetime(2026, 6, 1, 7, 0, tzinfo=UTC), "2026-06-01"),
        # Just after LA springs forward (8 March 2026) midnight is 07:00 UTC, not 08:00.
        ("America/Los_Angeles", datetime(2026, 3, 9, 7, 30, tzinfo=UTC), "2026-03-09"),
        ("America/Los_Angeles", datetime(2026, 3, 8, 7, 30, tzinfo=UTC), "2026-03-07"),
        # Auckland falls back on 5 April 2026: 11:30 UTC is 23:30 NZST, still the 5th.
        ("Pacific/Auckland", datetime(2026, 4, 5, 11, 30, tzinfo=UTC), "2026-04-05"),
        ("Pacific/Auckland", datetime(2026, 4, 4, 11, 30, tzinfo=UTC), "2026-04-05"),
    ],
)
def test_today_and_runs_use_the_family_local_date(zone, instant, local_day):
    weekday = date.fromisoformat(local_day).isoweekday()
    client, family, routine, child = family_with_routine(zone, [weekday])
    with time_machine.travel(instant, tick=False):
        board = client.get(today_url(family)).json()
        run = client.post(runs_url(family, routine), {"child": child.pk}).json()
    assert board["date"] == local_day
    assert [r["routine"]["id"] for r in board["children"][0]["routines"]] == [routine.pk]
    assert run["date"] == local_day


def test_editing_steps_reopens_or_completes_todays_run_but_not_the_past(
    family, owner_client, routine, child
):
    steps = list(routine.steps.all())
    for day in ("2026-05-31", DAY):
        for step in steps:
            owner_client.put(day_url(family, routine, child, day, step.pk))
    body = [{"id": s.pk, "title": s.title} for s in steps]
    edit = f"/api/v1/families/{family.pk}/routines/{routine.pk}/"

    owner_client.patch(edit, {"steps": [*body, {"title": "Hug"}]}, format="json")
    runs = {str(r.date): r.completed_at for r in RoutineRun.objects.all()}
    assert runs["2026-06-01"] is None  # today has a new step to do
    assert runs["2026-05-31"] is not None  # yesterday stays done

    owner_client.patch(edit, {"steps": body}, format="json")  # the new step is removed again
    assert RoutineRun.objects.get(date=date(2026, 6, 1)).completed_at is not None
