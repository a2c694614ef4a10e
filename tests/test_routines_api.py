"""Routines with nested ordered steps: create, edit, reorder, remove, validation."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from routines.models import Routine, RoutineStep, StepCompletion

from .conftest import client_for
from .support.factories import ChildFactory, RoutineFactory, RoutineRunFactory
from .support.routine_fixtures import bedtime

pytestmark = pytest.mark.django_db


def url(family, rid=None):
    base = f"/api/v1/families/{family.pk}/routines/"
    return f"{base}{rid}/" if rid else base


def test_it_creates_a_routine_with_ordered_steps(family, owner_client, child):
    response = owner_client.post(url(family), bedtime(child), format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert [s["title"] for s in data["steps"]] == ["Bath", "Pyjamas", "Teeth", "Story"]
    assert [s["position"] for s in data["steps"]] == [0, 1, 2, 3]
    assert all(isinstance(s["id"], int) for s in data["steps"])
    assert data["steps"][1]["duration_minutes"] is None
    assert data["start_time"] == "19:30"
    assert data["children"] == [child.pk]
    assert data["reminder_offsets"] == [10, 0]
    routine = Routine.objects.get(pk=data["id"])
    assert routine.family == family
    assert routine.days_of_week == [1, 2, 3, 4, 5, 6, 7]


def test_caregivers_build_routines_too(family, caregiver_client, child):
    response = caregiver_client.post(url(family), bedtime(child), format="json")
    assert response.status_code == 201


def test_the_list_shows_routines_in_time_order_with_steps(family, owner_client, child):
    RoutineFactory(family=family, name="Bedtime", start_time="19:30", steps=2)
    RoutineFactory(family=family, name="Morning", start_time="07:00", steps=5)
    data = owner_client.get(url(family)).json()
    assert [r["name"] for r in data["results"]] == ["Morning", "Bedtime"]
    assert len(data["results"][0]["steps"]) == 5


def test_edit_renames_reorders_adds_and_removes_steps_keeping_ids(family, owner_client, child):
    created = owner_client.post(url(family), bedtime(child), format="json").json()
    bath, pyjamas, teeth, story = (s["id"] for s in created["steps"])
    run = RoutineRunFactory(routine_id=created["id"], child=child)
    StepCompletion.objects.create(run=run, step_id=teeth)

    steps = [
        {"id": teeth, "title": "Brush teeth", "icon": "🪥", "duration_minutes": 2},
        {"id": bath, "title": "Bath", "icon": "🛁", "duration_minutes": 15},
        {"title": "Cuddle", "icon": "🤗"},
        {"id": story, "title": "Story", "icon": "📖"},
    ]
    response = owner_client.patch(url(family, created["id"]), {"steps": steps}, format="json")
    assert response.status_code == 200, response.json()
    data = response.json()
    assert [s["title"] for s in data["steps"]] == ["Brush teeth", "Bath", "Cuddle", "Story"]
    assert [s["id"] for s in data["steps"]][:2] == [teeth, bath]
    assert data["steps"][3]["id"] == story
    assert data["steps"][3]["duration_minutes"] is None
    assert not RoutineStep.objects.filter(pk=pyjamas).exists()  # left out → removed
    # The completion of the renamed, moved step survived.
    assert StepCompletion.objects.filter(run=run, step_id=teeth).exists()


def test_swapping_two_steps_does_not_trip_the_position_constraint(family, owner_client, child):
    created = owner_client.post(url(family), bedtime(child), format="json").json()
    steps = created["steps"]
    swapped = [steps[1], steps[0], *steps[2:]]
    response = owner_client.patch(url(family, created["id"]), {"steps": swapped}, format="json")
    assert response.status_code == 200
    assert [s["id"] for s in response.json()["steps"]] == [s["id"] for s in swapped]


def test_patch_without_steps_leaves_them_alone(family, owner_client, child):
    created = owner_client.post(url(family), bedtime(child), format="json").json()
    response = owner_client.patch(url(family, created["id"]), {"name": "Sleepy"}, format="json")
    assert response.json()["name"] == "Sleepy"
    assert len(response.json()["steps"]) == 4


def test_offsets_are_deduplicated_and_days_sorted(family, owner_client, child):
    body = bedtime(child, reminder_offsets=[0, 10, 10], days_of_week=[7, 1])
    data = owner_client.post(url(family), body, format="json").json()
    assert data["reminder_offsets"] == [10, 0]
    assert data["days_of_week"] == [1, 7]


def test_delete_removes_the_routine_and_its_runs(family, owner_client, child):
    routine = RoutineFactory(family=family, children=[child])
    RoutineRunFactory(routine=routine, child=child)
    assert owner_client.delete(url(family, routine.pk)).status_code == 204
    assert not Routine.objects.filter(pk=routine.pk).exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"steps": []}, "steps"),
        ({"steps": [{"title": f"s{i}"} for i in range(51)]}, "steps"),
        (
            {"steps": [{"title": "ok"}, {"title": "ok"}, {"title": "x", "duration_minutes": 0}]},
            "steps.2.duration_minutes",
        ),
        ({"steps": [{"title": "x", "duration_minutes": 241}]}, "steps.0.duration_minutes"),
        ({"steps": [{"title": "x", "duration_minutes": "long"}]}, "steps.0.duration_minutes"),
        ({"steps": [{"title": "  "}]}, "steps.0.title"),
        ({"steps": [{"icon": "⭐"}]}, "steps.0.title"),
        ({"steps": "bath"}, "steps"),
        ({"days_of_week": []}, "days_of_week"),
        ({"days_of_week": [0]}, "days_of_week"),
        ({"days_of_week": [8]}, "days_of_week"),
        ({"days_of_week": [1, 1]}, "days_of_week"),
        ({"days_of_week": "mon"}, "days_of_week"),
        ({"start_time": "7pm"}, "start_time"),
        ({"start_time": "25:00"}, "start_time"),
        ({"start_time": None}, "start_time"),
        ({"reminder_offsets": [121]}, "reminder_offsets"),
        ({"reminder_offsets": [-1]}, "reminder_offsets"),
        ({"reminder_offsets": [0, 5, 10, 15, 20, 30]}, "reminder_offsets"),
        ({"name": ""}, "name"),
        ({"name": "x" * 81}, "name"),
        ({"children": [999999]}, "children"),
        ({"children": "Sam"}, "children"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(family, owner_client, child, change, field):
    response = owner_client.post(url(family), bedtime(child, **change), format="json")
    assert response.status_code == 400, response.json()
    errors = response.json()["errors"]
    assert any(name == field or name.startswith(f"{field}.") for name in errors), errors
    assert not Routine.objects.exists()


def test_another_familys_child_is_a_400_naming_children(family, owner_client, child, other_family):
    stranger = ChildFactory(family=other_family)
    body = bedtime(child, children=[child.pk, stranger.pk])
    response = owner_client.post(url(family), body, format="json")
    assert response.status_code == 400
    assert "children" in response.json()["errors"]


def test_an_unknown_step_id_is_a_400_naming_it(family, owner_client, child):
    created = owner_client.post(url(family), bedtime(child), format="json").json()
    elsewhere = RoutineFactory(family=family).steps.first()
    steps = [created["steps"][0], {"id": elsewhere.pk, "title": "Stolen"}]
    response = owner_client.patch(url(family, created["id"]), {"steps": steps}, format="json")
    assert response.status_code == 400
    assert "steps.1.id" in response.json()["errors"]
    assert RoutineStep.objects.get(pk=elsewhere.pk).title != "Stolen"


def test_a_step_listed_twice_is_a_400(family, owner_client, child):
    created = owner_client.post(url(family), bedtime(child), format="json").json()
    first = created["steps"][0]
    response = owner_client.patch(
        url(family, created["id"]), {"steps": [first, first]}, format="json"
    )
    assert response.status_code == 400
    assert "steps.1.id" in response.json()["errors"]
    assert len(Routine.objects.get().steps.all()) == 4


def test_another_familys_routine_is_404(family, child, outsider):
    routine = RoutineFactory(family=family)
    other = outsider.memberships.get().family
    client = client_for(outsider)
    assert client.get(url(other, routine.pk)).status_code == 404
    assert client.patch(url(other, routine.pk), {"name": "x"}, format="json").status_code == 404
    assert client.get(url(family)).status_code == 404


def test_the_database_refuses_out_of_range_durations_and_duplicates(family, child):
    routine = RoutineFactory(family=family, steps=0)
    with pytest.raises(IntegrityError), transaction.atomic():
        RoutineStep.objects.create(routine=routine, position=0, title="x", duration_minutes=241)
    RoutineStep.objects.create(routine=routine, position=0, title="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        RoutineStep.objects.create(routine=routine, position=0, title="y")
    run = RoutineRunFactory(routine=routine, child=child)
    with pytest.raises(IntegrityError), transaction.atomic():
        RoutineRunFactory(routine=routine, child=child, date=run.date)
    step = routine.steps.get()
    StepCompletion.objects.create(run=run, step=step)
    with pytest.raises(IntegrityError), transaction.atomic():
        StepCompletion.objects.create(run=run, step=step)


def test_the_admin_applies_the_same_weekday_and_offset_rules(family):
    routine = RoutineFactory(family=family, days_of_week=[1, 1], reminder_offsets=[5])
    with pytest.raises(ValidationError) as excinfo:
        routine.full_clean()
    assert "days_of_week" in excinfo.value.message_dict
    routine.days_of_week, routine.reminder_offsets = [3, 1], [0, 10, 0]
    routine.full_clean()
    assert (routine.days_of_week, routine.reminder_offsets) == ([1, 3], [10, 0])


def test_a_routine_for_no_child_is_refused_naming_children(owner_client, family, child):
    url = f"/api/v1/families/{family.pk}/routines/"
    body = {
        "name": "Bedtime",
        "start_time": "19:30",
        "days_of_week": [1, 2, 3],
        "steps": [{"title": "Bath"}],
    }
    for children in ([], None):
        sent = {**body, "children": children} if children is not None else body
        response = owner_client.post(url, sent, format="json")
        assert response.status_code == 400, response.json()
        assert "children" in response.json()["errors"]
